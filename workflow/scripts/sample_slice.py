"""Adapter of rule sample_slice: params -> lvebm.data.sample_slice -> samples.parquet."""

from contextlib import redirect_stderr

from lvebm.data import sample_slice
from lvebm.io import write_parquet

with open(snakemake.log[0], "w") as log, redirect_stderr(log):
    p = snakemake.params
    samples = sample_slice(p.n, x=p.x, **p.sampler)
    write_parquet(snakemake.output[0], samples)
    print(f"{snakemake.output[0]}: {p.n} samples at x = {p.x}", file=log)
