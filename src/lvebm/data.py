"""The lecture's "horn" data: noisy ellipses whose radii grow with x.

y = [rho1(x) cos(theta) + eps1, rho2(x) sin(theta) + eps2],
rho(x) = [alpha x + beta (1 - x), beta x + alpha (1 - x)] exp(2x),
x ~ U(0, 1), theta ~ U(0, 2 pi), eps ~ N(0, sigma^2) independently per component.

Every random stream is a ``numpy.random.Generator`` seeded from the one ``seed`` and a stable
stream name, so adding or resizing one stream never changes another.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm import portable
from lvebm.arguments import count, real_array, real_number

Array = NDArray[np.float64]


def stream(seed: int, name: str) -> np.random.Generator:
    """Generator for the random stream ``name`` derived from ``seed`` (stable across runs).

    The stream's seed sequence has ``seed`` for entropy and the UTF-8 bytes of ``name`` for spawn
    key, so two names give independent streams, and one name the same stream in every run.

    Parameters
    ----------
    seed : int
        The seed, >= 0 (the pipeline's 709).
    name : str
        The stream's name, such as ``"horn/x"`` or ``"slice/noise"``.

    Returns
    -------
    numpy.random.Generator
        A fresh generator at the start of the stream.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer (from :class:`numpy.random.SeedSequence`).
    ValueError
        If ``seed`` is negative (from :class:`numpy.random.SeedSequence`).

    Examples
    --------
    >>> stream(709, "horn/x").uniform(0.0, 1.0, 2).round(3).tolist()
    [0.698, 0.07]
    >>> stream(709, "horn/x").uniform() == stream(709, "horn/theta").uniform()
    False
    """
    key = tuple(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))


def radii(x: ArrayLike, *, alpha: float = 1.5, beta: float = 2.0) -> tuple[Array, Array]:
    """The horn's radii rho(x) = [alpha x + beta (1-x), beta x + alpha (1-x)] exp(2x).

    Parameters
    ----------
    x : array_like
        The position(s) along the horn, real numbers (the data's are in [0, 1]).
    alpha, beta : float, optional
        The radii's coefficients (the lecture's 1.5 and 2.0): at x = 0 the radii are
        (beta, alpha), at x = 1 (alpha, beta) e^2.

    Returns
    -------
    rho1, rho2 : ndarray
        The radii along y1 and y2, float64, in the shape of ``x``.

    Raises
    ------
    ValueError
        If ``x`` is complex or not numeric.

    Examples
    --------
    >>> [r.round(4).tolist() for r in radii([0.0, 1.0], alpha=1.5, beta=2.0)]
    [[2.0, 11.0836], [1.5, 14.7781]]
    """
    x = real_array("x", x)
    growth = portable.exp(2.0 * x)
    return (alpha * x + beta * (1.0 - x)) * growth, (beta * x + alpha * (1.0 - x)) * growth


def horn_points(
    x: ArrayLike, theta: ArrayLike, eps1: ArrayLike, eps2: ArrayLike, *, alpha: float, beta: float
) -> tuple[Array, Array]:
    """The noisy point y(x, theta) + eps of the horn.

    y = [rho1(x) cos(theta) + eps1, rho2(x) sin(theta) + eps2], with the radii of :func:`radii`.

    Parameters
    ----------
    x : array_like
        The position(s) along the horn, real numbers.
    theta : array_like
        The angle(s) on the ellipse, radians, broadcast with ``x``.
    eps1, eps2 : array_like
        The noise added to each coordinate (zeros for the clean points), broadcast with ``x``.
    alpha, beta : float
        The radii's coefficients (the lecture's 1.5 and 2.0).

    Returns
    -------
    y1, y2 : ndarray
        The points' coordinates, float64, in the broadcast shape of the arguments.

    Raises
    ------
    ValueError
        If ``x`` is complex or not numeric, or the arguments cannot be broadcast together.
    TypeError
        If ``theta`` is complex.

    Examples
    --------
    >>> y1, y2 = horn_points([0.0, 1.0], [0.0, 0.0], 0.0, 0.1, alpha=1.5, beta=2.0)
    >>> y1.round(4).tolist(), y2.round(4).tolist()
    ([2.0, 11.0836], [0.1, 0.1])
    """
    rho1, rho2 = radii(x, alpha=alpha, beta=beta)
    theta = np.asarray(theta, dtype=np.float64)
    return rho1 * portable.cos(theta) + eps1, rho2 * portable.sin(theta) + eps2


# the lecture's data: alpha, beta, the noise, and the pipeline's default seed (config.yaml)
LECTURE = {"seed": 709, "alpha": 1.5, "beta": 2.0, "noise_std": 0.05}


def _checked(n, seed, alpha, beta, noise_std) -> None:
    count("n", n)
    count("seed", seed)
    for name, value in (("alpha", alpha), ("beta", beta), ("noise_std", noise_std)):
        real_number(name, value)
    if not noise_std >= 0:
        raise ValueError(f"noise_std = {noise_std!r} is invalid: must be >= 0")


def sample_horn(
    n: int = 500,
    *,
    seed: int = LECTURE["seed"],
    alpha: float = LECTURE["alpha"],
    beta: float = LECTURE["beta"],
    noise_std: float = LECTURE["noise_std"],
    streams: str = "horn",
) -> dict[str, np.ndarray]:
    """``n`` points of the 3-D horn: columns ``x, theta, y1, y2``.

    x ~ U(0, 1), theta ~ U(0, 2 pi) and the noise eps ~ N(0, noise_std^2) come from the random
    streams ``<streams>/x``, ``<streams>/theta`` and ``<streams>/noise`` (figure 1's are
    ``horn/...``). The defaults are the lecture's data and the pipeline's seed.

    Parameters
    ----------
    n : int, optional
        The number of points, >= 0 (500 by default).
    seed : int, optional
        The seed of the random streams, >= 0 (the pipeline's 709).
    alpha, beta : float, optional
        The radii's coefficients (the lecture's 1.5 and 2.0), see :func:`radii`.
    noise_std : float, optional
        The noise's standard deviation sigma per coordinate, >= 0 (the lecture's 0.05).
    streams : str, optional
        The prefix of the random streams' names (``"horn"``).

    Returns
    -------
    dict of str to ndarray
        Columns ``x, theta, y1, y2``, each of ``n`` values: the position along the horn, the
        angle, and the noisy point.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer, or ``alpha``, ``beta`` or ``noise_std`` not a
        real number.
    ValueError
        If ``n`` or ``seed`` is negative, or ``noise_std`` is not >= 0.

    Examples
    --------
    >>> h = sample_horn(3, seed=709, alpha=1.5, beta=2.0, noise_std=0.05)
    >>> sorted(h), h["x"].round(3).tolist()
    (['theta', 'x', 'y1', 'y2'], [0.698, 0.07, 0.591])
    """
    _checked(n, seed, alpha, beta, noise_std)
    x = stream(seed, f"{streams}/x").uniform(0.0, 1.0, n)
    theta = stream(seed, f"{streams}/theta").uniform(0.0, 2.0 * np.pi, n)
    eps = stream(seed, f"{streams}/noise").normal(0.0, noise_std, (2, n))
    y1, y2 = horn_points(x, theta, eps[0], eps[1], alpha=alpha, beta=beta)
    return {"x": x, "theta": theta, "y1": y1, "y2": y2}


def sample_slice(
    n: int = 24,
    *,
    x: float = 0.0,
    seed: int = LECTURE["seed"],
    alpha: float = LECTURE["alpha"],
    beta: float = LECTURE["beta"],
    noise_std: float = LECTURE["noise_std"],
) -> dict[str, np.ndarray]:
    """The ``n`` samples y^(1) ... y^(n) of the horn at fixed ``x``: columns ``i, theta, y1, y2``.

    ``i`` is the lecture's 1-based label; the defaults are the lecture's (24 samples at x = 0)
    and the pipeline's seed. The angles and the noise come from the random streams
    ``slice/theta`` and ``slice/noise``.

    Parameters
    ----------
    n : int, optional
        The number of samples, >= 0 (the lecture's 24).
    x : float, optional
        The slice's position along the horn (the lecture's 0).
    seed : int, optional
        The seed of the random streams, >= 0 (the pipeline's 709).
    alpha, beta : float, optional
        The radii's coefficients (the lecture's 1.5 and 2.0), see :func:`radii`.
    noise_std : float, optional
        The noise's standard deviation sigma per coordinate, >= 0 (the lecture's 0.05).

    Returns
    -------
    dict of str to ndarray
        Columns ``i, theta, y1, y2``, each of ``n`` values: the label 1 ... n (int64), the
        angle, and the noisy sample.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer, or ``x``, ``alpha``, ``beta`` or ``noise_std``
        not a real number.
    ValueError
        If ``n`` or ``seed`` is negative, or ``noise_std`` is not >= 0.

    Examples
    --------
    >>> s = sample_slice(3, x=0.0, seed=709, alpha=1.5, beta=2.0, noise_std=0.05)
    >>> s["i"].tolist(), s["y1"].round(3).tolist()
    ([1, 2, 3], [1.861, 0.871, 0.782])
    """
    _checked(n, seed, alpha, beta, noise_std)
    real_number("x", x)
    theta = stream(seed, "slice/theta").uniform(0.0, 2.0 * np.pi, n)
    eps = stream(seed, "slice/noise").normal(0.0, noise_std, (2, n))
    y1, y2 = horn_points(np.full(n, x), theta, eps[0], eps[1], alpha=alpha, beta=beta)
    return {"i": np.arange(1, n + 1, dtype=np.int64), "theta": theta, "y1": y1, "y2": y2}


def held_out_slice(
    n: int = 200,
    *,
    x: float = 0.0,
    seed: int = LECTURE["seed"],
    alpha: float = LECTURE["alpha"],
    beta: float = LECTURE["beta"],
    noise_std: float = LECTURE["noise_std"],
) -> dict[str, np.ndarray]:
    """``n`` held-out noisy samples of the slice at ``x``, with their clean points.

    The angles and the noise come from the streams ``denoise/theta`` and ``denoise/noise``, apart
    from the training samples'; the defaults are :func:`sample_slice`'s. Unlike
    :func:`sample_slice`, the arguments are not checked here: numpy raises for the bad ones.

    Parameters
    ----------
    n : int, optional
        The number of samples, >= 0 (200 by default).
    x : float, optional
        The slice's position along the horn (the lecture's 0).
    seed : int, optional
        The seed of the random streams, >= 0 (the pipeline's 709).
    alpha, beta : float, optional
        The radii's coefficients (the lecture's 1.5 and 2.0), see :func:`radii`.
    noise_std : float, optional
        The noise's standard deviation sigma per coordinate, >= 0 (the lecture's 0.05).

    Returns
    -------
    dict of str to ndarray
        Columns ``i, theta, y1, y2, clean_y1, clean_y2``, each of ``n`` values: the label
        1 ... n (int64), the angle, the noisy sample and its clean point (noise 0).

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``n`` or ``seed`` is negative, ``noise_std`` < 0, or ``x`` is not a real number.

    Examples
    --------
    >>> h = held_out_slice(3)
    >>> sorted(h)
    ['clean_y1', 'clean_y2', 'i', 'theta', 'y1', 'y2']
    >>> h["clean_y1"].round(3).tolist(), h["y1"].round(3).tolist()
    ([-1.955, 1.497, -1.95], [-1.981, 1.54, -1.911])
    """
    _checked(n, seed, alpha, beta, noise_std)
    real_number("x", x)
    theta = stream(seed, "denoise/theta").uniform(0.0, 2.0 * np.pi, n)
    eps = stream(seed, "denoise/noise").normal(0.0, noise_std, (2, n))
    zeros = np.zeros(n)
    clean1, clean2 = horn_points(np.full(n, x), theta, zeros, zeros, alpha=alpha, beta=beta)
    return {
        "i": np.arange(1, n + 1, dtype=np.int64),
        "theta": theta,
        "y1": clean1 + eps[0],
        "y2": clean2 + eps[1],
        "clean_y1": clean1,
        "clean_y2": clean2,
    }
