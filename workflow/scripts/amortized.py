"""The amortized stage's jobs (workflow/rules/amortized.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

import numpy as np

from lvebm import amortized
from lvebm.amortized import (
    band_summary,
    encoder_network,
    fit_encoder,
    gap_table,
    guesser,
    training_points,
    warm_start_summary,
)
from lvebm.inference import SCORE_COLUMNS
from lvebm.meshgrid import mesh_points
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job


def train_encoder(job):
    """Points uniform in the mesh's box -> the encoder trained by one method (supervised or energy):
    its parameters and loss trajectory."""
    p = job.params
    method = job.wildcards.method
    net = encoder_network(**p.network)
    points = training_points(p.n, p.box["y1"], p.box["y2"], seed=p.seed)
    theta, trajectory = fit_encoder(
        net,
        Decoder(**p.decoder),
        points["y1"],
        points["y2"],
        method=method,
        init_seed=p.init_seed,
        schedule=p.schedule,
    )
    write_parquet(job.output.params, net.table(theta, method))
    labels = np.full(trajectory["step"].size, method, dtype=object)
    write_parquet(job.output.trajectory, {"method": labels, **trajectory})
    loss = trajectory["loss"]
    print(
        f"{method}: loss {loss[0]:.6g} -> {loss[-1]:.6g} in {loss.size - 1} steps",
        file=sys.stderr,
    )


def target_propagation(job):
    """The samples -> decoder and encoder trained together from the untrained decoder (the
    trajectory of w1, w2 and both losses; the encoder's parameters)."""
    p = job.params
    net = encoder_network(**p.network)
    samples = read_artifact(job.input.samples)
    options = dict(p.options)
    result = amortized.target_propagation(
        net, samples["y1"], samples["y2"], Decoder(**p.start), **options
    )
    write_parquet(job.output.params, net.table(result.theta, "target_propagation"))
    write_parquet(job.output.trajectory, result.trajectory)
    print(
        f"decoder ({result.decoder.w1:.9g}, {result.decoder.w2:.9g}) after {options['steps']} "
        f"steps; distance {result.trajectory['distance'][-1]:.3g}",
        file=sys.stderr,
    )


def amortization_gap(job):
    """One trained encoder -> z_tilde, z_check, the gap and the distance to the ridge on a grid over
    the mesh's box."""
    p = job.params
    method = job.wildcards.method
    net = encoder_network(**p.network)
    guess = guesser(net, net.from_table(read_artifact(job.input.encoder), method))
    # y2-major, as the mesh tables: row j holds y2[j] and every y1
    axes = [np.linspace(*p.box[axis], p.num[axis]) for axis in ("y1", "y2")]
    y2, y1 = np.meshgrid(axes[1], axes[0], indexing="ij")
    table = gap_table(Decoder(**p.decoder), {method: guess}, y1.ravel(), y2.ravel())
    write_parquet(job.output[0], table)
    gap = table["gap"]
    print(
        f"{method}: gap median {np.median(gap):.3g}, max {gap.max():.3g}",
        file=sys.stderr,
    )


def gap_band(job):
    """The gap map -> per encoder, the gap off and inside the band around the ridge."""
    table = band_summary(read_artifact(job.input.gap), job.params.band)
    write_parquet(job.output[0], table)
    for k, method in enumerate(table["method"]):
        print(
            f"{method}: median gap off the band {table['median_off'][k]:.3g}, "
            f"share inside {table['share_inside'][k]:.3f}",
            file=sys.stderr,
        )


def warm_start(job):
    """One trained encoder -> every iterative optimizer of the inference stage started from its
    z_tilde on the mesh, scored as the inference stage scores it, and the summary per optimizer (the
    default start's are the inference stage's own tables)."""
    p = job.params
    method = job.wildcards.method
    net = encoder_network(**p.network)
    guess = guesser(net, net.from_table(read_artifact(job.input.encoder), method))
    mesh = mesh_points(**p.mesh)
    results = amortized.warm_start(
        Decoder(**p.decoder),
        {method: guess},
        mesh.i,
        mesh.y1,
        mesh.y2,
        optimizers=p.optimizers,
        global_tol=p.global_tol,
    )
    write_parquet(job.output.results, results)
    runs = []
    for name in p.optimizers:
        mine = results["optimizer"] == name
        runs.append(((method, name), {c: results[c][mine] for c in SCORE_COLUMNS}))
    summary = warm_start_summary(runs)
    write_parquet(job.output.summary, summary)
    for k in range(summary["start"].size):
        print(
            f"{summary['optimizer'][k]} from {method}: local minima "
            f"{summary['local_min_rate'][k]:.3%}, mean iterations {summary['mean_iter'][k]:.3g}",
            file=sys.stderr,
        )


run_job(snakemake, [train_encoder, target_propagation, amortization_gap, gap_band, warm_start])
