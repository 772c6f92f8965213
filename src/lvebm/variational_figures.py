"""The variational stage's figures (37-39), drawn from its artifacts.

Every function takes its tables by name, keyword-only (each a mapping of column names to numpy
arrays, or a sequence of them), its size and its options, and returns a matplotlib ``Figure`` in
the lecture's style (:mod:`lvebm.plotstyle`). Figures compute nothing the artifacts already hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from lvebm import figurekit as kit
from lvebm import plotstyle as ps
from lvebm.figurekit import Columns

LOG_TWO = 0.6931471805599453
# the gaps' logarithmic colour scale: from this floor (rounding and better) up
GAP_FLOOR = 1e-7


def _image(ax, table: Columns, column: str, **style):
    return ax.imshow(
        kit.grid(table, column),
        origin="lower",
        extent=kit.extent(table),
        interpolation="nearest",
        aspect="equal",
        **style,
    )


def _beta_rows(summary: Columns, beta: float) -> int:
    return int(np.flatnonzero(np.asarray(summary["beta"]) == beta)[0])


# 37 -----------------------------------------------------------------------------------------
def approximation_gap(
    *, gaps: Sequence[Columns], summary: Columns, size, decoder: Mapping
) -> Figure:
    """beta times the approximation gap F_q* - F_beta over the mesh's box, one panel per beta.

    Figure 37: on one linear colour scale from 0 to just above log 2, so that the ridge, where
    the posterior has two equal modes and the best von Mises holds one, reads log 2 at every
    beta that separates the modes; the ridge is dotted.

    Parameters
    ----------
    gaps : sequence of Mapping of str to ndarray
        Per beta (in ``summary``'s order), the gap map
        (results/variational/beta~{beta}/gaps.parquet, :func:`lvebm.variational.gap_table`):
        ``y1``, ``y2``, ``approximation_gap``, in mesh order.
    summary : Mapping of str to ndarray
        :func:`lvebm.variational.gap_summary`'s table: ``beta``, ``ridge_scaled_min``,
        ``ridge_scaled_max``, ``off_max``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 15 x 4.2).
    decoder : Mapping
        ``w1, w2``: the decoder, for the ridge.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per beta.

    Examples
    --------
    >>> from lvebm.meshgrid import map_points
    >>> from lvebm.model import Decoder
    >>> from lvebm.variational import gap_summary, gap_table
    >>> y1, y2 = map_points({"y1": [-3, 3], "y2": [-2, 2]}, {"y1": 13, "y2": 9})
    >>> tables = [gap_table(Decoder(-1.45, 0.36), y1, y2, b) for b in (1.0, 100.0)]
    >>> s = gap_summary(tables, [1.0, 100.0], 0.25)
    >>> fig = approximation_gap(gaps=tables, summary=s, size=(10.0, 4.0),
    ...     decoder={"w1": -1.45, "w2": 0.36})
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes[:2]]
    ['β = 1', 'β = 100']
    """
    betas = np.asarray(summary["beta"])
    fig, axes = ps.figure(size, ncols=betas.size, sharex=True, sharey=True, squeeze=False)
    with ps.style():
        for ax, beta, table in zip(axes[0], betas, gaps, strict=True):
            k = _beta_rows(summary, beta)
            scaled = {**table, "scaled": float(beta) * np.asarray(table["approximation_gap"])}
            image = _image(ax, scaled, "scaled", cmap="magma", vmin=0.0, vmax=0.75)
            kit.ridge(ax, decoder, lw=1.0, ls=":")
            ps.plane(
                ax,
                title=(
                    f"β = {beta:g}\nβ·gap on the ridge {summary['ridge_scaled_min'][k]:.3f}"
                    f"–{summary['ridge_scaled_max'][k]:.3f}, off it ≤ "
                    f"{beta * summary['off_max'][k]:.2g}"
                ),
            )
            ax.grid(False)
            ax.title.set_fontsize(9)
        bar = fig.colorbar(image, ax=list(axes[0]), shrink=0.85, extend="max")
        bar.set_label("β (F_q* − F_β)")
        bar.set_ticks([0.0, 0.2, 0.4, LOG_TWO], labels=["0", "0.2", "0.4", "log 2"])
        fig.suptitle(
            "The approximation gap of the best von Mises q*: log 2 where the posterior has two "
            "equal modes (the ridge, dotted)"
        )
    return fig


# 38 -----------------------------------------------------------------------------------------
def gap_decomposition(
    *, gaps: Sequence[Columns], summary: Columns, size, decoder: Mapping
) -> Figure:
    """The encoder's total gap split, point by point: amortization (top) and approximation
    (bottom) over the mesh's box, one column per beta.

    Figure 38: F_q_enc - F_beta = (F_q_enc - F_q*) + (F_q* - F_beta) on one logarithmic colour
    scale; each title gives the mean gap and the amortization's share of the total.

    Parameters
    ----------
    gaps : sequence of Mapping of str to ndarray
        Per beta, the gap map: ``y1``, ``y2``, ``approximation_gap``, ``amortization_gap``.
    summary : Mapping of str to ndarray
        The summary: ``beta``, ``mean_amortization``, ``mean_approximation``,
        ``amortization_share``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 15 x 7.6).
    decoder : Mapping
        ``w1, w2``, for the ridge.

    Returns
    -------
    matplotlib.figure.Figure
        Two rows of panels, one column per beta.

    Examples
    --------
    >>> from lvebm.meshgrid import map_points
    >>> from lvebm.model import Decoder
    >>> from lvebm.variational import encoder_network, gap_summary, gap_table
    >>> net = encoder_network((4,))
    >>> y1, y2 = map_points({"y1": [-3, 3], "y2": [-2, 2]}, {"y1": 13, "y2": 9})
    >>> t = gap_table(Decoder(-1.45, 0.36), y1, y2, 10.0, (net, net.init(0)))
    >>> fig = gap_decomposition(gaps=[t], summary=gap_summary([t], [10.0], 0.25),
    ...     size=(6.0, 7.0), decoder={"w1": -1.45, "w2": 0.36})
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes[:2]]
    ['Amortization gap, β = 10', 'Approximation gap, β = 10']
    """
    betas = np.asarray(summary["beta"])
    fig, axes = ps.figure(size, nrows=2, ncols=betas.size, sharex=True, sharey=True, squeeze=False)
    top = max(
        max(float(np.max(t["amortization_gap"])), float(np.max(t["approximation_gap"])))
        for t in gaps
    )
    norm = LogNorm(GAP_FLOOR, max(top, GAP_FLOOR * 10))
    with ps.style():
        for j, (beta, table) in enumerate(zip(betas, gaps, strict=True)):
            k = _beta_rows(summary, beta)
            for i, (column, name, mean) in enumerate(
                (
                    ("amortization_gap", "Amortization gap", summary["mean_amortization"][k]),
                    ("approximation_gap", "Approximation gap", summary["mean_approximation"][k]),
                )
            ):
                ax = axes[i, j]
                floored = {**table, "floored": np.maximum(table[column], GAP_FLOOR)}
                image = _image(ax, floored, "floored", cmap="viridis", norm=norm)
                kit.ridge(ax, decoder, lw=1.0, ls=":")
                share = f", {summary['amortization_share'][k]:.1%} of the total" if i == 0 else ""
                ps.plane(ax, title=f"{name}, β = {beta:g}\nmean {mean:.2e}{share}")
                if i == 0:
                    ax.set_xlabel("")
                ax.grid(False)
                ax.title.set_fontsize(9)
        fig.colorbar(image, ax=list(axes.ravel()), shrink=0.8, extend="min", label="gap")
        fig.suptitle(
            "The encoder's gap F_q_enc − F_β = amortization (F_q_enc − F_q*) + approximation "
            "(F_q* − F_β)"
        )
    return fig


# 39 -----------------------------------------------------------------------------------------
def posteriors(*, posteriors: Columns, draws: Columns, summary: Columns, size) -> Figure:
    """The posterior p(z|y) at the chosen points and betas: exact, q*, the encoder's q, and a
    histogram of the exact sampler's draws.

    Figure 39: one row per point, one column per beta; each title gives the point, the
    sampler's acceptance and the Kolmogorov-Smirnov p-value of its draws.

    Parameters
    ----------
    posteriors : Mapping of str to ndarray
        The densities (results/variational/posteriors.parquet): ``point``, ``beta``, ``z``,
        ``exact``, ``best``, ``encoder``.
    draws : Mapping of str to ndarray
        The histogram (results/variational/draws.parquet): ``point``, ``beta``, ``lower``,
        ``upper``, ``count``.
    summary : Mapping of str to ndarray
        The draws' summary: ``point``, ``y1``, ``y2``, ``beta``, ``draws``, ``acceptance``,
        ``p_value``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 15 x 9).

    Returns
    -------
    matplotlib.figure.Figure
        A grid of panels, z on [0, 2 pi).

    Examples
    --------
    >>> from lvebm.model import Decoder
    >>> from lvebm.variational import posterior_tables
    >>> p, h, s = posterior_tables(Decoder(-1.45, 0.36), {"far": [2.5, 1.5]}, [10.0], None,
    ...     draws=500, bins=24, seed=709)
    >>> fig = posteriors(posteriors=p, draws=h, summary=s, size=(6.0, 4.0))
    >>> fig.axes[0].get_title().splitlines()[0]
    'far (2.5, 1.5), β = 10'
    """
    points = list(dict.fromkeys(np.asarray(summary["point"]).tolist()))
    betas = list(dict.fromkeys(np.asarray(summary["beta"]).tolist()))
    fig, axes = ps.figure(size, nrows=len(points), ncols=len(betas), squeeze=False)
    with ps.style():
        for i, point in enumerate(points):
            for j, beta in enumerate(betas):
                ax = axes[i, j]
                rows = (posteriors["point"] == point) & (posteriors["beta"] == beta)
                z = posteriors["z"][rows]
                h = (draws["point"] == point) & (draws["beta"] == beta)
                width = draws["upper"][h] - draws["lower"][h]
                density = draws["count"][h] / (np.sum(draws["count"][h]) * width)
                ax.bar(
                    draws["lower"][h],
                    density,
                    width=width,
                    align="edge",
                    color="#555555",
                    label="exact draws",
                )
                ax.plot(z, posteriors["exact"][rows], color="white", lw=1.6, label="p(z|y)")
                ax.plot(z, posteriors["best"][rows], color=ps.Z_CHECK, lw=1.2, ls="--", label="q*")
                if np.isfinite(posteriors["encoder"][rows]).all():
                    ax.plot(
                        z,
                        posteriors["encoder"][rows],
                        color=ps.Z_TILDE,
                        lw=1.0,
                        ls=":",
                        label="encoder's q",
                    )
                k = int(np.flatnonzero((summary["point"] == point) & (summary["beta"] == beta))[0])
                ax.set_title(
                    f"{point} ({summary['y1'][k]:g}, {summary['y2'][k]:g}), β = {beta:g}\n"
                    f"acceptance {summary['acceptance'][k]:.2f}, "
                    f"K-S p = {summary['p_value'][k]:.2f}",
                    fontsize=9,
                )
                # a narrow posterior: the panel zooms on where a density is above 1e-3 of its
                # peak (else the whole circle, ticks at multiples of pi / 2)
                dens = np.vstack([posteriors[c][rows] for c in ("exact", "best")])
                seen = z[np.any(dens > 1e-3 * dens.max(), axis=0)]
                if seen.max() - seen.min() < np.pi:
                    pad = 0.15 * (seen.max() - seen.min()) + 0.02
                    ax.set_xlim(seen.min() - pad, seen.max() + pad)
                    ax.set_title(ax.get_title() + " (zoomed)", fontsize=9)
                else:
                    ps.pi_ticks(ax, 0.0, 2.0 * np.pi, np.pi / 2)
                if i == len(points) - 1:
                    ax.set_xlabel("z")
                if j == 0:
                    ax.set_ylabel("density")
        axes[0, 0].legend(fontsize=7, loc="upper right")
        fig.suptitle(
            "The exact posterior, the best von Mises q*, the encoder's q and exact draws "
            f"({int(summary['draws'][0])} per panel)"
        )
    return fig
