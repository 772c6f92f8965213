"""Per-point time of each optimizer in process (``lvebm.inference.infer`` on the mesh, no job, no
Parquet), for this working tree and optionally a git revision, side by side.

    .venv/bin/python bench/optimizers.py [--repeats 5] [--against REV] [--num 1000 500]

Each variant runs in its own process with its own ``src`` first on ``PYTHONPATH`` and the
workflow's pinned kernels (``lvebm.pipeline.numerics``); the variants alternate per repeat, so
the shared machine's load falls on both alike. Per optimizer: the median over the repeats of the
time per point of ``infer`` on the default config's mesh box with ``--num`` points per axis, in
blocks of the library's ``BLOCK`` on one thread (what the ``infer`` job computes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from lvebm.pipeline.numerics import pinned_environment

ROOT = Path(__file__).resolve().parents[1]
OPTIMIZERS = ["gradient_descent", "line_search", "conjugate_gradient", "lbfgs", "newton", "exact"]

# one timing of every optimizer, in a fresh process: {name: seconds per point}
CHILD = """
import json, sys, time
import yaml
from lvebm.inference import infer
from lvebm.meshgrid import mesh_blocks
try:
    from lvebm.pipeline.config import method_options
except ImportError:  # a revision before it moved there
    from lvebm.methods import options_from_config as method_options
from lvebm.model import Decoder
from lvebm.optimize import BLOCK

cfg = yaml.safe_load(open(sys.argv[1]))
n1, n2 = int(sys.argv[2]), int(sys.argv[3])
axes = {"y1_axis": dict(cfg["mesh"]["y1"], num=n1), "y2_axis": dict(cfg["mesh"]["y2"], num=n2)}
decoder = Decoder(cfg["decoder"]["w1"], cfg["decoder"]["w2"])
out = {}
for name in sys.argv[4:]:
    options = method_options(name, cfg)
    start = time.perf_counter()
    for labels, y1, y2 in mesh_blocks(**axes, chunk=BLOCK):
        infer(decoder, labels, y1, y2, method=name, z_init=cfg["inference"]["z_init"],
              options=options, global_tol=cfg["inference"]["global_tol"], workers=1)
    out[name] = (time.perf_counter() - start) / (n1 * n2)
print(json.dumps(out))
"""


def time_variant(src: Path, num: tuple[int, int]) -> dict[str, float]:
    pins, _ = pinned_environment()
    env = {**os.environ, **pins, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", CHILD, str(ROOT / "config.yaml"), *map(str, num), *OPTIMIZERS]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="a git revision to measure beside")
    parser.add_argument("--num", type=int, nargs=2, default=(1000, 500), metavar=("N1", "N2"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lvebm-rev-") as tmp:
        variants = {"working tree": ROOT / "src"}
        if args.against:
            tar = subprocess.run(
                ["git", "archive", args.against, "src"], cwd=ROOT, check=True, capture_output=True
            )
            subprocess.run(["tar", "-x", "-C", tmp], input=tar.stdout, check=True)
            variants[args.against] = Path(tmp) / "src"
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        time_variant(ROOT / "src", (20, 10))  # warm the file cache and the imports
        for _ in range(args.repeats):
            for name, src in variants.items():
                runs[name].append(time_variant(src, tuple(args.num)))
    points = args.num[0] * args.num[1]
    print(f"{points:,} mesh points, {args.repeats} repeats alternating, medians, pinned kernels\n")
    names = list(variants)
    header = " | ".join(f"{name}, per point" for name in names)
    ratio = f" | {names[0]} / {names[1]}" if len(names) > 1 else ""
    print(f"| optimizer | {header}{ratio} |")
    print("|---" * (1 + len(names) + (len(names) > 1)) + "|")
    for opt in OPTIMIZERS:
        med = [statistics.median(r[opt] for r in runs[name]) for name in names]
        cells = " | ".join(f"{m * 1e9:,.0f} ns" for m in med)
        extra = f" | {med[0] / med[1]:.2f}" if len(med) > 1 else ""
        print(f"| `{opt}` | {cells}{extra} |")


if __name__ == "__main__":
    main()
