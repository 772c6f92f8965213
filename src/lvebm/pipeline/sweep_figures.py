"""A sweep's figure: every headline number of every point, with its spread.

``spread`` takes the sweep's ``table`` (one row per point) and ``spread``
(lvebm.pipeline.sweep.spread) as ``data``. One panel per number. With grid keys, the number
against the first grid key (one line per combination of the others): the median and its band
over the replicates, every point a dot.
Without, the replicates side by side: every point a dot, the median a line, the band shaded.
A yes/no number shows its rate and Wilson 95 % interval instead of a median and quantiles.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from lvebm import plotstyle as ps
from lvebm.figurekit import Columns, panels
from lvebm.pipeline.sweep import BAND, group, scalar

SERIES = ps.HIGHLIGHT


def _label(spread_row: dict) -> str:
    if spread_row["kind"] == "rate":
        k = round(spread_row["median"] * spread_row["n"])
        return (
            f"rate {k}/{spread_row['n']} = {spread_row['median']:.2f} "
            f"(95 %: {spread_row['low']:.2f}-{spread_row['high']:.2f})"
        )
    band = f"{BAND[0] * 100:.0f}-{BAND[1] * 100:.0f} %"
    low, high = spread_row["low"], spread_row["high"]
    return f"median {spread_row['median']:.4g}; {band}: {low:.3g} to {high:.3g}"


def _replicates(ax, values: np.ndarray, row: dict, ticks: list[str]) -> None:
    x = np.arange(1, len(values) + 1)
    ax.axhspan(row["low"], row["high"], color=ps.Z_CHECK, alpha=0.25, lw=0)
    ax.axhline(row["median"], color=ps.Z_CHECK, lw=1.5)
    ax.plot(x, values, "o", ms=4, color=ps.Z_TILDE)
    ax.set_xticks(x, ticks, rotation=90 if len(ticks) > 6 else 0, fontsize=7)
    ax.set_xlim(0.5, len(values) + 0.5)
    ax.set_title(_label(row), fontsize=8)


def _against(ax, table: Columns, spread: Columns, metric: str, grid: list[str]) -> None:
    first, others = grid[0], grid[1:]
    n = len(table["point"])
    key = [scalar(table[first][i]) for i in range(n)]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in key)
    order = list(dict.fromkeys(key))
    position = {v: (float(v) if numeric else i) for i, v in enumerate(order)}
    row_of = {g: i for i, g in enumerate(spread["group"].tolist()) if spread["metric"][i] == metric}
    series = [group(table, i, others) for i in range(n)]
    for s, name in enumerate(dict.fromkeys(series)):
        colour = SERIES[s % len(SERIES)]
        mine = [i for i in range(n) if series[i] == name]
        values = np.asarray(table[metric], dtype=float)[mine]
        ax.plot([position[key[i]] for i in mine], values, "o", ms=3, color=colour, alpha=0.6)
        line = sorted({position[key[i]]: row_of[group(table, i, grid)] for i in mine}.items())
        xs, rows = [x for x, _ in line], [r for _, r in line]
        ax.fill_between(
            xs, spread["low"][rows], spread["high"][rows], color=colour, alpha=0.25, lw=0
        )
        ax.plot(xs, spread["median"][rows], "-", color=colour, lw=1.5, label=name or None)
    if not numeric:
        ax.set_xticks(range(len(order)), [str(v) for v in order])
    ax.set_xlabel(first)
    if others:
        ax.legend(fontsize=7)


def spread(
    *,
    table: Columns,
    spread: Columns,
    size,
    sweep: str,
    grid: list[str],
    zipped: list[str],
    stages: list[str],
) -> Figure:
    """The sweep's numbers, one panel each, with their spread over the replicates."""
    sp = spread
    metrics = list(dict.fromkeys(sp["metric"].tolist()))
    fig, axes = panels(size, len(metrics), cols=3)
    ticks = ["/".join(str(table[k][i]) for k in zipped) for i in range(len(table["point"]))]
    with ps.style():
        for ax, metric in zip(axes.flat, metrics, strict=False):  # spare panels hidden below
            values = np.asarray(table[metric])
            first = np.flatnonzero(sp["metric"] == metric)[0]
            row = {name: scalar(sp[name][first]) for name in sp}
            if grid:
                _against(ax, table, sp, metric, grid)
                ax.set_title(metric, fontsize=9)
            else:
                _replicates(ax, values.astype(float), row, ticks)
                ax.set_ylabel(metric, fontsize=8)
                ax.set_xlabel(" / ".join(zipped), fontsize=7)
            if values.dtype == bool:
                ax.set_yticks([0, 1], ["no", "yes"])
                ax.set_ylim(-0.15, 1.15)
        for ax in axes.flat[len(metrics) :]:
            ax.set_visible(False)
        keys = ", ".join([*grid, *zipped])
        fig.suptitle(
            f"Sweep {sweep} over {keys} ({len(table['point'])} points; stages {', '.join(stages)})",
            fontsize=11,
        )
    return fig
