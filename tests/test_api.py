"""The API convention of the package docstring, checked over every export of ``lvebm.__all__``:
shapes, the kind of result, the method as a keyword, the lecture's defaults, one clear error for
bad arguments. A new export fails here until it has its rows."""

import dataclasses
import inspect
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import lvebm
from lvebm import amortized, conditional, exact, inference, optimize, probabilistic, training

D = lvebm.Decoder(-1.45, 0.36)
AXIS = {"start": -1.0, "stop": 1.0, "num": 3}
SHORT = {"methods": ["lbfgs"], "landscape_num": 2}  # train: one method, a tiny landscape

# every export -> a call with one bad argument, the error it must raise, and words of its message
BAD = {
    "Decoder": [
        (lambda: lvebm.Decoder("a", 1.0), TypeError, "decoder.w1 must be a real number"),
        (lambda: lvebm.Decoder(1.0, True), TypeError, "decoder.w2"),
        (lambda: lvebm.Decoder(1.0, 1j), TypeError, "decoder.w2 must be a real number"),
        (lambda: lvebm.Decoder(0.0, 1.0), ValueError, "decoder.w1 must be a finite"),
    ],
    "latent_grid": [
        (lambda: lvebm.latent_grid(-1), ValueError, "n = -1 is invalid"),
        (lambda: lvebm.latent_grid("48"), TypeError, "n must be an integer"),
    ],
    "energy_table": [
        (
            lambda: lvebm.energy_table(D, [1.5], [1.0], [0.0], n=4),
            ValueError,
            "labels must be whole numbers",
        )
    ],
    "sample_horn": [
        (lambda: lvebm.sample_horn(-1), ValueError, "n = -1 is invalid"),
        (lambda: lvebm.sample_horn(5, seed=-2), ValueError, "seed = -2 is invalid"),
    ],
    "sample_slice": [
        (lambda: lvebm.sample_slice(2.5), TypeError, "n must be an integer"),
        (lambda: lvebm.sample_slice(3, seed=1.5), TypeError, "seed must be an"),
        (lambda: lvebm.sample_slice(3, noise_std=-1.0), ValueError, "noise_std"),
    ],
    "radii": [(lambda: lvebm.radii("a"), ValueError, "x must hold real numbers")],
    "free_energy_exact": [
        (lambda: lvebm.free_energy_exact(D, "a", 1.0), ValueError, "y1 must hold real numbers")
    ],
    "free_energy_ellipses": [
        (
            lambda: lvebm.free_energy_ellipses("a", 1.0, 0.0, 0.0),
            ValueError,
            "w1 must hold real numbers",
        )
    ],
    "z_check_cos_sin": [
        (lambda: lvebm.z_check_cos_sin(2.0, "a", 0.0, 0.0), ValueError, "w2 must hold real numbers")
    ],
    "minimize": [
        (lambda: lvebm.minimize(D, 1.0, 0.0, method="sgd"), ValueError, "unknown method 'sgd'")
    ],
    "infer": [
        (lambda: lvebm.infer(D, [1.5], [1.0], [0.0]), ValueError, "labels must be one integer")
    ],
    "mesh_points": [
        (lambda: lvebm.mesh_points({**AXIS, "num": -1}, AXIS), ValueError, "num = -1 is invalid"),
        (
            lambda: lvebm.mesh_points({**AXIS, "start": "0"}, AXIS),
            TypeError,
            "start must be a real number",
        ),
    ],
    "free_energy_field": [
        (lambda: lvebm.free_energy_field(D, "a", 1.0), ValueError, "y1 must hold real numbers")
    ],
    "free_energy_relaxed": [
        (
            lambda: lvebm.free_energy_relaxed(D, 0.0, 0.0, "1"),
            TypeError,
            "beta must be a real number",
        )
    ],
    "train": [
        (lambda: lvebm.train([1.0], [0.0], beta="1"), TypeError, "beta must be a real"),
        (
            lambda: lvebm.train([1.0], [0.0], methods=["sgd"], n=None),
            ValueError,
            "unknown training method",
        ),
    ],
    "Network": [
        (lambda: lvebm.Network((1, 0, 2)), ValueError, "positive layer widths"),
        (lambda: lvebm.Network(activation="sigmoid"), ValueError, "activation"),
    ],
    **{
        name: [
            (lambda name=name: getattr(lvebm, name)(D, [1j], [0.0]), ValueError, "y1 is complex"),
            (
                lambda name=name: getattr(lvebm, name)(D, 1.0, 0.0, max_iter=0),
                ValueError,
                "option max_iter = 0",
            ),
        ]
        for name in ("gradient_descent", "line_search", "conjugate_gradient", "lbfgs", "newton")
    },
    "exhaustive": [
        (lambda: lvebm.exhaustive(D, [1j], [0.0]), ValueError, "y1 is complex"),
        (lambda: lvebm.exhaustive(D, 1.0, 0.0, n=0), ValueError, "option n = 0"),
    ],
}
S = lvebm.sample_slice()
NAN = [float("nan"), *S["y1"][1:]]
NET = lvebm.encoder_network((4,))
THETA = NET.init(0)
GUESS = {"e": amortized.guesser(NET, THETA)}
BAD.update(
    {
        "log_density": [
            (lambda: lvebm.log_density(D, 0.0, 0.0, "1"), TypeError, "beta must be a real"),
            (lambda: lvebm.log_density(D, 0.0, 0.0, np.inf), ValueError, "beta = inf is invalid"),
        ],
        "em": [
            (lambda: lvebm.em(NAN, S["y2"]), ValueError, "y1 has a value that is not finite"),
            (lambda: lvebm.em([np.inf], [1.0]), ValueError, "y1 has a value that is not finite"),
            (lambda: lvebm.em([], []), ValueError, "y1 is empty"),
            (lambda: lvebm.em("a", S["y2"]), ValueError, "y1 must hold real numbers"),
            (lambda: lvebm.em(S["y1"], 0.0 * S["y2"]), ValueError, "y2 is 0 at every sample"),
            (lambda: lvebm.em(S["y1"], S["y2"], (1.0, 2.0)), TypeError, "start must be a"),
            (lambda: lvebm.em(S["y1"], S["y2"], beta=0.0), ValueError, "beta = 0.0 is invalid"),
            (lambda: lvebm.em(S["y1"], S["y2"], max_iter=0), ValueError, "max_iter = 0"),
        ],
        "encoder_network": [
            (lambda: lvebm.encoder_network((0,)), ValueError, "positive layer widths"),
            (lambda: lvebm.encoder_network(activation="x"), ValueError, "activation"),
        ],
        "fit_encoder": [
            (lambda: lvebm.fit_encoder(NET, D, NAN, S["y2"]), ValueError, "y1 has a value"),
            (lambda: lvebm.fit_encoder(NET, D, [], []), ValueError, "y1 is empty"),
            (lambda: lvebm.fit_encoder(NET, D, [1.0], [0.0], method="x"), ValueError, "unknown"),
            (lambda: lvebm.fit_encoder(NET, "d", [1.0], [0.0]), TypeError, "decoder must be a"),
            (
                lambda: lvebm.fit_encoder(NET, D, [1.0], [0.0], init_seed=-1),
                ValueError,
                "init_seed = -1 is invalid",
            ),
        ],
        "gap_table": [
            (lambda: lvebm.gap_table(D, GUESS, "a", 0.0), ValueError, "y1 must hold real")
        ],
        "target_propagation": [
            (lambda: lvebm.target_propagation(NET, NAN, S["y2"]), ValueError, "y1 has a value"),
            (lambda: lvebm.target_propagation(NET, [], []), ValueError, "y1 is empty"),
            (lambda: lvebm.target_propagation(NET, [1.0], [0.0], steps=-1), ValueError, "steps"),
            (
                lambda: lvebm.target_propagation(NET, [1.0], [0.0], decoder_rate=-0.1),
                ValueError,
                "decoder_rate = -0.1 is invalid",
            ),
            (lambda: lvebm.target_propagation(NET, [1.0], [0.0], D.w1), TypeError, "start"),
        ],
    }
)
# exports that are not functions of arguments: the result records and the method table
NOT_CALLED = {
    "InferenceResult": "the optimizers' result record",
    "OPTIMIZERS": "a table",
    "EMResult": "em's result record",
    "TargetPropagation": "target_propagation's result record",
}


def test_every_export_has_its_bad_calls():
    assert set(BAD) | set(NOT_CALLED) == set(lvebm.__all__)


@pytest.mark.parametrize(
    "call, error, words",
    [row for name in sorted(BAD) for row in BAD[name]],
    ids=[f"{name}-{k}" for name in sorted(BAD) for k in range(len(BAD[name]))],
)
def test_a_bad_argument_gets_one_clear_error_naming_it(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)
    assert type(raised.value) is error  # not a subclass from deep inside numpy


# functions of points -> a call on given points returning a record with per-point fields
POINTS = {
    "free_energy_exact": (lambda y1, y2: lvebm.free_energy_exact(D, y1, y2), ("F", "z_check")),
    "free_energy_ellipses": (
        lambda y1, y2: lvebm.free_energy_ellipses(2.0, 1.0, y1, y2),
        ("F", "z_check"),
    ),
    "free_energy_relaxed": (
        lambda y1, y2: lvebm.free_energy_relaxed(D, y1, y2, 1.0),
        ("F", "dF_dy1", "z_mean"),
    ),
    "free_energy_relaxed, continuous": (
        lambda y1, y2: lvebm.free_energy_relaxed(D, y1, y2, 3.0, n=None),
        ("F", "dF_dy2"),
    ),
    "minimize": (lambda y1, y2: lvebm.minimize(D, y1, y2, method="newton"), ("F", "converged")),
    **{
        name: (lambda y1, y2, name=name: getattr(lvebm, name)(D, y1, y2), ("F", "n_iter"))
        for name in lvebm.OPTIMIZERS
        if name != "exact"
    },
}


@pytest.mark.parametrize("name", list(POINTS))
def test_outputs_have_the_points_broadcast_shape_in_one_frozen_record(name):
    call, fields = POINTS[name]
    grid = call(np.linspace(-2, 2, 6).reshape(2, 3), 0.5)
    scalar = call(1.2, 0.3)
    column = call(np.array([[0.5], [1.5]]), np.array([0.1, 0.2, 0.3]))
    for result in (grid, scalar, column):
        assert dataclasses.is_dataclass(result)
        assert result.__dataclass_params__.frozen
    for field in fields:
        assert getattr(grid, field).shape == (2, 3), field
        assert getattr(scalar, field).shape == (), field
        assert getattr(column, field).shape == (2, 3), field
    # the same numbers as the flat call, in the same order
    flat = call(np.linspace(-2, 2, 6), np.full(6, 0.5))
    assert_array_equal(np.ravel(grid.F), flat.F)


def test_the_method_is_a_keyword_after_the_points():
    for function in (lvebm.minimize, lvebm.infer):
        method = inspect.signature(function).parameters["method"]
        assert method.kind is inspect.Parameter.KEYWORD_ONLY


def test_tables_come_as_named_tuples_that_unpack():
    tables = lvebm.infer(D, [1, 2], [2.0, -1.0], [0.1, -0.5], method="exact")
    results, trace = tables
    assert tables.results is results and tables.trace is trace and "F_exact" in results
    mesh = lvebm.mesh_points(AXIS, AXIS)
    assert mesh.i.tolist() == list(range(1, 10)) and mesh.y1 is mesh[1]
    s = lvebm.sample_slice()
    trained = lvebm.train(s["y1"], s["y2"], n=None, **SHORT)
    assert trained.results["w1"].round(4).tolist() == [-1.9476]  # the lecture's trained radii


def test_samplers_and_trainers_default_to_the_lecture():
    lecture = {"seed": 709, "alpha": 1.5, "beta": 2.0, "noise_std": 0.05}
    for key, value in lvebm.sample_slice().items():
        assert_array_equal(value, lvebm.sample_slice(24, x=0.0, **lecture)[key])
    assert lvebm.sample_slice()["i"].size == 24
    for key, value in lvebm.sample_horn(50).items():
        assert_array_equal(value, lvebm.sample_horn(50, **lecture)[key])
    assert lvebm.Network().sizes == (1, 8, 8, 2)
    assert inspect.signature(lvebm.train).parameters["start"].default == lvebm.Decoder(-1.45, 0.36)
    assert training.LECTURE_DECODER == lvebm.Decoder(-1.45, 0.36)
    assert conditional.Network().n_params == 106
    assert [r.tolist() for r in lvebm.radii([0.0])] == [[2.0], [1.5]]


def test_the_science_imports_no_plumbing():
    """No module of lvebm outside lvebm.pipeline imports from it: the science reads and writes
    no files and knows no config, artifacts or job graph."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "src/lvebm"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n.startswith("lvebm.pipeline") for n in names), (path.name, names)


# ---- every function of points, held to the convention on NaN, inf, empty and wrong-type points --

HORN = conditional.Network()
HORN_THETA = HORN.init(1)
SHORT_SCHEDULE = [{"method": "adam", "steps": 3, "learning_rate": 0.01}]

# every public function of the library's modules that takes points (y1, y2), as a call of them
# with good other arguments (a fit: the samples; a function of points: the points)
OF_POINTS = {
    "model.energy_table": lambda y1, y2: lvebm.energy_table(D, np.ones(np.size(y1), int), y1, y2),
    "exact.free_energy_exact": lambda y1, y2: lvebm.free_energy_exact(D, y1, y2),
    "exact.ridge_distance": lambda y1, y2: exact.ridge_distance(D, y1, y2),
    "exact.free_energy_ellipses": lambda y1, y2: lvebm.free_energy_ellipses(2.0, 1.0, y1, y2),
    "exact.z_check_cos_sin": lambda y1, y2: lvebm.z_check_cos_sin(2.0, 1.0, y1, y2),
    **{
        f"optimize.{name}": lambda y1, y2, name=name: getattr(optimize, name)(D, y1, y2)
        for name in lvebm.OPTIMIZERS
    },
    "optimize.minimize": lambda y1, y2: lvebm.minimize(D, y1, y2, method="newton"),
    "optimize.run_optimizer": lambda y1, y2: optimize.run_optimizer("lbfgs", D, y1, y2),
    "inference.grid_tolerance": lambda y1, y2: inference.grid_tolerance(D, y1, y2),
    "inference.infer": lambda y1, y2: lvebm.infer(D, np.arange(1, np.size(y1) + 1), y1, y2),
    "mesh.free_energy_field": lambda y1, y2: lvebm.free_energy_field(D, y1, y2),
    "relaxed.free_energy_relaxed": lambda y1, y2: lvebm.free_energy_relaxed(D, y1, y2, 1.0),
    "training.loss": lambda y1, y2: training.loss(np.array([2.0, 1.5]), y1, y2, beta=1.0),
    "training.critical_betas": lambda y1, y2: training.critical_betas(y1, y2),
    "training.denoise": lambda y1, y2: training.denoise(D, y1, y2),
    "training.train": lambda y1, y2: lvebm.train(y1, y2, **SHORT),
    "conditional.free_energy": lambda y1, y2: conditional.free_energy(
        HORN, HORN_THETA, np.zeros(np.size(y1)), y1, y2
    ),
    "amortized.latent_guess": lambda y1, y2: amortized.latent_guess(NET, THETA, y1, y2),
    "amortized.fit_encoder": lambda y1, y2: lvebm.fit_encoder(
        NET, D, y1, y2, schedule=SHORT_SCHEDULE
    ),
    "amortized.regularized_latent": lambda y1, y2: amortized.regularized_latent(
        D, y1, y2, 0.0, 1.0
    ),
    "amortized.target_propagation": lambda y1, y2: lvebm.target_propagation(NET, y1, y2, steps=2),
    "amortized.gap_table": lambda y1, y2: lvebm.gap_table(D, GUESS, y1, y2),
    "probabilistic.log_density": lambda y1, y2: lvebm.log_density(D, y1, y2, 1.0),
    "probabilistic.circle_free_energy": lambda y1, y2: probabilistic.circle_free_energy(
        1.0, y1, y2, 1.0
    ),
    "probabilistic.em": lambda y1, y2: lvebm.em(y1, y2, max_iter=3),
}
BAD_POINTS = {
    "nan": [float("nan"), 1.0],
    "inf": [float("inf"), 1.0],
    "empty": [],
}


@pytest.mark.parametrize("name", sorted(OF_POINTS))
def test_points_of_the_wrong_type_get_one_clear_error_naming_them(name):
    for bad in ("a", ["1.0", "2.0"], [1j, 2.0]):
        with pytest.raises((TypeError, ValueError)) as raised:
            OF_POINTS[name](bad, [0.5, 0.5])
        assert "y1" in str(raised.value), (name, bad, raised.value)


@pytest.mark.parametrize("kind", sorted(BAD_POINTS))
@pytest.mark.parametrize("name", sorted(OF_POINTS))
def test_nan_inf_or_no_points_give_a_result_or_one_clear_error_never_a_warning(name, kind):
    """A function of points maps a point that is not finite to NaN and no points to an empty
    result; a fit stops with a ValueError naming the samples. Neither lets numpy warn."""
    y1 = BAD_POINTS[kind]
    y2 = [0.5] * len(y1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            OF_POINTS[name](y1, y2)
        except ValueError as e:
            assert "y1" in str(e), (name, kind, e)
            assert type(e) is ValueError


def test_every_function_of_points_has_its_row():
    """A new public function taking (y1, y2) fails here until it has its row above."""
    import importlib

    rows = set()
    for module in (
        "model",
        "exact",
        "optimize",
        "inference",
        "mesh",
        "relaxed",
        "training",
        "conditional",
        "amortized",
        "probabilistic",
    ):
        mod = importlib.import_module(f"lvebm.{module}")
        for name, value in vars(mod).items():
            if (
                not name.startswith("_")
                and inspect.isfunction(value)
                and value.__module__ == mod.__name__
                and {"y1", "y2"} <= set(inspect.signature(value).parameters)
            ):
                rows.add(f"{module}.{name}")
    # the functions of points that are parts of others (the losses' closures, the scans over a
    # trained table) and are called through them above
    parts = {
        "training.loss_and_gradient",
        "training.train_per_sample",
        "training.train_lbfgs",
        "training.landscape",
        "training.learning_rate_scan",
        "training.temperature_scan",
        "conditional.energy",
        "conditional.latent_loss",
        "conditional.regression_loss",
        "conditional.latent_residuals",
        "conditional.regression_residuals",
        "amortized.supervised_loss",
        "amortized.supervised_residuals",
        "amortized.energy_loss",
        "amortized.energy_residuals",
        "amortized.warm_start",
        "probabilistic.mean_log_likelihood",
    }
    assert rows - parts == set(OF_POINTS)
