"""Adapter of rule held_out_likelihood: the trained decoders -> their mean log-likelihood on
held-out samples of the slice, at each training beta."""

import sys

from lvebm.data import held_out_slice
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.probabilistic import held_out_table

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
held_out = held_out_slice(p.held_out, x=p.x, **p.sampler)
table = held_out_table(read_artifact(snakemake.input.summary), held_out, method=p.method)
write_parquet(snakemake.output[0], table)
print(f"best beta {table['beta'][table['best']]}", file=sys.stderr)
