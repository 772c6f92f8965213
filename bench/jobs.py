"""Job time per mesh point of every ``infer`` job, from Snakemake's benchmark files, against the
library's exact solver and scipy's per-point ``minimize`` loops, measured side by side in one run.

    .venv/bin/python bench/jobs.py [--repeats 3]      # prints a Markdown table for the README

A copy of the project runs the seven ``infer`` jobs of the mesh on one thread, one job at a time,
on the default config with a 1000 x 500 mesh (5 x 10^5 points) and then a 5 x 5 mesh; the job time
per point is the difference of their median times (``s`` in ``benchmarks/infer/mesh/*.tsv``)
over the difference of their point counts, so the start of the job (Python, imports) cancels.
Targets (issue 10): each Wolfe-search job (``line_search``, ``conjugate_gradient``, ``lbfgs``) at
least 100 times faster per point than scipy's loop, the ``newton`` job at least 200 times, the
``exact`` job within 2.5 times the library's exact solver. The anchor (issue 23) is the cheaper of
scipy's CG and L-BFGS-B loops on the leanest honest objective (``bench/inference.py``'s
``scipy_loop``: plain floats, E and its derivative in one call), both printed.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import yaml
from inference import DEC, scipy_loop
from timing import SNAKEMAKE, median_seconds, mesh

from lvebm.exact import free_energy_exact
from lvebm.pipeline.manifest import copy_project

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"big": (1000, 500), "tiny": (5, 5)}
TARGETS = {"line_search": 100, "conjugate_gradient": 100, "lbfgs": 100, "newton": 200}


def job_seconds(project: Path, size: tuple[int, int], optimizers: list[str]) -> dict[str, float]:
    """Wall time of each infer job of the mesh (Snakemake's benchmark file), one job at a time."""
    config = yaml.safe_load((project / "config.yaml").read_text())
    config["mesh"]["y1"]["num"], config["mesh"]["y2"]["num"] = size
    (project / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    targets = [f"results/inference/mesh/{name}.parquet" for name in optimizers]
    proc = subprocess.run(
        [
            *SNAKEMAKE,
            "--cores",
            "1",
            "--set-threads",
            "infer=1",
            "--quiet",
            "all",
            "--forcerun",
            "infer",
            "--",
            *targets,
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise SystemExit(f"snakemake failed in {project}:\n{proc.stderr[-3000:]}")
    seconds = {}
    for name in optimizers:
        with open(project / f"benchmarks/infer/mesh/{name}.tsv") as f:
            seconds[name] = float(next(csv.DictReader(f, delimiter="\t"))["s"])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    optimizers = yaml.safe_load((ROOT / "config.yaml").read_text())["inference"]["optimizers"]
    points = {k: n1 * n2 for k, (n1, n2) in SIZES.items()}
    times = {k: {name: [] for name in optimizers} for k in SIZES}
    library, scipy_cost = [], {"CG": [], "L-BFGS-B": []}
    y1, y2 = mesh(*SIZES["big"])
    y1s, y2s = mesh(50, 40)  # 2,000 points for the scipy loops
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(ROOT, Path(tmp) / "project")
        for _ in range(args.repeats):  # jobs, library and scipy interleaved: one drift for all
            for size in SIZES:
                for name, t in job_seconds(project, SIZES[size], optimizers).items():
                    times[size][name].append(t)
            library.append(median_seconds(lambda: free_energy_exact(DEC, y1, y2), 3) / y1.size)
            for method in scipy_cost:
                t = median_seconds(lambda m=method: scipy_loop(m, y1s, y2s), 1)
                scipy_cost[method].append(t / y1s.size)
    exact_library = statistics.median(library)
    scipy = {m: statistics.median(c) for m, c in scipy_cost.items()}
    anchor = min(scipy, key=scipy.get)  # the cheaper of scipy's two loops
    extra = points["big"] - points["tiny"]
    print(
        f"repeats: {args.repeats} (medians); numpy {np.__version__}; {points['big']:,} points; "
        f"scipy per point: " + ", ".join(f"{m} {_fmt(c)}" for m, c in scipy.items())
    )
    print()
    print("| job | job time, 5x10^5 points | per point | against | ratio | target |")
    print("|---|---|---|---|---|---|")
    for name in optimizers:
        big = statistics.median(times["big"][name])
        per_point = (big - statistics.median(times["tiny"][name])) / extra
        if name == "exact":
            against = f"library exact solver, {_fmt(exact_library)}"
            ratio, target = per_point / exact_library, "<= 2.5x"
            verdict = "met" if ratio <= 2.5 else "missed"
            text = f"{ratio:.2f}x the library"
        elif name in TARGETS or name == "gradient_descent":
            against = f"scipy `minimize({anchor})` loop, {_fmt(scipy[anchor])}"
            ratio = scipy[anchor] / per_point
            text = f"{ratio:,.0f}x faster"
            target = f">= {TARGETS[name]}x" if name in TARGETS else ""
            verdict = ("met" if ratio >= TARGETS[name] else "missed") if name in TARGETS else ""
        else:
            against = text = target = verdict = ""
        print(
            f"| `{name}` | {big:.2f} s | {_fmt(per_point)} | {against} | {text} | "
            f"{target} {verdict} |"
        )


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e9:.0f} ns" if seconds < 1e-6 else f"{seconds * 1e6:.2f} us"


if __name__ == "__main__":
    main()
