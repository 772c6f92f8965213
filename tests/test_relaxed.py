"""The relaxed free energy F_beta: limits, the grid bound, gradients, the continuous integral
against scipy's quad, stability over beta and energy, and the pipeline's tables."""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.integrate import IntegrationWarning, quad
from scipy.special import logsumexp, softmax
from support import read

from lvebm.exact import free_energy_exact
from lvebm.model import Decoder, latent_grid
from lvebm.relaxed import MAX_NODES, Z_MEAN_MIN_RESULTANT, free_energy_relaxed
from lvebm.relaxed_tables import (
    cross_section,
    grid_error,
    relaxed_field,
    resolve_points,
    softmin_weights,
)
from lvebm.temperatures import beta_label, with_zero_temperature

DEC = Decoder(-1.45, 0.36)
DECODERS = [DEC, Decoder(2.0, -1.5), Decoder(0.4, 1.7), Decoder(1.0, 1.0), Decoder(3.0, 0.05)]
RNG = np.random.default_rng(7)
POINTS = np.vstack(
    [
        RNG.uniform(-3.0, 3.0, (30, 2)),
        [[0.0, 0.0], [0.5, 0.0], [2.06, 0.08], [0.0, -2.0], [-1.45, 0.0], [1.2, 1e-9]],
    ]
)
LECTURE_BETAS = [0.1, 0.3, 1.0, 3.2, 10.0]


def grid_energies(decoder, y1, y2, n):
    return decoder.energy(np.asarray(y1)[:, None], np.asarray(y2)[:, None], latent_grid(n))


def quad_free_energy(decoder, y1, y2, beta):
    """(1/beta) of minus the log of (1/2 pi) int exp(-beta E) dz, by adaptive quadrature over
    [0, 2 pi) with breakpoints at z_check and its mirrors (where narrow peaks can sit)."""
    exact = free_energy_exact(decoder, y1, y2)
    zc, fi = float(exact.z_check), float(exact.F)
    width = 40.0 / np.sqrt(beta)  # exp(-beta (E - F)) is negligible beyond this many radians
    two_pi = 2 * np.pi
    centres = np.unique(np.mod([zc, -zc, np.pi - zc], two_pi))
    # one period starting in the middle of the widest gap between candidate peaks
    gaps = np.diff(np.r_[centres, centres[0] + two_pi])
    start = centres[np.argmax(gaps)] + gaps.max() / 2
    centres = np.sort(np.mod(centres - start, two_pi) + start)
    windows = []  # merged windows around the peaks, inside [start, start + 2 pi]
    for c in centres:
        lo, hi = max(c - width, start), min(c + width, start + two_pi)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi, [*windows[-1][2], c])
        else:
            windows.append((lo, hi, [c]))

    def f(z):
        return np.exp(-beta * (decoder.energy(y1, y2, z) - fi))

    # At large beta the integrand carries round-off of beta ulp(E) and quad says so; that limits
    # the integral's relative accuracy, not F's, whose error is the integral's divided by beta.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)
        total = sum(
            quad(f, lo, hi, points=pts or None, limit=1000, epsabs=0.0, epsrel=1e-12)[0]
            for lo, hi, pts in windows
        )
    return fi - np.log(total / (2 * np.pi)) / beta


# ---- limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [48, None])
def test_zero_temperature_is_the_exact_free_energy(n):
    y1, y2 = POINTS.T
    r = free_energy_relaxed(DEC, y1, y2, np.inf, n=n)
    exact = free_energy_exact(DEC, y1, y2)
    assert_array_equal(r.F, exact.F)
    assert_array_equal(r.z_mean, exact.z_check)
    g1, g2 = DEC(exact.z_check)
    assert_array_equal(r.dF_dy1, 2 * (y1 - g1))
    assert_array_equal(r.dF_dy2, 2 * (y2 - g2))


def test_cold_grid_tends_to_the_best_latent_and_continuous_to_F_inf():
    y1, y2 = POINTS.T
    best = grid_energies(DEC, y1, y2, 48).min(axis=1)
    for beta in (1e6, 1e9, 1e12):
        grid = free_energy_relaxed(DEC, y1, y2, beta).F
        assert np.all(np.abs(grid - best) <= np.log(48) / beta + 1e-15 * (1 + best))
    exact = free_energy_exact(DEC, y1, y2).F
    for beta in (1e4, 1e8, 1e12):
        cont = free_energy_relaxed(DEC, y1, y2, beta, n=None).F
        # F_beta - F_inf ~ log(2 pi beta E'') / (2 beta) for a smooth minimum
        assert np.all(cont >= exact - 1e-15 * (1 + exact))
        assert np.all(cont - exact <= 20.0 / beta + 1e-15 * (1 + exact))


@pytest.mark.parametrize("decoder", DECODERS)
def test_hot_limit_is_the_mean_energy(decoder):
    y1, y2 = POINTS.T
    beta = 1e-7
    mean_grid = grid_energies(decoder, y1, y2, 48).mean(axis=1)
    assert_allclose(free_energy_relaxed(decoder, y1, y2, beta).F, mean_grid, rtol=1e-5)
    # (1/2 pi) int E dz = |y|^2 + (w1^2 + w2^2) / 2: the cross terms average out
    mean_cont = y1**2 + y2**2 + (decoder.w1**2 + decoder.w2**2) / 2
    assert_allclose(free_energy_relaxed(decoder, y1, y2, beta, n=None).F, mean_cont, rtol=1e-5)


def test_F_beta_falls_as_beta_rises_and_stays_above_F_inf():
    y1, y2 = POINTS.T
    exact = free_energy_exact(DEC, y1, y2).F
    values = [free_energy_relaxed(DEC, y1, y2, b, n=None).F for b in [0.01, *LECTURE_BETAS, 1e3]]
    for hotter, colder in itertools.pairwise(values):
        assert np.all(hotter >= colder - 1e-12)
    assert np.all(values[-1] >= exact - 1e-12)


# ---- the grid ----------------------------------------------------------------------------------


@given(
    w1=st.floats(-10, 10).filter(lambda w: abs(w) > 0.05),
    w2=st.floats(-10, 10).filter(lambda w: abs(w) > 0.05),
    y=st.lists(st.floats(-1000, 1000), min_size=2, max_size=2),
    log_beta=st.floats(-3, 12),
    n=st.integers(3, 200),
)
def test_grid_bound_holds_for_every_point_and_beta(w1, w2, y, log_beta, n):
    """0 <= F_beta - min_k E_k <= log(n) / beta, up to the rounding of F itself."""
    decoder, beta = Decoder(w1, w2), 10.0**log_beta
    r = free_energy_relaxed(decoder, y[0], y[1], beta, n=n, weights=True)
    best = float(grid_energies(decoder, [y[0]], [y[1]], n).min())
    ulp = 4 * np.spacing(max(abs(float(r.F)), best, 1e-300))
    assert np.isfinite(r.F) and np.isfinite(r.dF_dy1) and np.isfinite(r.dF_dy2)
    assert -ulp <= float(r.F) - best <= np.log(n) / beta + ulp
    assert abs(r.weights.sum() - 1.0) < 1e-12


@pytest.mark.parametrize("beta", [1e-3, *LECTURE_BETAS, 1e2, 1e4])
@pytest.mark.parametrize("decoder", DECODERS)
def test_grid_equals_the_straightforward_logsumexp(decoder, beta):
    y1, y2 = POINTS.T
    energy = grid_energies(decoder, y1, y2, 48)
    ref = -logsumexp(-beta * energy, axis=1, b=1.0 / 48) / beta
    r = free_energy_relaxed(decoder, y1, y2, beta, weights=True)
    assert_allclose(r.F, ref, rtol=1e-12)
    weights = softmax(-beta * energy, axis=1)
    assert_allclose(r.weights, weights, rtol=1e-10, atol=1e-300)
    g1, g2 = decoder(latent_grid(48))
    assert_allclose(r.dF_dy1, (weights * 2 * (y1[:, None] - g1)).sum(axis=1), atol=1e-11)
    assert_allclose(r.dF_dy2, (weights * 2 * (y2[:, None] - g2)).sum(axis=1), atol=1e-11)


@pytest.mark.parametrize("n", [48, None])
@pytest.mark.parametrize("beta", [0.1, 1.0, 10.0, 100.0])
def test_gradient_matches_finite_differences(n, beta):
    y1, y2 = POINTS[:30].T  # off the ridge: F_beta is smooth everywhere at finite beta anyway
    r = free_energy_relaxed(DEC, y1, y2, beta, n=n)
    h = 1e-6
    for d, (e1, e2) in zip((r.dF_dy1, r.dF_dy2), ((h, 0.0), (0.0, h)), strict=True):
        plus = free_energy_relaxed(DEC, y1 + e1, y2 + e2, beta, n=n).F
        minus = free_energy_relaxed(DEC, y1 - e1, y2 - e2, beta, n=n).F
        assert_allclose(d, (plus - minus) / (2 * h), rtol=1e-6, atol=1e-6)


def test_stable_from_beta_1e_minus_3_to_1e12_and_energies_up_to_1e6():
    y1 = np.array([1000.0, -700.0, 0.0, 1.45, 999.0])
    y2 = np.array([0.0, 700.0, 1000.0, 0.0, -1.0])
    for beta in (1e-3, 1e-1, 1.0, 1e3, 1e6, 1e9, 1e12):
        for n in (48, None):
            r = free_energy_relaxed(DEC, y1, y2, beta, n=n)
            for values in (r.F, r.dF_dy1, r.dF_dy2, r.z_mean):
                assert np.all(np.isfinite(values)), (beta, n)
            assert np.all(r.F >= free_energy_exact(DEC, y1, y2).F * (1 - 1e-12))
    assert free_energy_relaxed(DEC, y1, y2, 1e-3).F.max() > 9e5  # energies of 1e6 are there


@pytest.mark.parametrize(
    "n, beta",
    [(48, 3.2), (47, 3.2), (48, 100.0), (None, 3.2)],  # 100: direct and shifted rows mix
)
def test_results_do_not_depend_on_chunks_or_threads(n, beta):
    a1, a2 = np.meshgrid(np.linspace(-3, 3, 71), np.linspace(-2, 2, 53))
    y1, y2 = a1.ravel(), a2.ravel()
    whole = free_energy_relaxed(DEC, y1, y2, beta, n=n)
    threaded = free_energy_relaxed(DEC, y1, y2, beta, n=n, workers=2)
    parts = [
        free_energy_relaxed(DEC, y1[a:b], y2[a:b], beta, n=n)
        for a, b in [(0, 1), (1, 1000), (1000, 1001), (1001, y1.size)]
    ]
    for name in ("F", "dF_dy1", "dF_dy2", "mean_cos", "mean_sin"):
        assert_array_equal(getattr(threaded, name), getattr(whole, name))
        assert_array_equal(np.concatenate([getattr(p, name) for p in parts]), getattr(whole, name))


def test_broadcasting_and_shapes():
    r = free_energy_relaxed(DEC, np.zeros((2, 3)), 0.5, 1.0, weights=True)
    assert r.F.shape == r.dF_dy1.shape == r.z_mean.shape == (2, 3)
    assert r.weights.shape == (2, 3, 48)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"beta": 0.0}, "beta must be positive"),
        ({"beta": -1.0}, "beta must be positive"),
        ({"beta": np.nan}, "beta must be positive"),
        ({"beta": 1.0, "n": 0}, "n must be a positive integer"),
        ({"beta": 1.0, "n": 2.5}, "n must be a positive integer"),
        ({"beta": 1.0, "n": None, "weights": True}, "weights are defined on the grid"),
    ],
)
def test_bad_options_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        free_energy_relaxed(DEC, 0.0, 0.0, **kwargs)


# ---- the continuous integral -------------------------------------------------------------------


@pytest.mark.parametrize("beta", [1e-3, 0.1, 1.0, 10.0, 100.0, 1e4])
@pytest.mark.parametrize("decoder", DECODERS[:3])
def test_continuous_agrees_with_quad(decoder, beta):
    y1, y2 = POINTS[::3].T
    r = free_energy_relaxed(decoder, y1, y2, beta, n=None)
    ref = np.array([quad_free_energy(decoder, a, b, beta) for a, b in zip(y1, y2, strict=True)])
    assert_allclose(r.F, ref, rtol=1e-10)
    assert np.all(r.nodes > 0) and np.all(r.nodes <= MAX_NODES)


@pytest.mark.parametrize("beta", [1e7, 1e9, 1e12])
def test_laplace_expansion_agrees_with_quad_where_the_peak_is_narrow(beta):
    """Centre, ridge (two tied minima), near-ridge, on and off the manifold."""
    pts = np.array([[0.0, 0.0], [0.5, 0.0], [0.5, 1e-9], [1.2, 0.0], [2.06, 0.08], [-1.0, 0.3]])
    r = free_energy_relaxed(DEC, pts[:, 0], pts[:, 1], beta, n=None)
    assert np.all(r.nodes == 0)  # the closed form was used
    ref = np.array([quad_free_energy(DEC, a, b, beta) for a, b in pts])
    assert_allclose(r.F, ref, rtol=1e-10)


def test_grid_and_continuous_agree_while_the_grid_resolves_the_peak():
    y1, y2 = POINTS.T
    for beta in (0.01, 0.1, 1.0):
        assert_allclose(
            free_energy_relaxed(DEC, y1, y2, beta).F,
            free_energy_relaxed(DEC, y1, y2, beta, n=None).F,
            rtol=1e-12,
        )
    far = np.abs(
        free_energy_relaxed(DEC, y1, y2, 1e3).F - free_energy_relaxed(DEC, y1, y2, 1e3, n=None).F
    )
    assert far.max() > 1e-4  # at beta = 1000, 48 latents no longer resolve exp(-beta E)


# ---- the pipeline's tables ---------------------------------------------------------------------


def test_cross_section_table():
    t = cross_section(DEC, start=[0.0, -2.0], stop=[0.0, 2.0], num=17, betas=LECTURE_BETAS, n=48)
    assert list(t) == ["beta", "y1", "y2", "F_grid", "F_continuous", "z_mean"]
    assert t["beta"].size == 17 * 6
    assert_array_equal(np.unique(t["beta"]), sorted([*LECTURE_BETAS, np.inf]))
    cold = t["beta"] == np.inf
    assert_array_equal(t["F_grid"][cold], free_energy_exact(DEC, 0.0, t["y2"][cold]).F)
    assert_array_equal(t["F_continuous"][cold], t["F_grid"][cold])
    # the lecture: cold minima on the manifold at y2 = +-0.36, a small finite peak at the centre
    assert_allclose(t["F_grid"][cold], (np.abs(t["y2"][cold]) - 0.36) ** 2, atol=1e-12)
    hot = t["beta"] == 0.1
    assert np.argmin(t["F_grid"][hot]) == 8  # hot: one minimum, at the centre


def test_weights_table_and_points():
    samples = {"i": np.arange(1, 4), "y1": np.array([1.0, 2.0, 3.0]), "y2": np.zeros(3)}
    names, y1, y2 = resolve_points([2, [0.0, 0.5]], samples)
    assert names == ["y(2)", "(0, 0.5)"]
    assert_array_equal(y1, [2.0, 0.0])
    with pytest.raises(ValueError, match="no sample labelled 9"):
        resolve_points([9], samples)
    t = softmin_weights(DEC, names, y1, y2, beta=1.0, n=48)
    assert list(t) == ["point", "y1", "y2", "k", "z", "E", "weight"]
    assert t["k"].size == 96
    for name in names:
        assert abs(t["weight"][t["point"] == name].sum() - 1.0) < 1e-14


def test_grid_error_table_and_labels():
    t = grid_error(DEC, ["a"], [2.0], [0.1], beta_start=0.01, beta_stop=1e4, num=7, n=48)
    assert_allclose(t["beta"], np.geomspace(0.01, 1e4, 7))
    assert t["F_grid"].size == 7
    for beta in (0.1, 3.2, 10.0, 1e-5, 1e6):
        assert float(beta_label(beta)) == beta
    assert beta_label(np.inf) == "inf"
    assert with_zero_temperature([1.0, 0.3]) == [1.0, 0.3, np.inf]
    field = relaxed_field(DEC, np.array([0.0]), np.array([0.0]), beta=np.inf, n=None)
    assert list(field) == ["y1", "y2", "F", "dF_dy1", "dF_dy2"]


def test_z_mean_is_nan_exactly_where_the_weights_have_no_direction():
    """At the centre the weights are symmetric under z -> z + pi: their resultant is zero up to
    rounding and its angle would be noise (it differed between CPUs). Off the centre, on the
    line y1 = 0 of the cross-section, the resultant points up or down: pi/2 or 3 pi/2."""
    y2 = np.linspace(-2.0, 2.0, 17)
    for beta in (0.1, 1.0, 10.0):
        for n in (48, None):
            r = free_energy_relaxed(DEC, np.zeros(17), y2, beta, n=n)
            resultant = np.hypot(r.mean_cos, r.mean_sin)
            assert_array_equal(np.isnan(r.z_mean), resultant < Z_MEAN_MIN_RESULTANT)
            assert np.isnan(r.z_mean[8]) and resultant[8] < 1e-15  # y = (0, 0)
            off = np.arange(17) != 8
            assert_allclose(r.z_mean[off], np.where(y2[off] > 0, 0.5, 1.5) * np.pi, atol=1e-12)
    assert free_energy_relaxed(DEC, 0.0, 0.0, np.inf).z_mean == free_energy_exact(DEC, 0, 0).z_check


# ---- the relaxed stage end to end, on a finished run (tests/conftest.py) ----


@pytest.mark.pipeline
def test_relaxed_artifacts_follow_the_config_and_the_zero_temperature_mesh(finished_run):
    cfg = finished_run.config()["relaxed"]
    betas = [*cfg["betas"], np.inf]
    line = read(finished_run, "results/relaxed/cross_section.parquet")
    assert len(line) == cfg["cross_section"]["num"] * len(betas)
    assert_array_equal(list(dict.fromkeys(line["beta"].tolist())), betas)
    mesh = read(finished_run, "results/mesh/free_energy.parquet")
    cold = read(finished_run, "results/relaxed/free_energy/beta~inf.parquet")
    for column in ("y1", "y2", "F", "dF_dy1", "dF_dy2"):
        assert_array_equal(cold[column], mesh[column])  # beta = inf is the exact F_inf, bit for bit
    for beta in cfg["betas"]:
        warm = read(finished_run, f"results/relaxed/free_energy/beta~{float(beta)!r}.parquet")
        assert (warm["F"] >= mesh["F"] - 1e-12).all()  # F_beta >= min_k E_k >= F_inf
        assert (warm["F"] - mesh["F"]).max() > 0.0
    weights = read(finished_run, "results/relaxed/weights.parquet")
    assert list(dict.fromkeys(weights["point"].tolist())) == ["y(23)", "y(10)", "(0, 0)"]
    sums = [rows["weight"].sum() for rows in weights.groups("point").values()]
    assert_allclose(sums, 1.0, rtol=1e-14)
    sample = read(finished_run, "results/data/samples.parquet").where(i=23)
    y23 = weights.where(point="y(23)").row(0)
    assert (y23["y1"], y23["y2"]) == (sample["y1"].item(), sample["y2"].item())
    scan = read(finished_run, "results/relaxed/grid_error.parquet")
    assert len(scan) == cfg["scan"]["num"] * 3
    assert not list((finished_run.path / "results/relaxed").glob("shards/**/*.parquet"))  # temp()
