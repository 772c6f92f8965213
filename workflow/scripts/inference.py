"""The inference stage's jobs (workflow/rules/inference.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys

import numpy as np

from lvebm import inference
from lvebm.inference import SCORE_COLUMNS, summarize
from lvebm.meshgrid import mesh_blocks
from lvebm.model import Decoder
from lvebm.optimize import BLOCK
from lvebm.pipeline.io import ParquetStream, read_artifact, write_parquet
from lvebm.pipeline.jobs import run_job


def infer(job):
    """One optimizer on one point set -> its results (rule infer) or its iterates (rule trace),
    whichever output the rule declares.

    The mesh point set is processed in blocks of ``mesh.chunk`` points, at most the library's
    ``BLOCK`` (one block for the optimizer: nothing to split and join again, and its working arrays
    stay in cache), streamed to the file."""
    p = job.params
    if "points" in job.input.keys():
        samples = read_artifact(job.input.points)
        blocks = [(samples["i"], samples["y1"], samples["y2"])]
    else:
        axes = {name: p.points[name] for name in ("y1_axis", "y2_axis")}
        blocks = mesh_blocks(**axes, chunk=min(p.points["chunk"], BLOCK))
    traced = "trace" in job.output.keys()
    found = 0
    with ParquetStream(job.output[0]) as out:
        for labels, y1, y2 in blocks:
            table, iterates = inference.infer(
                Decoder(**p.decoder),
                labels,
                y1,
                y2,
                method=job.wildcards.optimizer,
                z_init=p.inference.get("z_init", np.nan),
                options=p.inference["options"],
                global_tol=p.inference.get("global_tol", 0.0),
                workers=job.threads,
                trace=traced,
            )
            out.write(iterates if traced else table)
            found += int(table["global_min"].sum())
    print(
        f"{job.wildcards.optimizer} on {job.wildcards.points}: {out.rows} "
        f"{'iterates' if traced else 'points'}; {found} points reached the global minimum",
        file=sys.stderr,
    )


def summarize_inference(job):
    """Every inference table -> summary.parquet.

    The tables are read one at a time, only the columns the summary scores (lvebm.inference's
    SCORE_COLUMNS), so memory holds one table's five columns at once."""
    runs = [tuple(run) for run in job.params.runs]
    tables = (
        (run, read_artifact(path, columns=list(SCORE_COLUMNS)))
        for run, path in zip(runs, job.input.results, strict=True)
    )
    write_parquet(job.output[0], summarize(tables))
    print(f"summarised {len(runs)} runs", file=sys.stderr)


def trace(job):
    """Rule trace (rule infer with the iterates as its output): the iterates."""
    infer(job)


run_job(snakemake, [infer, trace, summarize_inference])
