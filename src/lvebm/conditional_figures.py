"""The conditional horn's figures (lecture 15-2, section 3; 23-26), drawn from its artifacts.

Every function takes its tables by name, keyword-only (each a mapping of column names to numpy
arrays, or a sequence of them), its size and its options, and returns a matplotlib ``Figure`` in
the lecture's style
(:mod:`lvebm.plotstyle`). Figures compute nothing the artifacts already hold.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from lvebm import figurekit as kit
from lvebm import plotstyle as ps
from lvebm import portable
from lvebm.figurekit import TWO_PI, Columns


# 23-26: the conditional horn (lecture 15-2, section 3) -----------------------------------------
def _horn_axes(fig, ax, horn: Columns) -> None:
    """The horn's samples (coloured by x as in figure 1, with its colour bar), the 3-D axes'
    style, and the axes filling the figure (matplotlib's 3-D box leaves wide margins)."""
    points = ax.scatter(
        horn["x"],
        horn["y1"],
        horn["y2"],
        c=horn["x"],
        cmap="rainbow",
        s=5,
        vmin=0,
        vmax=1,
        alpha=0.6,
        depthshade=False,
    )
    kit.style_3d(ax)
    ax.set_box_aspect(None, zoom=1.12)
    fig.subplots_adjust(left=0.0, right=0.9, bottom=0.02, top=0.9)
    bar = fig.colorbar(points, ax=ax, shrink=0.55, pad=0.08, fraction=0.04)
    bar.set_label("$x$ of the horn's samples")


AXIS_DASHES = 24  # dashes of figure 25's axis y = 0


def conditional_manifold(*, radii: Columns, horn: Columns, size, model: str, n: int) -> Figure:
    """The manifold of the conditional decoder in 3-D, over the horn's samples.

    Figures 23 (untrained) and 24 (trained): at each x of the grid the ellipse with radii f(x) over
    n latents, as a wireframe, over the horn's samples coloured by x (figure 1's colours, with the
    colour bar of x); the title gives the range of the radii |f(x)|.

    Parameters
    ----------
    radii : Mapping of str to ndarray
        The radii on the x grid (results/conditional/radii.parquet,
        :func:`lvebm.conditional.radii_table`): columns ``x`` and ``f1``, ``f2`` (trained) or
        ``f1_untrained``, ``f2_untrained``.
    horn : Mapping of str to ndarray
        The horn's samples (results/data/horn.parquet): columns ``x``, ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 8 x 6.5).
    model : {'untrained', 'trained'}
        Whose radii to draw: the initialisation's or the trained network's (any other value: the
        trained).
    n : int
        The number of latents around each ellipse (the lecture's 48).

    Returns
    -------
    matplotlib.figure.Figure
        One 3-D panel and the colour bar of x.

    Examples
    --------
    >>> import warnings
    >>> import lvebm
    >>> from lvebm.conditional import fit, radii_table
    >>> net, horn = lvebm.Network(), lvebm.sample_horn(200)
    >>> short = [{"method": "adam", "steps": 20, "learning_rate": 0.02}]  # a short training
    >>> params, _ = fit(net, horn, init_seed=1, schedule=short)
    >>> radii = radii_table(net, params, np.linspace(0.0, 1.0, 11), alpha=1.5, beta=2.0)
    >>> with warnings.catch_warnings():  # it warns: subplots_adjust in a constrained layout
    ...     warnings.simplefilter("ignore", UserWarning)
    ...     fig = conditional_manifold(radii=radii, horn=horn, size=(8.0, 6.5), model="untrained",
    ...                                n=48)
    >>> fig.axes[0].get_title().splitlines()[0]
    'Untrained conditional decoder: 11 x values times 48 latents'
    """
    r = radii
    suffix = "_untrained" if model == "untrained" else ""
    f1, f2 = np.asarray(r["f1" + suffix]), np.asarray(r["f2" + suffix])
    z = TWO_PI * np.arange(n + 1) / n  # closed: the first latent again at the end
    x = np.broadcast_to(np.asarray(r["x"])[:, None], (f1.size, z.size))
    g1, g2 = f1[:, None] * portable.cos(z), f2[:, None] * portable.sin(z)
    fig, ax = ps.figure(size, subplot_kw={"projection": "3d"})
    with ps.style():
        _horn_axes(fig, ax, horn)
        ax.plot_wireframe(
            x,
            g1,
            g2,
            rstride=max(1, f1.size // 25),
            cstride=max(1, n // 24),
            color=ps.MANIFOLD,
            lw=0.7,
            label=r"manifold $g(x, z)$",
        )
        state = "Untrained" if model == "untrained" else "Trained"
        radius = np.abs(np.concatenate([f1, f2]))
        ax.set_title(
            f"{state} conditional decoder: {f1.size} x values times {n} latents\n"
            f"radii |f(x)| from {radius.min():.2f} to {radius.max():.2f}"
        )
        ax.legend(loc="upper left", fontsize=8)
    return fig


def regression_baseline(*, radii: Columns, horn: Columns, size) -> Figure:
    """The regression network's prediction y = f(x) (no latent) against the horn.

    Figure 25: the baseline's curve y = f(x) over the horn's samples (coloured by x, with the
    colour bar of x) and the horn's axis y = 0 (dashed): the prediction follows the axis, the mean
    of each ring. The title gives the largest |f(x)| as a share of the data's radius |rho(x)|.

    Parameters
    ----------
    radii : Mapping of str to ndarray
        The radii on the x grid (results/conditional/radii.parquet,
        :func:`lvebm.conditional.radii_table`): columns ``x``, ``baseline_y1``, ``baseline_y2``,
        ``rho1`` and ``rho2``.
    horn : Mapping of str to ndarray
        The horn's samples (results/data/horn.parquet): columns ``x``, ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 8 x 6.5).

    Returns
    -------
    matplotlib.figure.Figure
        One 3-D panel and the colour bar of x.

    Examples
    --------
    >>> import warnings
    >>> import lvebm
    >>> from lvebm.conditional import fit, radii_table
    >>> net, horn = lvebm.Network(), lvebm.sample_horn(200)
    >>> short = [{"method": "adam", "steps": 20, "learning_rate": 0.02}]  # a short training
    >>> params, _ = fit(net, horn, init_seed=1, schedule=short)
    >>> radii = radii_table(net, params, np.linspace(0.0, 1.0, 11), alpha=1.5, beta=2.0)
    >>> with warnings.catch_warnings():  # it warns: subplots_adjust in a constrained layout
    ...     warnings.simplefilter("ignore", UserWarning)
    ...     fig = regression_baseline(radii=radii, horn=horn, size=(8.0, 6.5))
    >>> fig.axes[0].get_title().splitlines()[0]
    'Regression without a latent collapses onto the axis'
    """
    r = radii
    fig, ax = ps.figure(size, subplot_kw={"projection": "3d"})
    with ps.style():
        _horn_axes(fig, ax, horn)
        # the axis dashed in data space, as solid pieces: Agg's dashes along a slanted line
        # are measured in arithmetic a platform's compiler may fuse (plotstyle.figure)
        ends = np.linspace(float(r["x"].min()), float(r["x"].max()), 2 * AXIS_DASHES)
        dash_x = np.column_stack([ends[0::2], ends[1::2], np.full(AXIS_DASHES, np.nan)]).ravel()
        ax.plot(
            dash_x,
            np.zeros_like(dash_x),
            np.zeros_like(dash_x),
            color="white",
            lw=1.2,
        )
        ax.plot([], [], [], color="white", ls="--", lw=1.2, label="the axis $y = 0$")  # legend
        ax.plot(
            r["x"],
            r["baseline_y1"],
            r["baseline_y2"],
            color=ps.Z_TILDE,
            lw=3,
            label=r"regression $\hat y = f(x)$",
        )
        share = portable.hypot(r["baseline_y1"], r["baseline_y2"]) / portable.hypot(
            r["rho1"], r["rho2"]
        )
        ax.set_title(
            "Regression without a latent collapses onto the axis\n"
            f"|f(x)| at most {100 * share.max():.1f} % of |rho(x)|"
        )
        ax.legend(loc="upper left", fontsize=8)
    return fig


def conditional_free_energy(
    *, maps: Columns, held_out: Columns, size, window: float, floor: float
) -> Figure:
    """F_inf(x, y) of the trained conditional decoder at a few x, with the held-out samples near x.

    Figure 26: one panel per x of the maps, F_inf(x, y) on a log colour scale from ``floor`` (the
    smaller values drawn at it) to the largest F (at least 1), with the held-out samples whose x is
    within ``window``; each title gives their number. One colour bar for the panels.

    Parameters
    ----------
    maps : Mapping of str to ndarray
        The maps (results/conditional/maps.parquet, :func:`lvebm.conditional.free_energy_maps`):
        columns ``x``, ``y1``, ``y2`` and ``F``, x-major, a square mesh per x in mesh order.
    held_out : Mapping of str to ndarray
        The held-out horn samples (results/conditional/free_energy.parquet,
        :func:`lvebm.conditional.free_energy_table`): columns ``x``, ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 13 x 4.8).
    window : float
        The held-out samples drawn on the map of x are those with |x_i - x| <= ``window`` (the
        pipeline's 0.03).
    floor : float
        The bottom of the log colour scale, > 0 (the pipeline's 1e-3, below the held-out samples'
        F_inf).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane per x, in one row, and the colour bar.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.conditional import fit, free_energy_maps, free_energy_table, training_samples
    >>> net = lvebm.Network()
    >>> short = [{"method": "adam", "steps": 20, "learning_rate": 0.02}]  # a short training
    >>> params, _ = fit(net, lvebm.sample_horn(200), init_seed=1, schedule=short)
    >>> maps = free_energy_maps(net, params, [0.0, 1.0], num=9, margin=1.3)
    >>> held = training_samples(200, seed=709, alpha=1.5, beta=2.0, noise_std=0.05,
    ...                         split="held_out")
    >>> fig = conditional_free_energy(maps=maps, held_out=free_energy_table(net, params, held),
    ...                               size=(13.0, 4.8), window=0.03, floor=1e-3)
    >>> len(fig.axes), fig.axes[0].get_title()
    (3, '$x$ = 0: 8 samples')
    """
    held = held_out
    xs = list(dict.fromkeys(np.asarray(maps["x"]).tolist()))
    fig, axes = kit.panels(size, len(xs), cols=len(xs))
    norm = matplotlib.colors.LogNorm(vmin=floor, vmax=max(1.0, float(np.max(maps["F"]))))
    with ps.style():
        for ax, x in zip(axes.flat, xs, strict=False):
            m = kit.model_rows(maps, x=x)
            k = round(np.sqrt(m["F"].size))
            y1, y2 = m["y1"].reshape(k, k), m["y2"].reshape(k, k)
            image = ax.pcolormesh(
                y1,
                y2,
                np.maximum(m["F"], norm.vmin).reshape(k, k),
                norm=norm,
                cmap="viridis",
                shading="nearest",
            )
            near = np.abs(held["x"] - x) <= window
            label = f"held-out, |x_i - x| <= {window:g}"
            ax.scatter(
                held["y1"][near],
                held["y2"][near],
                s=12,
                color="white",
                edgecolor="black",
                lw=0.4,
                label=label,
            )
            ps.plane(ax, title=f"$x$ = {x:g}: {int(near.sum())} samples")
            ax.legend(loc="lower center", fontsize=7)
        for ax in list(axes.flat)[len(xs) :]:
            ax.set_visible(False)
        fig.colorbar(image, ax=axes.ravel().tolist(), label=r"$F_\infty(x, y)$", shrink=0.8)
    return fig
