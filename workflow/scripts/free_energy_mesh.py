"""Adapter of rule free_energy_mesh: one block of mesh points -> one shard, in bounded memory."""

import sys

from lvebm.mesh import free_energy_blocks
from lvebm.model import Decoder
from lvebm.pipeline.io import write_parquet_chunks

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
blocks = free_energy_blocks(Decoder(**p.decoder), **p.mesh, **p.shard, chunk=p.chunk, **p.method)
write_parquet_chunks(snakemake.output[0], blocks)
print(
    f"mesh points [{p.shard['start']}, {p.shard['stop']}) by {p.method['method']}", file=sys.stderr
)
