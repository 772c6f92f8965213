"""Adapter of rule explorer_page: the explorer's tables -> one self-contained HTML page
(lvebm.pipeline.explorer_page), written atomically."""

import sys

from lvebm.pipeline.explorer_page import explorer_data, explorer_html
from lvebm.pipeline.io import atomic_path, read_artifact

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
tables = {name: read_artifact(path) for name, path in snakemake.input.items() if name != "library"}
data = explorer_data(**tables, decoder=p.decoder, vmax=p.vmax)
page = explorer_html(data, title="lvebm explorer: temperature and decoder")
with atomic_path(snakemake.output[0]) as tmp:
    tmp.write_text(page)
print(f"{snakemake.output[0]}: {len(page)} characters", file=sys.stderr)
