"""Batched optimizers for z_check = argmin_z E(y, z): one call optimises N independent points.

Every method returns an :class:`InferenceResult`; every iterative method keeps the state of the
points still running in one :class:`lvebm.batched.Active` (compact arrays and the points'
positions; the line searches too) and writes what a point ends with into the batch's full-size
outputs, so the cost is that of numpy over the running points, not of a Python loop over points.
The iterative methods follow scipy's algorithms step for step (``minimize(method="CG")``,
``minimize(method="L-BFGS-B")`` and ``scipy.optimize.line_search``), so a batch ends where scipy's
per-point calls would.

Evaluations count calls of the energy with its derivative(s) at one latent (one grid energy for
``exhaustive``). Iterates in the trace are not wrapped; ``z_check`` is wrapped into [0, 2 pi).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm.arguments import checked_options, real_points, starts
from lvebm.batched import Active, in_blocks, iterate
from lvebm.exact import free_energy_exact
from lvebm.linesearch import CONVERGED, WARNING, Line, dcsrch, wolfe_zoom
from lvebm.methods import METHODS
from lvebm.model import LATENT_N, Decoder, latent_grid

TWO_PI = 2.0 * np.pi
# Defaults of the keyword options: the lecture's values, as in config.yaml (initial latent
# z_tilde = 0.5, |dE/dz| <= 1e-7, at most 500 iterations; scipy's ftol for L-BFGS).
Z_INIT, GTOL, MAX_ITER = 0.5, 1e-7, 500
EPS = np.finfo(np.float64).eps
# scipy's constants (scipy.optimize._optimize and _linesearch), named as there:
FIRST_STEP_FACTOR = 1.01  # scalar_search_wolfe1/2: alpha1 = min(1, 1.01 * 2 (f - f_old) / slope)
CG_SIGMA3 = 0.01  # _minimize_cg: sigma_3 of its descent condition p.g <= -sigma_3 |g|^2
# _minimize_cg's line_search_wolfe1: amin = 1e-100, amax = 1e100, xtol = 1e-14; its DCSRCH loop
# of maxiter = 100 rounds evaluates a trial per round and checks at most 99 of them
CG_SEARCH = {"xtol": 1e-14, "stpmin": 1e-100, "stpmax": 1e100, "max_eval": 99}
# L-BFGS-B's lnsrlb (scipy's _lbfgsb): dcsrch with ftol 1e-3, gtol 0.9, xtol 0.1, stpmin 0,
# stpmax 1e10 (no bounds), at most maxls (20) evaluations
LBFGSB_SEARCH = {"ftol": 1e-3, "gtol": 0.9, "xtol": 0.1, "stpmin": 0.0, "stpmax": 1e10}


@dataclass(frozen=True)
class InferenceResult:
    """z_check in [0, 2 pi), F = E(y, z_check), iterations, evaluations, convergence, trace.

    ``trace`` holds one row per iterate (``point`` 0-based in the batch, ``step``, ``z``, ``E``),
    step 0 being the start, or is None when not recorded.

    Parameters
    ----------
    z_check : ndarray
        The latent each point ended at, wrapped into [0, 2 pi), float64 (NaN where a point is not
        finite).
    F : ndarray
        The energy there, E(y, z_check), float64: the method's estimate of F_inf.
    n_iter : ndarray
        The iterations (steps) each point took, int64.
    n_eval : ndarray
        The evaluations each point took (the energy with its derivative(s) at one latent, one
        grid energy for ``exhaustive``), int64.
    converged : ndarray
        Whether the method's stopping test held, bool (never where a point, its start or F is
        not finite).
    trace : dict of str to ndarray or None
        The iterates, columns ``point, step, z, E`` ordered by (point, step), or None.

    Examples
    --------
    >>> r = gradient_descent(Decoder(-1.45, 0.36), [2.0], [0.1], 0.5, trace=True)
    >>> r.z_check.round(4).tolist(), r.n_iter.tolist(), sorted(r.trace)
    ([3.1028], [82], ['E', 'point', 'step', 'z'])
    """

    z_check: NDArray[np.float64]
    F: NDArray[np.float64]
    n_iter: NDArray[np.int64]
    n_eval: NDArray[np.int64]
    converged: NDArray[np.bool_]
    trace: dict[str, np.ndarray] | None

    def reshaped(self, shape: tuple[int, ...]) -> InferenceResult:
        """The per-point fields in ``shape`` (the points' broadcast shape).

        The trace keeps its flat ``point`` index, in C order.

        Parameters
        ----------
        shape : tuple of int
            The new shape, of as many points as the result has.

        Returns
        -------
        InferenceResult
            The same result with ``z_check, F, n_iter, n_eval, converged`` reshaped.

        Raises
        ------
        ValueError
            If ``shape`` does not hold as many points (numpy's reshape).

        Examples
        --------
        >>> r = minimize(Decoder(-1.45, 0.36), [[2.0], [0.0]], [0.1, 0.5, 1.0])
        >>> r.F.shape, r.reshaped((6,)).F.shape
        ((2, 3), (6,))
        """
        fields = {f: getattr(self, f).reshape(shape) for f in POINT_FIELDS}
        return InferenceResult(**fields, trace=self.trace)


POINT_FIELDS = ("z_check", "F", "n_iter", "n_eval", "converged")


class _Trace:
    """Collects iterates per round and returns them ordered by (point, step)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, points: np.ndarray, step: np.ndarray, z: np.ndarray, energy: np.ndarray) -> None:
        if self.enabled and points.size:
            step = np.broadcast_to(step, points.shape)
            self.parts.append((points.copy(), step.copy(), z.copy(), energy.copy()))

    def table(self) -> dict[str, np.ndarray] | None:
        if not self.enabled:
            return None
        cols = [
            np.concatenate(c) if self.parts else np.empty(0) for c in zip(*self.parts, strict=True)
        ]
        if not cols:
            cols = [np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0)]
        order = np.lexsort((cols[1], cols[0]))
        return {
            "point": cols[0][order].astype(np.int64),
            "step": cols[1][order].astype(np.int64),
            "z": cols[2][order],
            "E": cols[3][order],
        }


class _Batch:
    """The points of one call, their decoder, and counters shared by the methods."""

    def __init__(
        self, decoder: Decoder, y1: ArrayLike, y2: ArrayLike, z_init: ArrayLike, trace: bool
    ):
        self.decoder = decoder
        self.y1, self.y2 = (a.ravel() for a in real_points(y1=y1, y2=y2))
        self.n = self.y1.size
        self.z = np.broadcast_to(starts("z_init", z_init, self.n), (self.n,)).copy()
        self.n_iter = np.zeros(self.n, dtype=np.int64)
        self.n_eval = np.zeros(self.n, dtype=np.int64)
        self.converged = np.zeros(self.n, dtype=bool)
        self.trace = _Trace(trace)

    def fg(self, idx: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """E and dE/dz at latents ``z`` for the points ``idx``; counts one evaluation each."""
        self.n_eval[idx] += 1
        return self.decoder.energy_and_dz(self.y1[idx], self.y2[idx], z)

    def result(self, F: np.ndarray | None = None) -> InferenceResult:
        """The batch's result; a point, start or F that is not finite is never converged."""
        z = np.mod(self.z, TWO_PI)
        z[z >= TWO_PI] = 0.0
        F = self.decoder.energy(self.y1, self.y2, self.z) if F is None else F
        finite = np.isfinite(self.y1) & np.isfinite(self.y2) & np.isfinite(self.z) & np.isfinite(F)
        return InferenceResult(
            z_check=z,
            F=F,
            n_iter=self.n_iter,
            n_eval=self.n_eval,
            converged=self.converged & finite,
            trace=self.trace.table(),
        )


def _line(batch: _Batch, idx: np.ndarray, z: np.ndarray, p: np.ndarray) -> Line:
    """The points ``idx`` searched along z + alpha p."""
    return Line(batch.decoder.energy_and_dz, batch.y1[idx], batch.y2[idx], z, p)


# What one step did for each running point (``step(run) -> (verdict, z, state)``):
# TAKEN: a step, to the new ``z`` with the new state (counted in n_iter, traced);
# DONE: a step as TAKEN, after which the method's own stopping test holds (converged);
# RETRY: no step (not counted), the point runs on with the new state (L-BFGS after a failed
# search: memory reset, same point, same f and g);
# STOP: no step; the point stops where it is, not converged.
TAKEN, DONE, RETRY, STOP = 0, 1, 2, 3
# ``verdict`` is one per point, or one for all; ``state`` holds the arrays the method keeps per
# point (at least ``f`` and ``g``), each over all of ``run``'s points; ``run.z`` and
# ``run.n_iter`` hold the running points' latents and steps.
Step = Callable[[Active], tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]]


def _iterate(
    b: _Batch, step: Step, *, gtol: float, max_iter: int, rounds: int | None = None, **state
) -> None:
    """The loop every iterative method shares, :func:`lvebm.batched.iterate` with the
    optimizers' stopping rule: all points start running from ``b.z`` with ``state`` (``f`` and
    ``g`` there, and what else the method keeps). A point with |dE/dz| <= gtol stops converged
    (a gradient that is not finite stops it too, not converged), one with ``max_iter`` steps
    stops not converged; the others go through ``step`` each round, whose verdict per point
    (``TAKEN``, ``DONE``, ``RETRY``, ``STOP``) says what happened. After ``rounds`` rounds
    (``max_iter`` by default: one step a round) the rest stop, not converged. Every step is
    traced; a point that stops writes its latent and its step count into the batch, so a round
    costs what its running points cost."""
    # with more rounds than steps (RETRY), each point counts its steps; else every running
    # point has taken one step per round
    counted = rounds is not None
    run = Active(np.arange(b.n), z=b.z.copy(), **state)
    if counted:
        run.track(n_iter=np.zeros(b.n, np.int64))
    b.trace.add(run.pos, 0, run.z, run.f)

    def stopping(steps, among=None):
        """The running points (``among`` them) that stop before a step, written."""
        slope = np.abs(run.g)
        done = ~(slope > gtol)
        if counted:
            done |= steps >= max_iter
        if among is not None:
            done &= among
        if done.any():
            _write(b, run, done, slope[done] <= gtol, steps)
        return done

    def advance(run: Active, k: int) -> np.ndarray:
        verdict, z, new = step(run)
        if np.all(verdict == TAKEN):  # the common round (or a scalar TAKEN): every point stepped
            run.track(z=z, **new)
            if counted:
                run.n_iter += 1
            b.trace.add(run.pos, run.n_iter if counted else k + 1, run.z, run.f)
            return stopping(run.n_iter if counted else k + 1)
        moved = verdict <= DONE
        run.track(z=np.where(moved, z, run.z), **new)
        if counted:
            run.n_iter += moved
            steps = run.n_iter
        else:  # no RETRY: a point that did not move stops, with the steps it took before
            steps = np.where(moved, k + 1, k)
        if b.trace.enabled:
            b.trace.add(
                run.pos[moved],
                np.broadcast_to(steps, moved.shape)[moved],
                run.z[moved],
                run.f[moved],
            )
        stops = (verdict == DONE) | (verdict == STOP)
        if stops.any():
            _write(b, run, stops, verdict[stops] == DONE, steps)
        return stops | stopping(steps, among=~stops)

    first = stopping(run.n_iter if counted else 0)
    if first.any():
        run.keep(~first)
    iterate(run, advance, max_iter if rounds is None else rounds)
    everyone = np.ones(len(run), dtype=bool)
    _write(b, run, everyone, np.abs(run.g) <= gtol, run.n_iter if counted else max_iter)


def _write(
    b: _Batch, run: Active, which: np.ndarray, converged: np.ndarray, n_iter: np.ndarray | int
) -> None:
    """What the running points ``which`` end with goes into the batch: their latents, their step
    counts (``n_iter``, one per running point or one for all) and ``converged`` flags."""
    fin = run.pos[which]
    b.z[fin], b.converged[fin] = run.z[which], converged
    b.n_iter[fin] = n_iter[which] if isinstance(n_iter, np.ndarray) else n_iter


def _finite_points(function):
    """Decorate an optimizer: the points that are not finite, or whose start is not, are not
    optimised (NaN, never converged: the convention); the others are, on their own, so that no
    NaN or infinity meets the arithmetic (whose warnings numpy would print)."""
    signature = inspect.signature(function)
    iterative = METHODS[function.__name__].iterative

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        y1, y2 = (
            a.ravel() for a in real_points(y1=bound.arguments["y1"], y2=bound.arguments["y2"])
        )
        finite = np.isfinite(y1) & np.isfinite(y2)
        z_init = bound.arguments.get("z_init", signature.parameters["z_init"].default)
        z_init = np.broadcast_to(starts("z_init", z_init, y1.size), y1.shape)
        if iterative:  # the others take no start
            finite &= np.isfinite(z_init)
        if finite.all():
            return function(*args, **kwargs)
        bound.arguments.update(y1=y1[finite], y2=y2[finite], z_init=z_init[finite])
        return _scatter(function(*bound.args, **bound.kwargs), finite)

    return wrapper


@checked_options
@_finite_points
def exhaustive(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    z_init: ArrayLike = Z_INIT,
    *,
    n: int = LATENT_N,
    trace: bool = False,
) -> InferenceResult:
    """Argmin of E over the latent grid z = 2 pi k / n (the lecture's exhaustive search).

    The start ``z_init`` is ignored (every method takes one, as scipy's methods take ``x0``).
    Every point is converged after one iteration of ``n`` evaluations.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        Ignored (every method takes a start, as scipy's methods take ``x0``).
    n : int, optional
        The size of the latent grid, >= 1 (the lecture's 48).
    trace : bool, optional
        Whether to record every iterate in the result's ``trace`` (off by default).

    Returns
    -------
    InferenceResult
        ``z_check`` (in [0, 2 pi)), ``F`` = E(y, z_check), ``n_iter``, ``n_eval`` and
        ``converged``, each in the points' broadcast shape, and ``trace`` (or None).

    Raises
    ------
    ValueError
        If an option is unknown or outside its range (:data:`lvebm.arguments.OPTION_RULES`), or
        the points are complex or not numeric or cannot be broadcast together.

    Examples
    --------
    >>> r = exhaustive(Decoder(-1.45, 0.36), [2.0], [0.1], n=48)
    >>> r.z_check.round(4).tolist(), r.F.round(4).tolist()
    ([3.1416], [0.3125])
    """
    batch = _Batch(decoder, y1, y2, 0.0, trace)
    grid = latent_grid(n)
    best = np.full(batch.n, np.inf)
    for k, zk in enumerate(grid):  # a loop over the grid keeps memory at O(N)
        e = decoder.energy(batch.y1, batch.y2, zk)
        better = e < best
        best[better] = e[better]
        batch.z[better] = grid[k]
    batch.n_eval[:] = n
    batch.n_iter[:] = 1
    batch.converged[:] = True
    batch.trace.add(np.arange(batch.n), 0, batch.z, best)
    return batch.result()


@checked_options
@_finite_points
def exact(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    z_init: ArrayLike = Z_INIT,
    *,
    trace: bool = False,
) -> InferenceResult:
    """The closed-form reference (:func:`lvebm.exact.free_energy_exact`) as an optimizer.

    The start ``z_init`` is ignored. Every point is converged; ``n_iter`` and ``n_eval`` count
    the exact solver's Newton iterations.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        Ignored (every method takes a start, as scipy's methods take ``x0``).
    trace : bool, optional
        Whether to record every iterate in the result's ``trace`` (off by default).

    Returns
    -------
    InferenceResult
        ``z_check`` (in [0, 2 pi)), ``F`` = E(y, z_check), ``n_iter``, ``n_eval`` and
        ``converged``, each in the points' broadcast shape, and ``trace`` (or None).

    Raises
    ------
    ValueError
        If an option is unknown or outside its range (:data:`lvebm.arguments.OPTION_RULES`), or
        the points are complex or not numeric or cannot be broadcast together.

    Examples
    --------
    >>> r = exact(Decoder(-1.45, 0.36), [2.0, 0.0], [0.1, 0.0])
    >>> r.F.round(4).tolist(), r.z_check.round(4).tolist(), r.n_iter.tolist()
    ([0.3111, 0.1296], [3.1028, 1.5708], [4, 0])
    """
    batch = _Batch(decoder, y1, y2, 0.0, trace)
    ref = free_energy_exact(decoder, batch.y1, batch.y2)
    batch.z = ref.z_check.copy()
    batch.n_iter[:] = ref.n_iter
    batch.n_eval[:] = ref.n_iter
    batch.converged[:] = True
    batch.trace.add(np.arange(batch.n), 0, batch.z, ref.F)
    return batch.result(F=ref.F)


@checked_options
@_finite_points
def gradient_descent(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    z_init: ArrayLike = Z_INIT,
    *,
    step: float = 0.1,
    gtol: float = GTOL,
    max_iter: int = MAX_ITER,
    trace: bool = False,
) -> InferenceResult:
    """Fixed-step gradient descent z <- z - step dE/dz until |dE/dz| <= gtol.

    The plain method of the lecture; each iteration takes one evaluation.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        The start latent: one for every point, or one per point (the lecture's 0.5).
    step : float, optional
        The fixed step length eta, finite and > 0 (the lecture's 0.1).
    gtol : float, optional
        Stop a point when |dE/dz| <= ``gtol``, finite and > 0 (the lecture's 1e-7).
    max_iter : int, optional
        The most iterations per point, >= 1 (the lecture's 500).
    trace : bool, optional
        Whether to record every iterate in the result's ``trace`` (off by default).

    Returns
    -------
    InferenceResult
        ``z_check`` (in [0, 2 pi)), ``F`` = E(y, z_check), ``n_iter``, ``n_eval`` and
        ``converged``, each in the points' broadcast shape, and ``trace`` (or None).

    Raises
    ------
    ValueError
        If an option is unknown or outside its range (:data:`lvebm.arguments.OPTION_RULES`),
        the points are complex or not numeric or cannot be broadcast together, or ``z_init``
        has neither one value nor one per point.

    Examples
    --------
    >>> r = gradient_descent(Decoder(-1.45, 0.36), [2.0], [0.1], 0.5)
    >>> r.z_check.round(4).tolist(), r.n_iter.tolist(), r.converged.tolist()
    ([3.1028], [82], [True])
    """
    b = _Batch(decoder, y1, y2, z_init, trace)

    def descend(run: Active):
        z = run.z - step * run.g
        f, g = decoder.energy_and_dz(run.y1, run.y2, z)
        return TAKEN, z, {"f": f, "g": g}

    f, g = decoder.energy_and_dz(b.y1, b.y2, b.z)
    _iterate(b, descend, gtol=gtol, max_iter=max_iter, f=f, g=g, y1=b.y1, y2=b.y2)
    b.n_eval[:] = b.n_iter + 1
    return b.result()


def _first_step(f: np.ndarray, f_old: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """scipy's initial trial step min(1, 1.01 * 2 (f - f_old) / slope), 1 where negative."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.minimum(1.0, FIRST_STEP_FACTOR * 2.0 * (f - f_old) / slope)
    return np.where((slope != 0) & (a >= 0), a, 1.0)


def _wolfe_start(b: _Batch) -> dict[str, np.ndarray]:
    """E and dE/dz at the starts, and scipy's f_prev = f + |g| / 2 before the first step (its
    minimizers' guess, which sets the first trial step)."""
    f, g = b.fg(np.arange(b.n), b.z)
    return {"f": f, "g": g, "f_old": f + np.abs(g) / 2.0}


@checked_options
@_finite_points
def line_search(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    z_init: ArrayLike = Z_INIT,
    *,
    c1: float = 1e-4,
    c2: float = 0.9,
    gtol: float = GTOL,
    max_iter: int = MAX_ITER,
    trace: bool = False,
) -> InferenceResult:
    """Steepest descent with the strong-Wolfe line search of ``scipy.optimize.line_search``.

    The first trial step of each search is scipy's min(1, 1.01 * 2 (f - f_prev) / slope), with
    f_prev = f + |g| / 2 before the first step (as in scipy's minimizers). A point whose search
    finds no step stops there, not converged.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        The start latent: one for every point, or one per point (the lecture's 0.5).
    c1 : float, optional
        The sufficient-decrease (Armijo) constant, 0 < c1 < c2 (scipy's 1e-4).
    c2 : float, optional
        The curvature constant of the strong Wolfe conditions, c1 < c2 < 1 (scipy's 0.9).
    gtol : float, optional
        Stop a point when |dE/dz| <= ``gtol``, finite and > 0 (the lecture's 1e-7).
    max_iter : int, optional
        The most iterations per point, >= 1 (the lecture's 500).
    trace : bool, optional
        Whether to record every iterate in the result's ``trace`` (off by default).

    Returns
    -------
    InferenceResult
        ``z_check`` (in [0, 2 pi)), ``F`` = E(y, z_check), ``n_iter``, ``n_eval`` and
        ``converged``, each in the points' broadcast shape, and ``trace`` (or None).

    Raises
    ------
    ValueError
        If an option is unknown or outside its range (:data:`lvebm.arguments.OPTION_RULES`;
        0 < c1 < c2 < 1), the points are complex or not numeric or cannot be broadcast
        together, or ``z_init`` has neither one value nor one per point.

    Examples
    --------
    >>> r = line_search(Decoder(-1.45, 0.36), [2.0], [0.1], 0.5)
    >>> r.z_check.round(4).tolist(), r.n_iter.tolist()
    ([3.1028], [23])
    """
    b = _Batch(decoder, y1, y2, z_init, trace)

    def steepest(run: Active):
        p, z = -run.g, run.z
        slope = run.g * p
        line = _line(b, run.pos, z, p)
        ls = wolfe_zoom(line, _first_step(run.f, run.f_old, slope), run.f, slope, c1=c1, c2=c2)
        b.n_eval[run.pos] += ls.n_eval
        verdict = np.where(ls.ok, TAKEN, STOP)
        return verdict, z + ls.alpha * p, {"f_old": run.f, "f": ls.f, "g": ls.slope / p}

    _iterate(b, steepest, gtol=gtol, max_iter=max_iter, **_wolfe_start(b))
    return b.result()


@checked_options
@_finite_points
def conjugate_gradient(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    z_init: ArrayLike = Z_INIT,
    *,
    c1: float = 1e-4,
    c2: float = 0.4,
    gtol: float = GTOL,
    max_iter: int = MAX_ITER,
    trace: bool = False,
) -> InferenceResult:
    """Polak-Ribiere+ nonlinear CG as in ``scipy.optimize.minimize(method="CG")``.

    Each step uses MINPACK's More-Thuente search (``line_search_wolfe1``), falling back to the
    zoom search where it fails or the new direction is not a descent direction.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        The start latent: one for every point, or one per point (the lecture's 0.5).
    c1 : float, optional
        The sufficient-decrease constant, 0 < c1 < c2 (scipy's 1e-4).
    c2 : float, optional
        The curvature constant, c1 < c2 < 1 (scipy's CG uses 0.4).
    gtol : float, optional
        Stop a point when |dE/dz| <= ``gtol``, finite and > 0 (the lecture's 1e-7).
    max_iter : int, optional
        The most iterations per point, >= 1 (the lecture's 500).
    trace : bool, optional
        Whether to record every iterate in the result's ``trace`` (off by default).

    Returns
    -------
    InferenceResult
        ``z_check`` (in [0, 2 pi)), ``F`` = E(y, z_check), ``n_iter``, ``n_eval`` and
        ``converged``, each in the points' broadcast shape, and ``trace`` (or None).

    Raises
    ------
    ValueError
        If an option is unknown or outside its range (:data:`lvebm.arguments.OPTION_RULES`;
        0 < c1 < c2 < 1), the points are complex or not numeric or cannot be broadcast
        together, or ``z_init`` has neither one value nor one per point.

    Examples
    --------
    >>> r = conjugate_gradient(Decoder(-1.45, 0.36), [2.0], [0.1], 0.5)
    >>> r.z_check.round(4).tolist(), r.n_iter.tolist()
    ([3.1028], [3])
    """
    b = _Batch(decoder, y1, y2, z_init, trace)

    def polak_ribiere(run: Active):
        f, g, f_old, p, z = run.f, run.g, run.f_old, run.p, run.z
        delta = g * g

        def descent(sel, alpha, fa, slope):
            g1 = slope / p[sel]
            beta = np.maximum(0.0, (g1 - g[sel]) * g1 / delta[sel])
            p1 = -g1 + beta * p[sel]
            return (np.abs(g1) <= gtol) | (p1 * g1 <= -CG_SIGMA3 * g1 * g1)

        line = _line(b, run.pos, z, p)
        ls = dcsrch(line, _first_step(f, f_old, g * p), f, g * p, ftol=c1, gtol=c2, **CG_SEARCH)
        b.n_eval[run.pos] += ls.n_eval
        alpha, f_new, slope = ls.alpha, ls.f, ls.slope
        ok = ls.status == CONVERGED
        sel = np.flatnonzero(ok)
        ok[sel] = descent(sel, alpha[sel], f_new[sel], slope[sel])
        retry = np.flatnonzero(~ok)
        if retry.size:
            ls2 = wolfe_zoom(
                line.take(retry),
                _first_step(f[retry], f_old[retry], g[retry] * p[retry]),
                f[retry],
                g[retry] * p[retry],
                c1=c1,
                c2=c2,
                amax=CG_SEARCH["stpmax"],
                extra_condition=lambda s, a, fa, sl, retry=retry: descent(retry[s], a, fa, sl),
            )
            b.n_eval[run.pos[retry]] += ls2.n_eval
            alpha[retry], f_new[retry], slope[retry] = ls2.alpha, ls2.f, ls2.slope
            ok[retry] = ls2.ok
        g1 = slope / p
        beta = np.maximum(0.0, (g1 - g) * g1 / delta)
        state = {"f_old": f, "f": f_new, "g": g1, "p": -g1 + beta * p}
        return np.where(ok, TAKEN, STOP), z + alpha * p, state

    start = _wolfe_start(b)
    _iterate(b, polak_ribiere, gtol=gtol, max_iter=max_iter, **start, p=-start["g"])
    return b.result()


@checked_options
@_finite_points
def lbfgs(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    z_init: ArrayLike = Z_INIT,
    *,
    memory: int = 10,
    ftol: float = 2.220446049250313e-09,
    gtol: float = GTOL,
    max_iter: int = MAX_ITER,
    max_ls: int = 20,
    trace: bool = False,
) -> InferenceResult:
    """L-BFGS as ``scipy.optimize.minimize(method="L-BFGS-B")`` runs it without bounds.

    Two-loop recursion over the last ``memory`` pairs (s, y); the first step has length 1,
    later trial steps are 1; MINPACK's search with ftol 1e-3, gtol 0.9, xtol 0.1 and at most
    ``max_ls`` evaluations; pairs with s*y <= eps (-g*s) are skipped; stop when |g| <= gtol or
    (f_prev - f) <= ftol max(|f_prev|, |f|, 1). A failed search resets the memory and retries
    once along -g, as L-BFGS-B does.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        The start latent: one for every point, or one per point (the lecture's 0.5).
    memory : int, optional
        The correction pairs (s, y) kept, >= 1 (scipy's 10).
    ftol : float, optional
        Stop when the relative decrease of F is below ``ftol``, finite and > 0 (scipy's
        2.220446049250313e-09).
    gtol : float, optional
        Stop a point when |dE/dz| <= ``gtol``, finite and > 0 (the lecture's 1e-7).
    max_iter : int, optional
        The most iterations per point, >= 1 (the lecture's 500).
    max_ls : int, optional
        The most line-search evaluations per iteration, >= 1 (scipy's 20).
    trace : bool, optional
        Whether to record every iterate in the result's ``trace`` (off by default).

    Returns
    -------
    InferenceResult
        ``z_check`` (in [0, 2 pi)), ``F`` = E(y, z_check), ``n_iter``, ``n_eval`` and
        ``converged``, each in the points' broadcast shape, and ``trace`` (or None).

    Raises
    ------
    ValueError
        If an option is unknown or outside its range (:data:`lvebm.arguments.OPTION_RULES`),
        the points are complex or not numeric or cannot be broadcast together, or ``z_init``
        has neither one value nor one per point.

    Examples
    --------
    >>> r = lbfgs(Decoder(-1.45, 0.36), [2.0], [0.1], 0.5)
    >>> r.z_check.round(4).tolist(), r.n_iter.tolist()
    ([3.1028], [5])
    """
    b = _Batch(decoder, y1, y2, z_init, trace)
    n, m = b.n, memory
    # ring buffers of the pairs (s, y), full size and read at the running points' positions:
    # compacting them with the running state (Active) would copy 2 m values per point per round
    S, Y = np.zeros((m, n)), np.zeros((m, n))
    count = np.zeros(n, dtype=np.int64)  # pairs stored
    head = np.zeros(n, dtype=np.int64)  # next slot of the ring buffer

    def quasi_newton(run: Active):
        idx, f, g, z = run.pos, run.f, run.g, run.z
        d = -_two_loop(g, S, Y, idx, count, head, m)
        stp0 = np.where(run.n_iter == 0, np.minimum(1.0 / np.abs(d), 1e10), 1.0)
        ls = dcsrch(_line(b, idx, z, d), stp0, f, g * d, **LBFGSB_SEARCH, max_eval=max_ls)
        b.n_eval[idx] += ls.n_eval
        ok = (ls.status == CONVERGED) | (ls.status == WARNING)
        # a failed search with pairs in memory forgets them and retries along -g; without, stops
        verdict = np.where(ok, TAKEN, np.where(count[idx] == 0, STOP, RETRY))
        failed = idx[~ok]
        count[failed], head[failed] = 0, 0
        # accepted steps: the new point, the pair (s, y) stored if its curvature is positive
        a, da, fa, ga = idx[ok], d[ok], f[ok], g[ok]
        s = ls.alpha[ok] * da
        f_new, g_new = ls.f[ok], ls.slope[ok] / da
        yv = g_new - ga
        store = s * yv > EPS * (-ga * s)
        slot, st = head[a][store], a[store]
        S[slot, st], Y[slot, st] = s[store], yv[store]
        head[st] = (head[st] + 1) % m
        count[st] = np.minimum(count[st] + 1, m)
        small = fa - f_new <= ftol * np.maximum.reduce(
            [np.abs(fa), np.abs(f_new), np.ones_like(fa)]
        )
        verdict[np.flatnonzero(ok)[small]] = DONE
        z_new, f_all, g_all = z.copy(), f.copy(), g.copy()
        z_new[ok], f_all[ok], g_all[ok] = z[ok] + s, f_new, g_new
        return verdict, z_new, {"f": f_all, "g": g_all}

    f, g = b.fg(np.arange(n), b.z)
    # a round either takes a step (at most max_iter per point) or resets a point's memory after
    # a failed search; twice max_iter rounds bound both together
    _iterate(b, quasi_newton, gtol=gtol, max_iter=max_iter, rounds=2 * max_iter, f=f, g=g)
    return b.result()


def _two_loop(g, S, Y, idx, count, head, m):
    """H g by the L-BFGS two-loop recursion over the stored pairs of points ``idx``.

    ``S`` and ``Y`` are (m, N) ring buffers; only the slots in use are read.
    """
    cnt, hd = count[idx], head[idx]
    depth = int(cnt.max()) if idx.size else 0
    if depth == 0:
        return g.copy()
    slots = [(hd - 1 - j) % m for j in range(depth)]  # newest first
    pairs = [(S[slot, idx], Y[slot, idx], j < cnt) for j, slot in enumerate(slots)]
    q = g.copy()
    alphas = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for s, y, valid in pairs:
            rho = np.where(valid, 1.0 / (y * s), 0.0)
            a = rho * s * q
            alphas.append(a)
            q -= a * y
        s_n, y_n, _ = pairs[0]
        r = np.where(cnt > 0, s_n * y_n / (y_n * y_n), 1.0) * q
        for (s, y, valid), a in zip(reversed(pairs), reversed(alphas), strict=True):
            rho = np.where(valid, 1.0 / (y * s), 0.0)
            r += s * (a - rho * y * r)
    return r


@checked_options
@_finite_points
def newton(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    z_init: ArrayLike = Z_INIT,
    *,
    max_step: float = np.pi / 4,
    gtol: float = GTOL,
    max_iter: int = MAX_ITER,
    trace: bool = False,
) -> InferenceResult:
    """Safeguarded Newton on E(y, z) in z, with the analytic second derivative.

    The step is -E'/E'' where E'' > 0, else a downhill step of ``max_step``; steps longer than
    ``max_step`` are cut, then halved until E decreases (Armijo, 1e-4, with a few ulps of slack so
    that the last, quadratically convergent steps are not refused). A point whose step underflows
    without a decrease stops, not converged.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        The start latent: one for every point, or one per point (the lecture's 0.5).
    max_step : float, optional
        The longest step in z, finite and > 0 (pi / 4).
    gtol : float, optional
        Stop a point when |dE/dz| <= ``gtol``, finite and > 0 (the lecture's 1e-7).
    max_iter : int, optional
        The most iterations per point, >= 1 (the lecture's 500).
    trace : bool, optional
        Whether to record every iterate in the result's ``trace`` (off by default).

    Returns
    -------
    InferenceResult
        ``z_check`` (in [0, 2 pi)), ``F`` = E(y, z_check), ``n_iter``, ``n_eval`` and
        ``converged``, each in the points' broadcast shape, and ``trace`` (or None).

    Raises
    ------
    ValueError
        If an option is unknown or outside its range (:data:`lvebm.arguments.OPTION_RULES`),
        the points are complex or not numeric or cannot be broadcast together, or ``z_init``
        has neither one value nor one per point.

    Examples
    --------
    >>> r = newton(Decoder(-1.45, 0.36), [2.0], [0.1], 0.5)
    >>> r.z_check.round(4).tolist(), r.n_iter.tolist()
    ([3.1028], [7])
    """
    b = _Batch(decoder, y1, y2, z_init, trace)

    def safeguarded(run: Active):
        idx, f, g, z = run.pos, run.f, run.g, run.z
        h = decoder.energy_dz2(b.y1[idx], b.y2[idx], z)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(h > 0, -g / h, -np.sign(g) * max_step)
        d = np.clip(d, -max_step, max_step)
        accepted = np.zeros(idx.size, dtype=bool)
        f_new, g_new = f.copy(), g.copy()
        for _halving in range(60):
            todo = np.flatnonzero(~accepted)
            if todo.size == 0:
                break
            ft, gt = b.fg(idx[todo], z[todo] + d[todo])
            # Armijo with a few ulps of slack: below round-off E cannot decrease measurably
            slack = 8.0 * EPS * np.maximum(np.abs(f[todo]), 1.0)
            good = ft <= f[todo] + 1e-4 * d[todo] * g[todo] + slack
            win = todo[good]
            accepted[win] = True
            f_new[win], g_new[win] = ft[good], gt[good]
            d[todo[~good]] *= 0.5
        # a point whose step underflowed without decrease stops
        return np.where(accepted, TAKEN, STOP), z + d, {"f": f_new, "g": g_new}

    f, g = b.fg(np.arange(b.n), b.z)
    _iterate(b, safeguarded, gtol=gtol, max_iter=max_iter, f=f, g=g)
    return b.result()


# each method record names its function here, in the records' order
OPTIMIZERS: dict[str, Callable[..., InferenceResult]] = {
    name: globals()[method.function] for name, method in METHODS.items()
}


def run_optimizer(
    name: str,
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    *,
    z_init: ArrayLike = Z_INIT,
    options: dict | None = None,
    trace: bool = False,
    workers: int = 1,
) -> InferenceResult:
    """Run optimizer ``name`` with its ``options``, from ``z_init`` if it is iterative.

    ``z_init`` is one start, or one per point. The points are optimised in blocks of at most
    ``BLOCK``, so the working memory does not grow with their number; with ``workers`` > 1 the
    blocks (at least ``workers`` of them when there are enough points) run in threads, numpy
    releasing the GIL in its loops. Points are independent, so the result does not depend on the
    blocks or the threads. Points that are not finite (or whose start is not) are not optimised:
    NaN, never converged.

    Parameters
    ----------
    name : str
        The optimizer's name, a key of :data:`OPTIMIZERS` (``exhaustive``, ``gradient_descent``,
        ``line_search``, ``conjugate_gradient``, ``lbfgs``, ``newton``, ``exact``).
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        The start latent, one for every point or one per point (the lecture's 0.5); ignored by
        the methods that are not iterative.
    options : dict or None, optional
        The optimizer's keyword options; those not given take its defaults.
    trace : bool, optional
        Whether to record every iterate (off by default).
    workers : int, optional
        The threads the blocks run in, >= 1 (1 by default).

    Returns
    -------
    InferenceResult
        One value per point, flat (the points broadcast and flattened in C order), with the
        trace's ``point`` the index in that order.

    Raises
    ------
    ValueError
        If ``name`` is not an optimizer, ``workers`` is not an integer >= 1, an option is unknown
        or outside its range, the points are complex or not numeric or cannot be broadcast
        together, or ``z_init`` has neither one value nor one per point.

    Examples
    --------
    >>> d = Decoder(-1.45, 0.36)
    >>> r = run_optimizer("lbfgs", d, [2.0, float("nan"), -0.5], [0.1, 0.0, 1.0])
    >>> r.F.round(4).tolist(), r.converged.tolist(), r.n_iter.tolist()
    ([0.3111, nan, 0.4352], [True, False, True], [5, 0, 6])
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(OPTIMIZERS)}")
    if not (isinstance(workers, int) and workers >= 1):
        raise ValueError(f"workers = {workers!r} is invalid: must be an integer >= 1")
    y1, y2 = (a.ravel() for a in real_points(y1=y1, y2=y2))
    z_init = starts("z_init", z_init, y1.size)
    function, options = OPTIMIZERS[name], dict(options or {})

    def run(lo: int, hi: int) -> InferenceResult:
        start = z_init[lo:hi] if z_init.size > 1 else z_init[0]
        return function(decoder, y1[lo:hi], y2[lo:hi], start, trace=trace, **options)

    count = max(-(-y1.size // BLOCK), min(workers, y1.size // MIN_BLOCK), 1)
    edges = np.linspace(0, y1.size, count + 1).astype(int)
    parts = in_blocks(run, edges, workers)
    return parts[0] if count == 1 else _concatenate(parts, edges[:-1])


MIN_BLOCK = 4096  # the smallest block worth a thread
BLOCK = 1 << 17  # the most points optimised at once (L-BFGS keeps 2 x memory values per point)


def _scatter(inner: InferenceResult, where: np.ndarray) -> InferenceResult:
    """The result ``inner`` of the points ``where`` among all: the others NaN, not converged."""
    n = where.size
    full = {
        "z_check": np.full(n, np.nan),
        "F": np.full(n, np.nan),
        "n_iter": np.zeros(n, np.int64),
        "n_eval": np.zeros(n, np.int64),
        "converged": np.zeros(n, bool),
    }
    for field, values in full.items():
        values[where] = getattr(inner, field)
    trace = inner.trace
    if trace is not None:
        trace = {**trace, "point": np.flatnonzero(where)[trace["point"]]}
    return InferenceResult(**full, trace=trace)


def _concatenate(parts: list[InferenceResult], offsets: np.ndarray) -> InferenceResult:
    """One result from the results of consecutive blocks of points."""
    fields = ("z_check", "F", "n_iter", "n_eval", "converged")
    merged = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
    trace = None
    if parts[0].trace is not None:
        trace = {
            key: np.concatenate(
                [
                    p.trace[key] + (off if key == "point" else 0)
                    for p, off in zip(parts, offsets, strict=True)
                ]
            )
            for key in parts[0].trace
        }
    return InferenceResult(**merged, trace=trace)


def minimize(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    z_init: ArrayLike = Z_INIT,
    *,
    method: str = "lbfgs",
    trace: bool = False,
    **options,
) -> InferenceResult:
    """z_check and F_inf of every point (y1, y2) with optimizer ``method``.

    Each point starts at ``z_init`` (ignored by the non-iterative ``exhaustive`` and ``exact``);
    like ``scipy.optimize.minimize`` with ``x0``, batched over points. ``options`` override the
    method's defaults.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    z_init : array_like, optional
        The start latent, one for every point or one per point (the lecture's 0.5).
    method : str, optional
        The optimizer's name, a key of :data:`OPTIMIZERS` (``lbfgs`` by default).
    trace : bool, optional
        Whether to record every iterate (off by default).
    **options
        The method's keyword options (as :func:`lbfgs`'s ``memory``); the others take its
        defaults.

    Returns
    -------
    InferenceResult
        ``z_check``, ``F``, ``n_iter``, ``n_eval`` and ``converged``, each in the points'
        broadcast shape, and ``trace`` (or None).

    Raises
    ------
    ValueError
        If ``method`` is not an optimizer, an option is unknown or outside its range, the points
        are complex or not numeric or cannot be broadcast together, or ``z_init`` has neither
        one value nor one per point.

    Examples
    --------
    >>> from lvebm import Decoder
    >>> r = minimize(Decoder(-1.45, 0.36), [2.0, -0.5], [0.1, 1.0], method="newton")
    >>> r.converged.tolist(), r.F.round(4).tolist()
    ([True, True], [0.3111, 0.4352])
    """
    if method not in OPTIMIZERS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(OPTIMIZERS)}")
    shape = real_points(y1=y1, y2=y2)[0].shape
    result = run_optimizer(method, decoder, y1, y2, z_init=z_init, options=options, trace=trace)
    return result.reshaped(shape)
