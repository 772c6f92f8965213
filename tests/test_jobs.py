"""The scripts' entry points (lvebm.pipeline.jobs): a stage's script runs the function named as
the rule that started it, under any module prefix, with its stderr in the rule's log."""

import ast
import sys
from types import SimpleNamespace

import pytest
from support import ROOT, workflow_rules

from lvebm.pipeline.jobs import job_for, run_job


def infer(job):
    job.ran.append("infer")


def summarize_inference(job):
    job.ran.append("summarize_inference")


def trace(job):
    infer(job)
    print("iterates", file=sys.stderr)


JOBS = [infer, summarize_inference, trace]


@pytest.mark.parametrize(
    ("rule", "name"),
    [
        ("infer", "infer"),
        ("summarize_inference", "summarize_inference"),
        ("trace", "trace"),
        ("lvebm_infer", "infer"),  # use rule * from lvebm as lvebm_*
        ("host_lvebm_summarize_inference", "summarize_inference"),  # a longer prefix
    ],
)
def test_the_job_is_the_function_named_as_the_rule(rule, name):
    assert job_for(rule, JOBS).__name__ == name


def test_the_longest_name_wins_under_a_prefix():
    def shards(job): ...

    def gather_shards(job): ...

    assert job_for("lvebm_gather_shards", [shards, gather_shards]) is gather_shards
    assert job_for("gather_shards", [gather_shards, shards]) is gather_shards


def test_a_rule_without_a_job_names_the_scripts_jobs():
    with pytest.raises(
        LookupError, match=r"rule highlight_points has no job.*'infer', 'summarize_"
    ):
        job_for("highlight_points", JOBS)
    with pytest.raises(LookupError):
        job_for("xinfer", JOBS)  # a prefix ends with an underscore


def test_run_job_runs_the_rules_function_with_stderr_in_its_log(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stderr", sys.stderr)  # restored after the test
    log = tmp_path / "trace.log"
    job = SimpleNamespace(rule="lvebm_trace", log=[str(log)], ran=[])
    run_job(job, JOBS)
    sys.stderr.close()  # the log's stream, which a job keeps to its end
    assert job.ran == ["infer"]
    assert log.read_text() == "iterates\n"


def script_jobs(path):
    """The functions a stage script hands to run_job, by name."""
    tree = ast.parse(path.read_text())
    call = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "run_job"
    )
    return [element.id for element in call.args[1].elts]


def test_each_stage_script_holds_exactly_the_jobs_of_its_rules():
    """Every rule that runs a stage's script has its function there, every function has its rule
    and no job's name ends another's after an underscore, so a prefixed rule (a host workflow's
    ``use rule * from lvebm as lvebm_*``) finds exactly its own."""
    rules = workflow_rules(ROOT)
    scripts = {
        path.relative_to(ROOT).as_posix(): script_jobs(path)
        for path in sorted((ROOT / "workflow/scripts").glob("*.py"))
        if "run_job(" in path.read_text()
    }
    # one per stage file besides the figures, tables and sweeps, the provenance hook and the
    # sources' publishing (one script of its own, no stage)
    stages = {p.stem for p in (ROOT / "workflow/rules").glob("*.smk")}
    apart = {"common", "figures", "tables", "sweeps", "provenance", "sources"}
    assert len(scripts) == len(stages - apart)
    for script, jobs in scripts.items():
        runs = {name for name, rule in rules.items() if rule["script"] == script}
        assert {name for name in runs if name in jobs} == set(jobs), script
        for name in runs:
            assert job_for(name, [_named(job) for job in jobs]).__name__ in jobs, name
        for a in jobs:
            assert not any(b != a and b.endswith(f"_{a}") for b in jobs), (script, a)
        stage = script.removeprefix("workflow/scripts/").removesuffix(".py")
        assert (ROOT / f"workflow/rules/{stage}.smk").is_file(), script
        # Snakemake appends the scripts' folder to sys.path: a script named as a standard
        # module (platform.py) would be imported in its place wherever that folder comes first
        assert stage not in sys.stdlib_module_names, script


def _named(name):
    def job(snakemake): ...

    job.__name__ = name
    return job
