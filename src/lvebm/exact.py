"""The exact zero-temperature free energy of the ellipse decoder.

F_inf(y) = min_z |y - g(z)|^2 is the squared distance from y to the ellipse with semi-axes |w1|,
|w2|. Following Eberly ("Distance from a point to an ellipse, an ellipsoid, or a hyperellipsoid",
2013), reflect y into the first quadrant of the ellipse's own frame (semi-axes e0 >= e1 > 0,
point (u, v) >= 0); the nearest point is x = (r u / (t + r - 1), v / t) with r = (e0 / e1)^2,
where t > 0 is the unique root of

    Q(t) = (r z0 / (t + r - 1))^2 + (z1 / t)^2 = 1,    z0 = u / e0,  z1 = v / e1.

Q is a sum of inverse squares of affine functions of t, so h(t) = Q(t)^(-1/2) is a power mean
with exponent -2: concave and increasing. Newton's method on h(t) = 1 started from the lower end
of the bracket [max(z1, r z0 + 1 - r), sqrt(r^2 z0^2 + z1^2)] therefore climbs monotonically to the
root without overshooting, and converges quadratically; near the pole t = 0 (points close to the
major axis inside the ellipse) h is almost linear, where Newton on Q itself would crawl.

On the major axis (v = 0) inside the evolute, |u| < (e0^2 - e1^2) / e0, two mirror minimisers tie:
the minimiser is not unique and F has a ridge. The tie-break reports the smaller z in [0, 2 pi)
(for the lecture's decoder, the one with z in (0, pi)), and ``unique`` is False there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm import portable
from lvebm.arguments import real_array, real_points
from lvebm.model import Decoder

TWO_PI = 2.0 * np.pi
MAX_NEWTON = 60
SWEEPS = 4
CHUNK = 1 << 14
STEP_RTOL = 4.0 * np.finfo(np.float64).eps
# An ellipse whose minor radius is below this share of its major one is solved as the segment
# of its major axis: r = (e0 / e1)^2 would pass 1e200 and the bracket overflow, while the
# distance to the segment differs from the distance to the ellipse by at most e1 (1e-100 e0).
FLAT_ASPECT = 1e-100
SCALE_RANGE = (1e-100, 1e100)  # major radii whose squares are safe to form


@dataclass(frozen=True)
class ExactFreeEnergy:
    """F_inf(y), z_check(y) in [0, 2 pi), whether z_check is unique, and Newton iterations.

    What :func:`free_energy_exact` and :func:`free_energy_ellipses` return, every field in the
    points' broadcast shape. Flags: F and z_check are NaN where a point or radius is not finite
    (nothing to solve), and F is inf where the squared distance exceeds the float range (z_check
    is still exact there).

    Parameters
    ----------
    z_check : ndarray
        The minimiser argmin_z E(y, z), float64, in [0, 2 pi); on the ridge, where two mirror
        minimisers tie, the smaller one.
    F : ndarray
        The free energy F_inf(y) = min_z E(y, z), the squared distance to the ellipse, float64.
    unique : ndarray
        Whether z_check is the only minimiser, bool: False on the ridge, at the centre, on a
        degenerate (flat) ellipse and where a point is not finite.
    n_iter : ndarray
        The Newton iterations of the root t of Q(t) = 1, int64 (0 where no Newton was needed:
        on an axis, at the centre, on a flat ellipse).

    Examples
    --------
    >>> r = free_energy_exact(Decoder(-1.45, 0.36), [2.0, float("nan")], [0.1, 0.1])
    >>> r.F.round(4).tolist(), r.unique.tolist(), r.n_iter.tolist()
    ([0.3111, nan], [True, False], [4, 0])
    """

    z_check: NDArray[np.float64]
    F: NDArray[np.float64]
    unique: NDArray[np.bool_]
    n_iter: NDArray[np.int64]


FIELDS = ("z_check", "F", "unique", "n_iter")


def _root_t(r, z0: np.ndarray, z1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Root t of Q(t) = 1 for z1 > 0, by monotone Newton on Q^(-1/2); returns (t, iterations).

    ``r`` is one ratio or one per point. All points take ``SWEEPS`` steps together (no
    bookkeeping); the few that still move are then iterated alone until the step is below a few
    ulps of t.
    """
    c0, c1 = r * z0, z1
    t = np.maximum(c1, c0 + (1.0 - r))  # lower end of the bracket: h(t) <= 1
    hi = portable.hypot(c0, c1)  # upper end: h(hi) >= 1 (hypot: no overflow for thin ellipses)
    iters = np.full(t.shape, SWEEPS, dtype=np.int64)
    for _ in range(SWEEPS):
        t, step = _newton_step(r, c0, c1, t, hi)
    active = np.flatnonzero(step > STEP_RTOL * t)
    tt, cc0, cc1, hh, rr = t[active], c0[active], c1[active], hi[active], _take(r, active)
    for _ in range(MAX_NEWTON - SWEEPS):
        if active.size == 0:
            break
        tt, step = _newton_step(rr, cc0, cc1, tt, hh)
        iters[active] += 1
        t[active] = tt
        keep = step > STEP_RTOL * tt
        active, tt, cc0, cc1, hh = active[keep], tt[keep], cc0[keep], cc1[keep], hh[keep]
        rr = _take(rr, keep)
    return t, iters


def _take(value, index):
    """``value[index]`` for a per-point array; a scalar (one ellipse for all points) as it is."""
    return value[index] if np.ndim(value) else value


def _pick(condition, if_true: np.ndarray, if_false: np.ndarray) -> np.ndarray:
    """``np.where`` that costs nothing when the condition is one scalar for all points."""
    if np.ndim(condition):
        return np.where(condition, if_true, if_false)
    return if_true if condition else if_false


def _newton_step(
    r, c0: np.ndarray, c1: np.ndarray, t: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One Newton step on h(t) = Q(t)^(-1/2) = 1, clipped to the bracket."""
    u0 = t + (r - 1.0)
    a2 = c0 / u0
    a2 *= a2
    b2 = c1 / t
    b2 *= b2
    q = a2 + b2
    # (1 - h) / h' = Q (sqrt(Q) - 1) / (a^2 / u0 + b^2 / t)
    step = q * (np.sqrt(q) - 1.0) / (a2 / u0 + b2 / t)
    np.maximum(step, 0.0, out=step)  # h is concave: iterates only climb (guards round-off)
    return np.minimum(t + step, hi), step


def free_energy_exact(decoder: Decoder, y1: ArrayLike, y2: ArrayLike) -> ExactFreeEnergy:
    """Exact F_inf and z_check for every point (y1, y2), vectorised; robust on axes and centre.

    Points are processed in cache-sized chunks; the result does not depend on the chunking. The
    solver is :func:`free_energy_ellipses` with the decoder's radii (the module's docstring
    derives it).

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.

    Returns
    -------
    ExactFreeEnergy
        ``z_check`` (in [0, 2 pi)), ``F`` (F_inf, the squared distance to the ellipse),
        ``unique`` (whether z_check is the only minimiser) and ``n_iter`` (Newton iterations),
        each in the points' broadcast shape (0-d for scalars); F and z_check are NaN where a
        point is not finite.

    Raises
    ------
    ValueError
        If the points are complex or not numeric, or cannot be broadcast together.

    See Also
    --------
    free_energy_ellipses : The same with one ellipse per point.

    Examples
    --------
    >>> r = free_energy_exact(Decoder(-1.45, 0.36), [2.0, 0.0], [0.1, 0.0])
    >>> r.F.round(4).tolist(), r.z_check.round(4).tolist(), r.unique.tolist()
    ([0.3111, 0.1296], [3.1028, 1.5708], [True, False])
    >>> free_energy_exact(Decoder(-1.45, 0.36), [[2.0], [0.0]], [0.1, 0.0, 0.5]).F.shape
    (2, 3)
    """
    return free_energy_ellipses(decoder.w1, decoder.w2, y1, y2)


def ridge_distance(decoder: Decoder, y1: ArrayLike, y2: ArrayLike) -> NDArray[np.float64]:
    """Distance from each point to the ridge of F_inf, where two mirror minimisers tie.

    The ridge is the segment of the major axis with |u| <= (e0^2 - e1^2) / e0 (between the
    evolute's cusps; u the coordinate along the major axis, e0 >= e1 the semi-axes); the centre
    alone for a circle. Broadcasts y1 and y2.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.

    Returns
    -------
    ndarray
        The Euclidean distance from each point to the ridge, float64, in the points' broadcast
        shape (0 on the ridge).

    Raises
    ------
    ValueError
        If the points are complex or not numeric, or cannot be broadcast together.

    Examples
    --------
    >>> ridge_distance(Decoder(-1.45, 0.36), [0.0, 3.0, 1.0], [0.5, 0.0, 0.0]).round(4).tolist()
    [0.5, 1.6394, 0.0]
    """
    y1, y2 = real_points(y1=y1, y2=y2)
    a1, a2 = abs(decoder.w1), abs(decoder.w2)
    major, minor, e0, e1 = (y1, y2, a1, a2) if a1 >= a2 else (y2, y1, a2, a1)
    half = (e0 - e1) * (e0 + e1) / e0
    return portable.hypot(np.maximum(np.abs(major) - half, 0.0), minor)


def free_energy_ellipses(
    w1: ArrayLike, w2: ArrayLike, y1: ArrayLike, y2: ArrayLike
) -> ExactFreeEnergy:
    """Exact F_inf and z_check of each point y against its own ellipse g(z) = [w1 cos z, w2 sin z].

    ``w1, w2`` broadcast with ``y1, y2``: scalars give one decoder for every point (the
    lecture), arrays one decoder per point (the conditional decoder, whose radii are f(x)).
    A zero radius makes the ellipse a segment on the other axis (solved exactly, z_check on the
    segment's end that is nearer); both radii zero is the single point 0. A point or radius that
    is NaN or infinite has F and z_check NaN.

    Parameters
    ----------
    w1, w2 : array_like
        The radii of the ellipses, broadcast with the points: scalars for one ellipse, arrays
        for one per point. Zero is allowed (a segment, or the point 0).
    y1, y2 : array_like
        The points' coordinates, broadcast together and with the radii.

    Returns
    -------
    ExactFreeEnergy
        ``z_check``, ``F``, ``unique`` and ``n_iter``, each in the broadcast shape of the points
        and the radii (0-d for scalars).

    Raises
    ------
    ValueError
        If a point or radius is complex or not numeric, or the four cannot be broadcast
        together.

    See Also
    --------
    free_energy_exact : The same for one decoder.

    Examples
    --------
    >>> r = free_energy_ellipses([2.0, 1.0], [1.0, 3.0], [3.0, 0.0], [0.0, 4.0])
    >>> r.F.tolist(), r.z_check.tolist()
    ([1.0, 1.0], [0.0, 1.5707963267948966])

    A zero radius: the ellipse is the segment from (-2, 0) to (2, 0):

    >>> free_energy_ellipses(2.0, 0.0, [3.0, 1.0], [0.0, 1.0]).F.tolist()
    [1.0, 1.0]
    """
    return ExactFreeEnergy(**_per_point(_solve, FIELDS, w1, w2, y1, y2))


def z_check_cos_sin(
    w1: ArrayLike, w2: ArrayLike, y1: ArrayLike, y2: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """cos z_check and sin z_check of each point against its own ellipse, without z_check.

    The solver of :func:`free_energy_ellipses` up to the foot point, whose unit vector
    (cos z_check, sin z_check) it returns: what a training's residuals y - g(z_check) need, with
    no arctan2 to form z_check and no cosine and sine to undo it. The pair is the one whose angle
    :func:`free_energy_ellipses` reports (the smaller z on the ridge); NaN where a point or radius
    is not finite.

    Parameters
    ----------
    w1, w2 : array_like
        The radii of the ellipses, broadcast with the points (as :func:`free_energy_ellipses`).
    y1, y2 : array_like
        The points' coordinates, broadcast together and with the radii.

    Returns
    -------
    cos_z, sin_z : ndarray
        Float64, in the broadcast shape of the points and the radii; cos_z^2 + sin_z^2 = 1 to
        rounding.

    Raises
    ------
    ValueError
        As :func:`free_energy_ellipses`.

    Examples
    --------
    >>> c, s = z_check_cos_sin([2.0, 1.0], [1.0, 3.0], [3.0, 0.0], [0.0, 4.0])
    >>> c.tolist(), s.tolist()
    ([1.0, 0.0], [0.0, 1.0])
    """
    out = _per_point(_foot, ("cos_z", "sin_z"), w1, w2, y1, y2)
    return out["cos_z"], out["sin_z"]


def _per_point(solve, fields: tuple[str, ...], w1, w2, y1, y2) -> dict[str, np.ndarray]:
    """``solve(w1, w2, y1, y2)``'s ``fields`` in the broadcast shape of the points and radii:
    the arguments checked, the points that are not finite left out (NaN, False or 0 there) and
    the rest solved in chunks of ``CHUNK`` points (the result does not depend on the chunking)."""
    y1, y2, w1, w2 = (real_array(n, v) for n, v in (("y1", y1), ("y2", y2), ("w1", w1), ("w2", w2)))
    shape = real_points(y1=y1, y2=y2, w1=w1, w2=w2)[0].shape
    y1, y2 = np.broadcast_to(y1, shape).ravel(), np.broadcast_to(y2, shape).ravel()
    per_point = w1.ndim or w2.ndim
    if per_point:
        w1, w2 = np.broadcast_to(w1, shape).ravel(), np.broadcast_to(w2, shape).ravel()
    else:
        w1, w2 = float(w1), float(w2)
    finite = np.isfinite(y1) & np.isfinite(y2) & np.isfinite(w1) & np.isfinite(w2)
    if not finite.all():  # NaN and infinities: no solution (NaN), not unique, no iteration
        inner = _per_point(
            solve,
            fields,
            w1[finite] if per_point else w1,
            w2[finite] if per_point else w2,
            y1[finite],
            y2[finite],
        )
        full = {}
        for field, values in inner.items():
            fill = {"b": False, "i": 0}.get(values.dtype.kind, np.nan)
            full[field] = np.full(y1.size, fill, dtype=values.dtype)
            full[field][finite] = values.ravel()
        return {field: values.reshape(shape) for field, values in full.items()}
    chunks = [slice(k, k + CHUNK) for k in range(0, y1.size, CHUNK)] or [slice(0, 0)]
    parts = [
        solve(_take(w1, c) if per_point else w1, _take(w2, c) if per_point else w2, y1[c], y2[c])
        for c in chunks
    ]
    return {
        field: np.concatenate([part[field] for part in parts]).reshape(shape) for field in fields
    }


def _solve(w1, w2, y1: np.ndarray, y2: np.ndarray) -> dict[str, np.ndarray]:
    """The solver on one chunk: :data:`FIELDS`. ``w1, w2`` are floats (one ellipse) or arrays
    (one per point)."""
    foot = _foot(w1, w2, y1, y2)
    cos_z, sin_z = foot["cos_z"], foot["sin_z"]
    z = _angle(cos_z, sin_z)
    r1 = y1 - w1 * cos_z
    r2 = y2 - w2 * sin_z
    with np.errstate(over="ignore"):  # F = inf flags a squared distance beyond the float range
        F = r1 * r1 + r2 * r2
    return {"z_check": z, "F": F, "unique": foot["unique"], "n_iter": foot["n_iter"]}


def _foot(w1, w2, y1: np.ndarray, y2: np.ndarray) -> dict[str, np.ndarray]:
    """The foot point's unit vector ``cos_z, sin_z`` on one chunk, ``unique`` and ``n_iter``."""
    a, b = np.abs(w1), np.abs(w2)
    vertical = b > a  # the major axis is y2
    e0, e1 = np.maximum(a, b), np.minimum(a, b)
    u = np.abs(_pick(vertical, y2, y1))  # coordinate along the major axis
    v = np.abs(_pick(vertical, y1, y2))  # along the minor axis
    xu = np.empty_like(u)  # nearest point, major coordinate
    xv = np.empty_like(v)  # nearest point, minor coordinate
    n_iter = np.zeros(u.shape, dtype=np.int64)

    flat = e1 <= FLAT_ASPECT * e0  # a segment (or a point, or as thin as one): no Newton
    off_axis = (v > 0.0) & ~flat
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # flat: not used
        r = (e0 / e1) ** 2
    if off_axis.all():  # the common case: no masking
        t, n_iter[:] = _root_t(r, u / e0, v / e1)
        np.minimum(r * u / (t + (r - 1.0)), e0, out=xu)
        np.minimum(v / t, e1, out=xv)
    elif off_axis.any():
        ee0, ee1, rr = _take(e0, off_axis), _take(e1, off_axis), _take(r, off_axis)
        t, n_iter[off_axis] = _root_t(rr, u[off_axis] / ee0, v[off_axis] / ee1)
        xu[off_axis] = np.minimum(rr * u[off_axis] / (t + (rr - 1.0)), ee0)
        xv[off_axis] = np.minimum(v[off_axis] / t, ee1)

    on_axis = ~off_axis & ~flat
    # squares of radii outside [1e-100, 1e100] would underflow or overflow: there the same
    # formulas are taken in the ellipse's own scale (q = e1 / e0)
    plain = (e0 >= SCALE_RANGE[0]) & (e0 <= SCALE_RANGE[1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        q = e1 / e0
        # evolute's cusp on the major axis
        focal = _pick(plain, (e0 * e0 - e1 * e1) / e0, (e0 - e1) * (1.0 + q))
    ridge = on_axis & (u < focal)
    outside = on_axis & ~ridge
    xu[outside], xv[outside] = _take(e0, outside), 0.0
    if ridge.any():
        er0, er1, qr = _take(e0, ridge), _take(e1, ridge), _take(q, ridge)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            xu[ridge] = _pick(
                _take(plain, ridge),
                er0 * er0 * u[ridge] / (er0 * er0 - er1 * er1),
                u[ridge] / ((1.0 - qr) * (1.0 + qr)),
            )
        xv[ridge] = er1 * np.sqrt(np.maximum(0.0, 1.0 - (xu[ridge] / er0) ** 2))
    if np.any(flat):
        ef = _take(e0, flat)
        xu[flat], xv[flat] = np.minimum(u[flat], ef), 0.0
    centre = (u == 0.0) & (v == 0.0)
    unique = ~(ridge | centre | flat)

    # Back to the decoder's frame with y's signs; the minor coordinate's sign is free on the ridge.
    su = np.where(_pick(vertical, y2, y1) < 0.0, -1.0, 1.0)
    sv = np.where(_pick(vertical, y1, y2) < 0.0, -1.0, 1.0)
    pu, pv = su * xu, sv * xv
    p1, p2 = _pick(vertical, pv, pu), _pick(vertical, pu, pv)
    if np.any(flat):  # the minor radius counts as zero for the latent (its share is < e1)
        cos_z, sin_z = _segment_latent(
            _pick(flat & vertical, 0.0, w1), _pick(flat & ~vertical, 0.0, w2), p1, p2, flat
        )
    else:
        cos_z, sin_z = p1 / w1, p2 / w2
    if not unique.all():
        # mirror minimiser: flip the minor coordinate; keep the smaller z in [0, 2 pi)
        flip_cos = ~unique & vertical & ~flat
        flip_sin = ~unique & np.logical_not(vertical) & ~flat
        z_a = _angle(cos_z, sin_z)
        z_b = _angle(np.where(flip_cos, -cos_z, cos_z), np.where(flip_sin, -sin_z, sin_z))
        take_b = z_b < z_a
        cos_z = np.where(take_b & flip_cos, -cos_z, cos_z)
        sin_z = np.where(take_b & flip_sin, -sin_z, sin_z)
    # The foot point lies on the ellipse up to round-off; normalise before use as (cos, sin).
    norm = np.sqrt(cos_z * cos_z + sin_z * sin_z)
    cos_z /= norm
    sin_z /= norm
    return {"cos_z": cos_z, "sin_z": sin_z, "unique": unique, "n_iter": n_iter}


def _segment_latent(w1, w2, p1, p2, flat):
    """cos z and sin z of the foot points; on a degenerate ellipse (a segment along the non-zero
    radius, ``flat``) the latent of the segment's point, the zero radius's factor taken as
    +sqrt(1 - c^2) (its sign does not change E, since it multiplies a zero radius); both radii
    zero gives z = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_z, sin_z = p1 / w1, p2 / w2
    w1f, w2f = (
        _take(np.broadcast_to(w1, flat.shape), flat),
        _take(np.broadcast_to(w2, flat.shape), flat),
    )
    c1 = np.where(w1f != 0.0, p1[flat] / np.where(w1f != 0.0, w1f, 1.0), 0.0)
    c2 = np.where(w2f != 0.0, p2[flat] / np.where(w2f != 0.0, w2f, 1.0), 0.0)
    both_zero = (w1f == 0.0) & (w2f == 0.0)
    c1 = np.where(both_zero, 1.0, np.where(w1f == 0.0, np.sqrt(np.maximum(0.0, 1.0 - c2 * c2)), c1))
    c2 = np.where(w2f == 0.0, np.sqrt(np.maximum(0.0, 1.0 - c1 * c1)), c2)
    c2 = np.where(both_zero, 0.0, c2)
    cos_z[flat], sin_z[flat] = c1, c2
    return cos_z, sin_z


def _angle(cos_z: np.ndarray, sin_z: np.ndarray) -> np.ndarray:
    """The angle in [0, 2 pi) with the given cosine and sine."""
    z = np.asarray(portable.arctan2(sin_z, cos_z))  # an array also for 0-d inputs
    z[z < 0.0] += TWO_PI
    z[z >= TWO_PI] = 0.0
    return z
