"""Adapter of rule relaxed_free_energy_mesh: F_beta on one block of mesh points -> one shard."""

import sys
from functools import partial

from lvebm.meshgrid import field_blocks
from lvebm.model import Decoder
from lvebm.pipeline.io import write_parquet_chunks
from lvebm.pipeline.relaxed_tables import relaxed_field

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
field = partial(relaxed_field, Decoder(**p.decoder), **p.relaxed)
blocks = field_blocks(field, **p.mesh, **p.shard, chunk=p.chunk)
write_parquet_chunks(snakemake.output[0], blocks)
print(f"mesh points [{p.shard['start']}, {p.shard['stop']}) at {p.relaxed}", file=sys.stderr)
