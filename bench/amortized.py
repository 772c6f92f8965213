"""Benchmark of amortized inference: what the encoder's guess costs and saves, side by side.

    .venv/bin/python bench/amortized.py                 # a Markdown table (bench/README.md)
    .venv/bin/python bench/amortized.py --points 200000 --repeats 7

The encoder is the default config's supervised one, trained here with the pipeline's settings
(``amortized.*``, the inference stage's decoder), under the pinned kernels (the workflow's job
environment, ``lvebm.pipeline.numerics``). On ``--points`` points uniform in the mesh's box, in one
process, each row the median over ``--repeats`` calls, the rows interleaved per repeat:

1. the encoder's forward pass z_tilde = Enc(y) against the exact solver (z_check, F_inf);
2. each iterative optimizer from the default start ``inference.z_init`` and from z_tilde, with
   their share of points ending in a local minimum (against the exact F_inf, 1e-9) and mean
   iterations;
3. the encoder's one-off training time (once), to set against the per-point savings.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    if os.environ.get("LVEBM_BENCH_PINNED") != "1":  # again, with the jobs' kernels from the start
        from lvebm.pipeline.numerics import job_environment

        env = {**os.environ, **job_environment(True)[0], "LVEBM_BENCH_PINNED": "1"}
        os.execve(sys.executable, [sys.executable, __file__, *sys.argv[1:]], env)
    import numpy as np
    import yaml

    from lvebm import amortized as A
    from lvebm.exact import free_energy_exact
    from lvebm.methods import ITERATIVE
    from lvebm.model import Decoder
    from lvebm.optimize import run_optimizer
    from lvebm.pipeline.config import method_options

    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    a, mesh = config["amortized"], config["mesh"]
    box = [[mesh[axis]["start"], mesh[axis]["stop"]] for axis in ("y1", "y2")]
    decoder = Decoder(config["decoder"]["w1"], config["decoder"]["w2"])
    net = A.encoder_network(a["hidden"], a["activation"])
    points = A.training_points(a["train"], *box, seed=config["seed"])
    start = time.perf_counter()
    theta, _ = A.fit_encoder(
        net,
        decoder,
        points["y1"],
        points["y2"],
        method="supervised",
        init_seed=a["init_seed"],
        schedule=a["schedule"]["supervised"],
    )
    training = time.perf_counter() - start
    guess = A.guesser(net, theta)

    rng = np.random.default_rng(0)
    y1 = rng.uniform(*box[0], args.points)
    y2 = rng.uniform(*box[1], args.points)
    exact = free_energy_exact(decoder, y1, y2)
    z_tilde = guess(y1, y2)
    z_init = config["inference"]["z_init"]
    optimizers = [o for o in config["inference"]["optimizers"] if o in ITERATIVE]
    rows = {
        "encoder forward pass": lambda: guess(y1, y2),
        "exact solver": lambda: free_energy_exact(decoder, y1, y2),
    }
    for name in optimizers:
        options = method_options(name, config)
        for label, z0 in (("default start", z_init), ("from z_tilde", z_tilde)):
            rows[f"{name}, {label}"] = lambda name=name, z0=z0, options=options: run_optimizer(
                name, decoder, y1, y2, z_init=z0, options=options
            )
    times = {row: [] for row in rows}
    results = {}
    for _ in range(args.repeats):
        for row, call in rows.items():
            t = time.perf_counter()
            results[row] = call()
            times[row].append(time.perf_counter() - t)
    per_point = {row: statistics.median(t) / args.points * 1e9 for row, t in times.items()}

    print(
        f"{platform.machine()}, {os.cpu_count()} cores, {date.today()}; {args.points:,} points "
        f"uniform in the mesh's box; medians of {args.repeats} calls, pinned kernels "
        f"(NPY_DISABLE_CPU_FEATURES={os.environ.get('NPY_DISABLE_CPU_FEATURES', '')!r}, "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '')}); the "
        f"encoder {[2, *a['hidden'], 2]} trained in {training:.1f} s (once)\n"
    )
    print("| computation | per point | against the exact solver | local minima | mean iterations |")
    print("|---|---|---|---|---|")
    base = per_point["exact solver"]
    for row in rows:
        r = results[row]
        if hasattr(r, "n_iter"):
            local = f"{np.mean(r.F - exact.F > 1e-9):.2%}"
            iters = f"{np.mean(r.n_iter):.2f}"
        else:
            local = iters = ""
        print(
            f"| {row} | {per_point[row]:,.0f} ns | {per_point[row] / base:.2f}x | {local} | "
            f"{iters} |"
        )
    saved = {
        name: per_point[f"{name}, default start"]
        - per_point[f"{name}, from z_tilde"]
        - per_point["encoder forward pass"]
        for name in optimizers
    }
    print()
    for name, ns in saved.items():
        verdict = "saves" if ns > 0 else "costs"
        print(
            f"- {name}: the encoder plus the search from z_tilde {verdict} "
            f"{abs(ns):,.0f} ns per point against the default start"
        )
    del exact, z_tilde


if __name__ == "__main__":
    main()
