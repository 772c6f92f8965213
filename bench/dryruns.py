"""What the test suite's batches save: a dry run as its own `python -m snakemake -n` process, and
the same dry run as a row of ``tests/snakemake_batch.py`` (every row in one Python process, as
the rerun matrix and the catalogue run their tables), side by side on one finished run of the
tests' small config; also a bad config value, which stops before the job graph.

    .venv/bin/python bench/dryruns.py [--rows 10] [--repeats 3]   # prints a Markdown table

Each repeat times ``rows`` separate processes, then one batch of ``rows`` rows; the table gives
the medians per row and their ratio. The batch's one start-up is shared by its rows, as in the
tests (whose tables have about 100 rows).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support import NO_PROFILE, PLAIN, SMALL_CONFIG_OVERRIDES, copy_project  # noqa: E402

ARGS = [*NO_PROFILE, "--cores", "2", "--nocolor"]


def per_row(project: Path, files: dict, args: list[str], rows: int) -> tuple[float, float]:
    """Seconds per row: separate processes, then one batch."""
    originals = {name: (project / name).read_text() for name in files}
    start = time.perf_counter()
    try:
        for name, text in files.items():
            (project / name).write_text(text)
        for _ in range(rows):
            subprocess.run([*PLAIN, *ARGS, *args], cwd=project, capture_output=True)
    finally:
        for name, text in originals.items():
            (project / name).write_text(text)
    alone = (time.perf_counter() - start) / rows
    cases = [{"files": files, "args": [*ARGS, *args]}] * rows
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [sys.executable, str(ROOT / "tests/snakemake_batch.py"), out.name],
            cwd=project,
            input=json.dumps(cases),
            text=True,
            capture_output=True,
            check=True,
        )
    return alone, (time.perf_counter() - start) / rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        project.update_config(SMALL_CONFIG_OVERRIDES)
        project.snakemake()
        config = project.config()
        bad = yaml.safe_dump({**config, "seed": -1}, sort_keys=False)
        kinds = {
            "dry run, up to date": ({}, ["--dry-run"]),
            "bad config value (stops at the check)": ({"config.yaml": bad}, []),
        }
        print("| row | own process | in a batch | ratio |")
        print("|---|---|---|---|")
        for name, (files, args) in kinds.items():
            times = [per_row(project.path, files, args, opts.rows) for _ in range(opts.repeats)]
            alone = statistics.median(t[0] for t in times)
            batch = statistics.median(t[1] for t in times)
            print(f"| {name} | {alone:.2f} s | {batch:.2f} s | {alone / batch:.1f}x |")


if __name__ == "__main__":
    main()
