"""The lecture's plot style in one place: matplotlib's dark background, a dashed grid, and the
colours measured on the lecture's figures. Figures use :func:`figure` and these names only."""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.figure import Figure

from lvebm import portable

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

# 3-D axes take their grid's style when they are made: solid, fainter (see figure())
RC_3D = {"grid.linestyle": "-", "grid.color": "#4d4d4d"}  # mplot3d reads no grid.alpha


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


class _PortableNumpy:
    """NumPy as mplot3d sees it inside :func:`portable_rendering`: ``dot``, ``sin``, ``cos`` and
    ``linalg.norm``/``linalg.inv`` from :mod:`lvebm.portable`, everything else NumPy's own."""

    class linalg:
        @staticmethod
        def norm(x, axis=None):
            x = np.asarray(x, dtype=np.float64)
            if axis is None:
                x, axis = x.ravel(), -1
            return np.sqrt(portable.dot(x, x, axis=axis))

        @staticmethod
        def inv(a):
            a = np.asarray(a, dtype=np.float64)
            eye = np.eye(a.shape[0])
            return np.column_stack([portable.solve(a, eye[:, k]) for k in range(a.shape[0])])

    @staticmethod
    def dot(a, b):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.ndim == 2 and b.ndim in (1, 2):
            return portable.matmul(a, b)
        if a.ndim == b.ndim == 1:
            return portable.dot(a, b)
        raise TypeError(f"portable_rendering: a dot product of shapes {a.shape} and {b.shape}")

    @staticmethod
    def sin(x):
        return portable.sin(x)

    @staticmethod
    def cos(x):
        return portable.cos(x)

    def __getattr__(self, name):
        return getattr(np, name)


@contextmanager
def portable_rendering():
    """3-D axes set up and rendered with portable arithmetic inside the block (the figure rule's
    drawing and savefig).

    mplot3d projects every point through 4 x 4 matrices with ``np.dot`` (OpenBLAS, whose sums
    are the CPU's) built from ``np.sin``/``np.cos`` of the view angles and ``np.linalg.inv``:
    its screen coordinates, and so a pixel here and there, differed between x86-64 and aarch64.
    Inside the block mplot3d's modules see :class:`_PortableNumpy` instead of NumPy; the
    projection is the same to rounding, and the same bits everywhere. 2-D drawing needs none of
    this: matplotlib's 2-D transforms agreed bit for bit (every 2-D figure of the quick config
    on aarch64).

    Examples
    --------
    >>> from mpl_toolkits.mplot3d import proj3d
    >>> with portable_rendering():
    ...     proj3d.np.dot(np.eye(2), np.ones(2)).tolist()
    [1.0, 1.0]
    >>> proj3d.np is np
    True
    """
    from mpl_toolkits.mplot3d import axes3d, proj3d

    modules = (proj3d, axes3d)
    saved = [m.np for m in modules]
    shim = _PortableNumpy()
    try:
        for m in modules:
            m.np = shim
        yield
    finally:
        for m, original in zip(modules, saved, strict=True):
            m.np = original


def figure(size: tuple[float, float], **subplots):
    """A new figure of ``size`` inches with subplots, in the lecture's style.

    A plain :class:`~matplotlib.figure.Figure`, not pyplot's: no window, no global registry to
    close it from (it is freed with its last reference), and no pyplot import (0.2 s of every
    figure job); ``savefig`` renders it with Agg. Its layout is ``constrained``. 3-D axes get
    solid dark grey grid lines (``RC_3D``): Agg's dash generator measures a slanted dash with
    ``sqrt(dx*dx + dy*dy)``, which a platform's compiler may fuse into a multiply-add, and a
    3-D pane's grid lines are all slanted (a dash's end moved by a pixel level on aarch64).

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
    three_d = (subplots.get("subplot_kw") or {}).get("projection") == "3d"
    with style(), matplotlib.rc_context(RC_3D if three_d else {}):
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
