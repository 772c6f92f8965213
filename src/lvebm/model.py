"""The lecture's decoder g(z) = [w1 cos z, w2 sin z] and energy E(y, z) = |y - g(z)|^2.

Every function broadcasts over points ``y1, y2`` and latents ``z`` with numpy's rules, so an
``(N, 1)`` column of points against a ``(K,)`` row of latents gives an ``(N, K)`` table.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm import portable
from lvebm.arguments import count, labels_array, real_points

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Decoder:
    """Ellipse decoder g(z) = [w1 cos z, w2 sin z]; z runs clockwise when w1 * w2 < 0.

    A frozen record of the two radii; calling it decodes latents, ``decoder(z)`` = (g1, g2), and
    its methods give the energy E(y, z) = |y - g(z)|^2 and its first two derivatives in z.

    Parameters
    ----------
    w1 : float
        The radius along y1 (the lecture's untrained decoder has -1.45): finite and non-zero; its
        sign sets where z = 0 lies (w1 < 0: the leftmost point).
    w2 : float
        The radius along y2 (the lecture's untrained 0.36): finite and non-zero.

    Raises
    ------
    TypeError
        If ``w1`` or ``w2`` is not a real number (a bool is not one).
    ValueError
        If ``w1`` or ``w2`` is not finite, or is zero.

    Examples
    --------
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
        return self.w1 * portable.cos(z), self.w2 * portable.sin(z)

    def energy(self, y1: ArrayLike, y2: ArrayLike, z: ArrayLike) -> Array:
        """E(y, z) = (y1 - w1 cos z)^2 + (y2 - w2 sin z)^2.

        Parameters
        ----------
        y1, y2 : array_like
            The points' coordinates, broadcast together and with ``z``.
        z : array_like
            The latents, in radians, broadcast with the points: an ``(N, 1)`` column of points
            against a ``(K,)`` row of latents gives an ``(N, K)`` table.

        Returns
        -------
        ndarray
            The energy, float64, in the broadcast shape of ``y1``, ``y2`` and ``z``.

        Examples
        --------
        >>> d = Decoder(-1.45, 0.36)
        >>> round(float(d.energy(2.0, 0.1, np.pi)), 4)
        0.3125
        >>> d.energy([[2.0], [0.0]], [[0.1], [0.5]], latent_grid(4)).shape
        (2, 4)
        """
        g1, g2 = self(z)
        return (np.asarray(y1) - g1) ** 2 + (np.asarray(y2) - g2) ** 2

    def energy_dz(self, y1: ArrayLike, y2: ArrayLike, z: ArrayLike) -> Array:
        """dE/dz = 2 w1 y1 sin z - 2 w2 y2 cos z + (w2^2 - w1^2) sin 2z.

        Parameters
        ----------
        y1, y2 : array_like
            The points' coordinates, broadcast together and with ``z``.
        z : array_like
            The latents, in radians, broadcast with the points.

        Returns
        -------
        ndarray
            The derivative of E(y, z) in z, float64, in the broadcast shape.

        Examples
        --------
        >>> d = Decoder(-1.45, 0.36)
        >>> round(float(d.energy_dz(2.0, 0.1, np.pi)), 4)  # z = pi is just past the minimum
        0.072
        """
        z = np.asarray(z, dtype=np.float64)
        return (
            2.0 * self.w1 * np.asarray(y1) * portable.sin(z)
            - 2.0 * self.w2 * np.asarray(y2) * portable.cos(z)
            + (self.w2**2 - self.w1**2) * portable.sin(2.0 * z)
        )

    def energy_dz2(self, y1: ArrayLike, y2: ArrayLike, z: ArrayLike) -> Array:
        """d2E/dz2 = 2 w1 y1 cos z + 2 w2 y2 sin z + 2 (w2^2 - w1^2) cos 2z.

        Parameters
        ----------
        y1, y2 : array_like
            The points' coordinates, broadcast together and with ``z``.
        z : array_like
            The latents, in radians, broadcast with the points.

        Returns
        -------
        ndarray
            The second derivative of E(y, z) in z, float64, in the broadcast shape.

        Examples
        --------
        >>> d = Decoder(-1.45, 0.36)
        >>> round(float(d.energy_dz2(2.0, 0.1, np.pi)), 4)
        1.8542
        """
        z = np.asarray(z, dtype=np.float64)
        return (
            2.0 * self.w1 * np.asarray(y1) * portable.cos(z)
            + 2.0 * self.w2 * np.asarray(y2) * portable.sin(z)
            + 2.0 * (self.w2**2 - self.w1**2) * portable.cos(2.0 * z)
        )

    def energy_and_dz(self, y1: ArrayLike, y2: ArrayLike, z: ArrayLike) -> tuple[Array, Array]:
        """E and dE/dz together, sharing the trigonometry (the optimizers' hot path).

        The same values as :meth:`energy` and :meth:`energy_dz`, for one evaluation of cos z and
        sin z.

        Parameters
        ----------
        y1, y2 : array_like
            The points' coordinates, broadcast together and with ``z``.
        z : array_like
            The latents, in radians, broadcast with the points.

        Returns
        -------
        E : ndarray
            The energy E(y, z), float64, in the broadcast shape.
        dE_dz : ndarray
            Its derivative in z, in the same shape.

        Examples
        --------
        >>> d = Decoder(-1.45, 0.36)
        >>> e, g = d.energy_and_dz(2.0, 0.1, 0.5)
        >>> round(float(e), 4), round(float(g), 4)
        (10.7145, -4.504)
        """
        z = np.asarray(z, dtype=np.float64)
        c, s = portable.cos(z), portable.sin(z)
        r1 = np.asarray(y1) - self.w1 * c
        r2 = np.asarray(y2) - self.w2 * s
        return r1 * r1 + r2 * r2, 2.0 * (r1 * self.w1 * s - r2 * self.w2 * c)


# the lecture's latent grid: 48 values of z (the exhaustive search, the finite-temperature mean)


def decoder_argument(name: str, value) -> Decoder:
    """A decoder argument as given; TypeError naming it if it is not a :class:`Decoder`.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : Decoder
        The argument.

    Returns
    -------
    Decoder
        ``value`` itself.

    Raises
    ------
    TypeError
        If ``value`` is not a :class:`Decoder` (a tuple of radii, say).

    Examples
    --------
    >>> decoder_argument("start", Decoder(1.0, 2.0)) == Decoder(1.0, 2.0)
    True
    >>> decoder_argument("start", (1.0, 2.0))
    Traceback (most recent call last):
    TypeError: start must be a lvebm.Decoder, got tuple
    """
    if not isinstance(value, Decoder):
        raise TypeError(f"{name} must be a lvebm.Decoder, got {type(value).__name__}")
    return value


LATENT_N = 48


def latent_grid(n: int) -> Array:
    """The latent grid z_k = 2 pi k / n, k = 0 ... n-1 (2 pi excluded).

    The lecture's grid has :data:`LATENT_N` = 48 values (steps of pi / 24).

    Parameters
    ----------
    n : int
        The number of latents, >= 1 (the lecture's 48).

    Returns
    -------
    ndarray
        The ``n`` latents, float64, increasing from 0.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` < 1.

    Examples
    --------
    >>> latent_grid(4).round(4).tolist()
    [0.0, 1.5708, 3.1416, 4.7124]
    """
    n = count("n", n, 1)
    return 2.0 * np.pi * np.arange(n) / n


def energy_table(
    decoder: Decoder, labels: ArrayLike, y1: ArrayLike, y2: ArrayLike, n: int = LATENT_N
) -> dict[str, np.ndarray]:
    """E_i(z_k) for every sample i and latent z_k, one row per pair (sample-major).

    Columns ``i, k, z, y1_tilde, y2_tilde, E`` as in the design's ``energies.parquet``.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    labels : array_like
        The samples' integer labels i, one per sample (whole numbers; 1-based in the pipeline).
    y1, y2 : array_like
        The samples' coordinates, 1-D, one per label.
    n : int, optional
        The size of the latent grid z_k = 2 pi k / n (the lecture's 48).

    Returns
    -------
    dict of str to ndarray
        Columns ``i`` (the sample's label), ``k`` (the latent's index), ``z``, ``y1_tilde`` and
        ``y2_tilde`` (the decoded point g(z_k)) and ``E`` (the energy E_i(z_k)), ``n`` rows per
        sample, samples in the given order.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If a label is not a whole number, or ``n`` < 1.

    Examples
    --------
    >>> t = energy_table(Decoder(-1.45, 0.36), [1], [2.0], [0.1], n=4)
    >>> t["E"].round(4).tolist()
    [11.9125, 4.0676, 0.3125, 4.2116]
    >>> list(t)
    ['i', 'k', 'z', 'y1_tilde', 'y2_tilde', 'E']
    """
    labels = labels_array("labels", labels).ravel()
    y1, y2 = (a.ravel() for a in real_points(y1=y1, y2=y2))
    if labels.size != y1.size:
        raise ValueError(
            f"labels has {labels.size} values and the points are {y1.size}: one label per point"
        )
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
