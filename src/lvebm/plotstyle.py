"""The lecture's plot style in one place: matplotlib's dark background, a dashed grid, and the
colours measured on the lecture's figures. Figures use :func:`figure` and these names only."""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.figure import Figure

# Colours of the lecture's figures (matplotlib dark_background palette)
SAMPLES = "#8dd3c7"  # light blue-green: the samples y^(i)
MANIFOLD = "#bc82bd"  # purple: the decoded manifold g(z)
FOCUS = "#55a868"  # green: y^(23)
Z_TILDE = "#fdb462"  # orange: the initial latent z_tilde
Z_CHECK = "#5fa2dd"  # blue: the found latent z_check
ENERGY = "#fa8072"  # salmon: energy curves
MESH = "#9a9a9a"  # grey: mesh points
WRONG = "#ff4d4d"  # red: points that ended in a non-global minimum
# the five highlighted points, left to right (blue, dark red, purple, green, orange)
HIGHLIGHT = ("#1f77b4", "#b22222", "#9467bd", "#2ca02c", "#ff7f0e")

RC = {
    "grid.linestyle": "--",
    "grid.alpha": 0.35,
    "axes.grid": True,
    "font.size": 10,
    "axes.titlesize": 11,
    "legend.fontsize": 8,
    "legend.framealpha": 0.4,
    "image.cmap": "viridis",
    "svg.hashsalt": "lvebm",
    "path.simplify": False,
}


@contextmanager
def style():
    """The lecture's style for the figures made inside the block.

    matplotlib's ``dark_background`` style with this module's ``RC`` settings over it (a dashed
    grid, the font sizes, viridis, a fixed SVG hash salt), both undone when the block ends.
    :func:`figure` makes its figure and axes in it; the figure functions draw in it too.

    Examples
    --------
    >>> import matplotlib
    >>> with style():
    ...     matplotlib.rcParams["axes.grid"], matplotlib.rcParams["grid.linestyle"]
    (True, '--')
    """
    with matplotlib.style.context("dark_background"), matplotlib.rc_context(RC):
        yield


def figure(size: tuple[float, float], **subplots):
    """A new figure of ``size`` inches with subplots, in the lecture's style.

    A plain :class:`~matplotlib.figure.Figure`, not pyplot's: no window, no global registry to
    close it from (it is freed with its last reference), and no pyplot import (0.2 s of every
    figure job); ``savefig`` renders it with Agg. Its layout is ``constrained``.

    Parameters
    ----------
    size : tuple of float
        The figure's width and height in inches.
    **subplots
        Keyword arguments of :meth:`matplotlib.figure.Figure.subplots` (``nrows``, ``ncols``,
        ``sharex``, ``squeeze``, ``subplot_kw``, ``gridspec_kw``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The new figure.
    axes : matplotlib.axes.Axes or ndarray of Axes
        Its axes, as :meth:`~matplotlib.figure.Figure.subplots` returns them.

    Examples
    --------
    >>> fig, axes = figure((6.0, 3.0), ncols=2)
    >>> type(fig).__name__, len(axes), fig.get_size_inches().tolist()
    ('Figure', 2, [6.0, 3.0])
    """
    with style():
        fig = Figure(figsize=size, layout="constrained")
        axes = fig.subplots(**subplots)
    return fig, axes


def plane(ax, *, title: str | None = None, limits=None) -> None:
    """Axes of the (y1, y2) plane: y1 horizontal, y2 vertical, equal aspect, dashed grid.

    Labels the axes y1 and y2 and makes their aspect equal; the dashed grid is the style's.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to set up.
    title : str or None, optional
        The axes' title; none by default.
    limits : pair of pairs of float, optional
        ``((y1 low, y1 high), (y2 low, y2 high))``; by default matplotlib's.

    Examples
    --------
    >>> fig, ax = figure((4.0, 3.0))
    >>> plane(ax, title="The plane", limits=((-3.0, 3.0), (-2.0, 2.0)))
    >>> ax.get_xlabel(), ax.get_title(), ax.get_aspect()
    ('$y_1$', 'The plane', 1.0)
    """
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.set_aspect("equal")
    if limits is not None:
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
    if title:
        ax.set_title(title)


def outside_legend(ax, **kwargs) -> None:
    """A legend to the right of the axes (the plane plots keep their equal aspect).

    Its upper left corner is just right of the axes' upper right corner.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes whose labelled artists the legend lists.
    **kwargs
        Further keyword arguments of :meth:`matplotlib.axes.Axes.legend` (``title``,
        ``handles`` and ``labels``, ...).

    Examples
    --------
    >>> fig, ax = figure((4.0, 3.0))
    >>> _ = ax.plot([0.0, 1.0], [0.0, 1.0], label="a line")
    >>> outside_legend(ax, title="legend")
    >>> ax.get_legend().get_title().get_text()
    'legend'
    """
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kwargs)


def pi_ticks(ax, start: float, stop: float, step: float = np.pi) -> None:
    r"""Ticks at multiples of pi on the z axis.

    A tick at every multiple of ``step`` from ``start`` to ``stop`` (both included), labelled in
    units of pi (0, pi/2, pi, 2 pi, ...).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes whose x axis is z.
    start, stop : float
        The range of z to tick.
    step : float, optional
        The ticks' spacing (pi by default).

    Examples
    --------
    >>> fig, ax = figure((4.0, 3.0))
    >>> pi_ticks(ax, 0.0, 2.0 * np.pi, np.pi / 2)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['0', '$\\pi/2$', '$\\pi$', '$1.5\\pi$', '$2\\pi$']
    """
    ticks = np.arange(np.ceil(start / step - 1e-9), np.floor(stop / step + 1e-9) + 1) * step
    ax.set_xticks(ticks)
    ax.set_xticklabels([_pi_label(t / np.pi) for t in ticks])


def _pi_label(k: float) -> str:
    k = round(k, 6)
    if k == 0:
        return "0"
    frac = {0.5: r"\pi/2", -0.5: r"-\pi/2", 1: r"\pi", -1: r"-\pi"}
    if k in frac:
        return f"${frac[k]}$"
    if float(k).is_integer():
        return f"${int(k)}\\pi$"
    return f"${k:g}\\pi$"
