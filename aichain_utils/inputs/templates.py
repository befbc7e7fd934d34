"""Templates, data dictionary and example files for a replicator, generated from the schemas.

:func:`write_all` writes ``data/templates/``: for each input level a ``.csv`` and an ``.xlsx``
template (the xlsx carries bilingual notes on every header cell and a notes sheet), the
machine-readable data dictionary of both levels, an example column map, and two example files
the "Run the book on your data" chapter checks (a Stata file of finished variables with
Stata-style names and a CSV with typical mistakes). Everything comes from
:mod:`aichain_utils.inputs.schema` and the simulated panel, so template, dictionary and validator
cannot disagree (``tests/test_data_input.py`` checks it). Run ``python tools/write_templates.py``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from aichain_utils.inputs import schema
from aichain_utils.paths import data_dir

__all__ = [
    "EXAMPLE_UNITS",
    "STATA_NAMES",
    "analysis_example",
    "raw_example",
    "templates_dir",
    "write_all",
]

#: Units of the examples: two in each of two industries of different types and chain positions.
EXAMPLE_UNITS = [123, 124, 489, 490]

#: Stata-style names of the example Stata file (recognised without a column map).
STATA_NAMES = {
    "unit_id": "id", "industry_id": "ind", "year": "year", "ERL": "erl", "AIE": "aie", "lngdp": "lngdp",
    "imp": "imp", "exp": "exp", "inst": "inst", "tra": "tra", "FSIE": "fsie", "ITSE": "itse",
    "ELRI_front": "erl_front", "ELRI_inter": "erl_inter", "ELRI_back": "erl_back", "LCV": "lcv", "WCV": "wcv",
    "industry_type": "ind_type", "chain_position": "position", "tech_level": "tech",
}  # fmt: skip
_STAMP = datetime(2025, 1, 1)


def templates_dir() -> Path:
    """``data/templates/``."""
    return data_dir() / "templates"


def _simulated():
    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    raw = simulate_panel().raw
    return raw, build_analysis_panel(raw).data


def raw_example(raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """The raw-input template's rows: the example units of the simulated raw panel."""
    raw = _simulated()[0] if raw is None else raw
    from aichain_utils.inputs.schema import RAW_COLUMNS

    return raw.loc[raw["unit_id"].isin(EXAMPLE_UNITS), RAW_COLUMNS].reset_index(drop=True)


def analysis_example(data: pd.DataFrame | None = None) -> pd.DataFrame:
    """The analysis-level template's rows: the finished variables of the example units."""
    data = _simulated()[1] if data is None else data
    names = [v.name for v in schema.ANALYSIS_VARIABLES if v.name in data.columns]
    out = data.loc[data["unit_id"].isin(EXAMPLE_UNITS), names].reset_index(drop=True)
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(6)
    return out


def _notes(v: schema.Variable) -> str:
    return f"{v.name} | {v.zh} | unit: {v.unit or '-'} | rule: {v.rule} | tables: {v.tables or '-'}"


def _write_xlsx(frame: pd.DataFrame, variables: list[schema.Variable], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if (isinstance(x, float) and np.isnan(x)) else (x.item() if hasattr(x, "item") else x)
                   for x in row])  # fmt: skip
    spec = {v.name: v for v in variables}
    for cell in ws[1]:
        v = spec.get(cell.value)
        if v is not None:
            cell.comment = Comment(_notes(v).replace(" | ", "\n"), "aichain", width=320, height=160)
    notes = wb.create_sheet("notes 说明")
    notes.append(["name", "中文名", "meaning", "unit", "required", "rule", "tables"])
    for v in variables:
        notes.append([v.name, v.zh, v.meaning, v.unit, "yes" if v.required else "no", v.rule, v.tables])
    wb.properties.created = wb.properties.modified = _STAMP
    wb.save(path)


def _broken_example(good: pd.DataFrame) -> pd.DataFrame:
    """The analysis example with typical spreadsheet mistakes (for the chapter's failing report)."""
    bad = good.astype(object).copy()
    bad.loc[3, "ERL"] = "#N/A"
    bad.loc[5, "AIE"] = "0,41"
    bad.loc[7, "lngdp"] = "1,234.5"
    bad.loc[8, "imp"] = "12%"
    bad = pd.concat([bad, bad.iloc[[10]]], ignore_index=True)  # a duplicated unit-year
    bad.loc[0, "industry_id"] = 99  # unit 1 in two industries
    return bad.rename(columns={"ERL": "erl_total", "AIE": "ai_embed"})


def write_all(folder: Path | None = None) -> list[Path]:
    """Write every file of ``data/templates/``; return their paths."""
    folder = folder or templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    raw_all, data_all = _simulated()
    raw, ana = raw_example(raw_all), analysis_example(data_all)
    raw_vars, ana_vars = list(schema.RAW_VARIABLES), schema.ANALYSIS_VARIABLES
    written = []
    for level, frame, variables in (("analysis", ana, ana_vars), ("raw", raw, raw_vars)):
        csv_path, xlsx_path = folder / f"{level}_template.csv", folder / f"{level}_template.xlsx"
        frame.to_csv(csv_path, index=False, lineterminator="\n")
        _write_xlsx(frame, variables, xlsx_path)
        written += [csv_path, xlsx_path]
    dictionary = pd.concat([schema.data_dictionary("analysis"), schema.data_dictionary("raw")], ignore_index=True)
    dict_path = folder / "data_dictionary.csv"
    dictionary.to_csv(dict_path, index=False, lineterminator="\n")
    written.append(dict_path)
    # the chapter's examples: Stata-style names, an unbalanced panel, some optional variables absent
    stata = ana[[c for c in STATA_NAMES if c in ana.columns]].rename(columns=STATA_NAMES)
    stata = stata.drop(index=[4, 5, 30]).reset_index(drop=True)  # gaps: two years of one unit, one of another
    for col in stata.select_dtypes(object).columns:
        stata[col] = stata[col].astype(str)
    dta = folder / "example_finished_stata.dta"
    stata.to_stata(dta, write_index=False, time_stamp=_STAMP, version=118)
    broken = folder / "example_with_mistakes.csv"
    _broken_example(ana).to_csv(broken, index=False, lineterminator="\n")
    cmap = folder / "column_map_example.yml"
    cmap.write_text(
        "# Column map for example_with_mistakes.csv: your file's column name on the left, the book's name\n"
        "# on the right. Use it with AICHAIN_COLUMNS=data/templates/column_map_example.yml\n"
        "erl_total: ERL\nai_embed: AIE\n",
        encoding="utf-8",
    )
    return [*written, dta, broken, cmap]
