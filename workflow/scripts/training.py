"""The training stage's jobs (workflow/rules/training.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

import numpy as np

from lvebm import portable, training_tables
from lvebm.columns import concat
from lvebm.data import held_out_slice
from lvebm.meshgrid import mesh_points
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job
from lvebm.relaxed_tables import cross_section
from lvebm.training import learning_rate_scan, temperature_scan, train
from lvebm.training_tables import (
    denoise_table,
    reference_decoder,
)


def train_decoder(job):
    """The samples -> the decoder trained at one beta by each method."""
    p = job.params
    samples = read_artifact(job.input.samples)
    results, trajectory, landscape = train(
        samples["y1"], samples["y2"], Decoder(**p.start), **p.training
    )
    write_parquet(job.output.trajectory, trajectory)
    write_parquet(job.output.landscape, landscape)
    write_parquet(job.output.result, results)
    for row in zip(*results.values(), strict=True):
        print(dict(zip(results, row, strict=True)), file=sys.stderr)


def summarize_training(job):
    """One result per beta -> the training summary."""
    summary = concat(read_artifact(path) for path in job.input.results)
    write_parquet(job.output[0], summary)
    print(f"{summary['beta'].size} trained decoders", file=sys.stderr)


def training_scans(job):
    """One epoch of per-sample steps per learning rate, and L-BFGS training over a fine scan of
    betas."""
    p = job.params
    samples = read_artifact(job.input.samples)
    y1, y2, start = samples["y1"], samples["y2"], Decoder(**p.start)
    rates = portable.geomspace(p.rates["start"], p.rates["stop"], p.rates["num"])
    table = learning_rate_scan(y1, y2, start, rates=rates, seed=p.seed, **p.lbfgs)
    write_parquet(job.output.learning_rates, table)
    print(f"within 1 % after one epoch: {rates[table['within_1pct']]}", file=sys.stderr)
    betas = portable.geomspace(p.betas["start"], p.betas["stop"], p.betas["num"])
    write_parquet(
        job.output.temperature,
        temperature_scan(y1, y2, start, betas=betas, n=p.n, **p.lbfgs),
    )
    print(f"{betas.size} betas", file=sys.stderr)


def trained_cross_section(job):
    """The decoder trained at zero temperature -> its relaxed cross-section at every beta (figure
    19)."""
    p = job.params
    trained = reference_decoder(read_artifact(job.input.summary), beta=np.inf, method=p.method)
    write_parquet(job.output[0], cross_section(trained, **p.line, betas=p.betas, n=p.grid_n))
    print(f"the cross-section of {trained}", file=sys.stderr)


def denoise(job):
    """Held-out noisy slice samples -> denoised by the untrained and the trained decoder (figure
    22)."""
    p = job.params
    trained = reference_decoder(read_artifact(job.input.summary), beta=np.inf, method=p.method)
    decoders = {"untrained": Decoder(**p.untrained), "trained": trained}
    held_out = held_out_slice(p.held_out, x=p.x, **p.sampler)
    write_parquet(job.output[0], denoise_table(held_out, decoders))
    print(f"denoised {p.held_out} held-out samples with {trained}", file=sys.stderr)


def training_maps(job):
    """The untrained and the trained decoder -> the maps of figure 18 (cold and warm free energies
    on the mesh, the warm weights toward one sample, each sample's closest point)."""
    p, out = job.params, job.output
    trained = reference_decoder(read_artifact(job.input.summary), beta=np.inf, method=p.method)
    decoders = {"untrained": Decoder(**p.untrained), "trained": trained}
    samples = read_artifact(job.input.samples)
    row = int(np.flatnonzero(samples["i"] == p.warm_point)[0])
    _, y1, y2 = mesh_points(**p.mesh)
    point = (samples["y1"][row], samples["y2"][row])
    tables = training_tables.training_maps(
        decoders, y1, y2, warm_beta=p.warm_beta, n=p.n, point=point, samples=samples
    )
    for path, table in zip((out.maps, out.weights, out.closest), tables, strict=True):
        write_parquet(path, table)
    print(
        f"the maps of {trained} against the untrained {decoders['untrained']}",
        file=sys.stderr,
    )


run_job(
    snakemake,
    [
        train_decoder,
        summarize_training,
        training_scans,
        trained_cross_section,
        denoise,
        training_maps,
    ],
)
