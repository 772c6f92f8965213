"""Adapter of rule train_conditional: horn samples -> the latent model f(x) and the regression
baseline, trained from one initialisation (parameters and loss trajectories)."""

import sys

from lvebm.conditional import Network, fit, training_samples
from lvebm.pipeline.io import write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
net = Network(tuple(p.network["sizes"]), p.network["activation"])
samples = training_samples(**p.samples)
params, trajectory = fit(
    net, samples, init_seed=p.init_seed, schedule=p.schedule, weight_decay=p.weight_decay
)
write_parquet(snakemake.output.params, params)
write_parquet(snakemake.output.trajectory, trajectory)
for model in ("latent", "baseline"):
    loss = trajectory["loss"][trajectory["model"] == model]
    print(
        f"{model}: loss {loss[0]:.6g} -> {loss[-1]:.6g} in {loss.size - 1} steps", file=sys.stderr
    )
