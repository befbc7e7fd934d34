"""One results object per table or analysis of the book: what each page shows and cites.

Each function takes the analysis panel and returns a :class:`aichain_utils.replication.numbers.Results`
whose :meth:`numbers` hold every number, published number, verdict word and computed sentence of its page,
under the keys the prose cites. The modules are named after the chapters that read them.
"""

from aichain_utils.replication.results.conventions import inference_conventions
from aichain_utils.replication.results.framework import model_framework
from aichain_utils.replication.results.measurement import measures, table1, table2
from aichain_utils.replication.results.your_data import data_checks

__all__ = ["data_checks", "inference_conventions", "measures", "model_framework", "table1", "table2"]
