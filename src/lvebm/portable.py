"""Portable numerics: the same bits on every CPU.

IEEE 754 rounds ``+``, ``-``, ``*``, ``/`` and ``sqrt`` correctly, so the same operations in the
same order give the same bits on every CPU. NumPy's ufuncs never fuse a multiply and an add.
Platforms differ in two places only:

- the transcendental functions (``exp``, ``log``, ``sin``, ``arctan2``, ``tanh``, ...): each
  platform has its own implementation (glibc's FMA variants, NumPy's AVX2 and AVX-512 kernels,
  SVML, Apple's libm), accurate to about one ULP but not bit for bit the same;
- BLAS reductions (``@``, ``np.dot``, ``np.linalg``): the order of a sum is the kernel's (its
  vector width, its unrolling, its threads).

This module gives the first as kernels built from the basic operations only: the algorithms of
fdlibm (Sun's freely distributable libm, also the C library of musl and of Java's
``StrictMath``): a range reduction that is exact or carries its error in a second double, then a
minimax polynomial; ``tanh`` looks tanh up at the nearest of 2,402 points and corrects it
by a short polynomial. Their largest error, measured against mpmath on 10^6 points per function
(``bench/kernels.py``), is at most one ULP, ``arctan2``'s 1.39; bench/README.md lists them.
Branches are evaluated for every element and chosen with ``np.where``, so a kernel is a fixed
sequence of NumPy array operations.

For the second, :func:`dot`, :func:`matmul` and :func:`solve` sum in an order this module fixes:
a product's terms one after another (elementwise NumPy operations, one per term), or NumPy's
pairwise summation of a contiguous axis (``np.sum``), whose order is NumPy's C code, not the CPU's.

Every kernel takes array-likes, returns float64 in the arguments' broadcast shape (a NumPy scalar
for scalar arguments, as a ufunc does), and follows C's conventions for infinities and NaN.

Examples
--------
>>> from lvebm import portable
>>> float(portable.exp(2.0)), float(portable.log(10.0))
(7.38905609893065, 2.302585092994046)
>>> float(portable.arctan2(1.0, -1.0))
2.356194490192345
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import numpy as np
from numpy.typing import ArrayLike

from lvebm import tables

__all__ = [
    "arctan2",
    "cos",
    "dot",
    "exact_tmatmul",
    "exp",
    "expm1",
    "gauss_newton",
    "geomspace",
    "hypot",
    "log",
    "log1p",
    "log_i0e",
    "matmul",
    "sin",
    "sincos",
    "softplus",
    "solve",
    "tanh",
]

LN2_HI = 6.93147180369123816490e-01  # ln 2, its first 32 bits (k * LN2_HI is exact)
LN2_LO = 1.90821492927058770002e-10  # ln 2 - LN2_HI
INV_LN2 = 1.44269504088896338700e00
EXP_OVERFLOW = 7.09782712893383973096e02  # exp(x) is inf above
EXP_UNDERFLOW = -7.45133219101941108420e02  # exp(x) is 0 below
SQRT_HALF = 0.70710678118654757  # log's reduction: 1 + f in [sqrt(1/2), sqrt(2))

# exp: R(r^2) with exp(r) = 1 + 2r / (R(r^2) - r) on |r| <= ln(2)/2 (fdlibm e_exp.c)
EXP_P = (
    1.66666666666666019037e-01,
    -2.77777777770155933842e-03,
    6.61375632143793436117e-05,
    -1.65339022054652515390e-06,
    4.13813679705723846039e-08,
)
# log: log(1 + f) = f - f^2 / 2 + s (f^2 / 2 + R(s^2)), s = f / (2 + f) (fdlibm e_log.c)
LOG_LG = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
# expm1 (fdlibm s_expm1.c)
EXPM1_Q = (
    -3.33333333333331316428e-02,
    1.58730158725481460165e-03,
    -7.93650757867487942473e-05,
    4.00821782732936239552e-06,
    -2.01099218183624371326e-07,
)
# tanh(d) - d = d^3 TANH_P(d^2) for |d| <= 1/32: the Taylor series to d^11 (the next term is
# below 2^-60 of d there)
TANH_P = (
    -1.0 / 3.0,
    2.0 / 15.0,
    -17.0 / 315.0,
    62.0 / 2835.0,
    -1382.0 / 155925.0,
)
# sin and cos on [-pi/4, pi/4] (fdlibm k_sin.c, k_cos.c)
SIN_S = (
    -1.66666666666666324348e-01,
    8.33333333332248946124e-03,
    -1.98412698298579493134e-04,
    2.75573137070700676789e-06,
    -2.50507602534068634195e-08,
    1.58969099521155010221e-10,
)
COS_C = (
    4.16666666666666019037e-02,
    -1.38888888888741095749e-03,
    2.48015872894767294178e-05,
    -2.75573143513906633035e-07,
    2.08757232129817482790e-09,
    -1.13596475577881948265e-11,
)
# pi/2 in three pieces of 33 bits and their tails (fdlibm e_rem_pio2.c): n * PIO2_k is exact
INV_PIO2 = 6.36619772367581382433e-01
PIO2 = (
    (1.57079632673412561417e00, 6.07710050650619224932e-11),
    (6.07710050630396597660e-11, 2.02226624879595063154e-21),
    (2.02226624871116645580e-21, 8.47842766036889956997e-32),
)
# the reduction is accurate where n < 2^20: |x| up to about 1.6e6
SIN_COS_DOMAIN = 2.0**19 * np.pi
# atan (fdlibm s_atan.c): atan(x) on four intervals, around 0.5, 1, 1.5 and infinity
ATAN_HI = (
    4.63647609000806093515e-01,
    7.85398163397448278999e-01,
    9.82793723247329054082e-01,
    1.57079632679489655800e00,
)
ATAN_LO = (
    2.26987774529616870924e-17,
    3.06161699786838301793e-17,
    1.39033110312309984516e-17,
    6.12323399573676603587e-17,
)
ATAN_T = (
    3.33333333333329318027e-01,
    -1.99999999998764832476e-01,
    1.42857142725034663711e-01,
    -1.11111104054623557880e-01,
    9.09088713343650656196e-02,
    -7.69187620504482999495e-02,
    6.66107313738753120669e-02,
    -5.83357013379057348645e-02,
    4.97687799461593236017e-02,
    -3.65315727442169155270e-02,
    1.62858201153657823623e-02,
)
PI = 3.1415926535897931160e00
PI_LO = 1.2246467991473531772e-16  # pi - PI
TANH_TABLE = np.load(tables.TANH_TABLE)  # (4, cells): c, tanh(c) hi and lo, 1 - tanh(c)^2
TANH_SHIFT, TANH_LIMIT = tables.TANH_SHIFT, tables.TANH_LIMIT
TANH_FIRST_CELL = tables.TANH_FIRST_CELL  # the cell 0 holds every |x| below 2^-5 (c = 0)
SPLIT = 134217729.0  # 2^27 + 1: Veltkamp's split of a double into two halves of 26 bits
GRAM_BLOCK = 2048  # rows of J per block of gauss_newton (a block's slices stay in cache)


def _kernel(function: Callable) -> Callable:
    """Float64 arrays in, a ufunc's output out (a scalar for scalars); no warnings inside."""

    @wraps(function)
    def wrapped(*args):
        arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in args))
        with np.errstate(all="ignore"):  # every branch runs on every element
            out = function(*arrays)
        return out[()] if out.ndim == 0 else out

    return wrapped


def _scale(y: np.ndarray, k: np.ndarray) -> np.ndarray:
    """y 2^k for integers |k| <= 1100 and |y| in [2^-60, 2^60], as ``np.ldexp`` gives it, bit for
    bit, in a few vectorised passes where NumPy's ldexp calls the C library per element (cheaper
    with the jobs' allocator settings, which reuse the temporaries: bench/README.md): two
    multiplications by powers of two built from their bits, 2^(k // 2) then 2^(k - k // 2). The
    first is exact (its product stays a normal number); the second rounds once where the result
    is subnormal or overflows, as ldexp does, and is exact otherwise."""
    k = np.asarray(k, dtype=np.int64)
    half = k >> 1
    return (y * ((half + 1023) << 52).view(np.float64)) * ((k - half + 1023) << 52).view(np.float64)


def _horner(x: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """c0 + x (c1 + x (c2 + ...)), evaluated from the innermost coefficient out."""
    acc = np.full(x.shape, coefficients[-1])
    for c in coefficients[-2::-1]:
        acc = c + x * acc
    return acc


def _horner_into(x: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """:func:`_horner`'s value (the same operations in the same order) in one new array."""
    acc = x * coefficients[-1]
    acc += coefficients[-2]
    for c in coefficients[-3::-1]:
        acc *= x
        acc += c
    return acc


def _exp_finite(x: np.ndarray) -> np.ndarray:
    """e^x for finite x, without the limits (``exp`` sets them): fdlibm's reduction
    x = k ln 2 + r and its rational approximation of e^r, scaled by 2^k."""
    k = np.rint(x * INV_LN2)
    hi = x - k * LN2_HI  # exact: k has at most 11 bits, LN2_HI 32
    lo = k * LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * _horner(t, EXP_P)
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    return _scale(y, k.astype(np.int64))


@_kernel
def exp(x: ArrayLike) -> np.ndarray:
    """e^x, within one ULP (fdlibm's algorithm).

    Parameters
    ----------
    x : array_like
        The exponents.

    Returns
    -------
    ndarray or float
        e^x: inf above 709.78, 0 below -745.13, NaN for NaN.

    Examples
    --------
    >>> float(exp(0.0)), float(exp(-1000.0))
    (1.0, 0.0)
    """
    # beyond the limits (and NaN) any finite argument will do: the limits replace the result
    inside = np.clip(np.where(np.isnan(x), 0.0, x), EXP_UNDERFLOW - 1.0, EXP_OVERFLOW + 1.0)
    out = _exp_finite(inside)
    out = np.where(x > EXP_OVERFLOW, np.inf, out)
    out = np.where(x < EXP_UNDERFLOW, 0.0, out)
    return np.where(np.isnan(x), x, out)


def _log_poly(f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """s (f^2 / 2 + R(s^2)), f^2 / 2 and ... of log(1 + f), |f| < 0.42: fdlibm's polynomial."""
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (LOG_LG[1] + w * (LOG_LG[3] + w * LOG_LG[5]))
    t2 = z * (LOG_LG[0] + w * (LOG_LG[2] + w * (LOG_LG[4] + w * LOG_LG[6])))
    hfsq = 0.5 * f * f
    return s * (hfsq + (t2 + t1)), hfsq


def _reduce_log(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)); f exact."""
    m, e = np.frexp(x)  # m in [0.5, 1)
    low = m < SQRT_HALF
    return np.where(low, 2.0 * m, m) - 1.0, (e - low).astype(np.float64)


@_kernel
def log(x: ArrayLike) -> np.ndarray:
    """The natural logarithm, within one ULP (fdlibm's algorithm).

    Parameters
    ----------
    x : array_like
        Positive numbers.

    Returns
    -------
    ndarray or float
        log(x): -inf at 0, NaN below 0 and for NaN, inf at inf.

    Examples
    --------
    >>> float(log(1.0)), float(log(0.0))
    (0.0, -inf)
    """
    f, k = _reduce_log(x)
    tail, hfsq = _log_poly(f)
    out = (((tail + k * LN2_LO) - hfsq) + f) + k * LN2_HI
    out = np.where(x == 0.0, -np.inf, out)
    out = np.where(x < 0.0, np.nan, out)
    return np.where(np.isfinite(x), out, x + np.where(x < 0.0, np.nan, 0.0))


@_kernel
def log1p(x: ArrayLike) -> np.ndarray:
    """log(1 + x), within one ULP also where x is tiny (fdlibm's algorithm).

    Parameters
    ----------
    x : array_like
        Numbers above -1.

    Returns
    -------
    ndarray or float
        log(1 + x): -inf at -1, NaN below -1 and for NaN.

    Examples
    --------
    >>> float(log1p(1e-20)), float(log1p(-1.0))
    (1e-20, -inf)
    """
    u = 1.0 + x
    f, k = _reduce_log(u)
    # where 1 + x rounded, c is its error relative to u: log(1 + x) = log(u) + c
    c = np.where(k >= 2.0, 1.0 - (u - x), x - (u - 1.0)) / u
    c = np.where(k < 54.0, c, 0.0)
    small = (x > -0.2928932188134524) & (x < 0.41421356237309503)  # 1 + x in [sqrt(1/2), sqrt(2))
    f = np.where(small, x, f)
    k = np.where(small, 0.0, k)
    c = np.where(small, 0.0, c)
    tail, hfsq = _log_poly(f)
    out = (((tail + (k * LN2_LO + c)) - hfsq) + f) + k * LN2_HI
    out = np.where(np.abs(x) < 2.0**-54, x, out)  # log1p(x) = x to rounding, -0.0 kept
    out = np.where(x == -1.0, -np.inf, out)
    out = np.where(x < -1.0, np.nan, out)
    return np.where(np.isfinite(x), out, x + np.where(x < 0.0, np.nan, 0.0))


@_kernel
def expm1(x: ArrayLike) -> np.ndarray:
    """e^x - 1, within one ULP also where x is tiny (fdlibm's algorithm).

    Parameters
    ----------
    x : array_like
        The exponents.

    Returns
    -------
    ndarray or float
        e^x - 1: inf above 709.78, -1 for large negative x, NaN for NaN.

    Examples
    --------
    >>> float(expm1(1e-20)), float(expm1(-50.0))
    (1e-20, -1.0)
    """
    k = np.rint(x * INV_LN2)
    k = np.where(np.abs(x) > 0.5 * LN2_HI, k, 0.0)
    k = np.where(np.isfinite(k), np.clip(k, -1100.0, 1100.0), 0.0)
    hi = x - k * LN2_HI
    lo = k * LN2_LO
    r = hi - lo
    c = (hi - r) - lo  # the error of r
    hfx = 0.5 * r
    hxs = r * hfx
    r1 = 1.0 + hxs * _horner(hxs, EXPM1_Q)
    t = 3.0 - r1 * hfx
    e = hxs * ((r1 - t) / (6.0 - r * t))
    small = r - (r * e - hxs)  # k = 0
    e = (r * (e - c) - c) - hxs
    minus_one = 0.5 * (r - e) - 0.5  # k = -1
    one = np.where(r < -0.25, -2.0 * (e - (r + 0.5)), 1.0 + 2.0 * (r - e))  # k = 1
    ki = k.astype(np.int64)
    wide = _scale((r - e) + 1.0, ki) - 1.0  # k < 0 or k > 56
    two_minus_k = _scale(np.ones(ki.shape), -ki)
    medium = np.where(
        k < 20.0,
        _scale((r - e) + (1.0 - two_minus_k), ki),
        _scale((r - (e + two_minus_k)) + 1.0, ki),
    )
    out = np.where((k < 0.0) | (k > 56.0), wide, medium)
    out = np.where(k == 1.0, one, out)
    out = np.where(k == -1.0, minus_one, out)
    out = np.where(k == 0.0, small, out)
    out = np.where(np.abs(x) < 2.0**-54, x, out)  # expm1(x) = x to rounding, -0.0 kept
    out = np.where(x > EXP_OVERFLOW, np.inf, out)
    out = np.where(x < -40.0, -1.0, out)  # e^-40 is below half an ULP of 1
    return np.where(np.isnan(x), x, out)


@_kernel
def tanh(x: ArrayLike) -> np.ndarray:
    """The hyperbolic tangent, within one ULP (a table of tanh at 2,402 points and a polynomial).

    |x| falls in a cell of 2^-8 of its binade (one cell below 2^-5) whose centre c has tanh(c) in
    a table (:mod:`lvebm.tables`: two doubles, and 1 - tanh(c)^2); then, with d = |x| - c (exact,
    |d| <= 1/32) and t = tanh(d) from its Taylor polynomial,
    tanh(c + d) = tanh(c) + (1 - tanh(c)^2) t / (1 + tanh(c) t), whose second term is at most
    2^-9 of the result: its rounding barely counts, and tanh(c)'s two doubles are added last.
    No branch: each step is one NumPy operation on every element (the table look-ups are
    ``np.take``).

    Parameters
    ----------
    x : array_like
        Any numbers.

    Returns
    -------
    ndarray or float
        tanh(x): +-1 beyond |x| = 22, NaN for NaN.

    Examples
    --------
    >>> float(tanh(0.0)), float(tanh(30.0)), float(tanh(-0.5))
    (0.0, 1.0, -0.46211715726000974)
    """
    a = np.abs(x, out=np.empty(np.shape(x)))  # an array, 0-d ones too (in place below)
    np.minimum(a, TANH_LIMIT, out=a)  # NaN stays NaN
    cell = a.view(np.int64) >> TANH_SHIFT
    cell -= TANH_FIRST_CELL  # below 2^-5: negative, clipped to the cell 0 (c = 0); NaN: the last
    centre, hi, lo, slope = (np.take(column, cell, mode="clip") for column in TANH_TABLE)
    d = a
    d -= centre  # exact: |x| and c are within a factor 2 (Sterbenz)
    u = d * d
    t = _horner_into(u, TANH_P)
    t *= u
    t *= d
    t += d  # tanh(d)
    den = hi * t
    den += 1.0
    t *= slope
    t /= den  # tanh(|x|) - tanh(c)
    t += lo
    t += hi
    return np.copysign(t, x)  # tanh is odd; -0.0 stays -0.0


def _rem_pio2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x = n pi/2 + (y0 + y1), |y0 + y1| <= pi/4, y0 + y1 to about 118 bits; n mod 4."""
    n = np.rint(x * INV_PIO2)
    n = np.where(np.abs(x) <= SIN_COS_DOMAIN, n, 0.0)
    _, ex = np.frexp(x)
    (p1, p1t), (p2, p2t), (p3, p3t) = PIO2
    r = x - n * p1  # exact
    w = n * p1t
    y0 = r - w
    _, ey = np.frexp(y0)
    # cancellation beyond 16 bits: a second round with the next 33 bits of pi/2
    t = r
    w2 = n * p2
    r2 = t - w2
    w2 = n * p2t - ((t - r2) - w2)
    y02 = r2 - w2
    _, ey2 = np.frexp(y02)
    # beyond 49 bits: a third
    t = r2
    w3 = n * p3
    r3 = t - w3
    w3 = n * p3t - ((t - r3) - w3)
    y03 = r3 - w3
    third = (ex - ey2 > 49) & (ex - ey > 16)
    second = (ex - ey > 16) & ~third
    r = np.where(third, r3, np.where(second, r2, r))
    w = np.where(third, w3, np.where(second, w2, w))
    y0 = np.where(third, y03, np.where(second, y02, y0))
    y1 = (r - y0) - w
    return y0, y1, np.mod(n, 4.0)


def _sin_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """sin(x + y) on [-pi/4, pi/4], y the tail of x."""
    z = x * x
    w = z * z
    r = SIN_S[1] + z * (SIN_S[2] + z * SIN_S[3]) + z * w * (SIN_S[4] + z * SIN_S[5])
    v = z * x
    return x - ((z * (0.5 * y - v * r) - y) - v * SIN_S[0])


def _cos_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """cos(x + y) on [-pi/4, pi/4], y the tail of x."""
    z = x * x
    w = z * z
    r = z * (COS_C[0] + z * (COS_C[1] + z * COS_C[2])) + w * w * (
        COS_C[3] + z * (COS_C[4] + z * COS_C[5])
    )
    hz = 0.5 * z
    w = 1.0 - hz
    return w + (((1.0 - w) - hz) + (z * r - x * y))


def _sincos(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y0, y1, n = _rem_pio2(x)
    s = _sin_kernel(y0, y1)
    c = _cos_kernel(y0, y1)
    sin_x = np.where(n == 0.0, s, np.where(n == 1.0, c, np.where(n == 2.0, -s, -c)))
    cos_x = np.where(n == 0.0, c, np.where(n == 1.0, -s, np.where(n == 2.0, -c, s)))
    tiny = np.abs(x) < 2.0**-27  # sin x = x, keeping -0.0
    sin_x = np.where(tiny, x, sin_x)
    # beyond the reduction's domain (a latent of a million radians has no meaning here): NumPy's
    # own sin and cos, the platform's bits; inf and NaN give NaN either way
    beyond = ~(np.abs(x) <= SIN_COS_DOMAIN)
    if beyond.any():
        sin_x = np.where(beyond, np.sin(np.where(beyond, x, 0.0)), sin_x)
        cos_x = np.where(beyond, np.cos(np.where(beyond, x, 0.0)), cos_x)
    return sin_x, cos_x


@_kernel
def _sin(x: np.ndarray) -> np.ndarray:
    return _sincos(x)[0]


@_kernel
def _cos(x: np.ndarray) -> np.ndarray:
    return _sincos(x)[1]


def sin(x: ArrayLike) -> np.ndarray:
    """The sine, within one ULP for |x| up to 2^19 pi (fdlibm's algorithm).

    Parameters
    ----------
    x : array_like
        Angles in radians; the portable range is |x| <= 2^19 pi (about 1.6e6), beyond it
        NumPy's own ``np.sin``.

    Returns
    -------
    ndarray or float
        sin(x); NaN for inf and NaN.

    Examples
    --------
    >>> float(sin(np.pi / 6))
    0.49999999999999994
    """
    return _sin(x)


def cos(x: ArrayLike) -> np.ndarray:
    """The cosine, within one ULP for |x| up to 2^19 pi (fdlibm's algorithm).

    Parameters
    ----------
    x : array_like
        Angles in radians; the portable range is |x| <= 2^19 pi (about 1.6e6), beyond it
        NumPy's own ``np.cos``.

    Returns
    -------
    ndarray or float
        cos(x); NaN for inf and NaN.

    Examples
    --------
    >>> float(cos(np.pi))
    -1.0
    """
    return _cos(x)


def sincos(x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """sin(x) and cos(x) from one range reduction: equal to :func:`sin` and :func:`cos`.

    Parameters
    ----------
    x : array_like
        Angles in radians (as :func:`sin`).

    Returns
    -------
    tuple of ndarray
        sin(x) and cos(x), each as :func:`sin` and :func:`cos` give it.

    Examples
    --------
    >>> s, c = sincos(0.0)
    >>> float(s), float(c)
    (0.0, 1.0)
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        s, c = _sincos(x)
    return (s[()], c[()]) if x.ndim == 0 else (s, c)


def _atan(x: np.ndarray) -> np.ndarray:
    """atan(x) for x >= 0 (NaN-free input), fdlibm's four intervals and polynomial."""
    a = x
    ids = np.select([a < 0.4375, a < 0.6875, a < 1.1875, a < 2.4375], [-1, 0, 1, 2], default=3)
    reduced = np.select(
        [ids == 0, ids == 1, ids == 2, ids == 3],
        [(2.0 * a - 1.0) / (2.0 + a), (a - 1.0) / (a + 1.0), (a - 1.5) / (1.0 + 1.5 * a), -1.0 / a],
        default=a,
    )
    z = reduced * reduced
    w = z * z
    s1 = z * (
        ATAN_T[0]
        + w * (ATAN_T[2] + w * (ATAN_T[4] + w * (ATAN_T[6] + w * (ATAN_T[8] + w * ATAN_T[10]))))
    )
    s2 = w * (ATAN_T[1] + w * (ATAN_T[3] + w * (ATAN_T[5] + w * (ATAN_T[7] + w * ATAN_T[9]))))
    k = np.maximum(ids, 0)
    hi = np.asarray(ATAN_HI)[k]
    lo = np.asarray(ATAN_LO)[k]
    shifted = hi - ((reduced * (s1 + s2) - lo) - reduced)
    out = np.where(ids < 0, reduced - reduced * (s1 + s2), shifted)
    out = np.where(a < 2.0**-27, a, out)
    return np.where(a >= 2.0**66, ATAN_HI[3] + ATAN_LO[3], out)


@_kernel
def arctan2(y: ArrayLike, x: ArrayLike) -> np.ndarray:
    """The angle of the point (x, y), in [-pi, pi], within 1.4 ULP (fdlibm's algorithm).

    Parameters
    ----------
    y, x : array_like
        The point's coordinates (y first, as ``np.arctan2``).

    Returns
    -------
    ndarray or float
        atan2(y, x) with C's conventions for zeros and infinities; NaN if either is NaN.

    Examples
    --------
    >>> float(arctan2(0.0, -1.0)), float(arctan2(-1.0, 0.0))
    (3.141592653589793, -1.5707963267948966)
    """
    ay, ax = np.abs(y), np.abs(x)
    left, below = np.signbit(x), np.signbit(y)
    _, ey = np.frexp(ay)
    _, ex = np.frexp(ax)
    gap = ey - ex
    z = _atan(ay / np.where(ax == 0.0, 1.0, ax))
    z = np.where(left & (gap < -60), 0.0, z)  # |y/x| below 2^-60: atan is 0 (x < 0) ...
    z = np.where(gap > 60, 0.5 * PI + 0.5 * PI_LO, z)  # ... or pi/2 above 2^60
    right_out = z
    left_out = PI - (z - PI_LO)
    left_out = np.where(gap > 60, z, left_out)  # pi/2 whatever the side
    out = np.where(left, left_out, right_out)
    out = np.where(below, -out, out)
    # zeros and infinities (C's table)
    half_pi = 0.5 * PI + 0.5 * PI_LO
    out = np.where(ax == 0.0, np.where(below, -half_pi, half_pi), out)
    zero_y = np.where(left, np.where(below, -PI - PI_LO, PI + PI_LO), y)
    out = np.where(ay == 0.0, zero_y, out)
    inf_x = np.where(left, PI + PI_LO, 0.0)
    inf_both = np.where(left, 3.0 * (0.25 * PI + 0.25 * PI_LO), 0.25 * PI + 0.25 * PI_LO)
    out = np.where(
        np.isinf(ax), np.where(np.isinf(ay), inf_both, inf_x) * np.where(below, -1.0, 1.0), out
    )
    out = np.where(np.isinf(ay) & ~np.isinf(ax), np.where(below, -half_pi, half_pi), out)
    return np.where(np.isnan(x) | np.isnan(y), x + y, out)


def _square(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x^2 as hi + lo, exactly (Dekker's product without fused multiply-add)."""
    c = x * SPLIT
    xh = (x - c) + c
    xl = x - xh
    hi = x * x
    lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl
    return hi, lo


@_kernel
def hypot(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """sqrt(x^2 + y^2) without overflow or underflow, within one ULP (musl's algorithm).

    Parameters
    ----------
    x, y : array_like
        The legs.

    Returns
    -------
    ndarray or float
        The hypotenuse; inf if either leg is infinite, else NaN if either is NaN.

    Examples
    --------
    >>> float(hypot(3.0, 4.0)), float(hypot(1e300, 1e300))
    (5.0, 1.4142135623730952e+300)
    """
    a, b = np.abs(x), np.abs(y)
    big, small = np.maximum(a, b), np.minimum(a, b)
    _, eb = np.frexp(big)
    _, es = np.frexp(small)
    scale = np.where(eb > 510, 2.0**700, np.where(es < -450, 2.0**-700, 1.0))
    bs, ss = big / scale, small / scale  # exact: powers of two
    hb, lb = _square(bs)
    hs, ls = _square(ss)
    out = scale * np.sqrt(((ls + lb) + hs) + hb)
    out = np.where((eb - es > 64) | (small == 0.0), big + small, out)
    out = np.where(np.isnan(x) | np.isnan(y), np.nan, out)
    return np.where(np.isinf(x) | np.isinf(y), np.inf, out)


@_kernel
def softplus(x: ArrayLike) -> np.ndarray:
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).

    Parameters
    ----------
    x : array_like
        Any numbers.

    Returns
    -------
    ndarray or float
        log(1 + e^x), as ``np.logaddexp(0, x)`` to rounding.

    Examples
    --------
    >>> float(softplus(0.0)), float(softplus(800.0))
    (0.6931471805599453, 800.0)
    """
    return np.maximum(x, 0.0) + log1p(exp(-np.abs(x)))


# log(I0(x) e^-x): the power series up to SERIES_LIMIT, the asymptotic series above
SERIES_LIMIT = 25.0
SERIES_SPLIT = 2.0
LOG_TWO_PI = 1.8378770664093456  # log(2 pi), correctly rounded
SERIES_TERMS = 90
ASYMPTOTIC_TERMS = 40


@_kernel
def log_i0e(x: ArrayLike) -> np.ndarray:
    """log(I0(x) e^-|x|), I0 the modified Bessel function of order 0, from basic operations.

    For |x| <= 25 the power series sum_k (x^2/4)^k / k!^2 (all terms positive); above, the
    asymptotic series of e^-x I0(x) sqrt(2 pi x), truncated where its terms are below 1e-17.

    Parameters
    ----------
    x : array_like
        Any real numbers (I0 is even).

    Returns
    -------
    ndarray or float
        log(I0(x)) - |x|, as ``np.log(scipy.special.i0e(x))`` to rounding; NaN for NaN.

    Examples
    --------
    >>> float(log_i0e(0.0))
    0.0
    """
    a = np.abs(x)
    q = 0.25 * np.where(a <= SERIES_LIMIT, a, 0.0) ** 2
    term = np.ones(a.shape)
    rest = np.zeros(a.shape)  # the series less its first term, 1: log1p keeps its digits
    for k in range(1, SERIES_TERMS):
        term = term * q / float(k * k)
        rest = rest + term
    # near 0 log1p(rest) - a keeps the digits; further out log(e^-a (1 + rest)) avoids the
    # cancellation of log(I0) against a
    series = np.where(a < SERIES_SPLIT, log1p(rest) - a, log(exp(-a) * (1.0 + rest)))
    big = np.where(a > SERIES_LIMIT, a, 2.0 * SERIES_LIMIT)
    term = np.ones(a.shape)
    total = np.ones(a.shape)
    for k in range(1, ASYMPTOTIC_TERMS):
        term = term * float((2 * k - 1) ** 2) / (8.0 * k * big)
        total = total + term
    asymptotic = log1p(total - 1.0) - 0.5 * (LOG_TWO_PI + log(big))  # no overflow at 1e308
    out = np.where(a <= SERIES_LIMIT, series, asymptotic)
    return np.where(np.isinf(a), -np.inf, out)


def geomspace(start: float, stop: float, num: int) -> np.ndarray:
    """``num`` numbers from ``start`` to ``stop`` spaced evenly on a log scale.

    Each is start (stop / start)^(i / (num - 1)) evaluated in decimal arithmetic at 34 digits
    (Python's ``decimal``: integer arithmetic, the same everywhere) and rounded to float64, so
    a round number comes out round (``geomspace(0.01, 1e4, 3)[1]`` is 10.0).

    Parameters
    ----------
    start, stop : float
        The first and the last number, both > 0.
    num : int
        How many.

    Returns
    -------
    ndarray
        The numbers, as ``np.geomspace`` gives them to rounding, the ends exact.

    Examples
    --------
    >>> geomspace(1.0, 100.0, 3).tolist()
    [1.0, 10.0, 100.0]
    """
    import decimal

    start, stop, num = float(start), float(stop), int(num)
    with decimal.localcontext(decimal.Context(prec=34)):
        first, ratio = decimal.Decimal(start), decimal.Decimal(stop) / decimal.Decimal(start)
        out = (
            [
                float(first * ratio ** (decimal.Decimal(i) / decimal.Decimal(num - 1)))
                for i in range(num)
            ]
            if num > 1
            else [start] * num
        )
    if num > 1:
        out[0], out[-1] = start, stop
    return np.array(out, dtype=np.float64)


def dot(a: ArrayLike, b: ArrayLike, axis: int = -1) -> np.ndarray:
    """sum(a * b) along ``axis``, in NumPy's pairwise order (not BLAS's).

    Parameters
    ----------
    a, b : array_like
        Broadcastable arrays.
    axis : int, optional
        The axis summed over (default the last).

    Returns
    -------
    ndarray or float
        The sums, float64.

    Examples
    --------
    >>> float(dot([1.0, 2.0], [3.0, 4.0]))
    11.0
    """
    product = np.multiply(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    return np.sum(np.ascontiguousarray(np.moveaxis(product, axis, -1)), axis=-1)


def dot_rows(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """a b^T for 2-D arrays, each entry ``dot(a[i], b[l])``: NumPy's pairwise sum over the
    columns, as ``dot(a[:, None, :], b[None, :, :])`` gives it, one row of ``a`` at a time (the
    products of a row stay in cache, where the whole (m, p, n) product would not).

    Parameters
    ----------
    a : array_like
        An (m, n) matrix.
    b : array_like
        A (p, n) matrix.

    Returns
    -------
    ndarray
        The (m, p) sums.

    Examples
    --------
    >>> dot_rows([[1.0, 2.0]], [[3.0, 4.0], [1.0, 0.0]]).tolist()
    [[11.0, 1.0]]
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"dot_rows: shapes {a.shape} and {b.shape} do not match")
    out = np.empty((a.shape[0], b.shape[0]))
    term = np.empty_like(b)
    for i in range(a.shape[0]):
        np.multiply(a[i], b, out=term)
        np.sum(term, axis=-1, out=out[i])
    return out


def matmul(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """The matrix product a b of 2-D arrays, each entry summed term by term in index order.

    ``sum_k a[i, k] b[k, j]`` as one elementwise multiply and add per k: the order is fixed and
    the same on every CPU, unlike a BLAS kernel's. Meant for the small inner dimensions of the
    networks (a loop over k); the other dimensions are vectorised.

    Parameters
    ----------
    a : array_like
        An (m, n) matrix.
    b : array_like
        An (n, p) matrix, or a vector of n.

    Returns
    -------
    ndarray
        The (m, p) product (m for a vector ``b``).

    Examples
    --------
    >>> matmul([[1.0, 2.0]], [[3.0], [4.0]]).tolist()
    [[11.0]]
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim not in (1, 2) or a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not multiply")
    column = b.ndim == 1
    b2 = b[:, None] if column else b
    out = np.zeros((a.shape[0], b2.shape[1]))
    term = np.empty_like(out)  # one buffer for every k's products: no temporary per term
    for k in range(a.shape[1]):
        np.multiply(a[:, k : k + 1], b2[k : k + 1, :], out=term)
        out += term
    return out[:, 0] if column else out


def solve(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """x with a x = b, by Gaussian elimination with partial pivoting, in a fixed order.

    LAPACK's ``gesv`` does the same elimination, but its updates go through BLAS kernels whose
    order is the CPU's; here each update is one elementwise NumPy operation per pivot.

    Parameters
    ----------
    a : array_like
        An (n, n) non-singular matrix.
    b : array_like
        A vector of n.

    Returns
    -------
    ndarray
        x.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is singular (a pivot is 0).
    ValueError
        If the shapes do not match.

    Examples
    --------
    >>> solve([[4.0, 2.0], [2.0, 3.0]], [2.0, 1.0]).tolist()
    [0.5, 0.0]
    """
    m = np.array(a, dtype=np.float64)
    x = np.array(b, dtype=np.float64)
    n = m.shape[0]
    if m.shape != (n, n) or x.shape != (n,):
        raise ValueError(f"solve: shapes {m.shape} and {x.shape} do not match")
    for j in range(n):
        p = j + int(np.argmax(np.abs(m[j:, j])))  # the first of the largest: a fixed choice
        if m[p, j] == 0.0 or not np.isfinite(m[p, j]):
            raise np.linalg.LinAlgError("solve: the matrix is singular")
        if p != j:
            m[[j, p]] = m[[p, j]]
            x[[j, p]] = x[[p, j]]
        factors = m[j + 1 :, j] / m[j, j]
        m[j + 1 :, j:] -= factors[:, None] * m[j, j:][None, :]
        x[j + 1 :] -= factors * x[j]
    for j in range(n - 1, -1, -1):  # back substitution, each row's terms in index order
        x[j] = (x[j] - np.sum(m[j, j + 1 :] * x[j + 1 :])) / m[j, j]
    return x


def _slices(a: np.ndarray, bits: int, count: int, e: np.ndarray | None = None) -> list[np.ndarray]:
    """a = s_1 + ... + s_count + (what lies below 2^-(count bits) of each column's largest
    entry, 2^e): s_k a multiple of 2^(e - k bits), |s_k| <= 2^(e - (k - 1) bits). Each slice is
    the rest rounded to its grid by (rest + sigma) - sigma, sigma = 1.5 2^(e - k bits + 52):
    exact, two operations. ``e``: the exponents, if they come from a larger array (any shape
    that broadcasts against ``a``: ``gauss_newton`` slices J^T by rows)."""
    if e is None:
        _, e = np.frexp(_largest_magnitude(a, axis=0))  # |a| < 2^e (0: zero column)
    rest = a
    slices = []
    for k in range(1, count + 1):
        sigma = np.ldexp(1.5, e - k * bits + 52)
        piece = rest + sigma
        piece -= sigma
        if k < count:  # the last slice's rest is not needed
            rest = rest - piece  # exact
        slices.append(piece)
    return slices


def _largest_magnitude(a: np.ndarray, axis: int) -> np.ndarray:
    """max |a| along ``axis`` (kept), as two reductions with no array of |a| (the same bits)."""
    return np.maximum(np.max(a, axis=axis, keepdims=True), -np.min(a, axis=axis, keepdims=True))


def _slice_bits(n: int) -> int:
    """Bits per slice such that a sum of n products of two slices needs at most 53 bits."""
    # |s| <= 2^bits units: a product 2 bits + 2, a sum of n of them ceil(log2 n) more
    return (51 - max(int(np.ceil(np.log2(max(n, 2)))), 1)) // 2


def _slice_products(sa: list, sb: list, count: int, gram: bool) -> np.ndarray:
    """sum of sa_s^T sb_t over s + t <= count + 1: each level s + t summed exactly, then the
    levels added in a fixed order, the largest first."""
    levels = []
    for level in range(2, count + 2):
        total = np.zeros((sa[0].shape[1], sb[0].shape[1]))
        for s in range(1, level):
            t = level - s
            if s > len(sa) or t > len(sb) or (gram and s > t):
                continue
            product = sa[s - 1].T @ sb[t - 1]  # exact
            total += product + product.T if gram and s < t else product  # exact
        levels.append(total)
    out = levels[0]
    for total in levels[1:]:
        out = out + total
    return out


def gauss_newton(
    jac: ArrayLike, r: ArrayLike, *, gram_bits: int = 53
) -> tuple[np.ndarray, np.ndarray]:
    """J^T J as :func:`exact_tmatmul` gives it (to ``gram_bits``), and J^T r by :func:`dot`.

    Parameters
    ----------
    jac : array_like
        The Jacobian J, (n, m), finite.
    r : array_like
        The residuals, n, finite.
    gram_bits : int, optional
        The bits of J^T J kept (53 by default: as a float64 product).

    Returns
    -------
    tuple of ndarray
        J^T J (m, m) and J^T r (m), the second summed in NumPy's pairwise order.

    Examples
    --------
    >>> h, g = gauss_newton([[1.0, 0.0], [1.0, 2.0]], [1.0, 1.0])
    >>> h.tolist(), g.tolist()
    ([[2.0, 2.0], [2.0, 4.0]], [2.0, 2.0])
    """
    jt = np.asarray(jac, dtype=np.float64).T  # (m, n): rows contiguous for a network's J
    r = np.asarray(r, dtype=np.float64)
    n = jt.shape[1]
    width = _slice_bits(n)
    count = -(-gram_bits // width)
    # each parameter's largest |J| (a power of two above it: the slices' grid), then the slice
    # products block by block of GRAM_BLOCK rows, in cache: every partial sum is exact (the bits
    # were chosen for all n rows), so blocks add up to the same bits in any order. One slice
    # (gram_bits up to the slices' width) is one product of all the rows: no blocks to gain.
    _, e = np.frexp(_largest_magnitude(jt, axis=1))
    # one accumulator per level: within a level every sum is exact, whatever the blocks
    levels = np.zeros((count, jt.shape[0], jt.shape[0]))
    block = n if count == 1 else GRAM_BLOCK
    for start in range(0, n, max(block, 1)):
        slices = _slices(jt[:, start : start + block], width, count, e)  # per row of jt
        for level in range(2, count + 2):  # the pairs (s, t), s <= t, s + t = level
            for a in range(1, level // 2 + 1):
                b = level - a
                if b > count:
                    continue
                product = slices[a - 1] @ slices[b - 1].T  # exact
                levels[level - 2] += product if a == b else product + product.T
    gram = levels[0]
    for level in levels[1:]:  # the levels added in a fixed order, the largest first
        gram = gram + level
    return gram, dot(jt, r)


def exact_tmatmul(a: ArrayLike, b: ArrayLike | None = None, *, bits: int = 53) -> np.ndarray:
    """a^T b through BLAS, in a way no BLAS kernel can change a bit (Ozaki's splitting).

    Each column of ``a`` and of ``b`` is split into slices of a few bits below a power of two,
    so few that a product of two slices summed over the rows needs at most 53 bits: every slice
    product ``A_s^T B_t`` is then exact in float64 whatever the order of its sums, with fused
    multiply-add or not, threaded or not. The slice products are added in a fixed order, the
    largest first, down to those that reach ``bits`` bits below each column's largest entry.
    So the result is the same on every CPU; with ``bits=53`` each entry is within
    n 2^-53 max|a_i| max|b_j| of the exact sum (n the rows), the bound of a float64 product
    summed in any order.

    Parameters
    ----------
    a : array_like
        An (n, m) matrix of finite numbers.
    b : array_like, optional
        An (n, p) matrix of finite numbers, or a vector of n; ``a`` itself if omitted (the Gram
        matrix a^T a, computed by the symmetric products).
    bits : int, optional
        The precision kept, in bits below each column's largest entry (53 by default); fewer
        bits take fewer products (Gauss-Newton's J^T J needs no more than 36).

    Returns
    -------
    ndarray
        The (m, p) product (m for a vector ``b``).

    Raises
    ------
    ValueError
        If the shapes do not multiply.

    Examples
    --------
    >>> exact_tmatmul([[1.0], [2.0]], [[3.0], [4.0]]).tolist()
    [[11.0]]
    """
    a = np.asarray(a, dtype=np.float64)
    gram = b is None
    b = a if gram else np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim not in (1, 2) or a.shape[0] != b.shape[0]:
        raise ValueError(f"exact_tmatmul: shapes {a.shape} and {b.shape} do not multiply")
    column = b.ndim == 1
    b2 = b[:, None] if column else b
    width = _slice_bits(a.shape[0])
    count = -(-bits // width)
    sa = _slices(a, width, count)
    sb = sa if gram else _slices(b2, width, count)
    out = _slice_products(sa, sb, count, gram)
    return out[:, 0] if column else out
