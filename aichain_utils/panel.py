"""Raw inputs -> analysis panel: validation, index construction, and the data source switch.

One code path serves both data sources:

* **simulated** (default): :func:`aichain_utils.simulate.simulate_panel` writes raw inputs;
* **licensed**: a user who has the paper's data sets the environment variable
  ``AICHAIN_DATA`` to one CSV or Parquet file of raw inputs with the columns of
  :data:`RAW_COLUMNS`; :func:`read_raw_file` validates it (the file is only read, never
  written).

:func:`build_analysis_panel` then computes every regression variable from the raw
inputs with the functions of :mod:`aichain_utils.indices`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from aichain_utils import indices
from aichain_utils.simulate import AIE_INDICATOR_COLUMNS, ALT_INDICATOR_COLUMNS, load_params, simulate_panel

__all__ = [
    "ENV_VAR",
    "FIRST_YEAR",
    "LAST_YEAR",
    "RAW_COLUMNS",
    "AnalysisPanel",
    "DataSource",
    "RawDataError",
    "alternative_aie",
    "build_analysis_panel",
    "data_source",
    "load_analysis_panel",
    "read_raw_file",
    "validate_raw",
]

ENV_VAR = "AICHAIN_DATA"
FIRST_YEAR, LAST_YEAR = 2013, 2023  # the paper's sample period
DEVELOPED_SHARE = 0.30  # Table 9: factor-market-developed = top 30% of the factor-market index

INDUSTRY_TYPES = ["labour", "capital", "technology", "unclassified"]
CHAIN_POSITIONS = ["front", "middle", "back", "unclassified"]
TECH_LEVELS = ["high", "low"]

_POSITIVE = [
    "rd_cost", "iceberg_cost", "data_density", "circulation_rate", "crossborder_synergy",
    "theta_front", "theta_back", "ups_m", "ups_i", "spillover", "robots", "rd_efficiency",
    "y_front", "y_inter", "y_back", "y_final", "synergy_coef", "interaction_cost",
    "value_efficacy", "output", "post_offices_1984", "broadband_ports", "fixed_phones", "cable_density",
]  # fmt: skip
_NONNEGATIVE = ["stuck_nodes", "synergy_out", "synergy_in", "imports", "exports", "ai_papers", "lpi"]
_OTHER_NUMERIC = ["factor_market_index", "output_elasticity", "loss_coef", "freedom_index"]
_NULLABLE = ["key_input"]  # ITSE's input; missing rows give missing ITSE (Table 2: N 22,608)

#: Every column the raw-input file must have, in order.
RAW_COLUMNS: list[str] = (
    ["unit_id", "industry_id", "province_id", "year", "industry_type", "chain_position", "tech_level"]
    + ["factor_market_index"]
    + AIE_INDICATOR_COLUMNS
    + ALT_INDICATOR_COLUMNS
    + _POSITIVE
    + _NONNEGATIVE
    + [c for c in _OTHER_NUMERIC if c != "factor_market_index"]
    + _NULLABLE
)


class RawDataError(ValueError):
    """The raw-input file breaks a rule; the message names the column, the rule and rows."""


def _numeric_checks(col: str) -> list[pa.Check]:
    if col in _POSITIVE:
        return [pa.Check.gt(0, error="must be > 0")]
    if col in _NONNEGATIVE or col in AIE_INDICATOR_COLUMNS or col in ALT_INDICATOR_COLUMNS:
        return [pa.Check.ge(0, error="must be >= 0")]
    return []


def _finite(series: pd.Series) -> pd.Series:
    return series.isna() | np.isfinite(series.astype(float))


def _raw_schema() -> pa.DataFrameSchema:
    columns = {
        "unit_id": pa.Column(int, pa.Check.gt(0, error="must be a positive integer id")),
        "industry_id": pa.Column(int, pa.Check.gt(0, error="must be a positive integer id")),
        "province_id": pa.Column(int, pa.Check.gt(0, error="must be a positive integer id")),
        "year": pa.Column(
            int,
            pa.Check.in_range(FIRST_YEAR, LAST_YEAR, error=f"must be a year in {FIRST_YEAR}-{LAST_YEAR}"),
        ),
        "industry_type": pa.Column(str, pa.Check.isin(INDUSTRY_TYPES, error=f"must be one of {INDUSTRY_TYPES}")),
        "chain_position": pa.Column(str, pa.Check.isin(CHAIN_POSITIONS, error=f"must be one of {CHAIN_POSITIONS}")),
        "tech_level": pa.Column(str, pa.Check.isin(TECH_LEVELS, error=f"must be one of {TECH_LEVELS}")),
    }
    for col in RAW_COLUMNS[7:]:
        checks = [
            *_numeric_checks(col),
            pa.Check(_finite, element_wise=False, error="must be finite (no inf)"),
        ]
        columns[col] = pa.Column(float, checks, nullable=col in _NULLABLE)
    return pa.DataFrameSchema(
        columns,
        strict=False,
        coerce=False,
    )


def _rows(index, limit: int = 5) -> list:
    return list(index[:limit])


def validate_raw(raw: pd.DataFrame, source: str = "raw data") -> pd.DataFrame:
    """Validate a raw-input table and return a typed copy (the input is not modified).

    Rules: every column of :data:`RAW_COLUMNS` present; ids and year integer; year in
    2013-2023; group labels from the allowed sets; numeric columns numeric, finite and
    non-missing (only ``key_input`` may be missing); positivity where a formula divides or
    takes logs; unique (unit_id, year); each unit in one industry and one province.

    Raises
    ------
    RawDataError
        Naming the column, the rule and up to five offending rows (0-based positions).
    """
    if raw.shape[0] == 0:
        raise RawDataError(f"{source}: the table has no rows")
    missing = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing:
        hint = ""
        if any(any("\u4e00" <= ch <= "\u9fff" for ch in str(c)) for c in raw.columns):
            hint = " The file has Chinese column headers; rename them to the English names listed."
        raise RawDataError(
            f"{source}: missing required column(s) {missing[:10]}{' ...' if len(missing) > 10 else ''} "
            f"({len(missing)} of {len(RAW_COLUMNS)} missing).{hint}"
        )
    data = raw[RAW_COLUMNS].copy().reset_index(drop=True)
    problems: list[str] = []
    # types first: text in a numeric column, non-integer ids
    for col in RAW_COLUMNS:
        s = data[col]
        if col in ("industry_type", "chain_position", "tech_level"):
            bad = s.isna()
            if bad.any():
                problems.append(f"column '{col}' must not be empty; rows {_rows(data.index[bad])}")
            data[col] = s.astype(str).str.strip()
            continue
        num = pd.to_numeric(s, errors="coerce")
        text = s.notna() & num.isna()
        if text.any():
            problems.append(
                f"column '{col}' must be numeric; rows {_rows(data.index[text])} hold "
                f"{[str(v) for v in s[text].head(5)]}"
            )
            continue
        if col in ("unit_id", "industry_id", "province_id", "year"):
            frac = num.notna() & (num != np.round(num))
            nan = num.isna()
            if nan.any():
                problems.append(f"column '{col}' must not be empty; rows {_rows(data.index[nan])}")
                continue
            if frac.any():
                problems.append(
                    f"column '{col}' must hold integers; rows {_rows(data.index[frac])} hold "
                    f"{num[frac].head(5).tolist()}"
                )
                continue
            data[col] = num.astype("int64")
        else:
            nan = num.isna()
            if nan.any() and col not in _NULLABLE:
                problems.append(f"column '{col}' must not be missing (NaN); rows {_rows(data.index[nan])}")
            data[col] = num.astype(float)
    if problems:
        raise RawDataError(f"{source} breaks {len(problems)} rule(s):\n  " + "\n  ".join(problems))
    dup = data.duplicated(["unit_id", "year"], keep=False)
    if dup.any():
        first = data.loc[dup, ["unit_id", "year"]].iloc[0]
        raise RawDataError(
            f"{source}: columns 'unit_id, year' must identify rows uniquely; rows {_rows(data.index[dup])} "
            f"repeat keys such as (unit_id, year) = ({first['unit_id']}, {first['year']})"
        )
    try:
        _raw_schema().validate(data, lazy=True)
    except SchemaErrors as exc:
        lines = []
        cases = exc.failure_cases
        for (column, check), grp in cases.groupby(["column", "check"], dropna=False, sort=False):
            idx = [int(i) for i in grp["index"].dropna().head(5)]
            vals = grp["failure_case"].head(5).tolist()
            col_label = column if column == column else "unit_id, year"
            lines.append(f"column '{col_label}' {check}: rows {idx} hold {vals}")
        raise RawDataError(f"{source} breaks {len(lines)} rule(s):\n  " + "\n  ".join(lines)) from None
    for col in ("industry_id", "province_id"):
        n_vals = data.groupby("unit_id")[col].nunique()
        bad_units = n_vals.index[n_vals > 1]
        if len(bad_units):
            rows = data.index[data["unit_id"].isin(bad_units)]
            raise RawDataError(
                f"{source}: column '{col}' must be constant within a unit; units {list(bad_units[:5])} "
                f"change it (rows {_rows(rows)})"
            )
    return data


def read_raw_file(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read and validate a licensed raw-input file (CSV or Parquet). The file is only read.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (comma-separated, UTF-8 unless ``encoding`` says otherwise) or ``.parquet``.
    encoding : str, optional
        Text encoding of a CSV, e.g. ``"gbk"`` for files saved by Chinese-locale Excel.

    Raises
    ------
    RawDataError
        For a missing or empty file, an undecodable encoding, a wrong delimiter, or any
        rule of :func:`validate_raw`.
    """
    path = Path(path)
    if not path.is_file():
        raise RawDataError(f"{path}: no such file (set {ENV_VAR} to the raw-input CSV or Parquet file)")
    if path.stat().st_size == 0:
        raise RawDataError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix in (".csv", ".txt"):
        raw_bytes = path.read_bytes()
        enc = encoding or "utf-8-sig"
        try:
            text_head = raw_bytes[:65536].decode(enc) if encoding else raw_bytes.decode(enc)
        except UnicodeDecodeError as exc:
            hint = ""
            try:
                raw_bytes.decode("gbk")
                hint = " It decodes as GBK (common for files saved by Chinese-locale Excel): pass encoding='gbk'."
            except UnicodeDecodeError:
                pass
            raise RawDataError(f"{path}: not valid {enc} text (byte {exc.start}).{hint}") from None
        header = text_head.splitlines()[0] if text_head.strip() else ""
        if not header:
            raise RawDataError(f"{path}: the file has no header row")
        if "," not in header:
            for sep, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
                if sep in header:
                    raise RawDataError(
                        f"{path}: the header is separated by {name}s, not commas; save the file as comma-separated CSV"
                    )
        try:
            frame = pd.read_csv(path, encoding=enc, low_memory=False)
        except pd.errors.EmptyDataError:
            raise RawDataError(f"{path}: the file has no data") from None
    else:
        raise RawDataError(f"{path}: unsupported file type '{suffix}'; use .csv or .parquet")
    return validate_raw(frame, source=str(path))


# --------------------------------------------------------------------------- data source
@dataclass(frozen=True)
class DataSource:
    """Which data the book is built from."""

    kind: str  # "simulated" or "licensed"
    path: Path | None
    label: str
    fingerprint: str

    @property
    def is_simulated(self) -> bool:
        return self.kind == "simulated"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_source() -> DataSource:
    """The data source in force: ``AICHAIN_DATA`` if set, else the simulated panel."""
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        path = Path(value).expanduser().resolve()
        digest = _sha256(path)[:12] if path.is_file() else "missing"
        return DataSource("licensed", path, f"licensed data file {path.name} (sha256 {digest})", digest)
    params = load_params()
    from aichain_utils.simulate import default_params_path

    digest = _sha256(default_params_path())[:12]
    label = f"the simulated panel (data/simulation/params.yml, seed {params['seed']}, sha256 {digest})"
    return DataSource("simulated", None, label, digest)


# --------------------------------------------------------------------------- alternative AIE
#: Table 5 column (1): the five dimensions of the alternative AIE index.
ALT_DIMENSIONS = ["数智创新资源", "数智知识创造", "数智企业创新", "数智创新绩效", "数智创新环境"]


def alternative_aie(indicators: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Alternative AIE of Table 5 column (1): five dimensions, summed.

    The paper names the five dimensions (digital-intelligence innovation resources,
    knowledge creation, enterprise innovation, innovation performance, innovation
    environment) but not their indicators or aggregation. Reading: two indicators per
    dimension (columns ``alt_1a, alt_1b, ..., alt_5b``), an entropy-weighted score in
    [0, 1] within each dimension, and the index as the **sum** of the five dimension
    scores (range 0-5). A sum rather than a weighted mean is what makes the published
    coefficient (0.095) an order of magnitude below the AIE coefficient possible.

    Returns
    -------
    index : Series
    weights : Series
        Within-dimension entropy weights of the ten indicators.
    """
    total = pd.Series(0.0, index=indicators.index)
    weights = []
    for k in range(1, 6):
        cols = [f"alt_{k}a", f"alt_{k}b"]
        score, w = indices.entropy_index(indicators[cols], ["+", "+"])
        total = total + score
        weights.append(w)
    return total, pd.concat(weights)


# --------------------------------------------------------------------------- analysis panel
@dataclass
class AnalysisPanel:
    """The regression-ready panel and what went into it.

    Attributes
    ----------
    data : DataFrame
        One row per unit-year with every variable of the paper's tables.
    aie_weights, alt_weights : Series
        Weights used for AIE (24) and the alternative AIE (10).
    source : DataSource
        Where the raw inputs came from.
    notes : list of str
        What the builder did that a reader should know (e.g. rows with missing ITSE).
    """

    data: pd.DataFrame
    aie_weights: pd.Series
    alt_weights: pd.Series
    source: DataSource | None = None
    notes: list[str] = field(default_factory=list)


def build_analysis_panel(
    raw: pd.DataFrame,
    aie_weights: str | np.ndarray = "entropy",
    source: DataSource | None = None,
) -> AnalysisPanel:
    """Compute every regression variable from validated raw inputs.

    Parameters
    ----------
    raw : DataFrame
        Raw inputs with the columns of :data:`RAW_COLUMNS` (validated again here).
    aie_weights : "entropy", "published" or array of 24 weights
        ``"entropy"`` computes entropy weights from the data (the paper's method);
        ``"published"`` uses the Table 1 weights from ``data/published/``.
    source : DataSource, optional
        Recorded in the result.

    Returns
    -------
    AnalysisPanel
        No row is dropped: variables that are undefined for a row (ITSE where its input is
        missing, LCV in a unit's base year, IV1 in the first year) are NaN, and ``notes``
        says how many.
    """
    data = validate_raw(raw).sort_values(["unit_id", "year"]).reset_index(drop=True)
    out = data[
        ["unit_id", "industry_id", "province_id", "year", "industry_type", "chain_position", "tech_level"]
    ].copy()

    # AIE (Table 1) and the alternative index (Table 5 col 1)
    if isinstance(aie_weights, str) and aie_weights == "published":
        from aichain_utils.published import load_table1

        t1 = load_table1()
        weights = t1["weight"].to_numpy()
        signs = t1["sign"].tolist()
    elif isinstance(aie_weights, str) and aie_weights == "entropy":
        weights, signs = None, ["+"] * 24
    else:
        weights, signs = np.asarray(aie_weights, dtype=float), ["+"] * 24
    out["AIE"], w_aie = indices.entropy_index(data[AIE_INDICATOR_COLUMNS], signs, weights)
    out["AIE_alt"], w_alt = alternative_aie(data[ALT_INDICATOR_COLUMNS])

    # ERL, equations (6)-(9)
    common = {
        "rd_cost": data["rd_cost"],
        "iceberg_cost": data["iceberg_cost"],
        "ups_m": data["ups_m"],
        "ups_i": data["ups_i"],
    }
    out["ELRI_front"] = indices.elri_front(
        data["robots"], data["data_density"], theta_front=data["theta_front"], **common
    )
    out["ELRI_inter"] = indices.elri_inter(
        data["rd_efficiency"], data["circulation_rate"], data["crossborder_synergy"], **common
    )
    out["ELRI_back"] = indices.elri_back(
        data["stuck_nodes"], data["spillover"], theta_back=data["theta_back"], **common
    )
    out["ERL"] = indices.erl(out["ELRI_front"], out["ELRI_inter"], out["ELRI_back"])

    # FSIE, equations (10)-(11)
    group = [data["industry_id"], data["year"]]
    front_total = data["y_front"].groupby(group).transform("sum")
    final_total = data["y_final"].groupby(group).transform("sum")
    for seg in ("front", "inter", "back"):
        out[f"IA_{seg}"] = indices.agglomeration_index(
            data["ups_m"], data[f"y_{seg}"], data["y_final"], front_total, final_total
        )
    out["FSIE"] = indices.fsie(out["IA_front"], out["IA_inter"], out["IA_back"])

    # ITSE, equations (12)-(15)
    for seg in ("front", "inter", "back"):
        out[f"NSC_{seg}"] = indices.nsc(
            data["ups_i"], data["synergy_coef"], data[f"y_{seg}"], data["y_final"], data["interaction_cost"]
        )
    out["ITSE"] = indices.itse(
        data["key_input"],
        data["output_elasticity"],
        data["loss_coef"],
        out["NSC_front"],
        out["NSC_inter"],
        out["NSC_back"],
    )
    out["ITSE_forward"], out["ITSE_backward"] = indices.itse_forward_backward_shares(
        data["synergy_out"], data["synergy_in"], data["synergy_coef"], group
    )

    # controls (section 四.2(4))
    out["lngdp"] = np.log(data["output"])
    out["imp"] = 100.0 * data["imports"] / data["output"]
    out["exp"] = 100.0 * data["exports"] / data["output"]
    out["inst"] = data["freedom_index"]
    out["tra"] = data["lpi"]

    # instruments (section 五.2)
    prev_year = out.groupby("unit_id")["year"].shift(1)
    lag = out.groupby("unit_id")["AIE"].shift(1)
    out["IV1"] = lag.where(prev_year == out["year"] - 1)
    out["IV2"] = np.log1p(data["ai_papers"])
    out["IV3"] = np.log(data["post_offices_1984"] * data["broadband_ports"])
    out["IV4"] = np.log(data["fixed_phones"] * data["cable_density"])

    # value extension, equations (16)-(18)
    vce = indices.value_conversion_efficiency(
        data["value_efficacy"], data["crossborder_synergy"], data["rd_cost"], data["iceberg_cost"]
    )
    out["VCE"] = vce
    out["LCV"] = indices.lcv(vce, data["unit_id"], data["year"])
    out["WCV"] = indices.wcv(
        data["value_efficacy"], data["synergy_coef"], data["y_front"], data["y_final"], data["robots"]
    )

    # groups of Tables 7-9
    fm = data.groupby("province_id")["factor_market_index"].mean()
    n_dev = int(np.floor(DEVELOPED_SHARE * len(fm)))
    developed = set(fm.sort_values(ascending=False).index[:n_dev])
    out["region"] = np.where(data["province_id"].isin(developed), "developed", "other")

    notes = [
        f"ITSE is missing in {int(out['ITSE'].isna().sum()):,} rows (its input key_input is missing).",
        f"LCV is undefined in each unit's base year: {int(out['LCV'].isna().sum()):,} rows.",
        f"IV1 (lagged AIE) is undefined in each unit's first year: {int(out['IV1'].isna().sum()):,} rows.",
        f"Factor-market-developed region: the top {n_dev} of {len(fm)} provinces by mean factor-market index.",
    ]
    return AnalysisPanel(out, w_aie, w_alt, source, notes)


def load_analysis_panel(aie_weights: str | np.ndarray = "entropy") -> AnalysisPanel:
    """The analysis panel of the data source in force (see :func:`data_source`)."""
    source = data_source()
    if source.is_simulated:
        raw = simulate_panel().raw
    else:
        raw = read_raw_file(source.path)
    return build_analysis_panel(raw, aie_weights=aie_weights, source=source)
