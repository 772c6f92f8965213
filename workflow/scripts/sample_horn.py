"""Adapter of rule sample_horn: params -> lvebm.data.sample_horn -> horn.parquet."""

from contextlib import redirect_stderr

from lvebm.data import sample_horn
from lvebm.io import write_parquet

with open(snakemake.log[0], "w") as log, redirect_stderr(log):
    horn = sample_horn(snakemake.params.n, **snakemake.params.sampler)
    write_parquet(snakemake.output[0], horn)
    print(f"{snakemake.output[0]}: {snakemake.params.n} horn points", file=log)
