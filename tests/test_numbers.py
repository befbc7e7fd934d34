"""The results objects' number trees (aichain_utils.replication.numbers) and the chapter façade's glue."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aichain_utils.replication.numbers import (
    ZH_MIME,
    Bilingual,
    Numbers,
    Results,
    register_prefix,
    sampling_error_clause,
)


def test_flat_keys_follow_the_path():
    n = Numbers("t3", {"c6": {"coef": 0.25, "published": {"coef": 0.3}}, "r2_order": "reproduces"})
    assert n.c6.published.coef == 0.3
    assert n.flat() == {"t3_c6_coef": 0.25, "t3_c6_published_coef": 0.3, "t3_r2_order": "reproduces"}


def test_none_needs_a_reason_and_glues_as_nan():
    with pytest.raises(ValueError, match=r"c6\.bias"):
        Numbers("t3", {"c6": {"bias": None}})
    n = Numbers("t3", {"c6": {"bias": None}}, reasons={"c6.bias": "no truth on a user's data"})
    assert math.isnan(n.glue_values()["t3_c6_bias"])
    assert n.reasons == {"c6.bias": "no truth on a user's data"}


def test_numpy_scalars_become_python_numbers_and_bools_words():
    n = Numbers("x", {"a": np.float64(1.5), "b": np.int64(3), "c": True})
    assert n.glue_values() == {"x_a": 1.5, "x_b": 3, "x_c": "yes"}
    assert type(n.a) is float and type(n.b) is int


@pytest.mark.parametrize("bad", [{"A": 1}, {"a-b": 1}, {"a__b": 1}, {"1a": 1}])
def test_names_must_read_as_keys(bad):
    with pytest.raises(ValueError, match="lower-case"):
        Numbers("x", bad)


def test_a_page_cites_leaves_not_frames():
    import pandas as pd

    with pytest.raises(TypeError, match="DataFrame"):
        Numbers("x", {"table": pd.DataFrame()})


def test_missing_number_names_what_exists():
    with pytest.raises(AttributeError, match=r"has no number 'c7'.*\['c6'\]"):
        Numbers("t3", {"c6": {"coef": 1.0}}).c7  # noqa: B018


def test_a_prefix_names_one_results_class():
    register_prefix("zz_test", "a")
    with pytest.raises(ValueError, match="already used"):
        register_prefix("zz_test", "b")
    with pytest.raises(ValueError):
        register_prefix("Bad", "c")


def test_results_subclass_registers_its_prefix():
    class Planted(Results):
        prefix = "zz_planted"

        def numbers(self):
            return Numbers(self.prefix, {"a": 1})

    from aichain_utils.replication.numbers import PREFIXES

    assert PREFIXES["zz_planted"].endswith("Planted")
    assert Planted().numbers().flat() == {"zz_planted_a": 1}


def test_sampling_error_clause_is_the_two_se_rule():
    assert sampling_error_clause(0.19, 0.1) == "within sampling error"
    assert sampling_error_clause(-0.21, 0.1) == "more than sampling error explains"
    assert sampling_error_clause(0.19, 0.1).zh == "在抽样误差范围内"
    assert sampling_error_clause(-0.21, 0.1).zh == "超出了抽样误差所能解释的范围"
    with pytest.raises(ValueError, match="positive"):
        sampling_error_clause(0.1, 0.0)


@pytest.mark.parametrize(("bias", "se", "named"), [(float("nan"), 0.1, "bias=nan"), (0.1, float("nan"), "se=nan")])
def test_sampling_error_clause_refuses_a_planted_nan(bias, se, named):
    with pytest.raises(ValueError, match=named):
        sampling_error_clause(bias, se)


def test_glue_numbers_glues_each_key_once(monkeypatch):
    import myst_nb

    from aichain_utils import book

    seen = []
    monkeypatch.setattr(myst_nb, "glue", lambda key, value, display=True: seen.append((key, value, display)))
    a = Numbers("aa", {"x": 1.0, "y": "larger"})
    assert book.glue_numbers(a) is None  # nothing to print under a visible cell
    assert seen == [("aa_x", 1.0, False), ("aa_y", "larger", False)]
    with pytest.raises(ValueError, match="aa_x"):
        book.glue_numbers(a, a)
    seen.clear()
    book.glue_numbers(Numbers("bb", {"w": Bilingual("larger", "更大"), "s": "plain"}))
    (_, word, _), plain = seen
    assert word.text.zh == "更大" and word.text == "larger" and plain == ("bb_s", "plain", False)


# --------------------------------------------------------------------------- words in both languages (issue 26)
def test_a_bilingual_leaf_is_its_english_text_and_carries_its_chinese():
    word = Bilingual("larger", "更大")
    n = Numbers("t3", {"c4_vs_c2": word, "c6": {"clause": sampling_error_clause(0.1, 0.1)}})
    assert n.c4_vs_c2 is word and n.flat()["t3_c4_vs_c2"] is word  # attribute access and flat() return it
    assert n.glue_values()["t3_c4_vs_c2"] is word
    assert word == "larger" and f"is {word} than" == "is larger than" and type(word.en) is str
    assert n.c6.clause.zh == "在抽样误差范围内"
    assert not isinstance(word.upper(), Bilingual)  # a text composed from it is English only


@pytest.mark.parametrize("en, zh", [("larger", ""), ("larger", "   "), ("", "更大"), ("larger", None)])
def test_a_bilingual_leaf_without_one_of_its_texts_is_refused(en, zh):
    with pytest.raises(ValueError, match=r"non-empty (Chinese|English) text"):
        Bilingual(en, zh)


@pytest.mark.parametrize("en", ["larger", "it's larger", 'a "quoted" word', "more than sampling error explains"])
def test_a_glued_bilingual_shows_the_english_as_gluing_its_english_str_does(en):
    """text/plain is byte for byte what myst-nb's glue stores for the English str (the English pages'
    text), the Chinese text is beside it; pickling and copying keep both."""
    import copy
    import pickle

    from IPython.core.formatters import format_display_data

    from aichain_utils.book.chapter import BilingualOutput

    word = Bilingual(en, "更大")
    bundle, _ = format_display_data(BilingualOutput(word))
    assert bundle == {**format_display_data(en)[0], ZH_MIME: "更大"}
    assert format_display_data(word) == format_display_data(en)  # shown in a cell: its English str alone
    for clone in (pickle.loads(pickle.dumps(word)), copy.deepcopy(word)):
        assert (clone, clone.zh, type(clone)) == (en, "更大", Bilingual)


def test_keys_glued_before_the_notebook_extension_are_never_glued_again_as_placeholders(monkeypatch, tmp_path):
    """A chapter glues its numbers in the set-up cell, before ``%load_ext aichain_utils.book.notebook``; the
    placeholders of a skipped table must still leave those keys alone (myst-nb fails on a duplicate key)."""
    import myst_nb

    from aichain_utils import book
    from aichain_utils.book import notebook

    monkeypatch.setattr(myst_nb, "glue", lambda key, value, display=True: None)
    monkeypatch.setattr(notebook, "GLUED", set())
    monkeypatch.setattr(notebook, "SKIPPED", {7: "no group labels"})
    book.glue_numbers(Numbers("zz_early", {"n": 3, "late": 1.0}))
    page = tmp_path / "page.md"
    text = "````{only} has_table7\n{glue:text}`zz_early_n` and {glue:text}`zz_other`\n````\n"
    page.write_text(text, encoding="utf-8")
    assert notebook.glue_placeholders(page) == ["zz_other"]
