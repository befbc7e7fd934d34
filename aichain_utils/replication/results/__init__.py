"""One results object per table or analysis of the book: what each page shows and cites.

Each function takes the analysis panel and returns a :class:`aichain_utils.replication.numbers.Results`
whose :meth:`numbers` hold every number, published number, verdict word and computed sentence of its page,
under the keys the prose cites. The modules are named after the chapters that read them.
"""

from aichain_utils.replication.results.heterogeneity import heterogeneity_partial as heterogeneity_partial
from aichain_utils.replication.results.heterogeneity import heterogeneity_tables as heterogeneity_tables
from aichain_utils.replication.results.heterogeneity import heterogeneity_truth as heterogeneity_truth
from aichain_utils.replication.results.robustness import causal_mediation as causal_mediation
from aichain_utils.replication.results.robustness import fragility as fragility
from aichain_utils.replication.results.robustness import multiple_tests as multiple_tests
from aichain_utils.replication.results.robustness import robustness_inputs as robustness_inputs
from aichain_utils.replication.results.robustness import sensitivity as sensitivity
from aichain_utils.replication.results.robustness import specification_curve as specification_curve
from aichain_utils.replication.results.robustness import twfe_weights as twfe_weights
from aichain_utils.replication.results.value_extension import table10 as table10
from aichain_utils.replication.results.value_extension import value_extension_partial as value_extension_partial
