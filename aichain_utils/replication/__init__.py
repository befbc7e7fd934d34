"""The paper: its estimators' paper-level wrappers, the columns of Tables 3-10, the measurement tables,
the Monte Carlo lab, the calibration and the closest world, the audit, the claims, the ledger and the
validation record. Imports the report, robustness, inputs, simulation, measurement and econometrics
layers, never the book."""
