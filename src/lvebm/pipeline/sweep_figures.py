"""A sweep's figure: every headline number of every point, with its spread.

``spread`` takes the sweep's ``table`` (one row per point) and ``spread``
(lvebm.pipeline.sweep.spread). Where the points trained the decoder, the first panel overlays
their trained ellipses (|w1|, |w2|). Then one panel per number, named in words (``LABELS``; the
config-style key where a number has none), its median and band written inside the panel. With
grid keys, the number against the first grid key (one line per combination of the others): the
median and its band over the replicates, every point a dot. Without, the replicates side by
side: every point a dot, the median a line, the band shaded. A yes/no number shows its rate and
Wilson 95 % interval instead of a median and quantiles.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from lvebm import plotstyle as ps
from lvebm import portable
from lvebm.figurekit import Columns, panels
from lvebm.pipeline.sweep import BAND, group, scalar

SERIES = ps.HIGHLIGHT

# headline number -> its name in words (mathtext); a number without one shows its key
LABELS = {
    "training.radius1": r"trained $|w_1|$",
    "training.radius2": r"trained $|w_2|$",
    "training.loss": r"energy loss at $\beta = \infty$",
    "training.critical_beta1": r"critical $\beta$ of $w_1$",
    "training.critical_beta2": r"critical $\beta$ of $w_2$",
    "conditional.radius_error": "horn's largest radius error",
    "conditional.reached": "horn reached",
    "mesh.mean_F": r"mean $F_\infty$ on the mesh",
    "mesh.max_F": r"largest $F_\infty$ on the mesh",
    "mesh.unique_share": r"mesh points with a unique $\check{z}$",
    "relaxed.max_grid_error": r"largest grid error of $F_\beta$",
    "probabilistic.grid.beta": r"EM's $\beta$ (latent grid)",
    "probabilistic.continuous.beta": r"EM's $\beta$ (continuous)",
    "probabilistic.grid.log_likelihood": r"EM's mean $\log p$ (grid)",
    "probabilistic.continuous.log_likelihood": r"EM's mean $\log p$ (continuous)",
    "probabilistic.best_beta": r"best held-out $\beta$",
    "amortized.supervised.median_gap_off": "supervised encoder: median gap off the band",
    "amortized.supervised.share_inside": "supervised encoder: gap's share in the band",
    "amortized.energy.median_gap_off": "energy encoder: median gap off the band",
    "amortized.energy.share_inside": "energy encoder: gap's share in the band",
}
RADII = ("training.radius1", "training.radius2")


def label(metric: str) -> str:
    """A headline number's name in words, or its key."""
    return LABELS.get(metric, metric)


def _label(spread_row: dict) -> str:
    if spread_row["kind"] == "rate":
        k = round(spread_row["median"] * spread_row["n"])
        return (
            f"rate {k}/{spread_row['n']} = {spread_row['median']:.2f} "
            f"(95 %: {spread_row['low']:.2f}-{spread_row['high']:.2f})"
        )
    band = f"{BAND[0] * 100:.0f}-{BAND[1] * 100:.0f} %"
    low, high = spread_row["low"], spread_row["high"]
    return f"median {spread_row['median']:.4g}\n{band}: {low:.3g} to {high:.3g}"


def _inside(ax, text: str) -> None:
    """A panel's numbers, inside it at the top left, on a dark box."""
    ax.text(
        0.02,
        0.97,
        text,
        transform=ax.transAxes,
        va="top",
        ha="left",
        fontsize=7,
        bbox={"boxstyle": "round,pad=0.25", "fc": "black", "ec": "none", "alpha": 0.7},
        zorder=5,
    )


def _ellipses(ax, table: Columns, ticks: list[str], zipped: list[str]) -> None:
    """Each point's trained decoder, the ellipse (|w1| cos z, |w2| sin z), one colour each."""
    z = np.linspace(0.0, 2.0 * np.pi, 241)
    r1, r2 = (np.asarray(table[k], dtype=float) for k in RADII)
    colours = matplotlib.colormaps["viridis"](np.linspace(0.15, 0.95, r1.size))
    for k in range(r1.size):
        ax.plot(
            r1[k] * portable.cos(z),
            r2[k] * portable.sin(z),
            lw=1.0,
            color=colours[k],
            label=ticks[k],
        )
    ax.plot(
        np.median(r1) * portable.cos(z),
        np.median(r2) * portable.sin(z),
        "--",
        lw=1.4,
        color="white",
        label="median radii",
    )
    ps.plane(ax)
    apart = max(float(np.max(np.abs(r / np.median(r) - 1.0))) for r in (r1, r2))
    ax.set_title(
        f"The {r1.size} trained ellipses: radii within {apart:.1%} of the median", fontsize=9
    )
    ax.legend(
        fontsize=6,
        ncols=2,
        title=" / ".join(zipped) or None,
        title_fontsize=6,
        loc="center",
        handlelength=1.2,
        columnspacing=0.8,
    )


def _replicates(ax, values: np.ndarray, row: dict, ticks: list[str]) -> None:
    x = np.arange(1, len(values) + 1)
    ax.axhspan(row["low"], row["high"], color=ps.Z_CHECK, alpha=0.25, lw=0)
    ax.axhline(row["median"], color=ps.Z_CHECK, lw=1.5)
    ax.plot(x, values, "o", ms=4, color=ps.Z_TILDE)
    ax.set_xticks(x, ticks, rotation=90 if len(ticks) > 6 else 0, fontsize=7)
    ax.set_xlim(0.5, len(values) + 0.5)
    _inside(ax, _label(row))


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
    """The sweep's numbers, one panel each, with their spread over the replicates; first the
    points' trained ellipses, where they trained the decoder."""
    sp = spread
    metrics = list(dict.fromkeys(sp["metric"].tolist()))
    overlay = all(k in table for k in RADII)
    fig, axes = panels(size, len(metrics) + overlay, cols=4)
    ticks = ["/".join(str(table[k][i]) for k in zipped) for i in range(len(table["point"]))]
    with ps.style():
        flat = list(axes.flat)
        if overlay:
            _ellipses(flat.pop(0), table, ticks, zipped)
        for ax, metric in zip(flat, metrics, strict=False):  # spare panels hidden below
            values = np.asarray(table[metric])
            first = np.flatnonzero(sp["metric"] == metric)[0]
            row = {name: scalar(sp[name][first]) for name in sp}
            if grid:
                _against(ax, table, sp, metric, grid)
            else:
                _replicates(ax, values.astype(float), row, ticks)
                ax.set_xlabel(" / ".join(zipped), fontsize=7)
            ax.set_title(label(metric), fontsize=9)
            ax.tick_params(labelsize=7)
            if values.dtype == bool:
                ax.set_yticks([0, 1], ["no", "yes"])
                ax.set_ylim(-0.15, 1.6)  # room for the numbers inside
            else:
                low, high = ax.get_ylim()
                ax.set_ylim(low, high + 0.45 * (high - low))  # room for the numbers inside
        for ax in flat[len(metrics) :]:
            ax.set_visible(False)
        keys = ", ".join([*grid, *zipped])
        fig.suptitle(
            f"Sweep {sweep} over {keys} ({len(table['point'])} points; stages {', '.join(stages)})",
            fontsize=11,
        )
    return fig
