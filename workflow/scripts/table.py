"""Adapter of every table rule: a summary artifact -> a self-contained HTML table for the report,
written atomically."""

import sys

from lvebm.pipeline.io import atomic_path, read_artifact
from lvebm.pipeline.jobs import log_to_rule
from lvebm.pipeline.report_tables import html_table

log_to_rule(snakemake)  # stderr, uncaught tracebacks included, to the rule's log

columns = read_artifact(snakemake.input.table)
page = html_table(columns, title=snakemake.params.title)
with atomic_path(snakemake.output[0]) as tmp:
    tmp.write_text(page)
print(f"{snakemake.output[0]} from {snakemake.input.table}", file=sys.stderr)
