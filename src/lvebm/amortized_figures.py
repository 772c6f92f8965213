"""The figures of the amortized-inference stage (30-33), drawn from its tables.

Each function takes the artifacts by the names of its record (``workflow/rules/amortized.smk``),
``size`` and its options, and returns a matplotlib figure; it writes no file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from lvebm import figurekit as kit
from lvebm import plotstyle as ps
from lvebm.figurekit import Columns

METHOD_TITLES = {"supervised": "supervised", "energy": "amortized energy (label-free)"}
# the gap's colour scale: rounding below, the largest possible gap (a latent opposite to the
# best one, 4 |w|^2 at most) above
GAP_FLOOR = 1e-8


def _extent(table: Columns) -> list[float]:
    return [table["y1"].min(), table["y1"].max(), table["y2"].min(), table["y2"].max()]


def _ridge(ax, decoder: Mapping, *, label: str | None = "ridge of $F_\\infty$", **style) -> None:
    """The ridge: the segment of the major axis inside the evolute (a point for a circle)."""
    a1, a2 = abs(decoder["w1"]), abs(decoder["w2"])
    e0, e1 = max(a1, a2), min(a1, a2)
    half = (e0 - e1) * (e0 + e1) / e0
    ends = np.array([-half, half])
    xs, ys = (ends, np.zeros(2)) if a1 >= a2 else (np.zeros(2), ends)
    ax.plot(
        xs, ys, **{"color": "white", "lw": 2.2, "solid_capstyle": "round", **style}, label=label
    )


def _ellipse(ax, decoder: Mapping, **style) -> None:
    z = np.linspace(0.0, 2.0 * np.pi, 400)
    ax.plot(decoder["w1"] * np.cos(z), decoder["w2"] * np.sin(z), **style)


def _by_method(tables: Sequence[Columns], methods: Sequence[str]) -> dict[str, Columns]:
    """The list input ``name`` (one table per encoder, in the order of ``methods``) by method."""
    return dict(zip(methods, tables, strict=True))


# 30 -----------------------------------------------------------------------------------------
def encoder_latent(
    *, gaps: Sequence[Columns], size, decoder: Mapping, methods: Sequence[str]
) -> Figure:
    """z_check and each encoder's z_tilde over the map, in a periodic colour map (twilight: 0 and
    2 pi the same colour), with the ridge where z_check jumps."""
    gaps = _by_method(gaps, methods)
    panels = [("exact", "ž(y), exact (the tie-break on the ridge)")] + [
        (m, rf"$\tilde{{z}}(y)$, encoder: {METHOD_TITLES.get(m, m)}") for m in gaps
    ]
    fig, axes = ps.figure(size, ncols=len(panels), sharex=True, sharey=True)
    with ps.style():
        first = next(iter(gaps.values()))
        for ax, (name, title) in zip(axes, panels, strict=True):
            values = first["z_check"] if name == "exact" else gaps[name]["z_tilde"]
            im = ax.imshow(
                values.reshape(kit.grid(first, "y1").shape),
                origin="lower",
                extent=_extent(first),
                cmap="twilight",
                vmin=0.0,
                vmax=2.0 * np.pi,
                interpolation="nearest",
                aspect="equal",
            )
            _ridge(
                ax,
                decoder,
                label="ridge of $F_\\infty$" if name == "exact" else None,
                lw=1.0,
                ls=":",
            )
            _ellipse(ax, decoder, color=ps.MANIFOLD, lw=1.0, ls="--")
            ps.plane(ax, title=title)
            ax.grid(False)
            ax.title.set_fontsize(9)
        bar = fig.colorbar(im, ax=list(axes), shrink=0.8, label="latent z")
        bar.set_ticks(np.arange(5) * np.pi / 2)
        bar.set_ticklabels(["0", r"$\pi/2$", r"$\pi$", r"$3\pi/2$", r"$2\pi$"])
        axes[0].legend(loc="upper right")
        fig.suptitle(
            r"The exact minimiser jumps across the ridge; a continuous encoder must turn around"
            " it (dashed: the decoder's ellipse)"
        )
    return fig


# 31 -----------------------------------------------------------------------------------------
def amortization_gap(
    *,
    gaps: Sequence[Columns],
    bands: Sequence[Columns],
    size,
    decoder: Mapping,
    methods: Sequence[str],
) -> Figure:
    """The gap E(y, z_tilde) - F_inf(y) of each encoder on a log scale, the band around the
    ridge outlined, with the share of the total gap inside it and the median outside."""
    gaps, bands = _by_method(gaps, methods), _by_method(bands, methods)
    fig, axes = ps.figure(size, ncols=len(gaps), sharex=True, sharey=True)
    axes = np.atleast_1d(axes)
    top = max(max(float(t["gap"].max()) for t in gaps.values()), GAP_FLOOR * 10)
    with ps.style():
        for ax, (method, t) in zip(axes, gaps.items(), strict=True):
            b = bands[method]
            values = np.maximum(kit.grid(t, "gap"), GAP_FLOOR)
            im = ax.imshow(
                values,
                origin="lower",
                extent=_extent(t),
                cmap="magma",
                norm=LogNorm(GAP_FLOOR, top),
                interpolation="nearest",
                aspect="equal",
            )
            width = float(b["band"][0])
            ax.contour(
                kit.grid(t, "y1"),
                kit.grid(t, "y2"),
                kit.grid(t, "ridge_distance"),
                levels=[width],
                colors=[ps.SAMPLES],
                linewidths=1.2,
            )
            _ridge(ax, decoder, label=None, lw=0.8, ls=":")
            ps.plane(
                ax,
                title=(
                    f"{METHOD_TITLES.get(method, method)}\n"
                    f"{b['share_inside'][0]:.1%} of the gap within {width:g} of the ridge; "
                    f"median outside {b['median_off'][0]:.1e}"
                ),
            )
            ax.grid(False)
            ax.title.set_fontsize(9)
        fig.colorbar(
            im,
            ax=list(axes),
            shrink=0.8,
            extend="min",
            label=r"gap $E(y, \tilde{z}) - F_\infty(y)$",
        )
        fig.suptitle(
            "Amortization gap: where the encoder's guess is not the minimum "
            "(outlined: the band around the ridge)"
        )
    return fig


# 32 -----------------------------------------------------------------------------------------
def warm_start(
    *,
    inference: Columns,
    defaults: Sequence[Columns],
    warm_start_summaries: Sequence[Columns],
    warm_starts: Sequence[Columns],
    size,
    decoder: Mapping,
    z_init: float,
    methods: Sequence[str],
    optimizers: Sequence[str],
) -> Figure:
    """Top: per optimizer, the share of mesh points ending in a local minimum and the mean
    iterations, from the default start (the inference stage's tables) and from each encoder.
    Bottom: per start, the mesh points where any optimizer ended in a local minimum (marker
    size: how many did)."""
    inference = kit.model_rows(inference, points="mesh")
    results = {"default": dict(zip(optimizers, defaults, strict=True))}
    summaries = {"default": inference, **_by_method(warm_start_summaries, methods)}
    for method, table in _by_method(warm_starts, methods).items():
        results[method] = {n: kit.model_rows(table, optimizer=n) for n in optimizers}
    names = list(results["default"])
    starts = list(results)
    fig = ps.figure(size)[0]
    fig.clear()
    grid = fig.add_gridspec(2, 1)
    top = grid[0].subgridspec(1, 2)
    bottom = grid[1].subgridspec(1, len(starts))
    colours = (ps.MESH, ps.Z_CHECK, ps.Z_TILDE, ps.MANIFOLD)
    with ps.style():
        bars = [fig.add_subplot(top[0, 0]), fig.add_subplot(top[0, 1])]
        x = np.arange(len(names))
        width = 0.8 / len(starts)
        for ax, column, title in zip(
            bars,
            ("local_min_rate", "mean_iter"),
            ("mesh points ending in a local minimum", "mean iterations"),
            strict=True,
        ):
            for j, start in enumerate(starts):
                s = summaries[start]
                values = []
                for n in names:
                    row = kit.model_rows(s, optimizer=n)
                    value = 1.0 - row["success_rate"][0] if column == "local_min_rate" else None
                    values.append(float(row[column][0]) if value is None else float(value))
                drawn = ax.bar(
                    x + (j - (len(starts) - 1) / 2) * width,
                    values,
                    width,
                    color=colours[j % len(colours)],
                    label=start,
                )
                text = [f"{v:.1%}" if column == "local_min_rate" else f"{v:.3g}" for v in values]
                ax.bar_label(drawn, text, fontsize=6, rotation=90, padding=2)
            ax.set_xticks(x)
            ax.set_xticklabels(names, rotation=25, ha="right", fontsize=8)
            ax.set_title(title)
        bars[0].yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        worst = max(1.0 - float(inference["success_rate"].min()), 0.01)
        bars[0].set_ylim(0, worst * 1.3)
        bars[1].set_yscale("log")
        bars[1].set_ylim(top=max(float(s["mean_iter"].max()) for s in summaries.values()) * 3)
        bars[1].yaxis.set_major_formatter(lambda v, _: f"{v:g}")
        bars[0].legend(title="start")
        for j, start in enumerate(starts):
            ax = fig.add_subplot(bottom[0, j])
            tables = results[start]
            first = tables[names[0]]
            count = np.zeros(first["i"].size, dtype=np.int64)
            for t in tables.values():  # the same mesh points, in the same order, per optimizer
                count += ~t["global_min"]
            ax.scatter(first["y1"], first["y2"], s=3, color=ps.MESH, alpha=0.6)
            hit = count > 0
            ax.scatter(
                first["y1"][hit],
                first["y2"][hit],
                s=12 * count[hit],
                marker="x",
                color=ps.WRONG,
                lw=1.0,
            )
            _ridge(ax, decoder, label=None)
            _ellipse(ax, decoder, color=ps.MANIFOLD, lw=1.0, ls="--")
            where = (
                "default " + r"$\tilde{z}$" + f" = {z_init:g}"
                if start == "default"
                else f"the {start} encoder's " + r"$\tilde{z}(y)$"
            )
            ps.plane(
                ax,
                title=f"from {where}: {int(hit.sum())} of {first['i'].size} points\n"
                "end in a local minimum for some optimizer",
            )
            ax.title.set_fontsize(9)
        fig.suptitle(
            "The iterative optimizers on the mesh, started from the encoder's guess instead of "
            "one default latent (x: its size counts the optimizers in a local minimum)"
        )
    return fig


# 33 -----------------------------------------------------------------------------------------
def target_propagation(
    *, trajectory: Columns, landscape: Columns, cold: Columns, samples: Columns, size, method: str
) -> Figure:
    """Left: target propagation's path of (w1, w2) over the zero-temperature energy loss, with
    the cold training's end point. Right: the decoders' manifolds through the samples."""
    path, land, s = trajectory, landscape, samples
    end = kit.model_rows(cold, method=method)
    end = kit.model_rows(end, beta=np.inf)
    fig, (left, right) = ps.figure(size, ncols=2)
    with ps.style():
        n1 = np.unique(land["w1"]).size
        w1, w2 = land["w1"].reshape(-1, n1), land["w2"].reshape(-1, n1)
        loss = land["loss"].reshape(-1, n1)
        levels = np.geomspace(float(loss.min()), float(loss.max()), 17)
        c = left.contourf(
            w1,
            w2,
            loss,
            levels=levels,
            cmap="viridis",
            alpha=0.85,
            norm=LogNorm(levels[0], levels[-1]),
        )
        bar = fig.colorbar(c, ax=left, shrink=0.85, label=r"energy loss mean $F_\infty(y_i)$")
        bar.set_ticks(levels[::4])
        bar.set_ticklabels([f"{v:.2g}" for v in levels[::4]])
        left.plot(
            path["w1"],
            path["w2"],
            color=ps.Z_TILDE,
            lw=1.4,
            marker="o",
            ms=2.5,
            markevery=max(1, path["w1"].size // 40),
            label="target propagation",
        )
        left.plot(path["w1"][0], path["w2"][0], "s", color="white", ms=7, label="untrained")
        left.plot(
            end["w1"], end["w2"], "*", color=ps.WRONG, ms=13, label=f"cold training ({method})"
        )
        left.plot(path["w1"][-1], path["w2"][-1], "o", color=ps.Z_TILDE, ms=8, mfc="none", mew=1.6)
        gap = float(np.hypot(path["w1"][-1] - end["w1"][0], path["w2"][-1] - end["w2"][0]))
        left.set_xlabel("$w_1$")
        left.set_ylabel("$w_2$")
        left.set_title(
            f"{path['step'][-1]} steps; end {gap:.1e} from the cold training's radii", fontsize=9
        )
        left.legend(loc="lower left")
        ax = right
        ax.scatter(s["y1"], s["y2"], s=18, color=ps.SAMPLES, label="samples $y_i$", zorder=3)
        _ellipse(
            ax,
            {"w1": path["w1"][0], "w2": path["w2"][0]},
            color=ps.MESH,
            ls="--",
            lw=1.2,
            label="untrained decoder",
        )
        _ellipse(
            ax,
            {"w1": path["w1"][-1], "w2": path["w2"][-1]},
            color=ps.MANIFOLD,
            lw=2.0,
            label="after target propagation",
        )
        ps.plane(ax, title=f"$w$ = ({path['w1'][-1]:.4f}, {path['w2'][-1]:.4f})")
        ps.outside_legend(ax)
        fig.suptitle(
            r"Target propagation: ž = $\arg\min_z E + \lambda D(z, \tilde{z})$, then one "
            r"decoder step on C(y, g(ž)) and one encoder step on "
            r"D(ž, $\tilde{z}$)"
        )
    return fig
