"""Adapter of rule summarize_inference: every inference table -> summary.parquet."""

from contextlib import redirect_stderr

from lvebm.inference import summarize
from lvebm.io import read_columns, write_parquet

with open(snakemake.log[0], "w") as log, redirect_stderr(log):
    runs = [tuple(run) for run in snakemake.params.runs]
    tables = {
        run: read_columns(path) for run, path in zip(runs, snakemake.input.results, strict=True)
    }
    write_parquet(snakemake.output[0], summarize(tables))
    print(f"summarised {len(tables)} runs", file=log)
