"""Adapter of rules infer and trace: one optimizer on one point set -> its results (rule infer)
or its iterates (rule trace), whichever output the rule declares.

The mesh point set is processed in blocks of ``mesh.chunk`` points, at most the library's
``BLOCK`` (one block for the optimizer: nothing to split and join again, and its working arrays
stay in cache), streamed to the file.
"""

import sys

import numpy as np

from lvebm.inference import infer
from lvebm.meshgrid import mesh_blocks
from lvebm.model import Decoder
from lvebm.optimize import BLOCK
from lvebm.pipeline.io import ParquetStream, read_artifact

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
if "points" in snakemake.input.keys():
    samples = read_artifact(snakemake.input.points)
    blocks = [(samples["i"], samples["y1"], samples["y2"])]
else:
    axes = {name: p.points[name] for name in ("y1_axis", "y2_axis")}
    blocks = mesh_blocks(**axes, chunk=min(p.points["chunk"], BLOCK))
traced = "trace" in snakemake.output.keys()
found = 0
with ParquetStream(snakemake.output[0]) as out:
    for labels, y1, y2 in blocks:
        table, iterates = infer(
            Decoder(**p.decoder),
            labels,
            y1,
            y2,
            method=snakemake.wildcards.optimizer,
            z_init=p.inference.get("z_init", np.nan),
            options=p.inference["options"],
            global_tol=p.inference.get("global_tol", 0.0),
            workers=snakemake.threads,
            trace=traced,
        )
        out.write(iterates if traced else table)
        found += int(table["global_min"].sum())
print(
    f"{snakemake.wildcards.optimizer} on {snakemake.wildcards.points}: {out.rows} "
    f"{'iterates' if traced else 'points'}; {found} points reached the global minimum",
    file=sys.stderr,
)
