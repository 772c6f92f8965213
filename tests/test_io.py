"""Deterministic, atomic Parquet writing."""

import os
import stat
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lvebm.pipeline.io import read_columns, to_table, write_parquet, write_parquet_chunks


def test_same_columns_give_same_bytes_and_no_metadata(tmp_path):
    cols = {"i": np.arange(5), "E": np.linspace(0, 1, 5)}
    write_parquet(tmp_path / "a.parquet", cols)
    write_parquet(tmp_path / "b.parquet", cols)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    schema = pq.read_schema(tmp_path / "a.parquet")
    assert schema.metadata is None
    assert schema.names == ["i", "E"]
    back = read_columns(tmp_path / "a.parquet")
    np.testing.assert_array_equal(back["E"], cols["E"])


def test_failure_leaves_no_file(tmp_path):
    def chunks():
        yield {"a": np.arange(3)}
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_parquet_chunks(tmp_path / "x.parquet", chunks())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_artifacts_get_the_mode_the_umask_gives_any_file(tmp_path, umask, mode):
    """Readable by colleagues on a shared cluster exactly when the user's umask says so."""
    old = os.umask(umask)
    try:
        write_parquet(tmp_path / "a.parquet", {"i": np.arange(3)})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.parquet").stat().st_mode) == mode


@pytest.mark.parametrize(
    "values",
    [
        np.array([0.5, -0.0, np.nan, np.inf, 1e-300]),
        np.arange(7, dtype=np.int64) - 3,
        np.arange(4, dtype=np.int32),
        np.array([True, False, True, True, False, False, True, False, True]),
        np.array(["exhaustive", "", "béta", "z\u030c"]),
        np.linspace(0, 1, 12)[::3],  # not contiguous
        np.array([], dtype=np.float64),
        np.array([], dtype=bool),
        np.array([], dtype=str),
    ],
)
def test_tables_are_built_as_pa_array_builds_them(values):
    """to_table builds numbers, booleans and strings on their buffers: the same arrays, types and
    nullability as pa.array would give, so the same Parquet bytes."""
    table = to_table({"column": values})
    expected = pa.array(values)
    assert table.schema.field("column").type == expected.type
    assert not table.schema.field("column").nullable
    ours, theirs = table.column("column").chunk(0).buffers(), expected.buffers()
    assert [b is None for b in ours] == [b is None for b in theirs]
    assert [b.to_pybytes() for b in ours if b] == [b.to_pybytes() for b in theirs if b]


def test_writing_a_table_does_not_import_pandas(tmp_path):
    """pa.array imports pandas when it is installed (0.15 s of every job); the pipeline's write
    and read paths do not. (The project's environment has no pandas; a user's may.)"""
    pytest.importorskip("pandas", reason="pandas is not installed: nothing can import it")
    code = (
        "import sys, numpy as np; from lvebm.pipeline.io import write_parquet, read_columns;"
        f"p = {str(tmp_path / 't.parquet')!r};"
        "write_parquet(p, {'x': np.arange(3.0), 'b': np.ones(3, bool), 's': np.array([*'abc'])});"
        "read_columns(p); print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "columns",
    [
        {"x": np.array([0.5, -0.0, np.nan, np.inf]), "n": np.arange(4) - 2},
        {"b": np.array([True, False, True] * 5), "s": np.array(["a", "", "béta"] * 5)},
        {"f": np.arange(3, dtype=np.float32), "u": np.arange(3, dtype=np.uint8)},
        {"x": np.array([], dtype=float), "s": np.array([], dtype=str), "b": np.array([], bool)},
    ],
)
def test_columns_are_read_as_to_numpy_reads_them(tmp_path, columns):
    """read_columns reads numbers, booleans and strings from their buffers, in row groups of any
    size: the same dtypes, values and writability as pyarrow's to_numpy."""
    path = tmp_path / "t.parquet"
    write_parquet_chunks(
        path, [{k: v[:7] for k, v in columns.items()}, {k: v[7:] for k, v in columns.items()}]
    )
    ours = read_columns(path)
    table = pq.read_table(path)
    assert list(ours) == table.column_names
    for name, theirs in ((n, table.column(n).to_numpy()) for n in table.column_names):
        assert ours[name].dtype == theirs.dtype and ours[name].flags.writeable
        np.testing.assert_array_equal(ours[name], theirs)
        assert [type(v) for v in ours[name].tolist()] == [type(v) for v in theirs.tolist()]


def test_without_a_shared_filesystem_jobs_check_the_contract_not_the_sidecar(tmp_path, monkeypatch):
    """The storage carries an artifact without the checksum file written beside it: with the
    run's storage provider in the environment a job reads it by its contract alone."""
    from lvebm.pipeline.io import ArtifactError, checksum_path, read_artifact
    from lvebm.pipeline.jobs import STORAGE_ENV, storage_environment

    path = tmp_path / "results/data/horn.parquet"
    path.parent.mkdir(parents=True)
    columns = {name: np.arange(3.0) for name in ("x", "theta", "y1", "y2")}
    write_parquet(path, columns)
    checksum_path(path).unlink()
    monkeypatch.delenv(STORAGE_ENV, raising=False)
    with pytest.raises(ArtifactError, match="has no checksum"):
        read_artifact(path)
    assert storage_environment(None) == {}
    monkeypatch.setenv(STORAGE_ENV, storage_environment("s3")[STORAGE_ENV])
    assert read_artifact(path, ["y1"])["y1"].tolist() == [0.0, 1.0, 2.0]
    pq.write_table(pa.table({"x": [1.0]}), path)  # the contract is still checked
    with pytest.raises(ArtifactError, match="does not have its contract's columns"):
        read_artifact(path)


def test_the_check_before_a_run_reads_the_columns_recorded_with_the_checksum(tmp_path):
    """A Parquet file's checksum record carries its columns and types as written: the check
    before any job compares them with the contract without opening the file (no Arrow in the
    process that builds the job graph); a record from before the columns were recorded has the
    file's schema read instead, and both catch a file rewritten with a wrong type."""
    import json

    from lvebm.pipeline.io import ArtifactError, checksum_path

    path = tmp_path / "results/data/horn.parquet"
    path.parent.mkdir(parents=True)
    write_parquet(path, {name: np.arange(3.0) for name in ("x", "theta", "y1", "y2")})
    record = json.loads(checksum_path(path).read_text())
    schema = pq.read_schema(path)
    assert record["columns"] == [[f.name, str(f.type)] for f in schema]
    assert record["columns"][0] == ["x", "double"]

    script = (
        "import sys\n"
        "from lvebm.pipeline.jobgraph import check_artifacts\n"
        f"check_artifacts({str(tmp_path / 'results')!r})\n"
        "print('pyarrow' in sys.modules)\n"
    )
    check = [sys.executable, "-c", script]
    assert subprocess.run(check, capture_output=True, text=True, check=True).stdout == "False\n"

    # recast through the pipeline's writer (checksum and columns right): the record stops it
    recast = {name: np.arange(3.0) for name in ("x", "theta", "y1", "y2")}
    recast["theta"] = recast["theta"].astype(np.float32)
    write_parquet(path, recast)
    from lvebm.pipeline.jobgraph import check_artifacts

    with pytest.raises(ArtifactError, match=r"theta: float \(contract: double\)"):
        check_artifacts(str(tmp_path / "results"))
    # the same file with a record from before the columns were recorded: its schema is read
    del record["columns"]
    written = json.loads(checksum_path(path).read_text())
    checksum_path(path).write_text(json.dumps({k: written[k] for k in record}) + "\n")
    with pytest.raises(ArtifactError, match=r"theta: float \(contract: double\)"):
        check_artifacts(str(tmp_path / "results"))


def test_the_check_before_a_run_hashes_a_touched_artifact_once(tmp_path, monkeypatch):
    """Snakemake touches each output after its job, so its modification time is no longer the
    one recorded: the check hashes it once, then trusts the size and time it verified; a later
    edit (another time) is hashed again, and caught."""
    from lvebm.pipeline import checksums
    from lvebm.pipeline.io import ArtifactError
    from lvebm.pipeline.jobgraph import VERIFIED_ARTIFACTS, check_artifacts

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "results/data/horn.parquet"
    path.parent.mkdir(parents=True)
    write_parquet(path, {name: np.arange(3.0) for name in ("x", "theta", "y1", "y2")})
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**8))  # Snakemake's touch
    hashed = []
    real = checksums.file_sha256
    monkeypatch.setattr(checksums, "file_sha256", lambda p: hashed.append(p) or real(p))
    check_artifacts("results")
    check_artifacts("results")
    assert len(hashed) == 1 and (tmp_path / VERIFIED_ARTIFACTS).is_file()
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # an edit of the same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**8))
    with pytest.raises(ArtifactError, match="changed after the rule that wrote it"):
        check_artifacts("results")
