"""Adapter of every figure rule: artifacts -> lvebm.figures.<function> -> a deterministic PNG.

The function is the figure's record (workflow/rules/figuretable.smk); it receives the artifacts by
their names in the record, its size and its options by keyword."""

import sys

from lvebm import figures
from lvebm.io import read_artifact
from lvebm.plotstyle import save_png

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
data = {name: read_artifact(path) for name, path in snakemake.input.items() if name != "library"}
fig = getattr(figures, p.function)(data, size=tuple(p.size), **p.options)
save_png(fig, snakemake.output[0], dpi=p.dpi)
print(f"{snakemake.output[0]} from {sorted(data)}", file=sys.stderr)
