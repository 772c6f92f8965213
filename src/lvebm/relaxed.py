"""The relaxed (finite-temperature) free energy F_beta of the ellipse decoder.

    F_beta(y) = -(1/beta) log( (1/2 pi) integral_0^{2 pi} exp(-beta E(y, z)) dz )

marginalises the latent instead of minimising it (lecture 15-2). beta -> inf gives
F_inf = min_z E (cold); beta -> 0 gives the mean energy over z (hot).

**On the grid** of n latents z_k = 2 pi k / n (the lecture's 48) the integral is the mean
``F_beta = -(1/beta) log( (1/n) sum_k exp(-beta E_k) )``, a log-sum-exp. It is computed
relative to the grid's best latent k*: with ``S = sum_k exp(-beta (E_k - E_k*)) in [1, n]``,

    F_beta = E_k* + (log n - log S) / beta,

so nothing overflows or underflows for any beta and energy, and ``0 <= F_beta - min_k E_k <=
log(n) / beta`` holds in floating point. The exponents come from the expansion
``-beta E_k = beta (2 y . g(z_k) - |g(z_k)|^2) - beta |y|^2`` (the last term cancels), which
costs two multiply-adds per latent; E_k* itself is evaluated directly.

**Continuous** (``n=None``): the integrand is periodic and entire in z, so the trapezoid rule on
n equally spaced nodes (the grid mean again) converges faster than any power of n. For a peak of
width sigma = (beta E''(z_check))^(-1/2) its relative error is about 2 exp(-2 pi^2 sigma^2 / h^2)
with h = 2 pi / n, below 1e-13 once n >= 7.8 / sigma. Each point starts from the next power of two
above that estimate (at least 64 nodes), with the exponent shifted by the exact F_inf so the
integrand peaks at exactly 1, and doubles n (reusing the old nodes) until the integral and its
first moments change by less than ``RTOL`` relative: F then has a relative error of about 1e-13
/ (beta F), below 1e-10 for beta up to 1e4 on the lecture's scales (tests compare with
``scipy.integrate.quad``). Where the estimate exceeds ``MAX_NODES`` (beta E'' above about 4e6)
the peak is so narrow that the Laplace expansion around z_check with its first correction,

    F_beta = E* + [ (1/2) log(2 pi beta E'') - log(1 + c / beta) ] / beta,
    c = 5 E'''^2 / (24 E''^3) - E'''' / (8 E''^2),

is accurate to O((beta E'')^-2) relative in the integral; the mirror local minimum (across the
major axis, the other side of the ridge) is added with its own expansion when it exists.

The gradient is the soft-argmin average ``dF/dy = sum_k p_k 2 (y - g(z_k))`` with
``p_k = exp(-beta E_k) / sum_j exp(-beta E_j)``: cold, only the closest point pulls; warm, every
point pulls. ``z_mean`` is the circular mean of z under the same weights, NaN where their
resultant is shorter than ``Z_MEAN_MIN_RESULTANT`` (no direction to speak of).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm import portable
from lvebm.arguments import real_number, real_points
from lvebm.batched import Active, in_blocks, iterate
from lvebm.exact import TWO_PI, _angle, free_energy_exact
from lvebm.model import LATENT_N, Decoder, latent_grid

CHUNK_ELEMENTS = 1 << 16  # points x latents held at once (stays in cache)
MIN_NODES = 64
MAX_NODES = 1 << 14
NODES_PER_WIDTH = 7.8  # n >= 7.8 / sigma puts the trapezoid's relative error below 1e-13
RTOL = 1e-13
MAX_DOUBLINGS = 12
EPS = np.finfo(np.float64).eps
NOISE_ULPS = 64.0
DIRECT_EXPONENT = 600.0  # |exponent| below which exp needs no shift (exp(600) ~ 4e260)
LOWEST_EXPONENT = -708.0  # exp(-708) is the smallest normal-range value; less adds nothing
# z_mean is defined where the weights' resultant is at least this long: the means of cos z and
# sin z carry a rounding error of about 1e-14, so the angle is then known to about 1e-8 rad
Z_MEAN_MIN_RESULTANT = 1e-6
# The Laplace expansion's safeguards: the floor under E'' (a flat peak has a finite width), the
# Newton steps that find the mirror minimum, how far apart (radians) two minima must be to count
# as two, and the largest exponent taken (exp(700) ~ 1e304, below the float range's 1.8e308).
MIN_CURVATURE = 1e-300
MIRROR_NEWTON_STEPS = 30
DISTINCT_MINIMA = 1e-6
MAX_EXPONENT = 700.0


@dataclass(frozen=True)
class RelaxedFreeEnergy:
    """F_beta(y), its gradient, the soft-argmin means of cos z and sin z, and the weights.

    What :func:`free_energy_relaxed` returns, every field in the points' broadcast shape; the
    weights only on request.

    ``mean_cos``, ``mean_sin`` are the weighted means of cos z and sin z, so the weighted mean of
    the decoded points is ``(w1 mean_cos, w2 mean_sin)`` and ``dF/dy = 2 (y - that)``.
    ``nodes`` is the number of latents summed per point: n on the grid, the converged trapezoid
    size in the continuous case, 0 where a closed form was used (beta = inf: the exact solver;
    the Laplace expansion). ``weights`` (shape ``(..., n)``, grid only) are the soft-argmin
    weights p_k, summing to one.

    Parameters
    ----------
    F : ndarray
        The relaxed free energy F_beta(y), float64.
    dF_dy1, dF_dy2 : ndarray
        Its gradient, dF/dy = 2 (y - (w1 mean_cos, w2 mean_sin)).
    mean_cos, mean_sin : ndarray
        The soft-argmin means of cos z and sin z.
    nodes : ndarray
        The latents summed per point, int64: n on the grid, the converged trapezoid size in the
        continuous case, 0 where a closed form was used.
    weights : ndarray or None, optional
        The soft-argmin weights p_k, shape ``(..., n)`` (grid only, on request), or None.
    z_check : ndarray or None, optional
        The exact minimiser at beta = inf, else None.
    mean_cos_2z : ndarray or None, optional
        The weighted mean of cos 2z (so E[cos^2 z] = (1 + it) / 2), what the decoder's gradient
        needs; None on the grid without weights (the mesh maps' hot path).

    Examples
    --------
    >>> r = free_energy_relaxed(Decoder(-1.45, 0.36), [2.0, 0.0], [0.1, 0.0], 1.0, weights=True)
    >>> r.F.shape, r.weights.shape, r.weights.sum(axis=1).round(12).tolist(), r.nodes.tolist()
    ((2,), (2, 48), [1.0, 1.0], [48, 48])
    """

    F: NDArray[np.float64]
    dF_dy1: NDArray[np.float64]
    dF_dy2: NDArray[np.float64]
    mean_cos: NDArray[np.float64]
    mean_sin: NDArray[np.float64]
    nodes: NDArray[np.int64]
    weights: NDArray[np.float64] | None = None
    z_check: NDArray[np.float64] | None = None  # beta = inf only
    # weighted mean of cos 2z (so E[cos^2 z] = (1 + it) / 2): what the decoder's gradient needs;
    # always computed except on the grid without weights (the mesh maps' hot path)
    mean_cos_2z: NDArray[np.float64] | None = None

    @property
    def z_mean(self) -> NDArray[np.float64]:
        """Circular mean of z under the weights, in [0, 2 pi).

        It is z_check itself at beta = inf; NaN where the weights have no direction: their resultant
        length |(mean cos z, mean sin z)| is below ``Z_MEAN_MIN_RESULTANT`` (for example at y = 0,
        where the weights are symmetric and the resultant is zero up to rounding, whose angle is
        noise).

        Returns
        -------
        ndarray
            The circular mean of z, float64, in the points' broadcast shape (NaN where the
            weights have no direction).

        Examples
        --------
        >>> r = free_energy_relaxed(Decoder(-1.45, 0.36), [2.0, 0.0], [0.1, 0.0], 1.0)
        >>> r.z_mean.round(4).tolist()  # at y = 0 the weights are symmetric
        [3.1194, nan]
        """
        if self.z_check is not None:
            return self.z_check
        c, s = np.asarray(self.mean_cos), np.asarray(self.mean_sin)
        return np.where(portable.hypot(c, s) >= Z_MEAN_MIN_RESULTANT, _angle(c, s), np.nan)


def free_energy_relaxed(
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    beta: float,
    *,
    n: int | None = LATENT_N,
    weights: bool = False,
    workers: int = 1,
) -> RelaxedFreeEnergy:
    """F_beta at points (y1, y2) (broadcast), with dF/dy and the soft-argmin means.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    beta : float
        Inverse temperature, positive; ``numpy.inf`` gives the exact F_inf (and z_check).
    n : int or None, optional
        Latents of the grid z_k = 2 pi k / n (the lecture's mean over 48); ``None`` integrates
        over [0, 2 pi) continuously (see the module's docstring for the accuracy).
    weights : bool, optional
        Also return the soft-argmin weights on the grid (at beta = inf: one-hot at the best
        latent of the grid, shared equally between exact ties). Off by default.
    workers : int, optional
        Threads for the grid sum (contiguous blocks of points; results do not depend on it);
        1 by default.

    Returns
    -------
    RelaxedFreeEnergy
        ``F``, ``dF_dy1``, ``dF_dy2``, ``mean_cos``, ``mean_sin``, ``nodes`` and (except on the
        grid without weights) ``mean_cos_2z``, each in the points' broadcast shape (0-d for
        scalars); ``weights`` (shape ``(..., n)``) when asked for, and ``z_check`` at
        beta = inf, else None.

    Raises
    ------
    TypeError
        If ``beta`` is not a real number.
    ValueError
        If ``beta`` is not > 0 (or is NaN), ``n`` is neither a positive integer nor None, or
        ``weights`` is asked for without a grid (``n=None``).

    Examples
    --------
    >>> from lvebm.model import Decoder
    >>> r = free_energy_relaxed(Decoder(-1.45, 0.36), 0.0, 0.0, 1.0)
    >>> round(float(r.F), 4)  # equals -log(mean(exp(-E_k))) by scipy's logsumexp
    0.8862

    >>> hot = free_energy_relaxed(Decoder(-1.45, 0.36), [2.0], [0.1], beta=1.0)
    >>> cold = free_energy_relaxed(Decoder(-1.45, 0.36), [2.0], [0.1], beta=np.inf)
    >>> hot.F.round(4).tolist(), cold.F.round(4).tolist()
    ([1.6868], [0.3111])
    """
    beta = real_number("beta", beta)  # "1" or True is a mistake, not a temperature
    if not beta > 0.0:  # also refuses NaN
        raise ValueError(f"beta must be positive (numpy.inf for zero temperature), got {beta!r}")
    if n is not None and (int(n) != n or n < 1):
        raise ValueError(f"n must be a positive integer or None, got {n!r}")
    if weights and n is None:
        raise ValueError("weights are defined on the grid: pass an integer n")
    y1, y2 = real_points(y1=y1, y2=y2)
    shape = y1.shape
    flat1, flat2 = y1.ravel(), y2.ravel()

    def compute(a: np.ndarray, b: np.ndarray) -> _Flat:
        if np.isinf(beta):
            return _zero_temperature(decoder, a, b, None if n is None else int(n), weights)
        if n is None:
            return _continuous(decoder, a, b, beta)
        return _on_grid(decoder, a, b, beta, int(n), weights, workers)

    finite = np.isfinite(flat1) & np.isfinite(flat2)
    if finite.all():
        flat = compute(flat1, flat2)
    else:  # a point that is not finite: NaN (the convention), never in the arithmetic
        flat = _Flat(*(_among(v, finite) for v in compute(flat1[finite], flat2[finite])))

    def shaped(values, *trailing):
        return None if values is None else values.reshape((*shape, *trailing))

    return RelaxedFreeEnergy(
        F=shaped(flat.F),
        dF_dy1=shaped(2.0 * (flat1 - decoder.w1 * flat.mean_cos)),
        dF_dy2=shaped(2.0 * (flat2 - decoder.w2 * flat.mean_sin)),
        mean_cos=shaped(flat.mean_cos),
        mean_sin=shaped(flat.mean_sin),
        nodes=shaped(flat.nodes),
        weights=shaped(flat.weights, -1),
        z_check=shaped(flat.z_check),
        mean_cos_2z=shaped(flat.mean_cos_2z),
    )


def _among(values: np.ndarray | None, where: np.ndarray) -> np.ndarray | None:
    """Per-point ``values`` of the points ``where`` placed among all: the others NaN (0 for
    counts)."""
    if values is None:
        return None
    fill = 0 if values.dtype.kind in "iub" else np.nan
    out = np.full((where.size, *values.shape[1:]), fill, dtype=values.dtype)
    out[where] = values
    return out


class _Flat(NamedTuple):
    """What each way of computing F_beta (zero temperature, the grid, the continuous integral)
    gives for flat arrays of points: the fields of :class:`RelaxedFreeEnergy` before its
    gradient, those it does not compute None."""

    F: np.ndarray
    mean_cos: np.ndarray
    mean_sin: np.ndarray
    nodes: np.ndarray
    weights: np.ndarray | None = None
    z_check: np.ndarray | None = None
    mean_cos_2z: np.ndarray | None = None


def _zero_temperature(decoder, y1, y2, n, want_weights) -> _Flat:
    exact = free_energy_exact(decoder, y1, y2)
    p = None
    if want_weights:
        energy = decoder.energy(y1[:, None], y2[:, None], latent_grid(n)[None, :])
        best = energy == energy.min(axis=1, keepdims=True)
        p = best / best.sum(axis=1, keepdims=True)
    nodes = np.zeros(y1.shape, dtype=np.int64)
    z = exact.z_check
    return _Flat(exact.F, portable.cos(z), portable.sin(z), nodes, p, z, portable.cos(2.0 * z))


class _GridTerms(NamedTuple):
    """The per-latent terms of the grid sum at one beta: the latents' cos and sin, the decoded
    points g_k, the exponent's coefficients (a_k = c1 y1 + c2 y2 + bias), the direct path's
    factors exp(bias) (and times cos z, sin z), how far |2 beta y . g_k| may reach on it, log n
    and, for an even n, n / 2 (z_(k + n/2) = z_k + pi: g flips sign, |g| stays), else 0."""

    beta: float
    cos_z: np.ndarray
    sin_z: np.ndarray
    g1: np.ndarray
    g2: np.ndarray
    c1: np.ndarray
    c2: np.ndarray
    bias: np.ndarray
    scale: np.ndarray
    scale_cos: np.ndarray
    scale_sin: np.ndarray
    reach: float
    log_n: float
    half: int


def _grid_terms(decoder: Decoder, beta: float, n: int) -> _GridTerms:
    z = latent_grid(n)
    cos_z, sin_z = portable.cos(z), portable.sin(z)
    g1, g2 = decoder.w1 * cos_z, decoder.w2 * sin_z
    # exponent a_k = beta (2 y . g_k - |g_k|^2) = -beta E_k + beta |y|^2
    c1, c2, bias = 2.0 * beta * g1, 2.0 * beta * g2, -beta * (g1 * g1 + g2 * g2)
    scale = portable.exp(bias)  # the direct path's per-latent factor
    return _GridTerms(
        beta=beta,
        cos_z=cos_z,
        sin_z=sin_z,
        g1=g1,
        g2=g2,
        c1=c1,
        c2=c2,
        bias=bias,
        scale=scale,
        scale_cos=scale * cos_z,
        scale_sin=scale * sin_z,
        reach=DIRECT_EXPONENT + float(bias.min()),  # |2 beta y . g_k| must stay below this
        log_n=portable.log(n),
        half=n // 2 if n % 2 == 0 else 0,
    )


def _on_grid(decoder, y1, y2, beta, n, want_weights, workers) -> _Flat:
    """Grid mean of exp(-beta E_k) in cache-sized chunks. Each point takes one of two paths,
    chosen by its own values, and every operation is row-wise, so chunks and threads never
    change a bit.

    - Direct (:func:`_grid_direct`): where every exponent a_k = beta (2 y . g_k - |g_k|^2) has
      magnitude at most ``DIRECT_EXPONENT`` (moderate beta |y| |w|, the lecture's betas on its
      mesh), exp(a_k) needs no shift: ``S = sum_k exp(a_k)``, ``F = |y|^2 - log(S / n) / beta``;
      the bias exp(-beta |g_k|^2) is folded into the weighted sums. Six passes over the table
      and the exp.
    - Shifted (:func:`_grid_shifted`): elsewhere (and for the weights) relative to the best
      latent k*, ``F = E_k* + (log n - log S) / beta`` with S in [1, n], safe for any beta and
      energy.
    """
    terms = _grid_terms(decoder, beta, n)
    m = y1.size
    F, mean_cos, mean_sin = np.empty(m), np.empty(m), np.empty(m)
    p = np.empty((m, n)) if want_weights else None
    step = max(1, min(m, CHUNK_ELEMENTS // n))

    def block(lo_block, hi_block):
        a, tmp = np.empty((step, n)), np.empty((step, n))
        for lo in range(lo_block, hi_block, step):
            hi = min(lo + step, hi_block)
            u1, u2, rows = y1[lo:hi], y2[lo:hi], hi - lo
            if p is not None:
                safe = np.zeros(rows, dtype=bool)
            else:
                safe = 2.0 * beta * portable.hypot(decoder.w1 * u1, decoder.w2 * u2) <= terms.reach
            if safe.all():
                F[lo:hi], mean_cos[lo:hi], mean_sin[lo:hi] = _grid_direct(
                    terms, u1, u2, a[:rows], tmp[:rows]
                )
                continue
            if not safe.any():
                out_p = None if p is None else p[lo:hi]
                F[lo:hi], mean_cos[lo:hi], mean_sin[lo:hi] = _grid_shifted(
                    terms, u1, u2, a[:rows], tmp[:rows], out_p
                )
                continue
            for mask, kernel in ((safe, _grid_direct), (~safe, _grid_shifted)):
                idx = lo + np.flatnonzero(mask)
                k = idx.size
                args = (terms, y1[idx], y2[idx], a[:k], tmp[:k])
                result = kernel(*args) if kernel is _grid_direct else kernel(*args, None)
                F[idx], mean_cos[idx], mean_sin[idx] = result

    workers = max(1, min(int(workers), m))
    in_blocks(block, np.linspace(0, m, workers + 1).astype(int), workers)
    mean_2z = None if p is None else portable.dot(p, portable.cos(2.0 * latent_grid(n)))
    return _Flat(F, mean_cos, mean_sin, np.full(m, n, dtype=np.int64), p, None, mean_2z)


def _grid_direct(terms: _GridTerms, u1, u2, e, t):
    """F, mean cos z, mean sin z of the points (u1, u2) without a shift, in the scratch
    arrays ``e`` and ``t`` (rows x n); for an even n half the exponentials, the rest being
    their reciprocals (exp(-x) = 1 / exp(x))."""
    if terms.half:
        half = terms.half
        e, t = e.reshape(-1)[: e.size // 2], t.reshape(-1)[: t.size // 2]
        e, t = e.reshape(-1, half), t.reshape(-1, half)
        np.multiply(u1[:, None], terms.c1[:half], out=e)
        np.multiply(u2[:, None], terms.c2[:half], out=t)
        e += t
        e[...] = portable.exp(e)  # exp(beta 2 y . g_k), k < n/2
        np.divide(1.0, e, out=t)  # exp(beta 2 y . g_(k + n/2))
        scale = terms.scale[:half]
        total = portable.dot(e, scale) + portable.dot(t, scale)
        e -= t
        mc = portable.dot(e, terms.scale_cos[:half]) / total
        ms = portable.dot(e, terms.scale_sin[:half]) / total
    else:
        np.multiply(u1[:, None], terms.c1, out=e)
        np.multiply(u2[:, None], terms.c2, out=t)
        e += t
        e[...] = portable.exp(e)  # exp(beta 2 y . g_k), within exp(+-DIRECT_EXPONENT)
        total = portable.dot(e, terms.scale)
        mc = portable.dot(e, terms.scale_cos) / total
        ms = portable.dot(e, terms.scale_sin) / total
    f = (u1 * u1 + u2 * u2) - (portable.log(total) - terms.log_n) / terms.beta
    return f, mc, ms


def _grid_shifted(terms: _GridTerms, u1, u2, e, t, out_p):
    """F, mean cos z, mean sin z of the points (u1, u2) relative to their best latent, the
    weights into ``out_p`` when given."""
    np.multiply(u1[:, None], terms.c1, out=e)
    np.multiply(u2[:, None], terms.c2, out=t)
    e += t
    e += terms.bias
    best = e.argmax(axis=1)
    e -= np.take_along_axis(e, best[:, None], axis=1)
    np.maximum(e, LOWEST_EXPONENT, out=e)  # keeps exp off its slow subnormal path
    e[...] = portable.exp(e)  # e_k in (0, 1], exactly 1 at the best latent
    total = e.sum(axis=1)  # S in [1, n]
    r1, r2 = u1 - terms.g1[best], u2 - terms.g2[best]
    f = (r1 * r1 + r2 * r2) + (terms.log_n - portable.log(total)) / terms.beta
    if out_p is not None:
        np.divide(e, total[:, None], out=out_p)
    mean_cos = portable.dot(e, terms.cos_z) / total
    return f, mean_cos, portable.dot(e, terms.sin_z) / total


def _derivatives(decoder, y1, y2, z):
    """E'', E''' and E'''' of E(y, .) at z (E = const - 2 w1 y1 cos z - 2 w2 y2 sin z
    + (w1^2 - w2^2) cos(2 z) / 2)."""
    a, b = 2.0 * decoder.w1 * y1, 2.0 * decoder.w2 * y2
    d = decoder.w1**2 - decoder.w2**2
    c, s, c2, s2 = portable.cos(z), portable.sin(z), portable.cos(2.0 * z), portable.sin(2.0 * z)
    e2 = decoder.energy_dz2(y1, y2, z)  # the decoder's own E''
    e3 = -a * s + b * c + 4.0 * d * s2
    e4 = -a * c - b * s + 8.0 * d * c2
    return e2, e3, e4


def _trapezoid_sums(decoder, y1, y2, beta, shift, n, offset):
    """sum_k e_k, sum_k e_k cos z_k, sum_k e_k sin z_k with e_k = exp(-beta (E(z_k) - shift))
    over the nodes z_k = 2 pi (k + offset) / n, for points of one group (arrays (m,))."""
    z = TWO_PI * (np.arange(n) + offset) / n
    cos_z, sin_z = portable.cos(z), portable.sin(z)
    g1, g2 = decoder.w1 * cos_z, decoder.w2 * sin_z
    cos_2z = portable.cos(2.0 * z)
    out = np.empty((4, y1.size))
    step = max(1, CHUNK_ELEMENTS // n)
    for lo in range(0, y1.size, step):
        hi = min(lo + step, y1.size)
        r1 = y1[lo:hi, None] - g1
        r2 = y2[lo:hi, None] - g2
        e = r1 * r1
        e += r2 * r2
        e -= shift[lo:hi, None]
        e *= -beta
        np.minimum(e, 0.0, out=e)  # E >= F_inf; clip round-off so the peak is exactly <= 1
        e[...] = portable.exp(e)
        out[0, lo:hi] = e.sum(axis=1)
        out[1, lo:hi] = (e * cos_z).sum(axis=1)
        out[2, lo:hi] = (e * sin_z).sum(axis=1)
        out[3, lo:hi] = (e * cos_2z).sum(axis=1)
    return out


def _continuous(decoder, y1, y2, beta) -> _Flat:
    exact = free_energy_exact(decoder, y1, y2)
    e2, _, e4 = _derivatives(decoder, y1, y2, exact.z_check)
    # the peak's width: quadratic (E'') or, near the evolute's cusp where E'' -> 0, quartic
    with np.errstate(divide="ignore", over="ignore"):  # flat directions: infinite widths
        quadratic = 1.0 / np.sqrt(beta * np.maximum(e2, 0.0))
        quartic = np.sqrt(np.sqrt(24.0 / (beta * np.abs(e4))))  # ** 0.25 would be libm's pow
    estimate = NODES_PER_WIDTH / np.minimum(quadratic, quartic)  # h = 2 pi / n <= 0.81 width
    # Laplace where the peak is too narrow for MAX_NODES and its width is set by E''
    laplace = (estimate > MAX_NODES) & (quadratic <= quartic)
    m = y1.size
    sums = np.zeros((4, m))
    nodes = np.zeros(m, dtype=np.int64)
    mantissa, exponent = np.frexp(np.clip(estimate, MIN_NODES, MAX_NODES))
    start = np.left_shift(1, exponent - (mantissa == 0.5)).astype(np.int64)  # 2^ceil(log2), exact
    for n0 in np.unique(start[~laplace]):
        group = np.flatnonzero((start == n0) & ~laplace)
        shift = exact.F[group]
        # the exponents carry round-off of about beta ulp(E): a floor under the tolerance
        tol = RTOL + NOISE_ULPS * EPS * beta * shift
        first = _trapezoid_sums(decoder, y1[group], y2[group], beta, shift, n0, 0.0) / n0
        # the points still refining, with their four sums as rows (point-major)
        run = Active(group, y1=y1[group], y2=y2[group], shift=shift, tol=tol, sums=first.T)

        def double(run, k, n0=n0):
            """Round k: the midpoints of the n0 2^k nodes; a point whose sums moved less than
            its tolerance is finished (its sums written)."""
            n = n0 << k
            mid = _trapezoid_sums(decoder, run.y1, run.y2, beta, run.shift, n, 0.5) / n
            refined = 0.5 * (run.sums.T + mid)
            change = np.abs(refined - run.sums.T).max(axis=0)
            run.sums = refined.T
            nodes[run.pos] = 2 * n
            done = change <= run.tol * refined[0]
            sums[:, run.pos[done]] = refined[:, done]
            return done

        iterate(run, double, MAX_DOUBLINGS)
        sums[:, run.pos] = run.sums.T  # out of doublings: the last refinement
    F = np.empty(m)
    mean_cos, mean_sin, mean_2z = np.empty(m), np.empty(m), np.empty(m)
    quad = ~laplace
    F[quad] = exact.F[quad] - portable.log(sums[0, quad]) / beta
    mean_cos[quad] = sums[1, quad] / sums[0, quad]
    mean_sin[quad] = sums[2, quad] / sums[0, quad]
    mean_2z[quad] = sums[3, quad] / sums[0, quad]
    if laplace.any():
        idx = np.flatnonzero(laplace)
        F[idx], mean_cos[idx], mean_sin[idx], mean_2z[idx] = _laplace(
            decoder, y1[idx], y2[idx], beta, exact.z_check[idx], exact.F[idx]
        )
    return _Flat(F, mean_cos, mean_sin, nodes, mean_cos_2z=mean_2z)


def _laplace(decoder, y1, y2, beta, z_star, F_star):
    """Laplace expansion (with the first correction) around z_check and the mirror minimum."""

    def log_integral(z, rows=slice(None)):
        """log of (1/2 pi) int exp(-beta (E - E(z))) over the peak at the minimum z."""
        e2, e3, e4 = _derivatives(decoder, y1[rows], y2[rows], z)
        e2 = np.maximum(e2, MIN_CURVATURE)
        c = 5.0 * e3 * e3 / (24.0 * e2 * e2 * e2) - e4 / (8.0 * e2 * e2)
        return -0.5 * portable.log(TWO_PI * beta * e2) + portable.log1p(c / beta)

    log_i1 = log_integral(z_star)
    # the mirror minimum across the major axis: Newton on E' from the mirrored latent
    mirror = -z_star if abs(decoder.w1) >= abs(decoder.w2) else np.pi - z_star
    z2 = mirror.copy()
    for _ in range(MIRROR_NEWTON_STEPS):
        e1 = decoder.energy_dz(y1, y2, z2)
        e2 = decoder.energy_dz2(y1, y2, z2)
        z2 = z2 - np.where(e2 > 0.0, e1 / np.where(e2 > 0.0, e2, 1.0), 0.0)
    F2 = decoder.energy(y1, y2, z2)
    gap = z2 - z_star
    distinct = (
        np.abs(gap - TWO_PI * np.rint(gap / TWO_PI)) > DISTINCT_MINIMA
    )  # wrapped to [-pi, pi]
    minimum = decoder.energy_dz2(y1, y2, z2) > 0.0
    second = distinct & minimum & (beta * (F2 - F_star) < MAX_EXPONENT)
    ratio = np.zeros(y1.shape)
    if second.any():
        log_i2 = log_integral(z2[second], second)
        gap = beta * (F2[second] - F_star[second])
        ratio[second] = portable.exp(np.minimum(log_i2 - log_i1[second] - gap, MAX_EXPONENT))
    F = F_star - (log_i1 + portable.log1p(ratio)) / beta
    w = 1.0 / (1.0 + ratio)
    moments = _peak_moments(decoder, y1, y2, beta, z_star)
    if second.any():
        others = _peak_moments(decoder, y1[second], y2[second], beta, z2[second])
        ws = w[second]
        for mine, other in zip(moments, others, strict=True):
            mine[second] = ws * mine[second] + (1.0 - ws) * other
    return (F, *moments)


def _peak_moments(decoder, y1, y2, beta, z):
    """Means of cos z, sin z and cos 2z under exp(-beta E) near a minimum z: with delta = z' - z,
    E[delta] = -E''' / (2 beta E''^2) and Var[delta] = 1 / (beta E''), up to O((beta E'')^-2)."""
    e2, e3, _ = _derivatives(decoder, y1, y2, z)
    e2 = np.maximum(e2, MIN_CURVATURE)
    shift, var = -e3 / (2.0 * beta * e2 * e2), 1.0 / (beta * e2)
    c, s = portable.cos(z), portable.sin(z)
    c2, s2 = portable.cos(2.0 * z), portable.sin(2.0 * z)
    return (
        c - s * shift - 0.5 * c * var,
        s + c * shift - 0.5 * s * var,
        c2 - 2.0 * s2 * shift - 2.0 * c2 * var,
    )
