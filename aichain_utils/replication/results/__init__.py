"""One results object per table or analysis of the book: what each page shows and cites.

Each function takes the analysis panel and returns a :class:`aichain_utils.replication.numbers.Results`
whose :meth:`numbers` hold every number, published number, verdict word and computed sentence of its page,
under the keys the prose cites. The modules are named after the chapters that read them.
"""

from aichain_utils.replication.results.audit import AuditResults as AuditResults
from aichain_utils.replication.results.audit import consistency_audit as consistency_audit
from aichain_utils.replication.results.baseline import Table3 as Table3
from aichain_utils.replication.results.baseline import table3 as table3
from aichain_utils.replication.results.conventions import inference_conventions
from aichain_utils.replication.results.endogeneity import Table4 as Table4
from aichain_utils.replication.results.endogeneity import Table5 as Table5
from aichain_utils.replication.results.endogeneity import table4 as table4
from aichain_utils.replication.results.endogeneity import table5 as table5
from aichain_utils.replication.results.endogeneity import tables4_5_partial as tables4_5_partial
from aichain_utils.replication.results.framework import model_framework
from aichain_utils.replication.results.glance import Glance as Glance
from aichain_utils.replication.results.glance import at_a_glance as at_a_glance
from aichain_utils.replication.results.heterogeneity import heterogeneity_partial as heterogeneity_partial
from aichain_utils.replication.results.heterogeneity import heterogeneity_tables as heterogeneity_tables
from aichain_utils.replication.results.heterogeneity import heterogeneity_truth as heterogeneity_truth
from aichain_utils.replication.results.measurement import measures, table1, table2
from aichain_utils.replication.results.mechanisms import Table6 as Table6
from aichain_utils.replication.results.mechanisms import table6 as table6
from aichain_utils.replication.results.mechanisms import table6_partial as table6_partial
from aichain_utils.replication.results.robustness import causal_mediation as causal_mediation
from aichain_utils.replication.results.robustness import fragility as fragility
from aichain_utils.replication.results.robustness import multiple_tests as multiple_tests
from aichain_utils.replication.results.robustness import robustness_inputs as robustness_inputs
from aichain_utils.replication.results.robustness import sensitivity as sensitivity
from aichain_utils.replication.results.robustness import specification_curve as specification_curve
from aichain_utils.replication.results.robustness import twfe_weights as twfe_weights
from aichain_utils.replication.results.simulated_world import SimulatedWorld as SimulatedWorld
from aichain_utils.replication.results.simulated_world import simulated_dgp as simulated_dgp
from aichain_utils.replication.results.simulation_lab import SimulationLab as SimulationLab
from aichain_utils.replication.results.simulation_lab import monte_carlo_lab as monte_carlo_lab
from aichain_utils.replication.results.validation import Validation as Validation
from aichain_utils.replication.results.validation import estimator_validation as estimator_validation
from aichain_utils.replication.results.value_extension import table10 as table10
from aichain_utils.replication.results.value_extension import value_extension_partial as value_extension_partial
from aichain_utils.replication.results.your_data import data_checks

__all__ = ["data_checks", "inference_conventions", "measures", "model_framework", "table1", "table2"]
