"""Adapter of rule amortization_gap: one trained encoder -> z_tilde, z_check, the gap and the
distance to the ridge on a grid over the mesh's box."""

import sys

import numpy as np

from lvebm.amortized import encoder_network, gap_table, guesser
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
method = snakemake.wildcards.method
net = encoder_network(**p.network)
guess = guesser(net, net.from_table(read_artifact(snakemake.input.encoder), method))
# y2-major, as the mesh tables: row j holds y2[j] and every y1
axes = [np.linspace(*p.box[axis], p.num[axis]) for axis in ("y1", "y2")]
y2, y1 = np.meshgrid(axes[1], axes[0], indexing="ij")
table = gap_table(Decoder(**p.decoder), {method: guess}, y1.ravel(), y2.ravel())
write_parquet(snakemake.output[0], table)
gap = table["gap"]
print(f"{method}: gap median {np.median(gap):.3g}, max {gap.max():.3g}", file=sys.stderr)
