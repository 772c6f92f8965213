"""Adapter of rule training_scans: one epoch of per-sample steps per learning rate, and L-BFGS
training over a fine scan of betas."""

import sys

import numpy as np

from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.training import learning_rate_scan, temperature_scan

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
samples = read_artifact(snakemake.input.samples)
y1, y2, start = samples["y1"], samples["y2"], Decoder(**p.start)
rates = np.geomspace(p.rates["start"], p.rates["stop"], p.rates["num"])
table = learning_rate_scan(y1, y2, start, rates=rates, seed=p.seed, **p.lbfgs)
write_parquet(snakemake.output.learning_rates, table)
print(f"within 1 % after one epoch: {rates[table['within_1pct']]}", file=sys.stderr)
betas = np.geomspace(p.betas["start"], p.betas["stop"], p.betas["num"])
write_parquet(
    snakemake.output.temperature, temperature_scan(y1, y2, start, betas=betas, n=p.n, **p.lbfgs)
)
print(f"{betas.size} betas", file=sys.stderr)
