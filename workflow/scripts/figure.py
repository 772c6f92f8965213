"""Adapter of every figure rule: artifacts -> lvebm.<module>.<function> -> a deterministic PNG.

The function (``function`` of lvebm.figures, or ``module.function`` of a stage's own figure
module) is named by the figure's record (a stage file's ``FIGURES``, made a rule by
workflow/rules/figures.smk); it receives the artifacts as keyword arguments named as in the record
(a name for a list of artifacts gets the list of their tables, in order), its size and its options.
The PNG is written here, atomically and without volatile metadata (the library draws; it writes
no files)."""

import sys
from importlib import import_module

from lvebm.pipeline.io import atomic_path, read_artifact
from lvebm.pipeline.jobs import log_to_rule
from lvebm.plotstyle import portable_rendering, style

log_to_rule(snakemake)  # stderr, uncaught tracebacks included, to the rule's log

p = snakemake.params
tables = {
    name: read_artifact(path) if isinstance(path, str) else [read_artifact(each) for each in path]
    for name, path in snakemake.input.items()
    if name not in ("library", "platform", "script")
}
module, _, function = p.function.rpartition(".")
draw = getattr(import_module(f"lvebm.{module or 'figures'}"), function)
with portable_rendering():  # mplot3d's projections in portable arithmetic, drawn and saved
    fig = draw(**tables, size=tuple(p.size), **p.options)
    with atomic_path(snakemake.output[0]) as tmp, style():
        fig.savefig(tmp, format="png", dpi=p.dpi, metadata={"Software": None})
print(f"{snakemake.output[0]} from {sorted(tables)}", file=sys.stderr)
