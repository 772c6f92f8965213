"""Adapter of rule highlight_points: highlighted points -> their energy curves, z_check, F."""

import sys

from lvebm.mesh import highlight_curves
from lvebm.model import Decoder
from lvebm.pipeline.io import write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
write_parquet(snakemake.output[0], highlight_curves(Decoder(**p.decoder), p.points, **p.curve))
print(f"{len(p.points)} highlighted points", file=sys.stderr)
