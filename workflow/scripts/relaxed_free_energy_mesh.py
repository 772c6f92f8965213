"""Adapter of rule relaxed_free_energy_mesh: F_beta on one block of mesh points -> one shard."""

import sys

from lvebm.io import write_parquet_chunks
from lvebm.model import Decoder
from lvebm.relaxed import relaxed_blocks

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
blocks = relaxed_blocks(Decoder(**p.decoder), **p.mesh, **p.shard, chunk=p.chunk, **p.relaxed)
write_parquet_chunks(snakemake.output[0], blocks)
print(f"mesh points [{p.shard['start']}, {p.shard['stop']}) at {p.relaxed}", file=sys.stderr)
