"""Adapter of every table rule: a summary artifact -> a self-contained HTML table for the report,
written atomically."""

import sys

from lvebm.pipeline.io import atomic_path, read_artifact
from lvebm.pipeline.report_tables import html_table

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

columns = read_artifact(snakemake.input.table)
page = html_table(columns, title=snakemake.params.title)
with atomic_path(snakemake.output[0]) as tmp:
    tmp.write_text(page)
print(f"{snakemake.output[0]} from {snakemake.input.table}", file=sys.stderr)
