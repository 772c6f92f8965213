"""Benchmark of the variational stage (issue 38's budget: its jobs at most 20 s in total, 2 cores).

    .venv/bin/python bench/variational.py               # a Markdown table (bench/README.md)
    .venv/bin/python bench/variational.py --repeats 3

Under the pinned kernels (the jobs' environment, ``lvebm.pipeline.numerics``), with the default
config's ``variational.*``, in one process, each row the median over ``--repeats`` calls, the
rows interleaved per repeat: the parts of the ``variational_gaps`` job at one beta (the encoder's
training; the gap map: q* and F_beta on the 121 x 81 grid) and the ``posterior_draws`` job (three
points, three betas, 10^5 exact draws each). A job's wall time adds Python's start and the
imports (its ``benchmarks/<rule>/`` file after a run).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from timing import interleaved_table, run_pinned

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    run_pinned(__file__)
    import yaml

    from lvebm import variational as V
    from lvebm.meshgrid import map_points
    from lvebm.model import Decoder

    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    v, mesh = config["variational"], config["mesh"]
    box = {axis: [mesh[axis]["start"], mesh[axis]["stop"]] for axis in ("y1", "y2")}
    decoder = Decoder(config["decoder"]["w1"], config["decoder"]["w2"])
    e = v["encoder"]
    net = V.encoder_network(e["hidden"], e["activation"])
    y1, y2 = V.training_points(e["train"], box, seed=config["seed"])
    m1, m2 = map_points(box, v["map"])
    rows = {}
    for beta in v["betas"]:
        rows[f"variational_gaps, beta {beta:g}: the encoder's training"] = lambda beta=beta: (
            V.fit_encoder(
                net, decoder, y1, y2, beta, init_seed=e["init_seed"], schedule=e["schedule"]
            )
        )
        rows[f"variational_gaps, beta {beta:g}: q* and F_beta on the map"] = lambda beta=beta: (
            V.gap_table(decoder, m1, m2, beta)
        )
    rows["posterior_draws: 3 points x 3 betas x 10^5 draws"] = lambda: V.posterior_tables(
        decoder,
        {point["label"]: point["y"] for point in v["points"]},
        v["betas"],
        None,
        draws=v["draws"],
        bins=v["bins"],
        seed=709,
    )
    interleaved_table(
        rows, args.repeats, f".venv/bin/python bench/variational.py --repeats {args.repeats}"
    )


if __name__ == "__main__":
    main()
