"""Adapter of rule target_propagation: the samples -> decoder and encoder trained together from
the untrained decoder (the trajectory of w1, w2 and both losses; the encoder's parameters)."""

import sys

from lvebm.amortized import encoder_network, target_propagation
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
net = encoder_network(**p.network)
samples = read_artifact(snakemake.input.samples)
options = dict(p.options)
result = target_propagation(net, samples["y1"], samples["y2"], Decoder(**p.start), **options)
write_parquet(snakemake.output.params, net.table(result.theta, "target_propagation"))
write_parquet(snakemake.output.trajectory, result.trajectory)
print(
    f"decoder ({result.decoder.w1:.9g}, {result.decoder.w2:.9g}) after {options['steps']} "
    f"steps; distance {result.trajectory['distance'][-1]:.3g}",
    file=sys.stderr,
)
