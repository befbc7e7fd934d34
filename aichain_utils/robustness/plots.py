"""Figures of the robustness chapter: the specification curve and the mediation sensitivity curve."""

from __future__ import annotations

import numpy as np

from aichain_utils.errors import input_error
from aichain_utils.robustness.causal_mediation import CausalMediation, acme_at_rho
from aichain_utils.robustness.speccurve import BOOK_SPEC, SpecCurve

__all__ = ["plot_mediation_sensitivity", "plot_specification_curve"]

_DIMENSIONS = [("reading", "reading"), ("weights", "AIE weights"), ("sample", "sample"), ("estimator", "estimator"),
               ("fe", "fixed effects"), ("controls", "controls")]  # fmt: skip


def plot_specification_curve(curve: SpecCurve, dpi: int = 200):
    """Sorted estimates with 95% intervals (robust SEs) above, the specification indicators beneath.

    Labelled in English (the book's figures carry no CJK font); the chapter gives the Chinese terms.

    Points significant at 5% are dark, others light; the book's specification is marked in red.

    Raises
    ------
    AichainInputError
        If ``curve`` is not a :class:`SpecCurve`, its table has no robust-SE row or lacks a column the
        figure draws, or ``dpi`` is not a positive number.
    """
    import matplotlib.pyplot as plt

    _check_dpi(dpi)
    if not isinstance(curve, SpecCurve):
        raise input_error("curve", "must be a SpecCurve (from specification_curve)", [type(curve).__name__],
                          what="types")  # fmt: skip
    need = ["se", "estimate", "p", "ci_low", "ci_high", *BOOK_SPEC]
    lacking = [c for c in need if c not in curve.table.columns]
    if lacking:
        raise input_error("curve.table", "lacks column(s) the figure draws", lacking, what="columns")
    if not (curve.table["se"] == "robust").any():
        raise input_error("curve.table", "has no specification with robust standard errors to draw")

    pts = curve.points
    book = np.ones(len(pts), bool)
    for k, v in curve.book.items():
        if k != "se":
            book &= (pts[k] == v).to_numpy()
    levels = [(dim, lab, lvl) for dim, lab in _DIMENSIONS for lvl in pts[dim].drop_duplicates().tolist()]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(8, 9), dpi=dpi, sharex=True, gridspec_kw={"height_ratios": [1, 1.6], "hspace": 0.04}
    )
    x = np.arange(len(pts))
    sig = (pts["p"] < 0.05).to_numpy()
    for mask, colour in ((sig, "#1f4e79"), (~sig, "#9ab7d3")):
        top.vlines(x[mask], pts["ci_low"][mask], pts["ci_high"][mask], color=colour, lw=0.4, alpha=0.6)
        top.plot(x[mask], pts["estimate"][mask], "o", ms=1.6, color=colour)
    top.plot(x[book], pts["estimate"][book], "D", ms=5, color="#c00000", label="the book's reading (Table 3 col. 6)")
    top.axhline(0, color="black", lw=0.6)
    top.axhline(float(pts["estimate"].median()), color="grey", lw=0.6, ls="--", label="median")
    top.set_ylabel("coefficient of AIE on ERL\n(95% interval, robust SE)")
    top.set_title("Specification curve of AIE → ERL")
    top.legend(loc="upper left", fontsize=7, frameon=False)
    for row, (dim, _, lvl) in enumerate(levels):
        on = (pts[dim] == lvl).to_numpy()
        bottom.plot(x[on], np.full(on.sum(), row), "|", ms=4, color="#1f4e79" if lvl != curve.book[dim] else "#c00000")
    bottom.set_yticks(range(len(levels)))
    bottom.set_yticklabels([f"{lab}: {lvl}" for _, lab, lvl in levels], fontsize=6)
    bottom.set_ylim(len(levels) - 0.5, -0.5)
    bottom.set_xlabel("specifications, sorted by the estimate")
    fig.subplots_adjust(left=0.3, right=0.97, top=0.95, bottom=0.06)
    fig.align_ylabels()
    return fig


def plot_mediation_sensitivity(results: dict[str, CausalMediation], dpi: int = 200):
    """ACME as a function of the error correlation rho (Imai, Keele & Yamamoto 2010), one line per mediator.

    Raises
    ------
    AichainInputError
        If ``results`` is empty or holds something other than :class:`CausalMediation`, or ``dpi`` is
        not a positive number; and what :func:`acme_at_rho` raises on a result's parameters.
    """
    import matplotlib.pyplot as plt

    _check_dpi(dpi)
    if not results:
        raise input_error("results", "must hold at least one mediator's CausalMediation (the figure would be empty)")
    bad = [k for k, v in results.items() if not isinstance(v, CausalMediation)]
    if bad:
        raise input_error("results", "every value must be a CausalMediation", bad, what="keys")
    for r in results.values():
        acme_at_rho(0.0, r.a, r.sigma_total, r.sigma_mediator, r.rho_at_zero)  # checks the parameters

    fig, ax = plt.subplots(figsize=(6.5, 3.8), dpi=dpi)
    rho = np.linspace(-0.95, 0.95, 381)
    for name, r in results.items():
        ax.plot(rho, acme_at_rho(rho, r.a, r.sigma_total, r.sigma_mediator, r.rho_at_zero), label=name)
        ax.plot([r.rho_at_zero], [0], "o", ms=4, color=ax.lines[-1].get_color())
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="grey", lw=0.6, ls="--")
    ax.set_xlabel("ρ: correlation of the mediator and outcome errors (0 = sequential ignorability)")
    ax.set_ylabel("ACME")
    ax.set_title("Causal mediation: how the ACME moves with ρ")
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def _check_dpi(dpi) -> None:
    from aichain_utils.robustness._checks import scalar

    scalar("dpi", dpi, low=0, low_open=True)
