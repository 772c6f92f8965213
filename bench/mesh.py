"""Benchmark of the dense free-energy stage through Snakemake: wall time, per-point cost and peak
memory of every shard job, read from Snakemake's own benchmark files.

    .venv/bin/python bench/mesh.py            # prints a Markdown table for the README

Runs, in a scratch copy of the project: a 1000 x 1000 mesh in 1 shard; the same mesh in 4 shards
end to end (the whole pipeline), whose artifact must equal the 1-shard one byte for byte; and a
10^7-point mesh (10000 x 1000) in 8 shards and in 1. Targets: the 10^6-point job in at most 5 s;
every job of the 10^7 runs under 1 GiB.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import tempfile
import time
from pathlib import Path

import yaml
from timing import SNAKEMAKE

from lvebm.pipeline.manifest import copy_project

ROOT = Path(__file__).resolve().parents[1]
TARGET = "results/mesh/free_energy.parquet"


def project_copy(dest: Path) -> Path:
    return copy_project(ROOT, dest)


def configure(path: Path, n1: int, n2: int, shards: int) -> None:
    cfg = yaml.safe_load((path / "config.yaml").read_text())
    cfg["mesh"]["y1"]["num"], cfg["mesh"]["y2"]["num"], cfg["mesh"]["shards"] = n1, n2, shards
    (path / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))


def snakemake(path: Path, *targets: str, cores: int = 2) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            *SNAKEMAKE,
            *targets,
            "--cores",
            str(cores),
            "--quiet",
            "all",
        ],
        cwd=path,
        check=True,
    )
    return time.perf_counter() - start


def shard_jobs(path: Path, shards: int) -> list[dict]:
    rows = []
    for tsv in sorted((path / "benchmarks/free_energy_mesh").glob(f"*-of-{shards}.tsv")):
        with tsv.open() as f:
            rows.append(next(csv.DictReader(f, delimiter="\t")))
    return rows


def describe(label: str, points: int, shards: int, jobs: list[dict]) -> str:
    secs = [float(j["s"]) for j in jobs]
    rss = [float(j["max_rss"]) for j in jobs]
    per_job = points / shards
    return (
        f"| {label} | {points:,} | {shards} | {max(secs):.2f} s | "
        f"{max(secs) / per_job * 1e9:.0f} ns | {max(rss):.0f} MB |"
    )


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="lvebm-bench-") as tmp:
        one = project_copy(Path(tmp) / "one")
        configure(one, 1000, 1000, 1)
        snakemake(one, TARGET)
        rows.append(describe("1000 x 1000, exact", 10**6, 1, shard_jobs(one, 1)))

        four = project_copy(Path(tmp) / "four")
        configure(four, 1000, 1000, 4)
        wall = snakemake(four)  # the whole pipeline
        rows.append(describe("1000 x 1000, exact", 10**6, 4, shard_jobs(four, 4)))
        same = (one / TARGET).read_bytes() == (four / TARGET).read_bytes()

        big = project_copy(Path(tmp) / "big")
        configure(big, 10000, 1000, 8)
        snakemake(big, TARGET)
        rows.append(describe("10000 x 1000, exact", 10**7, 8, shard_jobs(big, 8)))
        configure(big, 10000, 1000, 1)
        snakemake(big, TARGET)
        rows.append(describe("10000 x 1000, exact", 10**7, 1, shard_jobs(big, 1)))

    print("| mesh | points | shards | slowest job | per point (job time) | peak RSS of a job |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print(f"Whole pipeline on the 1000 x 1000 mesh with 4 shards: {wall:.0f} s wall time;")
    print(f"its free_energy.parquet equals the 1-shard one byte for byte: {same}")


if __name__ == "__main__":
    main()
