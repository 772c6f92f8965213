"""End-to-end runs of the pipeline in a temporary copy: artifacts, contracts, no-op reruns."""

import numpy as np
import pyarrow.parquet as pq
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from support import read

from lvebm.methods import METHODS
from lvebm.model import Decoder
from lvebm.pipeline.contracts import CONTRACTS, contract, registered_pattern

pytestmark = pytest.mark.pipeline

# the small config's optimizers: every method's record, in the records' order
OPTIMIZERS = list(METHODS)


def written_artifacts(project) -> list[str]:
    """Every Parquet artifact the run wrote (its sweep points' too), below the project."""
    results = project.path / "results"
    return sorted(p.relative_to(project.path).as_posix() for p in results.rglob("*.parquet"))


def test_every_artifact_has_its_registered_columns(finished_run):
    """Each Parquet file of the run has exactly its contract's columns and Arrow types (the one
    registry, lvebm.pipeline.contracts), in order, at least one row and no nulls; and every
    contract names an artifact the run wrote (none is stale)."""
    used = set()
    for artifact in written_artifacts(finished_run):
        expected = contract(artifact)
        assert expected is not None, f"{artifact} has no contract"
        table = pq.read_table(finished_run.path / artifact)
        typed = {f.name: str(f.type) for f in table.schema}
        columns = {k: v for k, v in expected.items() if k != "..."}
        assert list(typed)[: len(columns)] == list(columns), artifact
        assert [typed[k] for k in columns] == list(columns.values()), artifact
        assert len(typed) == len(columns) or "..." in expected, artifact
        assert table.num_rows > 0, artifact
        assert not any(table.column(name).null_count for name in table.column_names), artifact
        used.add(registered_pattern(artifact))
    unused = set(CONTRACTS) - used - {"mesh/shards/*.parquet", "relaxed/shards/beta~*/*.parquet"}
    assert not unused, f"contracts that name no artifact of the run: {sorted(unused)}"


def test_sizes_follow_the_config(finished_run):
    cfg = finished_run.config()
    assert len(read(finished_run, "results/data/horn.parquet")) == cfg["data"]["horn"]["n"]
    samples = read(finished_run, "results/data/samples.parquet")
    assert_array_equal(samples["i"], np.arange(1, cfg["data"]["slice"]["n"] + 1))
    energies = read(finished_run, "results/energy/energies.parquet")
    assert len(energies) == cfg["data"]["slice"]["n"] * cfg["latent"]["n"]


def test_energies_artifact_equals_the_formula(finished_run):
    cfg = finished_run.config()
    samples = read(finished_run, "results/data/samples.parquet").set_index("i")
    e = read(finished_run, "results/energy/energies.parquet")
    w1, w2 = cfg["decoder"]["w1"], cfg["decoder"]["w2"]
    z = 2 * np.pi * e["k"].to_numpy() / cfg["latent"]["n"]
    y1 = samples.loc[e["i"], "y1"].to_numpy()
    y2 = samples.loc[e["i"], "y2"].to_numpy()
    assert_allclose(e["z"], z, rtol=0, atol=1e-15)
    assert_allclose(e["y1_tilde"], w1 * np.cos(z), rtol=0, atol=1e-15)
    assert_allclose(e["y2_tilde"], w2 * np.sin(z), rtol=0, atol=1e-15)
    assert_allclose(e["E"], (y1 - w1 * np.cos(z)) ** 2 + (y2 - w2 * np.sin(z)) ** 2, rtol=1e-14)
    assert_allclose(e["E"], Decoder(w1, w2).energy(y1, y2, z), rtol=1e-15)


def test_every_rule_logs_and_compute_rules_benchmark(finished_run):
    logs = {p.parent.name for p in (finished_run.path / "logs").rglob("*.log")}
    benchmarks = {p.parent.name for p in (finished_run.path / "benchmarks").rglob("*.tsv")}
    assert {"sample_horn", "sample_slice", "evaluate_energies"} <= logs
    assert {"sample_horn", "sample_slice", "evaluate_energies"} <= benchmarks


def test_second_run_has_nothing_to_do(finished_run):
    assert finished_run.planned_jobs() == {}
    out = finished_run.snakemake("--dry-run").stdout
    assert "Nothing to be done" in out


def test_changing_w1_reruns_energies_but_not_the_samplers(finished_copy):
    project = finished_copy
    project.update_config({"decoder": {"w1": -1.2}})
    planned = project.planned_jobs()
    assert "evaluate_energies" in planned
    assert not {"sample_horn", "sample_slice"} & set(planned)


def test_changing_horn_size_reruns_only_the_horn(finished_copy):
    project = finished_copy
    project.update_config({"data": {"horn": {"n": 77}}})
    assert set(project.planned_jobs()) == {
        "landing_page",  # the report's landing page shows the config (and its hash)
        "sample_horn",
        "figure_01_horn",
        # the conditional manifolds are drawn over the horn's samples
        "figure_23_conditional_untrained",
        "figure_24_conditional_trained",
        "figure_25_regression_baseline",
    }


def test_inference_scores_against_an_independent_exact_solution(finished_run):
    from test_exact import brute_force

    cfg = finished_run.config()
    w1, w2 = cfg["decoder"]["w1"], cfg["decoder"]["w2"]
    for points in ("samples", "mesh"):
        t = read(finished_run, f"results/inference/{points}/exact.parquet")
        ref, _ = brute_force(w1, w2, t["y1"].to_numpy(), t["y2"].to_numpy())
        assert_allclose(t["F_exact"], ref, rtol=1e-10, atol=1e-14)
        assert (t["error"] == 0).all() and t["global_min"].all()
    mesh = read(finished_run, "results/inference/mesh/exact.parquet")
    n1, n2 = cfg["mesh"]["y1"]["num"], cfg["mesh"]["y2"]["num"]
    assert len(mesh) == n1 * n2
    assert_array_equal(mesh["i"], np.arange(1, n1 * n2 + 1))
    assert mesh["y1"].iloc[1] > mesh["y1"].iloc[0] and mesh["y2"].iloc[n1] > mesh["y2"].iloc[0]


def test_summary_is_consistent_with_the_tables(finished_run):
    summary = read(finished_run, "results/inference/summary.parquet")
    assert len(summary) == 2 * len(OPTIMIZERS)
    for row in summary.itertuples():
        t = read(finished_run, f"results/inference/{row.points}/{row.optimizer}.parquet")
        assert row.n_points == len(t)
        assert row.success_rate == pytest.approx(t["global_min"].mean())
        assert row.max_error == pytest.approx(t["error"].max())
        assert row.mean_eval == pytest.approx(t["n_eval"].mean())
    gd = summary.query("points == 'mesh' and optimizer == 'gradient_descent'").iloc[0]
    assert gd.success_rate < 1  # the local minima are there
    assert summary.query("optimizer == 'exact'")["success_rate"].eq(1).all()


def test_focus_sample_is_found_where_the_lecture_says(finished_run):
    t = read(finished_run, "results/inference/samples/exact.parquet").set_index("i")
    assert t.loc[23, "z_check"] == pytest.approx(3.11, abs=0.05)


def test_traces_hold_every_iterate(finished_run):
    for name in OPTIMIZERS:
        t = read(finished_run, f"results/inference/samples/{name}.parquet")
        tr = read(finished_run, f"results/inference/samples/{name}_trace.parquet")
        assert tr.groupby("i")["step"].max().to_numpy().tolist() == (
            t["n_iter"].to_numpy().tolist() if name not in ("exhaustive", "exact") else [0] * len(t)
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
    last = tr.groupby("i").last()
    assert_array_equal(last.index, t["i"])
    assert_array_equal(last["step"], t["n_iter"])
    assert_array_equal(last["E"], t["F"])


def test_free_energy_mesh_agrees_with_an_independent_solution(finished_run):
    from test_exact import brute_force

    cfg = finished_run.config()
    w1, w2 = cfg["decoder"]["w1"], cfg["decoder"]["w2"]
    m = read(finished_run, "results/mesh/free_energy.parquet")
    n1, n2 = cfg["mesh"]["y1"]["num"], cfg["mesh"]["y2"]["num"]
    assert len(m) == n1 * n2
    y1, y2 = m["y1"].to_numpy(), m["y2"].to_numpy()
    ref_f, ref_z = brute_force(w1, w2, y1, y2)
    assert_allclose(m["F"], ref_f, rtol=1e-10, atol=1e-14)
    unique = m["unique"].to_numpy()
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


def test_mesh_artifacts_are_byte_identical_for_1_3_and_7_shards(project):
    targets = ["results/mesh/free_energy.parquet", "results/relaxed/free_energy/beta~3.2.parquet"]
    digests = {}
    for shards in (1, 3, 7):
        project.update_config({"mesh": {"shards": shards}})
        project.snakemake(*targets)
        digests[shards] = [(project.path / target).read_bytes() for target in targets]
        logs = list((project.path / "logs/free_energy_mesh").glob(f"*-of-{shards}.log"))
        assert len(logs) == shards
        logs = list(
            (project.path / "logs/relaxed_free_energy_mesh/beta~3.2").glob(f"*-of-{shards}.log")
        )
        assert len(logs) == shards
    assert digests[1] == digests[3] == digests[7]


def test_relaxed_artifacts_follow_the_config_and_the_zero_temperature_mesh(finished_run):
    cfg = finished_run.config()["relaxed"]
    betas = [*cfg["betas"], np.inf]
    line = read(finished_run, "results/relaxed/cross_section.parquet")
    assert len(line) == cfg["cross_section"]["num"] * len(betas)
    assert_array_equal(line["beta"].unique(), betas)
    mesh = read(finished_run, "results/mesh/free_energy.parquet")
    cold = read(finished_run, "results/relaxed/free_energy/beta~inf.parquet")
    for column in ("y1", "y2", "F", "dF_dy1", "dF_dy2"):
        assert_array_equal(cold[column], mesh[column])  # beta = inf is the exact F_inf, bit for bit
    for beta in cfg["betas"]:
        warm = read(finished_run, f"results/relaxed/free_energy/beta~{float(beta)!r}.parquet")
        assert (warm["F"] >= mesh["F"] - 1e-12).all()  # F_beta >= min_k E_k >= F_inf
        assert (warm["F"] - mesh["F"]).max() > 0.0
    weights = read(finished_run, "results/relaxed/weights.parquet")
    assert list(weights["point"].unique()) == ["y(23)", "y(10)", "(0, 0)"]
    assert_allclose(weights.groupby("point")["weight"].sum(), 1.0, rtol=1e-14)
    samples = read(finished_run, "results/data/samples.parquet").set_index("i")
    y23 = weights[weights["point"] == "y(23)"].iloc[0]
    assert (y23["y1"], y23["y2"]) == (samples.loc[23, "y1"], samples.loc[23, "y2"])
    scan = read(finished_run, "results/relaxed/grid_error.parquet")
    assert len(scan) == cfg["scan"]["num"] * 3
    assert not list((finished_run.path / "results/relaxed").glob("shards/**/*.parquet"))  # temp()


def test_mesh_method_reruns_only_the_mesh(finished_copy):
    project = finished_copy
    project.update_config({"mesh": {"method": "lbfgs"}})
    assert set(project.planned_jobs()) == {
        "landing_page",  # the report's landing page shows the config (and its hash)
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


def test_training_artifacts_tell_the_lectures_story(finished_run):
    cfg = finished_run.config()["training"]
    summary = read(finished_run, "results/training/summary.parquet")
    assert len(summary) == (len(cfg["betas"]) + 1) * len(cfg["methods"])
    cold = summary[(summary["beta"] == np.inf) & (summary["method"] == "lbfgs")].iloc[0]
    assert cold["converged"]
    # 24 noisy samples at random angles pin the radii of rho(0) = (2, 1.5) to a few percent
    assert_allclose([abs(cold["w1"]), abs(cold["w2"])], [2.0, 1.5], rtol=0.03)
    hot = summary[(summary["beta"] == 0.1) & (summary["method"] == "lbfgs")].iloc[0]
    assert abs(hot["w1"]) < 0.05 and abs(hot["w2"]) < 0.05
    line = read(finished_run, "results/training/cross_section.parquet")
    cold_line = line[line["beta"] == np.inf]
    zeros = cold_line.loc[cold_line["F_grid"].nsmallest(2).index, "y2"]
    assert sorted(zeros) == [-1.5, 1.5]  # the lecture: zeros near y2 = +-1.5
    denoised = read(finished_run, "results/training/denoise.parquet")
    mean = denoised.groupby("model")["error"].mean()
    assert mean["trained"] < mean["noisy"] < mean["untrained"]
    assert len(denoised) == 3 * cfg["denoise"]
    trajectory = read(finished_run, "results/training/beta~inf/trajectory.parquet")
    per_sample = trajectory[trajectory["method"] == "per_sample"]
    assert per_sample["step"].max() == cfg["epochs"] * 24


CONDITIONAL = [
    f"results/conditional/{t}.parquet"
    for t in ("params", "trajectory", "radii", "free_energy", "maps")
]


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    """The conditional stage on the default config (the small config trains only briefly)."""
    from support import copy_project

    project = copy_project(tmp_path_factory.mktemp("conditional") / "project")
    project.snakemake(*CONDITIONAL)
    return project


def test_conditional_horn_is_learnt_and_the_baseline_collapses(conditional_run):
    cfg = conditional_run.config()["conditional"]
    radii = read(conditional_run, "results/conditional/radii.parquet")
    assert_allclose(radii["x"], np.linspace(0.0, 1.0, 51))
    # the trained radii within 5 % of rho(x) at every x of the grid (signs are a symmetry)
    for j in (1, 2):
        error = np.abs(np.abs(radii[f"f{j}"]) - radii[f"rho{j}"]) / radii[f"rho{j}"]
        assert error.max() < 0.05, (j, radii["x"][error.idxmax()], error.max())
    # untrained: a tube of radii exp(small outputs), inside the horn; the baseline: within 10 %
    # of |rho(x)| of the axis at every x
    untrained = radii[["f1_untrained", "f2_untrained"]].to_numpy()
    assert np.exp(-1.0) < untrained.min() and untrained.max() < np.exp(1.0)
    share = np.hypot(radii["baseline_y1"], radii["baseline_y2"]) / np.hypot(
        radii["rho1"], radii["rho2"]
    )
    assert share.max() < 0.10
    held = read(conditional_run, "results/conditional/free_energy.parquet")
    assert len(held) == cfg["held_out"]
    assert held["F"].median() < 0.01 < 1.0 < held["F_untrained"].median()
    params = read(conditional_run, "results/conditional/params.parquet")
    assert params.groupby("model").size().to_dict() == {
        "baseline": 106,
        "latent": 106,
        "untrained": 106,
    }
    trajectory = read(conditional_run, "results/conditional/trajectory.parquet")
    latent = trajectory[trajectory["model"] == "latent"]["loss"].to_numpy()
    assert latent[-1] < 1e-3 * latent[0]
    steps = cfg["schedule"][0]["steps"] + cfg["schedule"][1]["steps"]
    assert latent.size <= steps  # Levenberg-Marquardt stopped at the minimum, not at its budget
    maps = read(conditional_run, "results/conditional/maps.parquet")
    assert sorted(set(maps["x"])) == cfg["maps"]["x"]
    assert len(maps) == len(cfg["maps"]["x"]) * cfg["maps"]["num"] ** 2


def test_em_learns_beta_near_the_datas_noise_and_the_held_out_likelihood_names_a_best_beta(
    finished_run,
):
    """The probabilistic stage on the small config (same slice as the default): EM's likelihood
    never decreases, its continuous beta is near 1 / (2 sigma^2), the grid's lower (the grid's
    spacing counts as noise); one held-out row per finite training beta, one of them best."""
    cfg = finished_run.config()
    em = read(finished_run, "results/probabilistic/em.parquet")
    data_beta = 0.5 / cfg["data"]["noise_std"] ** 2
    last = {}
    for latent, path in em.groupby("latent"):
        ll = path["log_likelihood"].to_numpy()
        assert np.all(np.diff(ll) >= -1e-12 * np.abs(ll[1:]))
        last[latent] = path["beta"].iloc[-1]
    assert abs(last["continuous"] / data_beta - 1.0) < 0.1 and last["grid"] < last["continuous"]
    draws = read(finished_run, "results/probabilistic/model_samples.parquet")
    assert draws.groupby("latent").size().to_dict() == {
        "continuous": cfg["probabilistic"]["samples"],
        "grid": cfg["probabilistic"]["samples"],
    }
    held = read(finished_run, "results/probabilistic/held_out.parquet")
    assert sorted(held["beta"]) == sorted(cfg["training"]["betas"])
    assert held["best"].sum() == 1
    assert held.loc[held["best"], "log_likelihood"].item() == held["log_likelihood"].max()
