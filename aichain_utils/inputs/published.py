"""The paper's published numbers (Tables 1-10 of Pang, Jiao & Li) as tidy DataFrames.

The CSV files in ``data/published/`` are a faithful transcription of the paper
(Pang, Jiao & Li), made twice independently and reconciled (see ``data/published/README.md``).
Nothing in them is corrected: a cell that is odd as printed is kept as printed
and explained in its ``note`` column.

Every loader validates its file against a pandera schema, so a damaged or
hand-edited file fails loudly, naming the column, the rule and the rows.

Besides the values, each loader reports how many decimals the paper printed
(``*_dp`` columns): a coefficient printed as ``0.000`` is not the same
statement as one printed as ``0``, and the consistency audit needs to know.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from aichain_utils.paths import published_dir

__all__ = [
    "REGRESSION_TABLES",
    "TABLE_COLUMNS",
    "PublishedDataError",
    "load_design",
    "load_regression_cells",
    "load_table1",
    "load_table2",
    "load_tables_meta",
    "printed_decimals",
    "published_cell",
]

#: The regression tables of the paper and how many columns each prints.
TABLE_COLUMNS: dict[int, int] = {3: 8, 4: 5, 5: 7, 6: 3, 7: 4, 8: 3, 9: 4, 10: 4}
REGRESSION_TABLES: tuple[int, ...] = tuple(TABLE_COLUMNS)

_YES_NO = ["yes", "no"]
_STARS = ["", "*", "**", "***"]
_OUTCOMES = [
    "ERL",
    "ELRI_front",
    "ELRI_inter",
    "ELRI_back",
    "FSIE",
    "ITSE_forward",
    "ITSE_backward",
    "LCV",
    "WCV",
]


class PublishedDataError(ValueError):
    """A file in ``data/published/`` does not satisfy its schema."""


def printed_decimals(text: str) -> int | None:
    """Number of decimals a number was printed with.

    Parameters
    ----------
    text : str
        The number as printed, e.g. ``"0.130"``, ``"23485"``, ``"-2.794"``.

    Returns
    -------
    int or None
        Digits after the decimal point; ``0`` for an integer; ``None`` for an
        empty cell.

    Examples
    --------
    >>> printed_decimals("0.130"), printed_decimals("23485"), printed_decimals("")
    (3, 0, None)
    """
    text = text.strip()
    if text == "":
        return None
    if "." not in text:
        return 0
    return len(text.split(".", 1)[1])


def _read_raw(name: str, directory: Path | None) -> pd.DataFrame:
    path = (directory or published_dir()) / name
    if not path.is_file():
        raise PublishedDataError(f"{path} is missing: data/published/ must hold {name}.")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _add_decimals(raw: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = raw.copy()
    for col in columns:
        out[f"{col}_dp"] = pd.array([printed_decimals(v) for v in raw[col]], dtype="Int64")
    return out


def _to_numeric(frame: pd.DataFrame, columns: list[str], name: str) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        values = pd.to_numeric(out[col].replace("", np.nan), errors="coerce")
        bad = out[col].ne("") & values.isna()
        if bad.any():
            rows = out.index[bad][:5].tolist()
            raise PublishedDataError(
                f"{name}: column '{col}' must be numeric; rows {rows} hold {out.loc[bad, col].head(5).tolist()}."
            )
        out[col] = values.astype(float)
    return out


def _validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, name: str) -> pd.DataFrame:
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        lines = []
        for (column, check), grp in cases.groupby(["column", "check"], dropna=False, sort=False):
            idx = grp["index"].dropna().head(5).tolist()
            vals = grp["failure_case"].head(5).tolist()
            lines.append(f"column '{column}' fails '{check}' at rows {idx}: {vals}")
        raise PublishedDataError(f"{name} does not satisfy its schema:\n  " + "\n  ".join(lines)) from None
    except SchemaError as exc:  # pragma: no cover - lazy=True reports SchemaErrors
        raise PublishedDataError(f"{name}: {exc}") from None


_TABLE1_SCHEMA = pa.DataFrameSchema(
    {
        "indicator_id": pa.Column(str, pa.Check.str_matches(r"^AIE\d{2}$"), unique=True),
        "position": pa.Column(int, pa.Check.in_range(1, 24), unique=True),
        "dimension_id": pa.Column(str, pa.Check.isin([f"D{i}" for i in range(1, 7)])),
        "dimension_zh": pa.Column(str, pa.Check.str_length(min_value=1)),
        "dimension_en": pa.Column(str, pa.Check.str_length(min_value=1)),
        "indicator_zh": pa.Column(str, pa.Check.str_length(min_value=1), unique=True),
        "indicator_en": pa.Column(str, pa.Check.str_length(min_value=1), unique=True),
        "unit_zh": pa.Column(str, pa.Check.str_length(min_value=1)),
        "unit_en": pa.Column(str, pa.Check.str_length(min_value=1)),
        "weight": pa.Column(float, pa.Check.in_range(0.0, 1.0, include_min=False)),
        "sign": pa.Column(str, pa.Check.isin(["+", "-"])),
        "note": pa.Column(str),
        "weight_dp": pa.Column("Int64"),
    },
    strict=True,
    ordered=False,
)

_TABLE2_SCHEMA = pa.DataFrameSchema(
    {
        "symbol": pa.Column(
            str,
            pa.Check.isin(["ERL", "AIE", "FSIE", "ITSE", "lngdp", "imp", "exp", "inst", "tra"]),
            unique=True,
        ),
        "name_zh": pa.Column(str, pa.Check.str_length(min_value=1)),
        "name_en": pa.Column(str, pa.Check.str_length(min_value=1)),
        "role_zh": pa.Column(str, pa.Check.isin(["被解释变量", "解释变量", "中介变量", "控制变量"])),
        "role": pa.Column(str, pa.Check.isin(["outcome", "regressor", "mediator", "control"])),
        "n": pa.Column(int, pa.Check.gt(0)),
        "mean": pa.Column(float),
        "sd": pa.Column(float, pa.Check.ge(0)),
        "min": pa.Column(float),
        "max": pa.Column(float),
        "note": pa.Column(str),
        **{f"{c}_dp": pa.Column("Int64") for c in ["mean", "sd", "min", "max"]},
    },
    strict=True,
    ordered=False,
)

_CELLS_SCHEMA = pa.DataFrameSchema(
    {
        "table": pa.Column(int, pa.Check.isin(list(REGRESSION_TABLES))),
        "column": pa.Column(int, pa.Check.in_range(1, 8)),
        "column_label_zh": pa.Column(str, pa.Check.str_length(min_value=1)),
        "column_label_en": pa.Column(str, pa.Check.str_length(min_value=1)),
        "method_zh": pa.Column(str),
        "outcome": pa.Column(str, pa.Check.isin(_OUTCOMES)),
        "regressor": pa.Column(str, pa.Check.str_startswith("AIE")),
        "coef": pa.Column(float, nullable=False),
        "se": pa.Column(float, pa.Check.ge(0), nullable=False),
        "stars": pa.Column(str, pa.Check.isin(_STARS)),
        "controls": pa.Column(str, pa.Check.isin(_YES_NO)),
        "fixed_effects": pa.Column(str, pa.Check.isin(_YES_NO)),
        "n": pa.Column(int, pa.Check.gt(0)),
        "adj_r2": pa.Column(float, pa.Check.in_range(-1.0, 1.0)),
        "kp_lm": pa.Column(float, pa.Check.ge(0), nullable=True),
        "kp_lm_stars": pa.Column(str, pa.Check.isin(_STARS)),
        "kp_wald": pa.Column(float, pa.Check.ge(0), nullable=True),
        "kp_wald_stars": pa.Column(str, pa.Check.isin(_STARS)),
        "suest_p": pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=True),
        "suest_group": pa.Column(str, pa.Check.str_matches(r"^(\d(\|\d)+)?$")),
        "note": pa.Column(str),
        **{f"{c}_dp": pa.Column("Int64", nullable=True) for c in ["coef", "se", "adj_r2"]},
    },
    strict=True,
    ordered=False,
    unique=["table", "column"],
)

_META_SCHEMA = pa.DataFrameSchema(
    {
        "table": pa.Column(int, pa.Check.in_range(1, 10), unique=True),
        "title_zh": pa.Column(str, pa.Check.str_length(min_value=1)),
        "title_en": pa.Column(str, pa.Check.str_length(min_value=1)),
        "section": pa.Column(str, pa.Check.str_length(min_value=1)),
        "n_columns": pa.Column("Int64", nullable=True),
        "kind": pa.Column(str, pa.Check.isin(["indicators", "descriptives", "regression"])),
        "note": pa.Column(str),
    },
    strict=True,
    ordered=False,
)


def load_table1(directory: Path | None = None) -> pd.DataFrame:
    """Table 1: the AIE indicator system (人工智能嵌入程度的指标体系).

    Parameters
    ----------
    directory : Path, optional
        Folder holding ``table1_aie_indicators.csv``; defaults to ``data/published/``.

    Returns
    -------
    pandas.DataFrame
        One row per second-level indicator (24), in printed order, with its
        first-level dimension (6), Chinese and English names, unit, published
        weight (the paper does not say how it obtained the weights; entropy weighting
        is this book's reading) and sign (属性).
    """
    raw = _read_raw("table1_aie_indicators.csv", directory)
    frame = _add_decimals(raw, ["weight"])
    frame = _to_numeric(frame, ["position", "weight"], "table1_aie_indicators.csv")
    frame["position"] = frame["position"].astype(int)
    frame = _validate(frame, _TABLE1_SCHEMA, "table1_aie_indicators.csv")
    return frame.sort_values("position").reset_index(drop=True)


def load_table2(directory: Path | None = None) -> pd.DataFrame:
    """Table 2: descriptive statistics of the nine model variables (变量描述性统计).

    Returns
    -------
    pandas.DataFrame
        One row per variable: symbol, names, role, N, mean, SD, min, max as printed.
    """
    raw = _read_raw("table2_descriptives.csv", directory)
    frame = _add_decimals(raw, ["mean", "sd", "min", "max"])
    frame = _to_numeric(frame, ["n", "mean", "sd", "min", "max"], "table2_descriptives.csv")
    frame["n"] = frame["n"].astype(int)
    return _validate(frame, _TABLE2_SCHEMA, "table2_descriptives.csv").reset_index(drop=True)


def load_regression_cells(table: int | None = None, directory: Path | None = None) -> pd.DataFrame:
    """Every printed column of the regression Tables 3-10.

    Parameters
    ----------
    table : int, optional
        Return only this table (3-10). By default all tables.
    directory : Path, optional
        Folder holding ``regression_cells.csv``; defaults to ``data/published/``.

    Returns
    -------
    pandas.DataFrame
        One row per (table, column): label as printed, outcome, regressor,
        coefficient, standard error, stars, controls and fixed-effects flags,
        N, adjusted R², Kleibergen-Paap statistics (Table 4) and suest
        p-values (Tables 7-9), with the printed number of decimals.

    Raises
    ------
    PublishedDataError
        If the file breaks its schema or ``table`` is not a regression table.
    """
    if table is not None and table not in REGRESSION_TABLES:
        raise PublishedDataError(
            f"table={table!r} is not a regression table of the paper; choose one of {REGRESSION_TABLES}."
        )
    path = (directory or published_dir()) / "regression_cells.csv"
    stat = path.stat() if path.is_file() else None
    key = (str(path), stat.st_mtime_ns, stat.st_size) if stat else None
    frame = (_regression_cells_cached(directory, key) if key else _regression_cells(directory)).copy()
    if table is not None:
        frame = frame[frame["table"] == table].reset_index(drop=True)
    return frame


def _regression_cells(directory: Path | None) -> pd.DataFrame:
    """Read and validate ``regression_cells.csv`` (every table)."""
    raw = _read_raw("regression_cells.csv", directory)
    frame = _add_decimals(raw, ["coef", "se", "adj_r2"])
    numeric = ["table", "column", "coef", "se", "n", "adj_r2", "kp_lm", "kp_wald", "suest_p"]
    frame = _to_numeric(frame, numeric, "regression_cells.csv")
    for col in ["table", "column", "n"]:
        if frame[col].isna().any():
            rows = frame.index[frame[col].isna()][:5].tolist()
            raise PublishedDataError(f"regression_cells.csv: column '{col}' is empty in rows {rows}.")
        frame[col] = frame[col].astype(int)
    frame = _validate(frame, _CELLS_SCHEMA, "regression_cells.csv")
    frame = frame.sort_values(["table", "column"]).reset_index(drop=True)
    return frame


@functools.lru_cache(maxsize=8)
def _regression_cells_cached(directory: Path | None, key: tuple) -> pd.DataFrame:
    """:func:`_regression_cells`, validated once per file version (``key``: path, modification time, size)."""
    return _regression_cells(directory)


def load_tables_meta(directory: Path | None = None) -> pd.DataFrame:
    """Titles (Chinese and English), sections and column counts of Tables 1-10."""
    raw = _read_raw("tables.csv", directory)
    frame = _to_numeric(raw, ["table", "n_columns"], "tables.csv")
    frame["table"] = frame["table"].astype(int)
    frame["n_columns"] = frame["n_columns"].astype("Int64")
    return _validate(frame, _META_SCHEMA, "tables.csv").reset_index(drop=True)


def published_cell(table: int, column: int, directory: Path | None = None) -> pd.Series:
    """One printed column of a regression table, e.g. ``published_cell(3, 6)``.

    Raises
    ------
    KeyError
        If the paper prints no such column.
    """
    cells = load_regression_cells(table, directory)
    hit = cells[cells["column"] == column]
    if hit.empty:
        raise KeyError(f"Table {table} has no column ({column}); printed columns are {cells['column'].tolist()}.")
    return hit.iloc[0]


def load_design(directory: Path | None = None) -> dict[str, str]:
    """The study design the paper states (35 industries, 2013-2023, star levels), as text values."""
    raw = _read_raw("design.csv", directory)
    required = {"n_industries", "first_year", "last_year", "significance_levels"}
    missing = required - set(raw["quantity"])
    if missing:
        raise PublishedDataError(f"design.csv: missing quantities {sorted(missing)}")
    return dict(zip(raw["quantity"], raw["value"], strict=True))
