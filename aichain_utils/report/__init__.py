"""How results are shown: the numbered tables, the display helpers and the headline sentences.
Independent of :mod:`aichain_utils.robustness`; imports the layers below (inputs and lower)."""
