"""What spans the pipeline's stages, end to end on a finished run: every artifact's contract, the
config's sizes, logs and benchmarks, no-op reruns, reruns that cross stages, shard counts. Each
stage's own end-to-end checks are in its test file (tests/test_<stage>.py)."""

import numpy as np
import pyarrow.parquet as pq
import pytest
from numpy.testing import assert_array_equal
from support import CONFIG_PAGES, read

from lvebm.pipeline.contracts import CONTRACTS, contract, registered_pattern

pytestmark = pytest.mark.pipeline


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
        *CONFIG_PAGES,  # the report's landing page and configuration show the config
        "sample_horn",
        "figure_01_horn",
        # the conditional manifolds are drawn over the horn's samples
        "figure_23_conditional_untrained",
        "figure_24_conditional_trained",
        "figure_25_regression_baseline",
    }


def test_mesh_artifacts_are_byte_identical_for_1_3_and_7_shards(project):
    targets = ["results/mesh/free_energy.parquet", "results/relaxed/free_energy/beta~0.3.parquet"]
    digests = {}
    for shards in (1, 3, 7):
        project.update_config({"mesh": {"shards": shards}})
        project.snakemake(*targets)
        digests[shards] = [(project.path / target).read_bytes() for target in targets]
        logs = list((project.path / "logs/free_energy_mesh").glob(f"*-of-{shards}.log"))
        assert len(logs) == shards
        logs = list(
            (project.path / "logs/relaxed_free_energy_mesh/beta~0.3").glob(f"*-of-{shards}.log")
        )
        assert len(logs) == shards
    assert digests[1] == digests[3] == digests[7]
