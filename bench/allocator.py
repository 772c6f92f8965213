"""The jobs' allocator settings (``lvebm.pipeline.numerics.ALLOCATOR_ENVIRONMENT``) against glibc's
defaults: time, page faults and peak RSS of the iterative optimizers, side by side in one run.

    .venv/bin/python bench/allocator.py [--repeats 5]     # prints a Markdown table

Each measurement is a fresh Python process with the pins on (as a job runs), with or without the
two ``MALLOC_*`` variables, alternating: it runs one optimizer on the lecture's decoder over
131,072 mesh points (one block, as an infer job does) once to warm up, then ``--calls`` times,
and reports its median call time, the minor page faults per call and the process's peak RSS.
Both variants must return the same bytes (checked): the allocator changes no value.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from lvebm.pipeline.numerics import ALLOCATOR_ENVIRONMENT, job_environment

OPTIMIZERS = ["gradient_descent", "line_search", "conjugate_gradient", "lbfgs", "newton"]

CHILD = """
import hashlib, json, resource, sys, time
from lvebm import optimize
from lvebm.model import Decoder
from timing import mesh
y1, y2 = mesh(512, 256)
fn, calls = getattr(optimize, sys.argv[1]), int(sys.argv[2])
decoder = Decoder(-1.45, 0.36)
result = fn(decoder, y1, y2, 0.5)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
times = []
for _ in range(calls):
    t = time.perf_counter()
    fn(decoder, y1, y2, 0.5)
    times.append(time.perf_counter() - t)
usage = resource.getrusage(resource.RUSAGE_SELF)
digest = hashlib.sha256(result.z_check.tobytes() + result.F.tobytes() + result.n_iter.tobytes())
print(json.dumps({"times": times, "faults": (usage.ru_minflt - faults) / calls,
                  "rss_mb": usage.ru_maxrss / 1024, "digest": digest.hexdigest()}))
"""


def measure(name: str, calls: int, allocator: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.update(job_environment(True)[0])
    if allocator:
        env.update(ALLOCATOR_ENVIRONMENT)
    env["PYTHONPATH"] = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, name, str(calls)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="processes per variant")
    parser.add_argument("--calls", type=int, default=5, help="timed calls per process")
    args = parser.parse_args()
    print(f"repeats: {args.repeats} processes x {args.calls} calls (medians); 131,072 points\n")
    print(
        "| optimizer | glibc's defaults | jobs' allocator | ratio | page faults per call | "
        "peak RSS |"
    )
    print("|---|---|---|---|---|---|")
    for name in OPTIMIZERS:
        runs = {False: [], True: []}
        for _ in range(args.repeats):
            for allocator in (False, True):
                runs[allocator].append(measure(name, args.calls, allocator))
        digests = {r["digest"] for rs in runs.values() for r in rs}
        if len(digests) != 1:
            raise SystemExit(f"{name}: the allocator changed the result ({digests})")
        t = {k: statistics.median(x for r in rs for x in r["times"]) for k, rs in runs.items()}
        faults = {k: statistics.median(r["faults"] for r in rs) for k, rs in runs.items()}
        rss = {k: statistics.median(r["rss_mb"] for r in rs) for k, rs in runs.items()}
        print(
            f"| `{name}` | {t[False] * 1e3:.1f} ms | {t[True] * 1e3:.1f} ms | "
            f"{t[False] / t[True]:.2f}x | {faults[False]:,.0f} -> {faults[True]:,.0f} | "
            f"{rss[False]:.0f} -> {rss[True]:.0f} MB |"
        )


if __name__ == "__main__":
    main()
