"""The zero-temperature free-energy field on the mesh (F_inf, z_check, dF/dy, uniqueness) and the
energy curves of the highlighted points; the mesh's geometry is :mod:`lvebm.meshgrid`."""

from __future__ import annotations

import numpy as np

from lvebm.exact import free_energy_exact
from lvebm.meshgrid import field_blocks
from lvebm.methods import METHODS
from lvebm.model import Decoder
from lvebm.optimize import Z_INIT, run_optimizer


def free_energy_field(
    decoder: Decoder,
    y1: np.ndarray,
    y2: np.ndarray,
    *,
    method: str = "exact",
    z_init: float = Z_INIT,
    options: dict | None = None,
) -> dict[str, np.ndarray]:
    """F, z_check, dF/dy = 2 (y - g(z_check)) and uniqueness of the minimiser at points y.

    ``method`` is ``exact`` or an optimizer name (started at ``z_init`` with ``options``), to see
    what that optimizer would draw. ``unique`` is a property of y (false on the ridge, where the
    exact solver's tie-break picks the smaller z in [0, 2 pi)); it comes from the exact solver.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : ndarray
        The points' coordinates, 1-D arrays of one length.
    method : str, optional
        ``exact`` (the default) or an optimizer's name (:data:`lvebm.optimize.OPTIMIZERS`).
    z_init : float, optional
        The optimizer's start latent (the lecture's 0.5); the exact solver takes none.
    options : dict or None, optional
        The optimizer's keyword options; those not given take its defaults.

    Returns
    -------
    dict of str to ndarray
        Columns ``y1, y2`` (the points), ``F``, ``z_check``, ``dF_dy1, dF_dy2`` (the gradient
        2 (y - g(z_check))) and ``unique`` (bool), one row per point.

    Raises
    ------
    ValueError
        If the points are complex or not numeric, ``method`` is neither ``exact`` nor an
        optimizer, or an option is unknown or outside its range.

    Examples
    --------
    >>> m = free_energy_field(Decoder(-1.45, 0.36), np.array([2.0, 0.0]), np.array([0.1, 1.0]))
    >>> m["F"].round(4).tolist(), m["unique"].tolist()
    ([0.3111, 0.4096], [True, True])
    >>> list(m)
    ['y1', 'y2', 'F', 'z_check', 'dF_dy1', 'dF_dy2', 'unique']
    """
    exact = free_energy_exact(decoder, y1, y2)
    if method in METHODS and METHODS[method].reference:  # the exact solver: no second solve
        z, F = exact.z_check, exact.F
    else:
        result = run_optimizer(
            method, decoder, y1, y2, z_init=z_init, options=dict(options or {}), trace=False
        )
        z, F = result.z_check, result.F
    g1, g2 = decoder(z)
    return {
        "y1": y1,
        "y2": y2,
        "F": F,
        "z_check": z,
        "dF_dy1": 2.0 * (y1 - g1),
        "dF_dy2": 2.0 * (y2 - g2),
        "unique": exact.unique,
    }


def free_energy_blocks(
    decoder: Decoder,
    y1_axis: dict,
    y2_axis: dict,
    *,
    start: int,
    stop: int,
    chunk: int,
    method: str = "exact",
    z_init: float = Z_INIT,
    options: dict | None = None,
):
    """Yield the free-energy field of mesh points [start, stop) in chunks of ``chunk`` points.

    Each chunk is :func:`free_energy_field` of its points (:func:`lvebm.meshgrid.field_blocks`),
    so a shard of the mesh streams in bounded memory.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1_axis, y2_axis : dict
        The mesh's axes, mappings ``{"start", "stop", "num"}`` (the config's ``mesh.y1`` and
        ``mesh.y2``).
    start : int
        The first point's 0-based position in mesh order.
    stop : int
        One past the last point's position.
    chunk : int
        The most points of a chunk, >= 1 (the config's 250000).
    method : str, optional
        ``exact`` (the default) or an optimizer's name.
    z_init : float, optional
        The optimizer's start latent (the lecture's 0.5).
    options : dict or None, optional
        The optimizer's keyword options; those not given take its defaults.

    Returns
    -------
    generator of dict of str to ndarray
        The field of each chunk: columns ``y1, y2, F, z_check, dF_dy1, dF_dy2, unique``.

    Examples
    --------
    >>> axes = {"start": -3.0, "stop": 3.0, "num": 25}, {"start": -2.0, "stop": 2.0, "num": 17}
    >>> blocks = free_energy_blocks(Decoder(-1.45, 0.36), *axes, start=0, stop=425, chunk=200)
    >>> [block["F"].size for block in blocks]
    [200, 200, 25]
    """

    def field(y1, y2):
        return free_energy_field(decoder, y1, y2, method=method, z_init=z_init, options=options)

    return field_blocks(field, y1_axis, y2_axis, start=start, stop=stop, chunk=chunk)


def highlight_curves(
    decoder: Decoder, points, *, z_start: float, z_stop: float, step: float, oversample: int
) -> dict[str, np.ndarray]:
    """Energy curves E(y_h, z) of highlighted points y_h over z in [z_start, z_stop).

    The curve is sampled every ``step / oversample``; ``marker`` flags the samples every ``step``
    (the lecture's markers every pi/12). Each row also carries the point's exact z_check and F.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    points : array_like
        The highlighted points, pairs (y1, y2) (reshaped to ``(-1, 2)``; the lecture's five on
        the row y2 = -0.5, y1 = -3 ... 0).
    z_start : float
        The curve's first latent (the lecture's -2 pi).
    z_stop : float
        The end of the curve's range, excluded (the lecture's 4 pi).
    step : float
        The spacing of the markers (the lecture's pi / 12).
    oversample : int
        The curve's samples per marker step, >= 1 (the config's 8).

    Returns
    -------
    dict of str to ndarray
        Columns ``h`` (the point's 1-based index), ``y1, y2``, ``z``, ``E`` (E(y_h, z)),
        ``marker`` (bool), ``z_check`` and ``F``, point-major: ``oversample`` times
        round((z_stop - z_start) / step) rows per point.

    Examples
    --------
    >>> t = highlight_curves(Decoder(-1.45, 0.36), [[-3.0, -0.5], [0.0, -0.5]], z_start=0.0,
    ...                      z_stop=np.pi, step=np.pi / 12, oversample=2)
    >>> t["h"].size, int(t["marker"].sum()), t["F"][[0, -1]].round(4).tolist()
    (48, 24, [2.6389, 0.0196])
    >>> list(t)
    ['h', 'y1', 'y2', 'z', 'E', 'marker', 'z_check', 'F']
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    count = round((z_stop - z_start) / step) * oversample
    k = np.arange(count)
    z = z_start + k * (step / oversample)
    exact = free_energy_exact(decoder, pts[:, 0], pts[:, 1])
    n = pts.shape[0]
    return {
        "h": np.repeat(np.arange(1, n + 1, dtype=np.int64), count),
        "y1": np.repeat(pts[:, 0], count),
        "y2": np.repeat(pts[:, 1], count),
        "z": np.tile(z, n),
        "E": decoder.energy(pts[:, :1], pts[:, 1:], z[None, :]).ravel(),
        "marker": np.tile(k % oversample == 0, n),
        "z_check": np.repeat(exact.z_check, count),
        "F": np.repeat(exact.F, count),
    }
