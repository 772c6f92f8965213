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

    >>> m = free_energy_field(Decoder(-1.45, 0.36), np.array([2.0, 0.0]), np.array([0.1, 1.0]))
    >>> m["F"].round(4).tolist(), m["unique"].tolist()
    ([0.3111, 0.4096], [True, True])
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
    """Yield the free-energy field of mesh points [start, stop) in chunks of ``chunk`` points."""

    def field(y1, y2):
        return free_energy_field(decoder, y1, y2, method=method, z_init=z_init, options=options)

    return field_blocks(field, y1_axis, y2_axis, start=start, stop=stop, chunk=chunk)


def highlight_curves(
    decoder: Decoder, points, *, z_start: float, z_stop: float, step: float, oversample: int
) -> dict[str, np.ndarray]:
    """Energy curves E(y_h, z) of highlighted points y_h over z in [z_start, z_stop).

    The curve is sampled every ``step / oversample``; ``marker`` flags the samples every ``step``
    (the lecture's markers every pi/12). Each row also carries the point's exact z_check and F.
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
