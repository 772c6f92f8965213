"""The API convention of the package docstring, checked over every export of ``lvebm.__all__``:
shapes, the kind of result, the method as a keyword, the lecture's defaults, one clear error for
bad arguments. A new export fails here until it has its rows."""

import dataclasses
import inspect

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import lvebm
from lvebm import conditional, training

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
# exports that are not functions of arguments: the result record and the method table
NOT_CALLED = {"InferenceResult": "the optimizers' result record", "OPTIMIZERS": "a table"}


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
