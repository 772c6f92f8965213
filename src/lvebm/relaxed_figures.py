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
from lvebm import portable
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
    """F_beta along the line for every beta, on the grid of latents and continuous.

    Figures 14 (untrained) and 19 (trained): F_beta along the cross-section's line, against the
    coordinate that varies along it, as the grid's mean over latents (solid, markers, the lecture's)
    and the continuous integral (black dashes, over it); one colour per beta from hot (red) to cold
    (blue), beta = inf in white.

    Parameters
    ----------
    cross_section : Mapping of str to ndarray
        F_beta along the line (results/relaxed/cross_section.parquet for figure 14,
        results/training/cross_section.parquet for figure 19,
        :func:`lvebm.relaxed_tables.cross_section`): columns ``beta``, ``y1``, ``y2``, ``F_grid``
        and ``F_continuous``, beta-major.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 9 x 5).
    ymax : float
        The top of the F axis (the lecture's 5, or 6 for the trained decoder); extended, never
        clipped, where a curve goes above it.
    title : str or None, optional
        The title; by default the untrained cross-section's.

    Returns
    -------
    matplotlib.figure.Figure
        One panel, its legend of the betas outside on the right.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.relaxed_tables import cross_section
    >>> t = cross_section(lvebm.Decoder(-1.45, 0.36), start=(0.0, -2.0), stop=(0.0, 2.0), num=17,
    ...                   betas=[0.1, 1.0, 10.0], n=48)
    >>> fig = relaxed_cross_section(cross_section=t, size=(9.0, 5.0), ymax=5.0, title="Untrained")
    >>> fig.axes[0].get_title(), fig.axes[0].get_xlabel()
    ('Untrained', '$y_2$ (at $y_1$ = 0)')
    """
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
    """The manifold points g(z_k) coloured by exp(-beta E_k) (no 1/N), one panel per point.

    Figure 15: for each point y (a star), the samples, the manifold and its latents' points
    g(z_k) coloured by exp(-beta E(y, z_k)) from 0 to 1 (plasma): which latents pull y at this
    beta. One colour bar for the panels.

    Parameters
    ----------
    weights : Mapping of str to ndarray
        The points' energies over the latent grid (results/relaxed/weights.parquet,
        :func:`lvebm.relaxed_tables.softmin_weights`): columns ``point`` (a name such as ``y(23)``
        or ``(0, 0)``), ``y1``, ``y2`` and ``E``, point-major in the order of the latent grid.
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``y1`` and ``y2``.
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet): its decoded latent grid, columns
        ``i``, ``z``, ``y1_tilde`` and ``y2_tilde``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 13 x 4.6).
    beta : float
        The inverse temperature of the weights (the pipeline's ``relaxed.weights_beta``, 1).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane per point, and the colour bar.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.relaxed_tables import resolve_points, softmin_weights as weights_table
    >>> d, s = lvebm.Decoder(-1.45, 0.36), lvebm.sample_slice()
    >>> names, y1, y2 = resolve_points([23, [0.0, 0.0]], s)
    >>> w = weights_table(d, names, y1, y2, beta=1.0, n=48)
    >>> e = lvebm.energy_table(d, s["i"], s["y1"], s["y2"])
    >>> fig = softmin_weights(weights=w, samples=s, energies=e, size=(13.0, 4.6), beta=1.0)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['$y^{(23)}$', '$y$ = (0, 0)']
    """
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
                c=portable.exp(-beta * w["E"][rows]),
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
    r"""One F_beta heat map per beta with arrows -grad F_beta.

    Figure 16: per beta, F_beta over the mesh (viridis, 0 to ``vmax``, extended above), arrows
    -grad F_beta on a thinned sub-grid and the samples; cold, only the closest point of the
    manifold pulls, warm, every point pulls. ``meshes`` holds the maps in the order of ``betas``.

    Parameters
    ----------
    meshes : sequence of Mapping of str to ndarray
        Each beta's map (results/relaxed/free_energy/beta~<beta>.parquet,
        :func:`lvebm.relaxed_tables.relaxed_field`), in the order of ``betas``: columns ``y1``,
        ``y2``, ``F``, ``dF_dy1`` and ``dF_dy2``, in mesh order.
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 13 x 6.6).
    betas : sequence of float or str
        The maps' inverse temperatures, or their labels (``"0.1"``, ``"inf"``: what ``float``
        reads), for the panels' titles.
    vmax : float
        The top of the colour scale (the pipeline's 5, the cross-section's axis).
    max_arrows : int
        The most arrows per axis (the pipeline's 33).

    Returns
    -------
    matplotlib.figure.Figure
        The panels in rows of three (spare ones switched off) and a shared colour bar.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.relaxed_tables import relaxed_field
    >>> d = lvebm.Decoder(-1.45, 0.36)
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> meshes = [relaxed_field(d, y1, y2, beta=b, n=48) for b in (0.1, 1.0)]
    >>> fig = relaxed_free_energy(meshes=meshes, samples=lvebm.sample_slice(), size=(13.0, 6.6),
    ...                           betas=["0.1", "1.0"], vmax=5.0, max_arrows=33)
    >>> len(fig.axes), [ax.get_title() for ax in fig.axes[:2]]  # two maps, the colour bar
    (3, ['$\\beta = 0.1$', '$\\beta = 1$'])
    """
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
    """F_beta on the n-point grid against the continuous integral over beta, per point.

    Figure 17: left, each point's F_beta on the grid of n latents (solid) and continuous (black
    dashes) over beta (log scale); right, their relative difference where it exceeds
    ``GRID_ERROR_FLOOR`` (below it, rounding; not drawn): where n latents stop resolving
    exp(-beta E).

    Parameters
    ----------
    grid_error : Mapping of str to ndarray
        The scan over beta (results/relaxed/grid_error.parquet,
        :func:`lvebm.relaxed_tables.grid_error`): columns ``beta``, ``point``, ``F_grid`` and
        ``F_continuous``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 4.8).
    n : int
        The latent grid's size, for the titles (the lecture's 48).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels side by side.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.relaxed_tables import grid_error
    >>> g = grid_error(lvebm.Decoder(-1.45, 0.36), ["(0, 0)", "(2, 0)"], [0.0, 2.0], [0.0, 0.0],
    ...                beta_start=0.01, beta_stop=1e4, num=13, n=48)
    >>> fig = grid_vs_continuous(grid_error=g, size=(12.0, 4.8), n=48)
    >>> fig.get_suptitle()
    'Where a grid of 48 latents stops being enough'
    """
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
