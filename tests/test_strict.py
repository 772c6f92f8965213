"""Strict mode (config strict, lvebm.pipeline.strict): each artifact checked against a manifest
as its job ends; the run stops at the first job whose artifact differs, naming it."""

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from snakemake.iocontainers import Wildcards
from support import write_manifest

from lvebm.pipeline import manifest
from lvebm.pipeline.io import file_sha256
from lvebm.pipeline.strict import (
    ManifestChecksum,
    StrictMismatch,
    StrictModeError,
    expected_checksums,
    output_wrapper,
)

PARAMS = "results/{point}conditional/params.parquet"  # class converged: rtol 1e-6


def write_params(path: Path, values: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"name": ["a", "b", "c"], "value": values}), path)


def manifest_of(root: Path, names: list[str]) -> Path:
    """A manifest (format 5) of the named files below ``root``, as lvebm-manifest writes it."""
    out = root / "manifest.json"
    artifacts = {name: manifest.digest(root / name, name) for name in names}
    out.write_text(json.dumps({"format": "lvebm-manifest", "version": 5, "artifacts": artifacts}))
    return out


def wildcards(**values) -> Wildcards:
    return Wildcards(fromdict=values)


@pytest.fixture
def listed(tmp_path, monkeypatch):
    """A results/ folder with one converged-class table in a manifest; the checker of it."""
    monkeypatch.chdir(tmp_path)
    values = np.array([1.0, 2.0, 3.0])
    name = PARAMS.format(point="")
    write_params(tmp_path / name, values)
    path = manifest_of(tmp_path, [name])
    check = ManifestChecksum(PARAMS, expected_checksums(path), path)
    return tmp_path / name, values, check


def test_an_equal_artifact_passes_with_the_manifests_checksum(listed):
    target, _, check = listed
    assert check(wildcards(point="")) == file_sha256(target)


def test_a_difference_within_its_class_names_both_checksums_and_the_tolerating_class(listed):
    target, values, check = listed
    expected = file_sha256(target)
    write_params(target, np.nextafter(values, np.inf))  # one ulp: converged tolerates it
    with pytest.raises(StrictMismatch) as err:
        check(wildcards(point=""))
    message = str(err.value)
    assert "strict mode: results/conditional/params.parquet differs" in message
    assert expected in message and file_sha256(target) in message
    assert "value (converged)" in message
    assert "without --strict would accept it" in message


def test_a_difference_beyond_every_class_says_none_tolerates_it(listed):
    target, values, check = listed
    write_params(target, values * 1.01)
    with pytest.raises(StrictMismatch, match="No class tolerates it: column value"):
        check(wildcards(point=""))


def test_a_figure_is_compared_by_its_bytes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "results/figures/fig01_horn.png"
    figure = tmp_path / name
    figure.parent.mkdir(parents=True)
    figure.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    path = manifest_of(tmp_path, [name])
    figure.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(31) + b"\x01")
    check = ManifestChecksum("results/figures/fig{n}.png", expected_checksums(path), path)
    with pytest.raises(StrictMismatch, match="No class tolerates it: a figure's bytes"):
        check(wildcards(n="01_horn"))


def test_an_artifact_the_manifest_does_not_list_is_not_checked(listed):
    *_, check = listed
    point = "sweeps/decoder/w1~1.0/"
    write_params(Path(PARAMS.format(point=point)), np.array([9.0, 9.0, 9.0]))
    assert check(wildcards(point=point)) == file_sha256(Path(PARAMS.format(point=point)))


def test_strict_mode_off_leaves_the_patterns_as_they_are(tmp_path):
    wrap = output_wrapper({"enabled": False, "manifest": None}, tmp_path / "none.json")
    assert wrap(PARAMS) == PARAMS and not getattr(wrap(PARAMS), "flags", {})


def test_strict_mode_on_wraps_each_pattern_in_ensure(listed, tmp_path):
    wrapped = output_wrapper({"enabled": True}, tmp_path / "manifest.json")(PARAMS)
    assert wrapped == PARAMS
    assert isinstance(wrapped.flags["ensure"]["checksum"], ManifestChecksum)
    assert wrapped.flags["ensure"]["checksum_algorithm"] == "sha256"


def test_a_missing_manifest_names_the_key_and_the_file(tmp_path):
    with pytest.raises(StrictModeError, match=r"strict.manifest: no manifest at .*nowhere.json"):
        expected_checksums(tmp_path / "nowhere.json")
    (tmp_path / "other.json").write_text('{"format": "something"}')
    with pytest.raises(StrictModeError, match="is not an lvebm manifest"):
        expected_checksums(tmp_path / "other.json")


def test_the_committed_manifest_lists_every_artifacts_bytes():
    """Strict mode's default manifest checks every artifact of the default run."""
    committed = Path(__file__).parents[1] / "reproducibility/manifest.json"
    document = json.loads(committed.read_text())
    assert document["version"] == manifest.VERSION
    assert set(expected_checksums(committed)) == set(document["artifacts"])


def strict_config(path: Path) -> str:
    return f"strict={{enabled: true, manifest: {path}}}"


def test_a_strict_run_stops_at_the_job_whose_artifact_differs(finished_copy, tmp_path):
    """A config change that alters one artifact: the job that wrote it fails, naming it, its
    checksum and the manifest's; its output is removed and no job after it runs."""
    proj = finished_copy
    written = tmp_path / "manifest.json"
    artifacts = write_manifest(proj, written)
    horn = proj.path / "results/data/horn.parquet"
    expected = file_sha256(horn)
    assert artifacts["results/data/horn.parquet"]["sha256"] == expected
    # strict mode on with nothing changed: no artifact to redo (the report's page of the run's
    # config shows the switch), and a forced rerun reproduces
    assert set(proj.planned_jobs("--config", strict_config(written))) == {
        "run_config",
        "landing_page",
    }
    proj.snakemake(
        "--config", strict_config(written), "-R", "sample_horn", "--until", "sample_horn"
    )
    assert file_sha256(horn) == expected
    n = proj.config()["data"]["horn"]["n"]
    run = proj.snakemake(
        "--config", strict_config(written), f"data={{horn: {{n: {n + 1}}}}}", check=False
    )
    log = run.stdout + run.stderr
    assert run.returncode != 0
    assert "Error in rule sample_horn" in log
    assert "strict mode: results/data/horn.parquet differs from the manifest" in log
    assert expected in log
    assert "No class tolerates it: rows" in log
    assert not horn.exists()
    assert "figure_01_horn" not in log.split("Error in rule sample_horn")[1]


def test_strict_mode_with_a_storage_provider_stops_saying_why(listed, tmp_path):
    with pytest.raises(StrictModeError, match="with the default storage provider s3 they are in"):
        output_wrapper({"enabled": True}, tmp_path / "manifest.json", "s3")
    assert output_wrapper({"enabled": False}, tmp_path / "manifest.json", "s3") is str
