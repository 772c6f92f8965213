"""Deterministic, atomic Parquet writing."""

import os
import stat

import numpy as np
import pyarrow.parquet as pq
import pytest

from lvebm.pipeline.io import read_columns, write_parquet, write_parquet_chunks


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
