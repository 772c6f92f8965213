"""A latent with too much capacity: the 2-D latent, the collapse of its energy, and the
contrastive losses of lecture 15-2.

The latent z = (z_r, z_t) scales the lecture's ellipse point: g(z) = z_r [w1 cos z_t, w2 sin z_t],
with the energy

    E(y, z) = |y - g(z)|^2 + lambda (z_r - 1)^2,    lambda >= 0.

Inference stays exact. For fixed z_t, with u = (w1 cos z_t, w2 sin z_t), E is quadratic in z_r and
least at z_r = (y.u + lambda) / (|u|^2 + lambda), which leaves

    h(z_t) = |y|^2 + lambda - (y.u + lambda)^2 / (|u|^2 + lambda)
           = [(y x u)^2 + lambda |y - u|^2] / (|u|^2 + lambda),

(y x u = y1 u2 - y2 u1; the numerator is the first form's times |u|^2 + lambda, expanded), and
F(y) = min over z_t of h. The second form has no cancellation: h >= 0 term by term, and at
lambda = 0 it is the squared distance from y to the line along u, which turns to every direction:
F = 0 for every y and every decoder. The energy has collapsed, and a loss that only pulls the
samples' energy down (the energy loss) drives lambda to 0. As lambda grows, z_r -> 1 and
h -> |y - u|^2, the lecture's energy; expanding in 1/lambda,

    h = |y - u|^2 - (u.(y - u))^2 / lambda + O(1 / lambda^2),

so by the envelope theorem lambda (F - F_inf) -> -(u*.(y - u*))^2 with u* = g(z_check) of the 1-D
model (:func:`first_order_term`): the radial freedom lowers the energy by the squared component of
the residual along the point itself.

The search over z_t (:func:`free_energy_radial`) evaluates h on a grid of ``grid`` angles, keeps
the grid's two lowest local minima, and polishes each by Newton's method on h'(z_t) = 0 inside
the bracket of its grid neighbours (a step leaving the bracket, or taken where h'' <= 0, is a
bisection; every iterate narrows the bracket by the sign of h'), to rounding; the lower of the two
is F. Gradients follow the envelope theorem: dF/dtheta = dE/dtheta at the minimiser.

The contrastive losses of 15-2 push the energy of negatives y_hat up against that of samples
y_check: the hinge (m - [F(y_hat) - F(y_check)])^+ and the log loss
log(1 + exp(F(y_check) - F(y_hat))), each averaged over every (sample, negative) pair. Negatives
come from their own random streams (:func:`negatives`): ``uniform`` in the mesh's box, or
``offending``: of each negative's ``candidates`` uniform draws, the one of least energy under the
current model. :func:`train_capacity` trains (w1, w2, lambda) by full-batch Adam, lambda projected
onto lambda >= 0 after each step (lambda = 0 is reachable: the collapse is exact, not a limit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm import portable
from lvebm.arguments import count, real_number, real_points
from lvebm.columns import concat
from lvebm.data import stream
from lvebm.exact import free_energy_exact
from lvebm.meshgrid import map_points
from lvebm.model import Decoder
from lvebm.network import Adam
from lvebm.training import train_lbfgs

Array = NDArray[np.float64]

TWO_PI = 2.0 * np.pi
SEARCH_GRID = 64  # angles z_t = 2 pi k / grid where h is evaluated before the polish
MAX_NEWTON = 60
STEP_TOL = 8.0 * np.finfo(np.float64).eps * np.pi  # a polish stops on a step this small
CHUNK = 1 << 14  # points searched at once (the grid's table is CHUNK x grid)
LOSSES = ("energy", "hinge", "log")
NEGATIVE_RULES = ("uniform", "offending")
COLD = "cold 1-D"  # the 1-D model's cold optimum's label in the tables
# the trained table's columns after ``loss``
TRAINED = ("w1", "w2", "lam", "value", "margin_median", "F_check_median", "F_hat_median")


@dataclass(frozen=True)
class RadialModel:
    """The 2-D latent's model: the decoder's radii and the radial penalty lambda.

    Parameters
    ----------
    w1, w2 : float
        The ellipse's radii, as :class:`lvebm.model.Decoder`'s (finite, non-zero).
    lam : float
        lambda >= 0, the weight of (z_r - 1)^2 (inf: z_r = 1, the lecture's model).

    Raises
    ------
    TypeError, ValueError
        If a radius is not a finite non-zero real, or ``lam`` is negative or NaN.

    Examples
    --------
    >>> round(float(RadialModel(-1.45, 0.36, 1.0).energy(2.0, 0.1, 1.0, 0.0)), 6)
    11.9125
    """

    w1: float
    w2: float
    lam: float

    def __post_init__(self) -> None:
        Decoder(self.w1, self.w2)  # the radii's checks
        lam = real_number("lam", self.lam)
        if not lam >= 0.0:
            raise ValueError(f"lam must be >= 0 (inf allowed), not {self.lam!r}")

    def energy(self, y1: ArrayLike, y2: ArrayLike, z_r: ArrayLike, z_t: ArrayLike) -> Array:
        """E(y, z) = |y - z_r u(z_t)|^2 + lambda (z_r - 1)^2, broadcast over the arguments.

        Parameters
        ----------
        y1, y2 : array_like
            The point.
        z_r, z_t : array_like
            The latent: the radial scale and the angle.

        Returns
        -------
        ndarray
            The energy, float64.

        Examples
        --------
        At z_r = 1 it is the lecture's energy; z_r = 0 pays lambda and reconstructs the origin:

        >>> m = RadialModel(2.0, 1.5, 0.5)
        >>> m.energy(1.0, 0.0, [1.0, 0.0], 0.0).tolist()
        [1.0, 1.5]
        """
        y1, y2, z_r, z_t = real_points(y1=y1, y2=y2, z_r=z_r, z_t=z_t)
        s, c = portable.sincos(z_t)
        e1, e2 = y1 - z_r * self.w1 * c, y2 - z_r * self.w2 * s
        return e1 * e1 + e2 * e2 + self.lam * (z_r - 1.0) ** 2


@dataclass(frozen=True)
class RadialFreeEnergy:
    """F(y) = min_z E(y, z) of the 2-D latent, its minimiser, and the polish's iterations.

    Parameters
    ----------
    F : ndarray
        The free energy, float64, >= 0.
    z_r, z_t : ndarray
        The minimiser: z_r = (y.u + lambda) / (|u|^2 + lambda) and z_t in [0, 2 pi) (of two
        that tie, the smaller angle).
    n_iter : ndarray
        Newton iterations of the polish that won, int64.

    Examples
    --------
    >>> r = free_energy_radial(RadialModel(2.0, 1.5, 1.0), 0.0, 3.0)
    >>> round(float(r.F), 6), round(float(r.z_r), 6), round(float(r.z_t), 6)
    (0.692308, 1.692308, 1.570796)
    """

    F: Array
    z_r: Array
    z_t: Array
    n_iter: NDArray[np.int64]


def _h(c, s, y1, y2, w1, w2, lam):
    """h(z_t) from cos z_t, sin z_t (the cancellation-free form of the module's docstring)."""
    u1, u2 = w1 * c, w2 * s
    cross = y1 * u2 - y2 * u1
    d1, d2 = y1 - u1, y2 - u2
    return (cross * cross + lam * (d1 * d1 + d2 * d2)) / (u1 * u1 + u2 * u2 + lam)


def _h_derivatives(t, y1, y2, w1, w2, lam):
    """h, h' and h'' at z_t = t: h = N / D, N = (y x u)^2 + lambda |y - u|^2, D = |u|^2 + lambda,
    with u' = (-w1 sin t, w2 cos t) and u'' = -u."""
    s, c = portable.sincos(t)
    u1, u2, v1, v2 = w1 * c, w2 * s, -w1 * s, w2 * c
    cross, cross_t = y1 * u2 - y2 * u1, y1 * v2 - y2 * v1
    e1, e2 = y1 - u1, y2 - u2
    vv, uu = v1 * v1 + v2 * v2, u1 * u1 + u2 * u2
    n = cross * cross + lam * (e1 * e1 + e2 * e2)
    n_t = 2.0 * cross * cross_t - 2.0 * lam * (e1 * v1 + e2 * v2)
    n_tt = 2.0 * (cross_t * cross_t - cross * cross) + 2.0 * lam * (vv + e1 * u1 + e2 * u2)
    d, d_t, d_tt = uu + lam, 2.0 * (u1 * v1 + u2 * v2), 2.0 * (vv - uu)
    h = n / d
    h_t = (n_t - h * d_t) / d
    h_tt = (n_tt - 2.0 * h_t * d_t - h * d_tt) / d
    return h, h_t, h_tt


def _polish(t, lo, hi, y1, y2, w1, w2, lam):
    """Safeguarded Newton on h'(t) = 0 in [lo, hi], per point until a step is below STEP_TOL."""
    t, lo, hi = t.copy(), lo.copy(), hi.copy()
    n_iter = np.zeros(t.shape, dtype=np.int64)
    run = np.arange(t.size)
    for _ in range(MAX_NEWTON):
        if run.size == 0:
            break
        tr, lr, hr = t[run], lo[run], hi[run]
        _, g, curv = _h_derivatives(tr, y1[run], y2[run], w1, w2, lam)
        lr = np.where(g < 0.0, tr, lr)
        hr = np.where(g > 0.0, tr, hr)
        newton = tr - g / np.where(curv > 0.0, curv, np.inf)
        inside = (curv > 0.0) & (newton >= lr) & (newton <= hr)
        nxt = np.where(g == 0.0, tr, np.where(inside, newton, 0.5 * (lr + hr)))
        step = np.abs(nxt - tr)
        t[run], lo[run], hi[run] = nxt, lr, hr
        n_iter[run] += 1
        run = run[(step > STEP_TOL) & (hr - lr > STEP_TOL)]
    return t, n_iter


def _search(y1, y2, w1, w2, lam, grid):
    """One chunk of :func:`free_energy_radial`: F, z_t and the polish's iterations."""
    angles = TWO_PI * np.arange(grid) / grid
    s, c = portable.sincos(angles)
    table = _h(c, s, y1[:, None], y2[:, None], w1, w2, lam)
    # the grid's local minima (cyclic); of them the two lowest, each polished in its bracket
    lower = (table <= np.roll(table, 1, axis=1)) & (table <= np.roll(table, -1, axis=1))
    masked = np.where(lower, table, np.inf)
    ranked = np.argsort(masked, axis=1, kind="stable")[:, :2]
    width = TWO_PI / grid
    k = ranked[:, 0]
    best_t, best_n = _polish(angles[k], angles[k] - width, angles[k] + width, y1, y2, w1, w2, lam)
    best_t = np.mod(best_t, TWO_PI)
    best_h = _h(*portable.sincos(best_t)[::-1], y1, y2, w1, w2, lam)
    # a second local minimum of the grid, where there is one, polished too: the lower wins
    two = np.flatnonzero(np.isfinite(masked[np.arange(k.size), ranked[:, 1]]))
    if two.size:
        k = ranked[two, 1]
        y1b, y2b = y1[two], y2[two]
        t, n_iter = _polish(angles[k], angles[k] - width, angles[k] + width, y1b, y2b, w1, w2, lam)
        t = np.mod(t, TWO_PI)
        h = _h(*portable.sincos(t)[::-1], y1b, y2b, w1, w2, lam)
        better = (h < best_h[two]) | ((h == best_h[two]) & (t < best_t[two]))
        best_t[two] = np.where(better, t, best_t[two])
        best_h[two] = np.where(better, h, best_h[two])
        best_n[two] = np.where(better, n_iter, best_n[two])
    return best_h, best_t, best_n


def free_energy_radial(
    model: RadialModel, y1: ArrayLike, y2: ArrayLike, *, grid: int = SEARCH_GRID
) -> RadialFreeEnergy:
    """The exact F(y) = min over (z_r, z_t) of the 2-D latent's energy, batched.

    Parameters
    ----------
    model : RadialModel
        The radii and lambda. lambda = inf is the lecture's model (z_r = 1): use
        :func:`lvebm.exact.free_energy_exact`, which this then returns.
    y1, y2 : array_like
        The points (broadcast together), finite.
    grid : int, optional
        The angles of the search's grid (>= 8; 64 by default).

    Returns
    -------
    RadialFreeEnergy
        F, z_r, z_t and the polish's iterations, in the points' broadcast shape.

    Raises
    ------
    ValueError
        If a point is not finite or ``grid`` is below 8.

    Examples
    --------
    At lambda = 0 every point has zero energy; at lambda = 1 a point off the ellipse does not:

    >>> float(free_energy_radial(RadialModel(2.0, 1.5, 0.0), 3.0, -1.0).F) < 1e-20
    True
    >>> round(float(free_energy_radial(RadialModel(2.0, 1.5, 1.0), 3.0, -1.0).F), 6)
    0.321341
    """
    grid = count("grid", grid, minimum=8)
    y1, y2 = np.broadcast_arrays(*real_points(y1=y1, y2=y2))
    if not (np.isfinite(y1).all() and np.isfinite(y2).all()):
        raise ValueError("the points y1, y2 must be finite")
    shape = y1.shape
    p1, p2 = y1.ravel(), y2.ravel()
    if model.lam == np.inf:
        exact = free_energy_exact(Decoder(model.w1, model.w2), p1, p2)
        return RadialFreeEnergy(
            exact.F.reshape(shape),
            np.ones(shape),
            exact.z_check.reshape(shape),
            exact.n_iter.reshape(shape),
        )
    F, z_t, n_iter = np.empty(p1.size), np.empty(p1.size), np.empty(p1.size, dtype=np.int64)
    for start in range(0, p1.size, CHUNK):
        part = slice(start, start + CHUNK)
        F[part], z_t[part], n_iter[part] = _search(
            p1[part], p2[part], model.w1, model.w2, model.lam, grid
        )
    s, c = portable.sincos(z_t)
    u1, u2 = model.w1 * c, model.w2 * s
    z_r = (p1 * u1 + p2 * u2 + model.lam) / (u1 * u1 + u2 * u2 + model.lam)
    return RadialFreeEnergy(
        F.reshape(shape), z_r.reshape(shape), z_t.reshape(shape), n_iter.reshape(shape)
    )


def gradients(model: RadialModel, y1: ArrayLike, y2: ArrayLike, solution: RadialFreeEnergy):
    """dF/dy1, dF/dy2, dF/dw1, dF/dw2 and dF/dlambda at each point, by the envelope theorem.

    F(y) = E(y, z*) with z* the minimiser, so each derivative is E's partial at z*:
    dF/dy = 2 (y - z_r u), dF/dw1 = -2 z_r cos z_t (y1 - z_r w1 cos z_t) (and w2's with sin),
    dF/dlambda = (z_r - 1)^2.

    Parameters
    ----------
    model : RadialModel
        The model (lambda finite).
    y1, y2 : array_like
        The points, as given to :func:`free_energy_radial`.
    solution : RadialFreeEnergy
        What :func:`free_energy_radial` returned for them.

    Returns
    -------
    dict of str to ndarray
        ``y1, y2, w1, w2, lam``: each derivative in the points' shape.

    Examples
    --------
    >>> m = RadialModel(2.0, 1.5, 1.0)
    >>> g = gradients(m, 3.0, -1.0, free_energy_radial(m, 3.0, -1.0))
    >>> round(float(g["lam"]), 6), round(float(g["y1"]), 6)
    (0.251229, 0.462235)
    """
    y1, y2 = np.broadcast_arrays(*real_points(y1=y1, y2=y2))
    s, c = portable.sincos(solution.z_t)
    r = solution.z_r
    e1, e2 = y1 - r * model.w1 * c, y2 - r * model.w2 * s
    return {
        "y1": 2.0 * e1,
        "y2": 2.0 * e2,
        "w1": -2.0 * r * c * e1,
        "w2": -2.0 * r * s * e2,
        "lam": (r - 1.0) ** 2,
    }


def first_order_term(decoder: Decoder, y1: ArrayLike, y2: ArrayLike) -> Array:
    """The limit of lambda (F - F_inf) as lambda -> inf: -(u*.(y - u*))^2, u* = g(z_check).

    Parameters
    ----------
    decoder : Decoder
        The radii.
    y1, y2 : array_like
        The points.

    Returns
    -------
    ndarray
        The first-order term, <= 0, in the points' broadcast shape.

    Examples
    --------
    >>> round(float(first_order_term(Decoder(2.0, 1.5), 3.0, 0.0)), 6)
    -4.0
    """
    exact = free_energy_exact(decoder, y1, y2)
    y1, y2 = np.broadcast_arrays(*real_points(y1=y1, y2=y2))
    s, c = portable.sincos(exact.z_check)
    u1, u2 = decoder.w1 * c, decoder.w2 * s
    along = u1 * (y1 - u1) + u2 * (y2 - u2)
    return -(along * along)


def hinge_loss(F_check: ArrayLike, F_hat: ArrayLike, margin: float):
    """The hinge (m - [F(y_hat) - F(y_check)])^+, averaged over every (sample, negative) pair.

    Parameters
    ----------
    F_check : array_like
        The samples' free energies, 1-D.
    F_hat : array_like
        The negatives' free energies, 1-D.
    margin : float
        m > 0.

    Returns
    -------
    loss : float
        The mean over the pairs.
    d_check, d_hat : ndarray
        The loss's derivative in each sample's and each negative's F.

    Examples
    --------
    >>> loss, d_check, d_hat = hinge_loss([0.0, 0.2], [0.25], 0.1)
    >>> round(loss, 6), d_check.tolist(), d_hat.tolist()
    (0.025, [0.0, 0.5], [-0.5])
    """
    F_check, F_hat = np.asarray(F_check, dtype=np.float64), np.asarray(F_hat, dtype=np.float64)
    excess = margin - (F_hat[None, :] - F_check[:, None])
    active = (excess > 0.0).astype(np.float64)
    pairs = excess.size
    loss = float(np.sum(np.where(excess > 0.0, excess, 0.0)) / pairs)
    return loss, np.sum(active, axis=1) / pairs, -np.sum(active, axis=0) / pairs


def log_loss(F_check: ArrayLike, F_hat: ArrayLike):
    """The log loss log(1 + exp(F(y_check) - F(y_hat))), averaged over every pair.

    Parameters
    ----------
    F_check, F_hat : array_like
        The samples' and the negatives' free energies, 1-D each.

    Returns
    -------
    loss : float
        The mean over the pairs.
    d_check, d_hat : ndarray
        The loss's derivative in each sample's and each negative's F (the pair's logistic
        sigmoid(F(y_check) - F(y_hat)), summed and divided by the pairs).

    Examples
    --------
    >>> loss, d_check, d_hat = log_loss([0.0], [0.0, 1.0])
    >>> round(loss, 6), d_check.round(6).tolist(), d_hat.round(6).tolist()
    (0.503204, [0.384471], [-0.25, -0.134471])
    """
    F_check, F_hat = np.asarray(F_check, dtype=np.float64), np.asarray(F_hat, dtype=np.float64)
    x = F_check[:, None] - F_hat[None, :]
    pairs = x.size
    weight = 1.0 / (1.0 + portable.exp(-x))  # the logistic sigmoid, dsoftplus/dx
    loss = float(np.sum(portable.softplus(x)) / pairs)
    return loss, np.sum(weight, axis=1) / pairs, -np.sum(weight, axis=0) / pairs


def candidates(seed: int, name: str, size: int, per: int, box: Sequence[Sequence[float]]):
    """Negatives' candidates: ``size x per`` points uniform in ``box``, from stream ``name``.

    Parameters
    ----------
    seed : int
        The run's seed.
    name : str
        The stream (``capacity/negatives``, ``capacity/held_out_negatives``).
    size : int
        The negatives.
    per : int
        Candidates per negative (1 for the uniform rule).
    box : sequence
        ``[[y1_start, y1_stop], [y2_start, y2_stop]]``.

    Returns
    -------
    y1, y2 : ndarray
        The candidates, each ``(size, per)``.

    Examples
    --------
    >>> y1, y2 = candidates(709, "capacity/negatives", 3, 2, [[-3, 3], [-2, 2]])
    >>> y1.shape, bool((abs(y2) <= 2).all())
    ((3, 2), True)
    """
    rng = stream(seed, name)
    (a1, b1), (a2, b2) = box
    points = rng.uniform(0.0, 1.0, size=(2, size, per))
    return a1 + (b1 - a1) * points[0], a2 + (b2 - a2) * points[1]


def negatives(model: RadialModel, y1: Array, y2: Array, rule: str, *, grid: int = SEARCH_GRID):
    """The negatives of ``rule`` from their candidates ``(size, per)``: ``uniform`` takes each
    row's first candidate, ``offending`` the row's candidate of least F under ``model``.

    Parameters
    ----------
    model : RadialModel
        The current model.
    y1, y2 : ndarray
        The candidates (:func:`candidates`).
    rule : str
        One of ``NEGATIVE_RULES``.
    grid : int, optional
        The search's grid (:func:`free_energy_radial`).

    Returns
    -------
    y1, y2 : ndarray
        The negatives, one per row.

    Raises
    ------
    ValueError
        If ``rule`` is not one of ``NEGATIVE_RULES``.

    Examples
    --------
    >>> y1, y2 = np.array([[3.0, 2.0]]), np.array([[0.0, 0.0]])
    >>> negatives(RadialModel(2.0, 1.5, 1.0), y1, y2, "offending")
    (array([2.]), array([0.]))
    """
    if rule not in NEGATIVE_RULES:
        raise ValueError(f"negatives.rule must be one of {list(NEGATIVE_RULES)}, not {rule!r}")
    if rule == "uniform" or y1.shape[1] == 1:
        return y1[:, 0], y2[:, 0]
    F = free_energy_radial(model, y1, y2, grid=grid).F
    k = np.argmin(F, axis=1)
    rows = np.arange(y1.shape[0])
    return y1[rows, k], y2[rows, k]


def held_out_margins(model: RadialModel, held_out, held_out_negatives, *, grid=SEARCH_GRID):
    """F of held-out samples and of as many held-out negatives, and the pairs' margins
    F(y_hat_j) - F(y_check_j).

    Parameters
    ----------
    model : RadialModel or Decoder
        The model (a Decoder: the lecture's 1-D model, F = F_inf).
    held_out, held_out_negatives : tuple of ndarray
        ``(y1, y2)`` each, of equal sizes.
    grid : int, optional
        The search's grid.

    Returns
    -------
    F_check, F_hat, margin : ndarray
        The samples' and the negatives' F and the margins, one per pair.

    Examples
    --------
    >>> _, _, margin = held_out_margins(Decoder(2.0, 1.5), ([2.0], [0.0]), ([0.0], [0.0]))
    >>> margin.tolist()
    [2.25]
    """
    if isinstance(model, Decoder):
        F_check = free_energy_exact(model, *held_out).F
        F_hat = free_energy_exact(model, *held_out_negatives).F
    else:
        F_check = free_energy_radial(model, *held_out, grid=grid).F
        F_hat = free_energy_radial(model, *held_out_negatives, grid=grid).F
    return F_check, F_hat, F_hat - F_check


def train_capacity(
    samples: tuple[Array, Array],
    start: RadialModel,
    *,
    loss: str,
    steps: int,
    learning_rate: float,
    margin: float = 0.1,
    rule: str = "uniform",
    pool: tuple[Array, Array] | None = None,
    held_out: tuple[Array, Array],
    held_out_negatives: tuple[Array, Array],
    grid: int = SEARCH_GRID,
) -> dict[str, np.ndarray]:
    """Train (w1, w2, lambda) on one loss by full-batch Adam, lambda projected onto >= 0.

    Adam (:class:`lvebm.network.Adam`: its step cosine-decayed from ``learning_rate`` to 0 over
    ``steps``) moves (w1, w2, lambda) against the loss's gradient; a lambda below 0 is set to 0
    (projected gradient). The negatives (hinge and log losses) are chosen by ``rule`` from the
    fixed candidates at every step (:func:`negatives`).

    Parameters
    ----------
    samples : tuple of ndarray
        ``(y1, y2)``: the samples y_check.
    start : RadialModel
        The starting radii and lambda.
    loss : str
        One of ``LOSSES``.
    steps : int
        Adam's steps (>= 1).
    learning_rate : float
        Adam's first step (> 0).
    margin : float, optional
        The hinge's m (> 0).
    rule : str, optional
        The negatives' rule, one of ``NEGATIVE_RULES``.
    pool : tuple of ndarray, optional
        The negatives' candidates ``(size, per)`` (:func:`candidates`); needed by the hinge and
        the log loss.
    held_out, held_out_negatives : tuple of ndarray
        Held-out samples and negatives (equal sizes) whose margins are reported at every step.
    grid : int, optional
        The search's grid.

    Returns
    -------
    dict of str to ndarray
        One row per step (0: the start): ``step, value`` (the loss before the step; at the
        last row, at the end), ``w1, w2, lam``, ``margin_median`` (held out), ``F_check_median``
        and ``F_hat_median`` (held out).

    Raises
    ------
    ValueError
        If ``loss`` or ``rule`` is unknown, or a contrastive loss has no candidates.

    Examples
    --------
    The energy loss frees the radius: lambda falls to 0 (the collapse):

    >>> s = (np.array([2.0, 0.0]), np.array([0.0, 1.5]))
    >>> path = train_capacity(s, RadialModel(1.8, 1.2, 1.0), loss="energy", steps=200,
    ...     learning_rate=0.05, held_out=s, held_out_negatives=(np.zeros(2), np.zeros(2)))
    >>> float(path["lam"][-1]), path["step"].size
    (0.0, 201)
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {list(LOSSES)}, not {loss!r}")
    if loss != "energy" and pool is None:
        raise ValueError(f"the {loss} loss needs negatives' candidates")
    steps = count("steps", steps, minimum=1)
    theta = np.array([start.w1, start.w2, start.lam], dtype=np.float64)
    adam = Adam(3, learning_rate=learning_rate, steps=steps)
    n, h = samples[0].size, held_out[0].size
    rows = []
    for step in range(steps + 1):
        model = RadialModel(theta[0], theta[1], theta[2])
        parts = [samples, held_out, held_out_negatives]
        if loss != "energy":
            parts.append(negatives(model, *pool, rule, grid=grid))
        # one search for every point of the step: samples, held out, negatives
        y1 = np.concatenate([p[0] for p in parts])
        y2 = np.concatenate([p[1] for p in parts])
        solution = free_energy_radial(model, y1, y2, grid=grid)
        F = solution.F
        F_check, F_held, F_held_hat, F_hat = (
            F[:n],
            F[n : n + h],
            F[n + h : n + 2 * h],
            F[n + 2 * h :],
        )
        weights = np.zeros(F.size)
        if loss == "energy":
            value = float(np.sum(F_check) / n)
            weights[:n] = 1.0 / n
        else:
            if loss == "hinge":
                value, d_check, d_hat = hinge_loss(F_check, F_hat, margin)
            else:
                value, d_check, d_hat = log_loss(F_check, F_hat)
            weights[:n], weights[n + 2 * h :] = d_check, d_hat
        g = gradients(model, y1, y2, solution)
        grad = np.array([float(portable.dot(g[k], weights)) for k in ("w1", "w2", "lam")])
        margins = F_held_hat - F_held
        rows.append((value, *theta, np.median(margins), np.median(F_held), np.median(F_held_hat)))
        if step < steps:
            adam.step(theta, grad)
            theta[2] = max(theta[2], 0.0)
    columns = np.array(rows).T
    names = ("value", "w1", "w2", "lam", "margin_median", "F_check_median", "F_hat_median")
    return {"step": np.arange(steps + 1, dtype=np.int64), **dict(zip(names, columns, strict=True))}


def scan_tables(
    decoder: Decoder, lambdas: Sequence[float], y1: Array, y2: Array, *, grid: int = SEARCH_GRID
) -> tuple[dict, dict]:
    """F of the 2-D latent over the points at each lambda, and per lambda its summary.

    Parameters
    ----------
    decoder : Decoder
        The radii.
    lambdas : sequence of float
        The scan's lambdas (>= 0, finite).
    y1, y2 : ndarray
        The map's points.
    grid : int, optional
        The search's grid.

    Returns
    -------
    scan : dict of str to ndarray
        Per lambda and point: ``lam, y1, y2, F, z_r, z_t, F_inf`` (the 1-D model's) and
        ``first_order`` (:func:`first_order_term`).
    summary : dict of str to ndarray
        Per lambda: ``lam``, ``F_max``, ``F_median``, ``F_inf_median``, ``below_inf_max`` (the
        largest F_inf - F, >= 0: the extra freedom only lowers the energy) and
        ``first_order_error``, max |lambda (F - F_inf) - first_order| (NaN at lambda = 0).

    Examples
    --------
    >>> points = map_points({"y1": [-3, 3], "y2": [-2, 2]}, {"y1": 7, "y2": 5})
    >>> _, summary = scan_tables(Decoder(-1.45, 0.36), [0.0, 1e6], *points)
    >>> bool(summary["F_max"][0] < 1e-20), bool(summary["first_order_error"][1] < 1e-4)
    (True, True)
    """
    exact = free_energy_exact(decoder, y1, y2)
    first = first_order_term(decoder, y1, y2)
    scans, rows = [], []
    for lam in lambdas:
        r = free_energy_radial(RadialModel(decoder.w1, decoder.w2, lam), y1, y2, grid=grid)
        scans.append(
            {
                "lam": np.full(y1.size, float(lam)),
                "y1": y1,
                "y2": y2,
                "F": r.F,
                "z_r": r.z_r,
                "z_t": r.z_t,
                "F_inf": exact.F,
                "first_order": first,
            }
        )
        error = np.max(np.abs(lam * (r.F - exact.F) - first)) if lam > 0 else np.nan
        row = {
            "lam": lam,
            "F_max": r.F.max(),
            "F_median": np.median(r.F),
            "F_inf_median": np.median(exact.F),
            "below_inf_max": np.max(exact.F - r.F),
            "first_order_error": error,
        }
        rows.append({k: np.array([float(v)]) for k, v in row.items()})
    return concat(scans), concat(rows)


def training_tables(
    samples: Mapping,
    decoder: Decoder,
    *,
    lam: float,
    losses: Sequence[str],
    steps: int,
    learning_rate: float,
    margin: float,
    negatives: Mapping,
    held_out: Mapping,
    box: Mapping,
    num: Mapping,
    seed: int,
    cold: Mapping,
    grid: int = SEARCH_GRID,
) -> tuple[dict, dict, dict]:
    """Train the 2-D latent on each loss; the trained models beside the 1-D cold optimum.

    Parameters
    ----------
    samples : mapping
        The samples' columns ``y1, y2``.
    decoder : Decoder
        The starting radii (and the 1-D model's start).
    lam : float
        The starting lambda.
    losses : sequence of str
        Of ``LOSSES``.
    steps, learning_rate, margin :
        Adam's steps and first step, the hinge's m (:func:`train_capacity`).
    negatives : mapping
        ``rule`` (of ``NEGATIVE_RULES``), ``count`` and ``candidates`` (per negative: the
        offending rule's choice; the uniform rule takes the first).
    held_out : mapping
        The held-out samples' columns ``y1, y2``; as many held-out negatives are drawn uniform
        in the box (stream ``capacity/held_out_negatives``), whatever the rule.
    box, num : mapping
        The mesh's box (``{"y1": [start, stop], ...}``) and the trained maps' points per axis.
    seed : int
        The run's seed (stream ``capacity/negatives``).
    cold : mapping
        ``gtol, max_iter`` of the 1-D model's L-BFGS at beta = inf
        (:func:`lvebm.training.train_lbfgs`): the cold optimum the table compares with.
    grid : int, optional
        The search's grid.

    Returns
    -------
    trajectory : dict of str to ndarray
        ``loss`` and :func:`train_capacity`'s columns, each loss's rows in turn.
    trained : dict of str to ndarray
        Per loss, and the 1-D cold optimum (``loss`` ``cold 1-D``, lambda inf): ``loss, w1,
        w2, lam, value, margin_median, F_check_median, F_hat_median``.
    maps : dict of str to ndarray
        ``loss, y1, y2, F``: each trained model's F over the map, and the cold optimum's F_inf.

    Examples
    --------
    >>> from lvebm.data import held_out_slice, sample_slice
    >>> _, trained, _ = training_tables(sample_slice(), Decoder(-1.45, 0.36), lam=1.0,
    ...     losses=["energy"], steps=100, learning_rate=0.05, margin=0.1,
    ...     negatives={"rule": "uniform", "count": 10, "candidates": 1},
    ...     held_out=held_out_slice(20), box={"y1": [-3, 3], "y2": [-2, 2]},
    ...     num={"y1": 5, "y2": 3}, seed=709, cold={"gtol": 1e-10, "max_iter": 100})
    >>> trained["loss"].tolist(), float(trained["lam"][0])
    (['energy', 'cold 1-D'], 0.0)
    """
    box_pairs = [box["y1"], box["y2"]]
    pool = candidates(
        seed, "capacity/negatives", negatives["count"], negatives["candidates"], box_pairs
    )
    h1, h2 = candidates(seed, "capacity/held_out_negatives", held_out["y1"].size, 1, box_pairs)
    checked = (np.asarray(held_out["y1"]), np.asarray(held_out["y2"]))
    hat = (h1[:, 0], h2[:, 0])
    positives = (np.asarray(samples["y1"]), np.asarray(samples["y2"]))
    m1, m2 = map_points(box, num)

    def rows(label, values, F):
        """The trained table's row and the map of one model."""
        row = {"loss": np.array([label], dtype=object)}
        row.update({k: np.array([float(values[k])]) for k in TRAINED})
        return row, {"loss": np.full(m1.size, label, dtype=object), "y1": m1, "y2": m2, "F": F}

    paths, trained, maps = [], [], []
    for loss in losses:
        path = train_capacity(
            positives,
            RadialModel(decoder.w1, decoder.w2, lam),
            loss=loss,
            steps=steps,
            learning_rate=learning_rate,
            margin=margin,
            rule=negatives["rule"],
            pool=pool,
            held_out=checked,
            held_out_negatives=hat,
            grid=grid,
        )
        paths.append({"loss": np.full(path["step"].size, loss, dtype=object), **path})
        end = {k: v[-1] for k, v in path.items()}
        model = RadialModel(end["w1"], end["w2"], end["lam"])
        row, F_map = rows(loss, end, free_energy_radial(model, m1, m2, grid=grid).F)
        trained.append(row)
        maps.append(F_map)
    fit = train_lbfgs(*positives, decoder, beta=np.inf, **cold)
    F_check, F_hat, margins = held_out_margins(fit.decoder, checked, hat)
    end = {
        "w1": fit.decoder.w1,
        "w2": fit.decoder.w2,
        "lam": np.inf,
        "value": fit.loss,
        "margin_median": np.median(margins),
        "F_check_median": np.median(F_check),
        "F_hat_median": np.median(F_hat),
    }
    row, F_map = rows(COLD, end, free_energy_exact(fit.decoder, m1, m2).F)
    trained.append(row)
    maps.append(F_map)
    return concat(paths), concat(trained), concat(maps)
