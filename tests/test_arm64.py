"""The same bytes on aarch64: the quick config run by an aarch64 Python under qemu-user
(`./dev.sh arm64`: Debian 12's arm64 python3.11 and the lock's aarch64 wheels) reproduces the
x86-64 run of it artifact for artifact, figures and the label-free encoder included.

It takes about 12 minutes on 2 cores (the set-up 1 minute the first time, the emulated run 11),
the x86-64 run 30 s."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess

import pytest
from support import ROOT, copy_project

from lvebm.pipeline.manifest import main as manifest_main

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]

QUICK = ["--directory", ".test", "--workflow-profile", "none", "--cores", "2", "--nocolor"]


def _why_not() -> str | None:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return f"the emulated side is aarch64 on an x86-64 host; this is {platform.machine()}"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "installing qemu-user-static needs root and apt-get (Debian)"
    return None


@pytest.fixture(scope="module")
def arm64_ready():
    why = _why_not()
    if why:
        pytest.skip(why)
    setup = subprocess.run(
        [str(ROOT / "dev.sh"), "arm64-setup"], capture_output=True, text=True, timeout=1200
    )
    if setup.returncode != 0:
        pytest.skip(f"./dev.sh arm64-setup could not set up qemu-user: {setup.stderr[-2000:]}")
    probe = subprocess.run(
        [
            str(ROOT / "dev.sh"),
            "arm64",
            "python",
            "-c",
            "import platform; print(platform.machine())",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probe.stdout.strip() == "aarch64", probe.stderr[-2000:]


def test_the_quick_config_on_aarch64_reproduces_the_x86_64_run_byte_for_byte(tmp_path, arm64_ready):
    x86, arm = copy_project(tmp_path / "x86"), copy_project(tmp_path / "arm64")
    for project in (x86, arm):
        shutil.copytree(ROOT / ".test" / "config", project.path / ".test" / "config")
    x86.snakemake("--directory", ".test", timeout=900)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    # this project's dev.sh, in the copy: the aarch64 python runs the copy's Snakefile with
    # this project's src (the copy's own) on its path
    run = subprocess.run(
        [str(ROOT / "dev.sh"), "arm64", "python", "-m", "snakemake", *QUICK],
        cwd=arm.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    record = (arm.path / ".test/results/platform.parquet").read_bytes()
    assert b"aarch64" in record and b"portable" in record
    manifest = tmp_path / "x86.json"
    results, config = (str(x86.path / ".test" / p) for p in ("results", "config/config.yaml"))
    assert (
        manifest_main(["write", "--results", results, "--config", config, "-o", str(manifest)]) == 0
    )
    other = str(arm.path / ".test/results")
    compare = ["compare", str(manifest), "--results", other, "--config", config, "--strict"]
    assert manifest_main(compare) == 0
