"""Shared fixtures: a deterministic Hypothesis profile and a disposable copy of the project."""

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
