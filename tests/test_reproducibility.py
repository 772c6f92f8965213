"""Determinism (runs, cores, shards), the manifest check, and runs killed mid-job."""

import os
import signal
import subprocess
import time
from importlib import import_module
from pathlib import Path

import pytest
from support import (
    SMALL_CONFIG_OVERRIDES,
    SNAKEMAKE,
    copy_project,
    manifest_artifacts,
    run_artifacts,
)

from lvebm.pipeline.manifest import main as manifest_main
from lvebm.pipeline.numerics import _numpy_features, above_avx2

pytestmark = pytest.mark.pipeline


@pytest.mark.slow
def test_clean_runs_cores_and_shards_never_change_an_artifact(tmp_path):
    """The default config from scratch on 1 core in 1 shard, and on 2 cores in 3 shards (jobs
    side by side, the infer jobs on 2 threads each): the same bytes. (The small config's mesh
    in 1, 3 and 7 shards, and on 1 and 2 threads, is tested in test_pipeline.py; CI's manifest
    check is a third clean run of the default config.)"""
    runs = {}
    for name, cores, shards in (("one_core", "1", 1), ("two_cores_three_shards", "2", 3)):
        proj = copy_project(tmp_path / name)
        # without the default sweep (its points run the same rules; CI's manifest check runs
        # it): two clean runs of the stages on 1 core take 3 minutes less
        overrides = {"mesh": {"shards": shards}, "sweeps": {"seeds": None}}
        proj.update_config(overrides)
        proj.snakemake("--cores", cores, timeout=1800)
        runs[name] = proj.artifacts()
    one, two = runs.values()
    assert sorted(one) == run_artifacts(overrides) and one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []
    # each stage's own checks of a clean default run: a test module's check_default_run (the
    # amortized stage's targets, tests/test_amortized.py)
    checks = [
        module.check_default_run
        for module in every_test_module()
        if "check_default_run" in vars(module)
    ]
    assert checks
    for check in checks:
        check(proj)


def every_test_module():
    """Every test module of tests/, imported as pytest imports it (by its name)."""
    return [import_module(path.stem) for path in sorted(Path(__file__).parent.glob("test_*.py"))]


def test_manifest_reproduces_and_reports_a_change_of_a_decoder_weight_by_1e_6(
    finished_copy, capsys
):
    """The tolerant comparison passes the run that wrote the manifest and flags a change of 1e-6
    in w2, naming the artifacts and columns it moved, and not those it did not."""
    project = finished_copy
    manifest = project.path / "manifest.json"
    cwd = os.getcwd()
    os.chdir(project.path)
    try:
        assert manifest_main(["write", "-o", str(manifest)]) == 0
        assert manifest_main(["compare", str(manifest)]) == 0
        count = manifest_artifacts(SMALL_CONFIG_OVERRIDES)
        assert f"reproduced: {count} artifacts match" in capsys.readouterr().out
        project.update_config({"decoder": {"w2": 0.36 + 1e-6}})
        project.snakemake("results/energy/energies.parquet")  # what depends on w2 first
        assert manifest_main(["compare", str(manifest)]) == 1
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "NOT reproduced" in out
    assert "config" in out and "results/energy/energies.parquet" in out
    assert "column y2_tilde" in out and "max 0.36 " in out and "max 0.360001 " in out
    assert "results/data/samples.parquet" not in out  # the samples do not depend on w2


def test_committed_manifest_is_for_the_current_default_config():
    import json

    from support import ROOT

    from lvebm.pipeline.manifest import config_digest

    manifest = json.loads((ROOT / "reproducibility/manifest.json").read_text())
    assert manifest["config_sha256"] == config_digest(ROOT / "config.yaml")
    assert len(manifest["artifacts"]) == manifest_artifacts()
    assert manifest["platform"]["pins"] == "on"


# The stages whose numbers rounding could move before they were made well-conditioned: the
# conditional horn (trained networks), the decoder trained at beta = 0.3 (next to a critical beta)
# and the cross-sections' z_mean (the angle of a resultant that can vanish).
SENSITIVE = [
    "results/conditional/params.parquet",
    "results/conditional/trajectory.parquet",
    "results/conditional/radii.parquet",
    "results/conditional/free_energy.parquet",
    "results/training/summary.parquet",
    "results/training/beta~0.3/trajectory.parquet",
    "results/training/cross_section.parquet",
    "results/relaxed/cross_section.parquet",
    "results/amortized/encoder~supervised/params.parquet",
    "results/amortized/encoder~energy/params.parquet",  # class kernel: equal pinned only
    "results/amortized/target_propagation/trajectory.parquet",
    "results/platform.parquet",
]


def emulated_cpus():
    """Two CPUs other than this one, emulated on it: ``older`` has NumPy's baseline kernels only
    (every SIMD dispatch target off) and OpenBLAS's Sandybridge kernel; ``sibling`` has AVX2 or
    more but not this CPU's top NumPy target, and OpenBLAS's Sandybridge kernel by default."""
    features, dispatch = _numpy_features()
    available = [t for t in dispatch if features.get(t)]
    top = [t for t in available if above_avx2(t)][-1:]  # this CPU's top target above AVX2
    sandybridge = {"OPENBLAS_CORETYPE": "Sandybridge"}
    return (
        {"NPY_DISABLE_CPU_FEATURES": " ".join(available), **sandybridge},
        {"NPY_DISABLE_CPU_FEATURES": " ".join(top), **sandybridge},
    )


@pytest.mark.slow
def test_emulated_cpus_pinned_or_not_compute_the_same_bytes(tmp_path):
    """The sensitive stages on the default config, three times: unpinned on this CPU, unpinned
    on an emulated older one (NumPy's baseline kernels only, OpenBLAS's Sandybridge kernel) and
    pinned on an emulated sibling: every artifact is byte-identical but the platform record,
    since every number is computed in lvebm.portable's arithmetic (before it, the unpinned runs
    differed in the last bits of every trained table)."""
    older, sibling = emulated_cpus()
    runs = {}
    for name, pin, env in (("here", False, {}), ("older", False, older), ("pinned", True, sibling)):
        project = copy_project(tmp_path / name)
        project.update_config({"numerics": {"pin": pin}})
        project.snakemake(*SENSITIVE, env=env, timeout=1200)
        runs[name] = project
    art = {name: p.artifacts() for name, p in runs.items()}
    assert art["here"].keys() == art["older"].keys() == art["pinned"].keys()
    for other in ("older", "pinned"):
        differ = [k for k in art["here"] if art["here"][k] != art[other][k]]
        assert differ == ["results/platform.parquet"], (other, differ)
    a, b = (str(runs[n].path / "results") for n in ("here", "older"))
    assert manifest_main(["diff", "--strict", a, b]) == 0  # the manifest's own check agrees


def _start(project, *args):
    cmd = [*SNAKEMAKE, "--cores", "2", "--nocolor", *args]
    return subprocess.Popen(
        cmd,
        cwd=project.path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_a_run_killed_mid_job_restarts_to_the_same_artifacts(tmp_path):
    target = "results/mesh/free_energy.parquet"
    big = {
        "mesh": {
            "y1": {"num": 2000},
            "y2": {"num": 1000},
            "method": "lbfgs",
            "chunk": 100000,
            "max_points": 2_000_000,
        }
    }
    reference = copy_project(tmp_path / "reference")
    reference.update_config(big)
    reference.snakemake(target)

    victim = copy_project(tmp_path / "victim")
    victim.update_config(big)
    proc = _start(victim, target)
    shard_dir = victim.path / "results/mesh/shards"
    deadline = time.monotonic() + 120
    while not (shard_dir.is_dir() and any(p.suffix == ".part" for p in shard_dir.iterdir())):
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the job: several row groups written
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # nothing half-written carries a final name
    assert not (victim.path / target).exists()
    assert not list(shard_dir.glob("*.parquet"))
    assert list(shard_dir.glob(".*.part"))

    victim.snakemake("--unlock")
    victim.snakemake(target, "--rerun-incomplete")
    assert (victim.path / target).read_bytes() == (reference.path / target).read_bytes()
    assert victim.planned_jobs(target) == {}
