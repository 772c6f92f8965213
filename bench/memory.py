"""Peak memory of the library's public optimizer entry, ``lvebm.minimize``, on 10^7 points.

    .venv/bin/python bench/memory.py [--points 1e7]     # prints a Markdown table for the README

Each method runs in a fresh Python process with its default options (no trace: traces are
opt-in), on points drawn uniformly from the lecture's mesh rectangle [-3, 3] x [-2, 2]. The table
gives the process's peak resident memory (``ru_maxrss``, the interpreter, numpy and the inputs
included), the inputs' own size and the wall time. Target: under 1 GiB for every method. The
points are optimised in blocks of ``lvebm.optimize.BLOCK``, so only the inputs and the results
grow with their number.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from lvebm.optimize import OPTIMIZERS

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=float, default=1e7)
    n = int(parser.parse_args().points)
    print(f"| method ({n:.0e} points) | peak memory (MiB) | inputs (MiB) | time (s) | converged |")
    print("|---|---|---|---|---|")
    for method in OPTIMIZERS:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), method],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        peak, seconds, converged = float(out[0]), float(out[1]), float(out[2])
        print(
            f"| {method} | {peak:.0f} | {2 * n * 8 / 2**20:.0f} | {seconds:.1f} | {converged:.2%} |"
        )


if __name__ == "__main__":
    main()
