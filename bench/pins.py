"""What the pinned kernels cost: the F_beta, inference and training kernels timed with the pins on
and off, side by side in one run.

    .venv/bin/python bench/pins.py [--repeats 5]     # prints a Markdown table (bench/README.md)

Each row runs in a fresh process per mode (the kernels are chosen when NumPy and OpenBLAS load),
the two modes alternating, ``--repeats`` times; the table gives the medians and their ratio. The
pinned environment is the workflow's own, ``lvebm.pipeline.numerics.pinned_environment()``;
unpinned, the process keeps whatever this CPU offers (and OpenBLAS's default threads). One
thread in the library everywhere (``workers=1``), as the jobs run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import date

from lvebm.pipeline.numerics import kernels, pinned_environment

# random points of the mesh's box and the lecture's decoder, for the cases that take points
POINTS = """
import numpy as np
import lvebm
from lvebm.relaxed import free_energy_relaxed
rng = np.random.default_rng(0); y1, y2 = rng.uniform(-3, 3, (2, N)); d = lvebm.Decoder(-1.45, 0.36)
"""

# name, points, the code that sets up (defines `run`), timed as run()
CASES = [
    (
        "F_beta on the 48-point grid, beta = 1",
        1_000_000,
        POINTS + "def run(): free_energy_relaxed(d, y1, y2, 1.0, n=48)",
    ),
    (
        "continuous F_beta, beta = 10",
        20_000,
        POINTS + "def run(): free_energy_relaxed(d, y1, y2, 10.0, n=None)",
    ),
    (
        "exact F_inf (free_energy_exact)",
        1_000_000,
        POINTS + "def run(): lvebm.free_energy_exact(d, y1, y2)",
    ),
    ("lbfgs, batched", 100_000, POINTS + "def run(): lvebm.lbfgs(d, y1, y2)"),
    ("newton, batched", 100_000, POINTS + "def run(): lvebm.newton(d, y1, y2)"),
    (
        "conditional horn: one Levenberg-Marquardt step's residuals and Jacobian",
        8_000,
        """
import numpy as np
from lvebm import conditional as C
s = C.training_samples(N, split="train", seed=709, alpha=1.5, beta=2.0, noise_std=0.05)
net = C.Network((1, 8, 8, 2)); theta = net.init(1)
residuals = C.latent_residuals(net, s["x"], s["y1"], s["y2"])
def run():
    r, j = residuals(theta, True); j.T @ j
""",
    ),
]

TIMER = """
import json, sys, time
N = {n}
{setup}
run()
best = []
for _ in range(3):
    t = time.perf_counter(); run(); best.append(time.perf_counter() - t)
print(json.dumps(min(best)))
"""


def seconds(setup: str, n: int, env: dict[str, str]) -> float:
    code = TIMER.format(n=n, setup=setup)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    return float(json.loads(out))


def kernels_in(env: dict[str, str]) -> str:
    code = (
        "import json; from lvebm.pipeline.numerics import platform_record; "
        "r = platform_record('?'); "
        "print(json.dumps(dict(zip(r['key'], r['value'], strict=True))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    return kernels(json.loads(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pins, why = pinned_environment()
    if why:
        sys.exit(f"bench/pins.py: {why}")
    base = {k: v for k, v in os.environ.items() if k not in pins}
    modes = {"pinned": {**base, **pins}, "unpinned": base}
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, {date.today()}; "
        f"{args.repeats} repeats, medians of the best of 3 calls\n"
    )
    for mode, env in modes.items():
        print(f"- {mode}: {kernels_in(env)}")
    print("\n| kernel | points | pinned, per point | unpinned, per point | pinned / unpinned |")
    print("|---|---|---|---|---|")
    for name, n, setup in CASES:
        times = {mode: [] for mode in modes}
        for _ in range(args.repeats):
            for mode, env in modes.items():
                times[mode].append(seconds(setup, n, env))
        pinned, unpinned = (statistics.median(times[m]) / n for m in modes)
        print(
            f"| {name} | {n:,} | {pinned * 1e9:,.0f} ns | {unpinned * 1e9:,.0f} ns | "
            f"{pinned / unpinned:.2f}x |"
        )


if __name__ == "__main__":
    main()
