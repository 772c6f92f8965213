"""Adapter of rule explorer_data: the samples and the temperature scan's betas -> what every
slider position of the explorer shows (lvebm.explorer), written atomically."""

import sys

import numpy as np

from lvebm.explorer import decoder_table, temperature_tables, thinned
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.relaxed_tables import line_points, resolve_points

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
samples = read_artifact(snakemake.input.samples)
betas = read_artifact(snakemake.input.temperature, ["beta"])["beta"]
line_y1, line_y2 = line_points(p.line["start"], p.line["stop"], p.line["num"])
names, y1, y2 = resolve_points(p.points, samples)
line, weights = temperature_tables(Decoder(*p.decoder), line_y1, line_y2, names, y1, y2,
                                   betas=betas, n=p.n)  # fmt: skip
axes = [thinned(np.linspace(a["start"], a["stop"], a["num"])) for a in (p.mesh["y1"], p.mesh["y2"])]
mesh_y1, mesh_y2 = np.meshgrid(*axes, indexing="ij")
radii = np.linspace(p.radii["start"], p.radii["stop"], p.radii["num"])
decoders = decoder_table(radii, mesh_y1, mesh_y2, line_y1, line_y2)
write_parquet(snakemake.output.line, line)
write_parquet(snakemake.output.weights, weights)
write_parquet(snakemake.output.decoders, decoders)
print(f"{betas.size} betas, {radii.size}^2 decoders", file=sys.stderr)
