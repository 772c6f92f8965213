"""Shared fixtures: a deterministic Hypothesis profile and a disposable copy of the project."""

import fcntl
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from support import PLAIN, SMALL_CONFIG_OVERRIDES, Project, copy_project

settings.register_profile(
    "deterministic",
    derandomize=True,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("deterministic")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh copy of the project with the small test config."""
    proj = copy_project(tmp_path / "project")
    proj.update_config(SMALL_CONFIG_OVERRIDES)
    return proj


@contextmanager
def exclusive(lock: Path):
    """Hold an exclusive lock on the file ``lock`` (created if missing) for the block."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One completed run of the small config for the whole session, shared read-only by every
    test that inspects a finished run, on every xdist worker (the first to ask makes it, under a
    lock; the others wait for it). It is made the way a user runs the pipeline: plain
    `snakemake` (the default profile) with the report flags `./dev.sh pipeline` adds, so it is
    also the run whose report the report tests open."""
    base = tmp_path_factory.getbasetemp()
    # an xdist worker's base is a folder of the session's base, which all workers share
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    proj = Project(shared / "finished" / "project")
    done = shared / "finished" / "done"
    with exclusive(shared / "finished.lock"):
        if not done.exists():
            shutil.rmtree(proj.path.parent, ignore_errors=True)
            copy_project(proj.path).update_config(SMALL_CONFIG_OVERRIDES)
            proc = subprocess.run(
                [*PLAIN, "--report", "results/report.html", "--report-after-run"],
                cwd=proj.path,
                capture_output=True,
                text=True,
                timeout=900,
                env={**os.environ, "PYTHONHASHSEED": "0"},
            )
            assert proc.returncode == 0, f"{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
            assert "Using workflow specific profile" in proc.stderr + proc.stdout
            done.touch()
    return proj


def copy_of(run: Project, dest: Path) -> Project:
    """A copy of a finished run (results, checksums, logs and Snakemake's metadata, with their
    modification times), checked to be up to date."""
    proj = Project(dest)
    shutil.copytree(run.path, proj.path, symlinks=True)
    assert proj.planned_jobs() == {}, "the copy of the finished run is not up to date"
    return proj


@pytest.fixture
def finished_copy(finished_run: Project, tmp_path: Path) -> Project:
    """A copy of the finished run, for a test that changes something and looks at what reruns:
    the run is made once per session, not once per such test."""
    return copy_of(finished_run, tmp_path / "project")


@pytest.fixture(scope="module")
def finished_module_copy(finished_run: Project, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the finished run shared by one test module, whose tests each leave it as they
    found it (the rerun matrix, the catalogue of bad inputs)."""
    return copy_of(finished_run, tmp_path_factory.mktemp("finished") / "project")
