"""The book's readings of the paper's formulas, from one machine-readable record.

``data/published/equations.yml`` holds one record per formula (equations 6-18, the AIE composite and
the trade controls): the garbled print, the reconstruction, a verdict (*faithful*, *one reading*,
*conjecture*), the reason, and the switches that select an alternative reading. Everything that
states a verdict (the measurement chapter's table, the glossary, the docstrings of
:mod:`aichain_utils.measurement.indices`) is generated from or tested against this record.

The switches are the ``readings`` argument of :func:`aichain_utils.inputs.panel.build_analysis_panel`:
``build_analysis_panel(raw, readings={"fsie_aggregation": "gini"})``. The first value each record
lists is the default (:data:`DEFAULT_READINGS`).

This module also holds the sample-size reading of section 5 of the measurement chapter: the
observation unit as one of 61 nodes per industry (23,485 = 35 x 11 x 61), with the N of every
published column explained by it or listed as unexplained (:func:`sample_size_reading`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from aichain_utils.paths import published_dir

__all__ = [
    "DEFAULT_READINGS",
    "READING_CHOICES",
    "SWITCH_AFFECTS",
    "VERDICTS",
    "docstring_tag",
    "load_equations",
    "print_table",
    "resolve_readings",
    "sample_size_evidence",
    "sample_size_reading",
    "verdict_of",
    "verdict_table",
]

VERDICTS = ("faithful", "one reading", "conjecture")
_FIELDS = ("id", "name", "symbol", "function", "print", "reconstruction", "verdict", "reason", "switches")


def _check_records(records: list[dict], source: str) -> list[dict]:
    if not isinstance(records, list) or not records:
        raise ValueError(f"{source}: expected a list of equation records")
    seen = set()
    for k, rec in enumerate(records):
        missing = [f for f in _FIELDS if f not in rec]
        if missing:
            raise ValueError(f"{source}: record {k} ({rec.get('id')!r}) lacks {missing}")
        if rec["verdict"] not in VERDICTS:
            raise ValueError(f"{source}: record {rec['id']!r} has verdict {rec['verdict']!r}; allowed {VERDICTS}")
        if rec["id"] in seen:
            raise ValueError(f"{source}: record id {rec['id']!r} appears twice")
        seen.add(rec["id"])
        if rec["verdict"] != "faithful" and not str(rec["reason"]).strip():
            raise ValueError(f"{source}: record {rec['id']!r} is not faithful but gives no reason")
    return records


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[dict, ...]:
    with Path(path).open(encoding="utf-8") as fh:
        return tuple(_check_records(yaml.safe_load(fh), path))


def load_equations(path: Path | str | None = None) -> list[dict]:
    """The records of ``data/published/equations.yml`` (a fresh list of dicts).

    Raises
    ------
    ValueError
        If a record lacks a field, repeats an id, or has a verdict outside :data:`VERDICTS`.
    """
    path = Path(path) if path is not None else published_dir() / "equations.yml"
    return [dict(r) for r in _load(str(path))]


def verdict_of(equation: str | int) -> str:
    """The verdict of one record, e.g. ``verdict_of(17)`` is ``"conjecture"``."""
    for rec in load_equations():
        if rec["id"] == str(equation):
            return rec["verdict"]
    raise KeyError(f"no record for equation {equation!r} in equations.yml")


def _choices() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for rec in load_equations():
        for name, values in (rec["switches"] or {}).items():
            values = tuple(values)
            if name in out and out[name] != values:
                raise ValueError(f"equations.yml: switch {name!r} lists different values in two records")
            out[name] = values
    return out


#: Every switch and its allowed values (the first is the default), from equations.yml.
READING_CHOICES: dict[str, tuple[str, ...]] = _choices()
#: The default of every switch except ``aie_weights`` (an argument of its own in the panel builder).
DEFAULT_READINGS: dict[str, str] = {k: v[0] for k, v in READING_CHOICES.items() if k != "aie_weights"}


#: The panel variable each switch changes first (what the measurement chapter compares).
SWITCH_AFFECTS: dict[str, str] = {
    "upsilon": "ERL",
    "inter_numerator": "ELRI_inter",
    "ia_denominator": "IA_front",
    "fsie_aggregation": "FSIE",
    "itse_orientation": "ITSE_forward",
    "vce_cost": "LCV",
    "lcv_form": "LCV",
    "lcv_base": "LCV",
    "wcv_c": "WCV",
    "trade_scale": "imp",
}


def resolve_readings(readings: dict | None) -> dict[str, str]:
    """The defaults updated by ``readings``; a clear error for an unknown switch or value."""
    out = dict(DEFAULT_READINGS)
    for name, value in (readings or {}).items():
        if name not in DEFAULT_READINGS:
            raise ValueError(f"unknown reading {name!r}; known: {sorted(DEFAULT_READINGS)}")
        if value not in READING_CHOICES[name]:
            raise ValueError(f"reading {name}={value!r} is not one of {list(READING_CHOICES[name])}")
        out[name] = value
    return out


def docstring_tag(equation: str | int) -> str:
    """The sentence the docstring of an index function carries, e.g. "Verdict on equation (17): conjecture."."""
    eq = str(equation)
    label = f"equation ({eq})" if eq[0].isdigit() else f"the {eq} composite"
    return f"Verdict on {label}: {verdict_of(eq)}."


def verdict_table() -> pd.DataFrame:
    """One row per record: equation, index, verdict, the alternatives (switch = values), and the reason."""
    rows = []
    for rec in load_equations():
        eq = rec["id"] if not rec["id"][0].isdigit() else f"({rec['id']})"
        alts = "; ".join(
            f"{name}: {values[0]} (default) | " + " | ".join(values[1:])
            for name, values in (rec["switches"] or {}).items()
        )
        rows.append(
            {
                "equation": eq,
                "index": rec["symbol"],
                "verdict": rec["verdict"],
                "alternatives (readings=…)": alts or "—",
                "reason": " ".join(str(rec["reason"]).split()),
            }
        )
    return pd.DataFrame(rows)


def print_table() -> pd.DataFrame:
    """One row per record: the print as extracted (line breaks shown as ⏎) and the reconstruction (LaTeX)."""
    rows = []
    for rec in load_equations():
        lines = [ln.strip() for ln in str(rec["print"]).splitlines() if ln.strip()]
        rows.append(
            {
                "equation": rec["id"] if not rec["id"][0].isdigit() else f"({rec['id']})",
                "as extracted": " ⏎ ".join(lines),
                "reconstruction (LaTeX)": rec["reconstruction"],
                "verdict": rec["verdict"],
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the 61-units reading
#: How each published column's sample is formed, as the paper's prose describes it:
#: "full" every unit-year; "lose_first_year" a lag or a difference; "drop_year" the prose's
#: 2013-2022 sample; "industry_groups" whole industries (Tables 7-8 split industries);
#: "unit_groups" a split of units (Table 9); "variable" the N of a variable with missing values;
#: "data_dependent" a rule whose N depends on the data (outliers, matching).
SAMPLE_RULES: dict[tuple[int, int], str] = {
    **{(3, c): "full" for c in range(1, 9)},
    (4, 1): "lose_first_year",  # IV1 is AIE lagged one year
    **{(4, c): "full" for c in (2, 3, 4)},
    (4, 5): "lose_first_year",  # first differences
    **{(5, c): "full" for c in (1, 2, 3, 4)},
    (5, 5): "drop_year",
    (5, 6): "data_dependent",
    (5, 7): "data_dependent",
    (6, 1): "variable",  # FSIE: N 23,485 in Table 2
    (6, 2): "full",  # forward ITSE, eq. (14): from the synergy matrix, not from ITSE's inputs
    (6, 3): "full",
    **{(7, c): "industry_groups" for c in range(1, 5)},
    **{(8, c): "industry_groups" for c in range(1, 4)},
    **{(9, c): "unit_groups" for c in range(1, 5)},
    (10, 1): "lose_first_year",  # LCV: undefined in the base year
    (10, 2): "lose_first_year",
    (10, 3): "full",  # WCV: built from same-year inputs
    (10, 4): "full",
}


def _predict(rule: str, n: int, outcome: str, design: tuple[int, int, int], t2n: pd.Series) -> tuple[str, str]:
    """The N the reading predicts for one column, and whether the printed N is explained."""
    n_ind, n_years, per = design
    cell = per * n_years  # one industry over all years
    full = n_ind * cell
    if rule == "full":
        return f"{full:,} = {n_ind} × {per} × {n_years}", "explained" if n == full else "unexplained"
    if rule in ("lose_first_year", "drop_year"):
        pred = n_ind * per * (n_years - 1)
        return f"{pred:,} = {n_ind} × {per} × {n_years - 1}", "explained" if n == pred else "unexplained"
    if rule == "variable":
        pred = int(t2n[outcome]) if outcome in t2n.index else full
        return f"{pred:,} (Table 2 N of {outcome})", "explained" if n == pred else "unexplained"
    if rule == "industry_groups":
        k, rem = divmod(n, cell)
        if rem == 0:
            return f"{n:,} = {k} industries × {per} × {n_years}", "explained"
        return f"a multiple of {cell:,} ({per} × {n_years})", "unexplained"
    if rule == "unit_groups":
        units, rem = divmod(n, n_years)
        if n >= full:
            return f"below {full:,} (a split)", "unexplained"
        if rem == 0:
            return f"{n:,} = {units:,} units × {n_years}", "explained"
        return f"a multiple of {n_years}", "unexplained"
    return "depends on the data", "not a design N"


def _design_tuple(design: dict | None, table2: pd.DataFrame) -> tuple[int, int, int]:
    from aichain_utils.inputs.published import load_design

    d = load_design() if design is None else design
    n_ind = int(d["n_industries"])
    n_years = int(d["last_year"]) - int(d["first_year"]) + 1
    full = int(table2["n"].max())
    return n_ind, n_years, full // (n_ind * n_years)


def sample_size_reading(
    cells: pd.DataFrame | None = None, table2: pd.DataFrame | None = None, design: dict | None = None
) -> pd.DataFrame:
    """Every published column's N against the reading "a unit is one of 61 nodes of an industry".

    The full sample divided by industries and years gives the units per industry (61 for the
    paper's 23,485 = 35 × 11 × 61). Each column's sample rule (:data:`SAMPLE_RULES`, from the
    paper's prose) then predicts an N.

    Returns
    -------
    DataFrame
        One row per column: table, column, outcome, sample rule, printed N, the N the reading
        predicts (as an expression) and ``status``: "explained", "unexplained" or "not a design N"
        (outlier removal and matching, whose N depends on the data).
    """
    from aichain_utils.inputs.published import load_regression_cells, load_table2

    cells = load_regression_cells() if cells is None else cells
    table2 = load_table2() if table2 is None else table2
    design_t = _design_tuple(design, table2)
    t2n = table2.set_index("symbol")["n"]
    rows = []
    for _, r in cells.iterrows():
        key = (int(r["table"]), int(r["column"]))
        rule = SAMPLE_RULES.get(key, "data_dependent")
        pred, status = _predict(rule, int(r["n"]), str(r["outcome"]), design_t, t2n)
        rows.append(
            {
                "table": key[0],
                "column": key[1],
                "outcome": r["outcome"],
                "sample rule": rule,
                "N printed": int(r["n"]),
                "N under the reading": pred,
                "status": status,
            }
        )
    return pd.DataFrame(rows)


def sample_size_evidence(
    cells: pd.DataFrame | None = None, table2: pd.DataFrame | None = None, design: dict | None = None
) -> pd.DataFrame:
    """The evidence for and against the reading, side by side: one row per piece of evidence.

    Built from :func:`sample_size_reading`: a column whose N the reading explains beyond the full
    sample is evidence for it, an unexplained column is evidence against it.
    """
    from aichain_utils.inputs.published import load_table2

    table2 = load_table2() if table2 is None else table2
    n_ind, n_years, per = _design_tuple(design, table2)
    full = int(table2["n"].max())
    rows = []
    if full == n_ind * n_years * per:
        rows.append(("for", "Table 2", f"N {full:,} = {n_ind} industries × {n_years} years × {per} units: whole units"))
    reading = sample_size_reading(cells, table2, design)
    for _, r in reading.iterrows():
        if r["status"] == "not a design N" or (r["sample rule"] == "full" and r["status"] == "explained"):
            continue
        side = "for" if r["status"] == "explained" else "against"
        rule = r["sample rule"].replace("_", " ")
        what = f"N {r['N printed']:,} ({rule}); the reading gives {r['N under the reading']}"
        rows.append((side, f"Table {r['table']} ({r['column']})", what))
    frame = pd.DataFrame(rows, columns=["side", "where", "evidence"])
    return frame.sort_values("side", kind="stable", key=lambda s: s.map({"for": 0, "against": 1})).reset_index(
        drop=True
    )
