"""The mesh of points y on which free energies are estimated, and its contiguous blocks.

Points are ordered row by row: y2 is the row (vertical axis), y1 runs fastest; point ``i``
(1-based) is at row (i - 1) // n1, column (i - 1) % n1. Geometry only: building the job graph and
the jobs that only need coordinates import nothing else of the library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from lvebm.arguments import count, real_number

# the lecture's mesh: y1 from -3 to 3 in 25 points, y2 from -2 to 2 in 17 (steps of 0.25)
LECTURE_Y1 = {"start": -3.0, "stop": 3.0, "num": 25}
LECTURE_Y2 = {"start": -2.0, "stop": 2.0, "num": 17}


class MeshPoints(NamedTuple):
    """What :func:`mesh_points` returns (it unpacks as a triple): 1-based labels and coordinates.

    Parameters
    ----------
    i : ndarray
        The points' labels, int64, 1-based in mesh order (row by row, y1 fastest).
    y1 : ndarray
        The points' horizontal coordinates, float64.
    y2 : ndarray
        The points' vertical coordinates (the row's), float64.

    Examples
    --------
    >>> p = mesh_points(start=24, stop=26)  # the lecture's mesh: the end of row 1, row 2 starts
    >>> p.i.tolist(), p.y1.tolist(), p.y2.tolist()
    ([25, 26], [3.0, -3.0], [-2.0, -1.75])
    """

    i: np.ndarray
    y1: np.ndarray
    y2: np.ndarray


def axis(start: float, stop: float, num: int) -> np.ndarray:
    """Evenly spaced coordinates from start to stop, both included.

    Parameters
    ----------
    start : float
        The first coordinate.
    stop : float
        The last coordinate (included).
    num : int
        The number of coordinates, >= 1 (the lecture's y1 axis has 25, its y2 axis 17).

    Returns
    -------
    ndarray
        ``numpy.linspace(start, stop, num)``, float64.

    Raises
    ------
    TypeError
        If ``start`` or ``stop`` is not a real number, or ``num`` not an integer.
    ValueError
        If ``num`` < 1.

    Examples
    --------
    >>> axis(0.0, 1.0, 5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    real_number("start", start), real_number("stop", stop), count("num", num, 1)
    return np.linspace(start, stop, num)


def axis_spec(name: str, value) -> dict:
    """An axis given as a mapping or a triple, as the mapping ``{"start", "stop", "num"}``.

    The axis is a mapping with exactly the keys ``start``, ``stop`` and ``num`` (as the
    config's ``mesh.y1``) or a triple ``(start, stop, num)``; TypeError naming the argument
    otherwise. The values are not checked here (:func:`axis` checks them).

    Parameters
    ----------
    name : str
        The argument's name, for the error message (``y1_axis``, ``y2_axis``).
    value : Mapping or sequence
        The axis: a mapping ``{"start", "stop", "num"}`` or a triple ``(start, stop, num)``.

    Returns
    -------
    dict
        The axis as ``{"start": start, "stop": stop, "num": num}`` (a copy of a mapping).

    Raises
    ------
    TypeError
        If ``value`` is a mapping whose keys are not exactly ``start, stop, num``, or neither a
        mapping nor a sequence of three (a string is not one).

    Examples
    --------
    >>> axis_spec("y1_axis", (-3.0, 3.0, 25))
    {'start': -3.0, 'stop': 3.0, 'num': 25}
    """
    if isinstance(value, Mapping):
        if set(value) != {"start", "stop", "num"}:
            raise TypeError(
                f"{name} = {dict(value)!r} is invalid: an axis has exactly the keys start, stop "
                "and num"
            )
        return dict(value)
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 3:
        return dict(zip(("start", "stop", "num"), value, strict=True))
    raise TypeError(
        f"{name} = {value!r} is invalid: an axis is a mapping {{start, stop, num}} or a triple "
        "(start, stop, num)"
    )


def mesh_size(y1_axis: dict, y2_axis: dict) -> int:
    """The number of points of the mesh: the product of its axes' ``num``.

    Parameters
    ----------
    y1_axis, y2_axis : dict
        The axes, mappings with (at least) the key ``num``.

    Returns
    -------
    int
        ``y1_axis["num"] * y2_axis["num"]``.

    Examples
    --------
    >>> mesh_size(LECTURE_Y1, LECTURE_Y2)  # the lecture's 25 x 17 mesh
    425
    """
    return int(axis_spec("y1_axis", y1_axis)["num"]) * int(axis_spec("y2_axis", y2_axis)["num"])


def mesh_points(
    y1_axis: Mapping | Sequence = LECTURE_Y1,
    y2_axis: Mapping | Sequence = LECTURE_Y2,
    start: int = 0,
    stop: int | None = None,
) -> MeshPoints:
    """Labels i (1-based) and coordinates (y1, y2) of the mesh points [start, stop) in mesh order.

    Any block is computed from the full axes, so blocks concatenate to the whole mesh exactly.

    Parameters
    ----------
    y1_axis : Mapping or sequence, optional
        The horizontal axis, ``{"start", "stop", "num"}`` or ``(start, stop, num)``
        (:func:`axis_spec`); by default the lecture's, -3 to 3 in 25 points.
    y2_axis : Mapping or sequence, optional
        The vertical axis; by default the lecture's, -2 to 2 in 17 points (steps of 0.25).
    start : int, optional
        The first point's 0-based position in mesh order, >= 0 (0 by default).
    stop : int or None, optional
        One past the last point's position; ``None`` (the default), or a value past the end,
        is the mesh's end.

    Returns
    -------
    MeshPoints
        The triple ``(i, y1, y2)``: the points' 1-based labels (int64) and their coordinates,
        in mesh order (row by row, y1 fastest).

    Raises
    ------
    TypeError
        If an axis is neither a mapping ``{start, stop, num}`` nor a triple, its ``start`` or
        ``stop`` is not a real number or its ``num`` not an integer, or ``start`` is not an
        integer.
    ValueError
        If an axis's ``num`` < 1, or ``start`` < 0.

    Examples
    --------
    >>> i, y1, y2 = mesh_points({"start": -1.0, "stop": 1.0, "num": 3},
    ...                         {"start": 0.0, "stop": 1.0, "num": 2})
    >>> i.tolist(), y1.tolist(), y2.tolist()
    ([1, 2, 3, 4, 5, 6], [-1.0, 0.0, 1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    >>> mesh_points().i.size  # the lecture's 25 x 17 mesh
    425
    """
    a1, a2 = axis(**axis_spec("y1_axis", y1_axis)), axis(**axis_spec("y2_axis", y2_axis))
    start = count("start", start)
    total = a1.size * a2.size
    stop = total if stop is None else min(stop, total)
    flat = np.arange(start, stop, dtype=np.int64)
    return MeshPoints(flat + 1, a1[flat % a1.size], a2[flat // a1.size])


def mesh_blocks(
    y1_axis: dict, y2_axis: dict, *, chunk: int, start: int = 0, stop: int | None = None
):
    """Yield (labels, y1, y2) of the mesh points [start, stop) in blocks of ``chunk`` points.

    Each block is :func:`mesh_points` of its range, so the blocks concatenate to the points
    [start, stop) exactly.

    Parameters
    ----------
    y1_axis, y2_axis : dict
        The axes, mappings ``{"start", "stop", "num"}``.
    chunk : int
        The most points of a block, >= 1; the last block may be shorter.
    start : int, optional
        The first point's 0-based position in mesh order (0 by default).
    stop : int or None, optional
        One past the last point's position; ``None`` (the default) is the mesh's end.

    Yields
    ------
    MeshPoints
        The labels and coordinates of the next block's points.

    Examples
    --------
    >>> axes = {"start": -1.0, "stop": 1.0, "num": 3}, {"start": 0.0, "stop": 1.0, "num": 2}
    >>> [block.i.tolist() for block in mesh_blocks(*axes, chunk=4)]
    [[1, 2, 3, 4], [5, 6]]
    """
    stop = mesh_size(y1_axis, y2_axis) if stop is None else stop
    for lo in range(start, stop, chunk):
        yield mesh_points(y1_axis, y2_axis, lo, min(lo + chunk, stop))


def shard_bounds(total: int, shards: int, shard: int) -> tuple[int, int]:
    """[start, stop) of block ``shard`` (0-based) when ``total`` points split into ``shards``.

    The blocks are contiguous and as even as can be: the first ``total % shards`` of them have
    one point more than the others.

    Parameters
    ----------
    total : int
        The number of points, >= 0.
    shards : int
        The number of blocks, >= 1.
    shard : int
        The block's 0-based index, 0 <= ``shard`` < ``shards``.

    Returns
    -------
    start : int
        The block's first point's 0-based position.
    stop : int
        One past its last point's position.

    Raises
    ------
    ValueError
        If ``shard`` is outside 0 ... ``shards`` - 1.

    Examples
    --------
    >>> [shard_bounds(425, 4, k) for k in range(4)]
    [(0, 107), (107, 213), (213, 319), (319, 425)]
    """
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is outside 0 ... {shards - 1}")
    base, extra = divmod(total, shards)
    start = shard * base + min(shard, extra)
    return start, start + base + (1 if shard < extra else 0)


def field_blocks(field, y1_axis: dict, y2_axis: dict, *, start: int, stop: int, chunk: int):
    """Yield ``field(y1, y2)`` (a table of columns) for the mesh points [start, stop) in chunks.

    Chunks of ``chunk`` points: every mesh stage streams its shard this way, in bounded memory.

    Parameters
    ----------
    field : callable
        ``field(y1, y2)`` of a block's coordinates (float64 arrays), returning its table.
    y1_axis, y2_axis : dict
        The axes, mappings ``{"start", "stop", "num"}``.
    start : int
        The first point's 0-based position in mesh order.
    stop : int
        One past the last point's position.
    chunk : int
        The most points of a block, >= 1.

    Yields
    ------
    dict of str to ndarray
        ``field``'s table of the next block's points.

    Examples
    --------
    >>> axes = {"start": -1.0, "stop": 1.0, "num": 3}, {"start": 0.0, "stop": 1.0, "num": 2}
    >>> def total(y1, y2):
    ...     return {"y1_plus_y2": y1 + y2}
    >>> [t["y1_plus_y2"].tolist() for t in field_blocks(total, *axes, start=1, stop=6, chunk=2)]
    [[0.0, 1.0], [0.0, 1.0], [2.0]]
    """
    for _, y1, y2 in mesh_blocks(y1_axis, y2_axis, chunk=chunk, start=start, stop=stop):
        yield field(y1, y2)


def map_points(box: Mapping, num: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """A ``num["y1"] x num["y2"]`` grid over ``box``, y2-major as the mesh's tables: row j holds
    y2[j] and every y1, raveled.

    Parameters
    ----------
    box : mapping
        ``{"y1": [start, stop], "y2": [start, stop]}``.
    num : mapping
        ``{"y1": points, "y2": points}``, each >= 2.

    Returns
    -------
    y1, y2 : ndarray
        The points' coordinates.

    Examples
    --------
    >>> y1, y2 = map_points({"y1": [-1, 1], "y2": [0, 1]}, {"y1": 3, "y2": 2})
    >>> y1.tolist(), y2.tolist()
    ([-1.0, 0.0, 1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    """
    axes = [np.linspace(*box[axis], num[axis]) for axis in ("y1", "y2")]
    y2, y1 = np.meshgrid(axes[1], axes[0], indexing="ij")
    return y1.ravel(), y2.ravel()
