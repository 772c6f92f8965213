"""Adapter of rule highlight_points: highlighted points -> their energy curves, z_check, F."""

from contextlib import redirect_stderr

from lvebm.io import write_parquet
from lvebm.mesh import highlight_curves
from lvebm.model import Decoder

with open(snakemake.log[0], "w") as log, redirect_stderr(log):
    p = snakemake.params
    write_parquet(snakemake.output[0], highlight_curves(Decoder(**p.decoder), p.points, **p.curve))
    print(f"{len(p.points)} highlighted points", file=log)
