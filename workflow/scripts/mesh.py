"""The mesh stage's jobs (workflow/rules/mesh.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

from lvebm.mesh import free_energy_blocks, highlight_curves
from lvebm.model import Decoder
from lvebm.pipeline.io import write_parquet, write_parquet_chunks
from lvebm.pipeline.jobs import run_job


def free_energy_mesh(job):
    """One block of mesh points -> one shard, in bounded memory."""
    p = job.params
    blocks = free_energy_blocks(
        Decoder(**p.decoder), **p.mesh, **p.shard, chunk=p.chunk, **p.method
    )
    write_parquet_chunks(job.output[0], blocks)
    print(
        f"mesh points [{p.shard['start']}, {p.shard['stop']}) by {p.method['method']}",
        file=sys.stderr,
    )


def highlight_points(job):
    """Highlighted points -> their energy curves, z_check, F."""
    p = job.params
    write_parquet(job.output[0], highlight_curves(Decoder(**p.decoder), p.points, **p.curve))
    print(f"{len(p.points)} highlighted points", file=sys.stderr)


run_job(snakemake, [free_energy_mesh, highlight_points])
