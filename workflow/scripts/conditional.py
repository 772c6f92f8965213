"""The conditional stage's jobs (workflow/rules/conditional.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

import numpy as np

from lvebm.conditional import (
    Network,
    fit,
    free_energy_maps,
    free_energy_table,
    radii_table,
    training_samples,
)
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job


def train_conditional(job):
    """Horn samples -> the latent model f(x) and the regression baseline, trained from one
    initialisation (parameters and loss trajectories)."""
    p = job.params
    net = Network(tuple(p.network["sizes"]), p.network["activation"])
    samples = training_samples(**p.samples)
    params, trajectory = fit(
        net,
        samples,
        init_seed=p.init_seed,
        schedule=p.schedule,
        weight_decay=p.weight_decay,
    )
    write_parquet(job.output.params, params)
    write_parquet(job.output.trajectory, trajectory)
    for model in ("latent", "baseline"):
        loss = trajectory["loss"][trajectory["model"] == model]
        print(
            f"{model}: loss {loss[0]:.6g} -> {loss[-1]:.6g} in {loss.size - 1} steps",
            file=sys.stderr,
        )


def evaluate_conditional(job):
    """The trained networks -> their radii on the x grid, the held-out samples' F_inf, and the
    F_inf(x, y) maps of figure 26."""
    p, out = job.params, job.output
    net = Network(tuple(p.network["sizes"]), p.network["activation"])
    params = read_artifact(job.input.params)
    x = np.linspace(p.x["start"], p.x["stop"], p.x["num"])
    write_parquet(out.radii, radii_table(net, params, x, alpha=p.alpha, beta=p.beta))
    table = free_energy_table(net, params, training_samples(**p.held_out))
    write_parquet(out.free_energy, table)
    write_parquet(
        out.maps,
        free_energy_maps(net, params, p.maps["x"], num=p.maps["num"], margin=p.maps["margin"]),
    )
    print(
        f"held-out median F_inf {np.median(table['F']):.6g}, untrained "
        f"{np.median(table['F_untrained']):.6g}",
        file=sys.stderr,
    )


run_job(snakemake, [train_conditional, evaluate_conditional])
