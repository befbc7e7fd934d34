"""The package's Chinese words are the catalogues' (issue 26): no variant of a glossary term in a string literal.

The Chinese edition's prose comes from two places: the catalogues (``locale/zh_CN``), which the glossary
test reads, and the package's computed sentences (:class:`aichain_utils.text.Bilingual`). This test reads
every string literal of ``aichain_utils/**/*.py`` (with :mod:`ast`, f-strings included, their placeholders
as written) and fails, naming file and line, on a variant the catalogues do not use:

* 单位 for a panel unit (the catalogues: 个体); 单位 in its other senses stays: 每单位 (per unit of),
  观测单位 (unit of observation), 标准差单位 (standard-deviation units), 单位的改变 (a change of units)
  and the paper's own 单位产出;
* 一次抽取 (the catalogues: 一次抽样), 已发表 (公布的);
* "第 6 列" for "column (6)" (the catalogues: 第（6）列);
* 中央95%区间 and 有效F统计量 unspaced (the glossary: 中央 95% 区间, 有效 F 统计量).

**Planted:** a module with each variant fails on each, with its line; the allowed senses pass.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "aichain_utils"

#: A variant, and the catalogues' word it stands for.
BANNED: dict[str, re.Pattern] = {
    "单位 for a panel unit (write 个体)": re.compile(r"(?<!每)(?<!观测)(?<!标准差)单位(?!的改变|产出)"),
    "一次抽取 (write 一次抽样)": re.compile(r"一次抽取"),
    "已发表 (write 公布的)": re.compile(r"已发表"),
    "第 N 列 (write 第（N）列)": re.compile(r"第\s*(?:\d+|\{[^{}]*\})\s*列"),
    "中央95%区间 unspaced (write 中央 95% 区间)": re.compile(r"中央95|95%区间"),
    "有效F统计量 unspaced (write 有效 F 统计量)": re.compile(r"有效F|F统计量"),
}


def string_literals(source: str) -> list[tuple[int, str]]:
    """Every string literal of a module's ``source`` with its first line: plain strings by their value,
    f-strings as written (placeholders included), so that "第 {n} 列" is read as the page shows it."""
    lines = [line.encode("utf-8") for line in source.splitlines(keepends=True)]  # ast's offsets are in bytes
    out = []
    nodes = list(ast.walk(ast.parse(source)))
    parts = {id(v) for n in nodes if isinstance(n, ast.JoinedStr) for v in n.values}  # read with their f-string
    parts |= {id(n.format_spec) for n in nodes if isinstance(n, ast.FormattedValue) and n.format_spec}
    for node in nodes:
        if id(node) in parts:
            continue
        if isinstance(node, ast.JoinedStr):  # its text as written (ast.get_source_segment re-splits every time)
            first, last = node.lineno - 1, node.end_lineno - 1
            text = b"".join(lines[first : last + 1])
            end = len(text) - len(lines[last]) + node.end_col_offset
            out.append((node.lineno, text[node.col_offset : end].decode("utf-8")))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
    return out


def banned_variants(path: Path) -> list[str]:
    """``file:line: variant: text`` for each banned variant in a string literal of the module ``path``."""
    source = path.read_text(encoding="utf-8")
    hits = []
    for line, text in string_literals(source):
        for name, pattern in BANNED.items():
            for m in pattern.finditer(text):
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                hits.append(f"{where}:{line}: {name}: …{text[max(0, m.start() - 12) : m.end() + 12]}…")
    return hits


def test_the_package_writes_the_catalogues_chinese_words():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50
    hits = [h for path in modules for h in banned_variants(path)]
    assert not hits, "\n".join(hits)


def test_a_planted_variant_fails_with_its_file_and_line(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        "A = '含单位和年份效应'\n"
        "B = f'该世界的一次抽取，{x}'\n"
        "C = '已发表的数字'\n"
        "D = f'表 3 第 {n} 列'\n"
        "E = '表 3 第 6 列'\n"
        "F = '中央95%区间'\n"
        "G = '有效F统计量'\n"
        "OK = '每单位冲击；观测单位；标准差单位；单位的改变；单位产出；第（6）列；中央 95% 区间；有效 F 统计量'\n",
        encoding="utf-8",
    )
    hits = banned_variants(planted)
    lines = [int(h.split(":")[1]) for h in hits]
    assert lines == [1, 2, 3, 4, 5, 6, 7], hits
    assert hits[0].startswith(f"{planted}:1: 单位 for a panel unit")
    assert "已发表 (write 公布的)" in hits[2] and "第 N 列" in hits[3]
