"""Adapter of the gather rules (gather_free_energy_mesh, gather_relaxed_free_energy): the shards
of a mesh -> one Parquet file whose bytes do not depend on the number of shards."""

import sys

from lvebm.pipeline.io import check_artifact, concat_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

for shard in snakemake.input.shards:
    check_artifact(shard)
rows = concat_parquet(snakemake.input.shards, snakemake.output[0])
if rows != snakemake.params.points:
    raise RuntimeError(f"shards hold {rows} mesh points, expected {snakemake.params.points}")
print(f"{len(snakemake.input.shards)} shards, {rows} points", file=sys.stderr)
