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

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : array_like
        The argument: a scalar or an array of real numbers (booleans and integers are accepted
        and converted).

    Returns
    -------
    ndarray
        ``value`` as float64, in its own shape (0-d for a scalar); not a copy if it already is.

    Raises
    ------
    ValueError
        If ``value`` is complex, or its values are not numbers (strings, objects).

    Examples
    --------
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

    Parameters
    ----------
    **arrays : array_like
        The points' coordinates, by name (``y1=..., y2=...``): real numbers, broadcast together.

    Returns
    -------
    list of ndarray
        The arrays as float64, in the order given, broadcast to their common shape (read-only
        views where broadcasting repeats values).

    Raises
    ------
    ValueError
        If an array is complex or not numeric, or the arrays cannot be broadcast together (the
        message gives each one's shape).

    Examples
    --------
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


def finite_samples(**arrays: ArrayLike) -> list[NDArray[np.float64]]:
    """Samples to fit a model to: the named arrays as flat float64 of one length.

    At least one sample, every value finite; ValueError naming the array otherwise. A function of
    points maps a point that is not finite to NaN; a fit has no such way out, so a NaN, an inf or
    no sample at all stops it here, named, before any numpy warning.

    Parameters
    ----------
    **arrays : array_like
        The samples' coordinates, by name (``y1=..., y2=...``): real numbers, broadcast together,
        then flattened.

    Returns
    -------
    list of ndarray
        The arrays as flat float64 of one length (>= 1), in the order given.

    Raises
    ------
    ValueError
        If an array is complex or not numeric, the arrays cannot be broadcast together, they are
        empty, or a value is not finite (the message names the array and the value's index).

    Examples
    --------
    >>> [a.tolist() for a in finite_samples(y1=[1.0, 2.0], y2=[0.5, 0.0])]
    [[1.0, 2.0], [0.5, 0.0]]
    >>> finite_samples(y1=[1.0, float("nan")], y2=[0.0, 0.0])
    Traceback (most recent call last):
    ValueError: y1 has a value that is not finite (nan at index 1): the samples must be finite
    """
    flat = [a.ravel() for a in real_points(**arrays)]
    for name, a in zip(arrays, flat, strict=True):
        if a.size == 0:
            raise ValueError(f"{name} is empty: at least one sample is needed")
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            raise ValueError(
                f"{name} has a value that is not finite ({a[bad[0]]} at index {bad[0]}): the "
                "samples must be finite"
            )
    return flat


def starts(name: str, value: ArrayLike, n: int) -> NDArray[np.float64]:
    """The start latent(s) ``value`` of ``n`` points, flat: one for all, or one each.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : array_like
        The start latent(s): a scalar (or one value) for every point, or one value per point
        (flattened), real numbers.
    n : int
        The number of points.

    Returns
    -------
    ndarray
        The start latent(s) as flat float64, of 1 or ``n`` values.

    Raises
    ------
    ValueError
        If ``value`` is complex or not numeric, or has neither 1 nor ``n`` values.

    Examples
    --------
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
    """A real scalar argument as float; TypeError naming it for anything else.

    Anything else is a string, a bool, an array: only a real number (a Python or numpy int or
    float) passes.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : float
        The argument, a real number (not a bool).

    Returns
    -------
    float
        ``value`` as a Python float (it may be NaN or infinite: the caller checks its range).

    Raises
    ------
    TypeError
        If ``value`` is not a real number, or is a bool.

    Examples
    --------
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

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : int
        The argument, an integer (a Python or numpy integer, not a bool).
    minimum : int, optional
        The smallest value allowed (0 by default; 1 for a grid size or an iteration cap).

    Returns
    -------
    int
        ``value`` as a Python int.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (a float, even a whole one, or a bool).
    ValueError
        If ``value`` < ``minimum``.

    Examples
    --------
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

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : array_like
        The labels: whole numbers (integers, or floats with no fractional part), finite.

    Returns
    -------
    ndarray
        The labels as int64, in ``value``'s shape.

    Raises
    ------
    ValueError
        If ``value`` is complex or not numeric, or a label is not a finite whole number (the
        message gives the first such).

    Examples
    --------
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
    """Decorate an optimizer: its keyword options are checked before it runs.

    The options, given or default, are checked against ``OPTION_RULES`` before it runs; an
    unknown option is named with the allowed ones. The options are the optimizer's keyword-only
    parameters but ``trace``; with both ``c1`` and ``c2``, ``c1 < c2`` is checked too. A result
    with a ``reshaped`` method, of an optimizer with a ``y1`` argument, is reshaped to the
    broadcast shape of ``y1`` and ``y2`` (the points' shape).

    Parameters
    ----------
    function : callable
        The optimizer, whose every keyword-only parameter but ``trace`` has a row of
        ``OPTION_RULES``.

    Returns
    -------
    callable
        The checked optimizer, of ``function``'s signature and name. It raises ``ValueError``
        naming the option and what is allowed for an option outside its range (or ``c2 <= c1``),
        and naming the options for an unknown keyword, before ``function`` runs.

    Raises
    ------
    AssertionError
        If a keyword-only parameter of ``function`` (but ``trace``) has no rule in
        ``OPTION_RULES``.

    Examples
    --------
    >>> @checked_options
    ... def descend(x, *, step=0.5, max_iter=10):
    ...     return x - step
    >>> descend(1.0)
    0.5
    >>> descend(1.0, max_iter=0)
    Traceback (most recent call last):
    ValueError: option max_iter = 0 of descend is invalid: must be an integer >= 1
    >>> descend(1.0, stpe=0.1)
    Traceback (most recent call last):
    ValueError: descend has no option 'stpe'; its options are step, max_iter, trace
    """
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
