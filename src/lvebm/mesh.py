"""The mesh of points y on which the free energy is estimated, and its contiguous blocks.

Points are ordered row by row: y2 is the row (vertical axis), y1 runs fastest; point ``i``
(1-based) is at row (i - 1) // n1, column (i - 1) % n1.
"""

from __future__ import annotations

import numpy as np

from lvebm.exact import free_energy_exact
from lvebm.model import Decoder
from lvebm.optimize import run_optimizer


def axis(start: float, stop: float, num: int) -> np.ndarray:
    """Evenly spaced coordinates from start to stop, both included."""
    return np.linspace(start, stop, num)


def mesh_size(y1_axis: dict, y2_axis: dict) -> int:
    return int(y1_axis["num"]) * int(y2_axis["num"])


def mesh_points(
    y1_axis: dict, y2_axis: dict, start: int = 0, stop: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels i (1-based) and coordinates (y1, y2) of the mesh points [start, stop) in mesh order.

    Any block is computed from the full axes, so blocks concatenate to the whole mesh exactly.
    """
    a1, a2 = axis(**y1_axis), axis(**y2_axis)
    total = a1.size * a2.size
    stop = total if stop is None else min(stop, total)
    flat = np.arange(start, stop, dtype=np.int64)
    return flat + 1, a1[flat % a1.size], a2[flat // a1.size]


def mesh_blocks(
    y1_axis: dict, y2_axis: dict, *, chunk: int, start: int = 0, stop: int | None = None
):
    """Yield (labels, y1, y2) of the mesh points [start, stop) in blocks of ``chunk`` points."""
    stop = mesh_size(y1_axis, y2_axis) if stop is None else stop
    for lo in range(start, stop, chunk):
        yield mesh_points(y1_axis, y2_axis, lo, min(lo + chunk, stop))


def shard_bounds(total: int, shards: int, shard: int) -> tuple[int, int]:
    """[start, stop) of block ``shard`` (0-based) when ``total`` points split into ``shards``."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is outside 0 ... {shards - 1}")
    base, extra = divmod(total, shards)
    start = shard * base + min(shard, extra)
    return start, start + base + (1 if shard < extra else 0)


def free_energy_field(
    decoder: Decoder,
    y1: np.ndarray,
    y2: np.ndarray,
    *,
    method: str = "exact",
    z_init: float = 0.0,
    options: dict | None = None,
) -> dict[str, np.ndarray]:
    """F, z_check, dF/dy = 2 (y - g(z_check)) and uniqueness of the minimiser at points y.

    ``method`` is ``exact`` or an optimizer name (started at ``z_init`` with ``options``), to see
    what that optimizer would draw. ``unique`` is a property of y (false on the ridge, where the
    exact solver's tie-break picks the smaller z in [0, 2 pi)); it comes from the exact solver.
    """
    exact = free_energy_exact(decoder, y1, y2)
    if method == "exact":
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
    z_init: float = 0.0,
    options: dict | None = None,
):
    """Yield the free-energy field of mesh points [start, stop) in chunks of ``chunk`` points."""
    for _, y1, y2 in mesh_blocks(y1_axis, y2_axis, chunk=chunk, start=start, stop=stop):
        yield free_energy_field(decoder, y1, y2, method=method, z_init=z_init, options=options)


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
