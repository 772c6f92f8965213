"""Where a snakemake call with nothing to do spends its time: one dry run in this process, with
wall-clock timers around Snakemake's steps (reading the Snakefile and rule files, building the
job graph) and around the workflow's own checks inside them.

    .venv/bin/python bench/noop_steps.py [--repeats 5] [snakemake arguments...]

Run in a finished run's folder (this clone after ``./dev.sh pipeline``). Each repeat is a fresh
process; the table gives the medians in seconds. Snakemake is imported before the timers start,
so "import" is the import alone; "total" runs from the start of the process to its exit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

# what one child process runs: the timers, then Snakemake's command line
CHILD = r"""
import atexit, json, runpy, sys, time
start = time.perf_counter()
import snakemake.api  # noqa: F401  (Snakemake's own import order)
import snakemake.workflow as workflow
import lvebm.pipeline.config as config, lvebm.pipeline.jobgraph as jobgraph
import lvebm.pipeline.configfile as configfile
seconds = {"import snakemake": time.perf_counter() - start}

def timed(owner, name, label):
    function = getattr(owner, name)
    def wrapper(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - begin
    setattr(owner, name, wrapper)

timed(workflow.Workflow, "_build_dag", "job graph")
timed(configfile, "check_config_files", "  strict read of the config files")
timed(config, "check_schema", "  schema, numbers, sweeps")
timed(jobgraph, "check_artifacts", "  artifacts' checksums and contracts")
timed(jobgraph, "library", "  rules' library closures")
timed(jobgraph, "commit", "  git commit")
include = workflow.Workflow.include
def top_include(self, *args, **kwargs):  # the Snakefile's include, the rule files within it
    if self.included_stack:
        return include(self, *args, **kwargs)
    begin = time.perf_counter()
    try:
        return include(self, *args, **kwargs)
    finally:
        seconds["Snakefile and rule files"] = time.perf_counter() - begin
workflow.Workflow.include = top_include
atexit.register(
    lambda: print(json.dumps({**seconds, "total": time.perf_counter() - start}), file=sys.stderr)
)
sys.argv = ["snakemake", *sys.argv[1:]]
runpy.run_module("snakemake", run_name="__main__")
"""

ORDER = [
    "import snakemake",
    "Snakefile and rule files",
    "  strict read of the config files",
    "  schema, numbers, sweeps",
    "  artifacts' checksums and contracts",
    "  rules' library closures",
    "  git commit",
    "job graph",
    "total",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    opts, snakemake_args = parser.parse_known_args()
    runs = []
    for _ in range(opts.repeats):
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, "-n", "-q", *snakemake_args],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-2000:])
        runs.append(json.loads(proc.stderr.strip().splitlines()[-1]))
    print(f"| step of `snakemake -n` (median of {opts.repeats}) | seconds |")
    print("|---|---|")
    for step in ORDER:
        label = f"- {step.strip()}" if step.startswith("  ") else step
        print(f"| {label} | {statistics.median(run.get(step, 0.0) for run in runs):.3f} |")


if __name__ == "__main__":
    main()
