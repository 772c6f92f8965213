"""Adapter of rule relaxed_grid_error: grid against continuous F_beta over a scan of betas."""

import sys

from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.relaxed_tables import grid_error, resolve_points

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
names, y1, y2 = resolve_points(p.points, read_artifact(snakemake.input.samples))
scan = {"beta_start": p.scan["start"], "beta_stop": p.scan["stop"], "num": p.scan["num"]}
write_parquet(snakemake.output[0], grid_error(Decoder(**p.decoder), names, y1, y2, **scan, n=p.n))
print(f"{p.scan['num']} betas for {names}", file=sys.stderr)
