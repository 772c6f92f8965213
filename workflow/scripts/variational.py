"""The variational stage's jobs (workflow/rules/variational.smk): one function per rule, named as
its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr in
the rule's log (lvebm.pipeline.jobs)."""

import sys

import numpy as np

from lvebm.meshgrid import map_points
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job
from lvebm.variational import (
    encoder_network,
    fit_encoder,
    gap_summary,
    gap_table,
    posterior_tables,
    training_points,
)

MODEL = "variational"  # the encoder's model name in its parameter table


def variational_gaps(job):
    """One beta -> the encoder trained on the mean F_q over the box, and over the map F_beta, q*,
    the encoder's q and the two gaps."""
    p = job.params
    decoder = Decoder(**p.decoder)
    net = encoder_network(**p.network)
    y1, y2 = training_points(p.n, p.box, seed=p.seed)
    theta, path = fit_encoder(
        net, decoder, y1, y2, p.beta, init_seed=p.init_seed, schedule=p.schedule
    )
    table = gap_table(decoder, *map_points(p.box, p.num), p.beta, (net, theta))
    write_parquet(job.output.gaps, table)
    write_parquet(job.output.encoder, net.table(theta, MODEL))
    write_parquet(
        job.output.trajectory,
        {"beta": np.full(path["step"].size, p.beta), "step": path["step"], "loss": path["loss"]},
    )
    print(
        f"beta {p.beta:g}: mean approximation gap {np.mean(table['approximation_gap']):.3g}, "
        f"amortization gap {np.mean(table['amortization_gap']):.3g}",
        file=sys.stderr,
    )


def variational_summary(job):
    """Each beta's gap map -> one row per beta: the gaps on and off the ridge, the encoder's."""
    p = job.params
    tables = [read_artifact(path) for path in job.input.gaps]
    write_parquet(job.output[0], gap_summary(tables, p.betas, p.band))


def posterior_draws(job):
    """The encoders -> at each chosen point and beta the exact posterior, q*, the encoder's q,
    exact draws' histogram and their Kolmogorov-Smirnov test."""
    p = job.params
    net = encoder_network(**p.network)
    encoders = [(net, net.from_table(read_artifact(path), MODEL)) for path in job.input.encoders]
    posteriors, histogram, summary = posterior_tables(
        Decoder(**p.decoder),
        {point["label"]: point["y"] for point in p.points},
        p.betas,
        encoders,
        draws=p.draws,
        bins=p.bins,
        seed=p.seed,
    )
    write_parquet(job.output.posteriors, posteriors)
    write_parquet(job.output.draws, histogram)
    write_parquet(job.output.summary, summary)
    for k, point in enumerate(summary["point"]):
        print(
            f"{point} beta {summary['beta'][k]:g}: acceptance {summary['acceptance'][k]:.3f}, "
            f"K-S p-value {summary['p_value'][k]:.3f}",
            file=sys.stderr,
        )


run_job(snakemake, [variational_gaps, variational_summary, posterior_draws])
