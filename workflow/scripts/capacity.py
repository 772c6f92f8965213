"""The capacity stage's jobs (workflow/rules/capacity.smk): one function per rule, named as its
rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr in the
rule's log (lvebm.pipeline.jobs)."""

import sys

from lvebm.capacity import scan_tables, training_tables
from lvebm.data import held_out_slice
from lvebm.meshgrid import map_points
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job


def capacity_scan(job):
    """The decoder -> the 2-D latent's F over the mesh's box at each lambda of the scan, and per
    lambda its summary (the collapse at 0, the first-order term toward the 1-D model)."""
    p = job.params
    scan, summary = scan_tables(
        Decoder(**p.decoder), p.lambdas, *map_points(p.box, p.num), grid=p.grid
    )
    write_parquet(job.output.scan, scan)
    write_parquet(job.output.summary, summary)
    for k, lam in enumerate(summary["lam"]):
        print(
            f"lambda {lam:g}: F max {summary['F_max'][k]:.3g}, median {summary['F_median'][k]:.3g}",
            file=sys.stderr,
        )


def train_capacity(job):
    """The samples -> the 2-D latent trained by each loss (its path, the trained models and their
    F over the mesh's box), beside the 1-D model's cold optimum."""
    p = job.params
    t = p.training
    trajectory, trained, maps = training_tables(
        read_artifact(job.input.samples),
        Decoder(**p.decoder),
        lam=t["start_lambda"],
        losses=t["losses"],
        steps=t["steps"],
        learning_rate=t["learning_rate"],
        margin=t["margin"],
        negatives=t["negatives"],
        held_out=held_out_slice(p.held_out, x=p.x, **p.sampler),
        box=p.box,
        num=p.num,
        seed=p.seed,
        cold=p.cold,
        grid=p.grid,
    )
    write_parquet(job.output.trajectory, trajectory)
    write_parquet(job.output.trained, trained)
    write_parquet(job.output.maps, maps)
    for k, loss in enumerate(trained["loss"]):
        print(
            f"{loss}: w = ({trained['w1'][k]:.6g}, {trained['w2'][k]:.6g}), "
            f"lambda {trained['lam'][k]:.6g}, held-out margin {trained['margin_median'][k]:.4g}",
            file=sys.stderr,
        )


run_job(snakemake, [capacity_scan, train_capacity])
