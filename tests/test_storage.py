"""A local run without a shared filesystem: S3 (SeaweedFS on the loopback, tests/s3server.py) the
only storage, Snakemake's local executor. Its artifacts, fetched back from the bucket, are the
bytes of a plain run. (The same on SLURM, each job in its own folder: tests/test_slurm.py.)"""

import json
import os
import subprocess
import sys

import pytest
from s3server import ACCESS, BUCKET, helper, seaweedfs
from support import ROOT, copy_project, crate_checksums

from lvebm.pipeline import provenance

pytestmark = [pytest.mark.pipeline, pytest.mark.slow]


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    setup = subprocess.run(
        [ROOT / "dev.sh", "slurm-setup"], capture_output=True, text=True, timeout=900
    )
    assert setup.returncode == 0, f"./dev.sh slurm-setup failed:\n{setup.stderr[-3000:]}"
    with seaweedfs(tmp_path_factory.mktemp("s3")) as endpoint:
        yield endpoint


def test_the_quick_config_with_s3_as_the_only_storage_writes_a_plain_runs_bytes(
    finished_run, s3, tmp_path
):
    project = copy_project(tmp_path / "project")
    project.write_config(finished_run.config())
    env = {**os.environ, **ACCESS, "SNAKEMAKE_STORAGE_S3_ENDPOINT_URL": s3}
    run = subprocess.run(
        [
            str(ROOT / ".venv-slurm/bin/python"),
            "-m",
            "snakemake",
            "--nocolor",
            "--shared-fs-usage",
            "none",
            "--default-storage-provider",
            "s3",
            "--default-storage-prefix",
            f"s3://{BUCKET}/quick",
        ],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stderr[-6000:]
    assert "Storing in storage: s3://lvebm/quick/results/data/horn.parquet" in run.stderr
    assert not list((project.path / "results").rglob("*.parquet"))  # nothing kept locally
    fetched = tmp_path / "fetched" / "results"
    got = helper("fetch", s3, BUCKET, "quick/results", str(fetched))
    assert got.returncode == 0, got.stderr[-3000:]
    diff = subprocess.run(
        [
            sys.executable,
            "-m",
            "lvebm.pipeline.manifest",
            "diff",
            str(finished_run.path / "results"),
            str(fetched),
            "--strict",
        ],
        capture_output=True,
        text=True,
    )
    assert diff.returncode == 0, diff.stdout[-4000:]
    # the run's provenance crate travelled with the artifacts: built on the submitting host's
    # copies and uploaded below the prefix, each file's checksum the fetched file's
    sums = crate_checksums(fetched)
    artifacts = [name for name in sums if not name.startswith(provenance.SNAPSHOT)]
    assert len(artifacts) > 50 and f"{provenance.SNAPSHOT}/Snakefile" in sums
    document = json.loads((fetched / provenance.METADATA).read_text())
    actions = [e for e in document["@graph"] if e["@type"] == "CreateAction"]
    assert len(actions) > 50 and all("startTime" in e for e in actions)
