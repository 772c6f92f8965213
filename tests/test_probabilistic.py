"""The probabilistic reading: p(y) = (beta / pi) exp(-beta F_beta(y)) is a normalised density,
the sampler draws from it, EM never lowers the likelihood and agrees with the energy-loss
trainer at fixed beta, and the continuous F_beta of a circle has a closed form."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from support import read

from lvebm.data import sample_slice
from lvebm.model import Decoder, latent_grid
from lvebm.probabilistic import circle_free_energy, em, log_density, sample
from lvebm.relaxed import free_energy_relaxed
from lvebm.training import train_lbfgs

DECODERS = [(-1.45, 0.36), (2.0, 1.5), (1.0, 1.0)]
SAMPLES = sample_slice()


@pytest.mark.parametrize("n", [48, None])
@pytest.mark.parametrize("beta", [0.3, 1.0, 10.0])
@pytest.mark.parametrize("weights", DECODERS)
def test_the_density_integrates_to_one(weights, beta, n):
    """Over a box reaching 12 noise deviations past the manifold, with the trapezoid rule on a
    grid of half a deviation (spectrally accurate for these Gaussian mixtures)."""
    decoder = Decoder(*weights)
    sd = np.sqrt(0.5 / beta)
    half = max(abs(w) for w in weights) + 12.0 * sd
    axis = np.linspace(-half, half, int(np.ceil(2 * half / (0.5 * sd))) + 1)
    y1, y2 = np.meshgrid(axis, axis)
    density = np.exp(log_density(decoder, y1, y2, beta, n=n))
    total = np.trapezoid(np.trapezoid(density, axis, axis=1), axis)
    assert abs(total - 1.0) < 1e-8


def test_the_density_is_the_free_energy_read_as_a_likelihood():
    d = Decoder(-1.45, 0.36)
    y1, y2 = SAMPLES["y1"], SAMPLES["y2"]
    for beta in (0.5, 3.0):
        F = free_energy_relaxed(d, y1, y2, beta, n=48).F
        assert_allclose(log_density(d, y1, y2, beta), np.log(beta / np.pi) - beta * F, rtol=1e-15)
    assert log_density(d, np.zeros((2, 3)), 0.1, 1.0).shape == (2, 3)
    with pytest.raises(ValueError, match="finite beta > 0"):
        log_density(d, 0.0, 0.0, np.inf)


@pytest.mark.parametrize("n", [48, None])
def test_the_sampler_draws_latents_uniformly_and_noise_of_variance_one_over_two_beta(n):
    d, beta = Decoder(2.0, 1.5), 4.0
    s = sample(d, 40_000, beta, n=n, seed=3)
    again = sample(d, 40_000, beta, n=n, seed=3)
    for key in s:
        assert_array_equal(s[key], again[key])
    g1, g2 = d(s["z"])
    for noise in (s["y1"] - g1, s["y2"] - g2):
        assert abs(noise.var() * 2 * beta - 1.0) < 0.03 and abs(noise.mean()) < 0.01
    if n is not None:
        assert set(np.unique(s["z"])) <= set(latent_grid(n))
        assert np.unique(s["z"]).size == n
    # the samples' mean log-density is the density's (negative) entropy: a sample from p scores
    # higher under p than under a wrong beta
    assert np.mean(log_density(d, s["y1"], s["y2"], beta, n=n)) > np.mean(
        log_density(d, s["y1"], s["y2"], 1.0, n=n)
    )


@pytest.mark.parametrize("n", [48, None])
@pytest.mark.parametrize("start", [(-1.45, 0.36), (0.5, -3.0)])
def test_em_never_lowers_the_likelihood(n, start):
    fit = em(SAMPLES["y1"], SAMPLES["y2"], Decoder(*start), 1.0, n=n)
    ll = fit.trajectory["log_likelihood"]
    assert fit.converged and fit.steps == ll.size - 1
    assert np.all(np.diff(ll) >= -1e-12 * np.abs(ll[1:])), np.diff(ll).min()
    assert ll[-1] > ll[0] + 1.0


def test_em_learns_the_data_noise_continuously_and_less_on_the_grid():
    """The data's noise is N(0, 0.05^2) per axis: 1 / (2 sigma^2) = 200. The continuous model
    learns about that; on the 48-point grid the spacing between latents (about 0.2 along the
    ellipse) counts as noise, so the learned beta is lower."""
    y1, y2 = SAMPLES["y1"], SAMPLES["y2"]
    continuous = em(y1, y2, n=None)
    grid = em(y1, y2, n=48)
    assert abs(continuous.beta / 200.0 - 1.0) < 0.1
    assert grid.beta < 0.75 * continuous.beta
    for fit in (continuous, grid):
        assert abs(abs(fit.decoder.w1) - 2.0) < 0.08 and abs(abs(fit.decoder.w2) - 1.5) < 0.05


@pytest.mark.parametrize("beta", [1.0, 10.0])
@pytest.mark.parametrize("n", [48, None])
def test_em_at_fixed_beta_reaches_the_energy_loss_optimum(beta, n):
    """At fixed beta the likelihood is the energy loss up to a constant: EM and L-BFGS on the
    loss reach the same decoder."""
    y1, y2 = SAMPLES["y1"], SAMPLES["y2"]
    start = Decoder(-1.45, 0.36)
    fit = em(y1, y2, start, beta, n=n, learn_beta=False, tol=1e-16, max_iter=20_000)
    ref = train_lbfgs(y1, y2, start, beta=beta, gtol=1e-12, max_iter=1000, n=n).decoder
    assert_allclose([fit.decoder.w1, fit.decoder.w2], [ref.w1, ref.w2], atol=1e-6)
    assert fit.beta == beta


@pytest.mark.parametrize("r", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("beta", [0.1, 1.0, 30.0])
def test_the_circle_oracle_equals_the_continuous_free_energy(r, beta):
    rng = np.random.default_rng(int(10 * r + beta))
    y1, y2 = rng.uniform(-4, 4, (2, 300))
    y1[:3], y2[:3] = [0.0, r, 0.0], [0.0, 0.0, 1e-9]  # the centre, on the circle, next to centre
    ours = free_energy_relaxed(Decoder(r, r), y1, y2, beta, n=None).F
    oracle = circle_free_energy(r, y1, y2, beta)
    assert_allclose(ours, oracle, rtol=1e-12, atol=1e-12)


# ---- the probabilistic stage end to end, on a finished run (tests/conftest.py) ----


@pytest.mark.pipeline
def test_em_learns_beta_near_the_datas_noise_and_the_held_out_likelihood_names_a_best_beta(
    finished_run,
):
    """The probabilistic stage on the small config (same slice as the default): EM's likelihood
    never decreases, its continuous beta is near 1 / (2 sigma^2), the grid's lower (the grid's
    spacing counts as noise); the scan of beta turns on held-out samples near the data's noise."""
    cfg = finished_run.config()
    em = read(finished_run, "results/probabilistic/em.parquet")
    data_beta = 0.5 / cfg["data"]["noise_std"] ** 2
    last = {}
    for latent, path in em.groups("latent").items():
        ll = path["log_likelihood"]
        assert np.all(np.diff(ll) >= -1e-12 * np.abs(ll[1:]))
        last[latent] = path["beta"][-1]
    assert abs(last["continuous"] / data_beta - 1.0) < 0.1 and last["grid"] < last["continuous"]
    draws = read(finished_run, "results/probabilistic/model_samples.parquet")
    assert {latent: len(rows) for latent, rows in draws.groups("latent").items()} == {
        "continuous": cfg["probabilistic"]["samples"],
        "grid": cfg["probabilistic"]["samples"],
    }
    held = read(finished_run, "results/probabilistic/held_out.parquet")
    scan = cfg["probabilistic"]["scan"]
    assert_allclose(held["beta"], np.geomspace(scan["start"], scan["stop"], scan["num"]))
    assert held["best"].sum() == 1
    best = held["beta"][held["best"]].item()
    assert held["log_likelihood"][held["best"]].item() == held["log_likelihood"].max()
    # the scan spans the turn: the held-out likelihood rises to its best beta, then falls, and
    # its best is within a factor 2 of the data's 1 / (2 sigma^2); the fitted samples' own
    # likelihood peaks at the beta EM learns (the same maximum likelihood, beta free)
    assert scan["start"] < best < scan["stop"] and 0.5 < best / data_beta < 2.0
    rise = held["log_likelihood"][held["beta"] <= best]
    fall = held["log_likelihood"][held["beta"] >= best]
    assert np.all(np.diff(rise) > 0) and np.all(np.diff(fall) < 0)
    fitted = held["beta"][held["train_log_likelihood"].argmax()]
    ratio = np.sqrt(scan["stop"] / scan["start"]) ** (2 / (scan["num"] - 1))  # one scan step
    assert 1 / ratio <= fitted / last["continuous"] <= ratio
    assert (
        held["train_log_likelihood"].max()
        <= em.where(latent="continuous")["log_likelihood"][-1] + 1e-12
    )
