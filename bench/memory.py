"""Peak memory of the library's public optimizer entry, ``lvebm.minimize``, on 10^7 points, and
of the inference summary on fourteen tables of 10^6 points.

    .venv/bin/python bench/memory.py [--points 1e7] [--summary-points 1e6]   # Markdown tables

Each method runs in a fresh Python process with its default options (no trace: traces are
opt-in), on points drawn uniformly from the lecture's mesh rectangle [-3, 3] x [-2, 2]. The table
gives the process's peak resident memory (``ru_maxrss``, the interpreter, numpy and the inputs
included), the inputs' own size and the wall time. Target: under 1 GiB for every method. The
points are optimised in blocks of ``lvebm.optimize.BLOCK``, so only the inputs and the results
grow with their number.

The summary (rule ``summarize_inference``) reads its fourteen inference tables (seven optimizers
on the samples and on the mesh) one at a time and only the five columns it scores; the second
table compares its peak with reading every table whole at once (what the job did before), both
on Parquet files written by ``lvebm.pipeline.io`` with the inference contract. Target: 10^6 mesh
points in at most 500 MB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from lvebm.optimize import OPTIMIZERS
from lvebm.pipeline.contracts import contract
from lvebm.pipeline.io import write_parquet

CHILD = """
import resource, sys, time
import numpy as np
from lvebm import Decoder, minimize
n, method = int(float(sys.argv[1])), sys.argv[2]
rng = np.random.default_rng(0)
y1, y2 = rng.uniform(-3, 3, n), rng.uniform(-2, 2, n)
start = time.perf_counter()
result = minimize(Decoder(-1.45, 0.36), y1, y2, method=method)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{peak:.0f} {seconds:.1f} {result.converged.mean():.4f}")
"""


SUMMARY_CHILD = """
import resource, sys
from lvebm.inference import SCORE_COLUMNS, summarize
from lvebm.pipeline.io import read_artifact
streamed, paths = sys.argv[1] == "streamed", sys.argv[2:]
runs = [("mesh", str(k)) for k in range(len(paths))]
if streamed:  # as workflow/scripts/inference.py (rule summarize_inference)
    tables = ((run, read_artifact(p, columns=list(SCORE_COLUMNS))) for run, p in zip(runs, paths))
else:  # every table, every column, at once
    tables = list(zip(runs, [read_artifact(p) for p in paths]))
rows = summarize(tables)["n_points"].sum()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rows)
"""


def inference_table(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A table of ``n`` points with the inference contract's columns and types."""
    kinds = contract("results/inference/mesh/lbfgs.parquet")
    make = {
        "int64": lambda: rng.integers(0, 500, n),
        "double": lambda: rng.random(n),
        "bool": lambda: rng.random(n) < 0.9,
    }
    return {name: make[kind]() for name, kind in kinds.items()}


def summary_table(n: int) -> None:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k in range(2 * len(OPTIMIZERS)):
            path = Path(tmp) / "results/inference/mesh" / f"{k}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            write_parquet(path, inference_table(n, rng))
            paths.append(str(path))
        size = sum(Path(p).stat().st_size for p in paths) / 2**20
        print(
            f"| summary of {len(paths)} tables of {n:.0e} points ({size:.0f} MiB of Parquet) "
            "| peak memory (MiB) |"
        )
        print("|---|---|")
        for mode, label in (
            ("streamed", "streamed, five columns (the job)"),
            ("whole", "every table whole, at once (before)"),
        ):
            out = subprocess.run(
                [sys.executable, "-c", SUMMARY_CHILD, mode, *paths],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            assert int(out[1]) == n * len(paths)
            print(f"| {label} | {float(out[0]):.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=float, default=1e7)
    parser.add_argument("--summary-points", type=float, default=1e6)
    args = parser.parse_args()
    n = int(args.points)
    print(f"| method ({n:.0e} points) | peak memory (MiB) | inputs (MiB) | time (s) | converged |")
    print("|---|---|---|---|---|")
    for method in OPTIMIZERS:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), method],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        peak, seconds, converged = float(out[0]), float(out[1]), float(out[2])
        print(
            f"| {method} | {peak:.0f} | {2 * n * 8 / 2**20:.0f} | {seconds:.1f} | {converged:.2%} |"
        )
    print()
    summary_table(int(args.summary_points))


if __name__ == "__main__":
    main()
