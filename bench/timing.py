"""Helpers shared by the benchmark scripts: medians of repeated timings, the benchmark mesh, and
Snakemake's command line without the workflow's default profile (which would also build the
report)."""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np


def median_seconds(fn, repeats):
    """Median wall time of ``repeats`` calls of ``fn``."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def mesh(n1, n2):
    """The lecture's mesh box [-3, 3] x [-2, 2] with n1 x n2 points, as flat (y1, y2)."""
    y1, y2 = np.meshgrid(np.linspace(-3, 3, n1), np.linspace(-2, 2, n2))
    return y1.ravel(), y2.ravel()


# `snakemake` in this interpreter, without profiles/default
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--workflow-profile", "none"]


def run_pinned(script: str) -> None:
    """Re-run this process under the jobs' pinned kernels (``lvebm.pipeline.numerics``) unless it
    already is: call first thing in a benchmark's ``main``."""
    import os

    if os.environ.get("LVEBM_BENCH_PINNED") == "1":
        return
    from lvebm.pipeline.numerics import job_environment

    env = {**os.environ, **job_environment(True)[0], "LVEBM_BENCH_PINNED": "1"}
    os.execve(sys.executable, [sys.executable, script, *sys.argv[1:]], env)


def interleaved_table(rows: dict, repeats: int, command: str) -> None:
    """Time each of ``rows`` (name -> a callable) ``repeats`` times, the rows interleaved per
    repeat, and print a Markdown table of the medians and minima under the command, the date
    and the machine."""
    import os
    import platform
    from datetime import date

    times = {name: [] for name in rows}
    for _ in range(repeats):
        for name, work in rows.items():
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    print(
        f"`{command}`, {date.today()}, {platform.machine()} ({os.cpu_count()} cores), pinned "
        f"kernels; median of {repeats}:\n"
    )
    print("| work | median (s) | min (s) |")
    print("|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} |")
    total = sum(statistics.median(values) for values in times.values())
    print(f"| all of the above | {total:.3f} | |")
