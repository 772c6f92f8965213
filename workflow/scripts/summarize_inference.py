"""Adapter of rule summarize_inference: every inference table -> summary.parquet.

The tables are read one at a time, only the columns the summary scores (lvebm.inference's
SCORE_COLUMNS), so memory holds one table's five columns at once."""

import sys

from lvebm.inference import SCORE_COLUMNS, summarize
from lvebm.pipeline.io import read_artifact, write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

runs = [tuple(run) for run in snakemake.params.runs]
tables = (
    (run, read_artifact(path, columns=list(SCORE_COLUMNS)))
    for run, path in zip(runs, snakemake.input.results, strict=True)
)
write_parquet(snakemake.output[0], summarize(tables))
print(f"summarised {len(runs)} runs", file=sys.stderr)
