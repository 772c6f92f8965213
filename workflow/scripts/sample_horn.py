"""Adapter of rule sample_horn: params -> lvebm.data.sample_horn -> horn.parquet."""

import sys

from lvebm.data import sample_horn
from lvebm.pipeline.io import write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

horn = sample_horn(snakemake.params.n, **snakemake.params.sampler)
write_parquet(snakemake.output[0], horn)
print(f"{snakemake.output[0]}: {snakemake.params.n} horn points", file=sys.stderr)
