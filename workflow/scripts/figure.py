"""Adapter of every figure rule: artifacts -> lvebm.figures.<function> -> a deterministic PNG."""

from contextlib import redirect_stderr

from lvebm.figures import FIGURES
from lvebm.io import read_columns
from lvebm.plotstyle import save_png

with open(snakemake.log[0], "w") as log, redirect_stderr(log):
    p = snakemake.params
    data = {name: read_columns(path) for name, path in snakemake.input.items() if name != "library"}
    fig = FIGURES[p.function](data, size=tuple(p.size), **p.options)
    save_png(fig, snakemake.output[0], dpi=p.dpi)
    print(f"{snakemake.output[0]} from {sorted(data)}", file=log)
