"""L-BFGS on a model's parameters: one vector, portable arithmetic.

:func:`lvebm.optimize.lbfgs` runs L-BFGS on the latents of many points at once (each a scalar);
this one fits parameters: the decoder's two weights (:func:`lvebm.training.train_lbfgs`) or a
network's (:func:`lvebm.network.lbfgs_steps`). It does what ``scipy.optimize.minimize(method=
"L-BFGS-B")`` does without bounds (the two-loop recursion over the last ``memory`` pairs, the
first step of length 1, MINPACK's More-Thuente search with ftol 1e-3, gtol 0.9 and xtol 0.1,
pairs of non-positive curvature skipped, a failed search retried once along -g with the memory
cleared), but every product is :func:`lvebm.portable.dot`: L-BFGS-B's own code is compiled C
whose BLAS calls and fused multiply-adds are the platform's, so its last bits differ between
x86-64 and ARM (measured: the decoder trained at beta 0.1 ends 1 ULP apart), and a path stopped
by a tolerance amplifies them.

Examples
--------
>>> import numpy as np
>>> r = lbfgs_fit(lambda x: (float(np.sum((x - 3.0) ** 2)), 2.0 * (x - 3.0)), [0.0, 1.0],
...     gtol=1e-12, max_iter=50)
>>> r.x.round(12).tolist(), r.converged
([3.0, 3.0], True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from lvebm import portable
from lvebm.linesearch import CONVERGED, WARNING, dcsrch

__all__ = ["LBFGSFit", "lbfgs_fit"]

# L-BFGS-B's search: MINPACK's dcsrch with these constants, the step at most STEP_MAX
SEARCH = {"ftol": 1e-3, "gtol": 0.9, "xtol": 0.1, "stpmin": 0.0, "stpmax": 1e10}
EPS = float(np.finfo(np.float64).eps)

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


class LBFGSFit(NamedTuple):
    """What :func:`lbfgs_fit` returns.

    Parameters
    ----------
    x : ndarray
        The parameters it ended at.
    fun : float
        The objective there.
    nit : int
        The iterations taken.
    converged : bool
        Whether it stopped by one of L-BFGS-B's two tests: the gradient's largest entry at most
        ``gtol``, or an iteration that lowered the value by at most ``ftol`` times its size
        (False: ``max_iter`` ran out, or no search found a lower value).
    path : list of tuple
        ``(x, fun)`` after each iteration (the start not included).

    Examples
    --------
    >>> import numpy as np
    >>> fit = lbfgs_fit(lambda x: (float(x @ x), 2.0 * x), [1.0, 2.0], gtol=1e-12, max_iter=10)
    >>> bool(abs(fit.fun) < 1e-30), fit.converged, len(fit.path) == fit.nit
    (True, True, True)
    """

    x: np.ndarray
    fun: float
    nit: int
    converged: bool
    path: list


class _Line:
    """The objective along x + alpha d, as :func:`lvebm.linesearch.dcsrch` calls it (a batch
    of one search)."""

    def __init__(self, objective: Objective, x: np.ndarray, d: np.ndarray) -> None:
        self.objective, self.x, self.d = objective, x, d
        self.last: tuple[float, np.ndarray, np.ndarray] | None = None

    def __call__(self, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = self.x + float(alpha[0]) * self.d
        f, g = self.objective(x)
        g = np.asarray(g, dtype=np.float64)
        self.last = (float(f), g, x)
        return np.array([float(f)]), np.array([float(portable.dot(g, self.d))])

    def take(self, sel) -> _Line:
        return self


def _direction(g: np.ndarray, pairs: list[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """-H g by the two-loop recursion over the pairs (s, y, 1 / y.s), oldest first."""
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(portable.dot(s, q))
        alphas.append(a)
        q = q - a * y
    if pairs:
        s, y, _ = pairs[-1]
        q = q * (float(portable.dot(s, y)) / float(portable.dot(y, y)))
    for (s, y, rho), a in zip(pairs, reversed(alphas), strict=True):
        b = rho * float(portable.dot(y, q))
        q = q + (a - b) * s
    return -q


def lbfgs_fit(
    objective: Objective,
    x0: ArrayLike,
    *,
    gtol: float,
    max_iter: int,
    ftol: float = 0.0,
    memory: int = 10,
    max_ls: int = 20,
) -> LBFGSFit:
    """Minimise ``objective`` from ``x0`` by L-BFGS, with portable arithmetic.

    Parameters
    ----------
    objective : callable
        ``objective(x)`` returning the value and its gradient (an array like ``x``).
    x0 : array_like
        The start, 1-D.
    gtol : float
        Stop when the gradient's largest entry is at most ``gtol`` (``converged``).
    max_iter : int
        The most iterations.
    ftol : float, optional
        Stop when an iteration lowers the value by at most ``ftol`` max(|f|, |f_prev|, 1)
        (0 by default: only when it does not lower it at all).
    memory : int, optional
        The pairs (s, y) kept (10, scipy's).
    max_ls : int, optional
        The most evaluations per line search (20, scipy's).

    Returns
    -------
    LBFGSFit
        The end point, its value, the iterations, whether it converged, and the path.

    Examples
    --------
    >>> import numpy as np
    >>> rosen = lambda x: (float((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2),
    ...     np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
    ...               200 * (x[1] - x[0] ** 2)]))
    >>> r = lbfgs_fit(rosen, [-1.2, 1.0], gtol=1e-10, max_iter=200)
    >>> r.x.round(8).tolist(), r.converged
    ([1.0, 1.0], True)
    """
    x = np.array(x0, dtype=np.float64)
    f, g = objective(x)
    f, g = float(f), np.asarray(g, dtype=np.float64)
    pairs: list[tuple[np.ndarray, np.ndarray, float]] = []
    path: list = []
    nit = 0
    while nit < max_iter:
        if np.max(np.abs(g)) <= gtol:
            return LBFGSFit(x, f, nit, True, path)
        d = _direction(g, pairs)
        slope = float(portable.dot(g, d))
        stp = min(1.0 / np.sqrt(float(portable.dot(d, d))), SEARCH["stpmax"]) if nit == 0 else 1.0
        line = _Line(objective, x, d)
        start = (np.array([stp]), np.array([f]), np.array([slope]))
        search = dcsrch(line, *start, **SEARCH, max_eval=max_ls)
        if search.status[0] not in (CONVERGED, WARNING) or line.last is None:
            if not pairs:
                break  # no descent along -g either
            pairs = []  # forget the pairs and retry along -g, as L-BFGS-B does
            continue
        step = float(search.alpha[0])
        x_new = x + step * d
        f_new, g_new = line.last[0], line.last[1]
        if not np.array_equal(line.last[2], x_new):  # the search's last trial is not its answer
            f_new, g_new = objective(x_new)
            f_new, g_new = float(f_new), np.asarray(g_new, dtype=np.float64)
        s, y = x_new - x, g_new - g
        curvature = float(portable.dot(s, y))
        if curvature > EPS * (-slope * step):
            pairs = [*pairs, (s, y, 1.0 / curvature)][-memory:]
        decrease = f - f_new
        x, f, g = x_new, f_new, g_new
        nit += 1
        path.append((x.copy(), f))
        if decrease <= ftol * max(abs(f), abs(f + decrease), 1.0):
            return LBFGSFit(x, f, nit, True, path)
    return LBFGSFit(x, f, nit, bool(np.max(np.abs(g)) <= gtol), path)
