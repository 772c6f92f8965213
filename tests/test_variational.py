"""Variational inference on the horn (issue 38): the closed-form F_q against quadrature, its
gradient against central differences, the best von Mises q* never above any q tried and never
below F_beta, the gaps' targets on the mesh, the exact sampler against the posterior, the
Bessel-series oracle against the continuous F_beta, the encoder's gradient, the stage."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, special, stats
from support import central_difference, read

from lvebm import variational as V
from lvebm.exact import ridge_distance
from lvebm.meshgrid import mesh_points
from lvebm.model import Decoder
from lvebm.relaxed import free_energy_relaxed

LECTURE = Decoder(-1.45, 0.36)
DECODERS = [LECTURE, Decoder(2.0, 1.5), Decoder(0.7, -1.9)]
LOG_TWO = np.log(2.0)


def lecture_mesh():
    _, y1, y2 = mesh_points(
        {"start": -3.0, "stop": 3.0, "num": 25}, {"start": -2.0, "stop": 2.0, "num": 17}
    )
    return y1, y2


def test_bessel_ratios_match_scipy_and_their_derivatives_central_differences():
    k = np.concatenate([[0.0, 1e-9, 1e-4], np.geomspace(1e-2, 1e5, 3000)])
    r = V.bessel_ratios(k)
    i0, i1, i2 = (special.ive(n, k) for n in (0, 1, 2))
    assert_allclose(r.A1, i1 / i0, rtol=4e-15, atol=0)
    assert_allclose(r.A2, i2 / i0, rtol=8e-15, atol=0)
    big = k > 1.0  # below, log(ive) + k cancels in the reference
    assert_allclose(r.log_i0[big], np.log(i0[big]) + k[big], rtol=4e-15, atol=0)
    h = 1e-6 * np.maximum(k, 1e-2)
    up, down = V.bessel_ratios(k + h), V.bessel_ratios(np.maximum(k - h, 0.0))
    inside = k >= 1e-2
    assert_allclose(((up.A1 - down.A1) / (2 * h))[inside], r.dA1[inside], atol=1e-9)
    assert_allclose(((up.A2 - down.A2) / (2 * h))[inside], r.dA2[inside], atol=1e-9)


@pytest.mark.parametrize("decoder", DECODERS)
def test_F_q_is_the_quadrature_of_its_definition(decoder):
    rng = np.random.default_rng(1)
    for y1, y2, mu, kappa, beta in zip(
        rng.uniform(-3, 3, 5),
        rng.uniform(-2, 2, 5),
        rng.uniform(0, 2 * np.pi, 5),
        [0.0, 0.3, 4.0, 40.0, 300.0],
        [1.0, 10.0, 100.0, 3.0, 30.0],
        strict=True,
    ):

        def q(z, mu=mu, kappa=kappa):
            return np.exp(kappa * np.cos(z - mu)) / (2 * np.pi * special.i0(kappa))

        def weighted_energy(z, y1=y1, y2=y2, q=q):
            return decoder.energy(y1, y2, z) * q(z)

        def kl_density(z, q=q):
            return q(z) * np.log(q(z) * 2 * np.pi) if q(z) > 0 else 0.0

        mean_E = integrate.quad(weighted_energy, 0, 2 * np.pi, limit=400, epsabs=1e-13)[0]
        kl = integrate.quad(kl_density, 0, 2 * np.pi, limit=400, epsabs=1e-13)[0]
        F = V.variational_free_energy(decoder, y1, y2, mu, kappa, beta).F
        assert abs(F - (mean_E + kl / beta)) <= 1e-10 * max(1.0, abs(F)), (y1, y2, mu, kappa)


def test_F_q_gradient_matches_central_differences():
    rng = np.random.default_rng(2)
    for decoder in DECODERS:
        y1, y2 = rng.uniform(-3, 3), rng.uniform(-2, 2)
        for mu, kappa, beta in [(0.3, 2.0, 1.0), (2.0, 30.0, 10.0), (4.0, 400.0, 100.0)]:
            q = V.variational_free_energy(decoder, y1, y2, mu, kappa, beta)
            numeric = central_difference(
                lambda t, y1=y1, y2=y2, beta=beta, d=decoder: float(
                    V.variational_free_energy(d, y1, y2, t[0], t[1], beta).F
                ),
                np.array([mu, kappa]),
                h=1e-6,
            )
            assert_allclose([q.dF_dmu, q.dF_dkappa], numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("beta", [1.0, 10.0, 100.0])
def test_q_star_is_never_above_any_q_tried_and_never_below_F_beta(beta):
    """Against 4000 random (mu, kappa) per point and a polish by Nelder-Mead from the best of
    them: q* is lower or equal up to 4e-15 (rounding of F_q, of size 1); and F_q* >= F_beta up to
    1e-12 (the continuous F_beta's own accuracy)."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(3)
    y1, y2 = rng.uniform(-3, 3, 12), rng.uniform(-2, 2, 12)
    y1[:3], y2[:3] = [0.5, 1.3, 0.0], [0.0, 0.05, 0.0]  # the ridge, near a cusp, the centre
    q = V.best_q(LECTURE, y1, y2, beta)
    mu = rng.uniform(0, 2 * np.pi, (4000, 1))
    kappa = np.exp(rng.uniform(np.log(1e-3), np.log(1e5), (4000, 1)))
    tried = V.variational_free_energy(LECTURE, y1, y2, mu, kappa, beta).F
    assert np.all(q.F <= tried.min(axis=0) + 4e-15)
    for i in range(y1.size):
        k = int(np.argmin(tried[:, i]))
        polish = minimize(
            lambda t, i=i: float(
                V.variational_free_energy(LECTURE, y1[i], y2[i], t[0], np.exp(t[1]), beta).F
            ),
            [mu[k, 0], np.log(kappa[k, 0])],
            method="Nelder-Mead",
            options={"xatol": 1e-12, "fatol": 1e-16, "maxiter": 4000},
        )
        assert q.F[i] <= polish.fun + 4e-15, i
    F_beta = free_energy_relaxed(LECTURE, y1, y2, beta, n=None).F
    assert np.all(q.F - F_beta >= -1e-12)


def test_the_gaps_on_the_mesh_at_beta_100():
    """The issue's targets on the default mesh at beta = 100, measured: off the ridge (at least
    0.25 from it) the approximation gap is at most 1e-4 (9.6e-5, largest near the cusps) with a
    median at most 1e-5 (2.0e-6); no gap is negative (tolerance 1e-12: the continuous F_beta's
    accuracy); on the ridge's ties beta times the gap is within 1e-3 of log 2 where the two
    modes are apart: the ties at least 0.75 from the evolute's cusps (|y1| <= 0.5: 3.6e-4 at
    most). Closer to a cusp the modes merge: 1.3e-3 at |y1| = 0.75, 5.7e-3 at 1.0, and 0.47 at
    1.25 (0.11 from the cusp); at beta = 1e4 every tie is within 1e-3 (6.7e-4 at 1.25)."""
    y1, y2 = lecture_mesh()
    beta = 100.0
    table = V.gap_table(LECTURE, y1, y2, beta)
    gap, tie = table["approximation_gap"], table["tie"]
    off = ridge_distance(LECTURE, y1, y2) >= 0.25
    assert gap[off].max() <= 1e-4 and np.median(gap[off]) <= 1e-5
    assert gap.min() >= -1e-12
    half = (1.45**2 - 0.36**2) / 1.45  # the cusps at y1 = +-half
    apart = tie & (np.abs(y1) <= half - 0.75)
    assert apart.sum() == 5 and np.all(np.abs(beta * gap[apart] - LOG_TWO) <= 1e-3)
    cold = 1e4
    q = V.best_q(LECTURE, y1[tie], y2[tie], cold)
    F_beta = free_energy_relaxed(LECTURE, y1[tie], y2[tie], cold, n=None).F
    assert np.all(np.abs(cold * (q.F - F_beta) - LOG_TWO) <= 1e-3)


def test_the_gap_at_beta_1_is_large_where_the_cos_2z_term_matters():
    """At beta = 1 the posterior is far from a von Mises where the cos 2z term is comparable to
    the cos z terms, near the origin: on the mesh within 1 of the origin the approximation gap is
    0.098-0.230 (the issue's 0.09-0.23), falling off to 0.0026 at the mesh's corners, where the
    cos z terms grow with |y| (measured: median 0.038 over the mesh)."""
    y1, y2 = lecture_mesh()
    gap = V.gap_table(LECTURE, y1, y2, 1.0)["approximation_gap"]
    near = np.hypot(y1, y2) <= 1.0
    assert 0.09 <= gap[near].min() and gap[near].max() <= 0.23
    assert gap.min() >= 0.002 and gap[near].min() > gap[~near].min()


def test_the_posterior_density_is_normalised_and_exact():
    z = np.linspace(0.0, 2 * np.pi, 4001)[:-1]
    for beta in (1.0, 10.0, 100.0):
        p = V.posterior_density(LECTURE, 0.5, 0.0, beta, z)
        assert abs(np.mean(p) * 2 * np.pi - 1.0) <= 1e-12
        norm = integrate.quad(
            lambda t, b=beta: np.exp(-b * LECTURE.energy(0.5, 0.0, t)), 0, 2 * np.pi, limit=400
        )[0]
        expected = np.exp(-beta * LECTURE.energy(0.5, 0.0, z)) / norm
        assert_allclose(p, expected, rtol=1e-8)


POINTS = {"ridge": (0.5, 0.0), "cusp": (1.3, 0.05), "far": (2.5, 1.5)}


@pytest.mark.parametrize("beta", [10.0, 100.0])
def test_the_sampler_draws_the_exact_posterior(beta):
    """10^5 draws at each of three points: a Kolmogorov-Smirnov test against the posterior's CDF
    (quadrature), each p-value above 1e-3, and the acceptance within 4 standard errors of its
    exact value exp(-beta F_beta - log I0(kappa) - M)."""
    for label, (y1, y2) in POINTS.items():
        d = V.sample_posterior(LECTURE, y1, y2, beta, 100_000, np.random.default_rng(11))
        assert d.z.size == 100_000 and np.all((d.z >= 0) & (d.z < 2 * np.pi))

        def density(t, y1=y1, y2=y2):
            return np.exp(-beta * LECTURE.energy(y1, y2, t))

        norm = integrate.quad(density, 0, 2 * np.pi, limit=400)[0]
        grid = np.linspace(0, 2 * np.pi, 4001)
        pieces = [integrate.quad(density, a, b, limit=200)[0] for a, b in itertools.pairwise(grid)]
        table = np.concatenate([[0.0], np.cumsum(pieces)]) / norm

        def cdf(x, table=table, grid=grid):
            return np.interp(x, grid, table)

        p_value = stats.kstest(d.z, cdf).pvalue
        assert p_value > 1e-3, (label, p_value)
        tried = d.z.size / d.acceptance
        stderr = np.sqrt(d.expected_acceptance * (1 - d.expected_acceptance) / tried)
        assert abs(d.acceptance - d.expected_acceptance) <= 4 * stderr + 1e-12, label


def test_the_portable_von_mises_sampler_has_the_von_mises_moments():
    rng = np.random.default_rng(5)
    for kappa in (0.0, 0.5, 5.0, 500.0):
        z = V.vonmises(rng, 1.0, kappa, 200_000)
        expected = special.ive(1, kappa) / special.ive(0, kappa)
        assert abs(np.mean(np.cos(z - 1.0)) - expected) <= 5 / np.sqrt(200_000)
        assert abs(np.mean(np.sin(z - 1.0))) <= 5 / np.sqrt(200_000)


def test_the_kolmogorov_tail_matches_scipy():
    x = np.linspace(0.0, 3.0, 61)
    assert_allclose(V.kolmogorov_sf(x), stats.kstwobign.sf(x), atol=1e-14)


@pytest.mark.parametrize("decoder", DECODERS[:2])
def test_the_bessel_series_oracle_agrees_where_it_accepts_and_refuses_where_it_cancels(decoder):
    y1, y2 = lecture_mesh()
    for beta in (0.1, 1.0, 3.0, 10.0, 100.0):
        oracle = V.bessel_series_free_energy(decoder, y1, y2, beta)
        F = free_energy_relaxed(decoder, y1, y2, beta, n=None).F
        sound = np.isfinite(oracle)
        if beta <= 1.0:
            assert sound.all()  # no cancellation to speak of at small beta
        assert np.all(np.abs(oracle[sound] - F[sound]) <= 1e-13), beta
    # at beta = 100 it refuses the ridge and most of the mesh, and rightly: the unguarded sum
    # is off by more than its tolerance there (or overflows)
    raw, _ = V._bessel_series(decoder, y1, y2, 100.0)
    refused = ~np.isfinite(V.bessel_series_free_energy(decoder, y1, y2, 100.0))
    assert refused.mean() > 0.9
    F = free_energy_relaxed(decoder, y1, y2, 100.0, n=None).F
    noisy = ~np.isfinite(raw) | (np.abs(raw - F) > 1e-13)
    assert noisy[refused].mean() > 0.5


def test_the_encoder_loss_gradient_matches_central_differences():
    net = V.encoder_network((5,))
    rng = np.random.default_rng(6)
    y1, y2 = rng.uniform(-3, 3, 30), rng.uniform(-2, 2, 30)
    theta = net.init(3, "variational/init")
    for beta in (1.0, 100.0):
        objective = V.encoder_loss(net, LECTURE, y1, y2, beta)
        numeric = central_difference(lambda t, o=objective: o(t)[0], theta, h=1e-6)
        assert_allclose(objective(theta)[1], numeric, rtol=1e-5, atol=1e-7)


def test_a_trained_encoder_has_a_nonnegative_amortization_gap():
    net = V.encoder_network((8,))
    y1, y2 = V.training_points(300, {"y1": [-3, 3], "y2": [-2, 2]}, seed=709)
    schedule = [{"method": "adam", "steps": 200, "learning_rate": 0.02}]
    theta, path = V.fit_encoder(net, LECTURE, y1, y2, 10.0, init_seed=0, schedule=schedule)
    assert path["loss"][-1] < 0.5 * path["loss"][0]
    y1, y2 = lecture_mesh()
    t = V.gap_table(LECTURE, y1, y2, 10.0, (net, theta))
    assert t["amortization_gap"].min() >= -1e-14
    assert_allclose(
        t["F_q_enc"] - t["F_beta"], t["amortization_gap"] + t["approximation_gap"], atol=1e-14
    )


def test_bad_arguments_name_what_is_allowed():
    with pytest.raises(ValueError, match="beta must be > 0"):
        V.variational_free_energy(LECTURE, 1.0, 0.0, 0.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="kappa must be >= 0"):
        V.variational_free_energy(LECTURE, 1.0, 0.0, 0.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="beta must be finite and > 0"):
        V.best_q(LECTURE, 1.0, 0.0, np.inf)
    with pytest.raises(ValueError, match="finite"):
        V.best_q(LECTURE, np.nan, 0.0, 1.0)


def check_stage(project) -> None:
    """The stage's targets on a finished run: one gap map per beta (the map's size, every gap
    non-negative, the two gaps adding up), the summary is the maps' (gap_summary), the draws'
    p-values above 1e-3 and the acceptances near their exact values, the histograms' counts."""
    cfg = project.config()
    v = cfg["variational"]
    tables = []
    for beta in v["betas"]:
        gaps = read(project, f"results/variational/beta~{float(beta)!r}/gaps.parquet")
        assert len(gaps) == v["map"]["y1"] * v["map"]["y2"]
        assert gaps["approximation_gap"].min() >= -1e-12
        assert gaps["amortization_gap"].min() >= -1e-12
        tables.append(dict(gaps.items()))
    summary = read(project, "results/variational/summary.parquet")
    expected = V.gap_summary(tables, v["betas"], v["band"])
    for column in summary:
        assert_allclose(summary[column], expected[column], rtol=0, atol=0)
    draws = read(project, "results/variational/draws_summary.parquet")
    assert len(draws) == len(v["points"]) * len(v["betas"])
    assert (draws["p_value"] > 1e-3).all() and (draws["draws"] == v["draws"]).all()
    assert (abs(draws["acceptance"] - draws["expected_acceptance"]) < 0.02).all()
    hist = read(project, "results/variational/draws.parquet")
    for at_point in hist.groups("point").values():
        for rows in at_point.groups("beta").values():
            assert rows["count"].sum() == v["draws"]


@pytest.mark.pipeline
def test_the_stage_maps_the_gaps_and_draws_the_posterior(finished_run):
    check_stage(finished_run)


def check_default_run(project):
    """The stage's targets on a clean run of the default config, and the encoder's share of the
    total gap growing with beta (1 %, 59 %, 98 % measured)."""
    check_stage(project)
    summary = read(project, "results/variational/summary.parquet")
    assert list(summary["amortization_share"]) == sorted(summary["amortization_share"])


@pytest.mark.pipeline
def test_the_sweeps_headlines_read_the_stages_summary(finished_run):
    from lvebm.pipeline.sweep import HEADLINES

    summary = read(finished_run, "results/variational/summary.parquet")
    out = HEADLINES["variational"]({"summary": dict(summary.items())}, {})
    assert len(out) == 3 * len(summary)
    for k, beta in enumerate(summary["beta"]):
        share = out[f"variational.beta~{beta:g}.amortization_share"]
        assert share == summary["amortization_share"][k]
