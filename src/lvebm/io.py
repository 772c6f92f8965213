"""Deterministic, atomic Parquet files: same columns in, same bytes out.

No pandas index, no schema metadata (pandas and pyarrow versions stay out of the file), fixed
compression and row-group size. Files appear under their final name only once complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION = "zstd"
ROW_GROUP_SIZE = 1 << 20


def to_table(columns: Mapping[str, np.ndarray]) -> pa.Table:
    """An Arrow table of the given columns, in order, without metadata."""
    return pa.table({name: np.asarray(values) for name, values in columns.items()})


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(
        path,
        schema,
        compression=COMPRESSION,
        use_dictionary=False,
        write_statistics=True,
        store_schema=False,
    )


def write_parquet(path: str | os.PathLike[str], columns: Mapping[str, np.ndarray]) -> None:
    """Write ``columns`` to ``path`` deterministically and atomically."""
    write_parquet_chunks(path, [columns])


def write_parquet_chunks(
    path: str | os.PathLike[str], chunks: Iterable[Mapping[str, np.ndarray]]
) -> None:
    """Write an iterable of column chunks as one file, one row group per chunk, in bounded memory.

    Chunks larger than the row-group size are split; the bytes depend only on the rows written
    and how they are chunked.
    """
    with atomic_path(path) as tmp:
        writer: pq.ParquetWriter | None = None
        try:
            for chunk in chunks:
                table = to_table(chunk)
                if writer is None:
                    writer = _writer(tmp, table.schema)
                writer.write_table(table, row_group_size=ROW_GROUP_SIZE)
            if writer is None:
                raise ValueError(f"no data to write to {path}")
        finally:
            if writer is not None:
                writer.close()


def read_columns(
    path: str | os.PathLike[str], columns: list[str] | None = None
) -> dict[str, np.ndarray]:
    """Read a Parquet file into a dict of numpy arrays."""
    table = pq.read_table(path, columns=columns)
    return {name: table.column(name).to_numpy() for name in table.column_names}
