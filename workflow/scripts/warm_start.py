"""Adapter of rule warm_start: one trained encoder -> every iterative optimizer of the inference
stage started from its z_tilde on the mesh, scored as the inference stage scores it, and the
summary per optimizer (the default start's are the inference stage's own tables)."""

import sys

from lvebm.amortized import encoder_network, guesser, warm_start, warm_start_summary
from lvebm.inference import SCORE_COLUMNS
from lvebm.meshgrid import mesh_points
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
method = snakemake.wildcards.method
net = encoder_network(**p.network)
guess = guesser(net, net.from_table(read_artifact(snakemake.input.encoder), method))
mesh = mesh_points(**p.mesh)
results = warm_start(
    Decoder(**p.decoder), {method: guess}, mesh.i, mesh.y1, mesh.y2, optimizers=p.optimizers,
    global_tol=p.global_tol,
)  # fmt: skip
write_parquet(snakemake.output.results, results)
runs = []
for name in p.optimizers:
    mine = results["optimizer"] == name
    runs.append(((method, name), {c: results[c][mine] for c in SCORE_COLUMNS}))
summary = warm_start_summary(runs)
write_parquet(snakemake.output.summary, summary)
for k in range(summary["start"].size):
    print(
        f"{summary['optimizer'][k]} from {method}: local minima "
        f"{summary['local_min_rate'][k]:.3%}, mean iterations {summary['mean_iter'][k]:.3g}",
        file=sys.stderr,
    )
