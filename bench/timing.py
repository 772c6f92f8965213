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
