"""Variational inference on the horn, scored against the exact free energy.

A variational method replaces the posterior p(z|y), proportional to exp(-beta E(y, z)) under the
lecture's uniform prior on the circle, by a simple family q(z|y) and minimises the variational
free energy

    F_q(y) = E_q[E(y, z)] + (1/beta) KL(q || uniform)  >=  F_beta(y),

with equality only at q = p(z|y) (Gibbs' inequality). Here the family is the von Mises
distribution q(z) = exp(kappa cos(z - mu)) / (2 pi I0(kappa)), whose moments are Bessel ratios:
E_q[cos(z - mu)] = A1(kappa) = I1/I0, E_q[cos 2(z - mu)] = A2(kappa) = I2/I0, and
KL(q || uniform) = kappa A1 - log I0(kappa). Expanding the energy,

    E(y, z) = |y|^2 + (w1^2 + w2^2)/2 - a cos z - b sin z + c cos 2z,
    a = 2 w1 y1,  b = 2 w2 y2,  c = (w1^2 - w2^2)/2,

so F_q is closed form:

    F_q = |y|^2 + (w1^2 + w2^2)/2 - A1 (a cos mu + b sin mu) + c A2 cos 2mu
          + (kappa A1 - log I0(kappa)) / beta,

and its gradient: dF_q/dmu = A1 (a sin mu - b cos mu) - 2 c A2 sin 2mu and
dF_q/dkappa = -A1' (a cos mu + b sin mu) + c A2' cos 2mu + kappa A1' / beta, with
A1' = 1 - A1/kappa - A1^2 and A2' = A1 - 2 A2/kappa - A1 A2 (from I1' = I0 - I1/kappa and
I2' = I1 - 2 I2/kappa).

**The best von Mises q*.** At fixed kappa, F_q in mu is the lecture's energy of another ellipse
and point: with s = sqrt(A2), the decoder (s w1, s w2) and the point (A1/s) y give
-2 (s w1)(A1 y1 / s) cos mu - ... = -A1 a cos mu - ..., and ((s w1)^2 - (s w2)^2)/2 = c A2. So
mu*(kappa) is that ellipse's z_check (:func:`lvebm.exact.free_energy_ellipses`, exact, with its
ties), and G(kappa) = min_mu F_q is one-dimensional: :func:`best_q` evaluates it on a log-spaced
grid of kappa, brackets the grid's minimum and solves dG/dlog kappa = kappa dF_q/dkappa (at
mu*(kappa), by the envelope theorem) = 0 by a safeguarded secant in log kappa, to rounding; the
lowest F_q met wins, so q* is never above any q tried.

**The two gaps** (Cremer, Li and Duvenaud 2018, with the exact F_beta instead of an estimate):
for an encoder's q_enc(y), F_q_enc - F_beta = (F_q_enc - F_q*) + (F_q* - F_beta): the amortization
gap (the encoder against the best q of the family) and the approximation gap (the family against
the posterior). Where the posterior has two equal modes (the ridge, where z_check jumps), a
unimodal q holds one: beta (F_q* - F_beta) -> log 2 as beta grows.

**The exact posterior** is a generalized von Mises of order 2,
p(z|y) = exp(-beta (E(y, z) - F_beta(y))) / (2 pi) (:func:`posterior_density`);
:func:`sample_posterior` draws from it exactly by rejection from a von Mises envelope, with a
rigorous bound on log p/q (a grid's maximum plus the curvature bound h^2 |r''|max / 8), and
reports the acceptance rate. :func:`bessel_series_free_energy` is the test oracle: F_beta from
the Bessel series of the normaliser (Gatto and Jammalamadaka 2007),
I0(k1) I0(k2) + 2 sum_j I_2j(k1) I_j(k2) cos 2j(m1 - m2), whose alternating terms cancel as beta
grows: it returns NaN where the cancellation would cost more than its tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm import portable
from lvebm.arguments import count, real_number, real_points
from lvebm.columns import concat
from lvebm.data import stream
from lvebm.exact import free_energy_ellipses, free_energy_exact, ridge_distance
from lvebm.model import Decoder
from lvebm.network import Network, train
from lvebm.relaxed import free_energy_relaxed
from lvebm.temperatures import beta_label

Array = NDArray[np.float64]

LOG_TWO_PI = 1.8378770664093456  # log(2 pi), correctly rounded
# the Bessel functions: the power series up to SERIES_LIMIT, the asymptotic series above
SERIES_LIMIT = 25.0
SERIES_TERMS = 90
ASYMPTOTIC_TERMS = 40
# best_q's search in log kappa: the grid's range and points, the secant's steps
KAPPA_RANGE = (1e-8, 1e7)
KAPPA_GRID = 61
EPS = np.finfo(np.float64).eps
TWO_PI = 2.0 * np.pi
MAX_SECANT = 80


class BesselRatios(NamedTuple):
    """The von Mises family's moments at kappa (what :func:`bessel_ratios` returns).

    Parameters
    ----------
    A1, A2 : ndarray
        I1/I0 and I2/I0: E_q[cos(z - mu)] and E_q[cos 2(z - mu)].
    log_i0 : ndarray
        log I0(kappa).
    dA1, dA2 : ndarray
        dA1/dkappa and dA2/dkappa.

    Examples
    --------
    >>> float(bessel_ratios(0.0).dA1)
    0.5
    """

    A1: Array
    A2: Array
    log_i0: Array
    dA1: Array
    dA2: Array


def bessel_ratios(kappa: ArrayLike) -> BesselRatios:
    """A1(kappa) = I1/I0, A2 = I2/I0, log I0(kappa) and dA1/dkappa, dA2/dkappa, for kappa >= 0.

    From basic operations (the same bits on every CPU): for kappa <= 25 the power series
    I_n(k) = (k/2)^n sum_j (k^2/4)^j / (j! (j+n)!) (positive terms; the ratios without
    overflow), above it the asymptotic series of e^-k sqrt(2 pi k) I_n(k) for n = 0, 1 and
    A2 = 1 - 2 A1 / kappa. The derivatives: A1' = 1 - A1/kappa - A1^2, A2' = A1 - 2 A2/kappa -
    A1 A2, with A1/kappa and A2/kappa from the series near 0.

    Parameters
    ----------
    kappa : array_like
        Concentrations, >= 0.

    Returns
    -------
    BesselRatios

    Examples
    --------
    >>> r = bessel_ratios([0.0, 1.0, 100.0])
    >>> r.A1.round(6).tolist(), r.A2.round(6).tolist()
    ([0.0, 0.44639, 0.994987], [0.0, 0.10722, 0.9801])
    """
    k = np.asarray(kappa, dtype=np.float64)
    A1, A2, log_i0, a1k, a2k = (np.empty(k.shape) for _ in range(5))
    small = k <= SERIES_LIMIT
    if small.any():
        ks = k[small]
        q = 0.25 * ks * ks
        t0, t1, t2 = np.ones(ks.shape), np.ones(ks.shape), np.full(ks.shape, 0.5)
        rest0, s1, s2 = np.zeros(ks.shape), np.ones(ks.shape), np.full(ks.shape, 0.5)
        # the terms fall below 1e-17 of the sum within kappa + 40 of them
        for j in range(1, min(SERIES_TERMS, int(np.max(ks)) + 40)):
            t0 = t0 * q / float(j * j)
            t1 = t1 * q / float(j * (j + 1))
            t2 = t2 * q / float(j * (j + 2))
            rest0, s1, s2 = rest0 + t0, s1 + t1, s2 + t2
        s0 = 1.0 + rest0
        a1k[small] = 0.5 * s1 / s0  # A1 / kappa
        a2k[small] = 0.25 * ks * s2 / s0  # A2 / kappa = (kappa / 4) S2 / S0
        A1[small] = ks * a1k[small]
        A2[small] = 0.25 * ks * ks * s2 / s0
        log_i0[small] = portable.log1p(rest0)
    big = ~small
    if big.any():
        kb = k[big]
        u0, u1 = np.ones(kb.shape), np.ones(kb.shape)
        total0, total1 = np.ones(kb.shape), np.ones(kb.shape)
        for j in range(1, ASYMPTOTIC_TERMS):
            odd = float((2 * j - 1) ** 2)
            # term j of e^-k sqrt(2 pi k) I_nu(k): (-1)^j prod_i (4 nu^2 - (2i-1)^2) / (j! (8k)^j)
            u0 = u0 * (-odd) / (8.0 * j * kb)
            u1 = u1 * (4.0 - odd) / (8.0 * j * kb)
            sign = -1.0 if j % 2 else 1.0
            total0 = total0 + sign * u0
            total1 = total1 + sign * u1
        A1[big] = total1 / total0
        A2[big] = 1.0 - 2.0 * A1[big] / kb
        log_i0[big] = kb + portable.log(total0) - 0.5 * (LOG_TWO_PI + portable.log(kb))
        a1k[big], a2k[big] = A1[big] / kb, A2[big] / kb
    dA1 = 1.0 - a1k - A1 * A1
    dA2 = A1 - 2.0 * a2k - A1 * A2
    return BesselRatios(A1[()], A2[()], log_i0[()], dA1[()], dA2[()])


class VariationalFreeEnergy(NamedTuple):
    """F_q(y; mu, kappa) and its gradient (what :func:`variational_free_energy` returns).

    Parameters
    ----------
    F : ndarray
        F_q, in the broadcast shape of the arguments.
    dF_dmu, dF_dkappa : ndarray
        Its derivatives in mu and in kappa.

    Examples
    --------
    >>> q = variational_free_energy(Decoder(2.0, 1.0), 1.0, 0.0, 0.0, 0.0, 1.0)
    >>> float(q.F), float(q.dF_dmu)
    (3.5, 0.0)
    """

    F: Array
    dF_dmu: Array
    dF_dkappa: Array


def _coefficients(decoder: Decoder, y1, y2):
    """|y|^2 + (w1^2 + w2^2)/2, a = 2 w1 y1, b = 2 w2 y2 and c = (w1^2 - w2^2)/2."""
    w1, w2 = decoder.w1, decoder.w2
    base = y1 * y1 + y2 * y2 + 0.5 * (w1 * w1 + w2 * w2)
    return base, 2.0 * w1 * y1, 2.0 * w2 * y2, 0.5 * (w1 - w2) * (w1 + w2)


def variational_free_energy(
    decoder: Decoder, y1: ArrayLike, y2: ArrayLike, mu: ArrayLike, kappa: ArrayLike, beta: float
) -> VariationalFreeEnergy:
    """F_q = E_q[E(y, z)] + KL(q || uniform) / beta for q = von Mises(mu, kappa), closed form.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points.
    mu, kappa : array_like
        q's mean direction and concentration (>= 0), broadcast with the points.
    beta : float
        The inverse temperature, > 0.

    Returns
    -------
    VariationalFreeEnergy
        F_q, dF_q/dmu and dF_q/dkappa (the module's docstring derives them).

    Examples
    --------
    At kappa = 0 q is uniform: F_q is the mean energy over z, |y|^2 + (w1^2 + w2^2)/2:

    >>> float(variational_free_energy(Decoder(2.0, 1.0), 1.0, 0.0, 0.0, 0.0, 1.0).F)
    3.5
    """
    y1, y2, mu, kappa = np.broadcast_arrays(*real_points(y1=y1, y2=y2, mu=mu, kappa=kappa))
    beta = real_number("beta", beta)
    if not beta > 0.0:
        raise ValueError(f"beta must be > 0, not {beta!r}")
    if np.any(kappa < 0.0):
        raise ValueError("kappa must be >= 0")
    r = bessel_ratios(kappa)
    base, a, b, c = _coefficients(decoder, y1, y2)
    s, co = portable.sincos(mu)
    s2, c2 = 2.0 * s * co, (co - s) * (co + s)  # sin 2mu, cos 2mu
    along = a * co + b * s
    F = base - r.A1 * along + c * r.A2 * c2 + (kappa * r.A1 - r.log_i0) / beta
    dmu = r.A1 * (a * s - b * co) - 2.0 * c * r.A2 * s2
    dkappa = -r.dA1 * along + c * r.dA2 * c2 + kappa * r.dA1 / beta
    return VariationalFreeEnergy(F[()], dmu[()], dkappa[()])


def _best_mu(decoder: Decoder, y1, y2, kappa):
    """mu*(kappa): z_check of the ellipse (s w1, s w2) at the point (A1 / s) y, s = sqrt(A2)."""
    r = bessel_ratios(kappa)
    s = np.sqrt(r.A2)
    scale = np.where(s > 0.0, r.A1 / np.where(s > 0.0, s, 1.0), 0.0)
    return free_energy_ellipses(s * decoder.w1, s * decoder.w2, scale * y1, scale * y2).z_check


class BestQ(NamedTuple):
    """The best von Mises q* per point (what :func:`best_q` returns).

    Parameters
    ----------
    mu, kappa : ndarray
        q*'s mean direction in [0, 2 pi) and concentration.
    F : ndarray
        F_q*.
    n_iter : ndarray
        The secant's steps in log kappa, int64.

    Examples
    --------
    >>> q = best_q(Decoder(2.0, 1.5), 3.0, 0.0, 10.0)
    >>> round(float(q.mu), 6), bool(q.kappa > 10)
    (0.0, True)
    """

    mu: Array
    kappa: Array
    F: Array
    n_iter: NDArray[np.int64]


def best_q(decoder: Decoder, y1: ArrayLike, y2: ArrayLike, beta: float) -> BestQ:
    """The von Mises q* = argmin F_q(y; mu, kappa) at each point (the module's docstring).

    Parameters
    ----------
    decoder : Decoder
        The decoder.
    y1, y2 : array_like
        The points, finite.
    beta : float
        The inverse temperature, > 0.

    Returns
    -------
    BestQ
        mu* in [0, 2 pi) (of two that tie, the smaller), kappa*, F_q* and the secant's steps, in
        the points' broadcast shape.

    Examples
    --------
    >>> q = best_q(Decoder(2.0, 1.5), [3.0, 0.0], [0.0, 1.0], 10.0)
    >>> q.mu.round(6).tolist(), q.kappa.round(1).tolist()
    ([0.0, 1.570796], [85.6, 64.2])
    """
    y1, y2 = np.broadcast_arrays(*real_points(y1=y1, y2=y2))
    shape = y1.shape
    y1, y2 = y1.ravel(), y2.ravel()
    if not (np.isfinite(y1).all() and np.isfinite(y2).all()):
        raise ValueError("the points y1, y2 must be finite")
    beta = real_number("beta", beta)
    if not (beta > 0.0 and np.isfinite(beta)):
        raise ValueError(f"beta must be finite and > 0, not {beta!r}")
    n = y1.size
    logs = np.linspace(*portable.log(np.array(KAPPA_RANGE)), KAPPA_GRID)
    kappas = portable.exp(logs)
    table = np.empty((n, KAPPA_GRID))
    mus = np.empty((n, KAPPA_GRID))
    for j, kappa in enumerate(kappas):
        mus[:, j] = _best_mu(decoder, y1, y2, np.full(n, kappa))
        table[:, j] = variational_free_energy(decoder, y1, y2, mus[:, j], kappa, beta).F
    k = np.argmin(table, axis=1)
    rows = np.arange(n)
    best = [table[rows, k], mus[rows, k], kappas[k]]  # F, mu, kappa: the lowest F_q met

    def evaluate(t, pos):
        """F_q at mu*(kappa), kappa = e^t, and dG/dlog kappa = kappa dF_q/dkappa there (the
        envelope theorem), for the points ``pos``; the lowest F_q met is kept."""
        kappa = portable.exp(t)
        a, b = y1[pos], y2[pos]
        mu = _best_mu(decoder, a, b, kappa)
        q = variational_free_energy(decoder, a, b, mu, kappa, beta)
        better = q.F < best[0][pos]
        for field, value in zip(best, (q.F, mu, kappa), strict=True):
            field[pos[better]] = value[better]
        return kappa * q.dF_dkappa

    lo = logs[np.maximum(k - 1, 0)]
    hi = logs[np.minimum(k + 1, KAPPA_GRID - 1)]
    g_lo, g_hi = evaluate(lo, rows), evaluate(hi, rows)
    n_iter = np.zeros(n, dtype=np.int64)
    run = rows[(g_lo < 0.0) & (g_hi > 0.0)]  # bracketed: a root of dG/dlog kappa inside
    for _ in range(MAX_SECANT):
        if run.size == 0:
            break
        a, b, ga, gb = lo[run], hi[run], g_lo[run], g_hi[run]
        t = (a * gb - b * ga) / (gb - ga)  # regula falsi, kept inside the bracket
        t = np.where((t > a) & (t < b), t, 0.5 * (a + b))
        g = evaluate(t, run)
        n_iter[run] += 1
        left = g < 0.0
        lo[run], g_lo[run] = np.where(left, t, a), np.where(left, g, ga)
        hi[run], g_hi[run] = np.where(left, b, t), np.where(left, gb, g)
        # Illinois: halve the end that stays, so that the secant does not crawl from one side
        g_hi[run] = np.where(left, 0.5 * g_hi[run], g_hi[run])
        g_lo[run] = np.where(left, g_lo[run], 0.5 * g_lo[run])
        width = hi[run] - lo[run]
        done = (g == 0.0) | (width <= 4.0 * EPS * np.maximum(1.0, np.abs(t)))
        run = run[~done]
    F, mu, kappa = best
    return BestQ(
        np.mod(mu, TWO_PI).reshape(shape)[()],
        kappa.reshape(shape)[()],
        F.reshape(shape)[()],
        n_iter.reshape(shape)[()],
    )


def posterior_density(decoder: Decoder, y1: float, y2: float, beta: float, z: ArrayLike) -> Array:
    """The exact posterior p(z|y) = exp(-beta (E(y, z) - F_beta(y))) / (2 pi), on [0, 2 pi).

    Parameters
    ----------
    decoder : Decoder
        The decoder.
    y1, y2 : float
        One point.
    beta : float
        The inverse temperature, > 0 and finite.
    z : array_like
        Latents.

    Returns
    -------
    ndarray
        The density at each z (it integrates to 1 over the circle).

    Examples
    --------
    >>> z = np.linspace(0.0, 2 * np.pi, 2001)[:-1]
    >>> p = posterior_density(Decoder(2.0, 1.5), 1.0, 0.5, 3.0, z)
    >>> round(float(np.mean(p) * 2 * np.pi), 12)
    1.0
    """
    F = float(free_energy_relaxed(decoder, y1, y2, beta, n=None).F)
    E = decoder.energy(y1, y2, np.asarray(z, dtype=np.float64))
    return portable.exp(-beta * (E - F)) / TWO_PI


def vonmises(rng: np.random.Generator, mu: float, kappa: float, size: int) -> Array:
    """Draws from von Mises(mu, kappa) by Best and Fisher's rejection (1979), in portable
    arithmetic (NumPy's own sampler calls the platform's libm), angles in [0, 2 pi).

    Parameters
    ----------
    rng : numpy.random.Generator
        The stream (its uniforms are the same on every CPU).
    mu, kappa : float
        The mean direction and the concentration (>= 0; below 1e-8 the draws are uniform).
    size : int
        The number of draws.

    Returns
    -------
    ndarray
        The draws.

    Examples
    --------
    >>> z = vonmises(np.random.default_rng(0), 1.0, 50.0, 20000)
    >>> round(float(np.mean(np.cos(z - 1.0))), 2)  # A1(50) = 0.990
    0.99
    """
    size = count("size", size)
    if kappa < 1e-8:
        return TWO_PI * rng.random(size)
    tau = 1.0 + np.sqrt(1.0 + 4.0 * kappa * kappa)
    rho = (tau - np.sqrt(2.0 * tau)) / (2.0 * kappa)
    r = (1.0 + rho * rho) / (2.0 * rho)
    out = np.empty(0)
    while out.size < size:
        need = size - out.size
        n = int(need * 1.5) + 16
        u1, u2, u3 = rng.random((3, n))
        zc = portable.cos(np.pi * u1)
        f = (1.0 + r * zc) / (r + zc)
        c = kappa * (r - f)
        accept = (c * (2.0 - c) - u2 > 0.0) | (portable.log(c / u2) + 1.0 - c >= 0.0)
        theta = portable.arctan2(np.sqrt(np.maximum(1.0 - f * f, 0.0)), f)
        theta = np.where(u3 > 0.5, theta, -theta)
        out = np.concatenate([out, (mu + theta[accept])[:need]])
    return np.mod(out, TWO_PI)


class PosteriorDraws(NamedTuple):
    """Exact draws from p(z|y) (what :func:`sample_posterior` returns).

    Parameters
    ----------
    z : ndarray
        The draws, in [0, 2 pi).
    mu, kappa : float
        The von Mises envelope's mean direction and concentration.
    log_bound : float
        M, the bound of log p/q (up to the constants) that the rejection uses.
    acceptance : float
        The share of proposals accepted.
    expected_acceptance : float
        Its exact value, exp(-beta F_beta - log I0(kappa) - M).

    Examples
    --------
    >>> d = sample_posterior(Decoder(2.0, 1.5), 2.5, 0.5, 1.0, 10, np.random.default_rng(0))
    >>> d.z.size, bool(d.acceptance <= 1.0)
    (10, True)
    """

    z: Array
    mu: float
    kappa: float
    log_bound: float
    acceptance: float
    expected_acceptance: float


def _log_ratio_terms(decoder: Decoder, y1, y2, beta, mu, kappa):
    """r(z) = -beta E(y, z) - kappa cos(z - mu) = r0 + p cos z + s sin z + t cos 2z."""
    base, a, b, c = _coefficients(decoder, y1, y2)
    sm, cm = portable.sincos(mu)
    return -beta * base, beta * a - kappa * cm, beta * b - kappa * sm, -beta * c


def _log_bound(terms, grid: int = 4096) -> float:
    """A rigorous upper bound of r over the circle: the grid's largest value plus
    h^2 max|r''| / 8 (between two nodes r is at most its chord plus that)."""
    r0, p, s, t = terms
    z = TWO_PI * np.arange(grid) / grid
    sz, cz = portable.sincos(z)
    values = r0 + p * cz + s * sz + t * (cz - sz) * (cz + sz)
    h = TWO_PI / grid
    curvature = abs(p) + abs(s) + 4.0 * abs(t)
    return float(np.max(values) + h * h * curvature / 8.0)


def sample_posterior(
    decoder: Decoder, y1: float, y2: float, beta: float, size: int, rng: np.random.Generator
) -> PosteriorDraws:
    """Exact draws from p(z|y) by rejection from a von Mises envelope.

    The envelope q = von Mises(mu, kappa) is proposed and accepted with probability
    exp(r(z) - M), r = -beta E - kappa cos(z - mu) (log p/q up to constants) and M a rigorous
    bound of r (:func:`_log_bound`), so the accepted draws follow p exactly. The expected
    acceptance is exp(-beta F_beta - log I0(kappa) - M); the envelope is the candidate of
    highest expected acceptance among mu* of q* and the posterior's modes (z_check and its
    mirror across the ridge, their midpoints) with kappa* times 2^-j, j = 0 ... 16, and 0.

    Parameters
    ----------
    decoder : Decoder
        The decoder.
    y1, y2 : float
        One point.
    beta : float
        The inverse temperature, > 0 and finite.
    size : int
        The draws.
    rng : numpy.random.Generator
        The stream.

    Returns
    -------
    PosteriorDraws
        The draws, the envelope, its bound, the measured and the expected acceptance.

    Examples
    --------
    >>> d = sample_posterior(Decoder(2.0, 1.5), 2.5, 0.5, 10.0, 1000, np.random.default_rng(0))
    >>> d.z.size, bool(0.3 < d.acceptance <= 1.0)
    (1000, True)
    """
    size = count("size", size)
    F_beta = float(free_energy_relaxed(decoder, y1, y2, beta, n=None).F)
    q = best_q(decoder, y1, y2, beta)
    modes = [float(q.mu), float(free_energy_exact(decoder, y1, y2).z_check)]
    modes += [TWO_PI - modes[1], 0.0, 0.5 * np.pi, np.pi, 1.5 * np.pi]
    kappas = [float(q.kappa) * 2.0**-j for j in range(17)] + [0.0]
    best = None
    for mu in modes:
        for kappa in kappas:
            terms = _log_ratio_terms(decoder, y1, y2, beta, mu, kappa)
            bound = _log_bound(terms)
            log_i0 = float(bessel_ratios(kappa).log_i0)
            expected = float(portable.exp(-beta * F_beta - log_i0 - bound))
            if best is None or expected > best[3]:
                best = (mu, kappa, bound, expected, terms)
    mu, kappa, bound, expected, (r0, p, s, t) = best
    draws, tried = [], 0
    total = 0
    while total < size:
        n = int((size - total) / max(expected, 1e-3) * 1.2) + 64
        z = vonmises(rng, mu, kappa, n)
        sz, cz = portable.sincos(z)
        r = r0 + p * cz + s * sz + t * (cz - sz) * (cz + sz)
        keep = portable.log(rng.random(n)) < r - bound
        tried += n
        draws.append(z[keep])
        total += int(keep.sum())
    z = np.concatenate(draws)
    return PosteriorDraws(z[:size], mu, kappa, bound, total / tried, expected)


# the oracle refuses where its error estimate in F_beta exceeds this
ORACLE_TOL = 5e-14


def _bessel_i(n: int, x: Array) -> Array:
    """I_n(x) for an integer n >= 0 by its power series (positive terms; x <= 700)."""
    q = 0.25 * x * x
    term = np.ones(x.shape)
    for j in range(1, n + 1):
        term = term * (0.5 * x) / float(j)  # (x/2)^n / n!
    total = term.copy()
    for k in range(1, int(np.max(x, initial=0.0)) + 60):
        term = term * q / float(k * (k + n))
        total = total + term
    return total


def bessel_series_free_energy(decoder: Decoder, y1: ArrayLike, y2: ArrayLike, beta: float) -> Array:
    """F_beta from the Bessel series of the generalized von Mises normaliser: a test oracle.

    (1/2 pi) integral exp(-beta E) dz = exp(-beta base) Z with
    Z = I0(k1) I0(k2) + 2 sum_j I_2j(k1) I_j(k2) cos 2j(m1 - m2), k1 = beta |(a, b)|,
    m1 = atan2(b, a), k2 = beta |c|, m2 = 0 (c < 0) or pi/2, so F_beta = base - log(Z) / beta.
    The terms alternate in sign where m1 - m2 is off a multiple of pi/2, and their sum cancels:
    its error in F_beta is about (sum of |terms| / |Z|) 8 eps / beta (the terms' rounding,
    amplified by the cancellation) plus eps |base| (base - log(Z) / beta); where that exceeds
    ``ORACLE_TOL`` (or k1 would overflow) the oracle refuses: NaN.

    Parameters
    ----------
    decoder : Decoder
        The decoder.
    y1, y2 : array_like
        The points.
    beta : float
        The inverse temperature, > 0.

    Returns
    -------
    ndarray
        F_beta, NaN where the series is unsound.

    Examples
    --------
    >>> from lvebm.relaxed import free_energy_relaxed
    >>> d = Decoder(-1.45, 0.36)
    >>> oracle = bessel_series_free_energy(d, [2.0, 0.5], [0.1, 0.0], 1.0)
    >>> bool(np.allclose(oracle, free_energy_relaxed(d, [2.0, 0.5], [0.1, 0.0], 1.0, n=None).F,
    ...     rtol=0, atol=1e-13))
    True
    >>> bool(np.isnan(bessel_series_free_energy(d, 0.5, 0.0, 100.0)))
    True
    """
    F, error = _bessel_series(decoder, y1, y2, beta)
    sound = np.isfinite(F) & (error <= ORACLE_TOL)
    return np.where(sound, F, np.nan)[()]


def _bessel_series(decoder: Decoder, y1, y2, beta: float):
    """The Bessel series' F_beta, unguarded, and its error estimate (inf where k1 > 600)."""
    y1, y2 = np.broadcast_arrays(*real_points(y1=y1, y2=y2))
    beta = real_number("beta", beta)
    base, a, b, c = _coefficients(decoder, y1, y2)
    k1 = beta * portable.hypot(a, b)
    m1 = portable.arctan2(b, a)
    k2 = np.full(k1.shape, beta * abs(c))
    m2 = 0.0 if c < 0 else 0.5 * np.pi
    ok = k1 <= 600.0
    x1, x2 = np.where(ok, k1, 0.0), np.where(ok, k2, 0.0)
    Z = _bessel_i(0, x1) * _bessel_i(0, x2)
    size = Z.copy()
    J = int(max(np.max(x1, initial=0.0) / 2.0, np.max(x2, initial=0.0))) + 40
    for j in range(1, J + 1):
        term = 2.0 * _bessel_i(2 * j, x1) * _bessel_i(j, x2)
        Z = Z + term * portable.cos(2.0 * j * (m1 - m2))
        size = size + term
    with np.errstate(divide="ignore", invalid="ignore"):
        error = np.where(ok & (Z > 0.0), size / Z * 8.0 * EPS / beta + EPS * np.abs(base), np.inf)
        F = base - portable.log(np.where(Z > 0.0, Z, np.nan)) / beta
    return F, error


# ---- the amortized variational encoder ------------------------------------------------------


def encoder_network(hidden: Sequence[int] = (16, 16), activation: str = "tanh"):
    """The encoder y -> (c, s, t): mu = atan2(s, c), kappa = exp(t) (a linear last layer).

    Parameters
    ----------
    hidden : sequence of int, optional
        The hidden widths.
    activation : str, optional
        The hidden activation (:class:`lvebm.network.Network`).

    Returns
    -------
    lvebm.network.Network
        The network 2 -> hidden -> 3.

    Examples
    --------
    >>> encoder_network((4,)).sizes
    (2, 4, 3)
    """
    return Network((2, *hidden, 3), activation=activation, output="linear")


def encode(net, theta: ArrayLike, y1: ArrayLike, y2: ArrayLike) -> tuple[Array, Array]:
    """The encoder's q at each point: (mu in [0, 2 pi), kappa).

    Parameters
    ----------
    net : lvebm.network.Network
        The encoder (:func:`encoder_network`).
    theta : array_like
        Its parameters.
    y1, y2 : array_like
        The points (flattened together).

    Returns
    -------
    mu, kappa : ndarray

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> mu, kappa = encode(net, net.init(0), [0.0, 1.0], [0.5, 0.5])
    >>> mu.shape, bool((kappa > 0).all())
    ((2,), True)
    """
    y1, y2 = np.broadcast_arrays(*real_points(y1=y1, y2=y2))
    out = net(theta, np.stack([y1.ravel(), y2.ravel()]))
    return np.mod(portable.arctan2(out[1], out[0]), TWO_PI), portable.exp(out[2])


def encoder_loss(net, decoder: Decoder, y1: ArrayLike, y2: ArrayLike, beta: float):
    """theta -> (mean F_q of the encoder's q over the points, its gradient): label-free.

    Since F_q >= F_beta, it is the mean total gap plus the mean F_beta, a constant.

    Parameters
    ----------
    net : lvebm.network.Network
        The encoder.
    decoder : Decoder
        The decoder.
    y1, y2 : array_like
        The training points.
    beta : float
        The inverse temperature.

    Returns
    -------
    callable
        ``objective(theta) -> (loss, gradient)``.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> loss, grad = encoder_loss(net, Decoder(-1.45, 0.36), [1.0], [0.0], 10.0)(net.init(0))
    >>> grad.shape == (net.n_params,)
    True
    """
    y1, y2 = (np.ravel(v) for v in np.broadcast_arrays(*real_points(y1=y1, y2=y2)))
    x = np.stack([y1, y2])
    n = y1.size

    def objective(theta):
        out, acts = net.forward(theta, x)
        c, s, t = out
        mu, kappa = portable.arctan2(s, c), portable.exp(t)
        q = variational_free_energy(decoder, y1, y2, mu, kappa, beta)
        norm = c * c + s * s
        grad_out = np.stack([-s / norm * q.dF_dmu, c / norm * q.dF_dmu, kappa * q.dF_dkappa]) / n
        return float(np.sum(q.F)) / n, net.backward(theta, acts, grad_out)

    return objective


def training_points(n: int, box: Mapping, *, seed: int) -> tuple[Array, Array]:
    """``n`` points uniform in the box, where the encoder learns (stream ``variational/train``).

    Parameters
    ----------
    n : int
        The points.
    box : mapping
        ``{"y1": [start, stop], "y2": [start, stop]}``.
    seed : int
        The run's seed.

    Returns
    -------
    y1, y2 : ndarray

    Examples
    --------
    >>> y1, y2 = training_points(3, {"y1": [-3, 3], "y2": [-2, 2]}, seed=709)
    >>> y1.shape, bool((abs(y2) <= 2).all())
    ((3,), True)
    """
    n = count("n", n, minimum=1)
    points = stream(seed, "variational/train").uniform(0.0, 1.0, size=(2, n))
    (a1, b1), (a2, b2) = box["y1"], box["y2"]
    return a1 + (b1 - a1) * points[0], a2 + (b2 - a2) * points[1]


def fit_encoder(
    net, decoder: Decoder, y1: Array, y2: Array, beta: float, *, init_seed: int, schedule
) -> tuple[Array, dict[str, np.ndarray]]:
    """Train the encoder on the mean F_q of its q over the points (label-free).

    Parameters
    ----------
    net : lvebm.network.Network
        The encoder (:func:`encoder_network`).
    decoder : Decoder
        The decoder.
    y1, y2 : ndarray
        The training points.
    beta : float
        The inverse temperature.
    init_seed : int
        The seed of its initialisation (stream ``variational/init``).
    schedule : sequence of mapping
        The phases (:func:`lvebm.network.train`).

    Returns
    -------
    theta : ndarray
        The trained parameters.
    trajectory : dict of str to ndarray
        ``step, loss``.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> y1, y2 = training_points(50, {"y1": [-3, 3], "y2": [-2, 2]}, seed=709)
    >>> theta, path = fit_encoder(net, Decoder(-1.45, 0.36), y1, y2, 10.0, init_seed=0,
    ...     schedule=[{"method": "adam", "steps": 50, "learning_rate": 0.02}])
    >>> bool(path["loss"][-1] < path["loss"][0])
    True
    """
    theta0 = net.init(init_seed, "variational/init")
    return train(encoder_loss(net, decoder, y1, y2, beta), theta0, schedule)


GAP_COLUMNS = (
    "y1",
    "y2",
    "F_beta",
    "mu_star",
    "kappa_star",
    "F_q_star",
    "mu_enc",
    "kappa_enc",
    "F_q_enc",
    "approximation_gap",
    "amortization_gap",
    "ridge_distance",
    "tie",
)


def gap_table(
    decoder: Decoder, y1: Array, y2: Array, beta: float, encoder: tuple | None = None
) -> dict[str, np.ndarray]:
    """The gaps at each point: F_beta, q* and the encoder's q, and
    approximation gap = F_q* - F_beta, amortization gap = F_q_enc - F_q*.

    Parameters
    ----------
    decoder : Decoder
        The decoder.
    y1, y2 : ndarray
        The points.
    beta : float
        The inverse temperature.
    encoder : tuple, optional
        ``(net, theta)``: the encoder (without it its columns are NaN).

    Returns
    -------
    dict of str to ndarray
        The columns of ``GAP_COLUMNS``; ``tie``: the exact solver's z_check is not unique (the
        ridge), ``ridge_distance``: the distance to the ridge.

    Examples
    --------
    >>> t = gap_table(Decoder(-1.45, 0.36), np.array([0.0, 2.5]), np.array([0.0, 1.5]), 100.0)
    >>> (100 * t["approximation_gap"]).round(3).tolist(), t["tie"].tolist()
    ([0.693, 0.0], [True, False])
    """

    F_beta = free_energy_relaxed(decoder, y1, y2, beta, n=None).F
    q = best_q(decoder, y1, y2, beta)
    if encoder is None:
        mu = kappa = F_enc = np.full(y1.size, np.nan)
    else:
        mu, kappa = encode(*encoder, y1, y2)
        F_enc = variational_free_energy(decoder, y1, y2, mu, kappa, beta).F
    return {
        "y1": y1,
        "y2": y2,
        "F_beta": F_beta,
        "mu_star": q.mu,
        "kappa_star": q.kappa,
        "F_q_star": q.F,
        "mu_enc": mu,
        "kappa_enc": kappa,
        "F_q_enc": F_enc,
        "approximation_gap": q.F - F_beta,
        "amortization_gap": F_enc - q.F,
        "ridge_distance": ridge_distance(decoder, y1, y2),
        "tie": ~free_energy_exact(decoder, y1, y2).unique,
    }


def gap_summary(tables: Sequence[Mapping], betas: Sequence[float], band: float) -> dict:
    """Per beta: the approximation gap on the ridge's ties (beta times it, against log 2), off
    the ridge (at least ``band`` from it: its largest and median), its least value anywhere,
    and the encoder's means: amortization, approximation, total, the amortization's share.

    Parameters
    ----------
    tables : sequence of mapping
        :func:`gap_table`'s tables, one per beta.
    betas : sequence of float
        Their betas.
    band : float
        The distance to the ridge from which a point counts as off it.

    Returns
    -------
    dict of str to ndarray
        One row per beta.

    Examples
    --------
    >>> d = Decoder(-1.45, 0.36)
    >>> t = gap_table(d, np.array([0.0, 2.5]), np.array([0.0, 1.5]), 100.0)
    >>> s = gap_summary([t], [100.0], 0.25)
    >>> s["ridge_scaled_max"].round(3).tolist(), int(s["ties"][0])
    ([0.693], 1)
    """
    columns = {
        k: []
        for k in (
            "beta",
            "ties",
            "ridge_scaled_min",
            "ridge_scaled_max",
            "off_max",
            "off_median",
            "min_gap",
            "mean_amortization",
            "mean_approximation",
            "mean_total",
            "amortization_share",
        )
    }
    for beta, t in zip(betas, tables, strict=True):
        gap, tie = np.asarray(t["approximation_gap"]), np.asarray(t["tie"], dtype=bool)
        off = np.asarray(t["ridge_distance"]) >= band
        scaled = beta * gap[tie]
        amort = np.asarray(t["amortization_gap"])
        total = amort + gap
        row = (
            float(beta),
            int(tie.sum()),
            float(scaled.min()) if tie.any() else np.nan,
            float(scaled.max()) if tie.any() else np.nan,
            float(gap[off].max()) if off.any() else np.nan,
            float(np.median(gap[off])) if off.any() else np.nan,
            float(gap.min()),
            float(np.mean(amort)),
            float(np.mean(gap)),
            float(np.mean(total)),
            float(np.mean(amort) / np.mean(total)),
        )
        for key, value in zip(columns, row, strict=True):
            columns[key].append(value)
    out = {k: np.array(v) for k, v in columns.items()}
    out["ties"] = out["ties"].astype(np.int64)
    return out


def vonmises_density(z: ArrayLike, mu: float, kappa: float) -> Array:
    """The von Mises density exp(kappa cos(z - mu)) / (2 pi I0(kappa)).

    Parameters
    ----------
    z : array_like
        Angles.
    mu, kappa : float
        The mean direction and the concentration (>= 0).

    Returns
    -------
    ndarray

    Examples
    --------
    >>> float(vonmises_density(0.3, 1.0, 0.0)) * 2 * np.pi
    1.0
    """
    z = np.asarray(z, dtype=np.float64)
    log_i0 = bessel_ratios(kappa).log_i0
    return portable.exp(kappa * (portable.cos(z - mu) - 1.0) - (log_i0 - kappa)) / TWO_PI


def kolmogorov_sf(x: ArrayLike) -> Array:
    """P(sqrt(n) D > x) of the Kolmogorov distribution, 2 sum_k (-1)^(k-1) exp(-2 k^2 x^2): the
    asymptotic p-value of a Kolmogorov-Smirnov statistic D of n draws (1 at x = 0).

    Parameters
    ----------
    x : array_like
        sqrt(n) D, >= 0.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> round(float(kolmogorov_sf(1.36)), 3)  # the 5 % point
    0.049
    """
    x = np.asarray(x, dtype=np.float64)
    small = x < 0.2  # the series converges slowly there; the value is 1 to 1e-20
    xs = np.where(small, 1.0, x)
    total = np.zeros(x.shape)
    for k in range(1, 101):
        total = total + (1.0 if k % 2 else -1.0) * portable.exp(-2.0 * k * k * xs * xs)
    return np.where(small, 1.0, np.clip(2.0 * total, 0.0, 1.0))[()]


def posterior_tables(
    decoder: Decoder,
    points: Mapping[str, Sequence[float]],
    betas: Sequence[float],
    encoders: Sequence[tuple] | None,
    *,
    draws: int,
    bins: int,
    seed: int,
    nodes: int = 1 << 13,
) -> tuple[dict, dict, dict]:
    """At each point and beta: the exact posterior, q* and the encoder's q on a grid of z; a
    histogram of exact draws; the draws' acceptance and Kolmogorov-Smirnov test.

    Parameters
    ----------
    decoder : Decoder
        The decoder.
    points : mapping
        ``{label: [y1, y2]}``: the points.
    betas : sequence of float
        The betas.
    encoders : sequence of tuple, optional
        ``(net, theta)`` per beta (the encoder's column is NaN without).
    draws : int
        Draws per point and beta (stream ``variational/draws/<label>/<beta>``).
    bins : int
        The histogram's bins over [0, 2 pi).
    seed : int
        The run's seed.
    nodes : int, optional
        The grid of z on which the densities are tabulated and the CDF integrated.

    Returns
    -------
    posteriors : dict of str to ndarray
        ``point, beta, z, exact, best, encoder``.
    histogram : dict of str to ndarray
        ``point, beta, lower, upper, count, expected`` (expected: draws times the bin's
        probability under the exact posterior).
    summary : dict of str to ndarray
        ``point, y1, y2, beta, draws, acceptance, expected_acceptance, envelope_mu,
        envelope_kappa, ks_statistic, p_value`` (the asymptotic Kolmogorov p-value).

    Examples
    --------
    >>> _, _, s = posterior_tables(Decoder(2.0, 1.5), {"far": [2.5, 1.5]}, [10.0], None,
    ...     draws=2000, bins=36, seed=709)
    >>> bool(s["p_value"][0] > 0.001), bool(0.3 < s["acceptance"][0] <= 1.0)
    (True, True)
    """
    z = TWO_PI * np.arange(nodes + 1) / nodes  # both ends: the CDF's table
    edges = TWO_PI * np.arange(bins + 1) / bins
    posteriors, histograms, rows = [], [], []
    for label, (y1, y2) in points.items():
        for j, beta in enumerate(betas):
            exact = posterior_density(decoder, y1, y2, beta, z)
            q = best_q(decoder, y1, y2, beta)
            best = vonmises_density(z, float(q.mu), float(q.kappa))
            if encoders is None:
                enc = np.full(z.size, np.nan)
            else:
                mu, kappa = encode(*encoders[j], y1, y2)
                enc = vonmises_density(z, float(mu[0]), float(kappa[0]))
            posteriors.append(
                {
                    "point": np.full(nodes, label, dtype=object),
                    "beta": np.full(nodes, float(beta)),
                    "z": z[:-1],
                    "exact": exact[:-1],
                    "best": best[:-1],
                    "encoder": enc[:-1],
                }
            )
            # the CDF by the trapezoid rule (the density is periodic and smooth), normalised
            cdf = np.concatenate([[0.0], np.cumsum(0.5 * (exact[1:] + exact[:-1]))]) * (
                TWO_PI / nodes
            )
            cdf = cdf / cdf[-1]
            rng = stream(seed, f"variational/draws/{label}/{beta_label(beta)}")
            sample = sample_posterior(decoder, y1, y2, beta, draws, rng)
            ordered = np.sort(sample.z)
            F = np.interp(ordered, z, cdf)
            n = ordered.size
            k = np.arange(1, n + 1)
            D = float(max(np.max(k / n - F), np.max(F - (k - 1) / n)))
            histograms.append(
                {
                    "point": np.full(bins, label, dtype=object),
                    "beta": np.full(bins, float(beta)),
                    "lower": edges[:-1],
                    "upper": edges[1:],
                    "count": np.histogram(sample.z, edges)[0].astype(np.int64),
                    "expected": n * np.diff(np.interp(edges, z, cdf)),
                }
            )
            measured = {
                "y1": y1,
                "y2": y2,
                "beta": beta,
                "draws": n,
                "acceptance": sample.acceptance,
                "expected_acceptance": sample.expected_acceptance,
                "envelope_mu": sample.mu,
                "envelope_kappa": sample.kappa,
                "ks_statistic": D,
                "p_value": kolmogorov_sf(np.sqrt(n) * D),
            }
            row = {"point": np.array([label], dtype=object)}
            row.update(
                {
                    k: np.array([v], dtype=np.int64 if k == "draws" else np.float64)
                    for k, v in measured.items()
                }
            )
            rows.append(row)
    return concat(posteriors), concat(histograms), concat(rows)
