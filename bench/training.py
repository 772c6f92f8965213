"""Benchmark of the training stage through Snakemake: the job time of every training job, read
from Snakemake's own benchmark files, with the jobs run one at a time (``--cores 1``) so that
they do not share the machine's two cores.

    .venv/bin/python bench/training.py            # prints a Markdown table for the README

Runs, in a scratch copy of the project: the default pipeline up to the samples, then the training
stage (six betas, both trainers, the scans and the evaluations of the trained decoder), three
times from scratch; reports each job's median. Target: the whole stage in at most 15 s of job
time (job time includes starting Python and importing numpy, pyarrow and, for the jobs that run
L-BFGS, scipy.optimize: about 0.5-0.9 s a job).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import tempfile
from pathlib import Path

from timing import SNAKEMAKE

from lvebm.pipeline.manifest import copy_project

ROOT = Path(__file__).resolve().parents[1]
RULES = [
    "train_decoder",
    "summarize_training",
    "training_scans",
    "trained_cross_section",
    "denoise",
    "training_maps",
]
TARGETS = [  # between them, every output of the training stage
    "results/training/summary.parquet",
    "results/training/learning_rates.parquet",
    "results/training/cross_section.parquet",
    "results/training/denoise.parquet",
    "results/training/maps.parquet",
]


def run(path: Path, *args: str) -> None:
    cmd = [
        *SNAKEMAKE,
        "--cores",
        "1",
        "--quiet",
        "all",
        *args,
    ]
    subprocess.run(cmd, cwd=path, check=True)


def job_times(path: Path) -> dict[str, float]:
    times = {}
    for rule in RULES:
        for tsv in sorted((path / "benchmarks" / rule).glob("*.tsv")):
            with tsv.open() as f:
                times[f"{rule}/{tsv.stem}"] = float(next(csv.DictReader(f, delimiter="\t"))["s"])
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = copy_project(ROOT, Path(tmp) / "project")
        run(path, "--", "results/data/samples.parquet")
        runs = []
        for _ in range(args.repeats):
            run(path, "--forcerun", *RULES, "--", *TARGETS)
            runs.append(job_times(path))
    jobs = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
    print(f"Training stage, jobs one at a time, medians of {args.repeats} runs\n")
    print("| job | job time |")
    print("|---|---|")
    for name, seconds in jobs.items():
        print(f"| `{name}` | {seconds:.2f} s |")
    totals = [sum(r.values()) for r in runs]
    print(f"| **total** (median of the runs' totals) | **{statistics.median(totals):.1f} s** |")


if __name__ == "__main__":
    main()
