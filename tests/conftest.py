"""Shared fixtures: a deterministic Hypothesis profile and a disposable copy of the project."""

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from support import SMALL_CONFIG_OVERRIDES, Project, copy_project

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


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One completed run of the small config, shared read-only by the tests that inspect it."""
    proj = copy_project(tmp_path_factory.mktemp("finished") / "project")
    proj.update_config(SMALL_CONFIG_OVERRIDES)
    proj.snakemake()
    return proj


@pytest.fixture
def finished_copy(finished_run: Project, tmp_path: Path) -> Project:
    """A copy of the finished run (results, checksums, logs and Snakemake's metadata, with their
    modification times), up to date, for a test that changes something and looks at what reruns:
    the run is made once per session, not once per such test."""
    proj = Project(tmp_path / "project")
    shutil.copytree(finished_run.path, proj.path, symlinks=True)
    assert proj.planned_jobs() == {}, "the copy of the finished run is not up to date"
    return proj
