"""The explorer stage's jobs (workflow/rules/explorer.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

import numpy as np

from lvebm.explorer import decoder_table, temperature_tables
from lvebm.model import Decoder
from lvebm.pipeline import explorer_page as page_data
from lvebm.pipeline.io import atomic_path, read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job
from lvebm.relaxed_tables import line_points, resolve_points


def explorer_data(job):
    """The samples and the temperature scan's betas -> what every slider position of the explorer
    shows (lvebm.explorer), written atomically."""
    p = job.params
    samples = read_artifact(job.input.samples)
    betas = read_artifact(job.input.temperature, ["beta"])["beta"]
    line_y1, line_y2 = line_points(p.line["start"], p.line["stop"], p.line["num"])
    names, y1, y2 = resolve_points(p.points, samples)
    line, weights = temperature_tables(
        Decoder(*p.decoder), line_y1, line_y2, names, y1, y2, betas=betas, n=p.n
    )
    axes = [np.linspace(a["start"], a["stop"], a["num"]) for a in (p.mesh["y1"], p.mesh["y2"])]
    mesh_y1, mesh_y2 = np.meshgrid(*axes, indexing="ij")
    radii = np.linspace(p.radii["start"], p.radii["stop"], p.radii["num"])
    decoders = decoder_table(radii, mesh_y1, mesh_y2, line_y1, line_y2)
    write_parquet(job.output.line, line)
    write_parquet(job.output.weights, weights)
    write_parquet(job.output.decoders, decoders)
    print(f"{betas.size} betas, {radii.size}^2 decoders", file=sys.stderr)


def explorer_page(job):
    """The explorer's tables -> one self-contained HTML page (lvebm.pipeline.explorer_page), written
    atomically."""
    p = job.params
    tables = {
        name: read_artifact(path)
        for name, path in job.input.items()
        if name not in ("library", "script")
    }
    data = page_data.explorer_data(**tables, decoder=p.decoder, vmax=p.vmax)
    page = page_data.explorer_html(data, title="lvebm explorer: temperature and decoder")
    with atomic_path(job.output[0]) as tmp:
        tmp.write_text(page)
    print(f"{job.output[0]}: {len(page)} characters", file=sys.stderr)


run_job(snakemake, [explorer_data, explorer_page])
