"""Deterministic, atomic Parquet files: same columns in, same bytes out; checked when read.

No pandas index, no schema metadata (pandas and pyarrow versions stay out of the file), fixed
compression and row-group size. Files appear under their final name only once complete.

Each file written here gets a checksum beside it (``.NAME.sha256``: SHA-256, size and
modification time, recorded once the file is complete). ``read_artifact`` refuses a file that
changed since, or whose columns and types are not its contract (``lvebm.pipeline.contracts``), with
an ``ArtifactError`` naming the file and what to do.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lvebm.pipeline.checksums import (
    REMEDY,
    ArtifactError,
    check_columns,
    checksum_path,
    file_sha256,
    verify_checksum,
)
from lvebm.pipeline.contracts import contract
from lvebm.pipeline.jobs import STORAGE_ENV

COMPRESSION = "lz4"  # LZ4_RAW: encodes about twice as fast as zstd, files about 12 % larger
ROW_GROUP_SIZE = 1 << 20


def record_checksum(path: str | os.PathLike[str], source: str | os.PathLike[str] | None = None):
    """Record the SHA-256, size and modification time of the finished file ``path`` (read from
    ``source``, the complete file about to be renamed onto ``path``, when given)."""
    source = path if source is None else source
    stat = os.stat(source)
    entry = {"sha256": file_sha256(source), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if Path(path).suffix == ".parquet":  # its columns: the check before a run opens no file
        entry["columns"] = [list(column) for column in _columns(pq.read_schema(source))]
    with atomic_path(checksum_path(path), record=False) as tmp:
        tmp.write_text(json.dumps(entry) + "\n")


def check_contract(path: str | os.PathLike[str]) -> None:
    """Raise ArtifactError unless ``path`` is a Parquet file with its contract's columns and
    types, in order (read from the file's own schema)."""
    if contract(path) is None:
        check_columns(path, [])  # raises: no artifact of the pipeline
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as e:
        raise ArtifactError(f"{path} is not a readable Parquet file ({e}): {REMEDY}") from None
    check_columns(path, _columns(schema))


def _columns(schema: pa.Schema) -> list[tuple[str, str]]:
    return [(field.name, str(field.type)) for field in schema]


def check_artifact(path: str | os.PathLike[str]) -> None:
    """Raise ArtifactError unless ``path`` is unchanged since written and has its contract. In a
    run without a shared filesystem (``STORAGE_ENV`` set, ``jobgraph.storage_environment``) the
    storage carries the artifact without the checksum file beside it: its contract is checked."""
    if not os.environ.get(STORAGE_ENV):
        verify_checksum(path)
    check_contract(path)


def read_artifact(
    path: str | os.PathLike[str], columns: list[str] | None = None
) -> dict[str, np.ndarray]:
    """Read a pipeline artifact: its checksum and contract checked first (ArtifactError)."""
    check_artifact(path)
    return read_columns(path, columns)


def to_table(columns: Mapping[str, np.ndarray]) -> pa.Table:
    """An Arrow table of the given columns, in order, without metadata.

    Every field is declared non-nullable (Parquet "required"): artifacts hold no nulls (a missing
    number is NaN), and a required column is written without definition levels, about a fifth
    faster. A null would make the write fail rather than pass silently.
    """
    arrays = {name: _arrow_array(np.asarray(values)) for name, values in columns.items()}
    fields = [pa.field(name, a.type, nullable=False) for name, a in arrays.items()]
    return pa.Table.from_arrays(list(arrays.values()), schema=pa.schema(fields))


def _arrow_array(values: np.ndarray) -> pa.Array:
    """The Arrow array of a 1-D column, built on its buffers where the column is a number, a
    boolean or a string (the artifacts' kinds), through ``pa.array`` otherwise.

    The same array as ``pa.array(values)`` (tests/test_io.py), without its cost: ``pa.array``
    asks whether its argument is a pandas object and so imports pandas when pandas is installed,
    0.15 s of a 0.4 s job, paid by every job of the pipeline that writes a table.
    """
    if values.ndim == 1 and values.dtype.kind in "fiu" and values.dtype.isnative:
        data = pa.py_buffer(np.ascontiguousarray(values))
        return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, data])
    if values.ndim == 1 and values.dtype.kind == "b":
        bits = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, bits])
    if values.ndim == 1 and values.dtype.kind == "U":
        encoded = [text.encode() for text in values.tolist()]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(each) for each in encoded], out=offsets[1:])
        if offsets[-1] < 2**31:  # pa.string()'s 32-bit offsets
            buffers = [
                None,
                pa.py_buffer(offsets.astype(np.int32)),
                pa.py_buffer(b"".join(encoded)),
            ]
            return pa.Array.from_buffers(pa.string(), len(encoded), buffers)
    return pa.array(values)


@contextmanager
def atomic_path(path: str | os.PathLike[str], record: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success. With
    ``record``, its checksum is recorded first (a rename keeps the modification time), so a file
    under its final name always has its checksum, even when the process is killed between."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the mode any file the user writes has
        os.chmod(tmp, 0o666 & ~_umask())
        if record:
            record_checksum(path, source=tmp)
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
    # ParquetFile, not pq.read_table: that one goes through pyarrow.dataset, which imports pandas
    with pq.ParquetFile(path) as source:
        table = source.read(columns=columns)
    return {name: _numpy_column(table.column(name)) for name in table.column_names}


def _numpy_column(column: pa.ChunkedArray) -> np.ndarray:
    """A column as a new numpy array, read from its buffers where it is a number, a boolean or a
    string without nulls (the artifacts' kinds), through ``to_numpy`` otherwise.

    The same array as ``column.to_numpy()`` (tests/test_io.py): its dtype (strings as an object
    array of str), values and writability, without importing pandas, which ``to_numpy`` does.
    """
    values = column.combine_chunks()
    kind, start, stop = values.type, values.offset, values.offset + len(values)
    buffers = values.buffers()
    if values.null_count or any(buffer is None for buffer in buffers[1:]):
        return column.to_numpy()
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        letter = "i" if pa.types.is_signed_integer(kind) else "u"
        dtype = np.dtype(f"{'f' if pa.types.is_floating(kind) else letter}{kind.bit_width // 8}")
        return np.frombuffer(buffers[1], dtype=dtype)[start:stop].copy()
    if pa.types.is_boolean(kind):
        bits = np.frombuffer(buffers[1], dtype=np.uint8)
        return np.unpackbits(bits, count=stop, bitorder="little")[start:].astype(bool)
    if pa.types.is_string(kind):
        offsets = np.frombuffer(buffers[1], dtype=np.int32)[start : stop + 1].tolist()
        data = buffers[2].to_pybytes()
        texts = np.empty(len(values), dtype=object)
        texts[:] = [data[a:b].decode() for a, b in itertools.pairwise(offsets)]
        return texts
    return column.to_numpy()


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
