"""Amortized inference: the encoder losses' gradients, the closed-form regularised latent, the
ridge, the gap's sign and limits, target propagation against the cold training, determinism."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from support import a_mesh_size, central_difference, read

from lvebm import amortized as A
from lvebm.data import sample_slice
from lvebm.exact import free_energy_exact, ridge_distance
from lvebm.methods import METHODS
from lvebm.model import Decoder
from lvebm.network import Network
from lvebm.training import train_lbfgs

LECTURE = Decoder(-1.45, 0.36)
SAMPLES = sample_slice(24, x=0.0, seed=709, alpha=1.5, beta=2.0, noise_std=0.05)
TP = {"steps": 2000, "distance_weight": 1.0, "decoder_rate": 0.2, "encoder_rate": 0.01}
SUPERVISED = [
    {"method": "adam", "steps": 300, "learning_rate": 0.01},
    {"method": "levenberg_marquardt", "steps": 300},
]


def points(n=60, seed=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(-3, 3, n), rng.uniform(-2, 2, n)


@pytest.mark.parametrize("method", ["supervised", "energy"])
@pytest.mark.parametrize("sizes", [(2, 6, 2), (2, 5, 4, 2)])
def test_encoder_losses_gradients_and_residuals_match_finite_differences(method, sizes):
    net = Network(sizes, "tanh", "linear")
    y1, y2 = points()
    if method == "supervised":
        z = free_energy_exact(LECTURE, y1, y2).z_check
        objective = A.supervised_loss(net, y1, y2, z)
        residuals = A.supervised_residuals(net, y1, y2, z)
    else:
        objective = A.energy_loss(net, LECTURE, y1, y2)
        residuals = A.energy_residuals(net, LECTURE, y1, y2)
    theta = np.random.default_rng(1).normal(0.0, 0.8, net.n_params)
    loss, grad = objective(theta)
    assert_allclose(
        grad, central_difference(lambda t: objective(t)[0], theta), rtol=1e-6, atol=1e-9
    )
    r, jac = residuals(theta, True)
    assert_allclose(r @ r, loss, rtol=1e-13)
    assert_allclose(2.0 * jac.T @ r, grad, rtol=1e-10, atol=1e-13)
    numeric = np.stack(
        [
            (residuals(theta + e, False)[0] - residuals(theta - e, False)[0]) / 2e-6
            for e in np.eye(net.n_params) * 1e-6
        ],
        axis=1,
    )
    assert_allclose(jac, numeric, rtol=1e-6, atol=1e-8)


def test_the_losses_are_the_mean_distance_and_the_mean_energy():
    net = A.encoder_network((4,))
    theta = net.init(2, "amortized/init")
    y1, y2 = points(30)
    z_tilde = A.latent_guess(net, theta, y1, y2)
    z = free_energy_exact(LECTURE, y1, y2).z_check
    loss = A.supervised_loss(net, y1, y2, z)(theta)[0]
    assert_allclose(loss, np.mean(A.periodic_distance(z, z_tilde)), rtol=1e-13)
    energy = A.energy_loss(net, LECTURE, y1, y2)(theta)[0]
    assert_allclose(energy, np.mean(LECTURE.energy(y1, y2, z_tilde)), rtol=1e-13)
    assert ((z_tilde >= 0) & (z_tilde < 2 * np.pi)).all()


def test_periodic_distance_has_no_seam():
    assert_allclose(A.periodic_distance(0.01, 2 * np.pi - 0.01), 1 - np.cos(0.02))
    assert_allclose(A.periodic_distance([0.0, np.pi / 2, np.pi], 0.0), [0.0, 1.0, 2.0], atol=1e-15)


@pytest.mark.parametrize("weight", [0.0, 0.1, 1.0, 10.0])
@pytest.mark.parametrize("decoder", [LECTURE, Decoder(1.9, 1.5), Decoder(0.4, -1.2)])
def test_regularized_latent_is_the_global_minimum_of_the_regularised_energy(weight, decoder):
    y1, y2 = points(40, seed=8)
    z_tilde = np.random.default_rng(9).uniform(0, 2 * np.pi, y1.size)
    z = A.regularized_latent(decoder, y1, y2, z_tilde, weight)
    grid = np.linspace(0, 2 * np.pi, 20001)

    def objective(zz):
        return decoder.energy(y1[:, None], y2[:, None], zz) + weight * A.periodic_distance(
            zz, z_tilde[:, None]
        )

    found = objective(z[:, None])[:, 0]
    brute = objective(grid[None, :]).min(axis=1)
    assert (found <= brute + 1e-12).all()  # never above the grid's best
    assert_allclose(found, brute, atol=1e-6)
    if weight == 0.0:
        exact = free_energy_exact(decoder, y1, y2)
        assert_allclose(decoder.energy(y1, y2, z), exact.F, atol=1e-12)


def test_ridge_distance_against_geometry_and_the_exact_solvers_ties():
    # the lecture's decoder: the ridge is |y1| <= (1.45^2 - 0.36^2) / 1.45 on y2 = 0
    half = (1.45**2 - 0.36**2) / 1.45
    assert_allclose(
        ridge_distance(LECTURE, [0.0, half, half + 0.3, -3.0], [0.0, 0.0, 0.4, 0.0]),
        [0.0, 0.0, 0.5, 3.0 - half],
        atol=1e-15,
    )
    # a taller ellipse: the ridge lies on the y2 axis; a circle: the centre alone
    tall = Decoder(0.5, 2.0)
    assert_allclose(ridge_distance(tall, [0.3, 0.0], [1.0, 3.0]), [0.3, 3.0 - 3.75 / 2.0])
    assert_allclose(ridge_distance(Decoder(1.0, -1.0), [3.0], [4.0]), [5.0])
    # the exact solver's ties (unique == False) are exactly the points on the ridge
    y1 = np.linspace(-3, 3, 121)
    ties = ~free_energy_exact(LECTURE, y1, np.zeros_like(y1)).unique
    assert_array_equal(ties, ridge_distance(LECTURE, y1, 0.0) == 0.0)
    assert ridge_distance(LECTURE, [[0.0, 1.0]], [[0.0], [1.0]]).shape == (2, 2)


def test_the_gap_is_never_negative_and_vanishes_for_a_perfect_encoder():
    y1, y2 = (a.ravel() for a in np.meshgrid(np.linspace(-3, 3, 61), np.linspace(-2, 2, 41)))
    net = A.encoder_network((8,))
    exact = free_energy_exact(LECTURE, y1, y2)
    mirror = np.mod(-exact.z_check, 2 * np.pi)  # the other minimiser on the ridge (y2 = 0)
    encoders = {
        "random": A.guesser(net, net.init(4, "amortized/init")),
        "perfect": lambda a, b: free_energy_exact(LECTURE, a, b).z_check,
        "mirror_on_ridge": lambda a, b: np.where(np.asarray(b) == 0.0, mirror, exact.z_check),
    }
    table = A.gap_table(LECTURE, encoders, y1, y2)
    assert (table["gap"] >= -1e-12).all()
    random = table["method"] == "random"
    assert table["gap"][random].max() > 0.1
    for name in ("perfect", "mirror_on_ridge"):
        assert_allclose(table["gap"][table["method"] == name], 0.0, atol=1e-12)
    band = A.band_summary(table, 0.25)
    perfect = list(band["method"]).index("perfect")
    assert abs(band["median_off"][perfect]) <= 1e-15 and band["max_gap"][perfect] <= 1e-12
    assert band["points"][perfect] == y1.size
    assert band["inside"][perfect] == int((ridge_distance(LECTURE, y1, y2) <= 0.25).sum())


def test_band_summary_by_hand():
    table = {
        "method": np.array(["a"] * 4, dtype=object),
        "gap": np.array([1.0, 3.0, 0.5, 0.1]),
        "ridge_distance": np.array([0.0, 0.1, 1.0, 2.0]),
    }
    b = A.band_summary(table, 0.2)
    assert b["inside"].tolist() == [2]
    assert_allclose(b["share_inside"], [4.0 / 4.6])
    assert_allclose(b["median_off"], [0.3])
    assert_allclose(b["max_gap"], [3.0])


def test_a_trained_supervised_encoder_has_its_gap_in_the_band_and_removes_local_minima():
    pts = A.training_points(600, (-3, 3), (-2, 2), seed=709)
    net = A.encoder_network((12, 12))
    theta, trajectory = A.fit_encoder(
        net, LECTURE, pts["y1"], pts["y2"], method="supervised", init_seed=0, schedule=SUPERVISED
    )
    assert trajectory["loss"][-1] < 1e-3 * trajectory["loss"][0]
    again, _ = A.fit_encoder(
        net, LECTURE, pts["y1"], pts["y2"], method="supervised", init_seed=0, schedule=SUPERVISED
    )
    assert_array_equal(theta, again)  # deterministic, bit for bit
    y1, y2 = (a.ravel() for a in np.meshgrid(np.linspace(-3, 3, 61), np.linspace(-2, 2, 41)))
    guess = A.guesser(net, theta)
    band = A.band_summary(A.gap_table(LECTURE, {"supervised": guess}, y1, y2), 0.25)
    assert band["median_off"][0] < 1e-3 and band["share_inside"][0] > 0.9
    mesh1, mesh2 = (a.ravel() for a in np.meshgrid(np.linspace(-3, 3, 25), np.linspace(-2, 2, 17)))
    optimizers = {"newton": {}, "lbfgs": {}}
    table = A.warm_start(
        LECTURE,
        {"supervised": guess},
        np.arange(1, mesh1.size + 1),
        mesh1,
        mesh2,
        optimizers=optimizers,
        global_tol=1e-9,
    )
    assert set(table["start"]) == {"supervised"}
    assert_allclose(table["z_init"][: mesh1.size], guess(mesh1, mesh2))
    assert table["global_min"].mean() > 0.99  # from z = 0.5: 89 % (newton), 92 % (lbfgs)


def test_target_propagation_ends_at_the_cold_trainings_radii_deterministically():
    cold = train_lbfgs(
        SAMPLES["y1"], SAMPLES["y2"], LECTURE, beta=np.inf, gtol=1e-10, max_iter=1000
    )
    net = A.encoder_network((16, 16))
    run = A.target_propagation(net, SAMPLES["y1"], SAMPLES["y2"], LECTURE, init_seed=0, **TP)
    assert abs(run.decoder.w1 - cold.decoder.w1) < 1e-3
    assert abs(run.decoder.w2 - cold.decoder.w2) < 1e-3
    t = run.trajectory
    assert t["step"].tolist() == list(range(TP["steps"] + 1))
    assert (t["w1"][0], t["w2"][0]) == (LECTURE.w1, LECTURE.w2)
    assert t["reconstruction"][-1] < 0.01 * t["reconstruction"][0]
    assert t["distance"][-1] < 1e-4
    again = A.target_propagation(net, SAMPLES["y1"], SAMPLES["y2"], LECTURE, init_seed=0, **TP)
    for name in t:
        assert_array_equal(again.trajectory[name], t[name])


def test_bad_arguments_name_what_is_allowed():
    net = A.encoder_network((4,))
    with pytest.raises(ValueError, match=r"unknown encoder training 'mse'.*supervised"):
        A.fit_encoder(net, LECTURE, [0.0], [0.0], method="mse", init_seed=0, schedule=SUPERVISED)
    with pytest.raises(ValueError, match=r"inputs must have shape \(2, n\)"):
        net(net.init(0), np.zeros((3, 4)))


# ---- the stage on a finished run ---------------------------------------------------------------


def check_stage(project, *, iterations: float, trained: tuple = ("supervised",)) -> None:
    """The amortized stage's targets (issue 26) on a finished run: for each encoder the gap is
    never negative and sits in the band around the ridge, the band table is the gap table's
    summary, its starts end in a local minimum on at most 1 % of the mesh; the encoders of
    ``trained`` keep at least 90 % of the gap in the band and a median gap below 1e-3 off it; the
    supervised encoder's starts take at most ``iterations`` times the default start's mean
    iterations (the inference stage's summary); target propagation ends within 1e-3 of the cold
    training's radii."""
    from lvebm.amortized import band_summary

    cfg = project.config()
    a = cfg["amortized"]
    inference = read(project, "results/inference/summary.parquet")
    for method in ("supervised", "energy"):
        folder = f"results/amortized/encoder~{method}"
        gap = read(project, f"{folder}/gap.parquet")
        assert len(gap) == a["map"]["y1"] * a["map"]["y2"] and set(gap["method"]) == {method}
        assert gap["gap"].min() >= -1e-12
        band = read(project, f"{folder}/band.parquet")
        expected = band_summary(dict(gap.items()), a["band"])
        for column in band:
            assert band[column].tolist() == list(expected[column]), column
        if method in trained:  # trained as long as the default config trains it
            assert band["median_off"].item() < 1e-3 and band["share_inside"].item() > 0.9, method
        summary = read(project, f"{folder}/warm_start_summary.parquet")
        warm = read(project, f"{folder}/warm_start.parquet")
        assert len(warm) == len(summary) * a_mesh_size(cfg)
        iterative = [n for n in cfg["inference"]["optimizers"] if METHODS[n].iterative]
        assert sorted(summary["optimizer"]) == sorted(iterative)
        for name in iterative:
            row = summary.where(optimizer=name)
            assert row["local_min_rate"].item() <= 0.01, (method, name)
            if method == "supervised":
                default = inference.where(points="mesh", optimizer=name)["mean_iter"].item()
                assert row["mean_iter"].item() <= iterations * default, name
    path = read(project, "results/amortized/target_propagation/trajectory.parquet")
    assert len(path) == a["target_propagation"]["steps"] + 1
    cold = read(project, "results/training/summary.parquet")
    cold = cold[(cold["beta"] == np.inf) & (cold["method"] == cfg["training"]["methods"][0])]
    assert abs(path["w1"][-1] - cold["w1"].item()) < 1e-3
    assert abs(path["w2"][-1] - cold["w2"].item()) < 1e-3
    params = read(project, "results/amortized/encoder~supervised/params.parquet")
    sizes = [2, *a["hidden"], 2]
    assert len(params) == sum(o * i + o for i, o in itertools.pairwise(sizes))


@pytest.mark.pipeline
def test_the_stage_guesses_the_latent_and_target_propagation_ends_at_the_cold_radii(finished_run):
    """On the small config. Its 13 x 9 mesh has fewer points where the default start's search is
    long, and its encoder trains on 500 points for 400 steps, so the iterations fall to 0.51-0.57
    of the default start's there; on the default config's mesh they at least halve
    (``check_default_run``, on a clean default run of test_reproducibility.py)."""
    check_stage(finished_run, iterations=0.6)


def check_default_run(project):
    """The stage's targets on a clean run of the default config (tests/test_reproducibility.py
    runs every test module's ``check_default_run``): the iterations at least halve, and both
    encoders are trained as the default config trains them."""
    check_stage(project, iterations=0.5, trained=("supervised", "energy"))
