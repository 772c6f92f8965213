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
    """Row-wise concatenation of tables with the same columns, in the first table's order."""
    tables = list(tables)
    return {name: np.concatenate([table[name] for table in tables]) for name in tables[0]}
