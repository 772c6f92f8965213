"""The whole default pipeline from scratch: wall time with the report, total job time and the
critical path, for this working tree and optionally a git revision, measured side by side.

    .venv/bin/python bench/pipeline.py [--repeats 3] [--against REV] [--cores 2]

Each run is a scratch copy of the project (``--against``: of ``git archive REV``) whose own
``src`` comes first on ``PYTHONPATH``, run with ``snakemake --workflow-profile none --cores N
all`` and then ``--report`` (as ``./dev.sh pipeline`` does), the variants alternating so that
the shared machine's load falls on both alike. Per run: the wall time of the run and of the
report, the sum of the jobs' times (``s`` in their benchmark files) and the critical path: the
longest chain of jobs by those times, the chain read from the run's log (a job follows the jobs
that wrote its inputs). Target (issue 25): the whole pipeline, sweep included, within 3 minutes
on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lvebm.pipeline.manifest import copy_project

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 180.0


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


def critical_path(jobs: dict[int, dict], project: Path) -> tuple[float, list[str], float]:
    """The longest chain's seconds and rules, and the sum of every job's seconds."""
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
    return total, chain, sum(seconds.values())


def run(source: Path, cores: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="lvebm-bench-") as scratch:
        project = copy_project(source, Path(scratch) / "project")
        env = {**os.environ, "PYTHONPATH": str(project / "src")}
        snakemake = [sys.executable, "-m", "snakemake", "--workflow-profile", "none"]
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
        path, chain, job_sum = critical_path(jobs, project)
        return {
            "total": total,
            "run": ran,
            "report": total - ran,
            "jobs": len(jobs),
            "job_sum": job_sum,
            "path": path,
            "chain": chain,
        }


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lvebm-rev-") as tmp:
        variants = {"working tree": ROOT}
        if args.against:
            variants[args.against] = archive(args.against, Path(tmp) / "rev")
        runs: dict[str, list[dict]] = {name: [] for name in variants}
        for _ in range(args.repeats):
            for name, source in variants.items():
                runs[name].append(run(source, args.cores))
                r = runs[name][-1]
                print(f"{name}: {r['total']:.1f} s ({r['jobs']} jobs)", file=sys.stderr)
    print(
        f"{args.cores} cores, {time.strftime('%Y-%m-%d')}, {args.repeats} runs per variant "
        "alternating; medians\n"
    )
    print("| variant | with the report | runs | report | job time | critical path |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for name, rs in runs.items():
        keys = ("total", "report", "job_sum", "path")
        med = {k: statistics.median(r[k] for r in rs) for k in keys}
        medians[name] = med["total"]
        times = ", ".join(f"{r['total']:.0f}" for r in rs)
        print(
            f"| {name} ({rs[0]['jobs']} jobs) | {med['total']:.0f} s | {times} s "
            f"| {med['report']:.0f} s | {med['job_sum']:.0f} s | {med['path']:.1f} s |"
        )
    if args.against:
        ratio = medians["working tree"] / medians[args.against]
        print(f"\nworking tree / {args.against}: {ratio:.2f}")
    longest = max(runs["working tree"], key=lambda r: r["path"])
    print(f"\nthe working tree's longest critical path: {' -> '.join(longest['chain'])}")
    met = sum(r["total"] <= TARGET_SECONDS for r in runs["working tree"])
    print(f"within {TARGET_SECONDS:.0f} s: {met} of {len(runs['working tree'])} runs")


if __name__ == "__main__":
    main()
