"""The energy stage's jobs (workflow/rules/energy.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

from lvebm.model import Decoder, energy_table
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job


def evaluate_energies(job):
    """samples.parquet -> lvebm.model.energy_table -> energies."""
    samples = read_artifact(job.input.samples)
    decoder = Decoder(**job.params.decoder)
    table = energy_table(decoder, samples["i"], samples["y1"], samples["y2"], job.params.n)
    write_parquet(job.output[0], table)
    print(f"{job.output[0]}: {table['E'].size} energies", file=sys.stderr)


run_job(snakemake, [evaluate_energies])
