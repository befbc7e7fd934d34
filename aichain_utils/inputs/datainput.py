"""A replicator's data file -> the book's variables, with one report of everything found and wrong.

The entry point is :func:`aichain_utils.inputs.checkdata.check_file`: it reads a
``.csv``/``.tsv``/``.txt`` (any delimiter; UTF-8 with or without BOM, GBK/GB18030 or UTF-16, detected
or given by ``AICHAIN_ENCODING``),
``.parquet``, ``.dta`` or ``.xlsx`` file (first sheet, or ``AICHAIN_SHEET``) **without changing a
byte of it**, matches its columns to the book's names (case- and space-insensitively, Stata-style and
Chinese names, or a YAML column map given by ``AICHAIN_COLUMNS``: your column on the left, the book's
name on the right), recognises the level (finished variables or raw inputs), and applies every rule
of :mod:`aichain_utils.inputs.schema` at once. Nothing is converted silently: a text token in a numeric
column (``#N/A``, ``#DIV/0!``, ``.``, ``1,234``, ``5%``, ``3,5``) is refused with its rows, never
read as a number or as missing; only an empty cell is missing.

:class:`CheckReport` holds the result; ``make check-data`` prints its :meth:`CheckReport.render`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from aichain_utils.errors import AichainInputError
from aichain_utils.inputs import schema
from aichain_utils.inputs.schema import GROUP_LABELS, Variable
from aichain_utils.text import Bilingual

__all__ = [
    "COLUMNS_VAR",
    "CWD_VAR",
    "DATA_VAR",
    "ENCODING_VAR",
    "KNOWN_SWITCHES",
    "SHEET_VAR",
    "CheckReport",
    "DataInputError",
    "Found",
    "Violation",
    "check_environment",
    "file_sha256",
    "in_language",
    "render_report",
    "resolve_user_path",
    "token_kind",
]

DATA_VAR = "AICHAIN_DATA"
COLUMNS_VAR = "AICHAIN_COLUMNS"
ENCODING_VAR = "AICHAIN_ENCODING"
SHEET_VAR = "AICHAIN_SHEET"
CWD_VAR = "AICHAIN_CWD"  # the directory `make` was run from (the Makefile exports it)
SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".dta", ".xlsx")
MAX_ROWS_SHOWN = 5

#: Every ``AICHAIN_*`` environment switch the project reads: name -> (allowed values or None, meaning).
KNOWN_SWITCHES: dict[str, tuple[tuple[str, ...] | None, str]] = {
    DATA_VAR: (None, "the data file the book is built from (unset: the simulated panel)"),
    COLUMNS_VAR: (None, "a YAML column map: your column on the left, the book's name on the right"),
    ENCODING_VAR: (None, "the text encoding of a CSV (utf-8, gb18030, utf-16)"),
    SHEET_VAR: (None, "the sheet of an .xlsx workbook"),
    CWD_VAR: (None, "the directory make was run from (set by the Makefile)"),
    "AICHAIN_AIE_WEIGHTS": (("entropy", "published"), "the AIE weights at the raw-input level"),
    "AICHAIN_EDITION": (("instructor", "student"), "the edition of the book (make book EDITION=...)"),
    "AICHAIN_DASK": (None, "a Dask scheduler for make montecarlo"),
    "AICHAIN_PAPER_TEXT": (None, "the paper's text extraction the audit reads"),
    "AICHAIN_DATA_MATRIX": (None, "runs the book builds of the data-matrix tests (make test-data-matrix)"),
    "AICHAIN_PANEL_CACHE": (None, "set by the build: the folder where the chapters share one analysis panel"),
    "AICHAIN_COUNTERPART": (None, "set by the build: the other edition the English pages link to"),
}

#: What a file's first bytes say it is (recognised by content, whatever its name).
_MAGIC = [
    (b"PK\x03\x04", ".xlsx", "an Excel workbook (.xlsx, a zip archive)"),
    (b"\xd0\xcf\x11\xe0", ".xls", "an old Excel workbook (.xls)"),
    (b"<stata_dta>", ".dta", "a Stata file (.dta)"),
    (b"PAR1", ".parquet", "a Parquet file"),
]


class DataInputError(AichainInputError):
    """The data file cannot be used; the message says what is wrong and what to do."""


@dataclass
class Violation:
    """One broken rule: the column (book's and user's name), the rule, and up to five rows."""

    rule: str
    column: str | None = None
    user_column: str | None = None
    rows: list[int] = field(default_factory=list)
    values: list = field(default_factory=list)
    severity: str = "error"  # or "warning"

    def text(self, lang: str = "en") -> str:
        """The violation as the report lists it, in English (``lang="en"``) or in Chinese (``"zh"``): where,
        the rule (:func:`in_language`), and up to five rows with their values."""
        zh = lang == "zh"
        if self.column and self.user_column and self.user_column != self.column:
            where = f"列 '{self.column}'（你的 '{self.user_column}'）" if zh else (
                f"column '{self.column}' (your '{self.user_column}')"
            )  # fmt: skip
        elif self.column or self.user_column:
            where = f"{'列' if zh else 'column'} '{self.column or self.user_column}'"
        else:
            where = "文件" if zh else "file"
        out = f"{where}{'：' if zh else ': '}{in_language(self.rule, lang)}"
        if self.rows:
            out += f"{'；行' if zh else '; rows'} {self.rows[:MAX_ROWS_SHOWN]}"
            if self.values:
                out += f"{' 取值为' if zh else ' hold'} {[_show(v) for v in self.values[:MAX_ROWS_SHOWN]]}"
        return out


def in_language(text, lang: str = "en") -> str:
    """``text`` in ``lang``: the Chinese of a :class:`~aichain_utils.text.Bilingual` for ``"zh"``, else its
    English (a plain ``str`` is language-neutral: a name, a value)."""
    if lang == "zh" and isinstance(text, Bilingual):
        return text.zh
    return str.__str__(text) if isinstance(text, str) else str(text)


def _show(value):
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


@dataclass
class Found:
    """How one of the book's variables was found: matched, mapped, computed or absent.

    ``how`` says how, in words, as a :class:`~aichain_utils.text.Bilingual` (the report in Chinese and a
    reason cite it in both languages; empty when there is nothing to say).
    """

    status: str
    user_column: str | None = None
    how: str = ""


@dataclass
class CheckReport:
    """Everything :func:`~aichain_utils.inputs.checkdata.check_file` learned about a file; :meth:`render` is
    what make prints."""

    path: Path
    sha256: str = ""
    file_format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    codes: dict = field(default_factory=dict)  # Stata value-labelled columns: position -> numeric codes
    level: str | None = None
    n_rows: int = 0
    found: dict[str, Found] = field(default_factory=dict)
    shape: dict = field(default_factory=dict)
    tables: dict[str, str | None] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, rule: str, column=None, user_column=None, rows=None, values=None, severity="error"):
        rows = [int(r) for r in (rows if rows is not None else [])]
        self.violations.append(
            Violation(rule, column, user_column, rows[:MAX_ROWS_SHOWN], list(values or [])[:MAX_ROWS_SHOWN], severity)
        )

    def render(self, lang: str = "en") -> str:
        """The report as text: level, variables found, panel shape, tables, every violation (``lang``: "en"
        as ``make check-data`` prints it, or "zh")."""
        return render_report(self, lang)


# --------------------------------------------------------------------------- paths and reading
def resolve_user_path(value: str, what: str = DATA_VAR) -> Path:
    """A path the user gave: ``~`` expanded; relative to the directory ``make`` was run from.

    ``make`` exports that directory as ``AICHAIN_CWD``; without it, the current directory.
    """
    text = value.strip()
    if not text:
        raise DataInputError(
            f"{what} is set but empty. Unset it (`unset {what}`) to build from the simulated panel, "
            f"or set it to a file: {what}=/path/to/file make book"
        )
    path = Path(text).expanduser()
    if not path.is_absolute():
        base = Path(os.environ.get(CWD_VAR) or os.getcwd())
        path = base / path
    return path.resolve()


def check_environment(environ=None) -> list[str]:
    """Problems with the ``AICHAIN_*`` switches: an unknown name (with a did-you-mean) or value.

    Returns one sentence per problem (empty when every switch is known and has an allowed value).
    """
    import difflib

    environ = os.environ if environ is None else environ
    problems = []
    for name in sorted(k for k in environ if k.startswith("AICHAIN_")):
        if name not in KNOWN_SWITCHES:
            close = difflib.get_close_matches(name, list(KNOWN_SWITCHES), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]}?" if close else ""
            problems.append(
                f"{name}={environ[name]!r}: unknown switch, so it would be ignored in every chapter.{hint} "
                f"The switches are: " + "; ".join(f"{k} ({m})" for k, (_, m) in KNOWN_SWITCHES.items())
            )
            continue
        allowed = KNOWN_SWITCHES[name][0]
        value = environ[name].strip().lower()
        if allowed and value and value not in allowed:
            close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]}?" if close else ""
            problems.append(f"{name}={environ[name]!r}: must be one of {', '.join(allowed)}.{hint}")
    return problems


def file_sha256(path: Path) -> str:
    """SHA-256 of the file at ``path`` (hex), read in chunks of 1 MiB: the report's fingerprint of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_path(path: Path, given: str | None = None) -> None:
    shown = f"{path}" + (f" (from {DATA_VAR}={given})" if given and given != str(path) else "")
    if not path.exists():
        hint = ""
        if given and not Path(given).expanduser().is_absolute():
            base = os.environ.get(CWD_VAR) or os.getcwd()
            hint = f" A relative path is read from the directory you ran make in ({base}); give an absolute path."
        raise DataInputError(f"{shown}: no such file.{hint}")
    if path.is_dir():
        raise DataInputError(f"{shown} is a folder; point {DATA_VAR} to one data file in it")
    if path.stat().st_size == 0:
        raise DataInputError(f"{shown}: the file is empty")
    _check_content(path, shown)
    if path.suffix.lower() not in SUFFIXES:
        raise DataInputError(
            f"{shown}: unsupported file type '{path.suffix}'; use one of {', '.join(SUFFIXES)} "
            "(in Excel: File > Save As > CSV UTF-8 or Excel Workbook)"
        )


def sniff_content(path: Path) -> tuple[str, str] | None:
    """``(suffix, description)`` of the format the file's first bytes show, or None for text.

    xlsx is a zip ('PK'), xls an OLE2 container ('D0 CF 11 E0'), a Stata 117+ file starts with
    ``<stata_dta>`` and a Stata 113-115 file with its version byte (0x71-0x73) and a byte order
    (1 or 2), Parquet with 'PAR1'.
    """
    with path.open("rb") as fh:
        head = fh.read(16)
    for magic, suffix, text in _MAGIC:
        if head.startswith(magic):
            return suffix, text
    if len(head) >= 4 and head[0] in (0x71, 0x72, 0x73) and head[1] in (1, 2) and head[2] == 1 and head[3] == 0:
        return ".dta", "a Stata file (.dta, format 113-115)"
    return None


def _check_content(path: Path, shown: str) -> None:
    """Refuse a file whose content is another format than its name says (no encoding advice for it)."""
    kind = sniff_content(path)
    suffix = path.suffix.lower()
    text_suffix = suffix in (".csv", ".tsv", ".txt")
    if kind is None:
        if suffix in (".xlsx", ".dta", ".parquet"):
            raise DataInputError(
                f"{shown}: the name says {suffix} but the content is not one (its first bytes are no "
                f"{suffix} signature); is it a text file renamed? Give it its real extension"
            )
        return
    real, text = kind
    if real == suffix:
        return
    if real == ".xls":
        advice = "open it in Excel and save it as an Excel Workbook (.xlsx) or CSV UTF-8"
    else:
        advice = f"rename it to {path.stem}{real} (the book reads {real} files directly)"
    not_text = " It is not a text file, so no encoding setting can read it." if text_suffix else ""
    raise DataInputError(
        f"{shown}: the file is named {suffix} but its content is {text} (its first bytes say so); {advice}.{not_text}",
        argument=DATA_VAR, rule=f"the content must be what the extension {suffix} says", offending=[str(path)],
    )  # fmt: skip


def _decode(raw: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """Text and the encoding used: the given one, else BOM, UTF-8, UTF-16 (no BOM), GB18030."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise DataInputError(f"{ENCODING_VAR}={encoding}: unknown encoding; try utf-8, gb18030 or utf-16") from None
        except UnicodeDecodeError as exc:
            raise DataInputError(
                f"{path}: not valid {encoding} text (byte {exc.start}); unset {ENCODING_VAR} to detect the "
                "encoding, or give the right one (utf-8, gb18030, utf-16)"
            ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif raw[:200].count(b"\x00") > 20:
        candidates = ["utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"]
    else:
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataInputError(
        f"{path}: the encoding is neither UTF-8, UTF-16 nor GB18030 (GBK). Save the file as "
        f"'CSV UTF-8' in Excel, or name its encoding: {ENCODING_VAR}=latin-1 make check-data"
    )


def _sniff_delimiter(text: str, suffix: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",\t;|").delimiter
    except csv.Error:
        header = lines[0]
        counts = {d: header.count(d) for d in ("\t", ",", ";", "|")}
        best = max(counts, key=counts.get)
        if counts[best]:
            return best
        return "\t" if suffix == ".tsv" else ","


def _read_text(path: Path, encoding: str | None, report: CheckReport) -> pd.DataFrame:
    text, enc = _decode(path.read_bytes(), path, encoding)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DataInputError(f"{path}: the file has no header row")
    sep = _sniff_delimiter(text, path.suffix.lower())
    report.encoding, report.delimiter = enc, _DELIMITER_NAMES[sep]
    _short_rows(text, sep, path, report)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.ParserError as exc:
        raise DataInputError(
            f"{path}: rows do not have the same number of fields as the header ({exc}); check that "
            f"the delimiter ({report.delimiter}) does not also occur unquoted inside values"
        ) from None


_DELIMITER_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}

#: Column types the typed reading keeps; any other (a date, a time) sends the file to the strict reading.
_TYPED_KINDS = ("int64", "double", "string", "null")


def _codec_name(encoding: str) -> str | None:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def _typed_head(path: Path, encoding: str | None) -> tuple[str, str, str] | None:
    """The first 64 KiB of a plain UTF-8 text file (whole lines), its delimiter and encoding, or None."""
    if encoding and _codec_name(encoding) != "utf-8":
        return None  # another encoding (or an unknown one, which the strict reading names)
    with path.open("rb") as fh:
        raw = fh.read(65536)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:200].count(b"\x00") > 20 or b"\n" not in raw:
        return None
    try:
        text = raw[: raw.rfind(b"\n")].decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return None
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip() or '"' in header:
        return None
    return (
        text,
        _sniff_delimiter(text, path.suffix.lower()),
        "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8",
    )


def _read_text_typed(path: Path, encoding: str | None, report: CheckReport) -> tuple[list[str], pd.DataFrame] | None:
    """One typed pass over a well-formed UTF-8 text file (pyarrow's multi-threaded CSV reader).

    Returns the header and the cells as :func:`read_cells` does, or None whenever anything is
    unusual (another encoding, rows of unequal length, a line break inside a value, a cell pyarrow
    would read as a date, ``nan`` or ``inf``): the strict reading then reads the file and reports it.
    Only an empty cell is missing; every other text token stays text for the strict parsing of its
    column, so both readings give the same table (``tests/test_data_input_typed.py``).
    """
    head = _typed_head(path, encoding)
    if head is None:
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text, sep, enc = head
    header = next(csv.reader([text.splitlines()[0]], delimiter=sep))
    options = {
        "read_options": pacsv.ReadOptions(skip_rows=1, column_names=[f"c{i}" for i in range(len(header))]),
        "parse_options": pacsv.ParseOptions(delimiter=sep),
        "convert_options": pacsv.ConvertOptions(
            null_values=[""], strings_can_be_null=False, true_values=[], false_values=[], timestamp_parsers=[],
            auto_dict_encode=True,
        ),
    }  # fmt: skip
    try:
        table = pacsv.read_csv(path, **options)
        table = _typed_columns(table, path, options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table is None:
        return None
    cells = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    pa.default_memory_pool().release_unused()  # give the parsed buffers back before the checks copy columns
    for name in cells.columns[cells.dtypes.map(lambda d: isinstance(d, pd.CategoricalDtype)).to_numpy()]:
        cells[name] = cells[name].astype(object)  # labels: one Python string per distinct value, shared
    cells.columns = range(len(header))
    report.encoding, report.delimiter = enc, _DELIMITER_NAMES[sep]
    return header, cells


def _typed_columns(table, path: Path, options: dict):
    """The typed table, or None when a column is of a type the strict reading must judge (a date, ``nan``).

    An integer column keeps its type only when every cell is written as Python writes the integer
    (``13``, not ``013`` or ``+13``) and none is empty; otherwise the column is the file's text, which
    the strict parsing reads as it would (ids differing only in leading zeros are refused there).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    ints = []
    for col, name in zip(table.columns, table.column_names, strict=True):
        kind = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
        if str(kind) not in _TYPED_KINDS:
            return None
        if pa.types.is_floating(kind) and pc.any(pc.invert(pc.is_finite(col))).as_py():
            return None
        if pa.types.is_integer(kind):
            ints.append(name)
    if not ints:
        return table
    convert = options["convert_options"]
    convert.include_columns, convert.column_types, convert.auto_dict_encode = (
        ints,
        dict.fromkeys(ints, pa.string()),
        False,
    )
    text = pacsv.read_csv(path, **options)
    for name in ints:
        col, written = table[name], text[name]
        if col.null_count or not pc.all(pc.equal(pc.cast(col, pa.string()), written)).as_py():
            table = table.set_column(table.column_names.index(name), name, written)
    return table


def _short_rows(text: str, sep: str, path: Path, report: CheckReport) -> None:
    """Refuse rows with fewer fields than the header (a file cut off mid-row reads as missing cells)."""
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if r]
    if len(rows) < 2:
        return
    width = len(rows[0])
    short = [(i - 1, len(r)) for i, r in enumerate(rows[1:], start=1) if len(r) < width]
    if not short:
        return
    last = short[-1][0] == len(rows) - 2 and not text.endswith(("\n", "\r"))
    cut = last and len(short) == 1
    why = (
        "the last row has fewer fields than the header and the file does not end with a line break: "
        "it looks cut off mid-row (an interrupted copy or export)"
        if cut
        else "rows have fewer fields than the header (their last cells would be read as missing)"
    )
    why_zh = (
        "最后一行的字段少于表头，且文件不以换行符结尾：看起来在行中途被截断（复制或导出中断）"
        if cut
        else "有些行的字段少于表头（这些行末尾的单元格会被读作缺失）"
    )
    found = [n for _, n in short[:MAX_ROWS_SHOWN]]
    report.add(
        Bilingual(
            f"{why}; {width} fields expected, found {found}. Export the file again in full; nothing is filled in "
            "for you",
            f"{why_zh}；应有 {width} 个字段，实际为 {found}。请重新完整导出该文件；本书不会替你补齐任何内容",
        ),
        rows=[r for r, _ in short],
        values=[f"{n} fields" for _, n in short],
    )


def _read_excel(path: Path, sheet: str | None, report: CheckReport) -> pd.DataFrame:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise DataInputError(f"{path}: cannot be opened as an Excel workbook ({exc.__class__.__name__})") from None
    names = book.sheetnames
    if sheet and sheet not in names:
        raise DataInputError(f"{path}: no sheet named '{sheet}' ({SHEET_VAR}); the workbook has {names}")
    ws = book[sheet or names[0]]
    report.sheet, report.sheets = ws.title, list(names)
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise DataInputError(f"{path}: sheet '{ws.title}' is empty")
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)


def read_cells(path: Path, report: CheckReport, encoding=None, sheet=None) -> tuple[list[str], pd.DataFrame]:
    """The header (as in the file) and the cells (positional columns), nothing converted."""
    suffix = path.suffix.lower()
    report.file_format = suffix.lstrip(".")
    if suffix in (".csv", ".tsv", ".txt"):
        typed = _read_text_typed(path, encoding, report)
        if typed is not None:
            return typed
        grid = _read_text(path, encoding, report)
        header, cells = [str(h) for h in grid.iloc[0]], grid.iloc[1:].reset_index(drop=True)
    elif suffix == ".xlsx":
        grid = _read_excel(path, sheet, report)
        header = ["" if h is None else str(h) for h in grid.iloc[0]]
        cells = grid.iloc[1:].reset_index(drop=True)
    elif suffix == ".dta":
        return _read_stata(path, report)
    else:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:
            raise DataInputError(f"{path}: cannot be read as {suffix} ({exc.__class__.__name__}: {exc})") from None
        if suffix == ".parquet" and not _default_index(frame.index):
            names = [str(n) for n in frame.index.names if n is not None] or ["index"]
            frame = frame.reset_index()
            report.notes.append(
                Bilingual(
                    f"the ids stored in the Parquet file's index ({', '.join(names)}) are read as columns.",
                    f"Parquet 文件索引中保存的编号（{'、'.join(names)}）按列读取。",
                )
            )
        header = [str(c) for c in frame.columns]
        cells = frame.reset_index(drop=True)
        cells.columns = range(len(header))
    return header, cells


def _read_stata(path: Path, report: CheckReport) -> tuple[list[str], pd.DataFrame]:
    """A Stata file's header and cells: value labels applied, the numeric codes kept for ids and years.

    An id carrying value labels (industry names on industry codes) keeps the file's own numbers
    (``report.codes``); when a column's labels are not unique, no labels are applied and the report says so.
    """
    try:
        codes = pd.read_stata(path, convert_categoricals=False)
    except Exception as exc:
        raise DataInputError(f"{path}: cannot be read as .dta ({exc.__class__.__name__}: {exc})") from None
    try:
        labelled = pd.read_stata(path)
    except ValueError as exc:
        match = re.search(r"column (\S+) are not unique", str(exc))
        column = match.group(1) if match else "?"
        report.notes.append(
            Bilingual(
                f"the value labels of Stata column {column} are not unique (two codes share "
                "a label), so every column is read as its numeric codes, labels not applied.",
                f"Stata 列 {column} 的值标签不唯一（两个代码共用一个标签），因此每一列都按其数值代码读取，不应用标签。",
            )
        )
        labelled = codes
    header = [str(c) for c in labelled.columns]
    cat = [i for i, c in enumerate(labelled.columns) if isinstance(labelled[c].dtype, pd.CategoricalDtype)]
    report.codes = {i: codes.iloc[:, i].reset_index(drop=True) for i in cat}
    cells = labelled.reset_index(drop=True)
    cells.columns = range(len(header))
    return header, cells


def _default_index(index: pd.Index) -> bool:
    """Whether a Parquet frame's index is pandas' default (0, 1, ...) and holds no data."""
    if isinstance(index, pd.MultiIndex) or index.name is not None:
        return False
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def read_header(path: Path) -> list[str]:
    """The file's column names only (cheap: used for the page banner's level)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        raw = path.read_bytes()[:65536]
        if b"\n" in raw:
            raw = raw[: raw.rfind(b"\n")]
        enc = os.environ.get(ENCODING_VAR) or None
        try:
            text, _ = _decode(raw, path, enc)
        except DataInputError:
            text = raw.decode(enc or "utf-8", errors="ignore")
        text = text.lstrip("\ufeff")
        first = text.splitlines()[0] if text.strip() else ""
        return next(csv.reader([first], delimiter=_sniff_delimiter(text, suffix)), [])
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return [n for n in pq.read_schema(path).names if n != "__index_level_0__"]
    if suffix == ".dta":
        with pd.read_stata(path, iterator=True) as reader:
            return [str(c) for c in reader.read(1).columns]
    if suffix == ".xlsx":
        report = CheckReport(path=path)
        return read_cells(path, report, sheet=os.environ.get(SHEET_VAR) or None)[0]
    raise DataInputError(f"{path}: unsupported file type '{suffix}'")


# --------------------------------------------------------------------------- cell parsing
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DEC_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?$")
_INF = {"inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"}
_NA_CODES = {"na", "n/a", "nan", "null", "none", "missing", "-", "--", "缺失"}


#: What a refused cell holds (:func:`_token_kind`, English as ``make check-data`` prints it), in Chinese.
TOKEN_KIND_ZH = {
    "an infinite value (must be finite)": "无穷大的值（必须为有限值）",
    "a spreadsheet error value: fix the formula or leave the cell empty": (
        "电子表格的错误值：请修正公式，或把单元格留空"
    ),
    "Stata's missing-value dot: leave the cell empty for a missing value": (
        "缺失值点号（Stata 的写法）：缺失值请留空单元格"
    ),
    "a text missing-value code: leave the cell empty for a missing value": "表示缺失值的文字代码：缺失值请留空单元格",
    "a thousands separator: remove the commas": "千位分隔符：请删去逗号",
    "a decimal comma (or thousands separator): write 3.5, not 3,5": "小数逗号（或千位分隔符）：请写 3.5，而不是 3,5",
    "a percent sign: give the number without % (in the unit the dictionary states)": (
        "百分号：请给出不带 % 的数值（按数据字典规定的计量口径）"
    ),
    "a date (a spreadsheet date cell?): give the number itself, for a year the integer 2013": (
        "日期（电子表格的日期单元格？）：请给出数值本身，年份请写整数，如 2013"
    ),
    "text in a numeric column": "数值列中的文字",
}


def token_kind(kind: str) -> Bilingual:
    """A kind of refused cell (a key of :func:`parse_numbers`' kinds) in English and in Chinese."""
    return Bilingual(kind, TOKEN_KIND_ZH[kind])


def _token_kind(text: str) -> str:
    t = text.strip()
    low = t.lower()
    if low in _INF:
        return "an infinite value (must be finite)"
    if t.startswith("#"):
        return "a spreadsheet error value: fix the formula or leave the cell empty"
    if t == ".":
        return "Stata's missing-value dot: leave the cell empty for a missing value"
    if low in _NA_CODES:
        return "a text missing-value code: leave the cell empty for a missing value"
    if _THOUSANDS.match(t) and not _DEC_COMMA.match(t):
        return "a thousands separator: remove the commas"
    if _DEC_COMMA.match(t):
        return "a decimal comma (or thousands separator): write 3.5, not 3,5"
    if t.endswith("%"):
        return "a percent sign: give the number without % (in the unit the dictionary states)"
    if _DATE.match(t):
        return "a date (a spreadsheet date cell?): give the number itself, for a year the integer 2013"
    return "text in a numeric column"


def parse_numbers(series: pd.Series) -> tuple[pd.Series, dict[str, pd.Series], pd.Series]:
    """Strictly parse one column: values (float, NaN where empty), refused tokens by kind, empty mask.

    Typed columns (from .dta or .parquet) pass through; text cells must be plain decimal numbers.
    """
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(object)
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype(float)
        return values, {}, values.isna()
    obj = series.astype(object)
    is_num = obj.map(lambda v: isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool))
    text = obj.where(~is_num).map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    stripped = text.str.strip()
    empty = ~is_num & stripped.eq("")
    empty |= is_num & obj.map(lambda v: isinstance(v, float | np.floating) and np.isnan(v))
    ok_text = ~is_num & stripped.str.match(_NUMBER)
    values = pd.Series(np.nan, index=series.index, dtype=float)
    values[is_num] = obj[is_num].astype(float)
    values[ok_text] = stripped[ok_text].astype(float)
    bad = ~is_num & ~empty & ~ok_text
    kinds: dict[str, pd.Series] = {}
    if bad.any():
        kind = stripped[bad].map(_token_kind)
        for k in kind.unique():
            kinds[k] = kind.index[kind == k]
    return values, kinds, empty


# --------------------------------------------------------------------------- names and level
def load_column_map(value: str | None) -> dict[str, str]:
    """The YAML column map: your file's column name (left) -> the book's name (right)."""
    if not value or not value.strip():
        return {}
    import yaml

    path = resolve_user_path(value, COLUMNS_VAR)
    if not path.is_file():
        raise DataInputError(
            f"{COLUMNS_VAR}={value}: no such file ({path}). A relative path is read from the directory you ran make in."
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # a map saved by a Chinese-locale editor: GBK/GB18030
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            msg = f"{path}: the column map is neither UTF-8 nor GB18030 text; save it as UTF-8"
            raise DataInputError(msg) from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise DataInputError(
            f"{path}: not readable as YAML{line}; write one `your_column: book_name` per line"
        ) from None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise DataInputError(
            f"{path}: the column map must be lines of the form `your_column: book_name`, "
            "e.g. `erl_total: ERL` (your file's column on the left, the book's name on the right)"
        )
    return {str(k): v.strip() for k, v in loaded.items()}


def _match(header: list[str], level: str, cmap: dict[str, str], report: CheckReport | None):
    """Book name -> (position, user name, status) for one level; records naming conflicts."""
    index = schema.name_index(level)
    book_names = {normalise: book for normalise, book in index.items()}
    known = {v.name for v in (schema.ANALYSIS_VARIABLES if level == "analysis" else schema.RAW_VARIABLES)}
    by_norm = {schema.normalise_name(k): v for k, v in cmap.items()}
    hits: dict[str, list[tuple[int, str, str]]] = {}
    for pos, name in enumerate(header):
        target, status = None, "matched"
        if name in cmap or schema.normalise_name(name) in by_norm:
            target = cmap.get(name) or by_norm[schema.normalise_name(name)]
            status = "mapped"
            if target not in known:
                target = book_names.get(schema.normalise_name(target), target)
        else:
            target = index.get(schema.normalise_name(name))
        if target in known:
            hits.setdefault(target, []).append((pos, name, status))
    if report is not None:
        for book, lst in hits.items():
            if len(lst) > 1:
                names = [repr(n) for _, n, _ in lst]
                report.add(
                    Bilingual(
                        f"{len(lst)} of your columns match the book's '{book}' "
                        f"({', '.join(names)}); keep one or map the others elsewhere",
                        f"你的文件中有 {len(lst)} 列与本书的 '{book}' 相符（{'、'.join(names)}）："
                        "请只保留一列，或把其余各列映射到别的变量",
                    ),
                    column=book,
                )
    return {book: lst[0] for book, lst in hits.items()}


def detect_level(header: list[str], cmap: dict[str, str]) -> tuple[str | None, dict, dict]:
    """The input level the columns show, and the matches of both levels.

    ``"analysis"`` when every required finished variable is there (even if raw inputs or the 24
    indicators are there too: the finished variables are used as given); ``"raw"`` when at least
    ten raw-input columns are; ``"analysis"`` when ERL or AIE is; else None.
    """
    raw = _match(header, "raw", cmap, None)
    ana = _match(header, "analysis", cmap, None)
    shared = {"unit_id", "industry_id", "province_id", "year", "industry_type", "chain_position", "tech_level",
              "factor_market_index"}  # fmt: skip
    raw_only = [b for b in raw if b not in shared]
    if all(v.name in ana for v in schema.ANALYSIS_VARIABLES if v.required):
        return "analysis", raw, ana  # finished variables win: raw inputs alongside them are not used
    if len(raw_only) >= 10:
        return "raw", raw, ana
    if "ERL" in ana or "AIE" in ana:
        return "analysis", raw, ana
    return None, raw, ana


# --------------------------------------------------------------------------- the report
#: The words of the report (:func:`render_report`), one template per language, filled with the same values.
_REPORT = {
    "en": {
        "head": "Data check: {path}",
        "format": "format {0}", "encoding": "encoding {0}", "delimiter": "delimiter {0}", "sheet": "sheet '{0}'",
        "sep": ", ",
        "rows": ", {0} data rows (rows below count from 0, the first data row: spreadsheet row = row + 2)",
        "analysis": "analysis level: your finished variables, used as given",
        "raw": "raw-input level: the book computes every index from your inputs",
        None: "not recognised",
        "level": "Level: {0}", "variables": "Variables (book's name: how found):",
        "computed_raw": "  computed from your raw inputs (equations 6-18): {0}",
        "same": "  ... and {0} raw-input columns matched under the book's own names",
        "how": " ({0})",
        "balanced": "balanced",
        "unbalanced": "unbalanced: {missing_unit_years} unit-years missing; {units_with_gaps} units with gaps, "
        "{units_entering_late} entering late, {units_leaving_early} leaving early",
        "duplicates": "; {duplicate_unit_years} duplicated unit-year(s), see the violations",
        "panel": "Panel:",
        "shape": "  {rows} rows, {units} units, {industries} industries ({units_per_industry} units each), "
        "{n_years} years ({years}); {bal}",
        "tables": "Tables:", "built": "  {0}: can be built", "notes": "Notes:",
        "warnings": "Warnings ({0}):", "violations": "Violations ({0}):",
        "failed": "Result: FAILED, {0} violation(s). The file was not changed. Fix them and run "
        "`make check-data` again.",
        "ok": "Result: OK ({0} warning(s)). The book can be built from this file.",
    },
    "zh": {
        "head": "数据检查：{path}",
        "format": "格式 {0}", "encoding": "编码 {0}", "delimiter": "分隔符 {0}", "sheet": "工作表 '{0}'",
        "sep": "，",
        "rows": "，{0} 个数据行（下文的行号从 0 起算，0 即第一个数据行：电子表格中的行号 = 行号 + 2）",
        "analysis": "分析层：你的最终变量，按原样使用",
        "raw": "原始输入层：本书根据你的原始输入计算每一个指数",
        None: "未能识别",
        "level": "层级：{0}", "variables": "变量（本书的变量名：如何找到）：",
        "computed_raw": "  由你的原始输入计算（式（6）–（18））：{0}",
        "same": "  ……另有 {0} 个原始输入列按本书自己的变量名匹配",
        "how": "（{0}）",
        "balanced": "平衡面板",
        "unbalanced": "非平衡面板：缺少 {missing_unit_years} 个个体—年份；{units_with_gaps} 个个体的年份有缺口，"
        "{units_entering_late} 个较晚进入，{units_leaving_early} 个提前退出",
        "duplicates": "；{duplicate_unit_years} 个个体—年份重复，见违规之处",
        "panel": "面板：",
        "shape": "  {rows} 行，{units} 个个体，{industries} 个行业（每个行业 {units_per_industry} 个个体），"
        "{n_years} 年（{years}）；{bal}",
        "tables": "表格：", "built": "  {0}：可以生成", "notes": "附注：",
        "warnings": "警告（{0} 条）：", "violations": "违规之处（{0} 处）：",
        "failed": "结果：未通过，共 {0} 处违规。文件未被改动。请逐一修正后再次运行 `make check-data`。",
        "ok": "结果：通过（{0} 条警告）。可以用这个文件构建本书。",
    },
}  # fmt: skip

#: The report's words for how a variable was found, the delimiters and the tables, in Chinese.
_STATUS_ZH = {"matched": "按名称匹配", "mapped": "经映射", "computed": "由本书计算", "absent": "缺失"}
_DELIMITER_ZH = {"tab": "制表符", "comma": "逗号", "semicolon": "分号", "pipe": "竖线"}


def _zh_word(word, table: dict, lang: str) -> str:
    return table.get(word, word) if lang == "zh" else word


def _report_head(r: CheckReport, words: dict, lang: str) -> list[str]:
    """The file, its fingerprint, its format and rows, and the level recognised."""
    lines = [words["head"].format(path=r.path), f"  sha256 {r.sha256}"]
    fmt = [words["format"].format(r.file_format)]
    if r.encoding:
        fmt += [
            words["encoding"].format(r.encoding),
            words["delimiter"].format(_zh_word(r.delimiter, _DELIMITER_ZH, lang)),
        ]
    if r.sheet:
        fmt.append(words["sheet"].format(r.sheet))
    lines += ["  " + words["sep"].join(fmt) + words["rows"].format(r.n_rows)]
    return [*lines, "", words["level"].format(words[r.level]), ""]


def _report_variables(r: CheckReport, words: dict, lang: str) -> list[str]:
    """How each of the book's variables was found (raw files: only what was renamed, mapped or is absent)."""
    lines = [words["variables"]]
    width = max((len(k) for k in r.found), default=10) + 1
    computed_raw = [n for n, f in r.found.items() if r.level == "raw" and f.status == "computed"]
    if computed_raw:
        lines.append(words["computed_raw"].format(", ".join(computed_raw)))
    for name, f in r.found.items():
        if r.level == "raw" and (f.status == "computed" or (f.status == "matched" and f.user_column == name)):
            continue
        src = f" <- '{f.user_column}'" if f.user_column else ""
        how = words["how"].format(in_language(f.how, lang)) if f.how else ""
        lines.append(f"  {name:<{width}} {_zh_word(f.status, _STATUS_ZH, lang)}{src}{how}")
    if r.level == "raw":
        lines.append(words["same"].format(sum(1 for f in r.found.values() if f.status == "matched")))
    return lines


def _report_panel_and_tables(r: CheckReport, words: dict, lang: str) -> list[str]:
    """The panel's shape, the tables that can be built and why the others cannot, and the notes."""
    lines = []
    if r.shape:
        s = r.shape
        bal = words["balanced"] if s["balanced"] else words["unbalanced"].format(**s)
        if s["duplicate_unit_years"]:
            bal += words["duplicates"].format(**s)
        lines += ["", words["panel"], words["shape"].format(**{**s, "bal": bal})]
    if r.tables:
        lines += ["", words["tables"]]
        for table, why in r.tables.items():
            # the reason names the table and the columns it cannot build ("Table 4 columns (2)-(4) need ...")
            name = table.replace("Table ", "表 ") if lang == "zh" else table
            lines.append(words["built"].format(name) if why is None else f"  {in_language(why, lang)}")
    if r.notes:
        lines += ["", words["notes"]] + [f"  - {in_language(n, lang)}" for n in r.notes]
    return lines


def render_report(r: CheckReport, lang: str = "en") -> str:
    """The text ``make check-data`` prints (``lang="en"``), or the same report in Chinese (``"zh"``: its
    headings, labels and every rule and reason in Chinese; names, values and commands as they are); the
    result line comes last."""
    words = _REPORT[lang]
    lines = _report_head(r, words, lang) + _report_variables(r, words, lang)
    lines += _report_panel_and_tables(r, words, lang)
    if r.warnings:
        lines += ["", words["warnings"].format(len(r.warnings))] + [f"  - {v.text(lang)}" for v in r.warnings]
    if r.errors:
        lines += ["", words["violations"].format(len(r.errors))] + [f"  - {v.text(lang)}" for v in r.errors]
        lines += ["", words["failed"].format(len(r.errors))]
    else:
        lines += ["", words["ok"].format(len(r.warnings))]
    return "\n".join(lines)


def labels_for(name: str) -> dict[str, str]:
    """Normalised spelling -> canonical label for a group column (see :data:`schema.GROUP_LABELS`)."""
    return {schema.normalise_name(s): canon for canon, spells in GROUP_LABELS[name].items() for s in spells}


def variables(level: str) -> list[Variable]:
    return list(schema.ANALYSIS_VARIABLES if level == "analysis" else schema.RAW_VARIABLES)
