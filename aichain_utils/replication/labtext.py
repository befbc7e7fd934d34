"""The simulation lab's sentences about its scenarios, computed from the parameters they change.

:data:`aichain_utils.replication.lab.SCENARIOS` names what each scenario changes and the value it sets. What a
scenario *means* depends on the world it starts from: the reverse-feedback scenarios add feedback of
the ERL shock into AI embedding to a closest world that, once calibrated, may have none. The sentences
here read both values (the calibrated ``params.yml`` and the scenario's), so that the page says what
is true of the parameters it was built with. The lab's Monte Carlo code is not touched: its stored
results are fingerprinted.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FEEDBACK", "bias_clauses", "feedback_sentences", "scenario_table"]

#: The parameter through which the ERL shock feeds back into AI embedding in the same year.
FEEDBACK = "latent_ai.feedback_from_erl_shock"


def _get(params: dict, path: str) -> float:
    node = params
    for key in path.split("."):
        node = node[key]
    return float(node)


def feedback_sentences(
    params: dict, scenarios: dict | None = None, estimates: pd.DataFrame | None = None
) -> dict[str, str]:
    """What the closest world and the two reverse-feedback scenarios set the feedback to, in words.

    Parameters
    ----------
    params : dict
        The calibrated parameters (:func:`aichain_utils.simulation.simulate.load_params`).
    scenarios : dict, optional
        :data:`aichain_utils.replication.lab.SCENARIOS` (the default).
    estimates : DataFrame, optional
        :func:`aichain_utils.replication.lab.run_scenarios` (one panel per scenario): with it, ``size`` also says how
        far the feedback scenarios move the fixed-effects estimate of that panel.

    Returns
    -------
    dict
        ``base`` (the closest world's value and what it means), ``reverse`` and ``strong`` (what each
        scenario sets it to, relative to the closest world and to each other), ``size`` (how large the
        ERL shock the feedback scales is, and what the scenarios do to one panel's estimate), and the
        values ``base_value``, ``reverse_value``, ``strong_value`` as text with three decimals.

    Raises
    ------
    KeyError
        If a reverse-feedback scenario is missing or does not set :data:`FEEDBACK`.
    """
    if scenarios is None:
        from aichain_utils.replication.lab import SCENARIOS as scenarios
    f0 = _get(params, FEEDBACK)
    f1 = float(scenarios["reverse feedback"][1][FEEDBACK])
    f2 = float(scenarios["strong reverse causality"][1][FEEDBACK])
    if f0 == 0:
        base = f"The closest world has no reverse feedback: its {FEEDBACK} is {f0:.3f}."
    else:
        base = (
            f"In the closest world each unit of ERL shock raises AI embedding by {f0:.3f} in the same year "
            f"({FEEDBACK} = {f0:.3f})."
        )
    relative = "" if f0 == 0 else f", {f1 / f0:.1f} times the closest world's"
    reverse = (
        f"sets the feedback to {f1:.3f}{relative}: each unit of ERL shock then raises AI embedding by {f1:.3f} in "
        "the same year, which biases fixed effects and first differences upward in expectation, while valid "
        "instruments are not biased by it."
    )
    strong = f"sets the feedback to {f2:.3f}" + (
        f", {f2 / f1:.0f} times the reverse feedback scenario's." if f1 else "."
    )
    return {
        "base": base,
        "reverse": reverse,
        "strong": strong,
        "size": _size_sentence(params, f2, estimates),
        "base_value": f"{f0:.3f}",
        "reverse_value": f"{f1:.3f}",
        "strong_value": f"{f2:.3f}",
    }


def _size_sentence(params: dict, strongest: float, estimates: pd.DataFrame | None) -> str:
    """How much the feedback can move AI embedding (the ERL shock's SD times the feedback), and, given one
    panel per scenario, how far the fixed-effects estimate moves under the two feedback scenarios."""
    sd = _get(params, "erl.noise_sd")
    text = (
        f"The feedback scales the ERL shock, whose standard deviation in the closest world is {sd:.3f} "
        f"(erl.noise_sd): even at {strongest:.3f} it moves AI embedding by {strongest * sd:.4f} per standard "
        "deviation of the shock."
    )
    if estimates is None:
        return text
    fe = estimates[estimates["estimator"] == "FE"].set_index("scenario")
    names = ["baseline", "reverse feedback", "strong reverse causality"]
    if not set(names) <= set(fe.index):
        return text
    b = [float(fe.loc[n, "estimate"]) for n in names]
    moved = max(abs(b[1] - b[0]), abs(b[2] - b[0]))
    se = float(fe.loc["baseline", "se"])
    text += (
        f" On the one panel per scenario, fixed effects estimate {b[0]:.3f} in the baseline, {b[1]:.3f} under "
        f"reverse feedback and {b[2]:.3f} under strong reverse causality: "
    )
    if moved < se:
        return text + (
            f"the feedback moves the estimate by less than its standard error ({se:.3f}), so in this world "
            "the bias it causes is too small to see in one panel."
        )
    return text + f"the feedback moves the estimate by {moved:.3f}, more than its standard error ({se:.3f})."


def scenario_table(params: dict, scenarios: dict | None = None) -> pd.DataFrame:
    """The lab's scenarios: name, what changes (the feedback scenarios' text computed from the values)
    and the parameters each sets.

    Parameters
    ----------
    params : dict
        The calibrated parameters.
    scenarios : dict, optional
        :data:`aichain_utils.replication.lab.SCENARIOS` (the default).
    """
    if scenarios is None:
        from aichain_utils.replication.lab import SCENARIOS as scenarios
    f0 = _get(params, FEEDBACK)
    f1 = float(scenarios["reverse feedback"][1][FEEDBACK])
    f2 = float(scenarios["strong reverse causality"][1][FEEDBACK])
    what = {
        "reverse feedback": (
            f"the ERL shock feeds back into AI embedding, {f1:.3f} per unit of shock (the closest world's "
            f"feedback is {f0:.3f}): in expectation fixed effects and first differences are biased upward, valid "
            "instruments are not"
        ),
        "strong reverse causality": (
            f"the ERL shock feeds back into AI embedding at {f2:.3f} per unit of shock"
            + (f", {f2 / f1:.0f} times the reverse feedback scenario's" if f1 else "")
        ),
    }
    rows = []
    for name, (text, changes) in scenarios.items():
        rows.append({
            "scenario": name,
            "what changes": what.get(name, text),
            "parameters": ", ".join(f"{p} = {x}" for p, x in changes.items()) or "none",
        })  # fmt: skip
    return pd.DataFrame(rows)


def bias_clauses(verdicts: pd.DataFrame, summary: pd.DataFrame, estimators: list[str], current: bool = True) -> str:
    """One clause per estimator: its Monte Carlo bias, the bias's Monte Carlo SE and the verdict.

    The verdict is :func:`aichain_utils.replication.lab.monte_carlo_verdicts`'s rule (biased only beyond twice the
    Monte Carlo SE), so a chapter that cites the lab's Monte Carlo says what the lab says.

    Parameters
    ----------
    verdicts, summary : DataFrame
        :func:`aichain_utils.replication.lab.monte_carlo_verdicts` and
        :func:`aichain_utils.replication.lab.monte_carlo_summary`.
    estimators : list of str
        Which estimators, in order (names of the ``estimator`` column).
    current : bool
        False when the stored Monte Carlo was made with other code or parameters: the text says so.

    Raises
    ------
    KeyError
        If an estimator is not in the Monte Carlo.
    """
    v = verdicts.set_index("estimator")
    s = summary.set_index("estimator")
    clauses = []
    for est in estimators:
        bias, se = float(s.loc[est, "bias"]), float(s.loc[est, "bias MC SE"])
        word = "biased: beyond twice its Monte Carlo SE" if bool(v.loc[est, "biased"]) else "no bias detectable"
        clauses.append(f"{est} {bias:+.3f} (Monte Carlo SE {se:.3f}; {word})")
    text = "; ".join(clauses)
    reps = int(s["replications"].iloc[0])
    text = f"over {reps} replications the mean bias is {text}"
    if not current:
        text += " (the stored Monte Carlo was made with other code or parameters: rerun make montecarlo)"
    return text
