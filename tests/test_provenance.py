"""The run's provenance crate (lvebm.pipeline.provenance): results/ro-crate-metadata.json, a
Workflow Run RO-Crate in the Provenance Run Crate profile, validated offline with roc-validator."""

import hashlib
import json
from datetime import datetime

import pytest
from rocrate.rocrate import ROCrate
from rocrate_offline import validate, warm_cache
from support import write_manifest

from lvebm.pipeline import provenance
from lvebm.pipeline.provenance import SNAPSHOT, JobRecord, crate, files


def graph(document: dict) -> dict[str, dict]:
    return {entity["@id"]: entity for entity in document["@graph"]}


def listed(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def finished_crate(finished_run):
    """The crate of the session's finished run (small config), as its onsuccess hook wrote it."""
    path = finished_run.path / "results" / provenance.METADATA
    return finished_run, json.loads(path.read_text())


@pytest.mark.pipeline
def test_the_crate_of_a_run_validates_offline_with_no_required_issue(finished_crate, tmp_path):
    proj, _ = finished_crate
    report = validate(proj.path / "results", warm_cache(tmp_path / "http"))
    issues = [(i["check"]["identifier"], i["message"]) for i in report["issues"]]
    assert report["passed"], issues[:10]
    assert report["validation_settings"]["requirement_severity"] == "REQUIRED"
    assert issues == []


@pytest.mark.pipeline
def test_every_artifacts_checksum_in_the_crate_is_the_manifests(finished_crate, tmp_path):
    proj, document = finished_crate
    artifacts = write_manifest(proj, tmp_path / "manifest.json")
    in_crate = {entity["@id"]: entity for entity in files(document)}
    assert len(artifacts) > 100
    for name, entry in artifacts.items():
        assert in_crate[name.removeprefix("results/")]["sha256"] == entry["sha256"], name


@pytest.mark.pipeline
def test_one_action_per_job_with_its_rule_params_inputs_outputs_and_times(finished_crate):
    proj, document = finished_crate
    g = graph(document)
    jobs = [e for e in g.values() if e["@type"] == "CreateAction" and e["@id"] != "#run"]
    planned = proj.planned_jobs("--forceall")
    assert len(jobs) == sum(n for rule, n in planned.items() if rule != "all")
    per_rule = {}
    for job in jobs:
        per_rule.setdefault(g[job["instrument"]["@id"]]["name"], []).append(job)
    assert {rule: len(js) for rule, js in per_rule.items()} == {
        f"rule {rule}": n for rule, n in planned.items() if rule != "all"
    }
    (horn,) = per_rule["rule sample_horn"]
    objects = {g[ref["@id"]]["name"]: g[ref["@id"]] for ref in horn["object"]}
    assert json.loads(objects["n"]["value"]) == proj.config()["data"]["horn"]["n"]
    assert json.loads(objects["sampler"]["value"])["seed"] == proj.config()["seed"]
    assert {"platform.parquet", "data.py"} <= set(objects)
    assert [r["@id"] for r in listed(horn["result"])] == ["data/horn.parquet"]
    start, end = (datetime.fromisoformat(horn[k]) for k in ("startTime", "endTime"))
    assert start <= end
    # each job is orchestrated by Snakemake through a ControlAction on its rule's step
    organize = g["#orchestration"]
    controls = [g[ref["@id"]] for ref in organize["object"]]
    assert sorted(c["object"]["@id"] for c in controls) == sorted(j["@id"] for j in jobs)
    assert organize["result"]["@id"] == "#run"
    assert g[organize["instrument"]["@id"]]["name"] == "Snakemake"


@pytest.mark.pipeline
def test_the_crate_holds_the_workflow_as_it_ran_and_rocrate_reads_it(finished_crate):
    proj, document = finished_crate
    g = graph(document)
    root = g["./"]
    main = g[root["mainEntity"]["@id"]]
    assert main["@id"] == f"{SNAPSHOT}/Snakefile"
    assert {"File", "SoftwareSourceCode", "ComputationalWorkflow"} <= set(main["@type"])
    snakefile = proj.path / "results" / main["@id"]
    assert snakefile.read_bytes() == (proj.path / "Snakefile").read_bytes()
    run = g["#run"]
    assert {ref["@id"] for ref in listed(run["object"])} == {
        "report/config.yaml",
        "platform.parquet",
    }
    read = ROCrate(proj.path / "results")
    assert read.mainEntity.id == main["@id"]
    assert len(list(read.data_entities)) == len(list(files(document)))


@pytest.mark.pipeline
def test_the_landing_page_links_the_crate(finished_run):
    page = (finished_run.path / "results/report/workflow.rst").read_text()
    assert "`results/ro-crate-metadata.json <ro-crate-metadata.json>`_" in page


def test_a_crate_from_records_names_each_jobs_files_and_leaves_out_missing_ones(
    tmp_path, monkeypatch
):
    """crate() alone: files below results/ and the snapshot are entities with their checksums;
    a deleted temporary file is left out; params keep their names and values."""
    monkeypatch.chdir(tmp_path)
    clone = tmp_path / "clone"
    (clone / "workflow/scripts").mkdir(parents=True)
    (clone / "Snakefile").write_text("rule a:\n")
    (clone / "workflow/scripts/a.py").write_text("pass\n")
    results = tmp_path / "results"
    (results / "data").mkdir(parents=True)
    (results / "data/a.parquet").write_bytes(b"PAR1")
    (results / "platform.parquet").write_bytes(b"PAR1x")
    provenance.snapshot(clone, results)
    job = JobRecord(
        rule="a",
        wildcards={"point": ""},
        inputs={"script": [str(clone / "workflow/scripts/a.py")], "shard": ["results/gone.tmp"]},
        outputs={"output_0": ["results/data/a.parquet"]},
        params={"n": 3, "box": {"y1": [-1.0, 1.0]}},
        start=1_700_000_000.0,
        end=1_700_000_001.5,
    )
    document = crate(
        [job],
        results,
        clone,
        config="results/platform.parquet",
        platform="results/platform.parquet",
        engine_version="9",
        version="0.3.0",
        commit="abc",
    )
    g = graph(document)
    action = g["#job/0"]
    assert [r["@id"] for r in action["object"] if not r["@id"].startswith("#")] == [
        f"{SNAPSHOT}/workflow/scripts/a.py"
    ]
    assert g["#job/0/param/box"]["value"] == '{"y1": [-1.0, 1.0]}'
    assert action["result"]["@id"] == "data/a.parquet"
    assert g["data/a.parquet"]["sha256"] == hashlib.sha256(b"PAR1").hexdigest()
    assert action["startTime"] == "2023-11-14T22:13:20.000+00:00"
    assert action["endTime"] == "2023-11-14T22:13:21.500+00:00"
    assert "gone.tmp" not in json.dumps(document)
    assert g[f"{SNAPSHOT}/Snakefile"]["programmingLanguage"]["@id"].endswith("#snakemake")
    path = provenance.write(document, results)
    assert json.loads(path.read_text()) == document
    assert not list(results.glob("*.partial"))
