"""One results object per table or analysis of the book: what each page shows and cites.

Each function takes the analysis panel and returns a :class:`aichain_utils.replication.numbers.Results`
whose :meth:`numbers` hold every number, published number, verdict word and computed sentence of its page,
under the keys the prose cites. The modules are named after the chapters that read them.
"""
