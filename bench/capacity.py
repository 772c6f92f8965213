"""Benchmark of the capacity stage (issue 39's budget: its jobs at most 20 s in total, 2 cores).

    .venv/bin/python bench/capacity.py               # a Markdown table (bench/README.md)
    .venv/bin/python bench/capacity.py --repeats 7

Under the pinned kernels (the jobs' environment, ``lvebm.pipeline.numerics``), with the default
config's ``capacity.*``, in one process, each row the median over ``--repeats`` calls, the rows
interleaved per repeat: the work of each of the stage's two jobs (``capacity_scan``: the 2-D
latent's F over the 121 x 81 map at the five lambdas; ``train_capacity``: the three trainings and
the 1-D cold optimum), and the exact solver of the 1-D model on the same map, for scale. A job's
wall time adds Python's start and the imports (its ``benchmarks/<rule>/`` file after a run).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from timing import interleaved_table, run_pinned

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    run_pinned(__file__)
    import yaml

    from lvebm import capacity as C
    from lvebm.data import held_out_slice, sample_slice
    from lvebm.exact import free_energy_exact
    from lvebm.meshgrid import map_points
    from lvebm.model import Decoder

    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    c, mesh = config["capacity"], config["mesh"]
    box = {axis: [mesh[axis]["start"], mesh[axis]["stop"]] for axis in ("y1", "y2")}
    decoder = Decoder(config["decoder"]["w1"], config["decoder"]["w2"])
    y1, y2 = map_points(box, c["map"])
    t = c["training"]
    samples = sample_slice(config["data"]["slice"]["n"], seed=config["seed"])
    held_out = held_out_slice(c["held_out"], seed=config["seed"])
    rows = {
        "capacity_scan: F at 5 lambdas, 121 x 81 points": lambda: C.scan_tables(
            decoder, c["lambdas"], y1, y2, grid=c["grid"]
        ),
        "train_capacity: 3 losses x 300 Adam steps, the cold optimum, the maps": lambda: (
            C.training_tables(
                samples,
                decoder,
                lam=t["start_lambda"],
                losses=t["losses"],
                steps=t["steps"],
                learning_rate=t["learning_rate"],
                margin=t["margin"],
                negatives=t["negatives"],
                held_out=held_out,
                box=box,
                num=c["map"],
                seed=config["seed"],
                cold={k: config["training"][k] for k in ("gtol", "max_iter")},
                grid=c["grid"],
            )
        ),
        "for scale: the 1-D exact solver on the 121 x 81 points": lambda: free_energy_exact(
            decoder, y1, y2
        ),
    }
    interleaved_table(
        rows, args.repeats, f".venv/bin/python bench/capacity.py --repeats {args.repeats}"
    )


if __name__ == "__main__":
    main()
