"""Checks at the library's boundary: real points of matching shapes, and valid optimizer options.

A public function given complex or non-numeric points, points and labels of different lengths,
or an option outside its range (a non-positive step, tolerance or iteration cap; Wolfe constants
outside 0 < c1 < c2 < 1) raises ``ValueError`` naming the argument and what is allowed, instead
of returning a ragged table, dropping an imaginary part, or climbing to a maximum.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray


def real_array(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """``value`` as float64; ValueError if it is complex or not numeric.

    >>> real_array("y1", [1, 2]).dtype
    dtype('float64')
    >>> real_array("y1", [1j])
    Traceback (most recent call last):
    ValueError: y1 is complex; only real values are accepted (pass .real if that is what you mean)
    """
    array = np.asarray(value)
    if np.iscomplexobj(array):
        raise ValueError(
            f"{name} is complex; only real values are accepted "
            "(pass .real if that is what you mean)"
        )
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, not {array.dtype} values")
    return array.astype(np.float64, copy=False)


def real_points(**arrays: ArrayLike) -> list[NDArray[np.float64]]:
    """The named arrays as float64, broadcast to one shape; ValueError naming them otherwise.

    >>> [a.shape for a in real_points(y1=[1.0, 2.0], y2=0.5)]
    [(2,), (2,)]
    >>> real_points(y1=[1.0, 2.0, 3.0], y2=[1.0, 2.0])
    Traceback (most recent call last):
    ValueError: y1 has shape (3,) and y2 has shape (2,): they must match (or be scalars)
    """
    values = {name: real_array(name, value) for name, value in arrays.items()}
    try:
        return list(np.broadcast_arrays(*values.values()))
    except ValueError:
        shapes = " and ".join(f"{name} has shape {a.shape}" for name, a in values.items())
        raise ValueError(f"{shapes}: they must match (or be scalars)") from None


def starts(name: str, value: ArrayLike, n: int) -> NDArray[np.float64]:
    """The start latent(s) ``value`` of ``n`` points, flat: one for all, or one each.

    >>> starts("z_init", 0.5, 3).tolist(), starts("z_init", [0.1, 0.2, 0.3], 3).tolist()
    ([0.5], [0.1, 0.2, 0.3])
    >>> starts("z_init", [0.1, 0.2], 3)
    Traceback (most recent call last):
    ValueError: z_init has 2 values for 3 points: give one, or one each
    """
    array = real_array(name, value).ravel()
    if array.size not in (1, n):
        raise ValueError(f"{name} has {array.size} values for {n} points: give one, or one each")
    return array


def real_number(name: str, value) -> float:
    """A real scalar argument as float; TypeError naming it for anything else (a string, a
    bool, an array).

    >>> real_number("beta", 2)
    2.0
    >>> real_number("beta", "1")
    Traceback (most recent call last):
    TypeError: beta must be a real number, not str ('1')
    """
    if not _real(value):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__} ({value!r})")
    return float(value)


def count(name: str, value, minimum: int = 0) -> int:
    """A size or seed: an integer >= ``minimum``; TypeError or ValueError naming it otherwise.

    >>> count("n", 24)
    24
    >>> count("n", -1)
    Traceback (most recent call last):
    ValueError: n = -1 is invalid: must be an integer >= 0
    >>> count("seed", 1.5)
    Traceback (most recent call last):
    TypeError: seed must be an integer, not float (1.5)
    """
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} = {value!r} is invalid: must be an integer >= {minimum}")
    return int(value)


def labels_array(name: str, value: ArrayLike) -> NDArray[np.int64]:
    """Labels as int64; ValueError naming them if any is not a whole number.

    >>> labels_array("labels", [1, 2.0]).tolist()
    [1, 2]
    >>> labels_array("labels", [1.5])
    Traceback (most recent call last):
    ValueError: labels must be whole numbers (the samples' integer labels), got 1.5
    """
    array = real_array(name, value)
    whole = np.isfinite(array) & (array == np.round(array))
    if not whole.all():
        bad = float(array[~whole].ravel()[0])
        raise ValueError(f"{name} must be whole numbers (the samples' integer labels), got {bad!r}")
    return array.astype(np.int64)


def _positive(value) -> bool:
    return _real(value) and math.isfinite(value) and value > 0


def _real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _count(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def _fraction(value) -> bool:
    return _real(value) and 0 < value < 1


# option -> (test, what is allowed); every keyword option of an optimizer has a row
OPTION_RULES: dict[str, tuple[Callable[[object], bool], str]] = {
    "n": (_count, "an integer >= 1 (latent grid points)"),
    "step": (_positive, "a finite number > 0 (a step <= 0 climbs instead of descending)"),
    "gtol": (_positive, "a finite number > 0"),
    "max_iter": (_count, "an integer >= 1"),
    "c1": (_fraction, "a number with 0 < c1 < c2 < 1"),
    "c2": (_fraction, "a number with 0 < c1 < c2 < 1"),
    "memory": (_count, "an integer >= 1"),
    "max_ls": (_count, "an integer >= 1 (line-search evaluations per iteration)"),
    "ftol": (_positive, "a finite number > 0"),
    "max_step": (_positive, "a finite number > 0"),
}


def checked_options(function: Callable) -> Callable:
    """Decorate an optimizer: its keyword options (given or default) are checked against
    ``OPTION_RULES`` before it runs; an unknown option is named with the allowed ones."""
    signature = inspect.signature(function)
    options = [
        name
        for name, p in signature.parameters.items()
        if p.kind is p.KEYWORD_ONLY and name != "trace"
    ]
    missing = set(options) - set(OPTION_RULES)
    assert not missing, f"{function.__name__}: no rule for options {missing}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        unknown = set(kwargs) - set(signature.parameters)
        if unknown:
            raise ValueError(
                f"{function.__name__} has no option {', '.join(map(repr, sorted(unknown)))}; "
                f"its options are {', '.join([*options, 'trace'])}"
            )
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        for name in options:
            value = bound.arguments[name]
            test, allowed = OPTION_RULES[name]
            if not test(value):
                where = f"option {name} = {value!r} of {function.__name__}"
                raise ValueError(f"{where} is invalid: must be {allowed}")
        if "c1" in options and not bound.arguments["c1"] < bound.arguments["c2"]:
            c1, c2 = bound.arguments["c1"], bound.arguments["c2"]
            raise ValueError(
                f"option c2 = {c2!r} of {function.__name__} is invalid: must be greater than "
                f"c1 = {c1!r} (0 < c1 < c2 < 1)"
            )
        result = function(*args, **kwargs)
        if hasattr(result, "reshaped") and "y1" in bound.arguments:  # the points' shape
            y1, y2 = bound.arguments["y1"], bound.arguments.get("y2", 0.0)
            result = result.reshaped(np.broadcast_shapes(np.shape(y1), np.shape(y2)))
        return result

    return wrapper
