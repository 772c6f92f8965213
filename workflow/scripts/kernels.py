"""The kernels stage's jobs (workflow/rules/kernels.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

from lvebm.pipeline.io import write_parquet
from lvebm.pipeline.jobs import run_job
from lvebm.pipeline.numerics import kernels, platform_record


def record_platform(job):
    """This job's kernels (lvebm.pipeline.numerics) -> platform.parquet."""
    record = platform_record(job.params.pins)
    write_parquet(job.output[0], record)
    print(
        f"pins {job.params.pins}: {kernels(dict(zip(*record.values(), strict=True)))}",
        file=sys.stderr,
    )


run_job(snakemake, [record_platform])
