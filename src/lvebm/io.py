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
        # mkstemp makes the file private (0600); give it the mode any file the user writes has
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(
        path,
        schema,
        compression=COMPRESSION,
        use_dictionary=False,
        write_statistics=True,
        store_schema=False,
    )


class ParquetStream:
    """A Parquet file written chunk by chunk (one row group per chunk) and renamed into place
    only when the ``with`` block ends without an error; bounded memory, no partial file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._atomic = atomic_path(self.path)

    def __enter__(self) -> ParquetStream:
        self._tmp = self._atomic.__enter__()
        return self

    def write(self, columns: Mapping[str, np.ndarray] | pa.Table) -> None:
        table = columns if isinstance(columns, pa.Table) else to_table(columns)
        if self._writer is None:
            self._writer = _writer(self._tmp, table.schema)
        self._writer.write_table(table, row_group_size=ROW_GROUP_SIZE)
        self.rows += table.num_rows

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._writer is not None:
            self._writer.close()
        elif exc_type is None:  # nothing written: an error, and no file
            exc = ValueError(f"no data to write to {self.path}")
            self._atomic.__exit__(ValueError, exc, None)
            raise exc
        return bool(self._atomic.__exit__(exc_type, exc, tb))


def write_parquet(path: str | os.PathLike[str], columns: Mapping[str, np.ndarray]) -> None:
    """Write ``columns`` to ``path`` deterministically and atomically."""
    write_parquet_chunks(path, [columns])


def write_parquet_chunks(
    path: str | os.PathLike[str], chunks: Iterable[Mapping[str, np.ndarray]]
) -> None:
    """Write column chunks as one file, one row group per chunk, in bounded memory."""
    with ParquetStream(path) as stream:
        for chunk in chunks:
            stream.write(chunk)


def read_columns(
    path: str | os.PathLike[str], columns: list[str] | None = None
) -> dict[str, np.ndarray]:
    """Read a Parquet file into a dict of numpy arrays."""
    table = pq.read_table(path, columns=columns)
    return {name: table.column(name).to_numpy() for name in table.column_names}


def concat_parquet(
    inputs: Iterable[str | os.PathLike[str]],
    path: str | os.PathLike[str],
    row_group_size: int = ROW_GROUP_SIZE,
) -> int:
    """Concatenate Parquet files with one schema into ``path``, re-chunked into row groups of
    ``row_group_size`` rows counted from the first row: the bytes do not depend on how the rows
    were split between the inputs. Memory stays at about one row group. Returns the row count.
    """

    def batches():
        for source in inputs:
            yield from pq.ParquetFile(source).iter_batches(batch_size=1 << 16)

    def regrouped():
        pending: list[pa.RecordBatch] = []
        rows = 0
        for batch in batches():
            pending.append(batch)
            rows += batch.num_rows
            while rows >= row_group_size:
                table = pa.Table.from_batches(pending).combine_chunks()
                head, tail = table.slice(0, row_group_size), table.slice(row_group_size)
                yield head
                pending, rows = tail.to_batches(), tail.num_rows
        if rows:
            yield pa.Table.from_batches(pending)

    with ParquetStream(path) as stream:
        for table in regrouped():
            stream.write(table.combine_chunks())
    return stream.rows
