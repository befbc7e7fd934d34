"""The computed sentences the robustness, validation and measurement pages glue, in
both languages (issue 26, item 4): one template per language filled by the same code from the same numbers.

For each sentence: its English exactly as the English pages printed it before it was bilingual (byte for
byte, on planted inputs), its Chinese from the same numbers, both ways where the sentence has a verdict
(a bound or none, stayers or none, stored or rerun), and a missing number (None, NaN)
refused with a clear error rather than printed as "nan". The headline's sentences are in
tests/test_headline.py, the fragility verdict in tests/test_robustness.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_headline import _panel

from aichain_utils.inputs.schema import region_split
from aichain_utils.replication.numbers import Bilingual as ReExported
from aichain_utils.replication.results import robustness as rob
from aichain_utils.replication.results import validation
from aichain_utils.robustness import sensitivity, sentences, twfe_weights
from aichain_utils.text import Bilingual, bilingual_format, check_finite


# ------------------------------------------------------------------ the bottom-layer module
def test_the_text_module_is_what_numbers_exports():
    assert ReExported is Bilingual


def test_bilingual_format_fills_each_language_from_the_same_values():
    t = {"en": "{k} of {n} are {word} ({x:.2f})", "zh": "{n} 个中有 {k} 个{word}（{x:.2f}）"}
    text = bilingual_format(t, k=2, n=3, word=Bilingual("robust", "稳健"), x=0.5)
    assert (text, text.zh) == ("2 of 3 are robust (0.50)", "3 个中有 2 个稳健（0.50）")


@pytest.mark.parametrize("bad", [None, math.nan, math.inf, np.float64("nan")])
def test_a_missing_number_is_refused_never_printed_as_nan(bad):
    with pytest.raises(ValueError, match=r"the sentence 'x': the number k is .*never 'nan'"):
        bilingual_format({"en": "{k}", "zh": "{k}"}, "the sentence 'x'", k=bad)
    check_finite("words are not checked", word="nan", flag=True, n=3)


# ------------------------------------------------------------------ robustness
def test_the_twfe_sign_clause_both_ways():
    bound = rob.twfe_sign_clause(0.8034)
    assert bound == (
        "effects all of the opposite sign to the coefficient would need a standard deviation of at least "
        "0.803 (σ̲_fe, Corollary 1 (ii))"
    )
    assert bound.zh == "与系数符号全部相反的效应，其标准差至少须为 0.803（σ̲_fe，推论 1（ii））"
    none = rob.twfe_sign_clause(None)
    assert none == (
        "their Corollary 1 (ii), which bounds how dispersed effects all of the opposite sign to the "
        "coefficient would have to be, gives no bound on these weights"
    )
    assert "不给出任何界" in none.zh and "0.803" not in none.zh
    with pytest.raises(ValueError, match="sigma_fe_sign is nan"):
        rob.twfe_sign_clause(math.nan)


def test_the_benchmark_sentences_without_controls_in_both_languages():
    res = sensitivity.SensitivityResult(0.1, 0.02, 5.0, 100, 0.0221, 0.2, 0.0761, pd.DataFrame(), {})
    out = sentences.benchmark_sentences(res)
    assert out["extreme"] == (
        "Even a confounder that explained all of the residual within variation of ERL would have to explain "
        "at least 0.022 of AIE's to bring the estimate to zero (Cinelli and Hazlett's extreme scenario: that "
        "bound is AIE's own partial R² with ERL)."
    )
    assert out["rv_reading"] == (
        "A confounder that overturns the result would have to explain at least 0.076 of the residual "
        "variation of AIE or of ERL; there is no observed control to compare that with."
    )
    assert out["benchmarks"] == "There are no controls, so there are no benchmarks to bound the estimate with."
    assert "至少须解释 AIE 剩余组内变异的 0.022" in out["extreme"].zh
    assert out["rv_reading"].zh.startswith("推翻结论的混杂因素至少须解释 AIE 或 ERL 剩余变异的 0.076")
    assert out["benchmarks"].zh == "没有控制变量，因此没有可用来为估计值定界的基准。"
    with pytest.raises(ValueError, match="rv_alpha is nan"):
        sentences.benchmark_sentences(sensitivity.SensitivityResult(0.1, 0.02, 5, 100, 0.02, 0.2, math.nan, None, {}))


def _bounds(r2_aie: float, r2_erl: float) -> pd.DataFrame:
    rows = []
    for k in (1.0, 3.0):
        rows.append({"benchmark": "age", "k": k, "r2 with AIE": r2_aie, "r2 with ERL": r2_erl,
                     "adjusted_estimate": 0.5 / k, "adjusted_ci_low": 0.1 / k, "adjusted_ci_high": 0.9})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.filterwarnings("ignore")
def test_the_rv_reading_both_ways_in_both_languages():
    strong = sensitivity.SensitivityResult(0.5, 0.1, 5.0, 100, 0.2, 0.3, 0.25, _bounds(0.01, 0.02), {})
    weak = sensitivity.SensitivityResult(0.5, 0.1, 5.0, 100, 0.2, 0.3, 0.25, _bounds(0.40, 0.02), {})
    more, alone = sentences.benchmark_sentences(strong)["rv_reading"], sentences.benchmark_sentences(weak)["rv_reading"]
    assert more.endswith("more than any control explains of either (at most 0.020).")
    assert more.zh.endswith("超过任何控制变量对二者中任一个的解释（至多 0.020）。")
    assert alone.endswith("which age alone already explains of AIE (0.400).")
    assert alone.zh.endswith("而单是 age 就已解释了 AIE 剩余变异的 0.400。")
    bench = sentences.benchmark_sentences(strong)["benchmarks"]
    assert "a confounder as strong as any one control leaves the estimate at least 0.500" in bench
    assert "与任一控制变量同样强的混杂因素使估计值至少为 0.500，其 95% 置信区间不含零" in bench.zh


def test_the_continuous_did_sentence_both_ways_in_both_languages():
    none = sentences.continuous_did_sentence(twfe_weights.stayers(_panel(None)), sentences.quasi_stayers(_panel(None)))
    assert none.endswith(
        "On these data none of the 40 consecutive unit-year pairs keeps AIE unchanged and no unit-year has "
        "AIE = 0; 0 pairs change AIE by less than a tenth of the median year-on-year change, which is 0.0625. "
        "So neither exact stayers nor near-stayers are available for such comparisons here. The book computes "
        "none of these estimators; the weights above are what it reports."
    )
    assert "40 个相邻的个体—年份对中没有一个的 AIE 保持不变" in none.zh and "既没有严格的停留者" in none.zh
    some = sentences.continuous_did_sentence(twfe_weights.stayers(_panel(2)), sentences.quasi_stayers(_panel(2)))
    assert "On these data 4 of the 40 consecutive unit-year pairs keep AIE unchanged (stayers); 4 pairs" in some
    assert "40 个相邻的个体—年份对中有 4 个的 AIE 保持不变（停留者）" in some.zh and "原则上适用" in some.zh
    with pytest.raises(ValueError, match="median_abs_change is nan"):
        sentences.continuous_did_sentence({"pairs": 0, "stayers": 0, "untreated": 0},
                                          {"quasi": 0, "median_abs_change": math.nan})  # fmt: skip


# ------------------------------------------------------------------ validation
def test_the_stored_comparisons_sentence_both_ways():
    stored = validation.stored_sentence({"wildboottest": "stored record (current)", "ivreg2": validation.RERUN},
                                        {"wildboottest": 10.2})  # fmt: skip
    assert stored == (
        "The comparisons with the wildboottest package 0.3.2 (Roodman et al. 2019's algorithm) (10 s when "
        "recorded) are too slow to rerun on every build: they are read from data/validation/, a record whose "
        "fingerprint (the test module, this package's estimators and the pinned packages) matches this build; "
        "a build whose record does not match reruns them."
    )
    assert stored.zh.startswith("与wildboottest 包 0.3.2（Roodman 等 2019 年的算法）（记录时耗时 10 秒）的比对太慢")
    rerun = validation.stored_sentence({"ivreg2": validation.RERUN}, {})
    assert (rerun, rerun.zh) == ("Every comparison was rerun on this build.", "所有比对都在本次构建中重新运行。")
    with pytest.raises(ValueError, match="never 'nan'"):
        validation.stored_sentence({"wildboottest": "stored record (current)"}, {})


def test_the_largest_difference_names_its_reference_and_estimators_in_both_languages():
    ref, tol = validation.reference_words("Stata ivreg2")
    assert (ref, ref.zh) == ("Stata ivreg2", "Stata 的 ivreg2")
    assert (tol, tol.zh) == (
        "1e-6 relative (1e-5 for SEs with two clusters)",
        "相对误差 1e-6（双向聚类的标准误为 1e-5）",
    )
    names = validation.estimator_list(["FE", "IV1", "indirect FSIE"])
    assert (names, names.zh) == ("FE, IV1, indirect FSIE", "FE、IV1、FSIE 间接效应")
    none = validation.estimator_list([])
    assert (none, none.zh) == ("none", "无")


# ------------------------------------------------------------------ the panel builder's notes (measurement page)
def test_the_region_note_in_both_languages():
    _, region = region_split(pd.Series([1, 2, 3, 4]), pd.Series([0.1, 0.9, 0.5, 0.3]))
    assert region == "Factor-market-developed region: the top 1 of 4 provinces by mean factor-market index."
    assert region.zh == "要素市场发达地区：按要素市场指数均值排名前 1 的省份（共 4 个）。"


def test_every_reference_has_its_chinese_names():
    from aichain_utils.replication import validation as references

    assert set(validation.REFERENCES_ZH) == {r.key for r in references.REFERENCES}
    assert all(program.strip() and tolerance.strip() for program, tolerance in validation.REFERENCES_ZH.values())
