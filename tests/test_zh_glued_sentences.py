"""Every computed sentence a page glues is in Chinese on its Chinese page (issue 26, item 4).

A bilingual value (:class:`aichain_utils.text.Bilingual`) carries its Chinese text in the page's glue data
(``_build/jupyter_execute/<page>.glue.json``, under :data:`aichain_utils.text.ZH_MIME`). Wherever the English
page shows such a sentence, its Chinese page must show the Chinese text and not the English one, whether the
catalogue translates the paragraph around it or leaves it as written (a paragraph made only of glue roles).
Reads the site ``make book`` built: skipped when it is not built, failed under CI.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aichain_utils.paths import repo_root
from aichain_utils.text import ZH_MIME

ROOT = repo_root()
SITE = ROOT / "_build" / "html"
#: A glued value shorter than this is a word or a short phrase that may also stand in a table or a code
#: cell of the Chinese page (a variable's name, "robust"): only sentences are held to the rule.
SENTENCE = 30
#: Pages that paste another page's glued values (``{glue:text}`at_a_glance.md::key```), by the page glued.
PASTED_ELSEWHERE = {"at_a_glance": ["index"]}


def _text(path: Path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.select_one("main") or soup
    for junk in main.select("pre, code, script, style, table, .cell_input"):
        junk.decompose()
    return " ".join(main.get_text(" ").split())


def bilingual_sentences(glue_json: Path) -> dict[str, tuple[str, str]]:
    """The page's glued bilingual sentences: key -> (English as pasted, Chinese)."""
    found = {}
    for key, output in json.loads(glue_json.read_text(encoding="utf-8")).items():
        data = output.get("data", {})
        if ZH_MIME not in data or "text/plain" not in data:
            continue
        english = "".join(data["text/plain"]) if isinstance(data["text/plain"], list) else data["text/plain"]
        chinese = "".join(data[ZH_MIME]) if isinstance(data[ZH_MIME], list) else data[ZH_MIME]
        try:
            english = ast.literal_eval(english)
        except (ValueError, SyntaxError):
            pass
        if isinstance(english, str) and len(english) >= SENTENCE:
            found[key] = (" ".join(english.split()), " ".join(chinese.split()))
    return found


def english_left(english_page: str, chinese_page: str, sentences: dict[str, tuple[str, str]]) -> list[str]:
    """The keys whose English sentence the English page shows and the Chinese page shows too, or whose
    Chinese text it does not show."""
    return [
        key
        for key, (en, zh) in sentences.items()
        if en in english_page and en != zh and (en in chinese_page or zh not in chinese_page)
    ]


def test_a_sentence_left_in_english_is_found():
    """The check can fail: the English sentence on the Chinese page, or its Chinese text missing."""
    sentences = {"k": ("The panel is balanced, so one pass is exact.", "面板是平衡的，一次即精确。")}
    english = "Intro. The panel is balanced, so one pass is exact. More."
    assert english_left(english, "引言。The panel is balanced, so one pass is exact.", sentences) == ["k"]
    assert english_left(english, "引言。其他。", sentences) == ["k"]
    assert english_left(english, "引言。面板是平衡的，一次即精确。", sentences) == []
    assert english_left("Intro.", "引言。", sentences) == []  # not on the English page: nothing asked


def test_every_glued_sentence_is_in_chinese_on_the_chinese_page():
    if not (SITE / "zh" / "index.html").is_file():
        if os.environ.get("CI"):
            pytest.fail("make test builds the Chinese edition into _build/html/zh, and it is missing")
        pytest.skip("the Chinese edition is not built (make book)")
    checked, failures = 0, []
    for glue_json in sorted((ROOT / "_build" / "jupyter_execute").rglob("*.glue.json")):
        page = glue_json.relative_to(ROOT / "_build" / "jupyter_execute").with_suffix("").with_suffix("").as_posix()
        sentences = bilingual_sentences(glue_json)
        for shown in [page, *PASTED_ELSEWHERE.get(page, [])]:
            if not sentences or not (SITE / "zh" / f"{shown}.html").is_file():
                continue
            english, chinese = _text(SITE / f"{shown}.html"), _text(SITE / "zh" / f"{shown}.html")
            checked += sum(en in english for en, _ in sentences.values())
            left = english_left(english, chinese, sentences)
            failures += [f"{shown}: {key}: {sentences[key][0][:80]}" for key in left]
    assert checked > 20, f"only {checked} glued sentences found on the English pages"
    assert not failures, "\n".join(failures)
