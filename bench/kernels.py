"""The portable kernels (lvebm.portable): each one's largest error in ULP against mpmath, and its
cost in ns per value against NumPy's own function, pinned (SIMD capped at AVX2, as the pipeline
pinned it before the kernels) and unpinned (this CPU's best kernels), side by side in one run.

    .venv/bin/python bench/kernels.py [--points 1000000] [--repeats 5] [--only exp log ...]
                                      [--parts accuracy cost]

Accuracy: ``--points`` arguments per kernel, drawn (seed 0) half over the kernel's whole domain
(log-uniform magnitudes where it spans decades) and half over the range the pipeline uses; the
reference is mpmath at 120 bits, and the error of a value is |kernel - reference| in units of
the spacing of doubles at the reference. Cost: the median over ``--repeats`` of one call on
10^6 values (the first half of the same draw), each mode in its own process (NumPy reads
``NPY_DISABLE_CPU_FEATURES`` at import). Needs mpmath (``pip install mpmath``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import scipy.special  # noqa: F401  (log_i0e's NumPy form, evaluated from NUMPY)

# kernel -> (arguments, NumPy's equivalent as source, mpmath's reference as source)
NUMPY = {
    "exp": "np.exp",
    "log": "np.log",
    "log1p": "np.log1p",
    "expm1": "np.expm1",
    "tanh": "np.tanh",
    "sin": "np.sin",
    "cos": "np.cos",
    "arctan2": "np.arctan2",
    "hypot": "np.hypot",
    "softplus": "lambda x: np.logaddexp(0.0, x)",
    "log_i0e": "lambda x: np.log(scipy.special.i0e(x))",
}
REFERENCE = {
    "exp": lambda mp, x: mp.exp(x),
    "log": lambda mp, x: mp.log(x),
    "log1p": lambda mp, x: mp.log1p(x),
    "expm1": lambda mp, x: mp.expm1(x),
    "tanh": lambda mp, x: mp.tanh(x),
    "sin": lambda mp, x: mp.sin(x),
    "cos": lambda mp, x: mp.cos(x),
    "arctan2": lambda mp, y, x: mp.atan2(y, x),
    "hypot": lambda mp, x, y: mp.sqrt(x * x + y * y),
    "softplus": lambda mp, x: mp.log1p(mp.exp(x)),
    "log_i0e": lambda mp, x: mp.log(mp.besseli(0, x)) - abs(x),
}
AVX512 = "X86_V4 AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR"


def log_uniform(rng, low, high, n, signed=False):
    x = np.exp(rng.uniform(np.log(low), np.log(high), n))
    return x * rng.choice([-1.0, 1.0], n) if signed else x


def arguments(name: str, n: int) -> tuple[np.ndarray, ...]:
    """The kernel's arguments: half its whole domain, half the pipeline's range."""
    rng = np.random.default_rng(0)
    half = n // 2
    u = rng.uniform
    if name == "exp":
        return (np.concatenate([u(-745.0, 709.78, half), u(-60.0, 5.0, n - half)]),)
    if name == "log":
        return (np.concatenate([log_uniform(rng, 1e-300, 1e300, half), u(1e-3, 10.0, n - half)]),)
    if name == "log1p":
        return (
            np.concatenate(
                [
                    log_uniform(rng, 1e-300, 1e300, half // 2),
                    u(-1.0, 0.0, half - half // 2),
                    u(-0.5, 2.0, n - half),
                ]
            ),
        )
    if name == "expm1":
        return (
            np.concatenate([u(-45.0, 709.0, half), log_uniform(rng, 1e-20, 2.0, n - half, True)]),
        )
    if name in ("tanh", "softplus"):
        return (np.concatenate([u(-30.0, 30.0, half), u(-3.0, 3.0, n - half)]),)
    if name in ("sin", "cos"):
        return (
            np.concatenate(
                [u(-(2.0**19) * np.pi, 2.0**19 * np.pi, half), u(-13.0, 13.0, n - half)]
            ),
        )
    if name in ("arctan2", "hypot"):
        wide = (
            log_uniform(rng, 1e-300, 1e300, half, True),
            log_uniform(rng, 1e-300, 1e300, half, True),
        )
        near = u(-5.0, 5.0, n - half), u(-5.0, 5.0, n - half)
        return np.concatenate([wide[0], near[0]]), np.concatenate([wide[1], near[1]])
    if name == "log_i0e":
        return (np.concatenate([u(0.0, 1e4, half), u(0.0, 60.0, n - half)]),)
    raise ValueError(name)


def ulp_errors(name: str, n: int) -> tuple[float, tuple]:
    """The largest error in ULP of the kernel on n arguments, and where."""
    import mpmath

    from lvebm import portable

    mpmath.mp.prec = 120
    args = arguments(name, n)
    got = np.asarray(getattr(portable, name)(*args))
    worst, where = 0.0, ()
    ref_of = REFERENCE[name]
    for i in range(n):
        point = tuple(float(a[i]) for a in args)
        ref = ref_of(mpmath, *(mpmath.mpf(p) for p in point))
        r = float(ref)
        if r == 0.0 or not np.isfinite(r):
            err = 0.0 if got[i] == r else np.inf
        else:
            err = float(abs(mpmath.mpf(float(got[i])) - ref)) / float(np.spacing(abs(r)))
        if err > worst:
            worst, where = err, point
    return worst, where


def cost(names: list[str], repeats: int) -> dict[str, dict[str, float]]:
    """ns per value of the portable kernels and NumPy's, in this process (its NumPy's kernels)."""
    from lvebm import portable

    out = {}
    for name in names:
        args = tuple(a[:1_000_000] for a in arguments(name, 2_000_000))
        row = {}
        for label, fn in (("portable", getattr(portable, name)), ("numpy", eval(NUMPY[name]))):
            fn(*args)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                fn(*args)
                times.append(time.perf_counter() - t0)
            row[label] = statistics.median(times) / args[0].size * 1e9
        out[name] = row
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", nargs="+", choices=list(NUMPY), default=list(NUMPY))
    parser.add_argument(
        "--parts", nargs="+", choices=("accuracy", "cost"), default=["accuracy", "cost"]
    )
    parser.add_argument("--cost-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cost_only:  # the child: one mode's costs as JSON
        print(json.dumps(cost(args.only, args.repeats)))
        return
    modes = {}
    if "cost" in args.parts:
        for mode, extra in (("pinned", {"NPY_DISABLE_CPU_FEATURES": AVX512}), ("unpinned", {})):
            env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"} | extra
            env["OPENBLAS_NUM_THREADS"] = "1"
            cmd = [sys.executable, __file__, "--cost-only", "--repeats", str(args.repeats)]
            out = subprocess.run(
                [*cmd, "--only", *args.only], env=env, check=True, capture_output=True, text=True
            ).stdout
            modes[mode] = json.loads(out)
        print("| kernel | portable ns/value | NumPy pinned | NumPy unpinned | portable / pinned |")
        print("|---|---|---|---|---|")
        for name in args.only:
            p, pin, free = (
                modes["pinned"][name]["portable"],
                modes["pinned"][name]["numpy"],
                modes["unpinned"][name]["numpy"],
            )
            print(f"| `{name}` | {p:.1f} | {pin:.1f} | {free:.1f} | {p / pin:.1f}x |", flush=True)
    if "accuracy" in args.parts:
        print(f"\n| kernel | largest error (ULP), {args.points:,} points | at |")
        print("|---|---|---|")
        for name in args.only:
            worst, where = ulp_errors(name, args.points)
            at = ", ".join(f"{w:.17g}" for w in where)
            print(f"| `{name}` | {worst:.3f} | {at} |", flush=True)


if __name__ == "__main__":
    main()
