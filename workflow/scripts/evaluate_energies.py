"""Adapter of rule evaluate_energies: samples.parquet -> lvebm.model.energy_table -> energies."""

import sys

from lvebm.model import Decoder, energy_table
from lvebm.pipeline.io import read_artifact, write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

samples = read_artifact(snakemake.input.samples)
decoder = Decoder(**snakemake.params.decoder)
table = energy_table(decoder, samples["i"], samples["y1"], samples["y2"], snakemake.params.n)
write_parquet(snakemake.output[0], table)
print(f"{snakemake.output[0]}: {table['E'].size} energies", file=sys.stderr)
