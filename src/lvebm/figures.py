"""The lecture's eleven figures and two beyond it (1-13: the data, the energies, inference, the
free energy on the mesh), drawn from the pipeline's artifacts.

Every function takes its tables by name, keyword-only (each a mapping of column names to numpy
arrays, or a sequence of them), its size and its options, and returns a matplotlib ``Figure`` in
the lecture's style
(:mod:`lvebm.plotstyle`). Figures compute nothing the artifacts already hold.
Figures compute nothing the artifacts already hold; they only decode latents where a curve
must be drawn between stored points.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

from lvebm import figurekit as kit
from lvebm import plotstyle as ps
from lvebm.figurekit import TWO_PI, Columns
from lvebm.model import Decoder


def horn(*, horn: Columns, size) -> Figure:
    """The horn in 3-D: axes x, y1, y2, points coloured by x (rainbow, violet at x = 0)."""
    h = horn
    fig, ax = ps.figure(size, subplot_kw={"projection": "3d"})
    with ps.style():
        sc = ax.scatter(h["x"], h["y1"], h["y2"], c=h["x"], cmap="rainbow", s=8, vmin=0, vmax=1)
        kit.style_3d(ax)
        fig.colorbar(sc, ax=ax, shrink=0.6, pad=0.1, label="$x$")
        ax.set_title(f"The horn: {h['x'].size} samples of y given x")
    return fig


# 2 ------------------------------------------------------------------------------------------
def samples(*, samples: Columns, energies: Columns, size) -> Figure:
    """The samples at x = 0 and the decoded points g(z) of the latent grid."""
    s, e = samples, energies
    fig, ax = ps.figure(size)
    with ps.style():
        ax.scatter(
            s["y1"],
            s["y2"],
            s=18,
            color=ps.SAMPLES,
            label=f"samples $y^{{(i)}}$, {s['i'].size}",
            zorder=4,
        )
        kit.draw_manifold(
            ax, e, points=True, label=f"decoded $g(z)$, {int((e['i'] == e['i'][0]).sum())} latents"
        )
        ps.plane(ax, title="Training samples and the untrained decoder's manifold")
        ps.outside_legend(ax)
    return fig


# 3 ------------------------------------------------------------------------------------------
def computation_graph(*, size) -> Figure:
    """The energy's computation graph: y and z, decoder g, output y_tilde, cost, energy E."""
    fig, ax = ps.figure(size)
    with ps.style():
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 7)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.grid(False)
        node = {"fc": "#2b2b2b", "ec": "white", "lw": 1.5}
        ax.add_patch(Circle((2.5, 1.2), 0.65, **{**node, "fc": "none"}))
        ax.text(2.5, 1.2, "$z$", ha="center", va="center", fontsize=16)
        ax.text(2.5, 0.2, "latent (unobserved)", ha="center", fontsize=8)
        ax.add_patch(Circle((7.0, 1.2), 0.65, **{**node, "fc": "#5a5a5a"}))
        ax.text(7.0, 1.2, "$y$", ha="center", va="center", fontsize=16)
        ax.text(7.0, 0.2, "observed", ha="center", fontsize=8)
        dec = Polygon([[1.6, 2.6], [3.4, 2.6], [3.0, 3.8], [2.0, 3.8]], closed=True, **node)
        ax.add_patch(dec)
        ax.text(2.5, 3.15, "Dec", ha="center", va="center", fontsize=11)
        ax.text(
            3.55, 3.15, r"$g(z) = [w_1 \cos z,\ w_2 \sin z]$", ha="left", va="center", fontsize=8
        )
        ax.add_patch(FancyBboxPatch((3.6, 4.6), 2.8, 1.0, boxstyle="round,pad=0.1", **node))
        ax.text(
            5.0, 5.1, r"$C(y, \tilde y) = \|y - \tilde y\|^2$", ha="center", va="center", fontsize=9
        )
        arrow = {"arrowstyle": "-|>", "mutation_scale": 14, "color": "white", "lw": 1.3}
        ax.add_patch(FancyArrowPatch((2.5, 1.85), (2.5, 2.6), **arrow))
        ax.add_patch(FancyArrowPatch((2.5, 3.8), (3.9, 4.6), **arrow))
        ax.text(2.7, 4.35, r"$\tilde y$", fontsize=13, color=ps.MANIFOLD)
        ax.add_patch(FancyArrowPatch((7.0, 1.85), (6.1, 4.6), **arrow))
        ax.add_patch(FancyArrowPatch((5.0, 5.7), (5.0, 6.6), **arrow))
        ax.text(5.2, 6.3, r"$E(y, z)$", fontsize=12, color=ps.ENERGY)
        ax.set_title("Energy of a latent-variable EBM: $E(y,z) = \\|y - g(z)\\|^2$")
    return fig


# 4 ------------------------------------------------------------------------------------------
def energies(*, energies: Columns, size) -> Figure:
    """E_1 ... E_n over z in [0, 2 pi): small panels, row-major, one shared energy axis."""
    e = energies
    labels = np.unique(e["i"])
    cols = 6
    rows = int(np.ceil(labels.size / cols))
    fig, axes = ps.figure(size, nrows=rows, ncols=cols, sharex=True, sharey=True, squeeze=False)
    with ps.style():
        for ax, i in zip(axes.ravel(), labels, strict=False):
            m = e["i"] == i
            ax.plot(e["z"][m], e["E"][m], color=ps.ENERGY, lw=1.2)
            ax.set_title(f"$E_{{{i}}}$", fontsize=9, pad=2)
            ps.pi_ticks(ax, 0, TWO_PI)
            ax.tick_params(labelsize=7)
        for ax in axes.ravel()[labels.size :]:
            ax.axis("off")
        fig.supxlabel("$z$")
        fig.supylabel("energy $E_i(z) = E(y^{(i)}, z)$")
        fig.suptitle(f"The {labels.size} energy functions over the latent grid")
    return fig


def _periodic(z: np.ndarray, values: np.ndarray, start: float, stop: float):
    """A function of z on one period [0, 2 pi), repeated over [start, stop)."""
    k0, k1 = int(np.floor(start / TWO_PI)), int(np.ceil(stop / TWO_PI))
    zz = np.concatenate([z + TWO_PI * k for k in range(k0, k1)])
    vv = np.tile(values, k1 - k0)
    keep = (zz >= start - 1e-12) & (zz < stop - 1e-12)
    return zz[keep], vv[keep]


def _markers(z: np.ndarray, step: float) -> np.ndarray:
    on_step = np.isclose(np.mod(z / step + 0.5, 1.0) - 0.5, 0.0, atol=1e-9)
    return on_step if on_step.any() else np.ones(z.size, dtype=bool)


# 5 ------------------------------------------------------------------------------------------
def focus_energy(
    *, energies: Columns, inference: Columns, size, focus: int, optimizer: str, z_range, marker_step
) -> Figure:
    """E_focus over z in [start, stop) with markers every ``marker_step``; z_tilde, z_check and
    F_inf marked, an arrow from z_tilde to z_check."""
    e, res = energies, inference
    m = e["i"] == focus
    z, energy = _periodic(e["z"][m], e["E"][m], *z_range)
    row = kit.row(res, res["i"] == focus)
    z_tilde, z_check, F = row["z_init"], row["z_check"], row["F"]
    fig, ax = ps.figure(size)
    with ps.style():
        ax.plot(z, energy, color=ps.ENERGY, lw=1.4, label=f"$E_{{{focus}}}(z)$")
        mk = _markers(z, marker_step)
        ax.plot(z[mk], energy[mk], "o", color=ps.ENERGY, ms=3.5)
        bottom = -0.06 * energy.max()
        ax.set_ylim(bottom * 2.2, energy.max() * 1.12)
        for z_mark, color, label in (
            (z_tilde, ps.Z_TILDE, rf"$\tilde{{z}}$ = {z_tilde:.2f}"),
            (z_check, ps.Z_CHECK, f"ž = {z_check:.3f} ({optimizer})"),
        ):  # the two latents, on the z axis
            ax.plot(
                [z_mark], [bottom], "o", color=color, ms=9, clip_on=False, zorder=5, label=label
            )
        ax.annotate(
            "",
            xy=(z_check, bottom),
            xytext=(z_tilde, bottom),
            arrowprops={"arrowstyle": "-|>", "color": "white", "lw": 1.5},
        )
        ax.axhline(F, color=ps.Z_CHECK, ls=":", lw=1)
        ax.plot([z_check], [F], "x", color="white", ms=9, mew=2)
        ax.annotate(
            rf"$F_\infty(y^{{({focus})}})$ = {F:.3f}",
            (z_check, F),
            xytext=(12, 14),
            textcoords="offset points",
            color="white",
            bbox={"fc": "black", "ec": "none", "alpha": 0.75, "pad": 1.5},
        )
        ps.pi_ticks(ax, *z_range)
        ax.set_xlim(*z_range)
        ax.set_xlabel("$z$")
        ax.set_ylabel("energy")
        ax.set_title(f"$E_{{{focus}}}$: largest near $z = 0, 2\\pi$, smallest near $\\pi$")
        ps.outside_legend(ax)
    return fig


# 6 ------------------------------------------------------------------------------------------
def latent_plane(*, samples: Columns, energies: Columns, size, focus: int) -> Figure:
    """Latent, decoder output and y^(focus) in the plane: samples, manifold, y^(focus), g(0)."""
    s, e = samples, energies
    z, g1, g2 = kit.manifold(e)
    y = kit.row(s, s["i"] == focus)
    fig, ax = ps.figure(size)
    with ps.style():
        ax.scatter(s["y1"], s["y2"], s=14, color=ps.SAMPLES, alpha=0.6, label="samples")
        kit.draw_manifold(ax, e, points=True)
        ax.scatter([y["y1"]], [y["y2"]], s=70, color=ps.FOCUS, zorder=5, label=f"$y^{{({focus})}}$")
        quarter = [int(np.argmin(np.abs(z - t))) for t in (0.0, np.pi / 2, np.pi, 1.5 * np.pi)]
        # white on a dark box, outside the manifold (each label away from the centre)
        for k, text in zip(
            quarter, ("$z=0$", r"$z=\pi/2$", r"$z=\pi$", r"$z=3\pi/2$"), strict=True
        ):
            away = np.array([g1[k], g2[k]]) / max(float(np.hypot(g1[k], g2[k])), 1e-12)
            ax.annotate(
                text,
                (g1[k], g2[k]),
                xytext=(
                    18 * away[0] + 10 * (abs(away[0]) > 0.5),
                    16 * away[1] - 10 * (abs(away[0]) > 0.5),
                ),
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=9,
                color="white",
                bbox={"boxstyle": "round,pad=0.2", "fc": "black", "ec": ps.MANIFOLD, "lw": 0.8},
                zorder=6,
            )
        k0 = quarter[0]
        ax.scatter([g1[k0]], [g2[k0]], s=70, color=ps.Z_TILDE, zorder=5, label=r"$\tilde y = g(0)$")
        ax.plot([y["y1"], g1[k0]], [y["y2"], g2[k0]], ls="--", color="white", lw=1)
        ax.annotate(
            "",
            xy=(g1[quarter[1]] - 0.25, g2[quarter[1]] + 0.2),
            xytext=(g1[k0] * 0.95, g2[k0] + 0.3),
            arrowprops={
                "arrowstyle": "-|>",
                "color": ps.MANIFOLD,
                "connectionstyle": "arc3,rad=-0.3",
            },
        )
        ax.text(g1[k0] * 0.55, g2[quarter[1]] + 0.5, "clockwise", color="white", fontsize=9)
        ps.plane(ax, title=f"$z$ runs clockwise from the left; $y^{{({focus})}}$ lies on the right")
        ps.outside_legend(ax)
    return fig


# 7 ------------------------------------------------------------------------------------------
def search(
    *,
    samples: Columns,
    energies: Columns,
    trace: Columns,
    inference: Columns,
    size,
    focus: int,
    optimizer: str,
    decoder: Mapping,
) -> Figure:
    """The search for F_inf(y^(focus)) in the plane, from the optimizer's real iterates."""
    s, e, res = samples, energies, inference
    dec = Decoder(**decoder)
    y = kit.row(s, s["i"] == focus)
    steps = trace["i"] == focus
    zk = trace["z"][steps]
    row = kit.row(res, res["i"] == focus)
    fig, ax = ps.figure(size)
    with ps.style():
        ax.scatter(
            s["y1"], s["y2"], s=22, color=ps.SAMPLES, edgecolor="black", lw=0.4, label="samples"
        )
        kit.draw_manifold(ax, e)
        arc = (
            np.concatenate([np.linspace(a, b, 24) for a, b in itertools.pairwise(zk)])
            if zk.size > 1
            else zk
        )
        a1, a2 = dec(arc)
        ax.plot(a1, a2, color=ps.Z_TILDE, lw=3, alpha=0.8, label="path of $g(z)$", zorder=3)
        d1, d2 = dec(zk)
        ax.scatter(d1, d2, s=10, color="white", zorder=4, label=f"iterates ({zk.size - 1} steps)")
        ax.scatter(
            [d1[0]],
            [d2[0]],
            s=80,
            color=ps.Z_TILDE,
            zorder=5,
            label=rf"$g(\tilde{{z}})$, $\tilde{{z}}$ = {zk[0]:.2f}",
        )
        ax.scatter(
            [d1[-1]],
            [d2[-1]],
            s=80,
            color=ps.Z_CHECK,
            zorder=5,
            label=f"g(ž), ž = {row['z_check']:.3f}",
        )
        if zk.size > 2:
            mid = len(arc) // 2
            ax.annotate(
                "",
                xy=(a1[mid + 1], a2[mid + 1]),
                xytext=(a1[mid - 1], a2[mid - 1]),
                arrowprops={"arrowstyle": "-|>", "color": ps.Z_TILDE, "lw": 2},
            )
        ax.scatter([y["y1"]], [y["y2"]], s=80, color=ps.FOCUS, zorder=5, label=f"$y^{{({focus})}}$")
        ax.plot([y["y1"], d1[-1]], [y["y2"], d2[-1]], ls="--", color="white", lw=1)
        ps.plane(
            ax, title=f"Search for $F_\\infty(y^{{({focus})}})$ = {row['F']:.3f} by {optimizer}"
        )
        ps.outside_legend(ax)
    return fig


# 8 ------------------------------------------------------------------------------------------
def mesh_minimisers(
    *, mesh: Columns, energies: Columns, size, decoder: Mapping, max_points: int
) -> Figure:
    """The mesh, the manifold and the decoded minimisers g(z_check) of the mesh points."""
    e = energies
    idx = kit.thin(mesh, int(np.sqrt(max_points)))
    g1, g2 = Decoder(**decoder)(mesh["z_check"][idx])
    y1, y2 = mesh["y1"][idx], mesh["y2"][idx]
    fig, ax = ps.figure(size)
    with ps.style():
        ax.plot(np.stack([y1, g1]), np.stack([y2, g2]), color=ps.MESH, lw=0.4, alpha=0.35)
        ax.scatter(y1, y2, s=6, color=ps.MESH, label=f"mesh points ({mesh['y1'].size:,})")
        kit.draw_manifold(ax, e)
        ax.scatter(g1, g2, s=14, color=ps.Z_CHECK, zorder=4, label="g(ž) of each mesh point")
        ps.plane(ax, title="Mesh points and their decoded minimisers g(ž)", limits=kit.limits(mesh))
        ps.outside_legend(ax)
    return fig


# 9 ------------------------------------------------------------------------------------------
def highlighted(
    *, mesh: Columns, energies: Columns, highlight: Columns, size, max_points: int
) -> Figure:
    """The highlighted mesh points over the mesh and the manifold."""
    e, h = energies, highlight
    idx = kit.thin(mesh, int(np.sqrt(max_points)))
    fig, ax = ps.figure(size)
    with ps.style():
        ax.scatter(mesh["y1"][idx], mesh["y2"][idx], s=6, color=ps.MESH, label="mesh points")
        kit.draw_manifold(ax, e)
        for k in np.unique(h["h"]):
            p = kit.row(h, h["h"] == k)
            ax.scatter(
                [p["y1"]],
                [p["y2"]],
                s=90,
                color=ps.HIGHLIGHT[(k - 1) % 5],
                zorder=5,
                edgecolor="white",
                label=f"({p['y1']:g}, {p['y2']:g})",
            )
        ps.plane(
            ax,
            title="Five mesh points: which has the largest free energy?",
            limits=kit.limits(mesh),
        )
        ps.outside_legend(ax, title="$y$")
    return fig


# 10 -----------------------------------------------------------------------------------------
def highlighted_energies(*, highlight: Columns, size, z_range) -> Figure:
    """Energy curves of the highlighted points with a cross at every z_check in the range."""
    h = highlight
    fig, ax = ps.figure(size)
    with ps.style():
        for k in np.unique(h["h"]):
            m = h["h"] == k
            color = ps.HIGHLIGHT[(k - 1) % 5]
            p = kit.row(h, m)
            ax.plot(
                h["z"][m],
                h["E"][m],
                color=color,
                lw=1.3,
                label=f"$y$ = ({p['y1']:g}, {p['y2']:g}): $F_\\infty$ = {p['F']:.3f}",
            )
            mk = m & h["marker"]
            ax.plot(h["z"][mk], h["E"][mk], "o", color=color, ms=3)
            zc = p["z_check"] + TWO_PI * np.arange(-3, 4)
            zc = zc[(zc >= z_range[0]) & (zc < z_range[1])]
            ax.plot(zc, np.full(zc.size, p["F"]), "x", color="white", ms=9, mew=2.2, zorder=5)
            ax.plot(zc, np.full(zc.size, p["F"]), "x", color=color, ms=7, mew=1.4, zorder=6)
        ps.pi_ticks(ax, *z_range)
        ax.set_xlim(*z_range)
        ax.set_xlabel("$z$")
        ax.set_ylabel("energy $E(y, z)$")
        ax.set_title(r"Energy of the five points; crosses at (ž, $F_\infty$)")
        ps.outside_legend(ax)
    return fig


def free_energy_map(
    *, mesh: Columns, samples: Columns, size, vmax: float, max_arrows: int
) -> Figure:
    """F_inf over the mesh (viridis, 0 to vmax, extended above), the samples, and arrows
    -grad F toward the manifold with lengths proportional to the gradient."""
    s = samples
    fig, ax = ps.figure(size)
    with ps.style():
        im = kit.heat(ax, mesh, vmax=vmax)
        fig.colorbar(im, ax=ax, extend="max", label=r"$F_\infty(y)$", shrink=0.85)
        kit.arrows(ax, mesh, max_arrows=max_arrows)
        kit.samples_on_map(ax, s)
        ps.plane(
            ax,
            title=r"Free energy $F_\infty(y)$; arrows: $-\nabla F_\infty$",
            limits=kit.limits(mesh, pad=0.15),
        )
        ax.grid(False)
        ax.legend(loc="upper right")
    return fig


# 12 -----------------------------------------------------------------------------------------
def optimizer_comparison(*, summary: Columns, size) -> Figure:
    """Share of global minima reached, iterations and evaluations per optimizer and point set."""
    t = summary
    names = list(dict.fromkeys(t["optimizer"].tolist()))
    sets = list(dict.fromkeys(t["points"].tolist()))
    fig, axes = ps.figure(size, ncols=3)
    width = 0.8 / len(sets)
    x = np.arange(len(names))
    colors = (ps.SAMPLES, ps.Z_TILDE, ps.MANIFOLD)
    with ps.style():
        for ax, col, title in zip(
            axes,
            ("success_rate", "mean_iter", "mean_eval"),
            ("reached the global minimum", "mean iterations", "mean evaluations"),
            strict=True,
        ):
            for j, pts in enumerate(sets):
                vals = [
                    float(t[col][(t["optimizer"] == n) & (t["points"] == pts)][0]) for n in names
                ]
                ax.bar(
                    x + (j - (len(sets) - 1) / 2) * width,
                    vals,
                    width,
                    label=pts,
                    color=colors[j % 3],
                )
            ax.set_xticks(x)
            ax.set_xticklabels(names, rotation=40, ha="right", fontsize=8)
            ax.set_title(title)
        axes[0].set_ylim(0, 1.05)
        axes[0].yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        axes[2].set_yscale("log")
        axes[2].yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        axes[2].yaxis.set_major_formatter(ScalarFormatter())
        axes[2].yaxis.set_minor_formatter(NullFormatter())
        # one legend for the three panels, below them, where it covers no bar
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, title="points", loc="outside lower center", ncols=len(sets))
        fig.suptitle("Optimizers compared from the same initial latent")
    return fig


# 13 -----------------------------------------------------------------------------------------
def local_minima(
    *,
    meshes: Sequence[Columns],
    mesh: Columns,
    size,
    optimizers,
    z_init: float,
    max_points: int,
    vmax: float,
) -> Figure:
    """Per optimizer, the mesh points where it stopped in a non-global minimum from z_init,
    over the F_inf heat map (``meshes``: each optimizer's mesh table, in order)."""
    n = len(optimizers)
    fig, axes = kit.panels(size, n, sharex=True, sharey=True)
    with ps.style():
        for ax, name, t in zip(axes.ravel(), optimizers, meshes, strict=False):
            im = kit.heat(ax, mesh, vmax=vmax, alpha=0.75)
            wrong = np.flatnonzero(~t["global_min"])
            shown = wrong[:: kit.stride(wrong.size, max_points)] if wrong.size else wrong
            ax.scatter(t["y1"][shown], t["y2"][shown], marker="x", s=14, color=ps.WRONG, lw=1.1)
            ps.plane(
                ax,
                title=f"{name}: {wrong.size / t['y1'].size:.1%} local",
                limits=kit.limits(mesh, pad=0.15),
            )
            ax.grid(False)
            ax.title.set_fontsize(9)
        for ax in axes.ravel()[n:]:
            ax.axis("off")
        fig.colorbar(im, ax=axes.ravel().tolist(), extend="max", shrink=0.8, label=r"$F_\infty(y)$")
        fig.suptitle(
            rf"Mesh points that end in a non-global minimum from $\tilde{{z}}$ = {z_init:g}"
        )
    return fig
