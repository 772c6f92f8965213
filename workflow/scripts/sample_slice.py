"""Adapter of rule sample_slice: params -> lvebm.data.sample_slice -> samples.parquet."""

import sys

from lvebm.data import sample_slice
from lvebm.pipeline.io import write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
samples = sample_slice(p.n, x=p.x, **p.sampler)
write_parquet(snakemake.output[0], samples)
print(f"{snakemake.output[0]}: {p.n} samples at x = {p.x}", file=sys.stderr)
