"""The trainings' hot paths in one process: the portable kernels on a network's pre-activations,
the label-free encoder's Adam steps, the conditional horn's fit (default config).

    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456 OPENBLAS_NUM_THREADS=1 \\
      PYTHONPATH=<tree>/src .venv/bin/python bench/hotpaths.py {kernels|encoder|conditional}

The allocator settings are the jobs' (``lvebm.pipeline.numerics``); ``PYTHONPATH`` picks the
tree whose ``lvebm`` is timed (a ``git worktree`` of another commit), so two trees are measured
side by side by running the script once per tree, in turn. ``kernels`` prints ns per value
(medians of 30 x 10 calls on (16, 2000) values drawn N(0, 1.5^2)); the others print seconds.
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import yaml

import lvebm
import lvebm.amortized as A
import lvebm.conditional as C
from lvebm import portable as P

CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"


def kernels() -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1.5, (16, 2000))
    w = rng.normal(size=(16, 16))
    calls = {
        "tanh": lambda: P.tanh(x),
        "exp": lambda: P.exp(x),
        "expm1": lambda: P.expm1(x),
        "matmul": lambda: P.matmul(w, x),
        "sin": lambda: P.sin(x),
    }
    out = {}
    for name, call in calls.items():
        times = []
        for _ in range(30):
            start = time.perf_counter()
            for _ in range(10):
                call()
            times.append((time.perf_counter() - start) / 10 / x.size * 1e9)
        out[name] = round(statistics.median(times), 2)
    return out


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "kernels"
    cfg = yaml.safe_load(CONFIG.read_text())
    if which == "kernels":
        print(lvebm.__file__, kernels())
    elif which == "encoder":
        a = cfg["amortized"]
        net = A.encoder_network(tuple(a["hidden"]), a["activation"])
        p = A.training_points(a["train"], seed=cfg["seed"])
        schedule = [{"method": "adam", "steps": 1500, "learning_rate": 0.02}]
        start = time.perf_counter()
        A.fit_encoder(net, A.START, p["y1"], p["y2"], method="energy", schedule=schedule)
        print(lvebm.__file__, "encoder, 1500 Adam steps:", round(time.perf_counter() - start, 2))
    elif which == "conditional":
        c, data = cfg["conditional"], cfg["data"]
        sampler = {k: data[k] for k in ("alpha", "beta", "noise_std")} | {"seed": cfg["seed"]}
        net = C.Network((1, *c["hidden"], 2), c["activation"], c.get("output", "exp"))
        train = C.training_samples(c["train"], split="train", **sampler)
        start = time.perf_counter()
        C.fit(
            net,
            train,
            init_seed=c["init_seed"],
            schedule=c["schedule"],
            weight_decay=c["weight_decay"],
        )
        print(lvebm.__file__, "conditional fit:", round(time.perf_counter() - start, 2))
    else:
        raise SystemExit(f"unknown part {which!r}; allowed: kernels, encoder, conditional")


if __name__ == "__main__":
    main()
