"""The rules a replicator's file is checked against.

:func:`read_checked` reads a file and applies them (:func:`aichain_utils.inputs.checkdata.check_file`
calls it and also computes the indices); every rule adds a
:class:`~aichain_utils.inputs.datainput.Violation` to the report instead of stopping, so one run lists
every problem at once. The report's text is :func:`aichain_utils.inputs.datainput.render_report`.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from aichain_utils.inputs import schema
from aichain_utils.inputs.datainput import (
    COLUMNS_VAR,
    DATA_VAR,
    ENCODING_VAR,
    SHEET_VAR,
    CheckReport,
    DataInputError,
    Found,
    _check_path,
    _match,
    detect_level,
    file_sha256,
    in_language,
    labels_for,
    load_column_map,
    parse_numbers,
    read_cells,
    resolve_user_path,
    token_kind,
    variables,
)
from aichain_utils.inputs.schema import FIRST_YEAR, LAST_YEAR, MAX_ABS, TABLE_NEEDS, Variable, region_split
from aichain_utils.text import Bilingual, bilingual_format

__all__ = ["panel_shape", "read_checked", "table_reasons", "validate_cells"]

#: Group labels of Tables 7-8 describe an industry: they may not change within one.
CONSTANT_WITHIN_INDUSTRY = ["industry_type", "chain_position"]


#: The rule an empty id, year or label breaks.
_NOT_EMPTY = Bilingual("must not be empty", "不得为空")


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask.index[mask.to_numpy()][:5]]


def _header_checks(header: list[str], report: CheckReport) -> None:
    seen: dict[str, list[int]] = {}
    for pos, name in enumerate(header):
        key = name.strip()
        if not key or key.lower() in ("nan", "none") or key.startswith("Unnamed"):
            report.add(
                Bilingual(
                    f"column {pos + 1} has no header: name it or delete it",
                    f"位于第 {pos + 1} 个位置的列没有表头：请为它命名或删除它",
                ),
                user_column=f"#{pos + 1}",
            )
            continue
        seen.setdefault(key, []).append(pos + 1)
    for name, where in seen.items():
        if len(where) > 1:
            report.add(
                Bilingual(
                    f"duplicated header: {len(where)} columns (positions {where}) are called '{name}'; "
                    "rename or delete all but one (nothing is dropped for you)",
                    f"表头重复：有 {len(where)} 列（位置 {where}）都叫 '{name}'；"
                    "请只保留一列，其余的重命名或删除（本书不会替你删除任何内容）",
                ),
                user_column=name,
            )


def _parse_id(v: Variable, user: str, s: pd.Series, report: CheckReport, codes_ok: bool = True) -> pd.Series | None:
    values, kinds, empty = parse_numbers(s)
    if empty.any():
        report.add(_NOT_EMPTY, v.name, user, _rows(empty), [""] * int(min(empty.sum(), 5)))
    codes = kinds.pop("text in a numeric column", None) if codes_ok else None
    for kind, rows in kinds.items():
        report.add(Bilingual(f"holds {kind}", f"含有{token_kind(kind).zh}"), v.name, user, rows, s[rows[:5]].tolist())
    if kinds or empty.any():
        return None
    if codes is not None:  # text codes such as "C13": numbered in sorted order, reported
        text = s.astype(str).str.strip()
        uniq = sorted(text.unique())
        report.notes.append(
            Bilingual(
                f"{v.name} ('{user}') holds text codes; numbered 1-{len(uniq)} in sorted order.",
                f"{v.name}（'{user}'）为文字代码；按排序顺序编为 1-{len(uniq)} 号。",
            )
        )
        return text.map({c: i + 1 for i, c in enumerate(uniq)}).astype("int64")
    frac = values != np.round(values)
    if frac.any():
        report.add(
            Bilingual("must hold integers", "必须为整数"), v.name, user, _rows(frac), values[frac].head(5).tolist()
        )
        return None
    return _exact_ints(v, user, s, values, report)


_INT_TEXT = 2**53  # integers above this are not exact as floats


def _exact_ints(v: Variable, user: str, s: pd.Series, values: pd.Series, report: CheckReport) -> pd.Series:
    """The integer ids exactly as the file holds them (never through a float: ids above 2^53 stay distinct)."""
    if pd.api.types.is_integer_dtype(s) and not pd.api.types.is_extension_array_dtype(s):
        return s.astype("int64")
    if pd.api.types.is_float_dtype(s):
        big = s.abs() > _INT_TEXT
        if big.any():
            report.add(
                Bilingual(
                    "ids above 2^53 stored as floating-point numbers may have lost their last digits (two ids can "
                    "become one); store them as integers or text",
                    "以浮点数存储的大于 2^53 的编号可能已丢失末尾几位数字（两个编号可能变成同一个）；"
                    "请以整数或文字存储",
                ),
                v.name, user, _rows(big), s[big].head(5).tolist(), severity="warning",
            )  # fmt: skip
        return values.astype("int64")

    def exact(x):
        if isinstance(x, bool):
            return int(x)
        if isinstance(x, int | np.integer):
            return int(x)
        if isinstance(x, float | np.floating):
            return int(x)
        t = str(x).strip()
        return int(t) if re.fullmatch(r"[+-]?\d+", t) else int(float(t))

    out = s.astype(object).map(exact)
    huge = out.map(lambda n: abs(n) >= 2**63)
    if huge.any():
        report.add(
            Bilingual("ids must fit in 64 bits (|id| < 2^63)", "编号必须能以 64 位整数表示（|编号| < 2^63）"),
            v.name, user, _rows(huge), out[huge].head(5).tolist(),
        )  # fmt: skip
        return None
    text = s.astype(object).map(lambda x: str(x).strip() if isinstance(x, str) else None)
    pairs = pd.DataFrame({"text": text, "id": out}).dropna().drop_duplicates()
    merged = pairs[pairs.duplicated("id", keep=False)]
    if v.kind == "id" and len(merged):
        rows = s.index[text.isin(merged["text"])]
        report.add(
            Bilingual(
                "ids that differ only in leading zeros or signs ('007' and '7') would become one id: keep them as "
                "written consistently, or prefix text codes with a letter",
                "仅在前导零或正负号上不同的编号（'007' 与 '7'）会变成同一个编号：请统一写法，或在文字代码前加一个字母",
            ),
            v.name, user, list(rows[:5]), sorted(merged["text"].unique())[:5],
        )  # fmt: skip
        return None
    return out.astype("int64")


def _clean_numbers(v: Variable, s: pd.Series) -> pd.Series | None:
    """A typed numeric column that breaks no rule of :func:`_parse_number`, as floats (one pass in numpy);
    None when it is not typed or breaks a rule (the full check then names the rule and the rows)."""
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return None
    values = s.to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(values) | (np.isnan(values) & v.nullable)
    with np.errstate(invalid="ignore"):
        ok &= ~(np.abs(values) > MAX_ABS)
        if v.lower is not None:
            ok &= ~(values <= v.lower if v.strict else values < v.lower)
    return pd.Series(values, index=s.index, name=s.name) if ok.all() else None


def _parse_number(v: Variable, user: str, s: pd.Series, report: CheckReport) -> pd.Series | None:
    clean = _clean_numbers(v, s)
    if clean is not None:  # the common case, a typed column within every rule: no per-rule pandas pass
        return clean
    values, kinds, empty = parse_numbers(s)
    ok = True
    for kind, rows in kinds.items():
        rule = Bilingual(
            f"must be numeric: holds {kind} (refused, not converted)",
            f"必须为数值：含有{token_kind(kind).zh}（拒绝读取，不作转换）",
        )
        report.add(rule, v.name, user, rows, s[rows[:5]].tolist())
        ok = False
    if empty.any() and not v.nullable:
        rule = Bilingual("must not be empty (missing)", "不得为空（缺失）")
        report.add(rule, v.name, user, _rows(empty), [""] * int(min(empty.sum(), 5)))
        ok = False
    inf = np.isinf(values)
    if inf.any():
        rule = Bilingual("must be finite (no inf)", "必须为有限值（不得为无穷大）")
        report.add(rule, v.name, user, _rows(inf), values[inf].head(5).tolist())
        ok = False
    huge = values.abs().gt(MAX_ABS) & ~inf
    if huge.any():
        report.add(
            Bilingual(
                f"|value| above {MAX_ABS:.0e} overflows the book's formulas; rescale the unit (e.g. to 10^4 yuan)",
                f"|数值| 大于 {MAX_ABS:.0e} 会使本书的公式溢出；请改用更大的计量口径（例如万元）",
            ),
            v.name, user, _rows(huge), values[huge].head(5).tolist(),
        )  # fmt: skip
        ok = False
    if v.lower is not None:
        low = values.le(v.lower) if v.strict else values.lt(v.lower)
        if low.any():
            op = ">" if v.strict else ">="
            rule = Bilingual(f"must be {op} {v.lower:g}", f"必须 {op} {v.lower:g}")
            report.add(rule, v.name, user, _rows(low), values[low].head(5).tolist())
            ok = False
    return values if ok else None


def _parse_year(v: Variable, user: str, s: pd.Series, report: CheckReport) -> pd.Series | None:
    years = _parse_id(v, user, s, report, codes_ok=False)
    if years is None:
        return None
    outside = ~years.between(FIRST_YEAR, LAST_YEAR)
    if outside.any():
        report.add(
            Bilingual(
                f"years outside the paper's window {FIRST_YEAR}-{LAST_YEAR} (kept: the window is a choice)",
                f"年份超出论文的样本区间 {FIRST_YEAR}-{LAST_YEAR}（予以保留：区间是一种选择）",
            ),
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
        report.add(_NOT_EMPTY, v.name, user, _rows(empty), [""] * int(min(empty.sum(), 5)))
        return None
    unknown_codes = [i for i, (t, c) in enumerate(zip(texts, canon_u, strict=True)) if t and c is None]
    unknown = codes_s.isin(unknown_codes)
    if unknown.any():
        labels = list(schema.GROUP_LABELS[v.name])
        report.add(
            Bilingual(f"must be one of {labels}", f"必须是 {labels} 之一"), v.name, user, _rows(unknown),
            [texts[c] for c in codes_s[unknown].head(5)],
        )  # fmt: skip
        return None
    relabelled = sorted({(t, c) for t, c in zip(texts, canon_u, strict=True) if t and t != c}, key=" -> ".join)
    if relabelled:
        from aichain_utils.inputs import availability

        zh = [f"{t} -> {in_language(availability._level_word(v.name, c), 'zh')}" for t, c in relabelled[:8]]
        report.notes.append(
            Bilingual(
                f"{v.name} ('{user}') labels read as: {', '.join(' -> '.join(tc) for tc in relabelled[:8])}.",
                f"{v.name}（'{user}'）的标签读作：{'；'.join(zh)}。",
            )
        )
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


def _level_or_explain(header: list[str], cmap: dict, report: CheckReport, cells: pd.DataFrame | None = None):
    level, _raw, ana = detect_level(header, cmap)
    if level is None:
        need = [v.name for v in schema.ANALYSIS_VARIABLES if v.required and v.name not in ana]
        hint = _header_position_hint(header, cells, cmap, report) if cells is not None else ""
        required = [v.name for v in schema.ANALYSIS_VARIABLES if v.required]
        n_raw = len(schema.RAW_VARIABLES)
        report.add(
            Bilingual(
                "the columns match neither input level. Finished variables (analysis level) need "
                f"{required}; missing here: {need}. Raw inputs "
                f"need the {n_raw} columns of data/templates/raw_template.csv. Rename your "
                f"columns or map them with {COLUMNS_VAR}=map.yml (your name: book name).{hint}",
                f"各列与两个输入层级都不相符。最终变量（分析层）需要 {required}；这里缺少：{need}。原始输入需要 "
                f"data/templates/raw_template.csv 中的 {n_raw} 列。请重命名你的列，或用 {COLUMNS_VAR}=map.yml "
                f"加以映射（你的列名: 本书的变量名）。{in_language(hint, 'zh')}",
            )
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
    _map_checks(header, cmap, report)
    if len(cells) == 0:
        report.add(Bilingual("the table has no rows (only a header)", "表中没有数据行（只有表头）"))
        return None
    if level is None:
        level, matched = _level_or_explain(header, cmap, report, cells)
    else:
        report.level, matched = level, _match(header, level, cmap, report)
    if level is None:
        return None
    _summary_rows(header, cells, report)
    _second_header_row(cells, level, matched, report)
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
        column = cells[pos]
        if v.kind in ("id", "year") and pos in report.codes:  # a labelled Stata id keeps the file's own numbers
            column = report.codes[pos]
            report.notes.append(
                Bilingual(
                    f"{v.name} ('{user}') carries Stata value labels: its numeric codes are the ids.",
                    f"{v.name}（'{user}'）带有 Stata 值标签：以其数值代码作为编号。",
                )
            )
        parsed = _parse_column(v, user, column, report, level)
        if parsed is not None:
            table[v.name] = parsed
    if missing:
        _report_missing(header, cmap, level, missing, report)
    used = {p for p, _, _ in matched.values()}
    ignored = [h for p, h in enumerate(header) if p not in used and h.strip()]
    if ignored:
        report.notes.append(
            Bilingual(
                f"{len(ignored)} column(s) not used by the book: {ignored[:15]}.",
                f"有 {len(ignored)} 列未被本书使用：{ignored[:15]}。",
            )
        )
    frame = pd.DataFrame(table, copy=False)  # the parsed columns are new already: no second copy
    if level == "analysis":
        _raw_alongside(header, cmap, report)
        if "unit_id" in frame and "year" in frame:
            frame = _optional_without_variation(frame, matched, report)
    _derive(frame, level, report)
    if "unit_id" in frame and "year" in frame:
        _cross_row_checks(frame, level, matched, report)
        report.shape = panel_shape(frame)
    report.tables = table_reasons(report.found, level, _with_region(frame, level, report))
    return frame


# --------------------------------------------------------------------------- layout of the file
#: Words that mark a summary row (a mean or total under the data), not a unit-year.
SUMMARY_WORDS = {
    "平均值", "平均", "均值", "合计", "总计", "小计", "汇总", "总和",
    "mean", "average", "avg", "total", "subtotal", "sum",
}  # fmt: skip


def _blank_rows(cells: pd.DataFrame, report: CheckReport) -> None:
    """Name rows whose every cell is empty (a spreadsheet's trailing ',,,,' lines)."""
    empty = pd.Series(True, index=cells.index)
    for pos in cells.columns:
        col = cells[pos]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            empty &= col.isna()
        else:
            text = col.astype(object).where(col.notna(), "").astype(str).str.strip()
            empty &= text.eq("") | text.str.lower().isin(("none", "nan"))
        if not empty.any():
            return
    report.add(
        Bilingual(
            f"{int(empty.sum())} row(s) have every cell empty (often left by a spreadsheet export): delete them "
            "(nothing is dropped for you)",
            f"有 {int(empty.sum())} 行的每个单元格都为空（常由电子表格导出时留下）："
            "请删除这些行（本书不会替你删除任何内容）",
        ),
        rows=_rows(empty),
    )


def _summary_rows(header: list[str], cells: pd.DataFrame, report: CheckReport) -> None:
    """Refuse rows that summarise the data (平均值, 合计, mean, total ...): they are not unit-years."""
    _blank_rows(cells, report)
    hit = pd.Series(False, index=cells.index)
    word = pd.Series("", index=cells.index, dtype=object)
    for pos in cells.columns:
        if pd.api.types.is_numeric_dtype(cells[pos]) or pd.api.types.is_bool_dtype(cells[pos]):
            continue
        codes, uniques = pd.factorize(cells[pos].astype(object))  # few distinct texts: test each once
        flags = np.array([isinstance(u, str) and u.strip().lower().rstrip(":：") in SUMMARY_WORDS for u in uniques])
        if not flags.any():
            continue
        mask = pd.Series((codes >= 0) & np.append(flags, False)[codes], index=cells.index) & ~hit
        word[mask] = cells.loc[mask, pos].astype(str)
        hit |= mask
    if hit.any():
        report.add(
            Bilingual(
                "summary rows (a mean or total under the data) are not unit-years: delete them from the file "
                "(nothing is dropped for you)",
                "汇总行（数据下方的平均值或合计）不是个体—年份：请从文件中删除它们（本书不会替你删除任何内容）",
            ),
            rows=_rows(hit), values=word[hit].head(5).tolist(),
        )  # fmt: skip


def _second_header_row(cells: pd.DataFrame, level: str, matched: dict, report: CheckReport) -> None:
    """Name a second header row (units, a second language) read as the first data row."""
    kinds = {v.name: v.kind for v in variables(level)}
    numeric = [pos for book, (pos, _, _) in matched.items() if kinds.get(book) in ("number", "year")]
    if not numeric or all(pd.api.types.is_numeric_dtype(cells[p]) for p in numeric):
        return
    first = cells.iloc[0]
    text = [
        pos for pos in numeric
        if isinstance(first[pos], str) and first[pos].strip() and not _NUMBERISH.match(first[pos].strip())
    ]  # fmt: skip
    if len(text) >= max(2, len(numeric) // 2):
        shown = [str(first[p]) for p in text[:5]]
        report.add(
            Bilingual(
                f"the first data row holds text in {len(text)} of the {len(numeric)} numeric columns "
                f"({shown}): it looks like a second header row (names, units or a "
                "second language). Keep one header row: delete the other or merge them",
                f"第一个数据行在 {len(numeric)} 个数值列中的 {len(text)} 列里是文字（{shown}）：看起来是第二个表头行"
                "（名称、计量口径或另一种语言）。请只保留一个表头行：删除另一行，或把两行合并",
            ),
            rows=[0],
        )


_NUMBERISH = re.compile(r"^[+-]?[\d.,%]+$")


def _header_position_hint(header: list[str], cells: pd.DataFrame, cmap: dict, report: CheckReport) -> str:
    """Why the header matched nothing: a title or notes row above it, or a notes sheet first ("" when no
    reason is seen; else a :class:`~aichain_utils.text.Bilingual`)."""
    filled = [h for h in header if h.strip() and h.strip().lower() not in ("nan", "none")]
    for i in range(min(6, len(cells))):
        row = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in cells.iloc[i]]
        level = detect_level(row, cmap)[0]
        if level is not None:
            merged = len(filled) <= 2
            what = "a merged title row" if merged else "a title, notes or a first header row"
            what_zh = "合并的标题行" if merged else "标题、说明或第一个表头行"
            level_zh = {"analysis": "分析层", "raw": "原始输入层"}[level]
            return Bilingual(
                f" The {level}-level header is on data row {i} (spreadsheet row {i + 2}): the row(s) above it "
                f"look like {what} (first row: {filled[:3]}). Delete them so that the header is the first row.",
                f"{level_zh}的表头位于第 {i} 个数据行（电子表格第 {i + 2} 行）：它上方的行看起来是{what_zh}"
                f"（第一行：{filled[:3]}）。请删除这些行，使表头成为第一行。",
            )
    if len(filled) <= 2 and len(header) > 3:
        return Bilingual(
            f" The first row holds only {filled}: a merged title row? The header must be the first row.",
            f"第一行只有 {filled}：是合并的标题行吗？表头必须是第一行。",
        )
    if report.sheets and len(report.sheets) > 1:
        data = _sheet_with_data(report, cmap)
        name = f"'{data}' has the book's columns: AICHAIN_SHEET={data}" if data else "AICHAIN_SHEET=<name>"
        name_zh = f"'{data}' 含有本书的列：AICHAIN_SHEET={data}" if data else "AICHAIN_SHEET=<工作表名>"
        return Bilingual(
            f" The sheet read was '{report.sheet}' (the first); the workbook has {report.sheets}. If it is a "
            f"notes sheet (说明), name the data sheet ({name} make check-data).",
            f"读取的工作表是 '{report.sheet}'（第一个）；该工作簿有 {report.sheets}。若它是说明页，"
            f"请指定数据所在的工作表（{name_zh} `make check-data`）。",
        )
    return ""


def _sheet_with_data(report: CheckReport, cmap: dict) -> str | None:
    """The first other sheet of the workbook whose first row matches an input level."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(report.path, read_only=True, data_only=True)
    except Exception:
        return None
    try:
        for name in report.sheets:
            if name == report.sheet:
                continue
            first = next(book[name].iter_rows(max_row=1, values_only=True), ())
            if detect_level(["" if v is None else str(v) for v in first], cmap)[0] is not None:
                return name
    finally:
        book.close()
    return None


def _map_checks(header: list[str], cmap: dict, report: CheckReport) -> None:
    """Every entry of the column map: its left side in the file, its right side a book variable."""
    norm_header = {schema.normalise_name(h) for h in header}
    names = {}
    for level in ("analysis", "raw"):
        for v in variables(level):
            names.setdefault(schema.normalise_name(v.name), v.name)
    known = {**schema.name_index("raw"), **schema.name_index("analysis")}
    for user, book in cmap.items():
        user_there = user in header or schema.normalise_name(user) in norm_header
        book_there = book in header or schema.normalise_name(book) in norm_header
        is_book = schema.normalise_name(book) in known
        user_is_book = schema.normalise_name(user) in names
        if not user_there and book_there and user_is_book:
            report.add(
                Bilingual(
                    f"the column map ({COLUMNS_VAR}) looks reversed: '{user}: {book}' puts the book's name on the "
                    f"left; write `{book}: {user}` (your column on the left, the book's name on the right)",
                    f"列名映射（{COLUMNS_VAR}）似乎写反了：'{user}: {book}' 把本书的变量名放在了左边；"
                    f"请写成 `{book}: {user}`（左边是你的列名，右边是本书的变量名）",
                ),
                column=user, user_column=book,
            )  # fmt: skip
            continue
        if not user_there:
            rule = Bilingual(
                f"the column map ({COLUMNS_VAR}) names '{user}', which the file does not have",
                f"列名映射（{COLUMNS_VAR}）提到了 '{user}'，但文件中没有这一列",
            )
            report.add(rule, user_column=user)
        if not is_book:
            close = difflib.get_close_matches(book, sorted(set(names.values())), n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            hint_zh = f"你是不是想写 '{close[0]}'？" if close else ""
            report.add(
                Bilingual(
                    f"the column map ({COLUMNS_VAR}) maps '{user}' to '{book}', which is no variable of the book."
                    f"{hint} The book's names are in data/templates/data_dictionary.csv",
                    f"列名映射（{COLUMNS_VAR}）把 '{user}' 映射到 '{book}'，但本书没有这个变量。"
                    f"{hint_zh}本书的变量名见 data/templates/data_dictionary.csv",
                ),
                user_column=user,
            )


def _raw_alongside(header: list[str], cmap: dict, report: CheckReport) -> None:
    raw = [b for b in _match(header, "raw", cmap, None) if b not in {v.name for v in schema.ANALYSIS_VARIABLES}]
    if raw:
        report.notes.append(
            Bilingual(
                f"The file has every finished variable and also {len(raw)} raw-input column(s) ({raw[:6]}...): the "
                "finished variables are used as given and the raw inputs are not used. To have the book compute "
                "the indices from the raw inputs, give a file without the finished ERL, AIE and controls.",
                f"文件包含全部最终变量，另有 {len(raw)} 个原始输入列（{raw[:6]}……）：最终变量按原样使用，"
                "原始输入不被使用。若要本书根据原始输入计算各指数，请提供一个不含最终变量 ERL、AIE 和控制变量的文件。",
            )
        )


# --------------------------------------------------------------------------- optional variables that vary
#: Optional finished variables a table regresses with unit and year effects (their variation must survive them).
REGRESSION_OPTIONALS = [
    "FSIE", "ITSE", "ITSE_forward", "ITSE_backward", "ELRI_front", "ELRI_inter", "ELRI_back", "AIE_alt",
    "IV1", "IV2", "IV3", "IV4", "LCV", "WCV",
]  # fmt: skip


def _absorbed(x: pd.Series, unit: pd.Series, year: pd.Series, tol: float = 1e-9) -> bool:
    """Whether unit and year effects explain ``x`` exactly (alternating projections on its rows)."""
    ok = x.notna()
    r, u, t = x[ok].astype(float), unit[ok], year[ok]
    scale = 1.0 + float(r.abs().max())
    for _ in range(50):
        before = r
        r = r - r.groupby(u).transform("mean")
        r = r - r.groupby(t).transform("mean")
        if float(r.abs().max()) <= tol * scale:
            return True
        if float((r - before).abs().max()) <= tol * scale:
            return False  # converged with variation left
    return False


def _too_few_rows(frame: pd.DataFrame, name: str) -> str:
    """'rows, units, years' (a :class:`~aichain_utils.text.Bilingual`) when the complete rows of equation (1)
    with ``name`` leave no residual degree of freedom."""
    need = [c for c in ["ERL", "AIE", *schema.CONTROLS, name] if c in frame]
    keep = frame[need].notna().all(axis=1).to_numpy()  # the complete rows, without copying the wide frame
    rows, units, years = int(keep.sum()), frame["unit_id"][keep].nunique(), frame["year"][keep].nunique()
    if rows <= units + years - 1 + _N_REGRESSORS + 1:
        return Bilingual(
            f"{rows} rows with every variable, {units} units, {years} years",
            f"各变量齐全的行 {rows} 行，{units} 个个体，{years} 年",
        )
    return ""


def _optional_without_variation(frame: pd.DataFrame, matched: dict, report: CheckReport) -> pd.DataFrame:
    """An optional variable that is constant, or that unit and year effects absorb, is treated as absent.

    The tables that use it cannot estimate anything from it (a constant instrument or mediator, an
    outcome with no variation left after the two-way effects): the check says so, names the column,
    and the book treats the variable as absent (its tables say why instead of failing).
    """
    drop = []
    for name in [*REGRESSION_OPTIONALS, "factor_market_index"]:
        if name not in frame:
            continue
        s = frame[name].dropna()
        if len(s) == 0:
            continue
        if (s == s.iloc[0]).all():
            why, kind = f"is constant ({s.iloc[0]:g} in every non-empty row)", "constant"
            detail_zh = f"（每个非空行都是 {s.iloc[0]:g}）"
        elif name in REGRESSION_OPTIONALS and (few := _too_few_rows(frame, name)):
            why = f"has too few usable rows to estimate equation (1) with unit and year effects ({few})"
            kind, detail_zh = "few", f"（{few.zh}）"
        elif name in REGRESSION_OPTIONALS and _absorbed(frame[name], frame["unit_id"], frame["year"]):
            why = "has no variation left after unit and year effects (it varies only between units or years)"
            kind, detail_zh = "absorbed", "（它只在个体之间或年份之间变化）"
        else:
            continue
        user = matched[name][1]
        report.add(
            Bilingual(
                f"{why}: the tables that use it cannot estimate anything from it, so the book treats {name} as "
                "absent",
                f"{_UNUSABLE_ZH[kind]}{detail_zh}：使用它的表格无法据此估计任何结果，"
                f"因此本书把 {name} 视为缺失",
            ),
            name, user, severity="warning",
        )  # fmt: skip
        report.found[name] = Found("absent", user, how=_treated_as_absent(why.split(" (")[0], kind))
        drop.append(name)
    return frame.drop(columns=drop) if drop else frame


#: Why the check treats an optional column of the file as absent (:func:`_optional_without_variation`), in
#: Chinese: the clause a reason cites after the variable's name
#: (:func:`aichain_utils.inputs.availability.unusable_phrase`).
_UNUSABLE_ZH = {
    "constant": "为常数",
    "few": "可用于估计含个体与年份效应的式（1）的行过少",
    "absorbed": "在扣除个体与年份效应后没有剩余变化",
}


def _treated_as_absent(why: str, kind: str) -> Bilingual:
    """The check's verdict on an unusable optional column, "in the file but is constant: treated as absent",
    in English (as ``make check-data`` prints it) and in Chinese."""
    return Bilingual(f"in the file but {why}: treated as absent", f"在文件中，但{_UNUSABLE_ZH[kind]}：视为缺失")


def _report_missing(header: list[str], cmap: dict, level: str, missing: list[str], report: CheckReport) -> None:
    """One violation for the required columns the file lacks, with what would make it readable."""
    hint, hint_zh = "", ""
    if any(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header):
        hint = " Chinese headers not recognised can be mapped in the column map."
        hint_zh = "未能识别的中文表头可以在列名映射中加以对应。"
    if level == "raw":
        ana = _match(header, "analysis", cmap, None)
        if "ERL" in ana or "AIE" in ana:
            lack = [v.name for v in schema.ANALYSIS_VARIABLES if v.required and v.name not in ana]
            has = [b for b in ("ERL", "AIE") if b in ana]
            hint += (
                f" The file also has finished variables ({', '.join(has)}): "
                f"read as finished variables it would lack only {lack}; add those and the finished level is used."
            )
            hint_zh += (
                f"文件中也有最终变量（{'、'.join(has)}）：按最终变量读取时只缺少 {lack}；补上这些变量即按分析层读取。"
            )
    more = " ..." if len(missing) > 12 else ""
    n_required = sum(v.required for v in variables(level))
    level_zh = {"analysis": "分析层", "raw": "原始输入层"}[level]
    report.add(
        Bilingual(
            f"missing required column(s) {missing[:12]}{more} "
            f"({len(missing)} of the {level} level's {n_required} required); "
            f"add them or map your names with {COLUMNS_VAR}=map.yml.{hint}",
            f"缺少必需的列 {missing[:12]}{more}（{level_zh}必需的 {n_required} 列中缺少 {len(missing)} 列）；"
            f"请补上这些列，或用 {COLUMNS_VAR}=map.yml 映射你的列名。{hint_zh}",
        )
    )
    for name in missing:
        report.found[name] = Found("absent", how=Bilingual("required", "必需"))


def _with_region(frame: pd.DataFrame, level: str, report: CheckReport) -> pd.DataFrame:
    """The frame with the Table 9 region split the book will form, so its groups are checked too."""
    if level != "analysis" or "region" in frame or not {"province_id", "factor_market_index"} <= set(frame):
        return frame
    return frame.assign(region=region_split(frame["province_id"], frame["factor_market_index"])[0])


#: How the book forms the finished variables of a raw-input file.
_FROM_RAW = Bilingual("from the raw inputs (equations 6-18)", "由原始输入计算（式（6）–（18））")


def _derive(frame: pd.DataFrame, level: str, report: CheckReport) -> None:
    """Record the variables the book forms itself (the values are formed by the panel builder)."""
    if level == "raw":
        for v in schema.ANALYSIS_VARIABLES:
            if v.name not in report.found:
                report.found[v.name] = Found("computed", how=_FROM_RAW)
        return
    if report.found.get("industry_id", Found("absent")).status == "absent" and "unit_id" in frame:
        report.found["industry_id"] = Found(
            "computed", how=Bilingual("no industry column: the unit is the industry", "没有行业列：个体即行业")
        )
    if report.found.get("IV1", Found("absent")).status == "absent" and "AIE" in frame:
        report.found["IV1"] = Found("computed", how=Bilingual("AIE of the unit's previous year", "该个体上一年的 AIE"))
    has_region_inputs = all(report.found.get(c, Found("absent")).status != "absent"
                            for c in ("province_id", "factor_market_index"))  # fmt: skip
    if report.found.get("region", Found("absent")).status == "absent" and has_region_inputs:
        report.found["region"] = Found(
            "computed",
            how=Bilingual("top 30% of provinces by mean factor-market index", "要素市场指数均值居前 30% 的省份"),
        )


def _numbered_within_industry(frame: pd.DataFrame, user: dict, report: CheckReport) -> bool:
    """Units numbered 1..k inside each industry: (unit_id, year) repeats, (industry_id, unit_id, year) does not."""
    if "industry_id" not in frame or not frame.duplicated(["unit_id", "year"]).any():
        return False
    if frame.duplicated(["industry_id", "unit_id", "year"]).any():
        return False
    per = frame.groupby("unit_id")["industry_id"].nunique()
    shared = per.index[per > 1]
    report.add(
        Bilingual(
            f"unit ids look numbered within each industry: {len(shared)} unit id(s) (e.g. {list(shared[:5])}) "
            "occur in several industries, and (industry_id, unit_id, year) is unique where (unit_id, year) is not. "
            "Give every unit an id of its own across the file (e.g. industry_id * 1000 + unit_id, or a text code "
            "such as '13-007'); the book does not combine them for you",
            f"个体编号看起来是在每个行业内部分别编号的：有 {len(shared)} 个个体编号（例如 {list(shared[:5])}）出现在"
            "多个行业中，且 (industry_id, unit_id, year) 唯一而 (unit_id, year) 不唯一。请在整个文件中给每个个体一个"
            "独有的编号（例如 industry_id * 1000 + unit_id，或 '13-007' 这样的文字代码）；本书不会替你合并它们",
        ),
        "unit_id, industry_id", f"{user.get('unit_id')}, {user.get('industry_id')}",
        _rows(frame["unit_id"].isin(shared)),
    )  # fmt: skip
    return True


def _cross_row_checks(frame: pd.DataFrame, level: str, matched: dict, report: CheckReport) -> None:
    user = {b: u for b, (_, u, _) in matched.items()}
    within = _numbered_within_industry(frame, user, report)
    dup = frame.duplicated(["unit_id", "year"], keep=False) & (not within)
    if dup.any():
        keys = frame.loc[dup, ["unit_id", "year"]].head(5)
        report.add(
            Bilingual(
                "(unit_id, year) must identify rows uniquely; nothing is dropped for you",
                "(unit_id, year) 必须唯一地标识每一行；本书不会替你删除任何内容",
            ),
            "unit_id, year",
            f"{user.get('unit_id')}, {user.get('year')}", _rows(dup),
            [f"({a}, {b})" for a, b in keys.itertuples(index=False)],
        )  # fmt: skip
    for col in ("industry_id", "province_id"):
        if col in frame and not (within and col == "industry_id"):
            _constant_within(frame, col, "unit_id", user.get(col), report)
    if "industry_id" in frame:
        for col in CONSTANT_WITHIN_INDUSTRY:
            if col in frame:
                _constant_within(frame, col, "industry_id", user.get(col), report)
    ind = frame["industry_id"] if "industry_id" in frame else frame["unit_id"]
    if ind.nunique() < 2:
        report.add(
            Bilingual(
                "a single industry: standard errors clustered by industry and industry effects need at least "
                "two industries (one cluster)",
                "只有一个行业：按行业聚类的标准误和行业效应至少需要两个行业（现在只有一个聚类）",
            ),
            "industry_id", user.get("industry_id", user.get("unit_id")),
        )  # fmt: skip
    if frame["year"].nunique() < 2:
        rule = Bilingual(
            "a single year: the panel's year effects and lags need at least two years",
            "只有一个年份：面板的年份效应和滞后项至少需要两个年份",
        )
        report.add(rule, "year", user["year"])
    for v in variables(level):
        if v.kind == "number" and v.name in frame and (v.required or v.name.startswith(("aie_", "alt_"))):
            s = frame[v.name].dropna()
            if len(s) > 1 and (s == s.iloc[0]).all():
                raw = level == "raw"
                why = "min-max normalisation divides by max - min = 0" if raw else "it has no variation"
                why_zh = "极差标准化要除以 最大值 - 最小值 = 0" if raw else "它没有任何变化"
                rule = Bilingual(
                    f"is constant ({s.iloc[0]:g} in every row): {why}", f"为常数（每一行都是 {s.iloc[0]:g}）：{why_zh}"
                )
                report.add(rule, v.name, user.get(v.name))
    _negative_indicators(frame, level, report)
    if level == "analysis" and "AIE" in frame:
        out = ~frame["AIE"].between(0, 1) & frame["AIE"].notna()
        if out.any():
            report.add(
                Bilingual(
                    "lies outside [0, 1], the range of the Table 1 composite (in percent? divide by 100)",
                    "超出表 1 综合指数的取值范围 [0, 1]（是否以百分数表示？请除以 100）",
                ),
                "AIE", user.get("AIE"), _rows(out), frame.loc[out, "AIE"].head(5).tolist(), severity="warning",
            )  # fmt: skip


def _constant_within(frame, col, group, user_col, report) -> None:
    n = frame.groupby(group)[col].nunique()
    bad = n.index[n > 1]
    if len(bad):
        rows = frame[group].isin(bad)
        what, whats = ("unit", "units") if group == "unit_id" else ("industry", "industries")
        what_zh = "个体" if group == "unit_id" else "行业"
        article = "n" if what == "industry" else ""
        report.add(
            Bilingual(
                f"must be constant within a{article} {what}; {whats} {list(bad[:5])} change it",
                f"在同一{what_zh}内必须保持不变；{what_zh} {list(bad[:5])} 的取值有变化",
            ),
            col, user_col, _rows(rows), frame.loc[rows, col].head(5).tolist(),
        )  # fmt: skip


def _negative_indicators(frame: pd.DataFrame, level: str, report: CheckReport) -> None:
    if level != "raw":
        return
    neg = [c for c in schema.NEGATIVE_ALLOWED_INDICATORS if c in frame and (frame[c] < 0).any()]
    if neg:
        report.notes.append(
            Bilingual(
                f"{', '.join(neg)} hold negative values (growth rates or profits may be negative): allowed. "
                "Min-max normalisation maps each indicator's smallest value to 0 and largest to 1, so a negative "
                "value gets a low normalised score; nothing is clipped.",
                f"{'、'.join(neg)} 含有负值（增长率或利润可能为负）：允许。极差标准化把每项指标的最小值映射为 0、"
                "最大值映射为 1，因此负值得到较低的标准化得分；不作任何截断。",
            )
        )


# --------------------------------------------------------------------------- the file, read and checked
def read_checked(
    path: str | Path | None = None,
    columns: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> tuple[CheckReport, pd.DataFrame | None]:
    """Read a data file and check it against every rule; the indices are not computed.

    :func:`aichain_utils.inputs.checkdata.check_file` with ``compute=False``: the analysis panel reads
    a user's file through this function, and the check that also computes the indices builds on it.
    Parameters default to the environment: ``AICHAIN_DATA``, ``AICHAIN_COLUMNS``,
    ``AICHAIN_ENCODING`` and ``AICHAIN_SHEET``. The file is only read.

    Returns
    -------
    report : CheckReport
    table : DataFrame or None
        One column per variable found, named as the book names it, in the file's row order;
        None when any rule is broken.

    Raises
    ------
    ~aichain_utils.inputs.datainput.DataInputError
        When the file cannot be read at all (missing, empty, undecodable, unknown type).
    """
    given = str(path) if path is not None else os.environ.get(DATA_VAR)
    if given is None:
        raise DataInputError(
            f"{DATA_VAR} is not set: give the data file, e.g. {DATA_VAR}=/path/file.csv make check-data"
        )
    file = resolve_user_path(given)
    _check_path(file, given)
    columns = columns if columns is not None else os.environ.get(COLUMNS_VAR)
    encoding = encoding or os.environ.get(ENCODING_VAR) or None
    sheet = sheet or os.environ.get(SHEET_VAR) or None
    report = CheckReport(path=file, sha256=file_sha256(file))
    cmap = load_column_map(columns)
    header, cells = read_cells(file, report, encoding, sheet)
    report.n_rows = len(cells)
    if sheet and report.file_format != "xlsx":
        rule = Bilingual(
            f"{SHEET_VAR}={sheet} is set but {file.name} is no workbook: it is ignored",
            f"设置了 {SHEET_VAR}={sheet}，但 {file.name} 不是工作簿：该设置被忽略",
        )
        report.add(rule, severity="warning")
    if encoding and report.file_format not in ("csv", "tsv", "txt"):
        rule = Bilingual(
            f"{ENCODING_VAR}={encoding} is set but {file.name} is no text file: it is ignored",
            f"设置了 {ENCODING_VAR}={encoding}，但 {file.name} 不是文本文件：该设置被忽略",
        )
        report.add(rule, severity="warning")
    table = validate_cells(header, cells, cmap, report)
    return report, (table if report.ok else None)


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


#: Why Table 2 cannot be built (:func:`_table2_reason`).
_TABLE2 = {
    "absent": {
        "en": "Table 2 (descriptive statistics) needs {names}; {absence}.",
        "zh": "表 2（描述性统计）需要 {names}；{absence}。",
    },
    "empty": {
        "en": "Table 2 (descriptive statistics) needs {names}; the file's {columns} empty in every row.",
        "zh": "表 2（描述性统计）需要 {names}；文件中的{columns}每一行都为空。",
    },
}


def _table2_reason(absent: list[str], empty: list[str], found: dict) -> Bilingual | None:
    """Why Table 2 cannot be built (variables absent, or empty in every row), in English and Chinese; or None."""
    from aichain_utils.inputs import availability

    if absent:
        phrase = availability.absence_phrase(absent, absent, found)
        return bilingual_format(_TABLE2["absent"], names=availability._join(absent), absence=phrase)
    if empty:
        columns = Bilingual("column is", "这一列") if len(empty) == 1 else Bilingual("columns are", "这些列")
        return bilingual_format(_TABLE2["empty"], names=availability._join(empty), columns=columns)
    return None


def table_reasons(found: dict[str, Found], level: str | None, frame: pd.DataFrame | None) -> dict[str, str | None]:
    """Table -> None when every column of it can be built, else the sentence saying which cannot and why.

    Tables 3-10 are decided by :func:`aichain_utils.inputs.availability.decide` (the one place that decides, in
    its words); Tables 1 and 2, which are not regressions, here: the 24 indicators of a raw-input file,
    and the variables of the descriptive statistics (worded by
    :func:`aichain_utils.inputs.availability.absence_phrase`).
    """
    from aichain_utils.inputs import availability

    frame = pd.DataFrame() if frame is None else frame
    out: dict[str, str | None] = {}
    if level in ("raw", "simulated"):
        out["Table 1"] = None
    else:
        out["Table 1"] = Bilingual(
            "Table 1 (the weights) needs the 24 indicators of a raw-input file; the file gives AIE itself.",
            "表 1（权重）需要原始输入数据文件中的 24 项指标；该文件直接给出了 AIE。",
        )
    needed = TABLE_NEEDS["Table 2"][0][1]
    absent = [n for n in needed if found.get(n, Found("absent")).status == "absent"]
    empty = [n for n in needed if n not in absent and n in frame and frame[n].notna().sum() == 0]
    out["Table 2"] = _table2_reason(absent, empty, found)
    decided = availability.decide(frame, found, level or "analysis")
    for table, why in decided.tables().items():
        out[f"Table {table}"] = why
    return out
