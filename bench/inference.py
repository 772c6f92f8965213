"""Benchmark of inference: per-point cost of the exact solver, of every batched optimizer, and of
scipy's per-point ``minimize`` loops, measured side by side in one run (medians of repeats).

    .venv/bin/python bench/inference.py            # prints a Markdown table for the README

Targets (2-core machine): exact <= 150 ns/point; each batched iterative optimizer <= 2 us/point
and >= 50x faster than the scipy loop.
"""

from __future__ import annotations

import argparse
import math
import warnings
from pathlib import Path

import numpy as np
import yaml
from scipy import optimize
from timing import median_seconds, mesh

from lvebm.exact import free_energy_exact
from lvebm.methods import ITERATIVE
from lvebm.model import Decoder
from lvebm.optimize import OPTIMIZERS, run_optimizer
from lvebm.pipeline.config import method_options

CONFIG = yaml.safe_load((Path(__file__).parents[1] / "config.yaml").read_text())
DEC = Decoder(**CONFIG["decoder"])
INFERENCE = CONFIG["inference"]
GTOL, MAX_ITER, Z_INIT = INFERENCE["gtol"], INFERENCE["max_iter"], INFERENCE["z_init"]


def options(name):
    """The default config's options of one method, as the pipeline passes them."""
    return method_options(name, CONFIG)


def scipy_loop(method, y1, y2):
    """The leanest honest use of scipy: one ``minimize`` per point on a plain-float objective
    that returns E and its analytic derivative together (``jac=True``), not the library's
    ``Decoder.energy``, whose argument checks cost more than the arithmetic on one scalar."""
    w1, w2 = float(DEC.w1), float(DEC.w2)

    def fun(z, a, b):
        c, s = math.cos(z[0]), math.sin(z[0])
        r1, r2 = a - w1 * c, b - w2 * s
        return r1 * r1 + r2 * r2, np.array([2.0 * (r1 * w1 * s - r2 * w2 * c)])

    opts = {"gtol": GTOL, "maxiter": MAX_ITER}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a, b in zip(np.asarray(y1).tolist(), np.asarray(y2).tolist(), strict=True):
            optimize.minimize(fun, [Z_INIT], (a, b), method, jac=True, options=opts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []

    y = rng.uniform([-3, -2], [3, 2], (10**6, 2)).T
    t = median_seconds(lambda: free_energy_exact(DEC, y[0], y[1]), args.repeats)
    rows.append(("exact solver (`free_energy_exact`)", "10^6 random", t / 1e6, None, None))

    y1s, y2s = mesh(50, 40)  # 2,000 points for the scipy loops
    scipy_cost = {}
    for method in ("CG", "L-BFGS-B"):
        t = median_seconds(lambda m=method: scipy_loop(m, y1s, y2s), max(1, args.repeats // 2))
        scipy_cost[method] = t / y1s.size

    y1, y2 = mesh(400, 250)  # 10^5 mesh points over the lecture's plane
    for name in OPTIMIZERS:
        costs = []
        for workers in (1, 2):
            t = median_seconds(
                lambda w=workers, n=name: run_optimizer(
                    n, DEC, y1, y2, z_init=Z_INIT, options=options(n), trace=False, workers=w
                ),
                args.repeats,
            )
            costs.append(t / y1.size)
        rows.append((f"`{name}` batched", "10^5 mesh", costs[0], costs[1], name))
    for method, cost in scipy_cost.items():
        rows.append((f"scipy `minimize({method})` loop", "2,000 mesh", cost, None, None))

    reference = {"conjugate_gradient": "CG", "lbfgs": "L-BFGS-B"}
    print(f"repeats: {args.repeats} (medians); numpy {np.__version__}")
    print()
    print("| what | points | per point, 1 thread | per point, 2 threads | scipy loop / batched |")
    print("|---|---|---|---|---|")
    for label, points, c1, c2, name in rows:
        ratio = ""
        if name in ITERATIVE:
            ref = scipy_cost[reference.get(name, "CG")]
            ratio = f"{ref / c1:,.0f}x (vs {reference.get(name, 'CG')})"
        two = _fmt(c2) if c2 is not None else ""
        one = _fmt(c1)
        print(f"| {label} | {points} | {one} | {two} | {ratio} |")


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e9:.0f} ns" if seconds < 1e-6 else f"{seconds * 1e6:.2f} us"


if __name__ == "__main__":
    main()
