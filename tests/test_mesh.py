"""The mesh: blocks and shards that partition it, the free-energy field, its gradient."""

import itertools

import numpy as np
import pyarrow.parquet as pq
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from support import CONFIG_PAGES, read

from lvebm.mesh import free_energy_blocks, free_energy_field, highlight_curves
from lvebm.meshgrid import mesh_points, shard_bounds
from lvebm.model import Decoder
from lvebm.pipeline.io import concat_parquet, write_parquet, write_parquet_chunks

DEC = Decoder(-1.45, 0.36)
AX1 = {"start": -3.0, "stop": 3.0, "num": 25}
AX2 = {"start": -2.0, "stop": 2.0, "num": 17}


@pytest.mark.parametrize("total, shards", [(425, 1), (425, 3), (425, 7), (10, 10), (1_000_003, 8)])
def test_shards_partition_the_mesh(total, shards):
    bounds = [shard_bounds(total, shards, k) for k in range(shards)]
    assert bounds[0][0] == 0 and bounds[-1][1] == total
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    sizes = [b - a for a, b in bounds]
    assert max(sizes) - min(sizes) <= 1


def test_mesh_order_and_blocks():
    labels, y1, y2 = mesh_points(AX1, AX2)
    assert_array_equal(labels, np.arange(1, 426))
    assert (y1[0], y2[0], y1[24], y2[24], y1[25], y2[25]) == (-3.0, -2.0, 3.0, -2.0, -3.0, -1.75)
    parts = [mesh_points(AX1, AX2, a, b) for a, b in [(0, 100), (100, 101), (101, 425)]]
    assert_array_equal(np.concatenate([p[1] for p in parts]), y1)
    assert_array_equal(np.concatenate([p[2] for p in parts]), y2)


def test_gradient_is_the_derivative_of_the_free_energy():
    rng = np.random.default_rng(5)
    y1, y2 = rng.uniform(-3, 3, (2, 500))
    field = free_energy_field(DEC, y1, y2)
    h = 1e-6
    for k, (d1, d2) in enumerate([(h, 0.0), (0.0, h)]):
        plus = free_energy_field(DEC, y1 + d1, y2 + d2)["F"]
        minus = free_energy_field(DEC, y1 - d1, y2 - d2)["F"]
        numeric = (plus - minus) / (2 * h)
        analytic = field["dF_dy1" if k == 0 else "dF_dy2"]
        ok = field["unique"] & (np.abs(y2) > 1e-3)
        assert_allclose(analytic[ok], numeric[ok], rtol=1e-6, atol=1e-6)


def test_gradient_points_away_from_the_manifold():
    y1, y2 = np.array([3.0, 0.0, 0.0]), np.array([0.0, 2.0, 0.1])
    field = free_energy_field(DEC, y1, y2)
    g1, g2 = DEC(field["z_check"])
    # -grad F / 2 = g(z_check) - y: the arrow from y to its nearest point on the manifold
    assert_allclose(-field["dF_dy1"] / 2, g1 - y1, rtol=1e-15)
    assert_allclose(-field["dF_dy2"] / 2, g2 - y2, rtol=1e-15)
    assert_allclose(field["F"], (field["dF_dy1"] ** 2 + field["dF_dy2"] ** 2) / 4, rtol=1e-12)


def test_ridge_points_are_flagged_on_the_lecture_mesh():
    _, y1, y2 = mesh_points(AX1, AX2)
    field = free_energy_field(DEC, y1, y2)
    ridge = ~field["unique"]
    assert_array_equal(y2[ridge], 0.0)
    assert_array_equal(y1[ridge], np.arange(-1.25, 1.26, 0.25))  # |y1| < 1.36
    assert np.all(field["z_check"][ridge] < np.pi)  # the tie-break leans to (0, pi)


def test_an_optimizer_as_the_mesh_method_draws_its_local_minima():
    _, y1, y2 = mesh_points(AX1, AX2)
    exact = free_energy_field(DEC, y1, y2)
    gd = free_energy_field(
        DEC,
        y1,
        y2,
        method="lbfgs",
        z_init=0.5,
        options={"memory": 10, "ftol": 2.2e-9, "gtol": 1e-7, "max_iter": 500},
    )
    assert np.all(gd["F"] >= exact["F"] - 1e-12)
    assert 0.02 < np.mean(gd["F"] - exact["F"] > 1e-6) < 0.3
    assert_array_equal(gd["unique"], exact["unique"])


def test_blocks_and_concatenation_do_not_change_the_bytes(tmp_path):
    whole = list(free_energy_blocks(DEC, AX1, AX2, start=0, stop=425, chunk=1000))
    write_parquet(tmp_path / "whole.parquet", whole[0])
    parts = []
    for k, (a, b) in enumerate([(0, 60), (60, 61), (61, 425)]):
        path = tmp_path / f"part{k}.parquet"
        write_parquet_chunks(path, free_energy_blocks(DEC, AX1, AX2, start=a, stop=b, chunk=7))
        parts.append(path)
    concat_parquet(parts, tmp_path / "joined.parquet")
    concat_parquet([tmp_path / "whole.parquet"], tmp_path / "again.parquet")
    joined = (tmp_path / "joined.parquet").read_bytes()
    assert joined == (tmp_path / "again.parquet").read_bytes()
    concat_parquet(parts, tmp_path / "small_groups.parquet", row_group_size=100)
    assert pq.ParquetFile(tmp_path / "small_groups.parquet").num_row_groups == 5
    small = pq.read_table(tmp_path / "small_groups.parquet")
    assert small.equals(pq.read_table(tmp_path / "joined.parquet"))


def test_highlight_curves():
    pts = [[-3.0, -0.5], [0.0, -0.5]]
    c = highlight_curves(
        DEC, pts, z_start=-2 * np.pi, z_stop=4 * np.pi, step=np.pi / 12, oversample=8
    )
    per = 72 * 8
    assert c["z"].size == 2 * per
    assert_allclose(
        c["z"][c["marker"]][:3], [-2 * np.pi, -2 * np.pi + np.pi / 12, -2 * np.pi + np.pi / 6]
    )
    assert c["marker"].sum() == 2 * 72
    assert c["z"][per - 1] < 4 * np.pi
    assert_allclose(c["E"], DEC.energy(c["y1"], c["y2"], c["z"]), rtol=1e-15)
    first = c["F"][0], c["F"][per]
    assert first[0] > first[1]  # the leftmost point has the larger free energy


# ---- the mesh stage end to end, on a finished run (tests/conftest.py) ----


@pytest.mark.pipeline
def test_free_energy_mesh_agrees_with_an_independent_solution(finished_run):
    from test_exact import brute_force

    cfg = finished_run.config()
    w1, w2 = cfg["decoder"]["w1"], cfg["decoder"]["w2"]
    m = read(finished_run, "results/mesh/free_energy.parquet")
    n1, n2 = cfg["mesh"]["y1"]["num"], cfg["mesh"]["y2"]["num"]
    assert len(m) == n1 * n2
    y1, y2 = m["y1"], m["y2"]
    ref_f, ref_z = brute_force(w1, w2, y1, y2)
    assert_allclose(m["F"], ref_f, rtol=1e-10, atol=1e-14)
    unique = m["unique"]
    ref_z = ref_z.astype(float)
    assert_allclose(
        m["dF_dy1"][unique], 2 * (y1 - w1 * np.cos(ref_z))[unique], rtol=1e-8, atol=1e-8
    )
    assert_allclose(
        m["dF_dy2"][unique], 2 * (y2 - w2 * np.sin(ref_z))[unique], rtol=1e-8, atol=1e-8
    )
    assert unique[y2 != 0].all()  # only the ridge y2 = 0 ties
    assert (m["z_check"][~unique] < np.pi).all()
    assert not list((finished_run.path / "results/mesh").glob("shards/*.parquet"))  # temp()


@pytest.mark.pipeline
def test_mesh_method_reruns_only_the_mesh(finished_copy):
    project = finished_copy
    project.update_config({"mesh": {"method": "lbfgs"}})
    assert set(project.planned_jobs()) == {
        *CONFIG_PAGES,  # the report's landing page and configuration show the config
        "free_energy_mesh",
        "gather_free_energy_mesh",
        "figure_08_mesh",
        "figure_09_highlight",
        "figure_11_free_energy",
        "figure_13_local_minima",
    }
    project.snakemake()
    m = read(project, "results/mesh/free_energy.parquet")
    ref = read(project, "results/inference/mesh/lbfgs.parquet")
    assert_allclose(m["F"], ref["F"], rtol=1e-15)
