"""The relaxed stage's jobs (workflow/rules/relaxed.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys
from functools import partial

from lvebm.meshgrid import field_blocks
from lvebm.model import Decoder
from lvebm.pipeline.io import (
    read_artifact,
    write_parquet,
    write_parquet_chunks,
)
from lvebm.pipeline.jobs import run_job
from lvebm.relaxed_tables import (
    cross_section,
    grid_error,
    relaxed_field,
    resolve_points,
    softmin_weights,
)


def relaxed_cross_section(job):
    """F_beta along a line for every beta -> Parquet."""
    p = job.params
    table = cross_section(Decoder(**p.decoder), **p.line, betas=p.betas, n=p.n)
    write_parquet(job.output[0], table)
    print(
        f"{table['beta'].size} rows: {p.line['num']} points x {len(p.betas)} betas + inf",
        file=sys.stderr,
    )


def relaxed_weights(job):
    """The points' soft-argmin weights over the latent grid."""
    p = job.params
    names, y1, y2 = resolve_points(p.points, read_artifact(job.input.samples))
    write_parquet(
        job.output[0],
        softmin_weights(Decoder(**p.decoder), names, y1, y2, beta=p.beta, n=p.n),
    )
    print(f"weights of {names} at beta = {p.beta}", file=sys.stderr)


def relaxed_grid_error(job):
    """Grid against continuous F_beta over a scan of betas."""
    p = job.params
    names, y1, y2 = resolve_points(p.points, read_artifact(job.input.samples))
    scan = {
        "beta_start": p.scan["start"],
        "beta_stop": p.scan["stop"],
        "num": p.scan["num"],
    }
    write_parquet(job.output[0], grid_error(Decoder(**p.decoder), names, y1, y2, **scan, n=p.n))
    print(f"{p.scan['num']} betas for {names}", file=sys.stderr)


def relaxed_free_energy_mesh(job):
    """F_beta on one block of mesh points -> one shard."""
    p = job.params
    field = partial(relaxed_field, Decoder(**p.decoder), **p.relaxed)
    blocks = field_blocks(field, **p.mesh, **p.shard, chunk=p.chunk)
    write_parquet_chunks(job.output[0], blocks)
    print(
        f"mesh points [{p.shard['start']}, {p.shard['stop']}) at {p.relaxed}",
        file=sys.stderr,
    )


run_job(
    snakemake,
    [relaxed_cross_section, relaxed_weights, relaxed_grid_error, relaxed_free_energy_mesh],
)
