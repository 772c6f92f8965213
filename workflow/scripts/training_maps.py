"""Adapter of rule training_maps: the untrained and the trained decoder -> the maps of figure 18
(cold and warm free energies on the mesh, the warm weights toward one sample, each sample's
closest point)."""

import sys

import numpy as np

from lvebm.meshgrid import mesh_points
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.training_tables import reference_decoder, training_maps

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p, out = snakemake.params, snakemake.output
trained = reference_decoder(read_artifact(snakemake.input.summary), beta=np.inf, method=p.method)
decoders = {"untrained": Decoder(**p.untrained), "trained": trained}
samples = read_artifact(snakemake.input.samples)
row = int(np.flatnonzero(samples["i"] == p.warm_point)[0])
_, y1, y2 = mesh_points(**p.mesh)
point = (samples["y1"][row], samples["y2"][row])
tables = training_maps(decoders, y1, y2, warm_beta=p.warm_beta, n=p.n, point=point, samples=samples)
for path, table in zip((out.maps, out.weights, out.closest), tables, strict=True):
    write_parquet(path, table)
print(f"the maps of {trained} against the untrained {decoders['untrained']}", file=sys.stderr)
