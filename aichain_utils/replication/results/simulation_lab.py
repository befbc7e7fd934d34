"""The simulation lab (``chapters/simulation_lab.md``): scenarios, the stored Monte Carlo and its verdicts.

:func:`monte_carlo_lab` simulates one panel per scenario of :data:`aichain_utils.replication.lab.SCENARIOS`
(:func:`aichain_utils.replication.lab.run_scenarios`), reads the stored Monte Carlo of the baseline
(:func:`aichain_utils.replication.lab.load_monte_carlo`; it is read, never rerun) with its summary, Monte
Carlo SEs and verdicts (:func:`aichain_utils.replication.lab.monte_carlo_verdicts`), and estimates the two
panels of the chapter's first exercise. Its :meth:`SimulationLab.numbers` are every number and sentence the
chapter cites, under keys ``lab_*``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aichain_utils.replication import lab, labtext
from aichain_utils.replication.numbers import Bilingual, Numbers, Results, bilingual_join
from aichain_utils.report import tables
from aichain_utils.simulation import simulate

__all__ = ["SimulationLab", "exercise_panels", "monte_carlo_lab", "reading", "where_run"]

#: The scenarios and estimators of the chapter's first exercise, and the seed of its panels.
EXERCISE_SCENARIOS = {"base": "baseline", "rev": "reverse feedback"}
EXERCISE_ESTIMATORS = ["FE", "FD"]
EXERCISE_SEED = 1
#: Standard errors from the truth within which an estimate is read as on target (one panel).
WITHIN_SES = 2


def exercise_panels(seed: int = EXERCISE_SEED) -> pd.DataFrame:
    """Exercise 1: fixed effects and first differences on one panel of the closest world and one of the
    reverse feedback scenario, with the truth and the distance from it in standard errors (rounded to 3
    decimals, as the exercise's solution prints them)."""
    rows = []
    for name in EXERCISE_SCENARIOS.values():
        p = lab.scenario_params(name)
        truth = lab.truths(p)
        est = pd.DataFrame(lab.estimate_all(p, seed)).set_index("estimator").loc[EXERCISE_ESTIMATORS]
        est["truth"] = [truth[k] for k in est.index]
        est["SEs from truth"] = (est["estimate"] - est["truth"]).abs() / est["se"]
        rows.append(est.assign(scenario=name, feedback=p["latent_ai"]["feedback_from_erl_shock"]))
    return pd.concat(rows)[["scenario", "feedback", "estimate", "se", "truth", "SEs from truth"]].round(3)


def reading(ses_from_truth: pd.Series) -> Bilingual:
    """Whether every estimate of one panel lies within two of its standard errors of the truth."""
    if (ses_from_truth <= WITHIN_SES).all():
        return Bilingual("both within two of their standard errors of the truth", "两者都在真值的两个标准误之内")
    return Bilingual("not both within two of their standard errors of the truth", "并非两者都在真值的两个标准误之内")


def where_run(meta: dict) -> Bilingual:
    """Where the stored Monte Carlo ran: local processes or a Dask cluster (its metadata)."""
    if meta.get("workers"):
        return Bilingual(f"{meta['workers']} local processes", f"{meta['workers']} 个本地进程")
    return Bilingual("a Dask cluster", "一个 Dask 集群")


def mc_state(current: bool) -> Bilingual:
    """The stored Monte Carlo's state: "current", or stale with the command that renews it."""
    if current:
        return Bilingual("current", "最新的")
    return Bilingual("STALE: rerun make montecarlo", "已过期：请重新运行 make montecarlo")


@dataclass
class SimulationLab(Results):
    """One panel per scenario, the stored Monte Carlo of the baseline, and the first exercise's panels.

    Attributes
    ----------
    params : dict
        The calibrated parameters (:func:`aichain_utils.simulation.simulate.load_params`).
    scenarios : DataFrame
        :func:`aichain_utils.replication.lab.run_scenarios`: estimate, SE and truth by scenario and estimator.
    mc, mc_meta, mc_current
        The stored Monte Carlo, its metadata and whether its fingerprint is current.
    exercise : DataFrame
        :func:`exercise_panels`.
    """

    prefix = "lab"

    params: dict
    scenarios: pd.DataFrame
    mc: pd.DataFrame
    mc_meta: dict
    mc_current: bool
    exercise: pd.DataFrame

    # ------------------------------------------------------------------ what the chapter shows
    def scenario_table(self) -> pd.DataFrame:
        """What each scenario changes (:func:`aichain_utils.replication.labtext.scenario_table`)."""
        return labtext.scenario_table(self.params)

    def _wide(self, values: str) -> pd.DataFrame:
        wide = self.scenarios.pivot(index="scenario", columns="estimator", values=values)  # noqa: PD010
        return wide.loc[list(lab.SCENARIOS), lab.ESTIMATORS].reset_index()

    def estimates_table(self) -> pd.DataFrame:
        """Estimates by scenario (rows) and estimator (columns), one panel per scenario."""
        return self._wide("estimate")

    def truth_table(self) -> pd.DataFrame:
        """The true value each estimator targets, by scenario."""
        return self._wide("truth").rename(columns={"scenario": "scenario (true values)"})

    def scenario_markdown(self) -> Bilingual:
        """What one panel per scenario shows, in bullets (:func:`~aichain_utils.replication.lab.scenario_reading`),
        in English and Chinese (:func:`~aichain_utils.replication.labtext.scenario_sentence`):
        :func:`aichain_utils.book.show_markdown` shows it in the page's language."""
        lines = [labtext.scenario_sentence(line) for line in lab.scenario_reading(self.scenarios)]
        return bilingual_join([Bilingual(f"- {line}", f"- {line.zh}") for line in lines], "\n")

    def summary(self) -> pd.DataFrame:
        """:func:`aichain_utils.replication.lab.monte_carlo_summary` of the stored Monte Carlo."""
        return lab.monte_carlo_summary(self.mc)

    def summary_table(self) -> pd.DataFrame:
        """The summary with coverage and its Monte Carlo SE in per cent (points)."""
        summary = self.summary()
        pct = ["95% CI coverage", "coverage MC SE"]
        return summary.assign(**{c: 100 * summary[c] for c in pct}).rename(
            columns={"95% CI coverage": "95% CI coverage (%)", "coverage MC SE": "coverage MC SE (points)"}
        )

    def verdicts(self) -> pd.DataFrame:
        """:func:`aichain_utils.replication.lab.monte_carlo_verdicts` of the summary."""
        return lab.monte_carlo_verdicts(self.summary())

    def verdict_markdown(self) -> Bilingual:
        """The reading of each estimator, one bullet each, in English and Chinese
        (:func:`~aichain_utils.replication.labtext.verdict_sentence`)."""
        lines = [labtext.verdict_sentence(s) for s in self.verdicts()["sentence"]]
        return bilingual_join([Bilingual(f"- {line}", f"- {line.zh}") for line in lines], "\n")

    def sampling_plot(self):
        """The sampling distributions (:func:`~aichain_utils.report.tables.sampling_distribution_plot`)."""
        return tables.sampling_distribution_plot(self.mc, lab.ESTIMATORS)

    # ------------------------------------------------------------------ what the prose cites
    def _exercise_numbers(self) -> dict:
        ex1 = self.exercise
        out: dict = {"truth": float(ex1.loc["FE", "truth"].iloc[0])}
        for tag, name in EXERCISE_SCENARIOS.items():
            part = ex1[ex1["scenario"] == name]
            numbers = {"feedback": float(part["feedback"].iloc[0]), "reading": reading(part["SEs from truth"])}
            for est in EXERCISE_ESTIMATORS:
                numbers[est.lower()] = float(part.loc[est, "estimate"])
                numbers[f"{est.lower()}_z"] = float(part.loc[est, "SEs from truth"])
            out[tag] = numbers
        return out

    def numbers(self) -> Numbers:
        """The stored Monte Carlo's settings (``lab_mc_reps``, ``lab_mc_seed``), its failures and checks
        (``lab_mc_failures``), the feedback sentences (``lab_fb_reverse``) and the first exercise's panels
        (``lab_ex1_base_fe``)."""
        meta = self.mc_meta
        mc = {
            "reps": int(meta["reps"]),
            "seconds": float(meta["seconds"]),
            "current": mc_state(self.mc_current),
            "seed": int(meta["first_seed"]),
            "where": where_run(meta),
            "failures": labtext.failure_text(lab.failure_sentence(self.mc)),
            "sim_checks": lab.simulator_check_sentence(lab.simulator_check_records()),
        }
        fb = labtext.feedback_sentences(self.params, estimates=self.scenarios)
        tree = {
            "mc": mc,
            "seed": int(self.params["seed"]),
            "ex1": self._exercise_numbers(),
            "fb": {key: fb[key] for key in ("base", "reverse", "strong", "size")},
        }
        return Numbers(self.prefix, tree)


def monte_carlo_lab() -> SimulationLab:
    """The simulation lab's results: it simulates its own panels, whatever the data of the build."""
    params = simulate.load_params()
    scenarios = lab.run_scenarios()
    mc, meta, current = lab.load_monte_carlo()
    return SimulationLab(params, scenarios, mc, meta, current, exercise_panels())
