"""Deterministic, atomic Parquet writing."""

import numpy as np
import pyarrow.parquet as pq
import pytest

from lvebm.io import read_columns, write_parquet, write_parquet_chunks


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
