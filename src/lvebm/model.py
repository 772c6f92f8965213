"""The lecture's decoder g(z) = [w1 cos z, w2 sin z] and energy E(y, z) = |y - g(z)|^2.

Every function broadcasts over points ``y1, y2`` and latents ``z`` with numpy's rules, so an
``(N, 1)`` column of points against a ``(K,)`` row of latents gives an ``(N, K)`` table.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm.arguments import count, labels_array

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Decoder:
    """Ellipse decoder g(z) = [w1 cos z, w2 sin z]; z runs clockwise when w1 * w2 < 0.

    >>> decoder = Decoder(w1=-1.45, w2=0.36)  # the lecture's untrained decoder
    >>> [float(g) for g in decoder(0.0)], round(float(decoder.energy(2.0, 0.1, np.pi)), 4)
    ([-1.45, 0.0], 0.3125)
    """

    w1: float
    w2: float

    def __post_init__(self) -> None:
        for name in ("w1", "w2"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(
                    f"decoder.{name} must be a real number, not {type(value).__name__} ({value!r})"
                )
            if not np.isfinite(value) or value == 0.0:
                raise ValueError(
                    f"decoder.{name} must be a finite, real, non-zero number, got {value!r}"
                )

    def __call__(self, z: ArrayLike) -> tuple[Array, Array]:
        """Decoded point y_tilde = g(z), as the pair (g1, g2)."""
        z = np.asarray(z, dtype=np.float64)
        return self.w1 * np.cos(z), self.w2 * np.sin(z)

    def energy(self, y1: ArrayLike, y2: ArrayLike, z: ArrayLike) -> Array:
        """E(y, z) = (y1 - w1 cos z)^2 + (y2 - w2 sin z)^2."""
        g1, g2 = self(z)
        return (np.asarray(y1) - g1) ** 2 + (np.asarray(y2) - g2) ** 2

    def energy_dz(self, y1: ArrayLike, y2: ArrayLike, z: ArrayLike) -> Array:
        """dE/dz = 2 w1 y1 sin z - 2 w2 y2 cos z + (w2^2 - w1^2) sin 2z."""
        z = np.asarray(z, dtype=np.float64)
        return (
            2.0 * self.w1 * np.asarray(y1) * np.sin(z)
            - 2.0 * self.w2 * np.asarray(y2) * np.cos(z)
            + (self.w2**2 - self.w1**2) * np.sin(2.0 * z)
        )

    def energy_dz2(self, y1: ArrayLike, y2: ArrayLike, z: ArrayLike) -> Array:
        """d2E/dz2 = 2 w1 y1 cos z + 2 w2 y2 sin z + 2 (w2^2 - w1^2) cos 2z."""
        z = np.asarray(z, dtype=np.float64)
        return (
            2.0 * self.w1 * np.asarray(y1) * np.cos(z)
            + 2.0 * self.w2 * np.asarray(y2) * np.sin(z)
            + 2.0 * (self.w2**2 - self.w1**2) * np.cos(2.0 * z)
        )

    def energy_and_dz(self, y1: ArrayLike, y2: ArrayLike, z: ArrayLike) -> tuple[Array, Array]:
        """E and dE/dz together, sharing the trigonometry (the optimizers' hot path)."""
        z = np.asarray(z, dtype=np.float64)
        c, s = np.cos(z), np.sin(z)
        r1 = np.asarray(y1) - self.w1 * c
        r2 = np.asarray(y2) - self.w2 * s
        return r1 * r1 + r2 * r2, 2.0 * (r1 * self.w1 * s - r2 * self.w2 * c)


# the lecture's latent grid: 48 values of z (the exhaustive search, the finite-temperature mean)
LATENT_N = 48


def latent_grid(n: int) -> Array:
    """The latent grid z_k = 2 pi k / n, k = 0 ... n-1 (2 pi excluded): the lecture's
    :data:`LATENT_N` values.

    >>> latent_grid(4).round(4).tolist()
    [0.0, 1.5708, 3.1416, 4.7124]
    """
    n = count("n", n, 1)
    return 2.0 * np.pi * np.arange(n) / n


def energy_table(
    decoder: Decoder, labels: ArrayLike, y1: ArrayLike, y2: ArrayLike, n: int
) -> dict[str, np.ndarray]:
    """E_i(z_k) for every sample i and latent z_k, one row per pair (sample-major).

    Columns ``i, k, z, y1_tilde, y2_tilde, E`` as in the design's ``energies.parquet``.

    >>> t = energy_table(Decoder(-1.45, 0.36), [1], [2.0], [0.1], n=4)
    >>> t["E"].round(4).tolist()
    [11.9125, 4.0676, 0.3125, 4.2116]
    """
    labels = labels_array("labels", labels)
    y1 = np.asarray(y1, dtype=np.float64)
    y2 = np.asarray(y2, dtype=np.float64)
    z = latent_grid(n)
    g1, g2 = decoder(z)
    energy = decoder.energy(y1[:, None], y2[:, None], z[None, :])
    m = labels.size
    return {
        "i": np.repeat(labels, n),
        "k": np.tile(np.arange(n, dtype=np.int64), m),
        "z": np.tile(z, m),
        "y1_tilde": np.tile(g1, m),
        "y2_tilde": np.tile(g2, m),
        "E": energy.reshape(-1),
    }
