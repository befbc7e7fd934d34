"""The run-anywhere kit and the course pack that the built site offers (``_build/html/kit/``).

* :func:`build_wheel` writes a wheel of :mod:`aichain_utils` that carries the book's ``data/`` folder
  (``aichain_utils/_book/data``, where :func:`aichain_utils.paths.repo_root` finds it when the package
  is not inside a checkout), so that a downloaded chapter notebook runs in any Python 3.11 environment
  after two commands (:data:`RUN_COMMANDS`). The wheel is written without a build backend, and kept in
  ``_build/kit-cache/<digest>/`` under the digest of what it is made of (:func:`wheel_inputs_digest`):
  a build whose package and data did not change copies it and builds nothing.
* :func:`assemble_kit` puts the wheel, the pinned ``requirements.txt`` and the course pack
  (``aichain-course-pack.zip``: the student edition's PDF and the handouts' PDF when ``make pdf
  EDITION=student`` has printed them, every chapter's executed notebook without its solutions, the
  data) into the site. The Chinese site's pack (issue 26) is the Chinese edition's: its PDFs are the
  Chinese ones (``aichain-student-zh.pdf``, ``aichain-handouts-zh.pdf``), its README is in Chinese, and
  its notebooks are the same executed notebooks (the same code, outputs and numbers) with every Markdown
  heading, paragraph and list item that the chapter's catalogue translates in Chinese. The Sphinx
  extension calls it when a build finishes; ``tools/course_pack.py`` calls it after ``make pdf`` has
  printed the PDFs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import tomllib
import zipfile
from collections.abc import Mapping
from pathlib import Path

from aichain_utils.book.glossary import is_chinese
from aichain_utils.book.handouts import chapter_catalogue, translated
from aichain_utils.errors import input_error

__all__ = [
    "DOWNLOAD_WORDS",
    "KIT_DIR",
    "NEEDS_REPOSITORY",
    "NEEDS_REPOSITORY_ZH",
    "PACK_NAME",
    "RUN_COMMANDS",
    "assemble_kit",
    "build_wheel",
    "download_words",
    "package_version",
    "translated_markdown",
    "translated_notebook",
    "wheel_inputs_digest",
    "wheel_name",
]

#: Where the kit sits in the site (``_build/html/kit``).
KIT_DIR = "kit"
#: The course pack's file name in the kit.
PACK_NAME = "aichain-course-pack.zip"
#: Where the wheel carries the book's data (:func:`aichain_utils.paths.repo_root`).
BUNDLE = "_book"
#: The PDFs of ``make pdf EDITION=student`` (in ``_build/pdf``) that go into the course pack.
STUDENT_PDF = "aichain-student.pdf"
HANDOUTS_PDF = "aichain-handouts.pdf"
#: Their Chinese editions (``make pdf EDITION=student``; ``tools/course_pack.py`` prints the handouts).
STUDENT_PDF_ZH = "aichain-student-zh.pdf"
HANDOUTS_PDF_ZH = "aichain-handouts-zh.pdf"
#: A fixed time stamp for every member of the wheel and the pack: the same inputs give the same bytes.
_EPOCH = (2026, 1, 1, 0, 0, 0)
#: How to run a downloaded chapter notebook on one's own machine (Python 3.11), from the folder that
#: holds the notebook, the wheel and ``requirements.txt``.
#: Chapters whose notebook does not run from the kit alone, and why: they need the repository's files.
NEEDS_REPOSITORY = {"chapters/validation": "it reruns the comparisons of the test suite's tests/reference"}

RUN_COMMANDS = (
    "python -m pip install -r requirements.txt {wheel}",
    "python -m jupyter lab {notebook}",
)

#: The words of a chapter's download menu entries (the wheel, the requirements, how to run the notebook;
#: :func:`aichain_utils.book.sphinxext`'s ``_offer_kit_download``), in each edition's language
#: (:func:`download_words`): ``run`` takes the two commands, ``run_repository`` the reason of
#: :data:`NEEDS_REPOSITORY` (``why``; :data:`NEEDS_REPOSITORY_ZH` in Chinese).
DOWNLOAD_WORDS = {
    "en": {
        "run": "Run it: {first} ; {second}",
        "run_repository": "Run it in a clone of the repository ({why}): make book",
        "wheel": ".whl (aichain_utils)",
        "wheel_tip": "The package, with the book's data",
        "requirements_tip": "The pinned packages",
        "run_tip": "Python 3.11, in the folder of the notebook, the wheel and requirements.txt",
    },
    "zh": {
        "run": "运行：{first} ; {second}",
        "run_repository": "在仓库的克隆中运行（{why}）：make book",
        "wheel": ".whl（aichain_utils 程序包）",
        "wheel_tip": "本书的程序包，附带本书的数据",
        "requirements_tip": "锁定版本的依赖包",
        "run_tip": "Python 3.11，在笔记本、wheel 与 requirements.txt 所在的文件夹中运行",
    },
}


#: :data:`NEEDS_REPOSITORY`'s reasons in Chinese, page by page.
NEEDS_REPOSITORY_ZH = {"chapters/validation": "该章会重新运行测试套件 tests/reference 中的对照"}


def download_words(language: str | None, pagename: str = "") -> dict[str, str]:
    """The download menu's words in the edition's language (Sphinx's ``language``: ``zh_CN`` is
    Chinese, anything else English), with ``why``: the reason ``pagename`` needs the repository (its
    :data:`NEEDS_REPOSITORY` entry, in that language), or "" when it does not."""
    chinese = (language or "").startswith("zh")
    words = dict(DOWNLOAD_WORDS["zh" if chinese else "en"])
    reasons = NEEDS_REPOSITORY_ZH if chinese else NEEDS_REPOSITORY
    words["why"] = reasons.get(pagename, "") if pagename in NEEDS_REPOSITORY else ""
    return words


def _root() -> Path:
    return Path(__file__).resolve().parents[2]


def package_version(root: Path | None = None) -> str:
    """The package's version, as ``pyproject.toml`` gives it."""
    root = root or _root()
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def wheel_name(root: Path | None = None) -> str:
    """The wheel's file name, e.g. ``aichain_utils-0.1.0-py3-none-any.whl``."""
    return f"aichain_utils-{package_version(root)}-py3-none-any.whl"


def _wheel_members(root: Path) -> list[tuple[str, Path]]:
    """(name in the wheel, file) for the package's files and the book's data, in a fixed order.

    The bundle (``aichain_utils/_book``) stands for the repository's root: it holds ``data/`` and a copy
    of the package's sources as ``aichain_utils/*.py``, which the stored results' fingerprints read
    (:func:`aichain_utils.replication.lab.monte_carlo_fingerprint` hashes ``repo_root() / "aichain_utils" / name``).
    """
    members, sources = [], []
    package = root / "aichain_utils"
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and "__pycache__" not in rel.parts and rel.parts[0] != BUNDLE and path.suffix != ".pyc":
            members.append((f"aichain_utils/{rel.as_posix()}", path))
            if path.suffix == ".py":
                sources.append((f"aichain_utils/{BUNDLE}/aichain_utils/{rel.as_posix()}", path))
    members += sources
    for path in sorted((root / "data").rglob("*")):
        if path.is_file():
            members.append((f"aichain_utils/{BUNDLE}/data/{path.relative_to(root / 'data').as_posix()}", path))
    return members


def wheel_inputs_digest(root: Path | None = None) -> str:
    """SHA-256 of what the wheel is made of: the package, ``data/`` and ``pyproject.toml``."""
    root = root or _root()
    h = hashlib.sha256((root / "pyproject.toml").read_bytes())
    for name, path in _wheel_members(root):
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(root: Path, target: Path) -> None:
    """Write the wheel (PEP 427: the files, then METADATA, WHEEL and RECORD in ``.dist-info``)."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    version = project["version"]
    info = f"aichain_utils-{version}.dist-info"
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: aichain_utils\nVersion: {version}\n"
        f"Summary: {project.get('description', '')}\n"
        f"Requires-Python: {project.get('requires-python', '')}\n"
        "License: MIT\n"
    )
    wheel = "Wheel-Version: 1.0\nGenerator: aichain_utils.book.kit\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files = [(name, path.read_bytes()) for name, path in _wheel_members(root)]
    files += [(f"{info}/METADATA", metadata.encode()), (f"{info}/WHEEL", wheel.encode())]
    record = "\n".join([*(_record_line(n, d) for n, d in files), f"{info}/RECORD,,"]) + "\n"
    files.append((f"{info}/RECORD", record.encode()))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(zipfile.ZipInfo(name, _EPOCH), data, zipfile.ZIP_DEFLATED)
    partial.replace(target)


def build_wheel(out_dir: Path, cache: Path, root: Path | None = None) -> Path:
    """The wheel of the package in ``out_dir``, from the cache when its inputs did not change.

    Parameters
    ----------
    out_dir : Path
        Where the wheel goes (the site's ``kit`` folder).
    cache : Path
        The wheel cache (``_build/kit-cache``); one folder per inputs digest, the last three kept.
    root : Path, optional
        The repository root.

    Returns
    -------
    Path
        The wheel in ``out_dir``.
    """
    root = root or _root()
    cached = cache / wheel_inputs_digest(root) / wheel_name(root)
    if not cached.is_file():
        _write_wheel(root, cached)
        folders = sorted((p for p in cache.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in folders[:-3]:
            shutil.rmtree(old, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / cached.name
    if not target.is_file() or target.read_bytes() != cached.read_bytes():
        shutil.copy2(cached, target)
    return target


_SOLUTION = re.compile(r"^:::\{solution\}.*?^:::[ \t]*$\n?", re.M | re.S)


_HEADING = re.compile(r"^(#{1,6}\s+)(.+?)\s*$")
_FENCE = re.compile(r"^(\s*(?::{3,}|`{3,})\{[\w:-]+\}\s*)(.*?)\s*$")
_OPTION = re.compile(r"^\s*(?::[\w-]+:|:{3,}\s*$|`{3,}\s*$)")  # an option, a closing fence


def _check_translation_input(source, catalogue) -> None:
    """:func:`translated_markdown`'s input rules: the source a string, the catalogue a mapping of English
    strings to non-empty strings."""
    if not isinstance(source, str):
        rule = "must be a notebook Markdown cell's text (a str)"
        raise input_error("source", rule, [type(source).__name__], what="types")
    if not isinstance(catalogue, Mapping):
        rule = "must map English texts to their translations (a dict)"
        raise input_error("catalogue", rule, [type(catalogue).__name__], what="types")
    bad = [k for k, v in catalogue.items() if not isinstance(k, str) or not isinstance(v, str) or not v.strip()]
    if bad:
        raise input_error("catalogue", "every entry must map a str to a non-empty str", bad, what="entries")


def translated_markdown(source: str, catalogue: dict[str, str]) -> str:
    """A notebook's Markdown cell with each heading, directive title (an exercise's, a table's caption),
    paragraph and list item that the chapter's catalogue translates in the catalogue's language
    (:func:`aichain_utils.book.handouts.translated` between the directives' fences and options); fences,
    options, equations and what has no translation stay as they are.

    Raises
    ------
    AichainInputError
        ``source`` is not a string, or ``catalogue`` is not a mapping of English strings to non-empty
        Chinese strings (naming the offending entries).
    """
    _check_translation_input(source, catalogue)
    if not catalogue:
        return source
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(translated("\n".join(run), catalogue))
            run.clear()

    for line in source.split("\n"):
        head = _HEADING.match(line) or _FENCE.match(line)
        if head or _OPTION.match(line):
            flush()
            english = " ".join(head.group(2).split()) if head else ""
            out.append(head.group(1) + catalogue[english] if english in catalogue else line)
        else:
            run.append(line)
    flush()
    return "\n".join(out)


def translated_notebook(source: str, catalogue: dict[str, str]) -> str:
    """An .ipynb (``source``: its JSON text) with every Markdown cell in the catalogue's language
    (:func:`translated_markdown`); code cells, outputs and metadata as they are. With an empty catalogue
    (the English edition) the text is returned unchanged.

    Raises
    ------
    AichainInputError
        ``source`` is not the JSON of a notebook (an object with a list of ``cells``), or the catalogue is not
        a mapping of English strings to non-empty strings.
    """
    _check_translation_input(source, catalogue)
    if not catalogue:
        return source
    try:
        nb = json.loads(source)
    except ValueError as exc:
        raise input_error("source", f"must be a notebook's JSON ({exc})", [source[:40]], what="starts") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise input_error(
            "source", "must be a notebook: a JSON object with a list of cells", [source[:40]], what="starts"
        )
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = translated_markdown(source, catalogue)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _student_notebook(path: Path, catalogue: dict[str, str] | None = None) -> bytes:
    """A chapter's executed notebook without its solutions (the course pack is the students'), its Markdown
    in the language of ``catalogue`` (the chapter's translations; empty: as written)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = translated_markdown(_SOLUTION.sub("", source), catalogue or {})
    return json.dumps(nb, indent=1, ensure_ascii=False).encode()


#: The course pack's ``README.txt`` in each language ({first} and {second}: :data:`RUN_COMMANDS`; {needs}: a
#: line per chapter of :data:`NEEDS_REPOSITORY`; {wheel}; {pdfs}: a line per PDF, or the "no PDF" line).
README = {
    "en": """aichain course pack

Run a chapter's notebook on your own machine (Python 3.11), from this folder:

    {first}
    {second}

The first command installs the pinned packages and aichain_utils (which carries the book's data);
the second opens the notebook (a chapter in notebooks/). Use a fresh virtual environment
(python3.11 -m venv .venv, then activate it) if you do not want the pins in your own Python.
{needs}
Contents:
  notebooks/   every chapter's executed notebook, without the exercises' solutions
  data/        the paper's published tables, the data dictionary and templates, the simulated world
  {wheel}, requirements.txt   the package and its pinned requirements
{pdfs}""",
    "zh": """aichain 课程资料包（中文版）

在自己的电脑上（Python 3.11）运行某一章的笔记本：在本文件夹中执行

    {first}
    {second}

第一条命令安装锁定版本的依赖包和 aichain_utils（其中带有本书的数据）；第二条命令打开笔记本
（notebooks/ 中的一章）。如果不想把这些版本装进自己的 Python，请先新建一个虚拟环境
（python3.11 -m venv .venv，然后激活它）。
{needs}
内容：
  notebooks/   每一章已执行的笔记本（不含练习的解答）：正文为中文，代码、输出和数字与英文版相同
  data/        论文公布的表格、数据字典与模板、模拟世界
  {wheel}, requirements.txt   程序包及其锁定版本的依赖
{pdfs}""",
}
_README_LINES = {
    "en": (
        "The {chapter} chapter needs the repository: {why}.",
        "  (no PDF: the site was built without `make pdf EDITION=student`)",
    ),
    "zh": (
        "{chapter} 一章需要本书的代码仓库：{why}。",
        "  （没有 PDF：本站点构建时未运行 `make pdf EDITION=student`）",
    ),
}


def _readme(wheel: str, pdfs: list[str], language: str | None = None) -> str:
    """The pack's ``README.txt``, in the pack's language (:data:`README`)."""
    lang = "zh" if is_chinese(language) else "en"
    first, second = (c.format(wheel=wheel, notebook="notebooks/baseline.ipynb") for c in RUN_COMMANDS)
    needs_line, no_pdf = _README_LINES[lang]
    reasons = NEEDS_REPOSITORY_ZH if lang == "zh" else NEEDS_REPOSITORY
    needs = "".join(needs_line.format(chapter=page.split("/")[-1], why=why) + "\n" for page, why in reasons.items())
    shown = "".join(f"  {name}\n" for name in pdfs) or no_pdf + "\n"
    return README[lang].format(first=first, second=second, needs=needs, wheel=wheel, pdfs=shown)


def _pack_members(
    site: Path, build: Path, root: Path, wheel: Path, language: str | None = None
) -> dict[str, Path | bytes]:
    """What the pack holds, by member name: files, or bytes (the README, and the notebooks without their
    solutions, in the pack's language)."""
    names = (STUDENT_PDF_ZH, HANDOUTS_PDF_ZH) if is_chinese(language) else (STUDENT_PDF, HANDOUTS_PDF)
    pdfs = [p for p in (build / "pdf" / name for name in names) if p.is_file()]
    members: dict[str, Path | bytes] = {"README.txt": _readme(wheel.name, [p.name for p in pdfs], language).encode()}
    members[wheel.name] = wheel
    members["requirements.txt"] = root / "requirements.txt"
    for pdf in pdfs:
        members[pdf.name] = pdf
    for nb in sorted((site / "_sources" / "chapters").glob("*.ipynb")):
        members[f"notebooks/{nb.name}"] = _student_notebook(nb, chapter_catalogue(root, nb.stem, language))
    for sub in ("published", "templates", "simulation", "glossary.csv"):
        path = root / "data" / sub
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            members[f"data/{f.relative_to(root / 'data').as_posix()}"] = f
    return members


def _pack_digest(members: dict[str, Path | bytes]) -> str:
    h = hashlib.sha256()
    for name, value in members.items():
        state = value if isinstance(value, bytes) else f"{value.stat().st_size}:{value.stat().st_mtime_ns}".encode()
        h.update(name.encode() + b"\0" + state + b"\0")
    return h.hexdigest()


def _write_pack(target: Path, members: dict[str, Path | bytes]) -> None:
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, value in members.items():
            data = value if isinstance(value, bytes) else value.read_bytes()
            stored = name.endswith((".pdf", ".whl", ".png"))  # compressed already
            zf.writestr(zipfile.ZipInfo(f"aichain-course-pack/{name}", _EPOCH), data,
                        zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)  # fmt: skip
    partial.replace(target)


def assemble_kit(site: Path, build: Path | None = None, root: Path | None = None, language: str | None = None) -> Path:
    """Put the wheel, ``requirements.txt`` and the course pack into ``site/kit``.

    The pack is rewritten only when one of its members changed (sizes and times of its files).

    Parameters
    ----------
    site : Path
        The built site (``_build/html``).
    build : Path, optional
        The build folder (default: the site's parent): ``pdf/`` and ``kit-cache/`` are read there.
    root : Path, optional
        The repository root.
    language : str, optional
        The site's language (``zh_CN``: the Chinese edition's pack; default English).

    Returns
    -------
    Path
        The kit folder.
    """
    root = root or _root()
    build = build or site.parent
    kit = site / KIT_DIR
    wheel = build_wheel(kit, build / "kit-cache", root)
    shutil.copy2(root / "requirements.txt", kit / "requirements.txt")
    members = _pack_members(site, build, root, wheel, language)
    stamp = kit / ".pack-digest"
    digest = _pack_digest(members)
    pack = kit / PACK_NAME
    if not pack.is_file() or not stamp.is_file() or stamp.read_text(encoding="utf-8").strip() != digest:
        _write_pack(pack, members)
        stamp.write_text(digest + "\n", encoding="utf-8")
    return kit
