"""The audit's findings in Chinese (issue 26): every check words its explanation in English and Chinese
from one code path (:func:`aichain_utils.replication.audit._say`), the findings list of the audit chapter
is Chinese on the Chinese page, and the English is what it was."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_audit import CLEAN_CLAIMS, CLEAN_SOURCES, DESIGN, _cell, _clean_cells, _table2

from aichain_utils.replication import audit
from aichain_utils.replication.closestworld import CLOSEST_WORLD_CHECK
from aichain_utils.replication.results.audit import consistency_audit, finding_label_zh, tables_catalogue
from aichain_utils.text import Bilingual

SNAPSHOT = Path(__file__).parent / "snapshots" / "audit_explanations_en.md"

#: Words the Chinese may keep: variables' and statistics' symbols, estimators' and authors' names, the
#: databases the paper names, a claim's id.
KEPT = re.compile(
    r"(?<![A-Za-z0-9_-])(?:Kleibergen-Paap|Bhatia-Davis|Guotai-An|Bhatia|Davis|Wald|Wind|[A-Z]\d+-[a-z-]+"
    r"|[A-Z][A-Z0-9]*(?:_[A-Za-z0-9]+)*|[a-z]+_[a-z0-9_]+|rk|suest|tra|n)(?![A-Za-z0-9_-])"
)


def english_words(text: str) -> list[str]:
    """The English words of a Chinese text: two letters in a row, once the kept symbols, the paper's
    quotations (「...」) and the table names are taken out."""
    text = re.sub(r"「[^」]*」", "", text)
    return re.findall(r"[A-Za-z]{2,}", KEPT.sub("", text))


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)*", text)


def _planted() -> list:
    """Findings of every family the planted tables of tests/test_audit.py trigger (both branches where a
    sentence has two)."""
    found = []
    cells = _clean_cells()
    cells.loc[cells["table"] == 3, "method_zh"] = "混合回归"
    cells.loc[(cells["table"] == 5) & (cells["column"] == 2), "coef"] = 1.5
    found += audit.check_method_labels(cells) + audit.check_prose_claims(cells, CLEAN_CLAIMS)
    places = ["四.3 数据来源", "Abstract"]  # the paper's places, as data_sources.csv names them
    found += audit.check_sources(CLEAN_SOURCES.assign(where=places, sources=["Wind|CSMAR", "Guotai-An"]))
    found += audit.check_sample_sizes(_clean_cells(), _table2(n_itse=300), DESIGN)
    cells = _clean_cells()
    cells.loc[cells["table"] == 9, "n"] = 400
    cells.loc[cells["table"] == 4, "n"] = 400
    cells.loc[cells["table"] == 6, "n"] = 401
    found += audit.check_sample_sizes(cells, _table2(), DESIGN)
    itse = pd.concat([cells, pd.DataFrame([_cell(6, 2, 0.9, 0.1, "***", 400, outcome="ITSE")])], ignore_index=True)
    found += audit.check_sample_sizes(itse, _table2(n_itse=300), DESIGN)
    uneven = _clean_cells()
    uneven.loc[uneven["table"] == 9, "n"] = [151, 190]  # groups miss 59 observations and are not whole panels
    found += audit.check_sample_sizes(uneven, _table2(), DESIGN)
    cells = _clean_cells()
    cells.loc[0, "stars"] = "*"
    found += audit.check_stars(cells, DESIGN)
    for t2 in (_table2(sd_erl=3.5), _table2(mean_erl=9.0), _table2(n_itse=350)):
        found += audit.check_descriptives(t2)
    cells = _clean_cells()
    cells.loc[cells["outcome"] == "ELRI_inter", "coef"] = 0.3
    cells.loc[(cells["table"] == 3) & (cells["column"] == 3), "coef"] = 1.1
    cells.loc[(cells["table"] == 3) & (cells["column"] == 2), "adj_r2"] = 0.40
    found += audit.check_identities(cells) + audit.check_nesting(cells, DESIGN)
    cells = _clean_cells()
    cells.loc[cells["table"] == 6, "se"] = 0.0
    cells.loc[cells["table"] == 4, "kp_wald"] = 5000.0
    cells.loc[(cells["table"] == 3) & (cells["column"] == 2), "se"] = 0.01
    cells.loc[(cells["table"] == 9) & (cells["column"] == 2), "se"] = 0.01  # of a split
    found += audit.check_plausibility(cells)
    low = pd.DataFrame([{"symbol": "AIE", "n": 1, "mean": 0.02, "sd": 0.01, "min": 0.0, "max": 1.0}])
    found += audit.check_aie_floor() + audit.check_aie_floor(low)
    quote = pd.DataFrame([{"source": "claims.csv", "item": "x", "quote": "不在原文中"}])
    found += audit.check_quotations(quote, "原文")
    found += audit.check_closest_world(_world_table())
    return found


def _world_table(mean: float = 0.4357) -> pd.DataFrame:
    row = {"table": 10, "column": 1, "statistic": "adj_r2", "band_low": 0.4143, "band_high": 0.4562,
           "world_mean": mean, "world_sd": 0.01171, "z": 9.4, "published": 0.546, "replications": 200,
           "percentile": 1.0, "percentile_mc_se": 0.0, "verdict": "outside its 95% band"}  # fmt: skip
    fixed = {**row, "statistic": "n", "world_mean": 23485.0, "world_sd": 0.0, "published": 10736.0,
             "verdict": "no world of the family produces it"}  # fmt: skip
    return pd.DataFrame([row, fixed])


def test_planted_findings_of_every_check_are_worded_in_both_languages():
    found = _planted()
    checks = {f.check for f in found}
    expected = {
        "pooled regression printed with fixed effects", "claim order", "data sources differ",
        "N above a related variable's N", "split groups each use the full sample", "lagged instrument loses a year",
        "N above the full sample", "N above the variable's own N", "two-way split does not add up",
        "group N not a whole number of unit panels", "stars follow coefficient / SE",
        "SD within the Bhatia-Davis bound", "mean within [min, max]", "N differs across variables",
        "ERL coefficient = mean of segment coefficients (eq. 9)", "LSDV equals the within (FE) estimator",
        "adding controls cannot lower fit by much", "zero standard error",
        "KP rk LM and Wald F tell different stories", "standard errors on the same N differ by more than 10x",
        audit.AIE_FLOOR_CHECK, "quotation occurs in the paper", CLOSEST_WORLD_CHECK,
    }  # fmt: skip
    assert expected <= checks, expected - checks
    for f in found:
        assert isinstance(f.explanation, Bilingual), f.check
        zh = f.explanation.zh
        assert re.search(r"[\u4e00-\u9fff]", zh) and not english_words(zh), (f.check, zh)
        assert sorted(_numbers(str(f.explanation))) == sorted(_numbers(zh)), (f.check, zh)


def test_both_branches_of_the_two_way_sentences():
    found = _planted()
    floors = [f.explanation.zh for f in found if f.check == audit.AIE_FLOOR_CHECK]
    assert len(floors) == 2 and "留给其他指标" in floors[0] and "不可能同时成立" in floors[1]
    world = [f.explanation.zh for f in found if f.check == CLOSEST_WORLD_CHECK]
    assert "中央 95% 区间" in world[0] and "校准不会改变它" in world[1]
    ratios = [f.explanation.zh for f in found if f.check.startswith("standard errors on the same N")]
    assert {"同一分组中" in z for z in ratios} == {True, False}
    assert audit._whole_words("the full sample").zh == "全样本"
    assert audit._whole_words("column (1), the overall sample").zh == "第（1）列的总体样本"


def test_a_nan_in_an_explanation_is_refused():
    with pytest.raises(ValueError, match="nan"):
        audit.check_closest_world(_world_table(mean=float("nan")))


def test_the_english_list_is_unchanged():
    """Every current finding's English line is as before the Chinese was added."""
    results = consistency_audit()
    assert results.explanations_markdown() == SNAPSHOT.read_text(encoding="utf-8")
    assert str(results.explanations_markdown()) == "\n".join(
        f"{i + 1}. **{r.severity}**, {r.table} {r.cells}, *{r.check}*: {r.explanation}"
        for i, r in enumerate(results.findings.itertuples())
    )


def test_the_chinese_list_has_no_english_words():
    results = consistency_audit()
    text = results.explanations_markdown()
    assert isinstance(text, Bilingual)
    lines = text.zh.splitlines()
    assert len(lines) == len(results.findings) and all(results.findings["explanation_zh"].str.len() > 0)
    for line in lines:
        assert not english_words(line), line
    assert lines[0].startswith("1. **")


def test_the_labels_are_the_chinese_findings_tables():
    words = tables_catalogue()
    assert finding_label_zh("columns (1, 2)", words) == "第（1）、（2）列"
    assert finding_label_zh("column (3), coef", words) == "第（3）列，系数"
    assert finding_label_zh("Table 2", words) == "表 2"
    assert finding_label_zh("sample to 2022", words) == "样本截至 2022 年"
    assert finding_label_zh("warning", words) == "警告" and finding_label_zh("AIE", words) == "AIE"
    assert finding_label_zh("四.3 数据来源 vs Abstract", words) == "四.3 数据来源 对 英文摘要"
    assert not np.isnan(len(words))


def test_english_words_catches_an_english_sentence():
    """The companion of the checks above: an English explanation left in the Chinese list is caught."""
    assert english_words("论文称：The groups split the sample") == ["The", "groups", "split", "the", "sample"]
    assert english_words("ERL 的系数、adj_r2、Kleibergen-Paap rk 统计量，LM 与 Wald F") == []
