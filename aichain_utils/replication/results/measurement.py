"""Results objects of the measurement chapter: the paper's Tables 1-2 and the indices built from raw inputs.

Three objects, one per subject of ``chapters/measurement.md``:

* :func:`table1` (prefix ``t1``): Table 1's published AIE weights beside the weights used on this build's
  indicators (entropy weighting, the book's reading of the unstated method, or the published ones);
* :func:`table2` (prefix ``t2``): Table 2's descriptive statistics beside the data of this build;
* :func:`measures` (prefix ``meas``): the panel's shape, the paper's design numbers, the evidence on the
  observation unit, the alternative readings of equations (6)-(18) and the answer to exercise 3.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from aichain_utils.inputs import published, readings
from aichain_utils.inputs.panel import AnalysisPanel, aie_weight_method, build_analysis_panel
from aichain_utils.replication import lab
from aichain_utils.replication import measurement_tables as tables
from aichain_utils.replication.numbers import Bilingual, Numbers, Results, bilingual_join
from aichain_utils.report.display import show_table
from aichain_utils.simulation import simulate

__all__ = [
    "Measures",
    "Table1",
    "Table2",
    "exercise3_feedback",
    "feedback_reading",
    "measures",
    "no_readings_message",
    "sample_sizes_sentence",
    "table1",
    "table2",
    "weights_used_phrase",
]


def weights_used_phrase(method) -> Bilingual:
    """What the weights "here" of Table 1 are: the entropy method's or the published ones.

    Parameters
    ----------
    method : str or array
        :func:`aichain_utils.inputs.panel.aie_weight_method` of the build ("entropy", "published" or
        explicit weights, which are reported as the published ones' stand-in).
    """
    if isinstance(method, str) and method == "entropy":
        return Bilingual("the weights the entropy method gives", "熵值法给出的权重")
    return Bilingual("the published weights, which this build uses", "本次构建所用的公布的权重")


def sample_sizes_sentence(comparison: pd.DataFrame) -> Bilingual:
    """How many of Table 2's sample sizes this build matches ("All sample sizes match the paper's" or
    "k of n sample sizes match the paper's"), from :func:`~aichain_utils.replication.measurement_tables.
    table2_comparison`."""
    n_match = int((comparison["N paper"] == comparison["N here"]).sum())
    if n_match == len(comparison):
        return Bilingual("All sample sizes match the paper's", "所有样本量都与论文的一致")
    return Bilingual(
        f"{n_match} of {len(comparison)} sample sizes match the paper's",
        f"{len(comparison)} 个样本量中有 {n_match} 个与论文的一致",
    )


class Table1(Results):
    """Table 1 (the AIE indicators and their weights), published beside the weights of this build.

    Attributes
    ----------
    table : DataFrame
        :func:`~aichain_utils.replication.measurement_tables.table1_comparison`.
    weight_method : str or array
        The weights of this build (:func:`~aichain_utils.inputs.panel.aie_weight_method`).
    """

    prefix = "t1"

    def __init__(self, panel: AnalysisPanel):
        self.panel = panel
        self.table = tables.table1_comparison(panel)
        self.weight_method = aie_weight_method(None, panel.source)

    def numbers(self) -> Numbers:
        """Table 1's counts (benefit indicators), the published weights' sum, the range of this build's
        weights and the largest gap to the published ones, and which weights "here" are."""
        t, signs = self.table, published.load_table1()["sign"]
        return Numbers(
            self.prefix,
            {
                "weights_used": weights_used_phrase(self.weight_method),
                "n_benefit": int((signs == "+").sum()),
                "n_indicators": len(signs),
                "published_weight_sum": float(t["published weight"].sum()),
                "weight_min": float(t["weight here"].min()),
                "weight_max": float(t["weight here"].max()),
                "max_gap": float(t["difference"].abs().max()),
            },
        )


def table1(panel: AnalysisPanel) -> Table1:
    """Table 1 of the paper beside the AIE weights of the panel ``panel`` (see :class:`Table1`)."""
    return Table1(panel)


class Table2(Results):
    """Table 2 (descriptive statistics), published beside the data of this build.

    Attributes
    ----------
    table : DataFrame
        :func:`~aichain_utils.replication.measurement_tables.table2_comparison` (N, mean, SD, min, max of
        both, the mean and SD gaps in percent and whether both are within 10%).
    """

    prefix = "t2"

    def __init__(self, panel: AnalysisPanel):
        self.panel = panel
        self.table = tables.table2_comparison(panel)

    def numbers(self) -> Numbers:
        """The variables within 10% of the published mean and SD, the largest gaps, the sample-size sentence
        and what data the table compares."""
        t = self.table
        simulated = self.panel.source is not None and self.panel.source.is_simulated
        return Numbers(
            self.prefix,
            {
                "n_within": int(t["within 10%"].sum()),
                "n_vars": len(t),
                "max_mean_gap": float(t["mean Δ%"].abs().max()),
                "max_sd_gap": float(t["SD Δ%"].abs().max()),
                "sample_sizes": sample_sizes_sentence(t),
                "data_kind": Bilingual("the simulated panel", "模拟面板")
                if simulated
                else Bilingual("the data of this build", "本次构建的数据"),
            },
        )


def table2(panel: AnalysisPanel) -> Table2:
    """Table 2 of the paper beside the descriptive statistics of ``panel`` (see :class:`Table2`)."""
    return Table2(panel)


def exercise3_feedback() -> dict:
    """Exercise 3 of the measurement chapter, computed as its solution computes it: the feedback of AI on
    the ERL shock and the correlation of AIE with that shock, in the closest world and in the simulation
    lab's "reverse feedback" scenario (default seed), with the reading of the two correlations."""
    base = simulate.load_params()
    out = {}
    for key, params in (("world", base), ("scenario", lab.scenario_params("reverse feedback"))):
        sim = simulate.simulate_panel(params)
        aie = build_analysis_panel(sim.raw).data["AIE"].to_numpy()
        out[f"feedback_{key}"] = float(params["latent_ai"]["feedback_from_erl_shock"])
        out[f"corr_{key}"] = float(np.corrcoef(aie, sim.truth["erl_shock"].to_numpy())[0, 1])
    out["reading"] = feedback_reading(out["corr_world"], out["corr_scenario"], float(base["erl"]["noise_sd"]))
    return out


def feedback_reading(corr_world: float, corr_scenario: float, noise_sd: float) -> Bilingual:
    """The reading of exercise 3: the scenario's correlation is larger (by more than 0.01 at the three
    decimals shown), or it barely moves because the ERL shock has a small standard deviation."""
    if round(corr_scenario, 3) - round(corr_world, 3) > 0.01:
        return Bilingual("the correlation is larger with the scenario's feedback", "在该情景的反馈下相关系数更大")
    return Bilingual(
        "even the scenario's feedback barely moves this correlation: the ERL shock it scales has a standard "
        f"deviation of only {noise_sd:.3f} in the closest world (erl.noise_sd)",
        "即便是该情景的反馈也几乎不改变这一相关系数：它所放大的 ERL 冲击在最接近的模拟世界中"
        f"标准差仅为 {noise_sd:.3f}（erl.noise_sd）",
    )


def no_readings_message() -> str:
    """What the page says where the readings cannot be switched (an analysis-level file)."""
    return (
        "The data of this build give the finished indices, not their raw inputs, so the readings "
        "cannot be switched here."
    )


class Measures(Results):
    """The rest of the measurement chapter: the panel's shape against the paper's design, the evidence on
    the observation unit, the alternative readings of equations (6)-(18), and exercise 3.

    Attributes
    ----------
    panel : AnalysisPanel
    units_evidence, units_columns : DataFrame
        :func:`~aichain_utils.inputs.readings.sample_size_evidence` and
        :func:`~aichain_utils.inputs.readings.sample_size_reading`.
    """

    prefix = "meas"

    def __init__(self, panel: AnalysisPanel):
        self.panel = panel
        self.units_evidence = readings.sample_size_evidence()
        self.units_columns = readings.sample_size_reading()

    @cached_property
    def alternatives(self) -> dict:
        """The panel rebuilt under each alternative reading (empty on finished variables)."""
        return tables.alternative_panels(self.panel)

    @cached_property
    def ex3(self) -> dict:
        """Exercise 3's numbers and reading (:func:`exercise3_feedback`), computed once."""
        return exercise3_feedback()

    def prints_table(self) -> pd.DataFrame:
        """:func:`~aichain_utils.inputs.readings.print_table` with the reconstruction typeset (MathJax reads
        Sphinx's inline-math markup), not printed as LaTeX source."""
        prints = readings.print_table()
        prints["reconstruction (LaTeX)"] = [
            f'<span class="math notranslate nohighlight">\\({tex}\\)</span>' for tex in prints["reconstruction (LaTeX)"]
        ]
        return prints.rename(columns={"reconstruction (LaTeX)": "reconstruction"})

    def upsilon_table(self):
        """ERL under the two readings of Υ_M and Υ_I (a styled table), or why it cannot be shown."""
        if not self.alternatives:
            return no_readings_message()
        return show_table(tables.upsilon_consequence(self.panel, self.alternatives[("upsilon", "mediators")]))

    def alternatives_table(self):
        """Each alternative reading against the default (a styled table), or why it cannot be shown."""
        if not self.alternatives:
            return no_readings_message()
        return show_table(tables.reading_consequences(self.panel, self.alternatives))

    def builder_notes(self) -> Bilingual:
        """What the panel builder reported, as a Markdown list, in English and Chinese (a note that is plain
        text is cited as it is in both)."""
        head = Bilingual("**What the panel builder reports:**\n\n", "**面板构建器报告的内容：**\n\n")
        items = [bilingual_join(["- ", n]) for n in self.panel.notes]
        return bilingual_join([head, bilingual_join(items, "\n")] if items else [head])

    def _published(self) -> dict:
        design = published.load_design()
        n = int(published.published_cell(3, 6)["n"])
        industries = int(design["n_industries"])
        years = int(design["last_year"]) - int(design["first_year"]) + 1
        return {
            "n": n,
            "industries": industries,
            "years": years,
            "units_per_industry": n / (industries * years),
            "n_lcv": int(published.published_cell(10, 1)["n"]),
            "segment_mean": float(np.mean([published.published_cell(5, c)["coef"] for c in (2, 3, 4)])),
            "t3_fe": float(published.published_cell(3, 6)["coef"]),
        }

    def numbers(self) -> Numbers:
        """The panel's shape, the paper's design, the evidence on the unit, the Υ note and exercise 3."""
        d, ev, cols = self.panel.data, self.units_evidence, self.units_columns
        return Numbers(
            self.prefix,
            {
                "n_rows": len(d),
                "n_units": int(d["unit_id"].nunique()),
                "n_industries": int(d["industry_id"].nunique()),
                "n_years": int(d["year"].nunique()),
                "n_lcv": int(d["LCV"].notna().sum()),
                "published": self._published(),
                "units": {"n_for": int((ev["side"] == "for").sum()), "n_against": int((ev["side"] == "against").sum())},
                "cols": {
                    "n": len(cols),
                    "explained": int((cols["status"] == "explained").sum()),
                    "unexplained": int((cols["status"] == "unexplained").sum()),
                    "data": int((cols["status"] == "not a design N").sum()),
                },
                "upsilon_note": Bilingual(
                    "Both readings are computed from the raw inputs of this build.",
                    "两种解读都由本次构建的原始输入计算得出。",
                )
                if self.alternatives
                else no_readings_message(),
                "ex3": self.ex3,
            },
        )


def measures(panel: AnalysisPanel) -> Measures:
    """The measurement chapter's numbers beyond Tables 1-2 (see :class:`Measures`)."""
    return Measures(panel)
