"""Batched optimizers: the exact minimum from inside its basin, honest local minima, and
agreement with scipy's own implementations point by point on the lecture's mesh."""

import inspect
import warnings

import numpy as np
import pytest
import yaml
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize
from support import ROOT, default_config

from lvebm.arguments import OPTION_RULES
from lvebm.exact import free_energy_exact
from lvebm.inference import grid_tolerance, infer
from lvebm.methods import ITERATIVE, METHODS
from lvebm.model import Decoder
from lvebm.optimize import OPTIMIZERS, Z_INIT, run_optimizer
from lvebm.pipeline.config import method_options, resolve

CFG = default_config()
INF = CFG["inference"]
DEC = Decoder(CFG["decoder"]["w1"], CFG["decoder"]["w2"])


def options(name):
    """The default config's options for one optimizer, as the pipeline passes them."""
    return method_options(name, CFG)


def lecture_mesh():
    y1, y2 = np.meshgrid(np.linspace(-3, 3, 25), np.linspace(-2, 2, 17))
    return y1.ravel(), y2.ravel()


def wrapped_distance(a, b):
    return np.abs(np.angle(np.exp(1j * (np.asarray(a) - np.asarray(b)))))


@pytest.mark.parametrize("name", ITERATIVE)
def test_iterative_optimizer_reaches_the_exact_minimum_from_inside_its_basin(name):
    rng = np.random.default_rng(7)
    y1, y2 = rng.uniform(-3, 3, (2, 2000))
    ref = free_energy_exact(DEC, y1, y2)
    keep = ref.unique & (DEC.energy_dz2(y1, y2, ref.z_check) > 0.05)
    y1, y2, ref_z, ref_f = y1[keep], y2[keep], ref.z_check[keep], ref.F[keep]
    start = ref_z + rng.uniform(-0.1, 0.1, ref_z.size)  # well inside the basin
    res = OPTIMIZERS[name](DEC, y1, y2, start, **options(name))
    # a Wolfe search can stop just short of gtol where E no longer decreases measurably
    # (scipy's "precision loss"); F is exact there all the same
    assert res.converged.mean() >= 0.995
    g = np.abs(DEC.energy_dz(y1, y2, res.z_check))
    assert np.all(g[~res.converged] <= 10 * INF["gtol"])
    # L-BFGS also stops when F decreases by less than ftol relative (scipy's factr rule)
    rtol = INF["lbfgs"]["ftol"] if name == "lbfgs" else 1e-12
    assert_allclose(res.F, ref_f, rtol=rtol, atol=1e-13)
    assert np.all(wrapped_distance(res.z_check, ref_z) < (1e-4 if name == "lbfgs" else 1e-6))


def test_exhaustive_is_within_its_grid_tolerance_and_exact_is_exact():
    y1, y2 = lecture_mesh()
    ref = free_energy_exact(DEC, y1, y2)
    grid = run_optimizer("exhaustive", DEC, y1, y2, z_init=0.5, options={"n": 48})
    assert np.all(grid.F - ref.F >= -1e-15)
    assert np.all(grid.F - ref.F <= grid_tolerance(DEC, y1, y2, 48))
    assert np.all(np.isin(np.round(grid.z_check / (np.pi / 24), 9), np.arange(48)))
    exact = run_optimizer("exact", DEC, y1, y2, z_init=0.5, options={})
    assert_array_equal(exact.F, ref.F)


@pytest.mark.parametrize("name", ITERATIVE)
def test_local_minima_are_reported_not_hidden(name):
    """From z_init = 0.5 some mesh points end in a local minimum (the lecture's warning)."""
    y1, y2 = lecture_mesh()
    labels = np.arange(1, y1.size + 1)
    table, _ = infer(
        DEC,
        labels,
        y1,
        y2,
        method=name,
        z_init=0.5,
        options=options(name),
        global_tol=INF["global_tol"],
    )
    wrong = ~table["global_min"]
    assert 0.02 < wrong.mean() < 0.3
    # each of those is a genuine local minimum: converged, E'' > 0, clearly above F_exact
    assert table["converged"][wrong].all()
    assert np.all(DEC.energy_dz2(y1[wrong], y2[wrong], table["z_check"][wrong]) > 0)
    assert np.all(table["error"][wrong] > 1e-3)
    assert np.all(np.abs(table["error"][~wrong]) <= INF["global_tol"])


def _scipy_reference(name, y1, y2, z0, gtol):
    def fun(z, a, b):
        return DEC.energy(a, b, z[0])

    def jac(z, a, b):
        return np.array([DEC.energy_dz(a, b, z[0])])

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a, b in zip(y1, y2, strict=True):
            if name == "conjugate_gradient":
                opts = {"gtol": gtol, "maxiter": 500, "c1": 1e-4, "c2": 0.4}
                out.append(optimize.minimize(fun, [z0], (a, b), "CG", jac, options=opts).x[0])
            elif name == "lbfgs":
                opts = {"gtol": gtol, "ftol": INF["lbfgs"]["ftol"], "maxcor": 10, "maxiter": 500}
                out.append(optimize.minimize(fun, [z0], (a, b), "L-BFGS-B", jac, options=opts).x[0])
            else:  # steepest descent with scipy.optimize.line_search, as our line_search runs
                x = np.array([z0])
                f, g = fun(x, a, b), jac(x, a, b)
                f_old = f + np.linalg.norm(g) / 2
                for _ in range(500):
                    if abs(g[0]) <= gtol:
                        break
                    step = optimize.line_search(fun, jac, x, -g, g, f, f_old, (a, b), 1e-4, 0.9)
                    if step[0] is None:
                        break
                    x = x - step[0] * g
                    f_old, f, g = f, step[3], jac(x, a, b)
                out.append(x[0])
    return np.array(out)


@pytest.mark.parametrize("name", ["line_search", "conjugate_gradient", "lbfgs"])
def test_batched_optimizer_matches_scipy_on_the_lecture_mesh(name):
    y1, y2 = lecture_mesh()
    ours = run_optimizer(name, DEC, y1, y2, z_init=INF["z_init"], options=options(name))
    theirs = _scipy_reference(name, y1, y2, INF["z_init"], INF["gtol"])
    dz = wrapped_distance(ours.z_check, theirs)
    same_basin = dz < 1e-3
    assert same_basin.mean() >= 0.99
    assert np.all(dz[same_basin] <= 1e-8)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_point_alone_or_in_a_batch_gives_identical_results(name):
    y1, y2 = lecture_mesh()
    batch = run_optimizer(name, DEC, y1, y2, z_init=0.5, options=options(name), trace=False)
    for k in (0, 137, 271, 424):
        alone = run_optimizer(
            name, DEC, y1[k : k + 1], y2[k : k + 1], z_init=0.5, options=options(name)
        )
        assert alone.z_check[0] == batch.z_check[k]
        assert alone.n_eval[0] == batch.n_eval[k]


@pytest.mark.parametrize("name", ITERATIVE)
def test_trace_starts_at_z_init_and_ends_at_z_check(name):
    y1, y2 = lecture_mesh()
    res = run_optimizer(name, DEC, y1, y2, z_init=0.5, options=options(name), trace=True)
    t = res.trace
    first = np.r_[True, t["point"][1:] != t["point"][:-1]]
    last = np.r_[t["point"][1:] != t["point"][:-1], True]
    assert_array_equal(t["point"][first], np.arange(y1.size))
    assert np.all(t["z"][first] == 0.5)
    assert_array_equal(t["step"][last], res.n_iter)
    assert np.all(wrapped_distance(t["z"][last], res.z_check) < 1e-12)
    if name != "gradient_descent":  # line searches and safeguarded Newton never go uphill
        rises = np.diff(t["E"])[~last[:-1]]
        assert np.all(rises <= 1e-12)


def test_unknown_optimizer_is_rejected():
    with pytest.raises(ValueError, match="unknown optimizer 'adam'; allowed: exhaustive"):
        run_optimizer("adam", DEC, [0.0], [0.0], z_init=0.5, options={})


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_threads_and_blocks_never_change_a_value(name, monkeypatch):
    rng = np.random.default_rng(3)
    y1, y2 = rng.uniform(-3, 3, (2, 20_000))
    one = run_optimizer(name, DEC, y1, y2, z_init=0.5, options=options(name), trace=True)
    two = run_optimizer(name, DEC, y1, y2, z_init=0.5, options=options(name), trace=True, workers=3)
    monkeypatch.setattr("lvebm.optimize.BLOCK", 4999)  # five blocks, run one after the other
    three = run_optimizer(name, DEC, y1, y2, z_init=0.5, options=options(name), trace=True)
    for other in (two, three):
        for field in ("z_check", "F", "n_iter", "n_eval", "converged"):
            assert_array_equal(getattr(one, field), getattr(other, field))
        for key in one.trace:
            assert_array_equal(one.trace[key], other.trace[key])


# ---- one record per method -----------------------------------------------------------------------


def _schema_default(key):
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    node = schema
    for part in key.split("."):
        node = resolve(schema, node["properties"][part])
    return node["default"]


@pytest.mark.parametrize("name", list(METHODS))
def test_a_method_record_is_its_function_options_and_config_keys(name):
    """The record names exactly the function's keyword options; each option's default in the
    library is the schema's default of its config key, and has a rule at the boundary; every
    method takes the points and the start z_init (the non-iterative ones ignore it) in order."""
    params = inspect.signature(inspect.unwrap(OPTIMIZERS[name])).parameters
    keyword = {n: p.default for n, p in params.items() if p.kind is p.KEYWORD_ONLY}
    keyword.pop("trace")
    assert set(METHODS[name].config) | METHODS[name].fixed == set(keyword)
    assert all(option in OPTION_RULES for option in keyword)
    for option, key in METHODS[name].config.items():
        assert keyword[option] == _schema_default(key), (option, key)
    positional = [n for n, p in params.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == ["decoder", "y1", "y2", "z_init"]
    assert params["z_init"].default == Z_INIT


def test_the_schema_offers_exactly_the_recorded_methods():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    inference = schema["properties"]["inference"]["properties"]
    assert set(inference["optimizers"]["items"]["enum"]) == set(METHODS)
    assert set(schema["properties"]["mesh"]["properties"]["method"]["enum"]) == set(METHODS)
    search = schema["properties"]["figures"]["properties"]["search_optimizer"]["enum"]
    assert set(search) == set(ITERATIVE)
