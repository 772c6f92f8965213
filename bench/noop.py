"""The cost of a snakemake call that has nothing to do: a dry run on a finished run, against
Snakemake's own floor (a one-rule Snakefile's dry run on its finished output), side by side.

    .venv/bin/python bench/noop.py [--repeats 5] [--project DIR]   # prints a Markdown table

``--project`` is a finished run of the default config (default: this clone, after
``./dev.sh pipeline``, committed: the landing page shows the commit); the script refuses one that
still plans jobs. Rows: the anchor, the default config, the default config with its sweep off
(``--config 'sweeps={seeds: null}'``: what the sweep's points cost; it replans only the landing
page, which shows the config's hash), and the quick config (``.test/config/config.yaml``, run
first into a scratch folder with ``-d``); besides the anchor, the same rule with one param (then
Snakemake imports pandas to serialise it, where pandas is installed: the project's
environment no longer has it). Each repeat runs every row once, in turn, so that the
shared machine's load falls on all alike; the table gives the medians and the ratio to the anchor.
Target (issue 35): at most 2x the anchor for the default and the quick config.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--cores", "2", "--nocolor"]
ANCHOR = 'rule all:\n    output:\n        "a.txt",\n    shell:\n        "touch {output}"\n'
# the same rule with one param: Snakemake then imports pandas (when installed, as it was in the test
# extra) to serialise params, a cost every workflow that passes values through params: pays
ANCHOR_PARAM = ANCHOR.replace("    shell:", "    params:\n        n=1,\n    shell:")
NOTHING = "Nothing to be done"


def dry_run(args: list[str], cwd: Path, allowed: frozenset[str] = frozenset()) -> float:
    """Seconds of one dry run; it must plan nothing but jobs of the ``allowed`` rules."""
    start = time.perf_counter()
    out = subprocess.run([*SNAKEMAKE, "-n", *args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    planned = set(re.findall(r"^(?:local)?rule (\w+):$", out.stdout, re.M)) - {"all"}
    if NOTHING not in out.stdout + out.stderr and not planned <= allowed:
        what = ", ".join(sorted(planned - allowed)) or out.stderr[-300:]
        raise SystemExit(f"not a finished run: snakemake -n {' '.join(args)} in {cwd}: {what}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--project", type=Path, default=ROOT, help="a finished default run")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        anchor, quick = Path(tmp) / "anchor", Path(tmp) / "quick"
        with_param = Path(tmp) / "anchor_param"
        for folder, text in ((anchor, ANCHOR), (with_param, ANCHOR_PARAM)):
            folder.mkdir()
            (folder / "Snakefile").write_text(text)
            subprocess.run([*SNAKEMAKE, "-q"], cwd=folder, check=True, capture_output=True)
        quick_args = [
            *("-s", str(ROOT / "Snakefile"), "-d", str(quick), "--workflow-profile", "none"),
            *("--configfile", str(ROOT / ".test/config/config.yaml")),
        ]
        subprocess.run([*SNAKEMAKE, *quick_args], cwd=ROOT, check=True, capture_output=True)
        # the sweep off changes the config's hash, which the landing page shows: it alone replans
        landing = frozenset({"landing_page", "run_config"})  # the config shown changed
        rows = {
            "one-rule Snakefile (anchor)": ([], anchor, frozenset()),
            "one-rule Snakefile with a param": ([], with_param, frozenset()),
            "default config": (["--workflow-profile", "none"], opts.project, frozenset()),
            "default config, sweep off": (
                ["--workflow-profile", "none", "--config", "sweeps={seeds: null}"],
                opts.project,
                landing,
            ),
            "quick config": (quick_args, ROOT, frozenset()),
        }
        times: dict[str, list[float]] = {name: [] for name in rows}
        for _ in range(opts.repeats):
            for name, (args, cwd, allowed) in rows.items():
                times[name].append(dry_run(args, cwd, allowed))
    floor = statistics.median(times["one-rule Snakefile (anchor)"])
    print(f"| dry run on a finished run (median of {opts.repeats}) | seconds | x anchor |")
    print("|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {median / floor:.1f}x |")


if __name__ == "__main__":
    main()
