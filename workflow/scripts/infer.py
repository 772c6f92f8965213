"""Adapter of rule infer: one optimizer on one point set -> results and trace Parquet files."""

from contextlib import redirect_stderr

import numpy as np

from lvebm.inference import infer
from lvebm.io import read_columns, write_parquet
from lvebm.mesh import mesh_points
from lvebm.model import Decoder

with open(snakemake.log[0], "w") as log, redirect_stderr(log):
    p = snakemake.params
    if "points" in snakemake.input.keys():
        samples = read_columns(snakemake.input.points)
        labels, y1, y2 = samples["i"], samples["y1"], samples["y2"]
    else:
        labels, y1, y2 = mesh_points(**p.points)
    table, trace = infer(
        snakemake.wildcards.optimizer,
        Decoder(**p.decoder),
        labels,
        y1,
        y2,
        z_init=p.inference.get("z_init", np.nan),
        options=p.inference["options"],
        global_tol=p.inference.get("global_tol", 0.0),
    )
    write_parquet(snakemake.output.results, table)
    write_parquet(snakemake.output.trace, trace)
    print(
        f"{snakemake.wildcards.optimizer} on {labels.size} {snakemake.wildcards.points} points: "
        f"{table['global_min'].mean():.3f} reached the global minimum",
        file=log,
    )
