"""Adapter of rule train_encoder: points uniform in the mesh's box -> the encoder trained by one
method (supervised or energy): its parameters and loss trajectory."""

import sys

import numpy as np

from lvebm.amortized import encoder_network, fit_encoder, training_points
from lvebm.model import Decoder
from lvebm.pipeline.io import write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
method = snakemake.wildcards.method
net = encoder_network(**p.network)
points = training_points(p.n, p.box["y1"], p.box["y2"], seed=p.seed)
theta, trajectory = fit_encoder(
    net, Decoder(**p.decoder), points["y1"], points["y2"], method=method,
    init_seed=p.init_seed, schedule=p.schedule,
)  # fmt: skip
write_parquet(snakemake.output.params, net.table(theta, method))
labels = np.full(trajectory["step"].size, method, dtype=object)
write_parquet(snakemake.output.trajectory, {"method": labels, **trajectory})
loss = trajectory["loss"]
print(f"{method}: loss {loss[0]:.6g} -> {loss[-1]:.6g} in {loss.size - 1} steps", file=sys.stderr)
