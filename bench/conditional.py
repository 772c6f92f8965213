"""Benchmark of the conditional horn: the training job's time through Snakemake, and the scan over
initialisation seeds.

    .venv/bin/python bench/conditional.py            # prints two Markdown tables (bench/README.md)
    .venv/bin/python bench/conditional.py --lecture  # the scan with the lecture's literal network

1. In a scratch copy of the project, ``train_conditional`` on the default config, three times
   (``--forcerun``, ``--cores 1``); the median job time from Snakemake's benchmark file. Target:
   at most 60 s on this machine.
2. The library's ``fit`` on the default config's samples and schedule for init seeds 0 ... 9, one
   seed at a time: per seed, the largest relative error of |f(x)| against rho(x) on the x grid
   (target < 5 %), the baseline's largest distance from the axis as a share of |rho(x)| (target
   < 10 %) and the held-out samples' median F_inf (target < 0.01); and how far each seed's
   radii are from the first seed's (the same minimum: about 1e-10). ``--lecture`` scans the
   lecture's literal network instead (ReLU, a linear output, no weight decay, 2000 Adam steps and
   1000 L-BFGS iterations), the configuration before issue 22.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from timing import SNAKEMAKE

from lvebm import conditional as C
from lvebm.pipeline.manifest import copy_project

ROOT = Path(__file__).resolve().parents[1]
TARGET = "results/conditional/params.parquet"


def job_seconds(repeats: int) -> list[float]:
    with tempfile.TemporaryDirectory() as scratch:
        path = copy_project(ROOT, Path(scratch) / "project")
        seconds = []
        for _ in range(repeats):
            cmd = [
                *SNAKEMAKE,
                "--cores",
                "1",
                "--quiet",
                "all",
                "--forcerun",
                "train_conditional",
                "--",
                TARGET,
            ]
            subprocess.run(cmd, cwd=path, check=True)
            with (path / "benchmarks/train_conditional/train.tsv").open() as f:
                seconds.append(float(next(csv.DictReader(f, delimiter="\t"))["s"]))
        return seconds


LECTURE = {
    "activation": "relu",
    "output": "linear",
    "weight_decay": {"latent": 0.0, "baseline": 0.0},
    "schedule": [
        {"method": "adam", "steps": 2000, "learning_rate": 0.02},
        {"method": "lbfgs", "steps": 1000},
    ],
}


def scan(cfg: dict, seeds: range, lecture: bool = False) -> list[dict]:
    c, data = cfg["conditional"], cfg["data"]
    sampler = {
        "seed": cfg["seed"],
        "alpha": data["alpha"],
        "beta": data["beta"],
        "noise_std": data["noise_std"],
    }
    if lecture:
        c = {**c, **LECTURE}
    net = C.Network((1, *c["hidden"], 2), c["activation"], c.get("output", "exp"))
    train = C.training_samples(c["train"], split="train", **sampler)
    held = C.training_samples(c["held_out"], split="held_out", **sampler)
    x = np.linspace(c["x"]["start"], c["x"]["stop"], c["x"]["num"])
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        params, _ = C.fit(
            net, train, init_seed=seed, schedule=c["schedule"], weight_decay=c["weight_decay"]
        )
        seconds = time.perf_counter() - start
        r = C.radii_table(net, params, x, alpha=data["alpha"], beta=data["beta"])
        error = np.maximum(
            np.abs(np.abs(r["f1"]) - r["rho1"]) / r["rho1"],
            np.abs(np.abs(r["f2"]) - r["rho2"]) / r["rho2"],
        )
        share = np.hypot(r["baseline_y1"], r["baseline_y2"]) / np.hypot(r["rho1"], r["rho2"])
        median = float(np.median(C.free_energy_table(net, params, held)["F"]))
        worst = float(x[error.argmax()])
        f = np.stack([np.abs(r["f1"]), np.abs(r["f2"])])
        first = rows[0]["f"] if rows else f
        rows.append(
            {
                "seed": seed,
                "error": float(error.max()),
                "at": worst,
                "share": float(share.max()),
                "median": median,
                "seconds": seconds,
                "f": f,
                "spread": float(np.max(np.abs(f - first) / first)),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--lecture", action="store_true", help="the lecture's literal network")
    args = parser.parse_args()
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    if not args.lecture and args.repeats:
        seconds = job_seconds(args.repeats)
        print(f"| job | median of {args.repeats} | runs |\n|---|---|---|")
        print(
            f"| train_conditional | {statistics.median(seconds):.1f} s | "
            f"{', '.join(f'{s:.1f}' for s in seconds)} s |\n"
        )
    print(
        "| init_seed | max error of abs(f) | at x | baseline / abs(rho) | median F_inf | "
        "radii against seed 0 | fit |\n|---|---|---|---|---|---|---|"
    )
    rows = scan(cfg, range(args.seeds), args.lecture)
    for r in rows:
        mark = " (default)" if r["seed"] == cfg["conditional"]["init_seed"] else ""
        print(
            f"| {r['seed']}{mark} | {100 * r['error']:.2f} % | {r['at']:.2f} | "
            f"{100 * r['share']:.1f} % | {r['median']:.5f} | {r['spread']:.1e} | "
            f"{r['seconds']:.1f} s |"
        )
    good = sum(r["error"] < 0.05 and r["share"] < 0.10 and r["median"] < 0.01 for r in rows)
    print(f"\n{good} of {len(rows)} seeds meet all three targets")


if __name__ == "__main__":
    main()
