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

from lvebm.arguments import real_points
from lvebm.exact import free_energy_exact
from lvebm.methods import METHODS
from lvebm.model import LATENT_N, Decoder
from lvebm.optimize import Z_INIT, InferenceResult, run_optimizer

TRACE_POINTS = 100_000  # the most points whose iterates infer keeps unless asked (trace=True)


def grid_tolerance(decoder: Decoder, y1: ArrayLike, y2: ArrayLike, n: int) -> np.ndarray:
    """Largest F error of the best of n grid latents in the global minimiser's basin."""
    curvature = 2.0 * (
        np.abs(decoder.w1 * np.asarray(y1))
        + np.abs(decoder.w2 * np.asarray(y2))
        + abs(decoder.w2**2 - decoder.w1**2)
    )
    return 0.5 * curvature * (np.pi / n) ** 2


class InferenceTables(NamedTuple):
    """What :func:`infer` returns: the results table and the trace table (columns as arrays)."""

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
    """Run optimizer ``method`` on points and score it; returns the results table and the trace
    table (``InferenceTables``, which unpacks as a pair).

    Result columns: ``i, y1, y2, z_init, z_check, F, n_iter, n_eval, converged, F_exact,
    z_exact, error, global_min``; trace columns: ``i, step, z, E``. ``workers`` threads share
    the points (the result does not depend on it). The trace, one row per iterate, is kept when
    ``trace`` is true, or by default for at most ``TRACE_POINTS`` points (else it is empty).

    >>> d = Decoder(-1.45, 0.36)
    >>> table, trace = infer(d, [1, 2], [2.0, -1.0], [0.1, -0.5], method="lbfgs")
    >>> table["global_min"].tolist(), sorted(trace)
    ([True, True], ['E', 'i', 'step', 'z'])
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
