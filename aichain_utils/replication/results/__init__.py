"""One results object per table or analysis of the book: what each page shows and cites.

Each function takes the analysis panel and returns a :class:`aichain_utils.replication.numbers.Results`
whose :meth:`numbers` hold every number, published number, verdict word and computed sentence of its page,
under the keys the prose cites. The modules are named after the chapters that read them.
"""

# at_a_glance.md, chapters/audit.md, chapters/validation.md, chapters/simulation_lab.md, chapters/simulated_world.md
from aichain_utils.replication.results.audit import AuditResults, consistency_audit  # noqa: F401
from aichain_utils.replication.results.glance import Glance, at_a_glance  # noqa: F401
from aichain_utils.replication.results.simulated_world import SimulatedWorld, simulated_dgp  # noqa: F401
from aichain_utils.replication.results.simulation_lab import SimulationLab, monte_carlo_lab  # noqa: F401
from aichain_utils.replication.results.validation import Validation, estimator_validation  # noqa: F401
