"""Adapter of the gather rules (gather_free_energy_mesh, gather_relaxed_free_energy): the shards
of a mesh -> one Parquet file whose bytes do not depend on the number of shards."""

import sys

from lvebm.pipeline.io import check_artifact, concat_parquet
from lvebm.pipeline.jobs import log_to_rule

log_to_rule(snakemake)  # stderr, uncaught tracebacks included, to the rule's log

for shard in snakemake.input.shards:
    check_artifact(shard)
rows = concat_parquet(snakemake.input.shards, snakemake.output[0])
if rows != snakemake.params.points:
    raise RuntimeError(f"shards hold {rows} mesh points, expected {snakemake.params.points}")
print(f"{len(snakemake.input.shards)} shards, {rows} points", file=sys.stderr)
