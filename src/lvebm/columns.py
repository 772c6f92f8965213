"""Column tables: the library's tables are dicts of equal-length numpy arrays, one per column,
as the pipeline's Parquet artifacts hold them.

>>> concat([{"x": np.array([1, 2])}, {"x": np.array([3])}])
{'x': array([1, 2, 3])}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

Columns = Mapping[str, np.ndarray]


def concat(tables: Iterable[Columns]) -> dict[str, np.ndarray]:
    """Row-wise concatenation of tables with the same columns, in the first table's order.

    Parameters
    ----------
    tables : iterable of Mapping of str to ndarray
        The tables, at least one, each a mapping of column names to equal-length arrays; every
        table has (at least) the first table's columns.

    Returns
    -------
    dict of str to ndarray
        The first table's columns, each the concatenation of that column over the tables, in
        their order.

    Raises
    ------
    IndexError
        If ``tables`` is empty.
    KeyError
        If a table lacks a column of the first table.

    Examples
    --------
    >>> t = concat([{"x": np.array([1, 2]), "y": np.array([0.5, 1.5])}, {"x": np.array([3]),
    ...             "y": np.array([2.5])}])
    >>> list(t), t["x"].tolist(), t["y"].tolist()
    (['x', 'y'], [1, 2, 3], [0.5, 1.5, 2.5])
    """
    tables = list(tables)
    return {name: np.concatenate([table[name] for table in tables]) for name in tables[0]}
