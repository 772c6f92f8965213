"""Adapter of rule relaxed_cross_section: F_beta along a line for every beta -> Parquet."""

import sys

from lvebm.model import Decoder
from lvebm.pipeline.io import write_parquet
from lvebm.pipeline.relaxed_tables import cross_section

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
table = cross_section(Decoder(**p.decoder), **p.line, betas=p.betas, n=p.n)
write_parquet(snakemake.output[0], table)
print(
    f"{table['beta'].size} rows: {p.line['num']} points x {len(p.betas)} betas + inf",
    file=sys.stderr,
)
