"""Adapter of rule relaxed_weights: the points' soft-argmin weights over the latent grid."""

import sys

from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.relaxed_tables import resolve_points, softmin_weights

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
names, y1, y2 = resolve_points(p.points, read_artifact(snakemake.input.samples))
write_parquet(
    snakemake.output[0], softmin_weights(Decoder(**p.decoder), names, y1, y2, beta=p.beta, n=p.n)
)
print(f"weights of {names} at beta = {p.beta}", file=sys.stderr)
