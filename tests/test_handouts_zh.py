"""The Chinese edition's handouts (issue 26): each handout takes its chapter's text from the chapter's
catalogue, so it reads as the Chinese chapter does, with its numbers still pasted from the chapter."""

from __future__ import annotations

import re

from aichain_utils.book.handouts import WORDS, chapter_catalogue, handouts_markdown, translated
from aichain_utils.paths import repo_root

ROOT = repo_root()


def test_a_paragraph_and_a_list_item_are_translated_and_the_rest_kept():
    catalogue = {"After this chapter you can": "学完本章，你应当能够：", "state the hypotheses;": "陈述假说；"}
    text = "After this chapter you can\n\n1. state the\n   hypotheses;\n2. not translated yet.\n\n$$\nx\n$$"
    assert translated(text, catalogue) == "学完本章，你应当能够：\n\n1. 陈述假说；\n2. not translated yet.\n\n$$\nx\n$$"
    assert translated(text, {}) == text


def test_the_chinese_handouts_use_the_chapters_translations_and_keep_their_numbers():
    english, chinese = handouts_markdown(ROOT), handouts_markdown(ROOT, "zh_CN")
    catalogue = chapter_catalogue(ROOT, "baseline", "zh_CN")
    assert catalogue, "the baseline chapter has no Chinese catalogue"
    assert WORDS["exercises"] in english and WORDS["exercises"] not in chinese
    assert "**练习。**" in chinese and "学完本章" in chinese
    # every number the English handouts paste from a chapter, the Chinese ones paste too
    roles = re.compile(r"\{glue(?::\w+)?\}`[^`]+`")
    assert sorted(roles.findall(english)) == sorted(roles.findall(chinese))
    assert "/chapters/baseline.md::" in chinese


def test_the_english_handouts_read_no_catalogue():
    assert chapter_catalogue(ROOT, "baseline", None) == {}
    assert chapter_catalogue(ROOT, "no_such_chapter", "zh_CN") == {}
