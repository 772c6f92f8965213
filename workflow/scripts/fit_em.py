"""Adapter of rule fit_em: the samples -> EM with beta learned (grid and continuous latents) and
draws from each learned model."""

import sys

from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.probabilistic import em_tables

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
paths, draws = em_tables(
    read_artifact(snakemake.input.samples), Decoder(**p.start), beta=p.beta, n=p.n, tol=p.tol,
    max_iter=p.max_iter, size=p.size, seed=p.seed,
)  # fmt: skip
write_parquet(snakemake.output.em, paths)
write_parquet(snakemake.output.samples, draws)
for latent in ("grid", "continuous"):
    k = max(j for j, v in enumerate(paths["latent"]) if v == latent)
    w1, w2, beta, step = (paths[c][k] for c in ("w1", "w2", "beta", "step"))
    print(f"{latent}: w = ({w1:.6g}, {w2:.6g}), beta = {beta:.6g}, steps {step}", file=sys.stderr)
