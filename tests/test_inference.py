"""The inference stage end to end, on a finished run of the small config: the optimizers' tables
against an independent exact solution, their summary and traces, the mesh's threads. The
optimizers themselves are tests/test_optimize.py's."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from support import SMALL_CONFIG_OVERRIDES, deep_update, default_config, read

# the small config's optimizers (five of the seven methods' records, in the records' order)
OPTIMIZERS = deep_update(default_config(), SMALL_CONFIG_OVERRIDES)["inference"]["optimizers"]

pytestmark = pytest.mark.pipeline


def test_inference_scores_against_an_independent_exact_solution(finished_run):
    from test_exact import brute_force

    cfg = finished_run.config()
    w1, w2 = cfg["decoder"]["w1"], cfg["decoder"]["w2"]
    for points in ("samples", "mesh"):
        t = read(finished_run, f"results/inference/{points}/exact.parquet")
        ref, _ = brute_force(w1, w2, t["y1"], t["y2"])
        assert_allclose(t["F_exact"], ref, rtol=1e-10, atol=1e-14)
        assert (t["error"] == 0).all() and t["global_min"].all()
    mesh = read(finished_run, "results/inference/mesh/exact.parquet")
    n1, n2 = cfg["mesh"]["y1"]["num"], cfg["mesh"]["y2"]["num"]
    assert len(mesh) == n1 * n2
    assert_array_equal(mesh["i"], np.arange(1, n1 * n2 + 1))
    assert mesh["y1"][1] > mesh["y1"][0] and mesh["y2"][n1] > mesh["y2"][0]


def test_summary_is_consistent_with_the_tables(finished_run):
    summary = read(finished_run, "results/inference/summary.parquet")
    assert len(summary) == 2 * len(OPTIMIZERS)
    for i in range(len(summary)):
        row = summary.row(i)
        t = read(finished_run, f"results/inference/{row['points']}/{row['optimizer']}.parquet")
        assert row["n_points"] == len(t)
        assert row["success_rate"] == pytest.approx(t["global_min"].mean())
        assert row["max_error"] == pytest.approx(t["error"].max())
        assert row["mean_eval"] == pytest.approx(t["n_eval"].mean())
    gd = summary.where(points="mesh", optimizer="gradient_descent")
    assert gd["success_rate"].item() < 1  # the local minima are there
    assert (summary.where(optimizer="exact")["success_rate"] == 1).all()


def test_focus_sample_is_found_where_the_lecture_says(finished_run):
    t = read(finished_run, "results/inference/samples/exact.parquet")
    assert t.where(i=23)["z_check"].item() == pytest.approx(3.11, abs=0.05)


def test_traces_hold_every_iterate(finished_run):
    for name in OPTIMIZERS:
        t = read(finished_run, f"results/inference/samples/{name}.parquet")
        tr = read(finished_run, f"results/inference/samples/{name}_trace.parquet")
        assert [rows["step"].max() for rows in tr.groups("i").values()] == (
            t["n_iter"].tolist() if name not in ("exhaustive", "exact") else [0] * len(t)
        )


def test_one_and_two_threads_write_identical_mesh_artifacts(project):
    """infer splits the mesh over its threads (12,000 points: two blocks of the library's
    threads); the artifacts do not depend on it, byte for byte."""
    project.update_config({"mesh": {"y1": {"num": 120}, "y2": {"num": 100}}})
    targets = [f"results/inference/mesh/{name}.parquet" for name in ("lbfgs", "newton", "exact")]
    runs = []
    for threads in (1, 2):
        out = project.snakemake(
            "--set-threads", f"infer={threads}", "--forcerun", "infer", "--", *targets
        )
        assert ("threads: 2" in out.stdout + out.stderr) == (threads == 2)
        runs.append({t: (project.path / t).read_bytes() for t in targets})
    assert runs[0] == runs[1]


def test_mesh_traces_are_kept_when_asked(project):
    """inference.mesh_trace adds the trace jobs of the mesh; each point's iterates end where its
    result does."""
    assert project.planned_jobs()["trace"] == len(OPTIMIZERS)  # the samples' only
    project.update_config({"inference": {"mesh_trace": True}})
    assert project.planned_jobs()["trace"] == 2 * len(OPTIMIZERS)
    mesh = "results/inference/mesh"
    project.snakemake(f"{mesh}/lbfgs.parquet", f"{mesh}/lbfgs_trace.parquet")
    t = read(project, f"{mesh}/lbfgs.parquet")
    tr = read(project, f"{mesh}/lbfgs_trace.parquet")
    last = {i: rows.row(len(rows) - 1) for i, rows in tr.groups("i").items()}
    assert_array_equal(list(last), t["i"])
    assert_array_equal([row["step"] for row in last.values()], t["n_iter"])
    assert_array_equal([row["E"] for row in last.values()], t["F"])
