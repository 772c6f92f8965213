"""The mesh of points y on which free energies are estimated, and its contiguous blocks.

Points are ordered row by row: y2 is the row (vertical axis), y1 runs fastest; point ``i``
(1-based) is at row (i - 1) // n1, column (i - 1) % n1. Geometry only: building the job graph and
the jobs that only need coordinates import nothing else of the library.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lvebm.arguments import count, real_number


class MeshPoints(NamedTuple):
    """What :func:`mesh_points` returns (it unpacks as a triple): 1-based labels and coordinates."""

    i: np.ndarray
    y1: np.ndarray
    y2: np.ndarray


def axis(start: float, stop: float, num: int) -> np.ndarray:
    """Evenly spaced coordinates from start to stop, both included."""
    real_number("start", start), real_number("stop", stop), count("num", num, 1)
    return np.linspace(start, stop, num)


def mesh_size(y1_axis: dict, y2_axis: dict) -> int:
    return int(y1_axis["num"]) * int(y2_axis["num"])


def mesh_points(
    y1_axis: dict, y2_axis: dict, start: int = 0, stop: int | None = None
) -> MeshPoints:
    """Labels i (1-based) and coordinates (y1, y2) of the mesh points [start, stop) in mesh order.

    Any block is computed from the full axes, so blocks concatenate to the whole mesh exactly.

    >>> i, y1, y2 = mesh_points({"start": -1.0, "stop": 1.0, "num": 3},
    ...                         {"start": 0.0, "stop": 1.0, "num": 2})
    >>> i.tolist(), y1.tolist(), y2.tolist()
    ([1, 2, 3, 4, 5, 6], [-1.0, 0.0, 1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    """
    a1, a2 = axis(**y1_axis), axis(**y2_axis)
    total = a1.size * a2.size
    stop = total if stop is None else min(stop, total)
    flat = np.arange(start, stop, dtype=np.int64)
    return MeshPoints(flat + 1, a1[flat % a1.size], a2[flat // a1.size])


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


def field_blocks(field, y1_axis: dict, y2_axis: dict, *, start: int, stop: int, chunk: int):
    """Yield ``field(y1, y2)`` (a table of columns) for the mesh points [start, stop) in chunks
    of ``chunk`` points: every mesh stage streams its shard this way, in bounded memory."""
    for _, y1, y2 in mesh_blocks(y1_axis, y2_axis, chunk=chunk, start=start, stop=stop):
        yield field(y1, y2)
