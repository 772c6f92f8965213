"""Adapter of rule gather_free_energy_mesh: shards -> free_energy.parquet (shard-independent)."""

from contextlib import redirect_stderr

from lvebm.io import concat_parquet

with open(snakemake.log[0], "w") as log, redirect_stderr(log):
    rows = concat_parquet(snakemake.input.shards, snakemake.output[0])
    if rows != snakemake.params.points:
        raise RuntimeError(f"shards hold {rows} mesh points, expected {snakemake.params.points}")
    print(f"{len(snakemake.input.shards)} shards, {rows} points", file=log)
