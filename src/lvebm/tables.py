"""The tables of :mod:`lvebm.portable`'s kernels, computed by mpmath and shipped as ``.npy``.

``tanh`` looks up tanh at the centre c of the cell its argument falls in (the cells and why:
:data:`lvebm.portable.TANH_CELL_BITS`). Per cell: c, tanh(c) as a sum of two doubles (hi, lo:
about 106 bits) and 1 - tanh(c)^2, each the double nearest to mpmath's value at 200 bits, so
the table is the same whoever builds it. Rebuild (mpmath, a test extra)::

    python -m lvebm.tables

and ``tests/test_portable.py`` checks that the shipped file is what this builds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

TANH_TABLE = Path(__file__).with_name("tanh_table.npy")
TANH_CELL_BITS = 8  # the cells: 2^-8 of a binade (below 2^TANH_FIRST_EXPONENT: one cell, c = 0)
TANH_FIRST_EXPONENT = -5
TANH_LIMIT = 22.0  # tanh(x) rounds to 1 above; arguments are clipped to it
TANH_SHIFT = 52 - TANH_CELL_BITS  # a double's bits >> TANH_SHIFT: its binade and cell in it
# the cells are numbered from 0: the bits of 2^TANH_FIRST_EXPONENT >> TANH_SHIFT are cell 1
TANH_FIRST_CELL = (1023 + TANH_FIRST_EXPONENT << 52 >> TANH_SHIFT) - 1


def tanh_cells() -> np.ndarray:
    """The centres of ``tanh``'s cells.

    Returns
    -------
    ndarray
        0 (the cell of every argument below 2^TANH_FIRST_EXPONENT), then the midpoint of each
        2^-TANH_CELL_BITS of a binade, from 2^TANH_FIRST_EXPONENT up to the cell of TANH_LIMIT:
        2,402 values.

    Examples
    --------
    >>> c = tanh_cells()
    >>> c.size, c[:3].tolist()
    (2402, [0.0, 0.03131103515625, 0.03143310546875])
    """
    last = np.array(TANH_LIMIT).view(np.int64) >> TANH_SHIFT
    raw = np.arange(TANH_FIRST_CELL + 1, last + 1, dtype=np.int64)
    centres = ((raw << TANH_SHIFT) | (1 << (TANH_SHIFT - 1))).view(np.float64)
    return np.concatenate([[0.0], centres])


def build_tanh_table() -> np.ndarray:
    """``tanh``'s table, from mpmath at 200 bits (mpmath: a test extra).

    Returns
    -------
    ndarray
        Shape (4, cells), little-endian float64: the centres c (:func:`tanh_cells`), tanh(c)'s
        nearest double, the rest tanh(c) - that double, and 1 - tanh(c)^2.

    Examples
    --------
    >>> table = build_tanh_table()
    >>> table.shape, bool((table[1] + table[2] == table[1]).all())
    ((4, 2402), True)
    """
    import mpmath

    rows = []
    with mpmath.workprec(200):
        for c in tanh_cells():
            t = mpmath.tanh(mpmath.mpf(float(c)))
            hi = float(t)
            rows.append((c, hi, float(t - hi), float(1 - t * t)))
    return np.ascontiguousarray(np.array(rows, dtype="<f8").T)


if __name__ == "__main__":
    np.save(TANH_TABLE, build_tanh_table())
    print(f"wrote {TANH_TABLE}")
