"""Adapter of rule trained_cross_section: the decoder trained at zero temperature -> its relaxed
cross-section at every beta (figure 19)."""

import sys

import numpy as np

from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.relaxed_tables import cross_section
from lvebm.pipeline.training_tables import reference_decoder

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
trained = reference_decoder(read_artifact(snakemake.input.summary), beta=np.inf, method=p.method)
write_parquet(snakemake.output[0], cross_section(trained, **p.line, betas=p.betas, n=p.grid_n))
print(f"the cross-section of {trained}", file=sys.stderr)
