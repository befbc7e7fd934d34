"""Sphinx extension: a data banner on every page, and numbered tables for executed outputs.

The banner says which data the book was built from; each chapter's download menu also offers the
executed notebook (.ipynb). The ``numbered-table`` directive gives a
table printed by a code cell a number and a caption, so the text can cross-reference it.

Enabled in ``_config.yml`` (``sphinx.extra_extensions``). The data source is decided at
build time by :func:`aichain_utils.inputs.panel.data_source` (environment variable
``AICHAIN_DATA``), the same switch the chapters use.
"""

from __future__ import annotations

import json
import os
import re
from html import escape
from pathlib import Path
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ConfigError
from sphinx.util.docutils import SphinxDirective

from aichain_utils.book import figurealt, glossary, searchwords, tablelabels
from aichain_utils.book.buildstate import COUNTERPART_ENV, inputs_fingerprint, keep_last_good, reset_if_changed
from aichain_utils.inputs.panel import data_source

__all__ = [
    "REPOSITORY_PLACEHOLDER",
    "STUDENT_PDF_NAME",
    "NumberedTableDirective",
    "banner_html",
    "banner_text_zh",
    "edition",
    "edition_pdf",
    "kit_substitutions",
    "numbered_table",
    "repository_settings",
    "setup",
    "shared_build",
    "solution_leaks",
    "strip_solutions",
    "without_maths",
]


def banner_text_zh(source) -> str:
    """:func:`aichain_utils.inputs.panel.banner_text` in the Chinese edition: the same facts (file, seed,
    digest) and the same warning that simulated estimates are no evidence about the paper's claims."""
    from aichain_utils.book.chapter import source_label_zh

    label = source_label_zh(source)
    if source.is_simulated:
        return (
            f"基于{label}构建。论文的数据不公开：本书的每一个估计值都在模拟数据上计算，是按论文校准的一个世界的"
            "一次抽样，不构成关于论文结论的任何证据。代码是否计算了它所声称的量，由外部程序检验（附录"
            "\u201c估计量的验证\u201d）；论文的研究设计能否产生其公布的数值，由最接近的模拟世界的抽样分布判断"
            "（\u201c复现概览\u201d）。"
        )
    return f"基于{label}构建。"


def banner_html(language: str = "en") -> str:
    """The banner's HTML for the data source in force (text: :func:`aichain_utils.inputs.panel.banner_text`),
    in the edition's ``language`` ("zh…": the Chinese edition)."""
    from aichain_utils.inputs.panel import banner_text

    source = data_source()
    kind = "simulated" if source.is_simulated else "licensed"
    chinese = language.startswith("zh")
    text = escape(banner_text_zh(source) if chinese else banner_text(source))
    head = "数据：" if chinese else "Data:"
    return f'<div class="aichain-data-banner aichain-data-{kind}" role="note"><strong>{head}</strong> {text}</div>'


def _add_banner(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = banner_html(app.config.language or "en") + context["body"]


def _executed_notebook(app, pagename: str) -> str:
    """The executed notebook of ``pagename`` as .ipynb text, with every output.

    With ``execute_notebooks: cache`` MyST-NB writes ``_build/jupyter_execute/<page>.ipynb`` from
    the unexecuted source when the outputs come from the cache, so that file can lack outputs. The
    outputs are taken from the execution cache instead (jupyter-cache, matched on the code cells);
    the written file is the fallback when the cache has no match (e.g. ``execute_notebooks: force``).
    """
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    source = Path(app.env.doc2path(pagename))
    cache_path = app.env.mystnb_config.execution_cache_path or Path(app.outdir).parent / ".jupyter_cache"
    if source.suffix == ".md" and Path(cache_path).is_dir():
        notebook = read_myst_markdown_notebook(source.read_text(encoding="utf-8"), path=str(source))
        try:
            return nbformat.writes(get_cache(cache_path).merge_match_into_notebook(notebook)[1])
        except KeyError:
            pass  # no cached execution of this source: use the written file
    return (Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb").read_text(encoding="utf-8")


def _offer_notebook_download(app, pagename, templatename, context, doctree):
    """Offer the executed notebook (.ipynb, with outputs) in the page's download menu.

    sphinx-book-theme lists an ``.ipynb`` download only when launch buttons are configured, which
    needs a public repository URL. Here the executed notebook is written next to the page sources
    and the theme's download menu (which reads ``context["ipynb_source"]``) offers it. Runs before
    the theme (priority 500 < 501).
    """
    if not (Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb").is_file():
        return  # not a notebook page: MyST-NB writes this file for every notebook it reads
    text = _executed_notebook(app, pagename)
    if glossary.is_chinese(app.config.language):  # the Chinese edition offers the notebook with its prose in Chinese
        from aichain_utils.book.handouts import page_catalogue
        from aichain_utils.book.kit import translated_notebook

        text = translated_notebook(text, page_catalogue(Path(app.srcdir), pagename, app.config.language))
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def _guard_inputs(app, config) -> None:
    """Never serve a page computed from older inputs (see :mod:`aichain_utils.book.buildstate`).

    Removes the execution cache and the doctrees when the inputs changed since the last build
    (``make book`` has usually done so already), and records the fingerprint as a configuration
    value that invalidates Sphinx's environment, so every page is re-read when it changes. Sets the
    tag ``simulated`` or ``userdata``, so that prose true of one kind of data only is written in an
    ``{only}`` block and appears only on builds from that kind of data, and a tag ``has_tableN`` for
    each of the paper's tables the data can build (prose about a table the data cannot build sits in
    ``{only} has_tableN``, and ``{only} not has_tableN`` prints why).
    """
    reset_if_changed(Path(app.outdir).parent, keep=(Path(app.outdir).name,))
    config.aichain_inputs_fingerprint = inputs_fingerprint()
    # ``{only} simulated`` / ``{only} userdata`` blocks: prose true of one kind of data only
    source = data_source()
    app.tags.add("simulated" if source.is_simulated else "userdata")
    for table in _tables_available(source):
        app.tags.add(f"has_table{table}")


def _tables_available(source) -> list[int]:
    """The paper's tables (1-10) that the data in force can build: ``{only} has_table6`` blocks.

    On the simulated panel every table can be built; on a user's file the panel is loaded once and
    :meth:`aichain_utils.inputs.panel.AnalysisPanel.missing_reason` decides (a failing file stops the build
    earlier, at ``make check-data``).
    """
    if source.is_simulated:
        return list(range(1, 11))
    from aichain_utils.inputs.panel import load_analysis_panel

    ap = load_analysis_panel()
    return [t for t in range(1, 11) if ap.missing_reason(f"Table {t}") is None]


def _chapter_numbers(app, env) -> list[str]:
    """Number tables and figures by chapter ("Book table 3.2": the second table of chapter 3).

    Sphinx numbers them through the whole book, so the baseline chapter's Table 3 became "Book
    table 11", easily misread as one of the paper's tables. The chapter number is the one the
    table of contents gives the page (``numbered: true`` in ``_toc.yml``); pages without one (the
    reference and teaching pages) are lettered A, B, ... in their order. Runs after Sphinx has
    assigned its numbers (``env-get-updated``, late priority).
    """
    import copy

    from aichain_utils.paths import toc_pages

    env.aichain_raw_fignumbers = copy.deepcopy(env.toc_fignumbers)  # Sphinx's own, for the next build
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for doc in [p for p in toc_pages(Path(app.srcdir)) if p != "index"]:
        secnumber = env.toc_secnumbers.get(doc, {}).get("")
        chapter = secnumber[0] if secnumber else next(letters)
        for numbers in env.toc_fignumbers.get(doc, {}).values():
            ordered = sorted(numbers, key=lambda k: numbers[k])
            for k, ident in enumerate(ordered, start=1):
                numbers[ident] = (chapter, k)
    return []


def _restore_sphinx_numbers(app, env) -> list[str]:
    """Give Sphinx back its own figure numbers before it reassigns them (``env-get-updated``, early).

    Sphinx rewrites every page whose numbers differ from the ones saved with the environment; those
    are :func:`_chapter_numbers`' renumbering, so without this every page with a table or figure
    was rewritten on every build, even when nothing changed.
    """
    raw = getattr(env, "aichain_raw_fignumbers", None)
    if raw is not None:
        import copy

        env.toc_fignumbers = copy.deepcopy(raw)
    return []


#: The repository address ``_config.yml`` ships with, until the publisher sets the real one.
REPOSITORY_PLACEHOLDER = "https://github.com/OWNER/aichain"


def repository_settings(theme_options: dict) -> tuple[dict, str]:
    """Theme options and the landing page's repository sentence for the configured repository.

    ``_config.yml``'s ``repository.url`` is the one place the address is written (Jupyter Book passes
    it to the theme as ``repository_url``). While it is :data:`REPOSITORY_PLACEHOLDER` the site shows
    no repository or launch buttons (they would lead nowhere); once set, the repository button and
    the Binder and Colab launch buttons are switched on.

    Parameters
    ----------
    theme_options : dict
        ``html_theme_options`` as Jupyter Book wrote them.

    Returns
    -------
    (dict, str)
        The updated theme options, and a Markdown sentence naming the repository.
    """
    options = dict(theme_options)
    url = str(options.get("repository_url") or "").rstrip("/")
    if not url or url == REPOSITORY_PLACEHOLDER:
        options["use_repository_button"] = False
        options.pop("launch_buttons", None)
        sentence = (
            "The address of the public repository is not set in this build (whoever publishes the book "
            "sets `repository.url` in `_config.yml`); the code and data are in the repository the book "
            "was built from."
        )
        return options, sentence
    options["use_repository_button"] = True
    launch = dict(options.get("launch_buttons") or {})
    launch.update(
        {
            "notebook_interface": "jupyterlab",
            "binderhub_url": "https://mybinder.org",
            "colab_url": "https://colab.research.google.com",
        }
    )
    options["launch_buttons"] = launch
    return options, f"The code, the data and the notebooks are in the public repository, [{url}]({url})."


#: Where ``make pdf`` writes the whole-book PDF; copied into the site when it exists.
PDF_NAME = "aichain.pdf"
#: ``make pdf EDITION=student``'s PDF (no solutions, no API reference): the student edition's site links
#: it instead of :data:`PDF_NAME`, and the course pack carries it.
STUDENT_PDF_NAME = "aichain-student.pdf"


def shared_build(app) -> Path:
    """The build folder whose ``pdf/`` and ``kit-cache/`` this build reads: the folder of the execution
    cache when the build names one (a build into its own folder, ``tools/build_book.py --out``, such as
    the student edition's ``_build/student``, uses ``_build``'s cache), else the output's parent."""
    cache = getattr(app.config, "nb_execution_cache_path", "") or ""
    return Path(cache).parent if str(cache).strip() else Path(app.outdir).parent


def edition_pdf(language: str | None = None) -> str:
    """The PDF of this build's edition (``_build/pdf/<name>``): :data:`PDF_NAME` or :data:`STUDENT_PDF_NAME`,
    named ``-zh`` in the Chinese edition (``language`` "zh…"; ``make pdf LANG=zh``: ``aichain-zh.pdf``)."""
    name = STUDENT_PDF_NAME if edition() == "student" else PDF_NAME
    return name.replace(".pdf", "-zh.pdf") if (language or "").startswith("zh") else name


def citation_text(root: Path) -> str:
    """The package's citation in one line, read from ``CITATION.cff`` (the one place it is written)."""
    import yaml

    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    authors = ", ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"])
    year = str(cff.get("date-released", ""))[:4]
    return f"{authors} ({year}). *{cff['title']}*, version {cff['version']}."


def _configure_landing_page(app, config) -> None:
    """Theme options for the repository, and the landing page's repository, PDF and citation text."""
    options, sentence = repository_settings(config.html_theme_options or {})
    config.html_theme_options = options
    name = edition_pdf(config.language)
    pdf = shared_build(app) / "pdf" / name
    subs = dict(getattr(config, "myst_substitutions", None) or {})
    subs["repository_sentence"] = sentence
    subs["pdf_sentence"] = (
        f'the whole book as one PDF, <a href="{name}">{name}</a> (built by `make pdf`).'
        if pdf.is_file()
        else "the whole book as one PDF: `make pdf` builds it, and the site links it once it is built."
    )
    if pdf.is_file() and (config.language or "").startswith("zh"):  # its own PDF: a sentence no catalogue has
        subs["pdf_sentence"] = f'整本书的 PDF，<a href="{name}">{name}</a>（由 `make pdf` 生成）。'
    subs["citation"] = citation_text(Path(app.srcdir))
    subs.update(kit_substitutions(Path(app.srcdir)))
    config.myst_substitutions = subs


def kit_substitutions(root: Path) -> dict[str, str]:
    """The teaching page's links to the kit (:mod:`aichain_utils.book.kit`): the course pack, the wheel, the
    pinned requirements, and the two commands that run a chapter's notebook."""
    from aichain_utils.book import kit

    if not (root / "pyproject.toml").is_file():
        return {}
    wheel = kit.wheel_name(root)
    first, second = (c.format(wheel=wheel, notebook="baseline.ipynb") for c in kit.RUN_COMMANDS)
    return {
        "kit_pack": f'<a href="{kit.KIT_DIR}/{kit.PACK_NAME}">{kit.PACK_NAME}</a>',
        "kit_wheel": f'<a href="{kit.KIT_DIR}/{wheel}">{wheel}</a>',
        "kit_requirements": f'<a href="{kit.KIT_DIR}/requirements.txt">requirements.txt</a>',
        "kit_command_install": f"`{first}`",
        "kit_command_run": f"`{second}`",
    }


def _copy_pdf(app, exception) -> None:
    """Put the edition's whole-book PDF (``_build/pdf/aichain.pdf``, or ``aichain-student.pdf`` in the
    student edition, from ``make pdf``) into the site; the student edition's site never holds the
    instructor's PDF, which has the solutions."""
    if exception is not None or app.builder.name != "html":
        return
    import shutil

    name = edition_pdf(app.config.language)
    for other in {PDF_NAME, edition_pdf()} - {name}:  # the student's or the Chinese site: not the English PDF
        (Path(app.outdir) / other).unlink(missing_ok=True)
    pdf = shared_build(app) / "pdf" / name
    if pdf.is_file():
        shutil.copy2(pdf, Path(app.outdir) / pdf.name)


def _assemble_kit(app, exception) -> None:
    """Put the wheel, the pinned requirements and the course pack into the site (``kit/``;
    :func:`aichain_utils.book.kit.assemble_kit`; the Chinese site's pack is the Chinese edition's); the wheel
    comes from its cache when the package and the data did not change."""
    root = Path(app.srcdir)
    if exception is not None or app.builder.name != "html" or not (root / "pyproject.toml").is_file():
        return
    from aichain_utils.book.kit import assemble_kit

    assemble_kit(Path(app.outdir), shared_build(app), root, app.config.language)


def _offer_kit_download(app, pagename, templatename, context, doctree):
    """A chapter's download menu also offers the wheel and the pinned requirements, and says how to run
    the notebook on one's own machine in two commands (the teaching page gives them in full).
    Runs after the theme has made the menu (priority 502 > 501)."""
    if not context.get("ipynb_source") or not (Path(app.srcdir) / "pyproject.toml").is_file():
        return
    from aichain_utils.book import kit

    group = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if group is None:
        return
    pathto = context["pathto"]
    wheel = kit.wheel_name(Path(app.srcdir))
    notebook = Path(context["ipynb_source"]).name
    first, second = (c.format(wheel=wheel, notebook=notebook) for c in kit.RUN_COMMANDS)
    words = kit.download_words(app.config.language, pagename)  # in the edition's language
    run = words["run_repository" if words["why"] else "run"].format(first=first, second=second, why=words["why"])
    kit_url = pathto(kit.KIT_DIR, 1)
    group["buttons"] += [
        {"type": "link", "url": f"{kit_url}/{wheel}", "text": words["wheel"], "icon": "fas fa-box",
         "tooltip": words["wheel_tip"], "label": "download-wheel-button"},
        {"type": "link", "url": f"{kit_url}/requirements.txt", "text": "requirements.txt", "icon": "fas fa-list",
         "tooltip": words["requirements_tip"], "label": "download-requirements-button"},
        {"type": "link", "url": pathto("teaching") + "#teaching-run-anywhere",
         "text": run, "icon": "fas fa-terminal", "tooltip": words["run_tip"], "label": "download-run-button"},
    ]  # fmt: skip


#: The editions ``make book EDITION=...`` builds (environment variable ``AICHAIN_EDITION``).
EDITIONS = ("instructor", "student")
_SOLUTION = re.compile(r"^:::\{solution\}.*?^:::[ \t]*$\n?", re.M | re.S)


def edition() -> str:
    """The edition of this build: ``instructor`` (default, with solutions) or ``student``.

    Raises
    ------
    ValueError
        If ``AICHAIN_EDITION`` names another edition.
    """
    value = os.environ.get("AICHAIN_EDITION", "").strip().lower() or "instructor"
    if value not in EDITIONS:
        raise ValueError(f"AICHAIN_EDITION={value!r}: the editions are {', '.join(EDITIONS)}")
    return value


def _record_edition(app, config) -> None:
    """Record the edition as a tag (``student`` or ``instructor``, for ``{only}`` blocks) and as a
    configuration value that invalidates Sphinx's saved environment, so that switching editions
    re-reads every page (the execution cache is kept: see
    :mod:`aichain_utils.book.buildstate`)."""
    config.aichain_edition = edition()
    app.tags.add(edition())  # ``{only} student`` / ``{only} instructor`` blocks


def strip_solutions(text: str) -> str:
    """``text`` (MyST Markdown) without its ``{solution}`` blocks: the student edition's sources."""
    return _SOLUTION.sub("", text)


def _remove_solutions(app, doctree) -> None:
    """Student edition: take every solution out of the page (not merely collapse it)."""
    if edition() != "student":
        return
    for node in list(doctree.findall(lambda n: type(n).__name__ == "solution_node")):
        node.parent.remove(node)


def _translate_downloaded_sources(app, exception) -> None:
    """Chinese edition: each page's downloadable Markdown source (``_sources/<page>.md``, which Sphinx copies
    from the English source) with its prose in Chinese, from the page's catalogue (the executed .ipynb is
    translated when it is written, :func:`_offer_notebook_download`). Idempotent: an already translated
    source is left as it is. Runs before the student edition strips the solutions."""
    if exception is not None or app.builder.name != "html" or not glossary.is_chinese(app.config.language):
        return
    from aichain_utils.book.handouts import page_catalogue
    from aichain_utils.book.kit import translated_markdown

    sources = Path(app.outdir) / "_sources"
    for path in sorted(sources.rglob("*.md")):
        catalogue = page_catalogue(Path(app.srcdir), path.relative_to(sources).with_suffix("").as_posix(),
                                   app.config.language)  # fmt: skip
        if catalogue:
            text = path.read_text(encoding="utf-8")
            chinese = translated_markdown(text, catalogue)
            if chinese != text:
                path.write_text(chinese, encoding="utf-8")


def _strip_downloaded_sources(app, exception) -> None:
    """Student edition: the downloadable sources (.md, executed .ipynb) lose their solutions too."""
    if exception is not None or edition() != "student" or app.builder.name != "html":
        return
    for path in (Path(app.outdir) / "_sources").rglob("*"):
        if path.suffix == ".md" or path.name.endswith(".md.txt"):
            path.write_text(strip_solutions(path.read_text(encoding="utf-8")), encoding="utf-8")
        elif path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            for cell in nb["cells"]:
                if cell["cell_type"] == "markdown":
                    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                    cell["source"] = strip_solutions(source)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


#: What a solution leaves in the output: sphinx-exercise's solution box in a page, a ``{solution}``
#: block in a downloadable source (.md, or a markdown cell of an .ipynb).
_SOLUTION_IN_HTML = re.compile(r'<div[^>]*class="[^"]*\bsolution\b[^"]*"')
_SOLUTION_IN_SOURCE = re.compile(r":::\{solution\}")
_SOLUTION_IN_SEARCH = re.compile(r'"Solution to Exercise[^"]*"', re.I)


def solution_leaks(outdir: Path) -> list[str]:
    """Files of a built site (``_build/html``) that still hold a solution: each page (.html), each
    downloadable source (``_sources``: .md, .txt, .ipynb) and the search index, as ``path: what``."""
    leaks = []
    for path in sorted(Path(outdir).rglob("*")):
        if path.suffix not in {".html", ".md", ".txt", ".ipynb"} and path.name != "searchindex.js":
            continue
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        pattern = {".html": _SOLUTION_IN_HTML, ".js": _SOLUTION_IN_SEARCH}.get(path.suffix, _SOLUTION_IN_SOURCE)
        if pattern.search(text):
            leaks.append(f"{path.relative_to(outdir)}: {pattern.search(text).group(0)[:60]}")
    return leaks


def _check_student_edition(app, exception) -> None:
    """Write the edition into the site (``.edition``, read by the tests) and, in the student edition,
    fail the build if any page or downloadable source still holds a solution."""
    if exception is not None or app.builder.name not in ("html", "singlehtml"):
        return
    (Path(app.outdir) / ".edition").write_text(edition() + "\n", encoding="utf-8")
    if edition() != "student":
        return
    from sphinx.errors import ExtensionError

    leaks = solution_leaks(Path(app.outdir))
    if leaks:
        raise ExtensionError("student edition: solutions left in the output: " + "; ".join(leaks[:10]))


API_MARKER = "<!-- aichain-api-modules -->"


def api_modules() -> list[str]:
    """The modules of :mod:`aichain_utils`, alphabetically: every ``.py`` file of the package but
    ``__init__``, every subpackage (``econometrics``, ``robustness``) and every public module of a
    subpackage (its ``_private`` modules are documented through what the subpackage exports)."""
    package = Path(__file__).parent.parent
    names = [f"aichain_utils.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"]
    for sub in package.iterdir():
        if sub.is_dir() and (sub / "__init__.py").is_file() and not sub.name.startswith("_"):
            names.append(f"aichain_utils.{sub.name}")
            names += [f"aichain_utils.{sub.name}.{p.stem}" for p in sub.glob("*.py") if not p.stem.startswith("_")]
    return sorted(names)


def _api_block(module: str, documented: set[str]) -> str:
    """The API reference's section of ``module``: autodoc of its public names (its ``__all__``).

    A subpackage documents only the names it exports from its private modules; what it exports from
    a public module is documented with that module, once.
    """
    import importlib

    options = "   :members:\n"
    mod = importlib.import_module(module)
    if hasattr(mod, "__path__"):  # a subpackage
        exported = getattr(mod, "__all__", [])
        own = [n for n in exported if getattr(getattr(mod, n), "__module__", module) not in documented]
        options = f"   :members: {', '.join(own)}\n" if own else ""
    return f"## `{module}`\n\n```{{eval-rst}}\n.. automodule:: {module}\n{options}```\n"


HANDOUTS_MARKER = "<!-- aichain-handouts -->"
GLOSSARY_MARKER = "<!-- aichain-glossary -->"


def _api_reference(app, docname, source) -> None:
    """Write the generated pages' bodies: the API reference (one autodoc section per module, found
    at build time) and the handouts (assembled from the chapters by :mod:`aichain_utils.book.handouts`)."""
    _record_generated(app, docname)
    if GLOSSARY_MARKER in source[0]:
        from aichain_utils.book.glossary import glossary_markdown

        source[0] = source[0].replace(GLOSSARY_MARKER, glossary_markdown(language=app.config.language))
    if HANDOUTS_MARKER in source[0]:
        from aichain_utils.book.handouts import handouts_markdown

        source[0] = source[0].replace(HANDOUTS_MARKER, handouts_markdown(Path(app.srcdir), app.config.language))
    if API_MARKER not in source[0]:
        return
    if _builder_name(app) == "singlehtml":  # the PDF: the API reference stays on the site
        source[0] = source[0].replace(API_MARKER, "")
        return
    modules = api_modules()
    blocks = [_api_block(m, set(modules)) for m in modules]
    source[0] = source[0].replace(API_MARKER, "\n".join(blocks))


def _builder_name(app) -> str:
    return getattr(getattr(app, "builder", None), "name", "") or ""


def _prose_out_of_parameters(app, what, name, obj, options, lines) -> None:
    """Move a prose sentence that ends a numpy ``Parameters`` list ("Other arguments as in ...")
    below it, where numpydoc/napoleon expect prose, so the API reference renders it as a paragraph."""
    moved = [k for k, line in enumerate(lines) if line.strip().startswith("Other arguments as in")]
    for k in reversed(moved):
        lines.append("")
        lines.append(lines.pop(k).strip())


_BARS = re.compile(r"(?<![\\`|])\|(?=[^\s|])([^|`\n]*?[^\s|\\])\|(?![_|`])")


def _escape_absolute_values(app, what, name, obj, options, lines) -> None:
    """Escape an absolute value written with bars in a docstring's prose (bars around a name), which
    reStructuredText would read as a substitution reference; inline literals and roles are left alone."""
    for k, line in enumerate(lines):
        parts = line.split("`")
        lines[k] = "`".join(_BARS.sub(r"\\|\1\\|", p) if i % 2 == 0 else p for i, p in enumerate(parts))


#: The pages assembled at build time, and what each is assembled from (besides the package, ``data/``
#: and the switches, which the inputs fingerprint covers: a change to them re-reads every page).
GENERATED_PAGES = ("api", "glossary", "handouts")


def generated_page_inputs(srcdir: Path, docname: str, builder: str = "") -> str:
    """SHA-256 of what the generated page ``docname`` is assembled from, read at build time.

    * ``api``: every module of :mod:`aichain_utils` (autodoc imports them; :func:`api_modules`) and the
      builder (``builder``: the single page the PDF is printed from leaves the API reference out);
    * ``glossary``: ``data/glossary.csv`` and :mod:`aichain_utils.book.glossary`;
    * ``handouts``: the table of contents and every chapter it lists (:mod:`aichain_utils.book.handouts`
      quotes them), their catalogues (the Chinese edition's handouts quote their translations), and
      :mod:`aichain_utils.book.handouts`.

    The page's own source is Sphinx's to watch. Sphinx cannot see these inputs, so
    :func:`_reread_generated` re-reads the page when this digest differs from the one recorded when
    it was last read, and only then.
    """
    import hashlib

    from aichain_utils.paths import toc_pages

    package = Path(__file__).parent.parent
    if docname == "api":
        files = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
        files.append(Path(f"<builder {builder}>"))  # the single-page build (the PDF) leaves the API out
    elif docname == "glossary":
        files = [srcdir / "data" / "glossary.csv", package / "book" / "glossary.py"]
    else:
        pages = [p for p in toc_pages(srcdir) if p.startswith("chapters/")]
        chapters = [srcdir / f"{p}.md" for p in pages]
        catalogues = [srcdir / "locale" / "zh_CN" / "LC_MESSAGES" / f"{p}.po" for p in pages]
        files = [srcdir / "_toc.yml", package / "book" / "handouts.py", package / "paths.py", *chapters, *catalogues]
    h = hashlib.sha256()
    for path in files:
        h.update(str(path).encode() + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def _generated_digests(env) -> dict:
    if not hasattr(env, "aichain_generated_inputs"):
        env.aichain_generated_inputs = {}
    return env.aichain_generated_inputs


def _reread_generated(app, env, added, changed, removed) -> list[str]:
    """The generated pages (API reference, glossary, handouts) whose inputs changed since they were
    last read (:func:`generated_page_inputs`); the others are kept, so a no-change rebuild reads
    nothing and autodoc does not re-import the package."""
    recorded = _generated_digests(env)
    srcdir = Path(app.srcdir)
    return [
        doc
        for doc in GENERATED_PAGES
        if doc in env.found_docs and recorded.get(doc) != generated_page_inputs(srcdir, doc, _builder_name(app))
    ]


#: A cross-document glue role's target: ``{glue:text}`at_a_glance.md::key``` pastes a value that
#: another page's notebook glued (MyST-NB's ``path::key``).
_PASTED_FROM = re.compile(r"\{glue(?::[a-z]+)?\}`([^`:]+?\.(?:md|ipynb))::")


def pasted_sources(source: str, docname: str) -> set[str]:
    """The docnames whose glued values the page ``docname`` (its MyST text ``source``) pastes.

    Paths are relative to the page's folder, as MyST-NB resolves them.
    """
    folder = Path(docname).parent
    return {Path(os.path.normpath(folder / m)).with_suffix("").as_posix() for m in _PASTED_FROM.findall(source)}


def _reread_pasting_pages(app, env, added, changed, removed) -> list[str]:
    """Pages that paste glue from a page about to be read again are read again too, so that a
    landing page quoting at-a-glance's headline never serves the previous build's value (an edit of
    the quoted page alone would otherwise leave the quoting page as it was)."""
    reread = set(added) | set(changed)
    if not reread:
        return []
    out = []
    for doc in sorted(env.found_docs - reread):
        path = Path(env.doc2path(doc))
        if path.suffix != ".md" or not path.exists():
            continue
        if pasted_sources(path.read_text(encoding="utf-8"), doc) & reread:
            out.append(doc)
    return out


def static_digest(srcdir: Path, static_paths) -> str:
    """SHA-256 over the files of ``html_static_path`` (their relative paths and bytes)."""
    import hashlib

    h = hashlib.sha256()
    for folder in static_paths:
        base = Path(srcdir) / folder
        for path in sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []:
            h.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _rewrite_for_static_change(app, env, added, changed, removed) -> list[str]:
    """When only a static file changed (a stylesheet), Sphinx 7 finds no target out of date and stops
    before copying static files, so the site would keep the old stylesheet. Then one page is read again,
    which makes Sphinx finish the build and copy every static file."""
    digest = static_digest(Path(app.srcdir), getattr(app.config, "html_static_path", []) or [])
    if getattr(env, "aichain_static_digest", None) == digest:
        return []
    env.aichain_static_digest = digest
    return [] if (set(added) | set(changed)) or "index" not in env.found_docs else ["index"]


def _keep_last_good_site(app, env, docnames) -> None:
    """Before pages are read (and then rewritten in place), copy a good site aside, so that a build
    that fails leaves the last good one to put back (``tools/build_book.py``). Nothing to read, no copy."""
    if docnames and app.builder.name == "html":
        keep_last_good(Path(app.outdir))


def _record_generated(app, docname: str) -> None:
    """Record the inputs' digest of a generated page as it is read (``source-read``)."""
    if docname in GENERATED_PAGES:
        _generated_digests(app.env)[docname] = generated_page_inputs(Path(app.srcdir), docname, _builder_name(app))


def _purge_generated(app, env, docname) -> None:
    _generated_digests(env).pop(docname, None)


def _merge_generated(app, env, docnames, other) -> None:
    _generated_digests(env).update(
        {d: v for d, v in getattr(other, "aichain_generated_inputs", {}).items() if d in docnames}
    )


def _link_glossary_terms(app, doctree) -> None:
    """Link the first use of each glossary term in a chapter to its entry (:mod:`aichain_utils.book.glossary`)."""
    if not app.env.docname.startswith("chapters/"):
        return
    from aichain_utils.book.glossary import link_first_uses, term_patterns

    link_first_uses(doctree, term_patterns(language=app.config.language))


_HTML_MATHS = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)


def without_maths(doctree):
    """A copy of ``doctree`` without its maths (inline and display, and the ``\\(...\\)`` of a pasted HTML
    table): what the search index reads."""
    copy = doctree.deepcopy()
    for node in list(copy.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))):
        node.parent.remove(node)
    for node in list(copy.findall(nodes.raw)):
        if "html" in node.get("format", "").split() and _HTML_MATHS.search(node.astext()):
            text = _HTML_MATHS.sub("", node.astext())
            node.replace_self(nodes.raw(text, text, format=node["format"]))
    return copy


def _index_pages_without_maths(app) -> None:
    """Keep LaTeX source out of the search index: Sphinx indexes the text of maths nodes as words
    (``mathrm``, ``frac``), so a search for them found every page with an equation. The page itself is
    written before it is indexed and keeps its maths."""
    builder = app.builder
    if not hasattr(builder, "index_page") or getattr(builder, "aichain_index_without_maths", False):
        return
    original = builder.index_page

    def index_page(pagename, doctree, title):
        return original(pagename, without_maths(doctree), title)

    builder.index_page = index_page
    builder.aichain_index_without_maths = True


def _singlehtml_handlers(app) -> None:
    """Let the single-page build (``make pdf``) render every node the HTML build renders.

    Sphinx looks up node visitors under the builder's name and falls back to its format ("html")
    only when no extension registered any under that name; some extensions register ``singlehtml``
    visitors, which hides MyST-NB's HTML-only ones (e.g. its hidden-code-cell node).
    """
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, visitors in handlers.get("html", {}).items():
        single.setdefault(node, visitors)


# --------------------------------------------------------------------------- numbers in translations
def translated_paragraph(document) -> bool:
    """Whether ``document`` is a paragraph Sphinx's i18n ``Locale`` transform parses from a catalogue's
    translation (:func:`sphinx.transforms.i18n.publish_msgstr`): its source ends in ``<translated>``
    and it has no notebook renderer (MyST-NB parses the translation as plain Markdown)."""
    source = str(getattr(document, "current_source", "") or "")
    return "nb_renderer" not in document and source.endswith("<translated>")


def glue_key_of_page(text: str, page_file: str, with_format: bool) -> str:
    """A glue role's text ``key`` or ``key:format`` as MyST-NB's cross-page form ``page.md::key:format``.

    MyST-NB resolves that form after the pages are read, from the glue data the page's executed
    notebook wrote (``jupyter_execute/<page>.glue.json``). With ``with_format`` (``{glue:text}``) a
    text without a format gets ``:s``, the role's default: MyST-NB splits the format off at the last
    colon, so ``page.md::key`` alone would lose its key. A text already in the cross-page form keeps
    its page (and gets ``:s`` the same way).
    """
    if with_format and ":" not in text.rsplit("::", 1)[-1]:
        text += ":s"
    return text if "::" in text else f"{page_file}::{text}"


def _glue_roles_for_translations(app) -> None:
    """Inline glue roles that also paste their value into a translated paragraph.

    **Why a translated paragraph lost its numbers.** MyST-NB's glue roles read the value from the
    notebook renderer that its parser keeps on the page's document while it reads the executed
    notebook (``document["nb_renderer"]``, removed when parsing ends). Sphinx's ``Locale`` transform,
    which runs after that, parses each translated paragraph as a new document, with MyST-NB's plain
    Markdown parser: there is no renderer on it, so ``{glue:text}`key``` finds no glue data and
    pastes nothing (with a ``mystnb.glue`` warning). Block glue is not translated and keeps its value.

    **The fix.** In a translated paragraph (:func:`translated_paragraph`) these roles (``{glue}``,
    ``{glue:any}``, ``{glue:text}``) read ``key`` as MyST-NB's cross-page reference to the page itself
    (:func:`glue_key_of_page`), which MyST-NB resolves after reading, from the page's own executed
    glue data, into the same node an English page gets (``{glue:text}``: an inline ``pasted-text``).
    On untranslated pages (every page of the English build) the roles are MyST-NB's, unchanged.

    **Words and sentences in the page's language.** A value glued as a bilingual text
    (:class:`~aichain_utils.replication.numbers.Bilingual`: a verdict word, a computed sentence) carries its
    Chinese text under :data:`~aichain_utils.replication.numbers.ZH_MIME` beside its English ``text/plain``;
    in a translated paragraph these roles paste the Chinese text (:func:`translated_text`), everywhere
    else the English one, as before.
    """
    if "glue" not in app.registry.domains:
        return
    from myst_nb.core.variables import render_variable_outputs
    from myst_nb.ext.glue.roles import PasteRoleAny, PasteTextRole

    class _Translated:
        with_format = False

        def run(self):
            if translated_paragraph(self.document):
                env = self.document.settings.env
                self.text = glue_key_of_page(self.text, Path(env.doc2path(env.docname)).name, self.with_format)
            return super().run()

    class TranslatedPasteAny(_Translated, PasteRoleAny):
        """``{glue}``/``{glue:any}`` that also pastes in a translated paragraph."""

        def run(self):
            if not translated_paragraph(self.document) and "::" not in self.text:
                english = _english_of_bilingual(self.document, self.text)
                if english is not None:  # a bilingual value on an untranslated page: its English, as before
                    pasted = render_variable_outputs([english], self.document, self.line, self.source, inline=True)
                    chinese = _chinese_of_bilingual(self.document, self.text)
                    for node in pasted if chinese is not None else []:  # alone in its paragraph: its Chinese
                        node[ZH_IF_ALONE] = repr(chinese)
                    return pasted, []
            pasted, messages = super().run()
            if translated_paragraph(self.document):
                for node in pasted:  # plain text is pasted as on an English page (the post-transform below)
                    node["aichain_translated_any"] = True
            return pasted, messages

    class TranslatedPasteText(_Translated, PasteTextRole):
        """``{glue:text}`` that also pastes in a translated paragraph (a bilingual value: its Chinese text)."""

        with_format = True

        def run(self):
            pasted, messages = super().run()
            if translated_paragraph(self.document):
                for node in pasted:  # a Bilingual value pastes its translation (the post-transform below)
                    node["aichain_translated_text"] = True
            elif _chinese_page(self.document):  # its Chinese if the value stands alone in its paragraph
                chinese = None if "::" in self.text else _chinese_of_bilingual(self.document, self.text)
                for node in pasted:
                    node[ZH_IF_ALONE] = True if "::" in self.text else chinese
            return pasted, messages

    app.add_post_transform(_plain_text_of_translations_class())
    _glued_text_in_contents()
    app.add_role("glue", TranslatedPasteAny(), override=True)
    for name, role in (("", TranslatedPasteAny()), ("any", TranslatedPasteAny()), ("text", TranslatedPasteText())):
        app.add_role_to_domain("glue", name, role, override=True)


def _glued_text_in_contents() -> None:
    """Let Sphinx's table of contents read a glued value in a translated heading ("Inference with
    {glue:text}`t3_n_clusters` industries"): the heading's copy for the contents gets the value's text
    (its Chinese text for a bilingual one), formatted as the page pastes it; the page itself pastes it
    after reading, as in a translated paragraph. Without this the contents' copier stops at the
    not-yet-resolved reference."""
    from myst_nb.core.variables import format_plain_text
    from myst_nb.ext.glue.crossref import read_glue_cache
    from sphinx.transforms import SphinxContentsFilter

    def visit_pending_glue(self, node) -> None:
        env = self.document.settings.env
        data = read_glue_cache(env.mystnb_config.output_folder, node["refdoc"]).get(node["key"], {}).get("data", {})
        fmt_spec = node.get("fmt_spec", "")
        text = translated_text(data, fmt_spec)
        if text is None:
            text = format_plain_text(data.get("text/plain", ""), fmt_spec) if "text/plain" in data else ""
        self.parent.append(nodes.Text(text))
        raise nodes.SkipNode

    SphinxContentsFilter.visit_PendingGlueReference = visit_pending_glue


#: A glued bilingual value's node on a Chinese page, in a paragraph the catalogue leaves as written: its
#: Chinese text (``True`` for a cross-page value, resolved later), pasted if the paragraph is
#: :func:`glue_only`; else the English stays, as the paragraph around it is English.
ZH_IF_ALONE = "aichain_zh_if_alone"
#: What may stand between glued values in a paragraph that is "only glue": spaces and punctuation.
_JOINERS = re.compile(r"^[\s.,;:!?。，；：、！？()（）-]*$")


def glue_only(paragraph) -> bool:
    """Whether ``paragraph`` holds nothing but glued values and the punctuation between them (its
    catalogue translation is its message, which Sphinx keeps as written): such a paragraph shows its
    bilingual values in the page's language; a paragraph with words of its own shows them as they are."""
    if not isinstance(paragraph, nodes.paragraph):
        return False
    from myst_nb.ext.glue.utils import PendingGlueReference

    for child in paragraph.children:
        if isinstance(child, nodes.Text):
            if not _JOINERS.match(child.astext()):
                return False
        elif not (isinstance(child, PendingGlueReference) or {"pasted-text", "text_plain"} & set(child["classes"])):
            return False
    return True


def _chinese_page(document) -> bool:
    """Whether ``document`` is a page of a Chinese build."""
    env = getattr(document.settings, "env", None)
    return env is not None and glossary.is_chinese(env.config.language)


def _chinese_of_bilingual(document, text: str) -> str | None:
    """On a Chinese page, the Chinese text of the bilingual value a glue role (``key`` or ``key:format``)
    pastes in a paragraph that Sphinx does not translate (else ``None``). A paragraph made only of glue
    roles ("{glue:text}`t3_demean_note`", a headline's list item) is its own translation, and Sphinx keeps
    a translation identical to its message as written: without this the page would paste the English
    (the post-transform pastes it where the paragraph is :func:`glue_only`)."""
    from myst_nb.core.variables import RetrievalError
    from myst_nb.ext.glue.utils import retrieve_glue_data

    if not _chinese_page(document):
        return None
    key, _, fmt_spec = text.partition(":")
    try:
        output = retrieve_glue_data(document, key.strip())
    except RetrievalError:
        return None  # MyST-NB's role says so
    return translated_text(output.data, fmt_spec)


def _english_of_bilingual(document, key: str):
    """The glued output ``key`` of the page without its Chinese text, when it is a bilingual value (else
    ``None``): MyST-NB renders every MIME type of an inline ``{glue:any}`` and warns about one it does not
    know, so an untranslated paragraph renders the English alone, as before the value was bilingual."""
    import dataclasses

    from myst_nb.core.variables import RetrievalError
    from myst_nb.ext.glue.utils import retrieve_glue_data

    from aichain_utils.replication.numbers import ZH_MIME

    try:
        output = retrieve_glue_data(document, key)
    except RetrievalError:
        return None  # MyST-NB's role says so
    if ZH_MIME not in output.data:
        return None
    return dataclasses.replace(output, data={k: v for k, v in output.data.items() if k != ZH_MIME})


def _plain_text_of_translations_class():
    from myst_nb.core.render import get_mime_priority
    from myst_nb.ext.glue.crossref import read_glue_cache
    from myst_nb.ext.glue.utils import PendingGlueReference
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class PlainTextOfTranslations(SphinxPostTransform):
        """``{glue:any}`` of a plain-text value in a translated paragraph: the ``output text_plain``
        inline an English page has (MyST-NB's cross-page reference would paste a code literal); any glue
        role of a bilingual value in a translated paragraph: its Chinese text (:func:`translated_text`).
        Runs before MyST-NB resolves the other cross-page references (priority 5)."""

        default_priority = 4

        def apply(self, **kwargs):
            priority = get_mime_priority(self.app.builder.name, self.config["nb_mime_priority_overrides"])
            for node in list(self.document.findall(nodes.Element)):
                alone = node.get(ZH_IF_ALONE)
                if alone is None or not glue_only(node.parent):
                    continue
                if isinstance(node, PendingGlueReference):  # a cross-page value: pasted as in a translation
                    node["aichain_translated_text"] = True
                else:  # a value of the page, pasted in English: its Chinese, in the same node
                    node.replace_self(nodes.inline(alone, alone, classes=node["classes"]))
            for node in list(self.document.findall(PendingGlueReference)):
                if not (node.get("aichain_translated_any") or node.get("aichain_translated_text")):
                    continue
                data = read_glue_cache(self.env.mystnb_config.output_folder, node.refdoc).get(node.key, {})
                text = translated_text(data.get("data", {}), node.get("fmt_spec", ""))
                if text is not None:  # a bilingual word or sentence: its Chinese text, as the English is pasted
                    if node.get("aichain_translated_text"):
                        node.replace_self(nodes.inline(text, text, classes=["pasted-text"]))
                    else:  # {glue:any} pastes the text/plain repr, quotes and all, on an English page
                        node.replace_self(nodes.inline(repr(text), repr(text), classes=["output", "text_plain"]))
                    continue
                if not node.get("aichain_translated_any"):
                    continue  # {glue:text} of a number: MyST-NB's cross-page reference pastes it
                shown = next((m for m in priority if m in data.get("data", {})), None)
                if shown == "text/plain":
                    text = data["data"][shown]
                    node.replace_self(nodes.inline(text, text, classes=["output", "text_plain"]))

    return PlainTextOfTranslations


def translated_text(data: dict, fmt_spec: str = "") -> str | None:
    """The Chinese text of a glued :class:`~aichain_utils.replication.numbers.Bilingual` value (its output's
    ``data``: :data:`~aichain_utils.replication.numbers.ZH_MIME` beside ``text/plain``), formatted with the
    role's format as MyST-NB formats the English (``:s``, or none, leaves it as it is); ``None`` for a
    value that is not bilingual. An empty Chinese text is an error, never an empty word on a page."""
    from aichain_utils.replication.numbers import ZH_MIME

    if ZH_MIME not in data:
        return None
    text = data[ZH_MIME]
    text = "".join(text) if isinstance(text, list) else str(text)  # nbformat may split a string into lines
    if not text.strip():
        raise ValueError(f"a glued bilingual value has an empty Chinese text (English: {data.get('text/plain')!r})")
    return format(text, fmt_spec) if fmt_spec.endswith("s") else text


def _chinese_keys() -> dict[str, str]:
    """The output metadata's key of the Chinese version, by MIME type: displayed Markdown
    (:data:`~aichain_utils.replication.numbers.ZH_MARKDOWN`), displayed HTML
    (:data:`~aichain_utils.replication.numbers.ZH_HTML`) and a figure's SVG and PNG
    (:data:`~aichain_utils.report.figurelabels.ZH_IMAGE`)."""
    from aichain_utils.replication.numbers import ZH_HTML, ZH_MARKDOWN
    from aichain_utils.report.figurelabels import ZH_IMAGE

    return {"text/markdown": ZH_MARKDOWN, "text/html": ZH_HTML, "image/svg+xml": ZH_IMAGE, "image/png": ZH_IMAGE}


def _chinese_of(entry, key: str) -> str | None:
    """The Chinese that an output's metadata ``entry`` (its MIME type's) carries under ``key``, or ``None``
    when it carries none. An empty Chinese text is an error, never an empty paragraph, list or figure
    on a page."""
    if not isinstance(entry, dict) or key not in entry:
        return None
    text = entry[key]
    text = "".join(text) if isinstance(text, list) else str(text)  # nbformat may split a string into lines
    if not text.strip():
        raise ValueError(f"a displayed bilingual output has an empty Chinese version ({key})")
    return text


def chinese_output(output_metadata: dict, mime_type: str) -> str | None:
    """The Chinese version of a displayed output of ``mime_type`` (:func:`_chinese_keys`): Markdown
    (:func:`aichain_utils.book.show_markdown` of a :class:`~aichain_utils.replication.numbers.Bilingual`
    text), HTML (:func:`aichain_utils.book.data_banner`) or a figure
    (:func:`aichain_utils.report.display.glue_figure`: its SVG, or its PNG as base64), read from the output's
    metadata (by MIME type); ``None`` for any other output."""
    key = _chinese_keys().get(mime_type)
    return None if key is None else _chinese_of((output_metadata or {}).get(mime_type), key)


def _in_chinese(english):
    """A MyST-NB element renderer's method (``render_markdown``, ``render_text_html``, ``render_image``)
    that renders a bilingual output's Chinese (:func:`chinese_output`; a table's computed cells:
    :func:`aichain_utils.book.tablelabels.translate_bilingual_cells`) on a Chinese page (``language``
    ``zh…``), as ``english`` renders the English; every other output, and every output of the English
    build, as ``english`` renders it."""
    import dataclasses

    def render(self, data):
        zh = chinese_output(data.output_metadata, data.mime_type)
        if data.mime_type == "text/html":  # a table's computed cells in both languages, also inside a Chinese HTML
            zh = tablelabels.translate_bilingual_cells(zh or data.content, data.output_metadata) or zh
        if zh is not None:
            language = getattr(self.renderer.document.settings.env.config, "language", None) or ""
            if language.startswith("zh"):
                data = dataclasses.replace(data, content=zh)
        return english(self, data)

    render.aichain_chinese = True
    return render


def _outputs_in_chinese() -> None:
    """Displayed Markdown, HTML and figures in the edition's language (:func:`_in_chinese`).

    MyST-NB renders a cell's outputs, and the ``{glue:figure}`` it pastes, while it reads the page's
    executed notebook, with its element renderer's methods; this wraps them once per process (the
    language is read from each page's build, so that an English and a Chinese build in one process each
    get their own).
    """
    from myst_nb.core.render import NbElementRenderer

    for name in ("render_markdown", "render_text_html", "render_image"):
        english = getattr(NbElementRenderer, name)
        if not getattr(english, "aichain_chinese", False):
            setattr(NbElementRenderer, name, _in_chinese(english))


def counterpart_link(pagename: str, target_uri: str, root: str) -> str:
    """The relative address, from page ``pagename``, of the same page in the other edition, whose root
    is ``root`` relative to this edition's root (``../`` from the Chinese edition in ``zh/``, ``zh/``
    from the English one); ``target_uri`` is the page's file in the site (``chapters/baseline.html``)."""
    return "../" * pagename.count("/") + root + target_uri


#: The context's key, on a page Sphinx generates from its own template (the index, the module index, the
#: search page), of the language switch's HTML, which ``_templates/layout.html`` writes.
LANGUAGE_SWITCH = "aichain_language_switch"


def _language_switch(app, pagename, templatename, context, doctree) -> None:
    """A link at the top of every page to the same page in the other language's edition (and the
    ``hreflang`` alternate of the page's head), when the build names the other edition
    (``aichain_counterpart_root``: the Chinese build, ``tools/build_book.py --language zh_CN``). The
    English build names none and its pages are unchanged. The pages Sphinx generates from a template of
    their own (``genindex``, ``py-modindex``, ``search``: no ``body`` in the context) get the same link
    through the context's :data:`LANGUAGE_SWITCH`, which ``_templates/layout.html`` writes above the
    article."""
    root = app.config.aichain_counterpart_root
    if not root or app.builder.name != "html":
        return
    label, lang = app.config.aichain_counterpart_label, app.config.aichain_counterpart_language
    href = escape(counterpart_link(pagename, app.builder.get_target_uri(pagename), root))
    switch = (
        f'<div class="aichain-language-switch" role="navigation"><a href="{href}" hreflang="{lang}" '
        f'lang="{lang}">{escape(label)}</a></div>'
    )
    if "body" in context:
        context["body"] = switch + context["body"]
    else:
        context[LANGUAGE_SWITCH] = switch
    context["metatags"] = context.get("metatags", "") + f'<link rel="alternate" hreflang="{lang}" href="{href}" />\n'


def _counterpart_from_environment(app, config) -> None:
    """Set the language switch's target from :data:`COUNTERPART_ENV` when the configuration names none."""
    raw = os.environ.get(COUNTERPART_ENV, "")
    if not raw or config.aichain_counterpart_root:
        return
    try:
        named = json.loads(raw)
        root, label, language = named["root"], named["label"], named["language"]
    except (ValueError, KeyError, TypeError) as err:
        raise ConfigError(f"{COUNTERPART_ENV}={raw!r}: expected a JSON object with root, label and language") from err
    config.aichain_counterpart_root = root
    config.aichain_counterpart_label = label
    config.aichain_counterpart_language = language


# --------------------------------------------------------------------------- the theme's words
#: The label of a hidden cell's or a solution's toggle, which MyST-NB's HTML and sphinx-togglebutton's
#: script write without Sphinx's translation.
HIDDEN_CONTENT = "Toggle hidden content"
#: Translates sphinx-togglebutton's labels on a Chinese page, once its script has added the buttons.
_TOGGLE_LABEL_JS = (
    "document.addEventListener('DOMContentLoaded', () => {{ document.querySelectorAll("
    "'button.toggle-button[aria-label=\"{english}\"]').forEach((b) => b.setAttribute('aria-label', {label})); }});"
)


def _translated(text: str) -> str:
    """``text`` in the build's language, from Sphinx's ``sphinx`` catalogue (Sphinx's own, the themes',
    and ``locale/<language>/LC_MESSAGES/sphinx.po`` before them); ``text`` itself in English."""
    from sphinx.locale import _

    return str(_(text))


def _theme_options_in_language(app, config) -> None:
    """The words the theme and its extensions take from the configuration, in the page's language: the
    search box's placeholder (``html_theme_options.search_bar_text``, "Search this book...") and
    sphinx-togglebutton's hints ("Click to show"). Before sphinx-togglebutton writes its hints into the
    pages' scripts (``config-inited``, priority 500). Unchanged in English."""
    options = config.html_theme_options
    if isinstance(options, dict) and options.get("search_bar_text"):
        options["search_bar_text"] = _translated(options["search_bar_text"])
    for name in ("togglebutton_hint", "togglebutton_hint_hide"):
        value = getattr(config, name, None)
        if isinstance(value, str):
            setattr(config, name, _translated(value))


def _hidden_cell_label_in_language(app, config) -> None:
    """The aria-label of MyST-NB's hidden code cells (``<summary aria-label="Toggle hidden content">``,
    written by its HTML visitor as is) and of sphinx-togglebutton's buttons (added by its script) in the
    page's language. Nothing changes in English."""
    del config
    label = _translated(HIDDEN_CONTENT)
    if label == HIDDEN_CONTENT:
        return
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput

    english, chinese = f'aria-label="{HIDDEN_CONTENT}"', f'aria-label="{escape(label)}"'

    def visit(self, node) -> None:
        start = len(self.body)
        visit_HideCellInput(self, node)
        self.body[start:] = [part.replace(english, chinese) for part in self.body[start:]]

    app.add_node(HideCodeCellNode, override=True, html=(visit, depart_HideCellInput))
    script = _TOGGLE_LABEL_JS.format(english=HIDDEN_CONTENT, label=json.dumps(label))
    app.add_js_file(None, body=script, priority=800)  # after togglebutton.js (500): its buttons are made first


def theme_words_setup(app) -> None:
    """The theme's words on a page in another language (the Chinese edition): the search box, the
    toggles of hidden content (:func:`_theme_options_in_language`, :func:`_hidden_cell_label_in_language`);
    the theme's components that write their words as they are are overridden in ``_templates`` with
    ``_()``, and ``locale/<language>/LC_MESSAGES/sphinx.po`` translates what Sphinx's and the themes'
    catalogues leave in English. Called by :func:`setup`."""
    app.connect("config-inited", _theme_options_in_language, priority=400)
    app.connect("config-inited", _hidden_cell_label_in_language, priority=400)  # before the builder copies the scripts


# --------------------------------------------------------------------------- build time (issue 27)
def _detach_translated_messages(app, doctree) -> None:
    """Make every node of a read page belong to the page itself, not to a translation's own document.

    Sphinx's i18n ``Locale`` transform parses each translation as a small document of its own
    (:func:`sphinx.transforms.i18n.publish_msgstr`) whose settings are the page's, ``env`` included;
    the translated nodes it moves into the page keep a reference to that document. Sphinx saves the
    page with its own settings' ``env`` removed, but those documents kept theirs: every Chinese page's
    doctree held a copy of the whole build environment (3 MB against 0.2 MB), and Sphinx unpickles a
    page's doctree again for each cross-reference to it (``numref``): most of the time the Chinese
    build took beyond the English one. A node's document is its parent's when it names none, as for every other
    node of the page. A no-op on a page without translations.
    """
    for node in doctree.findall():
        if getattr(node, "_document", None) not in (None, doctree):
            node._document = None


class _LatinTerms(list):
    """The Latin words :class:`sphinx.search.zh.SearchChinese` has seen (``latin_terms``), with a set
    beside the list: its ``stem`` asks ``word in latin_terms`` for every word of every page, a scan of
    a list that grows with each page (a fifth of each edition's build time) and here a look-up."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set[str] = set()

    def extend(self, words) -> None:
        words = list(words)
        super().extend(words)
        self._members.update(words)

    def __contains__(self, word) -> bool:
        return word in self._members


def _chinese_search_language():
    """Sphinx's Chinese search language (``html_search_language: zh``, both editions) with its Latin
    words in a :class:`_LatinTerms`: the same index, built in a fraction of the time; with the glossary's
    terms as whole words (:mod:`aichain_utils.book.searchwords`), each word's longer inner words as well
    (:func:`~aichain_utils.book.searchwords.inner_words`). Its user dictionary (``dict``) is read from a
    file it closes (Sphinx's own ``init`` hands jieba the path, which jieba leaves open)."""
    from sphinx.search.zh import JIEBA, SearchChinese

    def init(self, options: dict[str, str]) -> None:
        SearchChinese.init(self, {k: v for k, v in options.items() if k != "dict"})
        path = options.get("dict")
        if JIEBA and path and os.path.isfile(path):
            import jieba

            with open(path, "rb") as words:
                jieba.load_userdict(words)

    def split(self, input: str) -> list[str]:
        words = SearchChinese.split(self, input)
        if not JIEBA:
            return words
        import jieba

        return words + searchwords.inner_words(words, jieba.dt.FREQ)

    attributes = {"latin_terms": _LatinTerms(), "init": init, "split": split, "__module__": __name__}
    return type("SearchChinese", (SearchChinese,), attributes)


def build_time_setup(app) -> None:
    """The build-time savings (issue 27), which change no page: translated nodes detached from their
    messages' documents (:func:`_detach_translated_messages`) and the Chinese search index's word
    look-up (:class:`_LatinTerms`). Called by :func:`setup`."""
    app.connect("doctree-read", _detach_translated_messages, priority=999)  # after the glossary's links
    app.add_search_language(_chinese_search_language())
    app.connect("config-inited", searchwords.configure_search_dictionary)


def translations_setup(app) -> None:
    """The Chinese edition's machinery (issue 26): glue roles that paste their values into translated
    paragraphs (:func:`_glue_roles_for_translations`), displayed Markdown, HTML and figures in the page's
    language (:func:`_outputs_in_chinese`), the executed tables' labels
    (:mod:`aichain_utils.book.tablelabels`) and the language switch (:func:`_language_switch`,
    off unless ``aichain_counterpart_root`` is set). Called by :func:`setup`; a sandbox book can load it
    alone."""
    app.add_config_value("aichain_counterpart_root", "", "html", types=[str])
    app.add_config_value("aichain_counterpart_label", "English", "html", types=[str])
    app.add_config_value("aichain_counterpart_language", "en", "html", types=[str])
    app.connect("config-inited", _counterpart_from_environment)
    app.connect("html-page-context", _language_switch, priority=600)  # after the banner: above it
    _glue_roles_for_translations(app)
    _outputs_in_chinese()
    tablelabels.setup(app)  # the executed tables' labels in Chinese (locale/zh_CN/LC_MESSAGES/tables.po)
    glossary.setup(app)  # the Chinese glossary's headings: the Chinese term first
    figurealt.setup(app)  # the figures' alt texts in Chinese (locale/zh_CN/LC_MESSAGES/figure_alt.po)


def setup(app):
    """Register the input guard, the data banner and the ``numbered-table`` directive with Sphinx."""
    app.add_config_value("aichain_inputs_fingerprint", "", "env", types=[str])
    app.add_config_value("aichain_edition", "", "env", types=[str])
    app.connect("config-inited", _record_edition)
    app.connect("config-inited", _guard_inputs)
    app.connect("config-inited", _configure_landing_page)
    app.connect("builder-inited", _singlehtml_handlers)
    app.connect("builder-inited", _index_pages_without_maths)
    app.connect("build-finished", _copy_pdf)
    app.connect("source-read", _api_reference)
    app.connect("env-get-outdated", _reread_generated)
    app.connect("env-get-outdated", _reread_pasting_pages)
    app.connect("env-get-outdated", _rewrite_for_static_change)
    app.connect("env-purge-doc", _purge_generated)
    app.connect("env-before-read-docs", _keep_last_good_site)
    app.connect("env-merge-info", _merge_generated)
    app.setup_extension("sphinx.ext.autodoc")  # the API reference (api.md); its event is used below
    app.connect("autodoc-process-docstring", _prose_out_of_parameters, priority=400)
    app.connect("autodoc-process-docstring", _escape_absolute_values, priority=410)
    app.connect("doctree-read", _remove_solutions)
    app.connect("doctree-read", _link_glossary_terms)
    app.connect("build-finished", _translate_downloaded_sources, priority=400)  # before the stripping (500)
    app.connect("build-finished", _strip_downloaded_sources)
    app.connect("build-finished", _check_student_edition, priority=900)  # after the stripping
    app.connect("env-get-updated", _restore_sphinx_numbers, priority=100)  # before Sphinx's collector
    app.connect("env-get-updated", _chapter_numbers, priority=900)
    app.connect("html-page-context", _add_banner)
    app.connect("html-page-context", _offer_notebook_download, priority=500)
    app.connect("html-page-context", _offer_kit_download, priority=502)
    app.connect("build-finished", _assemble_kit, priority=950)  # after the student edition's check
    app.add_enumerable_node(
        numbered_table,
        "table",
        html=(_visit_numbered_table_html, _depart_numbered_table_html),
        latex=(_skip, None),
        text=(_skip, None),
    )
    app.add_directive("numbered-table", NumberedTableDirective)
    translations_setup(app)  # the Chinese edition: numbers in translated paragraphs, the language switch
    build_time_setup(app)  # issue 27: a faster build, the same pages
    theme_words_setup(app)  # the theme's words in the page's language
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


class numbered_table(nodes.General, nodes.Element):
    """A numbered, captioned table whose body is an executed output (e.g. a glued DataFrame)."""


class NumberedTableDirective(SphinxDirective):
    """``numbered-table``: number and caption an executed table so the text can ``{numref}`` it.

    Sphinx numbers only tables written in markup; tables printed by a code cell are raw HTML.
    This directive wraps such output (usually ``{glue:any}`` of a styled DataFrame) in a node
    that Sphinx enumerates as a ``table``, so it is numbered in the sequence of ``numfig_format['table']``
    and can be cross-referenced with ``{numref}`` like any other table.

    Usage (MyST)::

        :::{numbered-table} Caption text
        :name: tbl-label

        ```{glue:any} key
        ```
        :::
    """

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict] = {"name": directives.unchanged_required}

    def run(self):
        if "name" not in self.options:
            raise self.error("numbered-table needs a :name: so the text can cross-reference it")
        if not self.content:
            raise self.error("numbered-table has no body: put the table (e.g. a {glue:any} directive) inside")
        node = numbered_table()
        self.set_source_info(node)
        caption_nodes, messages = self.state.inline_text(self.arguments[0], self.lineno)
        caption = nodes.caption(self.arguments[0], "", *caption_nodes)
        self.set_source_info(caption)
        node += caption
        body = nodes.container(classes=["aichain-table-body"])
        self.state.nested_parse(self.content, self.content_offset, body)
        node += body
        self.add_name(node)
        return [node, *messages]


def _visit_numbered_table_html(self, node):
    self.body.append(self.starttag(node, "div", CLASS="aichain-table"))


def _depart_numbered_table_html(self, node):
    self.body.append("</div>\n")


def _skip(self, node):
    raise nodes.SkipNode
