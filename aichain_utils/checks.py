"""The rules a replicator's file is checked against, and the report ``make check-data`` prints.

Called by :func:`aichain_utils.datainput.check_file`; every rule adds a
:class:`~aichain_utils.datainput.Violation` to the report instead of stopping, so one run lists
every problem at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils import schema
from aichain_utils.datainput import (
    COLUMNS_VAR,
    CheckReport,
    Found,
    _match,
    detect_level,
    labels_for,
    parse_numbers,
    variables,
)
from aichain_utils.schema import FIRST_YEAR, LAST_YEAR, MAX_ABS, TABLE_NEEDS, Variable

__all__ = ["overflow_check", "panel_shape", "render_report", "run_check", "table_reasons", "validate_cells"]

#: Group labels of Tables 7-8 describe an industry: they may not change within one.
CONSTANT_WITHIN_INDUSTRY = ["industry_type", "chain_position"]


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask.index[mask.to_numpy()][:5]]


def _header_checks(header: list[str], report: CheckReport) -> None:
    seen: dict[str, list[int]] = {}
    for pos, name in enumerate(header):
        key = name.strip()
        if not key or key.lower() in ("nan", "none") or key.startswith("Unnamed"):
            report.add(f"column {pos + 1} has no header: name it or delete it", user_column=f"#{pos + 1}")
            continue
        seen.setdefault(key, []).append(pos + 1)
    for name, where in seen.items():
        if len(where) > 1:
            report.add(
                f"duplicated header: {len(where)} columns (positions {where}) are called '{name}'; "
                "rename or delete all but one (nothing is dropped for you)",
                user_column=name,
            )


def _parse_id(v: Variable, user: str, s: pd.Series, report: CheckReport, codes_ok: bool = True) -> pd.Series | None:
    values, kinds, empty = parse_numbers(s)
    if empty.any():
        report.add("must not be empty", v.name, user, _rows(empty), [""] * int(min(empty.sum(), 5)))
    codes = kinds.pop("text in a numeric column", None) if codes_ok else None
    for kind, rows in kinds.items():
        report.add(f"holds {kind}", v.name, user, rows, s[rows[:5]].tolist())
    if kinds or empty.any():
        return None
    if codes is not None:  # text codes such as "C13": numbered in sorted order, reported
        text = s.astype(str).str.strip()
        uniq = sorted(text.unique())
        report.notes.append(f"{v.name} ('{user}') holds text codes; numbered 1-{len(uniq)} in sorted order.")
        return text.map({c: i + 1 for i, c in enumerate(uniq)}).astype("int64")
    frac = values != np.round(values)
    if frac.any():
        report.add("must hold integers", v.name, user, _rows(frac), values[frac].head(5).tolist())
        return None
    return values.astype("int64")


def _parse_number(v: Variable, user: str, s: pd.Series, report: CheckReport) -> pd.Series | None:
    values, kinds, empty = parse_numbers(s)
    ok = True
    for kind, rows in kinds.items():
        report.add(f"must be numeric: holds {kind} (refused, not converted)", v.name, user, rows, s[rows[:5]].tolist())
        ok = False
    if empty.any() and not v.nullable:
        report.add("must not be empty (missing)", v.name, user, _rows(empty), [""] * int(min(empty.sum(), 5)))
        ok = False
    inf = np.isinf(values)
    if inf.any():
        report.add("must be finite (no inf)", v.name, user, _rows(inf), values[inf].head(5).tolist())
        ok = False
    huge = values.abs().gt(MAX_ABS) & ~inf
    if huge.any():
        report.add(
            f"|value| above {MAX_ABS:.0e} overflows the book's formulas; rescale the unit (e.g. to 10^4 yuan)",
            v.name, user, _rows(huge), values[huge].head(5).tolist(),
        )  # fmt: skip
        ok = False
    if v.lower is not None:
        low = values.le(v.lower) if v.strict else values.lt(v.lower)
        if low.any():
            op = ">" if v.strict else ">="
            report.add(f"must be {op} {v.lower:g}", v.name, user, _rows(low), values[low].head(5).tolist())
            ok = False
    return values if ok else None


def _parse_year(v: Variable, user: str, s: pd.Series, report: CheckReport) -> pd.Series | None:
    years = _parse_id(v, user, s, report, codes_ok=False)
    if years is None:
        return None
    outside = ~years.between(FIRST_YEAR, LAST_YEAR)
    if outside.any():
        report.add(
            f"years outside the paper's window {FIRST_YEAR}-{LAST_YEAR} (kept: the window is a choice)",
            v.name, user, _rows(outside), years[outside].head(5).tolist(), severity="warning",
        )  # fmt: skip
    return years


def _parse_label(v: Variable, user: str, s: pd.Series, report: CheckReport, level: str) -> pd.Series | None:
    spell = labels_for(v.name)
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    texts = ["" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x).strip() for x in uniques]
    canon_u = [spell.get(schema.normalise_name(t)) if t else None for t in texts]
    codes_s = pd.Series(codes, index=s.index)
    empty_codes = [i for i, t in enumerate(texts) if not t]
    empty = codes_s.lt(0) | codes_s.isin(empty_codes)
    if empty.any() and level == "raw":
        report.add("must not be empty", v.name, user, _rows(empty), [""] * int(min(empty.sum(), 5)))
        return None
    unknown_codes = [i for i, (t, c) in enumerate(zip(texts, canon_u, strict=True)) if t and c is None]
    unknown = codes_s.isin(unknown_codes)
    if unknown.any():
        report.add(
            f"must be one of {list(schema.GROUP_LABELS[v.name])}", v.name, user, _rows(unknown),
            [texts[c] for c in codes_s[unknown].head(5)],
        )  # fmt: skip
        return None
    relabelled = sorted({f"{t} -> {c}" for t, c in zip(texts, canon_u, strict=True) if t and t != c})
    if relabelled:
        report.notes.append(f"{v.name} ('{user}') labels read as: {', '.join(relabelled[:8])}.")
    lookup = np.array([*canon_u, None], dtype=object)  # code -1 (missing) -> None
    return pd.Series(lookup[codes], index=s.index, dtype=object)


def _parse_column(v: Variable, user: str, s: pd.Series, report: CheckReport, level: str):
    if v.kind == "id":
        return _parse_id(v, user, s, report)
    if v.kind == "year":
        return _parse_year(v, user, s, report)
    if v.kind == "label":
        return _parse_label(v, user, s, report, level)
    return _parse_number(v, user, s, report)


def _level_or_explain(header: list[str], cmap: dict, report: CheckReport):
    level, _raw, ana = detect_level(header, cmap)
    if level is None:
        need = [v.name for v in schema.ANALYSIS_VARIABLES if v.required and v.name not in ana]
        report.add(
            "the columns match neither input level. Finished variables (analysis level) need "
            f"{[v.name for v in schema.ANALYSIS_VARIABLES if v.required]}; missing here: {need}. Raw inputs "
            f"need the {len(schema.RAW_VARIABLES)} columns of data/templates/raw_template.csv. Rename your "
            f"columns or map them with {COLUMNS_VAR}=map.yml (your name: book name)."
        )
        return None, {}
    report.level = level
    return level, _match(header, level, cmap, report)


def validate_cells(
    header: list[str], cells: pd.DataFrame, cmap: dict, report: CheckReport, level: str | None = None
) -> pd.DataFrame | None:
    """Apply every rule to the cells; return the typed table in the book's names (or None).

    ``level`` forces the input level ("raw" or "analysis"); by default it is recognised from the columns.
    """
    _header_checks(header, report)
    for user in cmap:
        if user not in header and schema.normalise_name(user) not in {schema.normalise_name(h) for h in header}:
            report.add(f"the column map ({COLUMNS_VAR}) names '{user}', which the file does not have", user_column=user)
    if len(cells) == 0:
        report.add("the table has no rows (only a header)")
        return None
    if level is None:
        level, matched = _level_or_explain(header, cmap, report)
    else:
        report.level, matched = level, _match(header, level, cmap, report)
    if level is None:
        return None
    table, missing = {}, []
    for v in variables(level):
        if v.name not in matched:
            if v.required:
                missing.append(v.name)
            else:
                report.found[v.name] = Found("absent")
            continue
        pos, user, status = matched[v.name]
        report.found[v.name] = Found(status, user)
        parsed = _parse_column(v, user, cells[pos], report, level)
        if parsed is not None:
            table[v.name] = parsed
    if missing:
        hint = ""
        if any(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header):
            hint = " Chinese headers not recognised can be mapped in the column map."
        report.add(
            f"missing required column(s) {missing[:12]}{' ...' if len(missing) > 12 else ''} "
            f"({len(missing)} of the {level} level's {sum(v.required for v in variables(level))} required); "
            f"add them or map your names with {COLUMNS_VAR}=map.yml.{hint}"
        )
        for name in missing:
            report.found[name] = Found("absent", how="required")
    used = {p for p, _, _ in matched.values()}
    ignored = [h for p, h in enumerate(header) if p not in used and h.strip()]
    if ignored:
        report.notes.append(f"{len(ignored)} column(s) not used by the book: {ignored[:15]}.")
    frame = pd.DataFrame(table, copy=False)  # the parsed columns are new already: no second copy
    _derive(frame, level, report)
    if "unit_id" in frame and "year" in frame:
        _cross_row_checks(frame, level, matched, report)
        report.shape = panel_shape(frame)
    report.tables = table_reasons(report.found, level, frame)
    return frame


def _derive(frame: pd.DataFrame, level: str, report: CheckReport) -> None:
    """Record the variables the book forms itself (the values are formed by the panel builder)."""
    if level == "raw":
        for v in schema.ANALYSIS_VARIABLES:
            if v.name not in report.found:
                report.found[v.name] = Found("computed", how="from the raw inputs (equations 6-18)")
        return
    if report.found.get("industry_id", Found("absent")).status == "absent" and "unit_id" in frame:
        report.found["industry_id"] = Found("computed", how="no industry column: the unit is the industry")
    if report.found.get("IV1", Found("absent")).status == "absent" and "AIE" in frame:
        report.found["IV1"] = Found("computed", how="AIE of the unit's previous year")
    has_region_inputs = all(report.found.get(c, Found("absent")).status != "absent"
                            for c in ("province_id", "factor_market_index"))  # fmt: skip
    if report.found.get("region", Found("absent")).status == "absent" and has_region_inputs:
        report.found["region"] = Found("computed", how="top 30% of provinces by mean factor-market index")


def _cross_row_checks(frame: pd.DataFrame, level: str, matched: dict, report: CheckReport) -> None:
    user = {b: u for b, (_, u, _) in matched.items()}
    dup = frame.duplicated(["unit_id", "year"], keep=False)
    if dup.any():
        keys = frame.loc[dup, ["unit_id", "year"]].head(5)
        report.add(
            "(unit_id, year) must identify rows uniquely; nothing is dropped for you", "unit_id, year",
            f"{user.get('unit_id')}, {user.get('year')}", _rows(dup),
            [f"({a}, {b})" for a, b in keys.itertuples(index=False)],
        )  # fmt: skip
    for col in ("industry_id", "province_id"):
        if col in frame:
            _constant_within(frame, col, "unit_id", user.get(col), report)
    if "industry_id" in frame:
        for col in CONSTANT_WITHIN_INDUSTRY:
            if col in frame:
                _constant_within(frame, col, "industry_id", user.get(col), report)
    ind = frame["industry_id"] if "industry_id" in frame else frame["unit_id"]
    if ind.nunique() < 2:
        report.add(
            "a single industry: standard errors clustered by industry and industry effects need at least "
            "two industries (one cluster)", "industry_id", user.get("industry_id", user.get("unit_id")),
        )  # fmt: skip
    if frame["year"].nunique() < 2:
        report.add("a single year: the panel's year effects and lags need at least two years", "year", user["year"])
    for v in variables(level):
        if v.kind == "number" and v.name in frame and (v.required or v.name.startswith(("aie_", "alt_"))):
            s = frame[v.name].dropna()
            if len(s) > 1 and (s == s.iloc[0]).all():
                why = "min-max normalisation divides by max - min = 0" if level == "raw" else "it has no variation"
                report.add(f"is constant ({s.iloc[0]:g} in every row): {why}", v.name, user.get(v.name))
    _negative_indicators(frame, level, report)
    if level == "analysis" and "AIE" in frame:
        out = ~frame["AIE"].between(0, 1) & frame["AIE"].notna()
        if out.any():
            report.add(
                "lies outside [0, 1], the range of the Table 1 composite (in percent? divide by 100)",
                "AIE", user.get("AIE"), _rows(out), frame.loc[out, "AIE"].head(5).tolist(), severity="warning",
            )  # fmt: skip


def _constant_within(frame, col, group, user_col, report) -> None:
    n = frame.groupby(group)[col].nunique()
    bad = n.index[n > 1]
    if len(bad):
        rows = frame[group].isin(bad)
        what, whats = ("unit", "units") if group == "unit_id" else ("industry", "industries")
        report.add(
            f"must be constant within a{'n' if what == 'industry' else ''} {what}; {whats} {list(bad[:5])} change it",
            col, user_col, _rows(rows), frame.loc[rows, col].head(5).tolist(),
        )  # fmt: skip


def _negative_indicators(frame: pd.DataFrame, level: str, report: CheckReport) -> None:
    if level != "raw":
        return
    neg = [c for c in schema.NEGATIVE_ALLOWED_INDICATORS if c in frame and (frame[c] < 0).any()]
    if neg:
        report.notes.append(
            f"{', '.join(neg)} hold negative values (growth rates or profits may be negative): allowed. "
            "Min-max normalisation maps each indicator's smallest value to 0 and largest to 1, so a negative "
            "value gets a low normalised score; nothing is clipped."
        )


def overflow_check(frame: pd.DataFrame, report: CheckReport) -> None:
    """Raw level: compute the indices once and name any that overflow to inf or NaN."""
    from aichain_utils.panel import build_analysis_panel

    try:
        with np.errstate(all="ignore"):
            built = build_analysis_panel(frame, aie_weights="entropy").data
    except ValueError as exc:
        report.add(f"the indices cannot be computed from these inputs: {exc}")
        return
    allowed_nan = {"ITSE", "LCV", "IV1"}
    for col in built.select_dtypes("number").columns:
        s = built[col]
        bad = np.isinf(s) | (s.isna() & (col not in allowed_nan))
        if bad.any():
            report.add(
                "computing it from your inputs overflows (inf or NaN): some inputs are too large or too small",
                col, None, _rows(bad), s[bad].head(5).tolist(),
            )  # fmt: skip


# --------------------------------------------------------------------------- shape and tables
def panel_shape(frame: pd.DataFrame) -> dict:
    """Units, industries, years, balanced or not, and the gaps of a panel."""
    years = sorted(frame["year"].unique())
    ind = frame["industry_id"] if "industry_id" in frame else frame["unit_id"]
    span = frame.groupby("unit_id")["year"].agg(["min", "max", "nunique"]).rename(columns={"nunique": "count"})
    inner_gaps = span["max"] - span["min"] + 1 - span["count"]
    n_all = len(years)
    balanced = bool((span["count"] == n_all).all())
    return {
        "duplicate_unit_years": int(frame.duplicated(["unit_id", "year"]).sum()),
        "rows": len(frame),
        "units": int(frame["unit_id"].nunique()),
        "industries": int(ind.nunique()),
        "years": f"{years[0]}-{years[-1]}" if years else "",
        "n_years": n_all,
        "balanced": balanced,
        "missing_unit_years": int(len(span) * n_all - span["count"].sum()),
        "units_with_gaps": int((inner_gaps > 0).sum()),
        "units_entering_late": int((span["min"] > years[0]).sum()) if years else 0,
        "units_leaving_early": int((span["max"] < years[-1]).sum()) if years else 0,
        "units_per_industry": f"{int(frame.groupby(ind)['unit_id'].nunique().min())}-"
        f"{int(frame.groupby(ind)['unit_id'].nunique().max())}",
    }


#: Regressors of equation (1) in every subsample regression: AIE and the five controls.
_N_REGRESSORS = 1 + len(schema.CONTROLS)


def _too_small_groups(frame: pd.DataFrame, column: str) -> str:
    """Groups of ``column`` whose two-way FE regression of equation (1) has no residual degree of freedom.

    A group's regression absorbs one effect per unit and per year (less one), so it needs more than
    units + years - 1 + 6 complete rows; returns "group (rows, units, years), ..." for those that lack them.
    """
    need = ["ERL", "AIE", *schema.CONTROLS, "unit_id", "year"]
    if not set(need) <= set(frame.columns):
        return ""
    bad = []
    for group, part in frame.dropna(subset=need).groupby(column):
        if group == "unclassified":
            continue
        units, years = part["unit_id"].nunique(), part["year"].nunique()
        if len(part) <= units + years - 1 + _N_REGRESSORS:
            bad.append(f"{group} ({len(part)} rows, {units} units, {years} years)")
    return ", ".join(bad)


def table_reasons(found: dict[str, Found], level: str | None, frame: pd.DataFrame | None) -> dict[str, str | None]:
    """Table -> None when every column of it can be built, else why not (or which parts cannot)."""
    out: dict[str, str | None] = {}
    for table, pieces in TABLE_NEEDS.items():
        reasons = []
        for label, needs in pieces:
            if needs == ["aie_indicators"]:
                if level not in ("raw", "simulated"):
                    reasons.append(f"{label} need the 24 indicators of a raw-input file; the file gives AIE itself")
                continue
            absent = [n for n in needs if found.get(n, Found("absent")).status == "absent"]
            if absent:
                them = "it" if len(absent) == 1 else "them"
                reasons.append(f"{label} needs {', '.join(absent)}; the file has no column for {them}")
                continue
            for n in needs:
                if n in schema.GROUP_LABELS and frame is not None and n in frame:
                    groups = sorted(frame[n].dropna().unique())
                    if len([g for g in groups if g != "unclassified"]) < 2:
                        reasons.append(f"{label} needs at least two groups of {n}; the file has {groups}")
                    elif small := _too_small_groups(frame, n):
                        reasons.append(f"{label}: too few observations to estimate equation (1) in {small}")
                elif frame is not None and n in frame and frame[n].notna().sum() == 0:
                    reasons.append(f"{label} needs {n}; the column is empty in every row")
        out[table] = f"{table}: " + "; ".join(reasons) if reasons else None
    return out


# --------------------------------------------------------------------------- the report
def render_report(r: CheckReport) -> str:
    """The text ``make check-data`` prints; the result line comes last."""
    lines = [f"Data check: {r.path}", f"  sha256 {r.sha256}"]
    fmt = [f"format {r.file_format}"]
    if r.encoding:
        fmt += [f"encoding {r.encoding}", f"delimiter {r.delimiter}"]
    if r.sheet:
        fmt.append(f"sheet '{r.sheet}'")
    lines += [
        "  "
        + ", ".join(fmt)
        + f", {r.n_rows} data rows (rows below count from 0, the first data row: spreadsheet row = row + 2)"
    ]
    level_text = {
        "analysis": "analysis level: your finished variables, used as given",
        "raw": "raw-input level: the book computes every index from your inputs",
        None: "not recognised",
    }[r.level]
    lines += ["", f"Level: {level_text}", "", "Variables (book's name: how found):"]
    width = max((len(k) for k in r.found), default=10) + 1
    computed_raw = [n for n, f in r.found.items() if r.level == "raw" and f.status == "computed"]
    if computed_raw:
        lines.append(f"  computed from your raw inputs (equations 6-18): {', '.join(computed_raw)}")
    for name, f in r.found.items():
        if r.level == "raw" and (f.status == "computed" or (f.status == "matched" and f.user_column == name)):
            continue  # raw files: list only what was renamed, mapped or is absent
        src = f" <- '{f.user_column}'" if f.user_column else ""
        how = f" ({f.how})" if f.how else ""
        lines.append(f"  {name:<{width}} {f.status}{src}{how}")
    if r.level == "raw":
        same = sum(1 for f in r.found.values() if f.status == "matched")
        lines.append(f"  ... and {same} raw-input columns matched under the book's own names")
    if r.shape:
        s = r.shape
        bal = "balanced" if s["balanced"] else (
            f"unbalanced: {s['missing_unit_years']} unit-years missing; {s['units_with_gaps']} units with gaps, "
            f"{s['units_entering_late']} entering late, {s['units_leaving_early']} leaving early"
        )  # fmt: skip
        if s["duplicate_unit_years"]:
            bal += f"; {s['duplicate_unit_years']} duplicated unit-year(s), see the violations"
        lines += ["", "Panel:", f"  {s['rows']} rows, {s['units']} units, {s['industries']} industries "
                  f"({s['units_per_industry']} units each), {s['n_years']} years ({s['years']}); {bal}"]  # fmt: skip
    if r.tables:
        lines += ["", "Tables:"]
        for table, why in r.tables.items():
            lines.append(
                f"  {table}: can be built"
                if why is None
                else f"  {why.replace(table + ': ', table + ': cannot all be built: ', 1)}"
            )
    if r.notes:
        lines += ["", "Notes:"] + [f"  - {n}" for n in r.notes]
    if r.warnings:
        lines += ["", f"Warnings ({len(r.warnings)}):"] + [f"  - {v.text()}" for v in r.warnings]
    if r.errors:
        lines += ["", f"Violations ({len(r.errors)}):"] + [f"  - {v.text()}" for v in r.errors]
        lines += ["", f"Result: FAILED, {len(r.errors)} violation(s). The file was not changed. Fix them and run "
                  "`make check-data` again."]  # fmt: skip
    else:
        lines += ["", f"Result: OK ({len(r.warnings)} warning(s)). The book can be built from this file."]
    return "\n".join(lines)


def run_check(brief: bool = False) -> int:
    """``make check-data``: check ``AICHAIN_DATA`` and print one report; 0 if it passes, else 2.

    With ``brief`` (the first step of ``make book``) a passing file gets a one-line summary
    and a failing one the full report, printed last. With ``AICHAIN_DATA`` unset there is
    nothing to check: the book is built from the simulated panel.
    """
    import os

    from aichain_utils.datainput import DATA_VAR, DataInputError, check_file

    if DATA_VAR not in os.environ:
        print(f"check-data: {DATA_VAR} is not set, so the book is built from the simulated panel.")
        return 0
    try:
        report, _ = check_file()
    except DataInputError as exc:
        print(f"Data check: {os.environ[DATA_VAR]!r}\n\nResult: FAILED. {exc}")
        return 2
    if brief and report.ok:
        print(
            f"check-data: {report.path.name} passed ({report.level} level, {report.n_rows} rows, "
            f"{len(report.warnings)} warning(s)); `make check-data` prints the full report."
        )
    else:
        print(report.render())
    return 0 if report.ok else 2
