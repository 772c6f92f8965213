"""Adapter of rule warm_start: the encoders and the inference stage's mesh tables -> every
iterative optimizer started from each encoder's z_tilde beside the default start, and the
summary per start and optimizer."""

import sys

import numpy as np

from lvebm.amortized import (
    DEFAULT_START,
    encoder_network,
    guesser,
    warm_start,
    warm_start_summary,
)
from lvebm.inference import SCORE_COLUMNS
from lvebm.io import read_artifact, write_parquet
from lvebm.meshgrid import mesh_points
from lvebm.model import Decoder

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
net = encoder_network(**p.network)
encoders = {
    method: guesser(net, net.from_table(read_artifact(path), method))
    for method, path in zip(p.methods, snakemake.input.encoders, strict=True)
}
mesh = mesh_points(**p.mesh)
warm = warm_start(
    Decoder(**p.decoder), encoders, mesh.i, mesh.y1, mesh.y2, optimizers=p.optimizers,
    global_tol=p.global_tol,
)  # fmt: skip
parts = []
for name, path in zip(p.optimizers, snakemake.input.default, strict=True):
    table = read_artifact(path)
    size = table["i"].size
    parts.append({"start": np.full(size, DEFAULT_START, dtype=object),
                  "optimizer": np.full(size, name, dtype=object), **table})  # fmt: skip
parts.append(warm)
results = {column: np.concatenate([t[column] for t in parts]) for column in warm}
write_parquet(snakemake.output.results, results)
runs = []
for start in (DEFAULT_START, *p.methods):
    for name in p.optimizers:
        mine = (results["start"] == start) & (results["optimizer"] == name)
        runs.append(((start, name), {c: results[c][mine] for c in SCORE_COLUMNS}))
summary = warm_start_summary(runs)
write_parquet(snakemake.output.summary, summary)
for k in range(summary["start"].size):
    print(
        f"{summary['optimizer'][k]} from {summary['start'][k]}: local minima "
        f"{summary['local_min_rate'][k]:.3%}, mean iterations {summary['mean_iter'][k]:.3g}",
        file=sys.stderr,
    )
