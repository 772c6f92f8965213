"""Adapter of rule evaluate_conditional: the trained networks -> their radii on the x grid, the
held-out samples' F_inf, and the F_inf(x, y) maps of figure 26."""

import sys

import numpy as np

from lvebm.conditional import (
    Network,
    free_energy_maps,
    free_energy_table,
    radii_table,
    training_samples,
)
from lvebm.pipeline.io import read_artifact, write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p, out = snakemake.params, snakemake.output
net = Network(tuple(p.network["sizes"]), p.network["activation"])
params = read_artifact(snakemake.input.params)
x = np.linspace(p.x["start"], p.x["stop"], p.x["num"])
write_parquet(out.radii, radii_table(net, params, x, alpha=p.alpha, beta=p.beta))
table = free_energy_table(net, params, training_samples(**p.held_out))
write_parquet(out.free_energy, table)
write_parquet(out.maps, free_energy_maps(net, params, p.maps["x"], num=p.maps["num"],
                                         margin=p.maps["margin"]))  # fmt: skip
print(f"held-out median F_inf {np.median(table['F']):.6g}, untrained "
      f"{np.median(table['F_untrained']):.6g}", file=sys.stderr)  # fmt: skip
