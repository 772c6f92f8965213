"""The pipeline as batch jobs on a real single-node SLURM cluster, through the official executor
plugin and the project's SLURM profiles: with the shared filesystem (profiles/slurm), and without
one, every file through an S3 server on the loopback (profiles/slurm-s3, tests/s3server.py). The
cluster is installed (apt-get) and started by tests/slurm/cluster.sh; the test skips, saying why,
where that is impossible (not root, no apt)."""

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from s3server import ACCESS, BUCKET, helper, seaweedfs
from support import (
    ROOT,
    SMALL_CONFIG_OVERRIDES,
    Project,
    copy_project,
    crate_checksums,
    run_artifacts,
)

from lvebm.pipeline import provenance

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
# The same for the profile without a shared filesystem
SLURM_S3 = ["--profile", str(ROOT / "profiles/slurm-s3"), *SLURM[2:]]
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


def run_on_slurm(project, *args, profile=SLURM, timeout=TIMEOUT, env=None):
    """snakemake through a SLURM profile, killed (whole process group) after ``timeout`` s."""
    cmd = [*SLURM_SNAKEMAKE, "--nocolor", *profile, *args]
    proc = subprocess.Popen(
        cmd,
        cwd=project.path,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"snakemake on SLURM did not finish in {timeout} s:\n{out[-4000:]}")
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


# ---- without a shared filesystem: S3 the only storage -----------------------------------------


@pytest.fixture(scope="module")
def s3(cluster, tmp_path_factory):
    """The S3 endpoint of a SeaweedFS server on the loopback, with the bucket BUCKET; the jobs'
    scratch folders (tests/slurm/cli_filter.lua) removed after."""
    before = set(SCRATCH.parent.glob(SCRATCH.name))
    with seaweedfs(tmp_path_factory.mktemp("s3")) as endpoint:
        yield endpoint
    for folder in set(SCRATCH.parent.glob(SCRATCH.name)) - before:
        shutil.rmtree(folder, ignore_errors=True)


# where the client filter puts each job of a storage test (tests/slurm/cli_filter.lua)
SCRATCH = Path("/tmp/lvebm-job.*")
# The jobs' environment: without a shared filesystem Snakemake starts each job with the `python`
# its PATH finds (the job's own software, as a container image's on Kubernetes): .venv-slurm's,
# which the jobs inherit from the submitting shell; and the S3 credentials.
JOB_ENV = {**ACCESS, "PATH": f"{ROOT / '.venv-slurm/bin'}:{os.environ['PATH']}"}


def storage(endpoint: str, prefix: str, own_folders: bool) -> dict:
    """The profile's REPLACE line for the bucket, and the jobs' environment with the test
    server's endpoint (an environment variable, as the storage plugin's settings reach the jobs:
    the SLURM plugin passes the submitting environment, not the command line's settings);
    ``own_folders``: each job in a fresh empty folder, as a pod (tests/slurm/cli_filter.lua)."""
    env = {**JOB_ENV, "SNAKEMAKE_STORAGE_S3_ENDPOINT_URL": endpoint}
    if own_folders:
        env["LVEBM_JOB_SCRATCH"] = "1"
    return {"args": ["--default-storage-prefix", f"s3://{BUCKET}/{prefix}"], "env": env}


def git_project(dest) -> Project:
    """A copy of the project as a clone is: its files tracked by git (Snakemake's source archive,
    which carries the workflow to each job, holds the git-tracked files)."""
    project = copy_project(dest)
    git = ["git", "-c", "user.name=lvebm", "-c", "user.email=lvebm@localhost"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "the project"]):
        subprocess.run([*git, *args], cwd=dest, check=True, capture_output=True)
    return project


def test_default_config_on_slurm_with_s3_as_the_only_storage_reproduces_the_manifest(
    cluster, s3, tmp_path
):
    """The whole default run as SLURM jobs with S3 as the only storage: the artifacts, fetched back
    from the bucket, are byte for byte the committed manifest's."""
    project = git_project(tmp_path / "project")
    # each job in an empty folder of its own, as a pod: only the sources and its declared inputs
    bucket = storage(s3, "default", own_folders=True)
    # the SLURM plugin deletes a successful job's log unless told to keep it: the logs name
    # each job's folder
    args = [*bucket["args"], "--slurm-keep-successful-logs"]
    code, out = run_on_slurm(project, *args, profile=SLURM_S3, timeout=3000, env=bucket["env"])
    assert code == 0, out[-6000:]
    assert out.count("has been submitted with SLURM jobid") >= 100, out[-4000:]
    assert "Uploading source archive to storage provider" in out
    # every job ran in a folder of its own, none in the submitting folder
    logs = list((project.path / ".snakemake/slurm_logs").rglob("*.log"))
    folders = [re.search(r"Working directory: (\S+)", log.read_text()) for log in logs]
    assert len(logs) >= 100 and all(folders), [
        str(log) for log, f in zip(logs, folders, strict=True) if not f
    ]
    assert all(f[1].startswith("/tmp/lvebm-job.") for f in folders)
    assert len({f[1] for f in folders}) == len(logs)
    # the working directory holds no results/: the artifacts are in the bucket
    assert not list((project.path / "results").rglob("*.parquet"))
    fetched = tmp_path / "fetched"
    got = helper("fetch", s3, BUCKET, "default/results", str(fetched / "results"))
    assert got.returncode == 0, got.stderr[-3000:]
    compare = subprocess.run(
        [
            sys.executable,
            "-m",
            "lvebm.pipeline.manifest",
            "compare",
            str(ROOT / "reproducibility/manifest.json"),
            "--results",
            str(fetched / "results"),
            "--config",
            str(project.path / "config.yaml"),
            "--strict",
        ],
        capture_output=True,
        text=True,
    )
    assert compare.returncode == 0, compare.stdout[-4000:]
    assert compare.stdout.startswith("reproduced:")
    # the run's provenance crate came back with the artifacts: built on the submit host's copies
    # and uploaded below the prefix, every file's checksum the fetched file's (so the manifest's)
    sums = crate_checksums(fetched / "results")
    assert len([n for n in sums if not n.startswith(provenance.SNAPSHOT)]) > 200


# A workflow whose rule `undeclared` reads a file another rule wrote without declaring it (it
# declares declared.txt only, so it runs after write): on a shared filesystem it works.
UNDECLARED = """
rule all:
    input:
        "out/declared.txt",
        "out/undeclared.txt",


rule write:
    output:
        "out/data.txt",
    shell:
        "echo data > {output}"


rule declared:
    input:
        "out/data.txt",
    output:
        "out/declared.txt",
    shell:
        "cat {input} > {output}"


rule undeclared:
    input:
        "out/declared.txt",
    output:
        "out/undeclared.txt",
    shell:
        "cat out/data.txt > {output}"
"""


def test_a_job_that_reads_an_undeclared_file_fails_without_a_shared_filesystem(
    cluster, s3, tmp_path
):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "Snakefile").write_text(UNDECLARED)
    local = subprocess.run(
        [*SLURM_SNAKEMAKE, "--nocolor", "-c1"], cwd=shared, capture_output=True, text=True
    )
    assert local.returncode == 0, local.stderr[-3000:]
    isolated = tmp_path / "isolated"
    isolated.mkdir()
    (isolated / "Snakefile").write_text(UNDECLARED)
    bucket = storage(s3, "undeclared", own_folders=True)
    code, out = run_on_slurm(
        Project(isolated), *bucket["args"], profile=SLURM_S3, env=bucket["env"]
    )
    assert code != 0
    assert "Error in rule undeclared" in out
    assert "cat: out/data.txt: No such file or directory" in out  # the undeclared read
    # the job ran in a folder of its own, which held the sources and its declared input
    (log,) = (isolated / ".snakemake/slurm_logs/rule_undeclared").glob("*.log")
    assert "Working directory: /tmp/lvebm-job." in log.read_text()
    assert "Error in rule declared" not in out
    listed = helper("list", s3, BUCKET, "undeclared/out").stdout.split()
    assert "undeclared/out/declared.txt" in listed
    assert "undeclared/out/undeclared.txt" not in listed
