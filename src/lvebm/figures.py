"""The lecture's eleven figures, two beyond it, and those of its sequel (lecture 15-2: finite
temperature, training, the conditional horn),
drawn from the pipeline's artifacts.

Every function takes ``data``, a mapping from an artifact's name to its columns (numpy arrays),
plus keyword options, and returns a matplotlib Figure in the lecture's style
(:mod:`lvebm.plotstyle`). Figures compute nothing the artifacts already hold; they only decode
latents where a curve must be drawn between stored points.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import matplotlib
import numpy as np
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

from lvebm import plotstyle as ps
from lvebm.model import Decoder

Columns = Mapping[str, np.ndarray]
Data = Mapping[str, Columns]
TWO_PI = 2.0 * np.pi


def _manifold(energies: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The decoded latent grid (z, g1, g2) as stored with the first sample's energies."""
    first = energies["i"] == energies["i"][0]
    return energies["z"][first], energies["y1_tilde"][first], energies["y2_tilde"][first]


def _draw_manifold(ax, energies: Columns, *, points: bool = False, label: str = "manifold g(z)"):
    _, g1, g2 = _manifold(energies)
    ax.plot(np.r_[g1, g1[:1]], np.r_[g2, g2[:1]], color=ps.MANIFOLD, lw=1.5, label=label, zorder=2)
    if points:
        ax.scatter(g1, g2, s=14, color=ps.MANIFOLD, zorder=3)


def _row(table: Columns, mask: np.ndarray) -> dict[str, object]:
    k = int(np.flatnonzero(mask)[0])
    return {name: values[k] for name, values in table.items()}


def _mesh_shape(mesh: Columns) -> tuple[int, int]:
    n1 = int(np.unique(mesh["y1"]).size)
    return mesh["y1"].size // n1, n1


def _grid(mesh: Columns, column: str) -> np.ndarray:
    return mesh[column].reshape(_mesh_shape(mesh))


def _stride(n: int, most: int) -> int:
    return max(1, int(np.ceil(n / most)))


def _thin(mesh: Columns, most_per_axis: int) -> np.ndarray:
    """Flat indices of a regular sub-grid with at most ``most_per_axis`` points per axis."""
    n2, n1 = _mesh_shape(mesh)
    rows = np.arange(0, n2, _stride(n2, most_per_axis))
    cols = np.arange(0, n1, _stride(n1, most_per_axis))
    return (rows[:, None] * n1 + cols[None, :]).ravel()


def _heat(ax, mesh: Columns, *, vmax: float, alpha: float = 1.0):
    y1, y2 = np.unique(mesh["y1"]), np.unique(mesh["y2"])
    return ax.pcolormesh(
        y1,
        y2,
        _grid(mesh, "F"),
        shading="nearest",
        vmin=0.0,
        vmax=vmax,
        alpha=alpha,
        cmap="viridis",
        rasterized=True,
    )


def _panels(size, n: int, *, cols: int = 3, **subplots):
    """A figure with ``n`` panels in rows of at most ``cols`` (a 2-D array of axes)."""
    cols = min(cols, n)
    return ps.figure(size, nrows=int(np.ceil(n / cols)), ncols=cols, squeeze=False, **subplots)


def _limits(mesh: Columns, pad: float = 0.3):
    return (
        (mesh["y1"].min() - pad, mesh["y1"].max() + pad),
        (mesh["y2"].min() - pad, mesh["y2"].max() + pad),
    )


# 1 ------------------------------------------------------------------------------------------
def _style_3d(ax) -> None:
    """Axes x, y1, y2 of the horn's 3-D figures, seen from the lecture's angle, panes clear."""
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y_1$")
    ax.set_zlabel("$y_2$")
    ax.view_init(elev=18, azim=-62)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((0, 0, 0, 0))


def horn(data: Data, *, size) -> object:
    """The horn in 3-D: axes x, y1, y2, points coloured by x (rainbow, violet at x = 0)."""
    h = data["horn"]
    fig, ax = ps.figure(size, subplot_kw={"projection": "3d"})
    with ps.style():
        sc = ax.scatter(h["x"], h["y1"], h["y2"], c=h["x"], cmap="rainbow", s=8, vmin=0, vmax=1)
        _style_3d(ax)
        fig.colorbar(sc, ax=ax, shrink=0.6, pad=0.1, label="$x$")
        ax.set_title(f"The horn: {h['x'].size} samples of y given x")
    return fig


# 2 ------------------------------------------------------------------------------------------
def samples(data: Data, *, size) -> object:
    """The samples at x = 0 and the decoded points g(z) of the latent grid."""
    s, e = data["samples"], data["energies"]
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
        _draw_manifold(
            ax, e, points=True, label=f"decoded $g(z)$, {int((e['i'] == e['i'][0]).sum())} latents"
        )
        ps.plane(ax, title="Training samples and the untrained decoder's manifold")
        ps.outside_legend(ax)
    return fig


# 3 ------------------------------------------------------------------------------------------
def computation_graph(data: Data, *, size) -> object:
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
def energies(data: Data, *, size) -> object:
    """E_1 ... E_n over z in [0, 2 pi): small panels, row-major, one shared energy axis."""
    e = data["energies"]
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
def focus_energy(data: Data, *, size, focus: int, optimizer: str, z_range, marker_step) -> object:
    """E_focus over z in [start, stop) with markers every ``marker_step``; z_tilde, z_check and
    F_inf marked, an arrow from z_tilde to z_check."""
    e, res = data["energies"], data["inference"]
    m = e["i"] == focus
    z, energy = _periodic(e["z"][m], e["E"][m], *z_range)
    row = _row(res, res["i"] == focus)
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
def latent_plane(data: Data, *, size, focus: int) -> object:
    """Latent, decoder output and y^(focus) in the plane: samples, manifold, y^(focus), g(0)."""
    s, e = data["samples"], data["energies"]
    z, g1, g2 = _manifold(e)
    y = _row(s, s["i"] == focus)
    fig, ax = ps.figure(size)
    with ps.style():
        ax.scatter(s["y1"], s["y2"], s=14, color=ps.SAMPLES, alpha=0.6, label="samples")
        _draw_manifold(ax, e, points=True)
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
def search(data: Data, *, size, focus: int, optimizer: str, decoder: Mapping) -> object:
    """The search for F_inf(y^(focus)) in the plane, from the optimizer's real iterates."""
    s, e, trace, res = data["samples"], data["energies"], data["trace"], data["inference"]
    dec = Decoder(**decoder)
    y = _row(s, s["i"] == focus)
    steps = trace["i"] == focus
    zk = trace["z"][steps]
    row = _row(res, res["i"] == focus)
    fig, ax = ps.figure(size)
    with ps.style():
        ax.scatter(s["y1"], s["y2"], s=22, color=ps.SAMPLES, edgecolor="black", lw=0.4,
                   label="samples")  # fmt: skip
        _draw_manifold(ax, e)
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
def mesh_minimisers(data: Data, *, size, decoder: Mapping, max_points: int) -> object:
    """The mesh, the manifold and the decoded minimisers g(z_check) of the mesh points."""
    mesh, e = data["mesh"], data["energies"]
    idx = _thin(mesh, int(np.sqrt(max_points)))
    g1, g2 = Decoder(**decoder)(mesh["z_check"][idx])
    y1, y2 = mesh["y1"][idx], mesh["y2"][idx]
    fig, ax = ps.figure(size)
    with ps.style():
        ax.plot(np.stack([y1, g1]), np.stack([y2, g2]), color=ps.MESH, lw=0.4, alpha=0.35)
        ax.scatter(y1, y2, s=6, color=ps.MESH, label=f"mesh points ({mesh['y1'].size:,})")
        _draw_manifold(ax, e)
        ax.scatter(g1, g2, s=14, color=ps.Z_CHECK, zorder=4, label="g(ž) of each mesh point")
        ps.plane(ax, title="Mesh points and their decoded minimisers g(ž)", limits=_limits(mesh))
        ps.outside_legend(ax)
    return fig


# 9 ------------------------------------------------------------------------------------------
def highlighted(data: Data, *, size, max_points: int) -> object:
    """The highlighted mesh points over the mesh and the manifold."""
    mesh, e, h = data["mesh"], data["energies"], data["highlight"]
    idx = _thin(mesh, int(np.sqrt(max_points)))
    fig, ax = ps.figure(size)
    with ps.style():
        ax.scatter(mesh["y1"][idx], mesh["y2"][idx], s=6, color=ps.MESH, label="mesh points")
        _draw_manifold(ax, e)
        for k in np.unique(h["h"]):
            p = _row(h, h["h"] == k)
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
            ax, title="Five mesh points: which has the largest free energy?", limits=_limits(mesh)
        )
        ps.outside_legend(ax, title="$y$")
    return fig


# 10 -----------------------------------------------------------------------------------------
def highlighted_energies(data: Data, *, size, z_range) -> object:
    """Energy curves of the highlighted points with a cross at every z_check in the range."""
    h = data["highlight"]
    fig, ax = ps.figure(size)
    with ps.style():
        for k in np.unique(h["h"]):
            m = h["h"] == k
            color = ps.HIGHLIGHT[(k - 1) % 5]
            p = _row(h, m)
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


# 11 -----------------------------------------------------------------------------------------
def _arrows(ax, mesh: Columns, *, max_arrows: int) -> None:
    """Arrows -grad F on a thinned sub-grid of the mesh, lengths proportional to the gradient
    (the longest spans 0.9 of the arrows' spacing)."""
    idx = _thin(mesh, max_arrows)
    n2, n1 = _mesh_shape(mesh)
    spacing = min(np.ptp(mesh["y1"]) / max(n1 - 1, 1), np.ptp(mesh["y2"]) / max(n2 - 1, 1))
    spacing *= max(_stride(n1, max_arrows), _stride(n2, max_arrows))
    u, v = -mesh["dF_dy1"][idx], -mesh["dF_dy2"][idx]
    longest = float(np.max(np.hypot(u, v))) or 1.0
    ax.quiver(
        mesh["y1"][idx],
        mesh["y2"][idx],
        u,
        v,
        angles="xy",
        scale_units="xy",
        scale=longest / (0.9 * spacing),
        color="white",
        width=0.0025,
        alpha=0.85,
    )


def _samples_on_map(ax, s: Columns, *, size: float = 16) -> None:
    ax.scatter(
        s["y1"],
        s["y2"],
        s=size,
        color=ps.SAMPLES,
        edgecolor="black",
        lw=0.4,
        zorder=5,
        label="samples",
    )


def free_energy_map(data: Data, *, size, vmax: float, max_arrows: int) -> object:
    """F_inf over the mesh (viridis, 0 to vmax, extended above), the samples, and arrows
    -grad F toward the manifold with lengths proportional to the gradient."""
    mesh, s = data["mesh"], data["samples"]
    fig, ax = ps.figure(size)
    with ps.style():
        im = _heat(ax, mesh, vmax=vmax)
        fig.colorbar(im, ax=ax, extend="max", label=r"$F_\infty(y)$", shrink=0.85)
        _arrows(ax, mesh, max_arrows=max_arrows)
        _samples_on_map(ax, s)
        ps.plane(
            ax,
            title=r"Free energy $F_\infty(y)$; arrows: $-\nabla F_\infty$",
            limits=_limits(mesh, pad=0.15),
        )
        ax.grid(False)
        ax.legend(loc="upper right")
    return fig


# 12 -----------------------------------------------------------------------------------------
def optimizer_comparison(data: Data, *, size) -> object:
    """Share of global minima reached, iterations and evaluations per optimizer and point set."""
    t = data["summary"]
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
def local_minima(data: Data, *, size, optimizers, z_init: float, max_points: int) -> object:
    """Per optimizer, the mesh points where it stopped in a non-global minimum from z_init,
    over the F_inf heat map."""
    mesh = data["mesh"]
    n = len(optimizers)
    fig, axes = _panels(size, n, sharex=True, sharey=True)
    with ps.style():
        for ax, name in zip(axes.ravel(), optimizers, strict=False):
            t = data[f"mesh_{name}"]
            im = _heat(ax, mesh, vmax=2.0, alpha=0.75)
            wrong = np.flatnonzero(~t["global_min"])
            shown = wrong[:: _stride(wrong.size, max_points)] if wrong.size else wrong
            ax.scatter(t["y1"][shown], t["y2"][shown], marker="x", s=14, color=ps.WRONG, lw=1.1)
            ps.plane(
                ax,
                title=f"{name}: {wrong.size / t['y1'].size:.1%} local",
                limits=_limits(mesh, pad=0.15),
            )
            ax.grid(False)
            ax.title.set_fontsize(9)
        for ax in axes.ravel()[n:]:
            ax.axis("off")
        fig.colorbar(im, ax=axes.ravel().tolist(), extend="max", shrink=0.8,
                     label=r"$F_\infty(y)$")  # fmt: skip
        fig.suptitle(
            rf"Mesh points that end in a non-global minimum from $\tilde{{z}}$ = {z_init:g}"
        )
    return fig


# 14-17: finite temperature (lecture 15-2) ---------------------------------------------------
def _beta_text(beta: float) -> str:
    return r"$\beta = \infty$" if np.isinf(beta) else rf"$\beta = {beta:g}$"


# The continuous F_beta is drawn on top of the grid's curve in black dashes: where the two agree
# (every beta up to about 10 on the lecture's points) the coloured line shows between the dashes.
CONTINUOUS = {"ls": (0, (3, 3)), "lw": 1.0, "color": "black"}


def _with_continuous(ax, grid_label: str, continuous_label: str, marker: str = "") -> dict:
    """Legend arguments: the axes' entries, then a grey grid line (with ``marker``) and the
    black dashes over it for the continuous curves."""
    handles, labels = ax.get_legend_handles_labels()
    grid = Line2D([], [], marker=marker or None, ms=3.5, lw=2.2, color="grey")
    under = Line2D([], [], lw=2.2, color="grey")
    return {
        "handles": [*handles, grid, (under, Line2D([], [], **CONTINUOUS))],
        "labels": [*labels, grid_label, continuous_label],
        "handler_map": {tuple: HandlerTuple(ndivide=None, pad=0.0)},
    }


def _beta_colours(betas) -> dict[float, object]:
    """Hot (small beta) red through yellow and green to cold (large beta) blue, distinct hues
    on the dark background (turbo from 0.95 down to 0.1); beta = inf white."""
    finite = sorted(b for b in betas if np.isfinite(b))
    cmap = matplotlib.colormaps["turbo"]
    colours = {b: cmap(0.95 - 0.85 * k / max(len(finite) - 1, 1)) for k, b in enumerate(finite)}
    colours[np.inf] = "white"
    return colours


def _line_coordinate(t: Columns) -> tuple[np.ndarray, str]:
    """The coordinate that varies along the cross-section's line, and its axis label."""
    if np.ptp(t["y2"]) >= np.ptp(t["y1"]):
        return t["y2"], "$y_2$" + (f" (at $y_1$ = {t['y1'][0]:g})" if np.ptp(t["y1"]) == 0 else "")
    return t["y1"], "$y_1$" + (f" (at $y_2$ = {t['y2'][0]:g})" if np.ptp(t["y2"]) == 0 else "")


def relaxed_cross_section(data: Data, *, size, ymax: float, title: str | None = None) -> object:
    """F_beta along the line for every beta: the grid's mean over latents (solid, markers, the
    lecture's) and the continuous integral (dashed). Figures 14 (untrained) and 19 (trained)."""
    t = data["cross_section"]
    betas = list(dict.fromkeys(t["beta"].tolist()))
    colours = _beta_colours(betas)
    fig, ax = ps.figure(size)
    with ps.style():
        for beta in betas:
            rows = t["beta"] == beta
            x, label = _line_coordinate({k: v[rows] for k, v in t.items()})
            ax.plot(x, t["F_grid"][rows], "o-", ms=3.5, lw=2.2, color=colours[beta],
                    label=_beta_text(beta))  # fmt: skip
            ax.plot(x, t["F_continuous"][rows], **CONTINUOUS, zorder=3)
        # the lecture's axis, extended (never clipped) where a curve goes above it
        ax.set_ylim(0.0, max(ymax, 1.04 * float(np.nanmax(t["F_grid"]))))
        ax.set_xlabel(label)
        ax.set_ylabel(r"$F_\beta(y)$")
        ax.set_title(title or r"Relaxed free energy along the line: cold $\to$ hot")
        ps.outside_legend(
            ax,
            **_with_continuous(ax, "grid of latents", "continuous $z$ (dashes)", marker="o"),
            title="inverse temperature",
        )
    return fig


def _point_text(name: str) -> str:
    """``y(23)`` -> $y^{(23)}$; coordinates stay as they are."""
    if name.startswith("y(") and name.endswith(")"):
        return f"$y^{{({name[2:-1]})}}$"
    return f"$y$ = {name}"


def softmin_weights(data: Data, *, size, beta: float) -> object:
    """The manifold points g(z_k) coloured by exp(-beta E_k) (no 1/N), one panel per point."""
    w, s, e = data["weights"], data["samples"], data["energies"]
    _, g1, g2 = _manifold(e)
    names = list(dict.fromkeys(w["point"].tolist()))
    fig, axes = ps.figure(size, ncols=len(names), squeeze=False, sharex=True, sharey=True)
    with ps.style():
        for ax, name in zip(axes[0], names, strict=True):
            rows = w["point"] == name
            y1, y2 = float(w["y1"][rows][0]), float(w["y2"][rows][0])
            ax.scatter(s["y1"], s["y2"], s=8, color=ps.SAMPLES, alpha=0.35, label="samples")
            ax.plot(np.r_[g1, g1[:1]], np.r_[g2, g2[:1]], color=ps.MANIFOLD, lw=0.8, alpha=0.6)
            sc = ax.scatter(
                g1,
                g2,
                c=np.exp(-beta * w["E"][rows]),
                cmap="plasma",
                vmin=0.0,
                vmax=1.0,
                s=30,
                edgecolor="white",
                lw=0.3,
                zorder=4,
            )
            ax.scatter([y1], [y2], marker="*", s=160, color=ps.FOCUS, edgecolor="white", lw=0.6,
                       zorder=6, label="$y$")  # fmt: skip
            ps.plane(ax, title=_point_text(name))
        fig.colorbar(sc, ax=axes[0].tolist(), shrink=0.8, label=r"$\exp(-\beta E(y, z_k))$")
        axes[0][0].legend(loc="lower left")
        fig.suptitle(rf"Which latents pull $y$ at $\beta$ = {beta:g}: soft-argmin weights")
    return fig


def relaxed_free_energy(data: Data, *, size, betas, vmax: float, max_arrows: int) -> object:
    """One F_beta heat map per beta (viridis, 0 to vmax, extended) with arrows -grad F_beta."""
    s = data["samples"]
    n = len(betas)
    fig, axes = _panels(size, n, sharex=True, sharey=True)
    with ps.style():
        for k, (ax, label) in enumerate(zip(axes.ravel(), betas, strict=False)):
            mesh = data[f"mesh_{k + 1}"]
            im = _heat(ax, mesh, vmax=vmax)
            _arrows(ax, mesh, max_arrows=max_arrows)
            _samples_on_map(ax, s, size=8)
            ps.plane(ax, title=_beta_text(float(label)), limits=_limits(mesh, pad=0.15))
            ax.grid(False)
        for ax in axes.ravel()[n:]:
            ax.axis("off")
        fig.colorbar(im, ax=axes.ravel().tolist(), extend="max", shrink=0.8,
                     label=r"$F_\beta(y)$")  # fmt: skip
        fig.suptitle(r"Relaxed free energy $F_\beta$; arrows: $-\nabla F_\beta$ (cold: only the "
                     "closest point pulls; warm: every point pulls)")  # fmt: skip
    return fig


# Figure 17 draws no relative difference below this: the continuous F_beta is converged to about
# 1e-13 relative and both values carry rounding of a few 1e-16, so smaller differences are noise
# (they differed from CPU to CPU) and say nothing about the grid.
GRID_ERROR_FLOOR = 1e-12


def grid_vs_continuous(data: Data, *, size, n: int) -> object:
    """F_beta on the n-point grid against the continuous integral over beta, per point, and
    their relative difference where it exceeds ``GRID_ERROR_FLOOR``: where n latents stop
    resolving exp(-beta E)."""
    t = data["grid_error"]
    names = list(dict.fromkeys(t["point"].tolist()))
    colours = (ps.FOCUS, ps.Z_TILDE, ps.SAMPLES, ps.MANIFOLD, ps.Z_CHECK, ps.ENERGY)
    fig, axes = ps.figure(size, ncols=2)
    with ps.style():
        for name, colour in zip(names, itertools.cycle(colours)):
            rows = t["point"] == name
            beta, grid, cont = t["beta"][rows], t["F_grid"][rows], t["F_continuous"][rows]
            axes[0].plot(beta, grid, "-", color=colour, lw=2.2, label=_point_text(name))
            axes[0].plot(beta, cont, **CONTINUOUS, zorder=3)
            diff = np.abs(grid - cont) / np.abs(cont)
            resolved = np.where(diff >= GRID_ERROR_FLOOR, diff, np.nan)  # below: not drawn
            axes[1].plot(beta, resolved, "-", color=colour, lw=1.6, label=_point_text(name))
        axes[0].set_xscale("log")
        axes[0].set_xlabel(r"$\beta$")
        axes[0].set_ylabel(r"$F_\beta(y)$")
        axes[0].set_title(f"{n} latents (solid) and continuous $z$ (black dashes)")
        axes[0].legend(**_with_continuous(axes[0], f"{n} latents", "continuous $z$"), loc="best")
        axes[1].set_xscale("log")
        axes[1].set_yscale("log")
        axes[1].set_ylim(bottom=GRID_ERROR_FLOOR)
        axes[1].set_xlim(t["beta"].min(), t["beta"].max())  # the scan's range, drawn or not
        axes[1].set_xlabel(r"$\beta$")
        axes[1].set_ylabel("|grid - continuous| / continuous")
        axes[1].set_title(f"Relative difference (not drawn below {GRID_ERROR_FLOOR:.0e}: rounding)")
        fig.suptitle(f"Where a grid of {n} latents stops being enough")
    return fig


# 18-22: training (lecture 15-2) ------------------------------------------------------------
def _model_rows(table: Columns, **match) -> Columns:
    """The rows of ``table`` whose columns equal the given values."""
    rows = np.ones(next(iter(table.values())).size, dtype=bool)
    for key, value in match.items():
        rows &= table[key] == value
    return {k: v[rows] for k, v in table.items()}


def training_panels(data: Data, *, size) -> object:
    """The lecture's four panels: untrained and trained decoder (columns), cold F_inf with arrows
    from each sample's closest manifold point toward it (top), warm F_beta with arrows from the
    latents' manifold points toward one sample, lengths proportional to their weights (bottom)."""
    maps, weights, closest, s = data["maps"], data["weights"], data["closest"], data["samples"]
    cold, warm = sorted(set(maps["beta"].tolist()), reverse=True)  # inf first
    fig, axes = ps.figure(size, nrows=2, ncols=2, sharex=True, sharey=True)
    with ps.style():
        for col, model in enumerate(("untrained", "trained")):
            w = _model_rows(weights, model=model)
            c = _model_rows(closest, model=model)
            for row, beta in enumerate((cold, warm)):
                ax = axes[row, col]
                m = _model_rows(maps, model=model, beta=beta)
                im = _heat(ax, m, vmax=2.0 if row == 0 else 5.0, alpha=0.9)
                ax.plot(np.r_[w["g1"], w["g1"][:1]], np.r_[w["g2"], w["g2"][:1]],
                        color=ps.MANIFOLD, lw=1.6, zorder=3)  # fmt: skip
                ax.scatter(s["y1"], s["y2"], s=14, color=ps.SAMPLES, edgecolor="black", lw=0.4,
                           zorder=5)  # fmt: skip
                if row == 0:  # from each sample's closest point of the manifold toward it
                    ax.quiver(c["g1"], c["g2"], c["y1"] - c["g1"], c["y2"] - c["g2"],
                              angles="xy", scale_units="xy", scale=1.0, color="white",
                              width=0.004, zorder=4)  # fmt: skip
                    title = rf"{model}, cold: $F_\infty$"
                else:  # from every latent toward the warm point, lengths ~ weights
                    y1, y2 = float(w["y1"][0]), float(w["y2"][0])
                    share = w["weight"] / w["weight"].max()
                    ax.quiver(w["g1"], w["g2"], (y1 - w["g1"]) * share, (y2 - w["g2"]) * share,
                              angles="xy", scale_units="xy", scale=1.0, color=ps.Z_TILDE,
                              width=0.004, zorder=6)  # fmt: skip
                    ax.scatter([y1], [y2], marker="*", s=160, color=ps.FOCUS, edgecolor="white",
                               zorder=7)  # fmt: skip
                    title = rf"{model}, warmer $\beta$ = {beta:g}: $F_\beta$"
                ps.plane(ax, title=title, limits=_limits(m, pad=0.15))
                ax.grid(False)
                if col == 1:
                    label = r"$F_\infty(y)$" if row == 0 else rf"$F_\beta(y)$, $\beta$ = {beta:g}"
                    fig.colorbar(im, ax=axes[row, :].tolist(), extend="max", shrink=0.9,
                                 label=label)  # fmt: skip
        fig.suptitle("Training the decoder by minimising the free energy of the samples")
    return fig


def training_paths(data: Data, *, size, betas) -> object:
    """Each beta's trajectory of (w1, w2), per method, over the contours of its loss; the
    learning-rate measurement of one epoch in the last panel."""
    n = len(betas)
    fig, axes = _panels(size, n + 1, cols=3)
    styles = {"lbfgs": ("o-", ps.Z_CHECK), "per_sample": (".-", ps.Z_TILDE)}
    with ps.style():
        for k, (ax, label) in enumerate(zip(axes.ravel(), betas, strict=False), start=1):
            land, traj = data[f"landscape_{k}"], data[f"trajectory_{k}"]
            a1, a2 = np.unique(land["w1"]), np.unique(land["w2"])
            grid = land["loss"].reshape(a2.size, a1.size)
            levels = np.quantile(grid, np.linspace(0.0, 1.0, 16) ** 2)
            ax.contourf(a1, a2, grid, levels=np.unique(levels), cmap="viridis", alpha=0.85)
            for method in dict.fromkeys(traj["method"].tolist()):
                t = _model_rows(traj, method=method)
                marker, colour = styles.get(method, ("-", "white"))
                ax.plot(t["w1"], t["w2"], marker, color=colour, ms=3, lw=1.2,
                        label=f"{method} ({t['step'][-1]} steps)")  # fmt: skip
                ax.scatter(t["w1"][-1:], t["w2"][-1:], marker="X", s=60, color=colour,
                           edgecolor="black", zorder=5)  # fmt: skip
            ax.scatter(traj["w1"][:1], traj["w2"][:1], marker="s", s=40, color="white", zorder=5)
            ax.set_title(_beta_text(float(label)))
            ax.set_xlabel("$w_1$")
            ax.set_ylabel("$w_2$")
            ax.legend(loc="best", fontsize=7)
        lr = data["learning_rates"]
        ax = axes.ravel()[n]
        excess = np.where(np.isfinite(lr["excess"]), lr["excess"], np.nan)
        ax.plot(lr["learning_rate"], np.maximum(excess, 1e-6) * 100, "o-", color=ps.Z_TILDE, ms=3)
        ax.axhline(1.0, color="white", ls="--", lw=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("excess loss after one epoch (%)")
        ok = lr["learning_rate"][lr["within_1pct"]]
        verdict = (f"within 1 %: {ok.min():.3g} to {ok.max():.3g}" if ok.size
                   else f"never within 1 % (best {np.nanmin(excess) * 100:.2f} %)")  # fmt: skip
        ax.set_title(f"One epoch at $\\beta = \\infty$; {verdict}", fontsize=9)
        for ax in axes.ravel()[n + 1 :]:
            ax.axis("off")
        fig.suptitle("Training paths of (w1, w2) over the loss at each beta (square: start)")
    return fig


def temperature(data: Data, *, size) -> object:
    """Trained |w1| and |w2| against beta, with the critical betas of the second-order
    expansion around w = 0 where each radius appears."""
    t = data["temperature"]
    fig, ax = ps.figure(size)
    with ps.style():
        ax.plot(t["beta"], np.abs(t["w1"]), "o-", ms=3, color=ps.Z_TILDE, label="$|w_1|$")
        ax.plot(t["beta"], np.abs(t["w2"]), "o-", ms=3, color=ps.Z_CHECK, label="$|w_2|$")
        for name, colour in (("critical_w1", ps.Z_TILDE), ("critical_w2", ps.Z_CHECK)):
            beta = float(t[name][0])
            j = name[-1]
            label = (rf"$\beta^*_{j}$ = {beta:.3f}: model noise $1/(2\beta)$ = "
                     rf"{0.5 / beta:.3f} = data's $\overline{{y_{j}^2}}$")  # fmt: skip
            ax.axvline(beta, color=colour, ls="--", lw=1, label=label)
        ax.set_xscale("log")
        ax.set_xlabel(r"$\beta$ (training)")
        ax.set_ylabel("trained radius")
        ax.set_title("Hot training shrinks the ellipse; below the critical betas it collapses")
        ps.outside_legend(ax)
    return fig


def denoising(data: Data, *, size) -> object:
    """Held-out noisy samples, their denoised points g(z_check) under the trained decoder and
    their clean points; the distance to the clean points for each model."""
    d = data["denoise"]
    noisy = _model_rows(d, model="noisy")
    trained = _model_rows(d, model="trained")
    fig, axes = ps.figure(size, ncols=2, gridspec_kw={"width_ratios": [1.6, 1.0]})
    with ps.style():
        ax = axes[0]
        ax.scatter(noisy["y1"], noisy["y2"], s=10, color=ps.SAMPLES, label="noisy $y$")
        ax.scatter(trained["denoised_y1"], trained["denoised_y2"], s=10, color=ps.Z_TILDE,
                   label=r"denoised $g(\check z)$, trained")  # fmt: skip
        ax.scatter(noisy["clean_y1"], noisy["clean_y2"], s=4, color="white", label="clean")
        for k in range(0, noisy["y1"].size, max(1, noisy["y1"].size // 40)):
            ax.plot([noisy["y1"][k], trained["denoised_y1"][k]],
                    [noisy["y2"][k], trained["denoised_y2"][k]], color="white", lw=0.5)  # fmt: skip
        ps.plane(ax, title="Minimising the energy on the trained manifold denoises")
        ax.legend(loc="center", fontsize=7)
        ax = axes[1]
        models = list(dict.fromkeys(d["model"].tolist()))
        means = [float(d["error"][d["model"] == m].mean()) for m in models]
        bars = ax.bar(models, means, color=[ps.SAMPLES, ps.MANIFOLD, ps.Z_TILDE][: len(models)])
        for bar, value in zip(bars, means, strict=True):
            ax.annotate(f"{value:.4f}", (bar.get_x() + bar.get_width() / 2, value),
                        ha="center", va="bottom", fontsize=9)  # fmt: skip
        ax.set_ylabel("mean distance to the clean point")
        ax.set_title(f"{noisy['y1'].size} held-out samples")
    return fig


# 23-26: the conditional horn (lecture 15-2, section 3) -----------------------------------------
def _horn_axes(fig, ax, horn: Columns) -> None:
    """The horn's samples (coloured by x as in figure 1, with its colour bar), the 3-D axes'
    style, and the axes filling the figure (matplotlib's 3-D box leaves wide margins)."""
    points = ax.scatter(horn["x"], horn["y1"], horn["y2"], c=horn["x"], cmap="rainbow", s=5,
                        vmin=0, vmax=1, alpha=0.6, depthshade=False)  # fmt: skip
    _style_3d(ax)
    ax.set_box_aspect(None, zoom=1.12)
    fig.subplots_adjust(left=0.0, right=0.9, bottom=0.02, top=0.9)
    bar = fig.colorbar(points, ax=ax, shrink=0.55, pad=0.08, fraction=0.04)
    bar.set_label("$x$ of the horn's samples")


def conditional_manifold(data: Data, *, size, model: str, n: int) -> object:
    """The manifold of the conditional decoder in 3-D: at each x of the grid the ellipse with
    radii f(x) over n latents, as a wireframe, over the horn's samples."""
    r = data["radii"]
    suffix = "_untrained" if model == "untrained" else ""
    f1, f2 = np.asarray(r["f1" + suffix]), np.asarray(r["f2" + suffix])
    z = TWO_PI * np.arange(n + 1) / n  # closed: the first latent again at the end
    x = np.broadcast_to(np.asarray(r["x"])[:, None], (f1.size, z.size))
    g1, g2 = f1[:, None] * np.cos(z), f2[:, None] * np.sin(z)
    fig, ax = ps.figure(size, subplot_kw={"projection": "3d"})
    with ps.style():
        _horn_axes(fig, ax, data["horn"])
        ax.plot_wireframe(x, g1, g2, rstride=max(1, f1.size // 25), cstride=max(1, n // 24),
                          color=ps.MANIFOLD, lw=0.7, label=r"manifold $g(x, z)$")  # fmt: skip
        state = "Untrained" if model == "untrained" else "Trained"
        radius = np.abs(np.concatenate([f1, f2]))
        ax.set_title(f"{state} conditional decoder: {f1.size} x values times {n} latents\n"
                     f"radii |f(x)| from {radius.min():.2f} to {radius.max():.2f}")  # fmt: skip
        ax.legend(loc="upper left", fontsize=8)
    return fig


def regression_baseline(data: Data, *, size) -> object:
    """The regression network's prediction y = f(x) (no latent) against the horn: it follows
    the horn's axis, the mean of each ring."""
    r = data["radii"]
    fig, ax = ps.figure(size, subplot_kw={"projection": "3d"})
    with ps.style():
        _horn_axes(fig, ax, data["horn"])
        ax.plot(r["x"], np.zeros_like(r["x"]), np.zeros_like(r["x"]), color="white", ls="--",
                lw=1.2, label="the axis $y = 0$")  # fmt: skip
        ax.plot(r["x"], r["baseline_y1"], r["baseline_y2"], color=ps.Z_TILDE, lw=3,
                label=r"regression $\hat y = f(x)$")  # fmt: skip
        share = np.hypot(r["baseline_y1"], r["baseline_y2"]) / np.hypot(r["rho1"], r["rho2"])
        ax.set_title("Regression without a latent collapses onto the axis\n"
                     f"|f(x)| at most {100 * share.max():.1f} % of |rho(x)|")  # fmt: skip
        ax.legend(loc="upper left", fontsize=8)
    return fig


def conditional_free_energy(data: Data, *, size, window: float) -> object:
    """F_inf(x, y) of the trained conditional decoder at a few x (log colour scale), with the
    held-out samples whose x is within ``window``."""
    maps, held = data["maps"], data["held_out"]
    xs = list(dict.fromkeys(np.asarray(maps["x"]).tolist()))
    fig, axes = _panels(size, len(xs), cols=len(xs))
    norm = matplotlib.colors.LogNorm(vmin=1e-3, vmax=max(1.0, float(np.max(maps["F"]))))
    with ps.style():
        for ax, x in zip(axes.flat, xs, strict=False):
            m = _model_rows(maps, x=x)
            k = round(np.sqrt(m["F"].size))
            y1, y2 = m["y1"].reshape(k, k), m["y2"].reshape(k, k)
            image = ax.pcolormesh(y1, y2, np.maximum(m["F"], norm.vmin).reshape(k, k),
                                  norm=norm, cmap="viridis", shading="nearest")  # fmt: skip
            near = np.abs(held["x"] - x) <= window
            label = f"held-out, |x_i - x| <= {window:g}"
            ax.scatter(held["y1"][near], held["y2"][near], s=12, color="white",
                       edgecolor="black", lw=0.4, label=label)  # fmt: skip
            ps.plane(ax, title=f"$x$ = {x:g}: {int(near.sum())} samples")
            ax.legend(loc="lower center", fontsize=7)
        for ax in list(axes.flat)[len(xs) :]:
            ax.set_visible(False)
        fig.colorbar(image, ax=axes.ravel().tolist(), label=r"$F_\infty(x, y)$", shrink=0.8)
    return fig


# 27-29: the probabilistic reading -------------------------------------------------------------
LATENT_COLOURS = {"grid": ps.Z_TILDE, "continuous": ps.Z_CHECK}


def em_path(data: Data, *, size, noise_std: float, n: int) -> object:
    """EM's path with beta learned: the mean log-likelihood and beta over the steps, for the
    grid of n latents and the continuous latent, beside the data's own 1 / (2 sigma^2)."""
    t = data["em"]
    data_beta = 0.5 / noise_std**2
    fig, axes = ps.figure(size, ncols=2)
    with ps.style():
        for latent, colour in LATENT_COLOURS.items():
            rows = t["latent"] == latent
            label = f"{n} latents" if latent == "grid" else "continuous $z$"
            last = t["beta"][rows][-1]
            axes[0].plot(t["step"][rows], t["log_likelihood"][rows], "o-", ms=2.5, color=colour,
                         label=label)  # fmt: skip
            axes[1].plot(t["step"][rows], t["beta"][rows], "o-", ms=2.5, color=colour,
                         label=rf"{label}: learned $\beta$ = {last:.1f}")  # fmt: skip
        noise = rf"data: $1/(2\sigma^2)$ = {data_beta:.0f} ($\sigma$ = {noise_std:g})"
        axes[1].axhline(data_beta, color="white", ls="--", lw=1.2, label=noise)
        axes[0].set_xlabel("EM step")
        axes[0].set_ylabel(r"mean $\log p(y_i)$")
        axes[0].set_title("The likelihood never decreases")
        axes[0].legend(loc="lower right")
        axes[1].set_yscale("log")
        axes[1].set_xlabel("EM step")
        axes[1].set_ylabel(r"$\beta$ = 1 / (2 noise variance)")
        axes[1].set_title(r"$\beta$ is learnt: the model's noise")
        axes[1].legend(loc="lower right")
        fig.suptitle(r"EM on the samples: $p(y) = (\beta/\pi)\, e^{-\beta F_\beta(y)}$")
    return fig


def model_samples(data: Data, *, size) -> object:
    """Draws from each learned model beside the data, in the plane."""
    draws, s = data["model_samples"], data["samples"]
    latents = list(dict.fromkeys(draws["latent"].tolist()))
    fig, axes = ps.figure(size, ncols=len(latents), sharex=True, sharey=True, squeeze=False)
    with ps.style():
        for ax, latent in zip(axes[0], latents, strict=True):
            rows = draws["latent"] == latent
            ax.scatter(draws["y1"][rows], draws["y2"][rows], s=5, alpha=0.5,
                       color=LATENT_COLOURS.get(latent, ps.MANIFOLD),
                       label=f"{int(rows.sum())} draws from the learned model")  # fmt: skip
            ax.scatter(s["y1"], s["y2"], s=22, color=ps.SAMPLES, edgecolor="black", lw=0.5,
                       label=f"the {s['i'].size} samples", zorder=4)  # fmt: skip
            ps.plane(ax, title=f"Latent: {latent}")
            ax.legend(loc="upper right", fontsize=8)
        fig.suptitle("The learned model samples: z uniform, y = g(z) + noise of variance 1/(2β)")
    return fig


def held_out_likelihood(data: Data, *, size) -> object:
    """The held-out mean log-likelihood of the decoder trained at each finite beta, under that
    beta; the best beta marked."""
    t = data["held_out"]
    order = np.argsort(t["beta"])
    beta, ll = t["beta"][order], t["log_likelihood"][order]
    best = float(t["beta"][t["best"]][0])
    fig, ax = ps.figure(size)
    with ps.style():
        ax.plot(beta, ll, "o-", color=ps.Z_CHECK, label="trained at $\\beta$, scored at $\\beta$")
        ax.axvline(best, color="white", ls="--", lw=1, label=rf"best: $\beta$ = {best:g}")
        ax.set_xscale("log")
        ax.set_xlabel(r"$\beta$ (training and scoring)")
        ax.set_ylabel(r"held-out mean $\log p(y)$")
        ax.set_title("Which temperature explains unseen samples best")
        ps.outside_legend(ax)
    return fig
