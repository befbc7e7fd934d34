"""Write data/templates/: templates of both input levels (.csv, .xlsx), the data dictionary, examples.

Everything is generated from aichain_utils.inputs.schema and the simulated panel
(see :mod:`aichain_utils.inputs.templates`). Usage: ``python tools/write_templates.py``.
"""

from __future__ import annotations

from aichain_utils.inputs.templates import write_all

if __name__ == "__main__":
    for path in write_all():
        print(f"wrote {path}")
