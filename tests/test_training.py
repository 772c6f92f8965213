"""Training the decoder: the loss's exact gradient, the trainers against an independent
minimiser, what temperature does to the trained radii, and denoising."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize
from support import read

from lvebm.data import held_out_slice, radii, sample_slice
from lvebm.exact import free_energy_exact
from lvebm.model import Decoder
from lvebm.training import (
    critical_betas,
    learning_rate_scan,
    loss,
    loss_and_gradient,
    temperature_scan,
    train,
    train_lbfgs,
    train_per_sample,
)
from lvebm.training_tables import denoise_table

UNTRAINED = Decoder(-1.45, 0.36)
DATA = {"seed": 36, "alpha": 1.5, "beta": 2.0, "noise_std": 0.05}
SAMPLES = sample_slice(24, x=0.0, **DATA)
Y1, Y2 = SAMPLES["y1"], SAMPLES["y2"]
LBFGS = {"gtol": 1e-10, "max_iter": 1000}


@pytest.mark.parametrize("n", [48, None])
@pytest.mark.parametrize("beta", [np.inf, 10.0, 1.0, 0.3, 0.1])
@pytest.mark.parametrize("w", [(-1.45, 0.36), (2.1, -1.3), (0.5, 1.9)])
def test_loss_gradient_matches_finite_differences(w, beta, n):
    w = np.array(w)
    _, grad = loss_and_gradient(w, Y1, Y2, beta=beta, n=n)
    h = 1e-6
    fd = [
        (loss(w + h * e, Y1, Y2, beta=beta, n=n) - loss(w - h * e, Y1, Y2, beta=beta, n=n))
        / (2 * h)
        for e in np.eye(2)
    ]
    assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)


def test_zero_temperature_loss_is_the_mean_squared_distance_to_the_ellipse():
    value, _ = loss_and_gradient(np.array([-1.45, 0.36]), Y1, Y2, beta=np.inf, n=48)
    assert value == pytest.approx(free_energy_exact(UNTRAINED, Y1, Y2).F.mean(), rel=1e-15)


def test_lbfgs_at_zero_temperature_finds_the_minimiser_nelder_mead_finds():
    fit = train_lbfgs(Y1, Y2, UNTRAINED, beta=np.inf, n=None, **LBFGS)
    assert fit.converged
    independent = optimize.minimize(
        lambda w: free_energy_exact(Decoder(*w), Y1, Y2).F.mean(),
        [-1.45, 0.36],
        method="Nelder-Mead",
        options={"xatol": 1e-11, "fatol": 1e-16, "maxiter": 20000, "maxfev": 40000},
    )
    assert_allclose(np.abs([fit.decoder.w1, fit.decoder.w2]), np.abs(independent.x), atol=1e-6)
    # the trained radii are the data's, rho(0) = (2, 1.5), up to the noise of 24 samples
    assert_allclose(
        np.abs([fit.decoder.w1, fit.decoder.w2]), radii(0.0, alpha=1.5, beta=2.0), atol=0.03
    )


def test_warmer_training_shrinks_the_ellipse_and_hot_training_collapses_it():
    radii_by_beta = {}
    for beta in (np.inf, 10.0, 3.2, 1.0, 0.3, 0.1):
        fit = train_lbfgs(Y1, Y2, UNTRAINED, beta=beta, n=None if np.isinf(beta) else 48, **LBFGS)
        radii_by_beta[beta] = np.abs([fit.decoder.w1, fit.decoder.w2])
    order = [np.inf, 10.0, 3.2, 1.0, 0.3, 0.1]
    for colder, warmer in itertools.pairwise(order):
        assert np.all(radii_by_beta[warmer] <= radii_by_beta[colder] + 1e-9), (colder, warmer)
    assert np.all(radii_by_beta[0.1] < 0.05)  # collapsed onto the centre
    assert radii_by_beta[1.0][0] > 1.5 and radii_by_beta[1.0][1] > 1.2  # warm, not collapsed


def test_critical_betas_predict_where_each_radius_appears():
    c1, c2 = critical_betas(Y1, Y2)
    assert c1 < c2  # the major radius appears first, as beta rises
    betas = np.array([0.8 * c1, 1.25 * c1, 0.8 * c2, 1.25 * c2])
    scan = temperature_scan(Y1, Y2, UNTRAINED, betas=betas, n=48, **LBFGS)
    w1, w2 = np.abs(scan["w1"]), np.abs(scan["w2"])
    assert w1[0] < 1e-6 and w1[1] > 0.1  # below / above beta*_1
    assert w2[2] < 1e-6 and w2[3] > 0.1  # below / above beta*_2
    assert_array_equal(scan["critical_w1"], c1)


def test_per_sample_training_is_deterministic_and_descends():
    kwargs = dict(beta=np.inf, learning_rate=0.2, epochs=2, seed=36, n=None)
    first = train_per_sample(Y1, Y2, UNTRAINED, **kwargs)
    again = train_per_sample(Y1, Y2, UNTRAINED, **kwargs)
    for column in first.trajectory:
        assert_array_equal(first.trajectory[column], again.trajectory[column])
    assert first.steps == 48 and first.trajectory["step"].size == 49
    assert_array_equal(np.unique(first.trajectory["epoch"]), [0, 1, 2])
    assert first.loss < 0.05 * first.trajectory["loss"][0]
    other = train_per_sample(Y1, Y2, UNTRAINED, **{**kwargs, "seed": 37})
    assert other.decoder != first.decoder  # the order comes from the seed


def test_learning_rate_scan_measures_one_epoch_against_the_optimum():
    scan = learning_rate_scan(Y1, Y2, UNTRAINED, rates=[0.01, 0.2, 5.0], seed=36, **LBFGS)
    assert np.all(scan["loss"] >= scan["optimum"] - 1e-12)
    assert scan["excess"][1] < scan["excess"][0]  # 0.01 has not arrived after one epoch
    assert scan["excess"][1] < 0.05


def test_train_writes_one_row_per_method_and_the_landscape_covers_the_paths():
    results, trajectory, land = train(
        Y1,
        Y2,
        UNTRAINED,
        beta=np.inf,
        methods=["lbfgs", "per_sample"],
        n=48,
        learning_rate=0.2,
        epochs=1,
        seed=36,
        **LBFGS,
    )
    assert list(results["method"]) == ["lbfgs", "per_sample"]
    assert list(trajectory) == ["method", "step", "epoch", "w1", "w2", "loss"]
    assert land["w1"].min() < trajectory["w1"].min() and land["w1"].max() > trajectory["w1"].max()
    assert land["w2"].min() < trajectory["w2"].min() and land["w2"].max() > trajectory["w2"].max()
    with pytest.raises(ValueError, match="unknown training method 'adam'"):
        train(
            Y1,
            Y2,
            UNTRAINED,
            beta=1.0,
            methods=["adam"],
            n=48,
            learning_rate=0.1,
            epochs=1,
            seed=0,
            **LBFGS,
        )
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        train_per_sample(Y1, Y2, UNTRAINED, beta=1.0, learning_rate=0.0, epochs=1, seed=0)


def test_denoising_with_the_trained_decoder_moves_samples_toward_the_clean_points():
    trained = train_lbfgs(Y1, Y2, UNTRAINED, beta=np.inf, n=None, **LBFGS).decoder
    held_out = held_out_slice(300, x=0.0, **DATA)
    rho1, rho2 = radii(0.0, alpha=1.5, beta=2.0)
    assert_allclose((held_out["clean_y1"] / rho1) ** 2 + (held_out["clean_y2"] / rho2) ** 2, 1.0)
    table = denoise_table(held_out, {"untrained": UNTRAINED, "trained": trained})
    mean = {
        m: table["error"][table["model"] == m].mean() for m in ("noisy", "untrained", "trained")
    }
    assert mean["trained"] < 0.8 * mean["noisy"]  # the normal component of the noise is removed
    assert mean["untrained"] > mean["noisy"]  # the wrong manifold moves samples away
    # held-out samples are not the training samples (their own streams)
    assert not np.isin(held_out["y1"], Y1).any()


# ---- the training stage end to end, on a finished run (tests/conftest.py) ----


@pytest.mark.pipeline
def test_training_artifacts_tell_the_lectures_story(finished_run):
    cfg = finished_run.config()["training"]
    summary = read(finished_run, "results/training/summary.parquet")
    assert len(summary) == (len(cfg["betas"]) + 1) * len(cfg["methods"])
    cold = summary.where(beta=np.inf, method="lbfgs").row(0)
    assert cold["converged"]
    # 24 noisy samples at random angles pin the radii of rho(0) = (2, 1.5) to a few percent
    assert_allclose([abs(cold["w1"]), abs(cold["w2"])], [2.0, 1.5], rtol=0.03)
    hot = summary.where(beta=0.1, method="lbfgs").row(0)
    assert abs(hot["w1"]) < 0.05 and abs(hot["w2"]) < 0.05
    line = read(finished_run, "results/training/cross_section.parquet")
    cold_line = line.where(beta=np.inf)
    zeros = cold_line["y2"][np.argsort(cold_line["F_grid"], kind="stable")[:2]]
    assert sorted(zeros) == [-1.5, 1.5]  # the lecture: zeros near y2 = +-1.5
    denoised = read(finished_run, "results/training/denoise.parquet")
    mean = {model: rows["error"].mean() for model, rows in denoised.groups("model").items()}
    assert mean["trained"] < mean["noisy"] < mean["untrained"]
    assert len(denoised) == 3 * cfg["denoise"]
    trajectory = read(finished_run, "results/training/beta~inf/trajectory.parquet")
    per_sample = trajectory.where(method="per_sample")
    assert per_sample["step"].max() == cfg["epochs"] * 24
