"""The conditional horn: the network's backpropagation, the per-point exact solver, the losses'
gradients, the optimizers and the parameter tables."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from support import central_difference, read

from lvebm import conditional as C
from lvebm import network
from lvebm.data import radii
from lvebm.exact import free_energy_ellipses, free_energy_exact
from lvebm.model import Decoder

SIZES = [(1, 8, 8, 2), (1, 3, 2), (1, 5, 4, 3, 2), (2, 6, 2), (3, 4, 4, 2)]
LINKS = [(a, o) for a in network.ACTIVATIONS for o in network.OUTPUTS]
SAMPLER = {"seed": 36, "alpha": 1.5, "beta": 2.0, "noise_std": 0.05}


@pytest.mark.parametrize("activation, output", LINKS)
@pytest.mark.parametrize("sizes", SIZES)
def test_backpropagation_and_jacobian_match_finite_differences(sizes, activation, output):
    net = C.Network(sizes, activation, output)
    rng = np.random.default_rng(1)
    theta = rng.normal(0.0, 0.7, net.n_params)
    x = rng.uniform(0.0, 1.0, (sizes[0], 40))  # (inputs, points)
    weights = rng.normal(0.0, 1.0, (sizes[-1], x.shape[1]))  # loss = sum(weights * f(x))
    _, acts = net.forward(theta, x)
    grad = net.backward(theta, acts, weights)
    numeric = central_difference(lambda t: float(np.sum(weights * net(t, x))), theta)
    assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    jac = net.jacobian(theta, acts)  # (outputs, parameters, points)
    assert jac.shape == (sizes[-1], net.n_params, x.shape[1])
    assert_allclose(np.einsum("kn,kpn->p", weights, jac), grad, rtol=1e-12, atol=1e-12)
    for k in range(net.n_params):
        step = np.zeros_like(theta)
        step[k] = 1e-6
        numeric = (net(theta + step, x) - net(theta - step, x)) / 2e-6
        assert_allclose(jac[:, k, :], numeric, rtol=1e-6, atol=1e-8)
    # residuals made of the outputs: block m's rows are sum_k grad_outs[m][k] * d(output k)
    grad_outs = [weights, rng.normal(0.0, 1.0, weights.shape)]
    stacked = net.residual_jacobian(theta, acts, grad_outs)
    assert stacked.shape == (2 * x.shape[1], net.n_params)
    expected = np.concatenate([np.einsum("kn,kpn->np", g, jac) for g in grad_outs])
    assert_allclose(stacked, expected, rtol=1e-12, atol=1e-12)
    assert stacked.T.flags.c_contiguous  # J^T J and J^T r read it row by row


@pytest.mark.parametrize("model", ["latent", "regression"])
def test_residuals_square_to_the_loss_and_their_jacobian_gives_its_gradient(model):
    net = C.Network((1, 8, 8, 2))
    s = C.training_samples(300, split="train", **SAMPLER)
    args = (net if model == "latent" else net.baseline, s["x"], s["y1"], s["y2"])
    objective = getattr(C, f"{model}_loss")(*args)
    residuals = getattr(C, f"{model}_residuals")(*args)
    theta = np.random.default_rng(5).normal(0.0, 0.5, net.n_params)
    r, jac = residuals(theta, True)
    loss, grad = objective(theta)
    assert_allclose(r @ r, loss, rtol=1e-13)
    assert_allclose(2.0 * jac.T @ r, grad, rtol=1e-9, atol=1e-12)  # the envelope theorem
    assert residuals(theta, False)[1] is None


def test_levenberg_marquardt_solves_least_squares_to_rounding():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(50, 4)), rng.normal(size=50)

    def residuals(theta, jacobian=True):  # linear least squares with a curved twist
        r = a @ theta - b + 0.1 * np.sin(theta).sum()
        return r, (a + 0.1 * np.cos(theta)[None, :]) if jacobian else None

    theta, losses = C.levenberg_marquardt(residuals, np.zeros(4), steps=200, weight_decay=1e-3)
    assert np.all(np.diff(losses) <= 0) and losses.size < 200  # stopped: converged
    r, jac = residuals(theta)
    scale = np.abs(jac).max() * np.abs(r).sum()  # of the gradient's terms
    assert np.abs(jac.T @ r + 1e-3 * theta).max() < 1e-11 * scale  # the gradient vanishes
    # from another start the same minimum, to rounding
    other, _ = C.levenberg_marquardt(residuals, np.full(4, 0.3), steps=200, weight_decay=1e-3)
    assert_allclose(other, theta, rtol=1e-10)


@pytest.mark.parametrize("loss", [C.latent_loss, C.regression_loss])
def test_loss_gradients_match_finite_differences(loss):
    net = C.Network((1, 8, 8, 2))
    s = C.training_samples(200, split="train", **SAMPLER)
    objective = loss(net, s["x"], s["y1"], s["y2"])
    rng = np.random.default_rng(2)
    for scale in (0.5, 2.0):  # near the tube and with radii of the horn's size
        theta = rng.normal(0.0, scale, net.n_params)
        value, grad = objective(theta)
        numeric = central_difference(lambda t: objective(t)[0], theta, h=1e-7)
        assert value > 0
        assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7 * max(1.0, value))


def test_latent_loss_is_the_mean_exact_free_energy_and_the_energy_at_z_check():
    net = C.Network((1, 8, 8, 2))
    theta = net.init(3)
    s = C.training_samples(300, split="train", **SAMPLER)
    r = C.free_energy(net, theta, s["x"], s["y1"], s["y2"])
    assert_allclose(C.latent_loss(net, s["x"], s["y1"], s["y2"])(theta)[0], r.F.mean(), rtol=1e-15)
    e = C.energy(net, theta, s["x"], s["y1"], s["y2"], r.z_check)
    assert_allclose(e, r.F, rtol=1e-12, atol=1e-15)
    z = np.linspace(0.0, 2.0 * np.pi, 2001)  # never below the minimum over a fine latent grid
    grid = C.energy(net, theta, s["x"][:, None], s["y1"][:, None], s["y2"][:, None], z[None, :])
    assert np.all(r.F <= grid.min(axis=1) + 1e-12)


def test_per_point_solver_equals_the_single_decoder_solver_bit_for_bit():
    rng = np.random.default_rng(4)
    y1, y2 = rng.uniform(-4.0, 4.0, (2, 5000))
    y1[:50] = 0.0  # on the axes, the ridge and the centre too
    y2[25:100] = 0.0
    decoders = [(-1.45, 0.36), (2.0, 1.5), (0.7, -3.1), (1.3, 1.3)]
    w1 = np.repeat([d[0] for d in decoders], y1.size // len(decoders))
    w2 = np.repeat([d[1] for d in decoders], y1.size // len(decoders))
    r = free_energy_ellipses(w1, w2, y1, y2)
    for k, d in enumerate(decoders):
        part = slice(k * w1.size // 4, (k + 1) * w1.size // 4)
        ref = free_energy_exact(Decoder(*d), y1[part], y2[part])
        for field in ("F", "z_check", "unique", "n_iter"):
            assert_array_equal(getattr(r, field)[part], getattr(ref, field), err_msg=field)


def test_per_point_solver_against_brute_force_on_random_ellipses_and_segments():
    rng = np.random.default_rng(5)
    n = 3000
    w1, w2 = rng.uniform(-5.0, 5.0, (2, n))
    w1[:300] = 0.0  # segments along y2
    w2[300:600] = 0.0  # segments along y1
    w1[600:650] = w2[600:650] = 0.0  # the point 0
    y1, y2 = rng.uniform(-6.0, 6.0, (2, n))
    r = free_energy_ellipses(w1, w2, y1, y2)
    z = np.linspace(0.0, 2.0 * np.pi, 20001)
    brute = (
        (y1[:, None] - w1[:, None] * np.cos(z)) ** 2 + (y2[:, None] - w2[:, None] * np.sin(z)) ** 2
    ).min(axis=1)
    assert np.all(r.F <= brute + 1e-12)
    # the grid's own error, (5 * pi / 20000)^2 / 4 ~ 1.5e-6, bounds the gap from above
    assert_allclose(r.F, brute, rtol=0, atol=2e-6)
    again = (y1 - w1 * np.cos(r.z_check)) ** 2 + (y2 - w2 * np.sin(r.z_check)) ** 2
    assert_allclose(again, r.F, rtol=1e-12, atol=1e-14)
    segment = w1[:300] == 0.0
    assert_allclose(
        r.F[:300][segment], y1[:300] ** 2 + np.maximum(np.abs(y2[:300]) - np.abs(w2[:300]), 0) ** 2
    )
    assert not r.unique[:650].any()


def test_parameter_table_round_trips_in_any_row_order():
    net = C.Network((1, 8, 8, 2))
    theta = net.init(7)
    table = net.table(theta, "latent")
    assert len(table["value"]) == net.n_params == 106
    assert sorted(set(table["name"])) == ["bias", "weight"]
    order = np.random.default_rng(0).permutation(net.n_params)
    shuffled = {k: v[order] for k, v in table.items()}
    assert_array_equal(net.from_table(shuffled, "latent"), theta)
    with pytest.raises(ValueError, match="model 'baseline'"):
        net.from_table(table, "baseline")


def test_initialisation_is_seeded_small_and_pytorch_like():
    net = C.Network((1, 8, 8, 2))
    assert_array_equal(net.init(0), net.init(0))
    assert not np.array_equal(net.init(0), net.init(1))
    for (w, b), (_, i) in zip(net.unpack(net.init(0)), net.shapes, strict=True):
        bound = 1.0 / np.sqrt(i)
        assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    f = net(net.init(0), np.linspace(0.0, 1.0, 51))
    # untrained: a tube of radii exp(small outputs) around the x axis, inside the horn
    assert f.min() > np.exp(-1.0) and f.max() < np.exp(1.0)
    rho = np.stack(radii(np.linspace(0.0, 1.0, 51), alpha=1.5, beta=2.0))
    assert np.all(f < rho)


def test_network_rejects_wrong_parameter_vectors():
    net = C.Network((1, 8, 8, 2))
    with pytest.raises(ValueError, match=r"shape \(106,\)"):
        net(np.zeros(10), [0.5])
    with pytest.raises(ValueError, match="positive layer widths"):
        C.Network((1, 0, 2))
    with pytest.raises(ValueError, match="activation must be one of"):
        C.Network((1, 2), "sigmoid")


def test_adam_and_lbfgs_minimise_a_quadratic_and_record_every_step():
    target = np.array([1.0, -2.0, 3.0])
    scales = np.array([1.0, 10.0, 0.1])

    def objective(theta):
        d = theta - target
        return float(np.sum(scales * d * d)), 2.0 * scales * d

    theta, losses = C.adam(objective, np.zeros(3), learning_rate=0.1, steps=3000)
    assert losses.size == 3001
    assert_allclose(theta, target, atol=1e-3)
    theta, losses = C.lbfgs_steps(objective, np.zeros(3), steps=50)
    assert_allclose(theta, target, atol=1e-8)
    assert losses[0] == objective(np.zeros(3))[0] and np.all(np.diff(losses) <= 0)
    schedule = [
        {"method": "adam", "steps": 5, "learning_rate": 0.1},
        {"method": "lbfgs", "steps": 3},
    ]
    _, trajectory = C.train(objective, np.zeros(3), schedule)
    assert_array_equal(trajectory["step"], np.arange(trajectory["loss"].size))
    assert 6 <= trajectory["loss"].size <= 9
    with pytest.raises(ValueError, match="allowed"):
        C.train(objective, np.zeros(3), [{"method": "sgd", "steps": 1}])
    with pytest.raises(ValueError, match="needs the residuals"):
        C.train(objective, np.zeros(3), [{"method": "levenberg_marquardt", "steps": 1}])


def test_a_short_fit_is_deterministic_and_lowers_both_losses():
    net = C.Network((1, 8, 8, 2))
    s = C.training_samples(400, split="train", **SAMPLER)
    schedule = [{"method": "adam", "steps": 200, "learning_rate": 0.05}]
    params, trajectory = C.fit(net, s, init_seed=1, schedule=schedule)
    again = C.fit(net, s, init_seed=1, schedule=schedule)
    for name in params:
        assert_array_equal(params[name], again[0][name])
    assert_array_equal(trajectory["loss"], again[1]["loss"])
    assert list(dict.fromkeys(params["model"])) == ["untrained", "latent", "baseline"]
    latent = trajectory["loss"][trajectory["model"] == "latent"]
    baseline = trajectory["loss"][trajectory["model"] == "baseline"]
    assert latent.size == baseline.size == 201
    assert latent[-1] < 0.5 * latent[0]  # the latent model fits the rings
    # the baseline can only reach the rings' spread around their centres, mean |y|^2 - |E[y]|^2
    spread = np.mean(s["y1"] ** 2 + s["y2"] ** 2)
    assert baseline[-1] < baseline[0] and baseline[-1] > 0.9 * spread
    table = C.radii_table(net, params, np.linspace(0, 1, 11), alpha=1.5, beta=2.0)
    assert_allclose(table["rho1"], radii(np.linspace(0, 1, 11), alpha=1.5, beta=2.0)[0])


def test_splits_are_independent_streams():
    train = C.training_samples(100, split="train", **SAMPLER)
    held = C.training_samples(100, split="held_out", **SAMPLER)
    assert not np.intersect1d(train["x"], held["x"]).size
    longer = C.training_samples(200, split="held_out", **SAMPLER)
    assert_array_equal(longer["x"][:100], held["x"])  # resizing a split keeps its first samples


# ---- the conditional stage end to end, on a finished run (tests/conftest.py) ----

CONDITIONAL = [
    f"results/conditional/{t}.parquet"
    for t in ("params", "trajectory", "radii", "free_energy", "maps")
]


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    """The conditional stage on the default config (the small config trains only briefly)."""
    from support import copy_project

    project = copy_project(tmp_path_factory.mktemp("conditional") / "project")
    project.snakemake(*CONDITIONAL)
    return project


@pytest.mark.pipeline
def test_conditional_horn_is_learnt_and_the_baseline_collapses(conditional_run):
    cfg = conditional_run.config()["conditional"]
    radii = read(conditional_run, "results/conditional/radii.parquet")
    assert_allclose(radii["x"], np.linspace(0.0, 1.0, 51))
    # the trained radii within 5 % of rho(x) at every x of the grid (signs are a symmetry)
    for j in (1, 2):
        error = np.abs(np.abs(radii[f"f{j}"]) - radii[f"rho{j}"]) / radii[f"rho{j}"]
        assert error.max() < 0.05, (j, radii["x"][error.argmax()], error.max())
    # untrained: a tube of radii exp(small outputs), inside the horn; the baseline: within 10 %
    # of |rho(x)| of the axis at every x
    untrained = np.stack([radii["f1_untrained"], radii["f2_untrained"]])
    assert np.exp(-1.0) < untrained.min() and untrained.max() < np.exp(1.0)
    share = np.hypot(radii["baseline_y1"], radii["baseline_y2"]) / np.hypot(
        radii["rho1"], radii["rho2"]
    )
    assert share.max() < 0.10
    held = read(conditional_run, "results/conditional/free_energy.parquet")
    assert len(held) == cfg["held_out"]
    assert np.median(held["F"]) < 0.01 < 1.0 < np.median(held["F_untrained"])
    params = read(conditional_run, "results/conditional/params.parquet")
    assert {model: len(rows) for model, rows in params.groups("model").items()} == {
        "baseline": 106,
        "latent": 106,
        "untrained": 106,
    }
    trajectory = read(conditional_run, "results/conditional/trajectory.parquet")
    latent = trajectory.where(model="latent")["loss"]
    assert latent[-1] < 1e-3 * latent[0]
    steps = cfg["schedule"][0]["steps"] + cfg["schedule"][1]["steps"]
    assert latent.size <= steps  # Levenberg-Marquardt stopped at the minimum, not at its budget
    maps = read(conditional_run, "results/conditional/maps.parquet")
    assert sorted(set(maps["x"])) == cfg["maps"]["x"]
    assert len(maps) == len(cfg["maps"]["x"]) * cfg["maps"]["num"] ** 2
