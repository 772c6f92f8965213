"""The probabilistic stage's jobs (workflow/rules/probabilistic.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

from lvebm import portable
from lvebm.data import held_out_slice
from lvebm.model import Decoder
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job
from lvebm.probabilistic import em_tables, held_out_table


def fit_em(job):
    """The samples -> EM with beta learned (grid and continuous latents) and draws from each learned
    model."""
    p = job.params
    paths, draws = em_tables(
        read_artifact(job.input.samples),
        Decoder(**p.start),
        beta=p.beta,
        n=p.n,
        tol=p.tol,
        max_iter=p.max_iter,
        size=p.size,
        seed=p.seed,
    )
    write_parquet(job.output.em, paths)
    write_parquet(job.output.samples, draws)
    for latent in ("grid", "continuous"):
        k = max(j for j, v in enumerate(paths["latent"]) if v == latent)
        w1, w2, beta, step = (paths[c][k] for c in ("w1", "w2", "beta", "step"))
        print(
            f"{latent}: w = ({w1:.6g}, {w2:.6g}), beta = {beta:.6g}, steps {step}",
            file=sys.stderr,
        )


def held_out_likelihood(job):
    """The samples -> at each beta of the scan, the decoder of maximum likelihood and its mean
    log-likelihood on them and on held-out samples of the slice."""
    p = job.params
    held_out = held_out_slice(p.held_out, x=p.x, **p.sampler)
    betas = portable.geomspace(p.scan["start"], p.scan["stop"], p.scan["num"])
    table = held_out_table(
        read_artifact(job.input.samples),
        held_out,
        betas,
        Decoder(**p.start),
        tol=p.tol,
        max_iter=p.max_iter,
    )
    write_parquet(job.output[0], table)
    print(f"best beta {table['beta'][table['best']]}", file=sys.stderr)


run_job(snakemake, [fit_em, held_out_likelihood])
