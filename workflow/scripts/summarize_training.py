"""Adapter of rule summarize_training: one result per beta -> the training summary."""

import sys

from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.training_tables import concat_tables

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

summary = concat_tables(read_artifact(path) for path in snakemake.input.results)
write_parquet(snakemake.output[0], summary)
print(f"{summary['beta'].size} trained decoders", file=sys.stderr)
