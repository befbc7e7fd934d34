"""Reading and checking the data: the published tables, the readings of the paper's formulas, the
schemas, a user's file (reading, rules, report), the analysis panel and the templates."""
