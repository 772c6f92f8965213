"""Adapter of rule infer: one optimizer on one point set -> results and trace Parquet files.

The mesh point set is processed in blocks of ``mesh.chunk`` points, streamed to both files.
"""

import sys

import numpy as np

from lvebm.inference import infer
from lvebm.io import ParquetStream, read_artifact
from lvebm.meshgrid import mesh_blocks
from lvebm.model import Decoder

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
if "points" in snakemake.input.keys():
    samples = read_artifact(snakemake.input.points)
    blocks = [(samples["i"], samples["y1"], samples["y2"])]
else:
    blocks = mesh_blocks(**p.points)
out = snakemake.output
found = 0
with ParquetStream(out.results) as results, ParquetStream(out.trace) as trace:
    for labels, y1, y2 in blocks:
        table, iterates = infer(
            snakemake.wildcards.optimizer,
            Decoder(**p.decoder),
            labels,
            y1,
            y2,
            z_init=p.inference.get("z_init", np.nan),
            options=p.inference["options"],
            global_tol=p.inference.get("global_tol", 0.0),
            workers=snakemake.threads,
            trace=True,
        )
        results.write(table)
        trace.write(iterates)
        found += int(table["global_min"].sum())
print(
    f"{snakemake.wildcards.optimizer} on {results.rows} {snakemake.wildcards.points} points: "
    f"{found} reached the global minimum",
    file=sys.stderr,
)
