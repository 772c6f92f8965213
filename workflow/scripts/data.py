"""The data stage's jobs (workflow/rules/data.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

from lvebm import data
from lvebm.pipeline.io import write_parquet
from lvebm.pipeline.jobs import run_job


def sample_horn(job):
    """The params -> lvebm.data.sample_horn -> horn.parquet."""
    horn = data.sample_horn(job.params.n, **job.params.sampler)
    write_parquet(job.output[0], horn)
    print(f"{job.output[0]}: {job.params.n} horn points", file=sys.stderr)


def sample_slice(job):
    """The params -> lvebm.data.sample_slice -> samples.parquet."""
    p = job.params
    samples = data.sample_slice(p.n, x=p.x, **p.sampler)
    write_parquet(job.output[0], samples)
    print(f"{job.output[0]}: {p.n} samples at x = {p.x}", file=sys.stderr)


run_job(snakemake, [sample_horn, sample_slice])
