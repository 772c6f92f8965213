"""Inference of z_check and F_inf scored against the exact free energy, and its summary.

``global_min`` is true where the optimizer reached the global minimum: ``F - F_exact <= tol``.
For the iterative methods ``tol`` is the config's ``global_tol``. A grid search cannot do better
than its grid, so for ``exhaustive`` ``tol`` is the largest error a grid point next to the global
minimiser can have, (pi / n)^2 max|E''| / 2, with max|E''| <= 2 (|w1 y1| + |w2 y2| + |w2^2 - w1^2|).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from lvebm.arguments import count, real_points
from lvebm.exact import free_energy_exact
from lvebm.methods import METHODS
from lvebm.model import LATENT_N, Decoder
from lvebm.optimize import Z_INIT, InferenceResult, run_optimizer

TRACE_POINTS = 100_000  # the most points whose iterates infer keeps unless asked (trace=True)


def grid_tolerance(decoder: Decoder, y1: ArrayLike, y2: ArrayLike, n: int = LATENT_N) -> np.ndarray:
    """Largest F error of the best of n grid latents in the global minimiser's basin.

    A grid point next to the global minimiser is at most pi / n from it, so its error is at most
    (pi / n)^2 max|E''| / 2, with max|E''| <= 2 (|w1 y1| + |w2 y2| + |w2^2 - w1^2|) (the module's
    docstring): the tolerance ``exhaustive`` is scored with.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    n : int
        The size of the latent grid (the lecture's 48).

    Returns
    -------
    ndarray
        The tolerance of each point, float64, in the points' broadcast shape.

    Examples
    --------
    >>> grid_tolerance(Decoder(-1.45, 0.36), [2.0, 0.0], [0.1, 0.0], 48).round(4).tolist()
    [0.021, 0.0085]
    """
    y1, y2 = real_points(y1=y1, y2=y2)
    n = count("n", n, 1)
    curvature = 2.0 * (
        np.abs(decoder.w1 * y1) + np.abs(decoder.w2 * y2) + abs(decoder.w2**2 - decoder.w1**2)
    )
    return 0.5 * curvature * (np.pi / n) ** 2


class InferenceTables(NamedTuple):
    """What :func:`infer` returns: the results table and the trace table (columns as arrays).

    It unpacks as a pair ``results, trace``.

    Parameters
    ----------
    results : dict of str to ndarray
        One row per point: columns ``i, y1, y2, z_init, z_check, F, n_iter, n_eval, converged,
        F_exact, z_exact, error, global_min``.
    trace : dict of str to ndarray
        One row per iterate: columns ``i, step, z, E`` (empty when not kept).

    Examples
    --------
    >>> tables = infer(Decoder(-1.45, 0.36), [1], [2.0], [0.1], method="newton")
    >>> tables.results["n_iter"].tolist(), tables.trace["step"].tolist()
    ([7], [0, 1, 2, 3, 4, 5, 6, 7])
    """

    results: dict[str, np.ndarray]
    trace: dict[str, np.ndarray]


def infer(
    decoder: Decoder,
    labels: ArrayLike,
    y1: ArrayLike,
    y2: ArrayLike,
    *,
    method: str = "lbfgs",
    z_init: float = Z_INIT,
    options: Mapping | None = None,
    global_tol: float = 1e-9,
    workers: int = 1,
    trace: bool | None = None,
) -> InferenceTables:
    """Run optimizer ``method`` on points and score it against the exact free energy.

    Returns the results table and the trace table (``InferenceTables``, which unpacks as a
    pair). Result columns: ``i, y1, y2, z_init, z_check, F, n_iter, n_eval, converged, F_exact,
    z_exact, error, global_min``; trace columns: ``i, step, z, E``. ``workers`` threads share
    the points (the result does not depend on it). The trace, one row per iterate, is kept when
    ``trace`` is true, or by default for at most ``TRACE_POINTS`` points (else it is empty).

    ``global_min`` is true where ``error = F - F_exact`` is at most the method's tolerance: the
    config's ``global_tol`` for the iterative methods, :func:`grid_tolerance` for
    ``exhaustive`` (the module's docstring).

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    labels : array_like
        The points' integer labels, one per point (the table's ``i``).
    y1, y2 : array_like
        The points' coordinates, broadcast together (and flattened).
    method : str, optional
        The optimizer's name (:data:`lvebm.optimize.OPTIMIZERS`; ``lbfgs`` by default).
    z_init : float, optional
        The start latent of every point (the lecture's 0.5); the table's ``z_init`` is NaN for
        the methods that are not iterative.
    options : Mapping or None, optional
        The optimizer's keyword options; those not given take its defaults (for
        ``exhaustive``, ``n`` also sets the grid tolerance; the lecture's 48 by default).
    global_tol : float, optional
        The tolerance on F - F_exact of the iterative methods (the config's 1e-9).
    workers : int, optional
        The threads that share the points, >= 1 (1 by default).
    trace : bool or None, optional
        Whether to keep the trace; ``None`` (the default) keeps it for at most
        ``TRACE_POINTS`` points.

    Returns
    -------
    InferenceTables
        ``results`` (columns ``i, y1, y2, z_init, z_check, F, n_iter, n_eval, converged,
        F_exact, z_exact, error, global_min``, one row per point) and ``trace`` (columns ``i,
        step, z, E``, one row per iterate).

    Raises
    ------
    ValueError
        If ``labels`` are not integers, one per point, ``method`` is not an optimizer, an option
        is unknown or outside its range, ``workers`` < 1, or the points are complex or not
        numeric or cannot be broadcast together.

    Examples
    --------
    >>> d = Decoder(-1.45, 0.36)
    >>> table, trace = infer(d, [1, 2], [2.0, -1.0], [0.1, -0.5], method="lbfgs")
    >>> table["global_min"].tolist(), sorted(trace)
    ([True, True], ['E', 'i', 'step', 'z'])

    The grid search is scored within its grid's own resolution:

    >>> table, _ = infer(d, [1, 2], [2.0, -1.0], [0.1, -0.5], method="exhaustive")
    >>> table["error"].round(4).tolist(), table["global_min"].tolist()
    ([0.0014, 0.0052], [True, True])
    """
    name = method
    options = dict(options or {})  # missing options take the optimizer's defaults
    y1, y2 = (a.ravel() for a in real_points(y1=y1, y2=y2))
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.shape != y1.shape:
        raise ValueError(
            f"labels must be one integer per point: got {labels.dtype} values of shape "
            f"{labels.shape} for {y1.size} points"
        )
    labels = labels.astype(np.int64)
    keep = y1.size <= TRACE_POINTS if trace is None else trace
    result: InferenceResult = run_optimizer(
        name, decoder, y1, y2, z_init=z_init, options=options, workers=workers, trace=keep
    )
    record = METHODS[name]
    ref = result if record.reference else free_energy_exact(decoder, y1, y2)
    error = result.F - ref.F
    if record.scoring == "grid":
        tol = grid_tolerance(decoder, y1, y2, options.get("n", LATENT_N))
    else:
        tol = global_tol
    table = {
        "i": labels,
        "y1": y1,
        "y2": y2,
        "z_init": np.full(y1.shape, z_init if record.iterative else np.nan),
        "z_check": result.z_check,
        "F": result.F,
        "n_iter": result.n_iter,
        "n_eval": result.n_eval,
        "converged": result.converged,
        "F_exact": ref.F,
        "z_exact": ref.z_check,
        "error": error,
        "global_min": error <= tol,
    }
    trace = result.trace or {
        "point": np.empty(0, np.int64),
        "step": np.empty(0, np.int64),
        "z": np.empty(0),
        "E": np.empty(0),
    }
    trace_table = {
        "i": labels[trace["point"]],
        "step": trace["step"],
        "z": trace["z"],
        "E": trace["E"],
    }
    return InferenceTables(table, trace_table)


SUMMARY_COLUMNS = (
    "points",
    "optimizer",
    "n_points",
    "success_rate",
    "converged_rate",
    "max_error",
    "median_error",
    "mean_iter",
    "mean_eval",
)


SCORE_COLUMNS = ("global_min", "converged", "error", "n_iter", "n_eval")  # what a summary reads


def summarize(
    tables: Iterable[tuple[tuple[str, str], Mapping[str, np.ndarray]]],
) -> dict[str, np.ndarray]:
    """One row per (points, optimizer): share of global minima reached, errors, work.

    ``tables`` yields ``((points, optimizer), table)`` pairs, each table with at least
    ``SCORE_COLUMNS``; they are consumed one at a time, so a generator that reads each table when
    asked holds one table in memory at once.

    Parameters
    ----------
    tables : iterable of tuple
        Pairs ``((points, optimizer), table)``: the point set's name (``samples``, ``mesh``),
        the optimizer's name, and its results table (:func:`infer`), a mapping with at least
        the columns ``SCORE_COLUMNS``.

    Returns
    -------
    dict of str to ndarray
        One row per pair, in their order: columns ``points, optimizer`` (str), ``n_points``,
        ``success_rate`` (the share of global minima reached), ``converged_rate``,
        ``max_error``, ``median_error`` (of F - F_exact), ``mean_iter`` and ``mean_eval``.

    Raises
    ------
    ValueError
        If ``tables`` yields no pair.
    KeyError
        If a table lacks a column of ``SCORE_COLUMNS``.

    Examples
    --------
    >>> t = {"global_min": np.array([True, False]), "converged": np.array([True, True]),
    ...      "error": np.array([0.0, 0.5]), "n_iter": np.array([3, 5]), "n_eval": np.array([4, 6])}
    >>> s = summarize([(("samples", "lbfgs"), t)])
    >>> s["n_points"].tolist(), s["success_rate"].tolist(), s["median_error"].tolist()
    ([2], [0.5], [0.25])
    """
    rows = []
    for (points, optimizer), t in tables:
        rows.append(
            (
                points,
                optimizer,
                t["error"].size,
                float(np.mean(t["global_min"])),
                float(np.mean(t["converged"])),
                float(np.max(t["error"])),
                float(np.median(t["error"])),
                float(np.mean(t["n_iter"])),
                float(np.mean(t["n_eval"])),
            )
        )
    cols = list(zip(*rows, strict=True))
    out = {}
    for name, values in zip(SUMMARY_COLUMNS, cols, strict=True):
        out[name] = np.array(values, dtype=object if name in ("points", "optimizer") else None)
    out["points"] = out["points"].astype(str)
    out["optimizer"] = out["optimizer"].astype(str)
    return out
