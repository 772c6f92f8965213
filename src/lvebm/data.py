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

from lvebm.arguments import count, real_array, real_number

Array = NDArray[np.float64]


def stream(seed: int, name: str) -> np.random.Generator:
    """Generator for the random stream ``name`` derived from ``seed`` (stable across runs)."""
    key = tuple(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))


def radii(x: ArrayLike, *, alpha: float = 1.5, beta: float = 2.0) -> tuple[Array, Array]:
    """rho(x) = [alpha x + beta (1-x), beta x + alpha (1-x)] exp(2x).

    >>> [r.round(4).tolist() for r in radii([0.0, 1.0], alpha=1.5, beta=2.0)]
    [[2.0, 11.0836], [1.5, 14.7781]]
    """
    x = real_array("x", x)
    growth = np.exp(2.0 * x)
    return (alpha * x + beta * (1.0 - x)) * growth, (beta * x + alpha * (1.0 - x)) * growth


def horn_points(
    x: ArrayLike, theta: ArrayLike, eps1: ArrayLike, eps2: ArrayLike, *, alpha: float, beta: float
) -> tuple[Array, Array]:
    """The noisy point y(x, theta) + eps of the horn."""
    rho1, rho2 = radii(x, alpha=alpha, beta=beta)
    theta = np.asarray(theta, dtype=np.float64)
    return rho1 * np.cos(theta) + eps1, rho2 * np.sin(theta) + eps2


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
    """``n`` points of the 3-D horn: columns ``x, theta, y1, y2``, from the random streams
    ``<streams>/x``, ``<streams>/theta`` and ``<streams>/noise`` (figure 1's are ``horn/...``).
    The defaults are the lecture's data and the pipeline's seed.

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
    and the pipeline's seed.

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
    """``n`` held-out noisy samples of the slice at ``x`` (streams ``denoise/theta`` and
    ``denoise/noise``, apart from the training samples) with their clean points: columns
    ``i, theta, y1, y2, clean_y1, clean_y2``; the defaults are :func:`sample_slice`'s."""
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
