"""The whole pipeline from scratch, on the default and the quick config: wall time of the run and
with the report, total job time and the critical path, for this working tree and optionally a git
revision, measured side by side.

    .venv/bin/python bench/pipeline.py [--repeats 3] [--against REV] [--cores 2]
                                       [--configs default quick]

With ``--against``, also each rule's job time on both sides (the cost of a change stage by
stage: issue 37 measured the portable kernels against the pinned platform kernels this way).

Each run is a scratch copy of the project (``--against``: of ``git archive REV``) whose own
``src`` comes first on ``PYTHONPATH``, run with ``snakemake --workflow-profile none --cores N
all`` and then ``--report`` (as ``./dev.sh pipeline`` does), the variants alternating so that
the shared machine's load falls on both alike. Per run: the wall time of the run and of the
report, the sum of the jobs' times (``s`` in their benchmark files) and the critical path: the
longest chain of jobs by those times, the chain read from the run's log (a job follows the jobs
that wrote its inputs). The quick config is ``.test/config/config.yaml`` on top of the default
(as ``snakemake --directory .test`` reads it). Targets: the default config's whole pipeline,
sweep and report included, within 3 minutes on 2 cores (issue 25); the quick config's run within
30 s (issue 36).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lvebm.pipeline.manifest import copy_project

ROOT = Path(__file__).resolve().parents[1]
# config -> (its --configfile arguments, the target in seconds, the time the target is on)
CONFIGS = {
    "default": ([], 180.0, "total"),
    "quick": (["--configfile", ".test/config/config.yaml"], 30.0, "run"),
}


def jobs_from_log(log: str) -> dict[int, dict]:
    """jobid -> rule, inputs, outputs, benchmark, from Snakemake's job blocks."""
    jobs, current = {}, None
    for line in log.splitlines():
        if m := re.match(r"(?:local)?rule (\S+):$", line):
            current = {"rule": m.group(1), "input": [], "output": [], "benchmark": None}
        elif current is not None and (m := re.match(r"    (\w+): (.*)$", line)):
            key, value = m.groups()
            if key in ("input", "output"):
                current[key] = [v.strip() for v in value.split(",")]
            elif key == "benchmark":
                current["benchmark"] = value.strip()
            elif key == "jobid":
                jobs[int(value)] = current
    return jobs


def critical_path(
    jobs: dict[int, dict], project: Path
) -> tuple[float, list[str], float, dict[str, float]]:
    """The longest chain's seconds and rules, the sum of every job's seconds, and that sum per
    rule."""
    seconds = {}
    for jobid, job in jobs.items():
        seconds[jobid] = 0.0
        if job["benchmark"] and (project / job["benchmark"]).exists():
            with (project / job["benchmark"]).open() as f:
                seconds[jobid] = float(next(csv.DictReader(f, delimiter="\t"))["s"])
    writer = {path: jobid for jobid, job in jobs.items() for path in job["output"]}
    memo: dict[int, tuple[float, list[str]]] = {}

    def longest(jobid: int) -> tuple[float, list[str]]:
        if jobid not in memo:
            before = {writer[p] for p in jobs[jobid]["input"] if p in writer} - {jobid}
            best = max((longest(b) for b in before), default=(0.0, []))
            memo[jobid] = (best[0] + seconds[jobid], [*best[1], jobs[jobid]["rule"]])
        return memo[jobid]

    total, chain = max((longest(j) for j in jobs), default=(0.0, []))
    by_rule: dict[str, float] = {}
    for jobid, job in jobs.items():
        by_rule[job["rule"]] = by_rule.get(job["rule"], 0.0) + seconds[jobid]
    return total, chain, sum(seconds.values()), by_rule


def run(source: Path, cores: int, config: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="lvebm-bench-") as scratch:
        project = copy_project(source, Path(scratch) / "project")
        if not (project / ".test").exists():  # copy_project leaves hidden folders out
            shutil.copytree(source / ".test", project / ".test")
        env = {**os.environ, "PYTHONPATH": str(project / "src")}
        snakemake = [sys.executable, "-m", "snakemake", "--workflow-profile", "none"]
        snakemake += CONFIGS[config][0]
        start = time.perf_counter()
        proc = subprocess.run(
            [*snakemake, "--cores", str(cores), "all"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        ran = time.perf_counter() - start
        if proc.returncode:
            sys.exit(f"the pipeline failed in {project}:\n{proc.stderr[-3000:]}")
        subprocess.run(
            [*snakemake, "--cores", "1", "--report", "results/report.html", "all"],
            cwd=project,
            env=env,
            check=True,
            capture_output=True,
        )
        total = time.perf_counter() - start
        jobs = jobs_from_log(proc.stderr + proc.stdout)
        path, chain, job_sum, by_rule = critical_path(jobs, project)
        return {
            "total": total,
            "run": ran,
            "report": total - ran,
            "jobs": len(jobs),
            "job_sum": job_sum,
            "path": path,
            "chain": chain,
            "by_rule": by_rule,
        }


def stage_table(runs: dict, config: str, against: str) -> None:
    """Each rule's job time (summed over its jobs; median over the runs), side by side."""
    ours, theirs = runs["working tree", config], runs[against, config]
    rules = sorted({r for run_ in ours + theirs for r in run_["by_rule"]})

    def median(rs, rule):
        return statistics.median(r["by_rule"].get(rule, 0.0) for r in rs)

    rows = sorted(((median(theirs, r), median(ours, r), r) for r in rules), reverse=True)
    print(f"\n{config} config, job time per rule (s, median): working tree against {against}\n")
    print(f"| rule | {against} | working tree | ratio |")
    print("|---|---|---|---|")
    for base, new, rule in rows:
        ratio = f"{new / base:.2f}" if base > 0 else "-"
        print(f"| `{rule}` | {base:.2f} | {new:.2f} | {ratio} |")


def archive(rev: str, dest: Path) -> Path:
    dest.mkdir(parents=True)
    tar = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar.stdout, check=True)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="a git revision to measure beside")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lvebm-rev-") as tmp:
        sources = {"working tree": ROOT}
        if args.against:
            sources[args.against] = archive(args.against, Path(tmp) / "rev")
        variants = [(name, config) for config in args.configs for name in sources]
        runs: dict[tuple[str, str], list[dict]] = {v: [] for v in variants}
        for _ in range(args.repeats):
            for name, config in variants:
                runs[name, config].append(run(sources[name], args.cores, config))
                r = runs[name, config][-1]
                print(f"{name}, {config}: {r['run']:.1f} s ({r['jobs']} jobs)", file=sys.stderr)
    print(
        f"{args.cores} cores, {time.strftime('%Y-%m-%d')}, {args.repeats} runs per variant "
        "alternating; medians\n"
    )
    print("| variant | run | runs | with the report | job time | critical path |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for (name, config), rs in runs.items():
        keys = ("total", "run", "job_sum", "path")
        med = {k: statistics.median(r[k] for r in rs) for k in keys}
        medians[name, config] = med
        times = ", ".join(f"{r['run']:.1f}" for r in rs)
        print(
            f"| {name}, {config} config ({rs[0]['jobs']} jobs) | {med['run']:.1f} s | {times} s "
            f"| {med['total']:.0f} s | {med['job_sum']:.0f} s | {med['path']:.1f} s |"
        )
    if args.against:
        for config in args.configs:
            stage_table(runs, config, args.against)
    for config in args.configs:
        if args.against:
            ratio = (
                medians["working tree", config]["total"] / medians[args.against, config]["total"]
            )
            print(f"\n{config} config, working tree / {args.against}: {ratio:.2f}")
        _, target, on = CONFIGS[config]
        ours = runs["working tree", config]
        longest = max(ours, key=lambda r: r["path"])
        print(f"\n{config} config, the longest critical path: {' -> '.join(longest['chain'])}")
        met = sum(r[on] <= target for r in ours)
        what = "the run" if on == "run" else "the run and the report"
        print(f"{config} config, {what} within {target:.0f} s: {met} of {len(ours)} runs")


if __name__ == "__main__":
    main()
