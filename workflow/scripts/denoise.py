"""Adapter of rule denoise: held-out noisy slice samples -> denoised by the untrained and the
trained decoder (figure 22)."""

import sys

import numpy as np

from lvebm.data import held_out_slice
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.training_tables import denoise_table, reference_decoder

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
trained = reference_decoder(read_artifact(snakemake.input.summary), beta=np.inf, method=p.method)
decoders = {"untrained": Decoder(**p.untrained), "trained": trained}
held_out = held_out_slice(p.held_out, x=p.x, **p.sampler)
write_parquet(snakemake.output[0], denoise_table(held_out, decoders))
print(f"denoised {p.held_out} held-out samples with {trained}", file=sys.stderr)
