"""Adapter of rule train_decoder: the samples -> the decoder trained at one beta by each method."""

import sys

from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.training import train

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
samples = read_artifact(snakemake.input.samples)
results, trajectory, landscape = train(
    samples["y1"], samples["y2"], Decoder(**p.start), **p.training
)
write_parquet(snakemake.output.trajectory, trajectory)
write_parquet(snakemake.output.landscape, landscape)
write_parquet(snakemake.output.result, results)
for row in zip(*results.values(), strict=True):
    print(dict(zip(results, row, strict=True)), file=sys.stderr)
