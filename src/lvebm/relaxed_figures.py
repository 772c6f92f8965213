"""The finite-temperature figures (lecture 15-2; 14-17), drawn from the relaxed stage's artifacts
(figure 19 draws the trained decoder's cross-section with the same function).

Every function takes its tables by name, keyword-only (each a mapping of column names to numpy
arrays, or a sequence of them), its size and its options, and returns a matplotlib ``Figure`` in
the lecture's style
(:mod:`lvebm.plotstyle`). Figures compute nothing the artifacts already hold.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D

from lvebm import figurekit as kit
from lvebm import plotstyle as ps
from lvebm.figurekit import Columns

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


def relaxed_cross_section(
    *, cross_section: Columns, size, ymax: float, title: str | None = None
) -> Figure:
    """F_beta along the line for every beta: the grid's mean over latents (solid, markers, the
    lecture's) and the continuous integral (dashed). Figures 14 (untrained) and 19 (trained)."""
    t = cross_section
    betas = list(dict.fromkeys(t["beta"].tolist()))
    colours = _beta_colours(betas)
    fig, ax = ps.figure(size)
    with ps.style():
        for beta in betas:
            rows = t["beta"] == beta
            x, label = _line_coordinate({k: v[rows] for k, v in t.items()})
            ax.plot(
                x,
                t["F_grid"][rows],
                "o-",
                ms=3.5,
                lw=2.2,
                color=colours[beta],
                label=kit.beta_text(beta),
            )
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


def softmin_weights(
    *, weights: Columns, samples: Columns, energies: Columns, size, beta: float
) -> Figure:
    """The manifold points g(z_k) coloured by exp(-beta E_k) (no 1/N), one panel per point."""
    w, s, e = weights, samples, energies
    _, g1, g2 = kit.manifold(e)
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
            ax.scatter(
                [y1],
                [y2],
                marker="*",
                s=160,
                color=ps.FOCUS,
                edgecolor="white",
                lw=0.6,
                zorder=6,
                label="$y$",
            )
            ps.plane(ax, title=_point_text(name))
        fig.colorbar(sc, ax=axes[0].tolist(), shrink=0.8, label=r"$\exp(-\beta E(y, z_k))$")
        axes[0][0].legend(loc="lower left")
        fig.suptitle(rf"Which latents pull $y$ at $\beta$ = {beta:g}: soft-argmin weights")
    return fig


def relaxed_free_energy(
    *, meshes: Sequence[Columns], samples: Columns, size, betas, vmax: float, max_arrows: int
) -> Figure:
    """One F_beta heat map per beta (viridis, 0 to vmax, extended) with arrows -grad F_beta;
    ``meshes`` holds the maps in the order of ``betas``."""
    s = samples
    n = len(betas)
    fig, axes = kit.panels(size, n, sharex=True, sharey=True)
    with ps.style():
        for ax, label, mesh in zip(axes.ravel(), betas, meshes, strict=False):
            im = kit.heat(ax, mesh, vmax=vmax)
            kit.arrows(ax, mesh, max_arrows=max_arrows)
            kit.samples_on_map(ax, s, size=8)
            ps.plane(ax, title=kit.beta_text(float(label)), limits=kit.limits(mesh, pad=0.15))
            ax.grid(False)
        for ax in axes.ravel()[n:]:
            ax.axis("off")
        fig.colorbar(im, ax=axes.ravel().tolist(), extend="max", shrink=0.8, label=r"$F_\beta(y)$")
        fig.suptitle(
            r"Relaxed free energy $F_\beta$; arrows: $-\nabla F_\beta$ (cold: only the "
            "closest point pulls; warm: every point pulls)"
        )
    return fig


# Figure 17 draws no relative difference below this: the continuous F_beta is converged to about
# 1e-13 relative and both values carry rounding of a few 1e-16, so smaller differences are noise
# (they differed from CPU to CPU) and say nothing about the grid.
GRID_ERROR_FLOOR = 1e-12


def grid_vs_continuous(*, grid_error: Columns, size, n: int) -> Figure:
    """F_beta on the n-point grid against the continuous integral over beta, per point, and
    their relative difference where it exceeds ``GRID_ERROR_FLOOR``: where n latents stop
    resolving exp(-beta E)."""
    t = grid_error
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
