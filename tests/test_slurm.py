"""The pipeline as batch jobs on a real single-node SLURM cluster, through the official executor
plugin and the project's SLURM profile. The cluster is installed (apt-get) and started by
tests/slurm/cluster.sh; the test skips, saying why, where that is impossible (not root, no apt)."""

import os
import signal
import subprocess

import pytest
from support import ROOT, SMALL_CONFIG_OVERRIDES, copy_project, run_artifacts

pytestmark = [pytest.mark.pipeline, pytest.mark.slurm, pytest.mark.slow]

CLUSTER = ROOT / "tests/slurm/cluster.sh"
# The profile as a user would edit it: the test cluster's partition, no account (no slurmdbd),
# and a short first status check for a quick test.
SLURM = [
    "--profile",
    "profiles/slurm",
    "--default-resources",
    "slurm_partition=debug",
    "mem_mb=1000",
    "runtime=10",
    "--slurm-no-account",
    "--slurm-init-seconds-before-status-checks",
    "5",
]
TIMEOUT = 900
# Snakemake of .venv-slurm (./dev.sh slurm-setup): .venv plus the SLURM executor plugin
SLURM_SNAKEMAKE = [
    str(ROOT / ".venv-slurm/bin/python"),
    "-m",
    "snakemake",
    "--workflow-profile",
    "none",
]


@pytest.fixture(scope="module")
def cluster():
    setup = subprocess.run(
        [ROOT / "dev.sh", "slurm-setup"], capture_output=True, text=True, timeout=900
    )
    assert setup.returncode == 0, f"./dev.sh slurm-setup failed:\n{setup.stderr[-3000:]}"
    proc = subprocess.run([CLUSTER, "start"], capture_output=True, text=True, timeout=900)
    if proc.returncode == 77:
        pytest.skip(f"SLURM cannot be started here: {proc.stderr.strip()}")
    assert proc.returncode == 0, f"the SLURM cluster did not start:\n{proc.stderr}"
    yield
    subprocess.run([CLUSTER, "stop"], capture_output=True, timeout=120)


def run_on_slurm(project, *args):
    """snakemake through the SLURM profile, killed (whole process group) after TIMEOUT seconds."""
    cmd = [*SLURM_SNAKEMAKE, "--nocolor", *SLURM, *args]
    proc = subprocess.Popen(
        cmd,
        cwd=project.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"snakemake on SLURM did not finish in {TIMEOUT} s:\n{out[-4000:]}")
    return proc.returncode, out


def test_pipeline_on_slurm_equals_a_local_run(cluster, tmp_path):
    # two optimizers, and one warm beta (and beta = inf) for inference and training, keep the
    # number of sbatch jobs (25) and the test's time modest
    overrides = {
        **SMALL_CONFIG_OVERRIDES,
        "mesh": {**SMALL_CONFIG_OVERRIDES["mesh"], "shards": 3},
        "relaxed": {"betas": [1.0]},
        "training": {"betas": [1.0]},
        "inference": {"optimizers": ["gradient_descent", "exact"]},
    }
    local = copy_project(tmp_path / "local")
    local.update_config(overrides)
    local.snakemake()
    remote = copy_project(tmp_path / "slurm")
    remote.update_config(overrides)
    code, out = run_on_slurm(remote)
    assert code == 0, out[-4000:]
    submitted = out.count("has been submitted with SLURM jobid")
    assert submitted >= 20, out[-4000:]  # every non-local job went through sbatch
    assert "free_energy_mesh" in out and "3-of-3" in out
    assert "relaxed_free_energy_mesh" in out and "train_decoder" in out
    ours, theirs = remote.artifacts(), local.artifacts()
    # the sweep's points ran as SLURM jobs too
    assert ours.keys() == theirs.keys() and sorted(ours) == run_artifacts(overrides)
    # the same bytes: the job step on the node pinned the kernels as the local run did
    assert [name for name in ours if ours[name] != theirs[name]] == []
    assert remote.planned_jobs() == {}


def test_a_failing_slurm_job_stops_the_run_with_a_clear_error(cluster, tmp_path):
    project = copy_project(tmp_path / "failing")
    project.update_config(SMALL_CONFIG_OVERRIDES)
    code, out = run_on_slurm(project, "results/data/samples.parquet")
    assert code == 0, out[-4000:]
    # a changed input stops the run before any job is submitted
    samples = project.path / "results/data/samples.parquet"
    original = samples.read_bytes()
    samples.write_bytes(b"not a parquet file")
    code, out = run_on_slurm(project, "results/energy/energies.parquet")
    assert code == 1 and "lvebm error: results/data/samples.parquet changed after" in out
    assert not (project.path / "logs/evaluate_energies").exists()  # no job ran
    samples.write_bytes(original)
    # a job that fails on the cluster
    script = project.path / "workflow/scripts/energy.py"
    script.write_text(
        script.read_text().replace(
            "    samples = read_artifact(",
            "    raise RuntimeError('failing on purpose')\n    samples = (",
            1,
        )
    )
    code, out = run_on_slurm(project, "results/energy/energies.parquet")
    assert code != 0
    assert "Error in rule evaluate_energies" in out
    assert "SLURM status is: 'FAILED'" in out
    assert "Exiting because a job execution failed" in out
    assert not (project.path / "results/energy/energies.parquet").exists()
    log = (project.path / "logs/evaluate_energies/energies.log").read_text()
    assert "failing on purpose" in log and "Traceback" in log  # the rule's log says why
