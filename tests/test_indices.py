"""Hand-worked examples for every index function (equations 6-18 and the entropy weight method).

Each expected value below was worked out by hand in the comment next to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aichain_utils.measurement import indices as ix


def test_minmax_normalise_respects_signs():
    x = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0]])
    # col 1 (+): (x - 1) / 2 = 0, .5, 1 ; col 2 (-): (30 - x) / 20 = 1, 0, .5
    z = ix.minmax_normalise(x, ["+", "-"])
    np.testing.assert_allclose(z, [[0.0, 1.0], [0.5, 0.0], [1.0, 0.5]])


def test_entropy_weights_hand_example():
    # x1 = 1, 2, 3 -> z1 = 0, .5, 1 -> p1 = 0, 1/3, 2/3
    #   e1 = (1/3 ln 3 + 2/3 ln 1.5) / ln 3 = (0.366204 + 0.270310) / 1.098612 = 0.579380
    # x2 = 0, 0, 4 -> z2 = 0, 0, 1 -> p2 = 0, 0, 1 -> e2 = 0
    # d = (0.420620, 1) -> w = (0.420620, 1) / 1.420620 = (0.296082, 0.703918)
    x = pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [0.0, 0.0, 4.0]})
    index, w = ix.entropy_index(x, ["+", "+"])
    np.testing.assert_allclose(w.to_numpy(), [0.296082, 0.703918], atol=2e-6)
    # S = w1 z1 + w2 z2 = 0, 0.148041, 1
    np.testing.assert_allclose(index.to_numpy(), [0.0, 0.148041, 1.0], atol=2e-6)
    assert list(w.index) == ["x1", "x2"]


def test_equal_entropy_gives_equal_weights():
    # x1 = 1, 2, 3 (+) and x2 = 10, 30, 20 (-) have mirrored proportions -> equal entropy
    x = pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [10.0, 30.0, 20.0]})
    index, w = ix.entropy_index(x, ["+", "-"])
    np.testing.assert_allclose(w.to_numpy(), [0.5, 0.5])
    np.testing.assert_allclose(index.to_numpy(), [0.5, 0.25, 0.75])


def test_published_weights_switch_uses_given_weights():
    x = pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [0.0, 0.0, 4.0]})
    index, w = ix.entropy_index(x, ["+", "+"], weights=np.array([0.25, 0.75]))
    # S = .25 z1 + .75 z2 = 0, .125, 1
    np.testing.assert_allclose(index.to_numpy(), [0.0, 0.125, 1.0])
    np.testing.assert_allclose(w.to_numpy(), [0.25, 0.75])
    with pytest.raises(ValueError, match="sum to 1"):
        ix.entropy_index(x, ["+", "+"], weights=np.array([0.5, 0.75]))


@pytest.mark.parametrize(
    ("x", "signs", "message"),
    [
        (np.array([[1.0, 2.0], [1.0, 3.0]]), ["+", "+"], "constant"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), ["+", "+"], "finite"),
        (np.array([[1.0, 2.0], [2.0, 3.0]]), ["+", "?"], "signs"),
    ],
)
def test_minmax_normalise_rejects_bad_input(x, signs, message):
    with pytest.raises(ValueError, match=message):
        ix.minmax_normalise(x, signs)


def test_elri_segments_and_erl():
    # front: P e / (d nu) * Theta_F (U_M + U_I) = 2*3/(1.5*2) * 0.5 * (0.2+0.3) = 2 * 0.25 = 0.5
    front = ix.elri_front(2.0, 3.0, 1.5, 2.0, 0.5, 0.2, 0.3)
    assert front == pytest.approx(0.5)
    # inter: kappa a theta / (d nu) * (U_M + U_I) = 2*1*3/(1*2) * 0.5 = 1.5
    inter = ix.elri_inter(2.0, 1.0, 3.0, 1.0, 2.0, 0.2, 0.3)
    assert inter == pytest.approx(1.5)
    # back: N c / (d nu) * Theta_B (U_M + U_I) = 4*0.5/(2*1) * 3 * 1 = 3
    back = ix.elri_back(4, 0.5, 2.0, 1.0, 3.0, 0.4, 0.6)
    assert back == pytest.approx(3.0)
    # ERL = (0.5 + 1.5 + 3) / 3 = 5/3
    assert ix.erl(front, inter, back) == pytest.approx(5.0 / 3.0)
    with pytest.raises(ValueError, match="rd_cost"):
        ix.elri_front(2.0, 3.0, 0.0, 2.0, 0.5, 0.2, 0.3)


def test_agglomeration_and_fsie():
    # as printed, (10) divides by the total Y_B: IA = U_M (y_s / Y_B) / (Y_F / Y_B) = 2 * (3/20) / (10/20) = 0.6
    assert ix.agglomeration_index(2.0, 3.0, 6.0, 10.0, 20.0) == pytest.approx(0.6)
    # the unit's own y_B instead (the alternative): 2 * (3/6) / (10/20) = 2
    assert ix.agglomeration_index(2.0, 3.0, 6.0, 10.0, 20.0, denominator="own") == pytest.approx(2.0)
    with pytest.raises(ValueError, match="denominator"):
        ix.agglomeration_index(2.0, 3.0, 6.0, 10.0, 20.0, denominator="mine")
    # FSIE = |3 - 1| / (2 * 2) = 0.5
    assert ix.fsie(3.0, 2.0, 1.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="ia_inter"):
        ix.fsie(3.0, 0.0, 1.0)


def test_nsc_and_itse():
    # NSC = U_I c (y_s + y_B) / cost = 0.5 * 4 * (1 + 2) / 3 = 2
    assert ix.nsc(0.5, 4.0, 1.0, 2.0, 3.0) == pytest.approx(2.0)
    # ITSE = 1 + a (e - nu) NSC_f NSC_i NSC_b = 1 + 2 * 0.5 * 1*2*3 = 7
    assert ix.itse(2.0, 0.8, 0.3, 1.0, 2.0, 3.0) == pytest.approx(7.0)


def test_forward_backward_from_matrix():
    # M = [[1, 2], [3, 4]], total 10, c = 2
    # as printed, forward (14) sums over rows x: column totals 4, 6 -> 2*4/10, 2*6/10 = 0.8, 1.2;
    # backward (15) sums over columns y: row totals 3, 7 -> 0.6, 1.4
    fwd, bwd = ix.itse_forward_backward_matrix(np.array([[1.0, 2.0], [3.0, 4.0]]), 2.0)
    np.testing.assert_allclose(fwd, [0.8, 1.2])
    np.testing.assert_allclose(bwd, [0.6, 1.4])
    with pytest.raises(ValueError, match="square"):
        ix.itse_forward_backward_matrix(np.ones((2, 3)), 1.0)


def test_share_version_equals_matrix_version():
    rng = np.random.default_rng(0)
    mats = [rng.random((4, 4)), rng.random((3, 3))]
    rows = []
    for g, m in enumerate(mats):
        for x in range(m.shape[0]):
            rows.append({"group": g, "out": m[x].sum(), "in": m[:, x].sum(), "c": 1.5 + g})
    frame = pd.DataFrame(rows)
    for orientation in ("print", "transposed"):
        fwd, bwd = ix.itse_forward_backward_shares(frame["out"], frame["in"], frame["c"], frame["group"], orientation)
        exp = [ix.itse_forward_backward_matrix(m, 1.5 + g, orientation) for g, m in enumerate(mats)]
        np.testing.assert_allclose(fwd, np.concatenate([e[0] for e in exp]))
        np.testing.assert_allclose(bwd, np.concatenate([e[1] for e in exp]))


def test_value_extension_measures():
    # VCE = Lambda theta / (d nu) = 2 * 3 / (1 * 2) = 3
    assert ix.value_conversion_efficiency(2.0, 3.0, 1.0, 2.0) == pytest.approx(3.0)
    # LCV = ln(VCE_t / VCE_base): VCE = 1, e, e^2 -> NaN (base), 1, 2
    vce = pd.Series([1.0, np.e, np.e**2, 5.0, 5.0])
    unit = pd.Series([1, 1, 1, 2, 2])
    year = pd.Series([2013, 2014, 2015, 2014, 2015])
    out = ix.lcv(vce, unit, year)
    assert np.isnan(out.iloc[0]) and np.isnan(out.iloc[3])  # each unit's first year is its base
    np.testing.assert_allclose(out.iloc[[1, 2, 4]], [1.0, 2.0, 0.0])
    # WCV = Lambda c (y_F / P + y_B / P) = 2 * 3 * (4/2 + 2/2) = 18
    assert ix.wcv(2.0, 3.0, 4.0, 2.0, 2.0) == pytest.approx(18.0)
