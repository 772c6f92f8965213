"""The drawing helpers the figure modules share (heat maps of a mesh, gradient arrows, panels,
limits, the decoded manifold, the horn's 3-D axes, labels of beta and of models), in the
lecture's style (:mod:`lvebm.plotstyle`). Each stage's figures live in their own module:
:mod:`lvebm.figures` (the lecture's), :mod:`lvebm.relaxed_figures`, :mod:`lvebm.training_figures`,
:mod:`lvebm.conditional_figures`, :mod:`lvebm.probabilistic_figures`,
:mod:`lvebm.amortized_figures`, :mod:`lvebm.capacity_figures`, :mod:`lvebm.variational_figures`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lvebm import plotstyle as ps
from lvebm import portable

# a table as the figure functions take it: column name -> numpy array
Columns = Mapping[str, np.ndarray]


TWO_PI = 2.0 * np.pi


def manifold(energies: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The decoded latent grid (z, g1, g2) as stored with the first sample's energies.

    The energy table holds the decoded points g(z_k) with every sample's energies; the first
    sample's rows are the latent grid once, in its order.

    Parameters
    ----------
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet, :func:`lvebm.model.energy_table`):
        columns ``i``, ``z``, ``y1_tilde`` and ``y2_tilde``.

    Returns
    -------
    z : ndarray
        The latent grid z_k.
    g1, g2 : ndarray
        The decoded points g(z_k) = (w1 cos z_k, w2 sin z_k).

    Examples
    --------
    >>> import lvebm
    >>> e = lvebm.energy_table(lvebm.Decoder(-1.45, 0.36), [1, 2], [2.0, 0.0], [0.1, 1.0], n=4)
    >>> z, g1, g2 = manifold(e)
    >>> z.size, g1.round(2).tolist(), g2.round(2).tolist()
    (4, [-1.45, -0.0, 1.45, 0.0], [0.0, 0.36, 0.0, -0.36])
    """
    first = energies["i"] == energies["i"][0]
    return energies["z"][first], energies["y1_tilde"][first], energies["y2_tilde"][first]


def draw_manifold(ax, energies: Columns, *, points: bool = False, label: str = "manifold g(z)"):
    """The decoded manifold g(z) as a closed curve, and its latents' points on request.

    The curve runs through the decoded latent grid (:func:`manifold`) and back to its first point,
    in the manifold's colour (:data:`lvebm.plotstyle.MANIFOLD`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of the plane to draw in.
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet): columns ``i``, ``z``, ``y1_tilde`` and
        ``y2_tilde``.
    points : bool, optional
        Whether to mark the decoded latents g(z_k) too (not by default).
    label : str, optional
        The curve's legend label.

    Examples
    --------
    >>> import lvebm
    >>> e = lvebm.energy_table(lvebm.Decoder(-1.45, 0.36), [1], [2.0], [0.1], n=4)
    >>> fig, ax = ps.figure((4.0, 3.0))
    >>> draw_manifold(ax, e, points=True)
    >>> ax.lines[0].get_label(), len(ax.lines[0].get_xdata()), len(ax.collections)
    ('manifold g(z)', 5, 1)
    """
    _, g1, g2 = manifold(energies)
    ax.plot(np.r_[g1, g1[:1]], np.r_[g2, g2[:1]], color=ps.MANIFOLD, lw=1.5, label=label, zorder=2)
    if points:
        ax.scatter(g1, g2, s=14, color=ps.MANIFOLD, zorder=3)


def row(table: Columns, mask: np.ndarray) -> dict[str, object]:
    """The first row of ``table`` where ``mask`` holds, as {column: value}.

    Parameters
    ----------
    table : Mapping of str to ndarray
        A table: column name -> its values, all of one length.
    mask : ndarray of bool
        The rows to choose from, of the table's length; at least one must hold.

    Returns
    -------
    dict of str to object
        Each column's value in that row.

    Examples
    --------
    >>> t = {"i": np.array([1, 2, 3]), "F": np.array([0.5, 0.25, 0.125])}
    >>> r = row(t, t["i"] == 2)
    >>> int(r["i"]), float(r["F"])
    (2, 0.25)
    """
    k = int(np.flatnonzero(mask)[0])
    return {name: values[k] for name, values in table.items()}


def mesh_shape(mesh: Columns) -> tuple[int, int]:
    """The mesh's shape (rows, columns): its number of y2 values and of y1 values.

    The mesh tables hold their points row by row (y2-major: all the y1 of one y2, then the next),
    so a column reshaped to this shape is the field on the grid, y2 down the rows.

    Parameters
    ----------
    mesh : Mapping of str to ndarray
        A mesh table (results/mesh/free_energy.parquet, a relaxed map, ...): columns ``y1`` and
        ``y2`` in mesh order.

    Returns
    -------
    tuple of int
        (n2, n1): the y2 values and the y1 values.

    Examples
    --------
    >>> import lvebm
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> mesh_shape({"y1": y1, "y2": y2})
    (5, 7)
    """
    n1 = int(np.unique(mesh["y1"]).size)
    return mesh["y1"].size // n1, n1


def grid(mesh: Columns, column: str) -> np.ndarray:
    """A column of the mesh as a 2-D array: y2 down the rows, y1 along the columns.

    Parameters
    ----------
    mesh : Mapping of str to ndarray
        A mesh table in mesh order (:func:`mesh_shape`).
    column : str
        The column to reshape (``F``, ``y1``, ``gap``, ...).

    Returns
    -------
    ndarray
        The column's values in the mesh's shape (n2, n1).

    Examples
    --------
    >>> import lvebm
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> g = grid({"y1": y1, "y2": y2}, "y2")
    >>> g.shape, g[:, 0].tolist()
    ((5, 7), [-2.0, -1.0, 0.0, 1.0, 2.0])
    """
    return mesh[column].reshape(mesh_shape(mesh))


def stride(n: int, most: int) -> int:
    """The step that keeps at most ``most`` of ``n`` evenly spaced items.

    ceil(n / most), at least 1.

    Parameters
    ----------
    n : int
        The number of items.
    most : int
        The most of them to keep, >= 1.

    Returns
    -------
    int
        The step: every ``stride(n, most)``-th item, from the first, is kept.

    Examples
    --------
    >>> stride(25, 10), stride(7, 10)
    (3, 1)
    """
    return max(1, int(np.ceil(n / most)))


def thin(mesh: Columns, most_per_axis: int) -> np.ndarray:
    """Flat indices of a regular sub-grid with at most ``most_per_axis`` points per axis.

    Every ``stride``-th row and column of the mesh (:func:`stride`), from the first, in mesh order.

    Parameters
    ----------
    mesh : Mapping of str to ndarray
        A mesh table in mesh order (:func:`mesh_shape`): columns ``y1`` and ``y2``.
    most_per_axis : int
        The most points kept along each axis, >= 1.

    Returns
    -------
    ndarray of int
        The kept points' indices into the mesh's columns, in mesh order.

    Examples
    --------
    >>> import lvebm
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> idx = thin({"y1": y1, "y2": y2}, 3)
    >>> idx.tolist(), y1[idx[:3]].tolist()
    ([0, 3, 6, 14, 17, 20, 28, 31, 34], [-3.0, 0.0, 3.0])
    """
    n2, n1 = mesh_shape(mesh)
    rows = np.arange(0, n2, stride(n2, most_per_axis))
    cols = np.arange(0, n1, stride(n1, most_per_axis))
    return (rows[:, None] * n1 + cols[None, :]).ravel()


def heat(ax, mesh: Columns, *, vmax: float, alpha: float = 1.0):
    """The free energy F over the mesh as a heat map, viridis from 0 to ``vmax``.

    One cell per mesh point (nearest shading), rasterized; values above ``vmax`` take the top
    colour (a colour bar drawn from it can say so with ``extend="max"``).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of the plane to draw in.
    mesh : Mapping of str to ndarray
        A mesh table in mesh order (:func:`mesh_shape`): columns ``y1``, ``y2`` and ``F``
        (results/mesh/free_energy.parquet, a relaxed map, figure 18's maps).
    vmax : float
        The top of the colour scale.
    alpha : float, optional
        The map's opacity.

    Returns
    -------
    matplotlib.collections.QuadMesh
        The heat map, for a colour bar.

    Examples
    --------
    >>> import lvebm
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> mesh = lvebm.free_energy_field(lvebm.Decoder(-1.45, 0.36), y1, y2)
    >>> fig, ax = ps.figure((4.0, 3.0))
    >>> image = heat(ax, mesh, vmax=2.0)
    >>> image.get_clim(), image.get_array().shape
    ((0.0, 2.0), (5, 7))
    """
    y1, y2 = np.unique(mesh["y1"]), np.unique(mesh["y2"])
    return ax.pcolormesh(
        y1,
        y2,
        grid(mesh, "F"),
        shading="nearest",
        vmin=0.0,
        vmax=vmax,
        alpha=alpha,
        cmap="viridis",
        rasterized=True,
    )


def panels(size, n: int, *, cols: int = 3, **subplots):
    """A figure with ``n`` panels in rows of at most ``cols`` (a 2-D array of axes).

    The rows are as many as ``n`` panels need; the last row's panels beyond ``n`` are there too
    (the figure functions switch them off).

    Parameters
    ----------
    size : tuple of float
        The figure's width and height in inches.
    n : int
        The number of panels, >= 1.
    cols : int, optional
        The most panels per row.
    **subplots
        Further keyword arguments of :meth:`matplotlib.figure.Figure.subplots` (``sharex``,
        ``sharey``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The new figure, in the lecture's style (:func:`lvebm.plotstyle.figure`).
    axes : ndarray of matplotlib.axes.Axes
        Its axes, rows by columns.

    Examples
    --------
    >>> fig, axes = panels((9.0, 6.0), 5, sharex=True)
    >>> axes.shape, panels((9.0, 3.0), 2)[1].shape
    ((2, 3), (1, 2))
    """
    cols = min(cols, n)
    return ps.figure(size, nrows=int(np.ceil(n / cols)), ncols=cols, squeeze=False, **subplots)


def limits(mesh: Columns, pad: float = 0.3):
    """The mesh's extent plus a margin: the plane's limits for :func:`lvebm.plotstyle.plane`.

    Parameters
    ----------
    mesh : Mapping of str to ndarray
        A table with columns ``y1`` and ``y2``.
    pad : float, optional
        The margin on every side.

    Returns
    -------
    tuple of tuple of float
        ((y1 min - pad, y1 max + pad), (y2 min - pad, y2 max + pad)).

    Examples
    --------
    >>> mesh = {"y1": np.array([-3.0, 3.0]), "y2": np.array([-2.0, 2.0])}
    >>> np.array(limits(mesh, pad=0.5)).tolist()
    [[-3.5, 3.5], [-2.5, 2.5]]
    """
    return (
        (mesh["y1"].min() - pad, mesh["y1"].max() + pad),
        (mesh["y2"].min() - pad, mesh["y2"].max() + pad),
    )


# 1 ------------------------------------------------------------------------------------------
def style_3d(ax) -> None:
    """Axes x, y1, y2 of the horn's 3-D figures, seen from the lecture's angle, panes clear.

    The view is at elevation 18 and azimuth -62 degrees; the panes are transparent.

    Parameters
    ----------
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D
        The 3-D axes to set up.

    Examples
    --------
    >>> fig, ax = ps.figure((5.0, 4.0), subplot_kw={"projection": "3d"})
    >>> style_3d(ax)
    >>> ax.get_xlabel(), ax.get_zlabel(), (ax.elev, ax.azim)
    ('$x$', '$y_2$', (18, -62))
    """
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y_1$")
    ax.set_zlabel("$y_2$")
    ax.view_init(elev=18, azim=-62)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((0, 0, 0, 0))


# 11 -----------------------------------------------------------------------------------------
def arrows(ax, mesh: Columns, *, max_arrows: int) -> None:
    """Arrows -grad F on a thinned sub-grid of the mesh, lengths proportional to the gradient.

    The longest arrow spans 0.9 of the arrows' spacing; the sub-grid keeps at most
    ``max_arrows`` points per axis (:func:`thin`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of the plane to draw in.
    mesh : Mapping of str to ndarray
        A mesh table in mesh order (:func:`mesh_shape`): columns ``y1``, ``y2``, ``dF_dy1`` and
        ``dF_dy2`` (results/mesh/free_energy.parquet, a relaxed map).
    max_arrows : int
        The most arrows per axis, >= 1.

    Examples
    --------
    >>> import lvebm
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> mesh = lvebm.free_energy_field(lvebm.Decoder(-1.45, 0.36), y1, y2)
    >>> fig, ax = ps.figure((4.0, 3.0))
    >>> arrows(ax, mesh, max_arrows=4)
    >>> ax.collections[0].N  # 4 columns times 3 rows
    12
    """
    idx = thin(mesh, max_arrows)
    n2, n1 = mesh_shape(mesh)
    spacing = min(np.ptp(mesh["y1"]) / max(n1 - 1, 1), np.ptp(mesh["y2"]) / max(n2 - 1, 1))
    spacing *= max(stride(n1, max_arrows), stride(n2, max_arrows))
    u, v = -mesh["dF_dy1"][idx], -mesh["dF_dy2"][idx]
    longest = float(np.max(portable.hypot(u, v))) or 1.0
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


def samples_on_map(ax, s: Columns, *, size: float = 16) -> None:
    """The samples as points with black edges, above a heat map, labelled ``samples``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of the plane to draw in.
    s : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``y1`` and ``y2``.
    size : float, optional
        The markers' size (points squared).

    Examples
    --------
    >>> import lvebm
    >>> fig, ax = ps.figure((4.0, 3.0))
    >>> samples_on_map(ax, lvebm.sample_slice())
    >>> ax.collections[0].get_label(), len(ax.collections[0].get_offsets())
    ('samples', 24)
    """
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


# 14-17: finite temperature (lecture 15-2) ---------------------------------------------------
def beta_text(beta: float) -> str:
    r"""The label of an inverse temperature: beta = inf, or beta = its value.

    Parameters
    ----------
    beta : float
        The inverse temperature (``inf`` for zero temperature).

    Returns
    -------
    str
        The label, in matplotlib's mathtext.

    Examples
    --------
    >>> print(beta_text(np.inf), beta_text(0.3))
    $\beta = \infty$ $\beta = 0.3$
    """
    return r"$\beta = \infty$" if np.isinf(beta) else rf"$\beta = {beta:g}$"


# 18-22: training (lecture 15-2) ------------------------------------------------------------
def model_rows(table: Columns, **match) -> Columns:
    """The rows of ``table`` whose columns equal the given values.

    Parameters
    ----------
    table : Mapping of str to ndarray
        A table: column name -> its values, all of one length.
    **match
        Column name -> the value it must equal (every one of them in a kept row).

    Returns
    -------
    dict of str to ndarray
        The table's columns, with only those rows, in their order.

    Examples
    --------
    >>> t = {"model": np.array(["a", "b", "a"]), "beta": np.array([1.0, 1.0, np.inf])}
    >>> model_rows(t, model="a")["beta"].tolist(), model_rows(t, model="a", beta=1.0)["beta"].size
    ([1.0, inf], 1)
    """
    rows = np.ones(next(iter(table.values())).size, dtype=bool)
    for key, value in match.items():
        rows &= table[key] == value
    return {k: v[rows] for k, v in table.items()}


def _decade(x: float) -> int:
    """floor(log10(x)) of x > 0, exactly: the exponent of its decimal form (Python's, the same on
    every platform; libm's log10 need not be)."""
    return int(f"{x:.16e}".split("e")[1])


def round_ticks(low: float, high: float) -> list[float]:
    """Ticks of a log axis from ``low`` to ``high`` at round values.

    At 1, 2 and 5 times a power of ten, or only at the powers of ten where those would be more
    than eight.

    Parameters
    ----------
    low, high : float
        The axis' range, 0 < low <= high.

    Returns
    -------
    list of float
        The ticks within the range, ascending.

    Examples
    --------
    >>> round_ticks(0.0029, 1.2)
    [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    >>> round_ticks(1e-6, 10.0)
    [1e-06, 1e-05, 0.0001, 0.001, 0.01, 0.1, 1.0, 10.0]
    """
    first, last = _decade(low), _decade(high)
    last += float(f"{high:.16e}".split("e")[0]) != 1.0  # ceil(log10(high))
    for mantissas in ((1.0, 2.0, 5.0), (1.0,)):
        ticks = [float(f"{m}e{e}") for e in range(first, last + 1) for m in mantissas]
        ticks = [t for t in ticks if low <= t <= high]
        if len(ticks) <= 8:
            return ticks
    return ticks


def extent(table: Columns) -> list[float]:
    """The table's box ``[y1 min, y1 max, y2 min, y2 max]``, as ``imshow``'s ``extent`` takes it.

    Parameters
    ----------
    table : Mapping of str to ndarray
        A table with columns ``y1`` and ``y2``.

    Returns
    -------
    list of float

    Examples
    --------
    >>> [float(v) for v in extent({"y1": np.array([-3.0, 3.0]), "y2": np.array([-2.0, 2.0])})]
    [-3.0, 3.0, -2.0, 2.0]
    """
    return [table["y1"].min(), table["y1"].max(), table["y2"].min(), table["y2"].max()]


def ridge(ax, decoder: Mapping, *, label: str | None = None, **style) -> None:
    """The ridge of F_inf: the segment of the major axis between the evolute's cusps (a point for
    a circle), where z_check jumps; white and round-capped unless ``style`` says otherwise.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The plane's axes.
    decoder : Mapping
        ``w1, w2``: the decoder's radii.
    label : str, optional
        The legend's label (none by default).
    **style
        Further keyword arguments of :meth:`matplotlib.axes.Axes.plot`.

    Examples
    --------
    >>> fig, ax = ps.figure((4.0, 3.0))
    >>> ridge(ax, {"w1": -1.45, "w2": 0.36})
    >>> ax.get_lines()[0].get_xdata().round(4).tolist()
    [-1.3606, 1.3606]
    """
    a1, a2 = abs(decoder["w1"]), abs(decoder["w2"])
    e0, e1 = max(a1, a2), min(a1, a2)
    half = (e0 - e1) * (e0 + e1) / e0
    ends = np.array([-half, half])
    xs, ys = (ends, np.zeros(2)) if a1 >= a2 else (np.zeros(2), ends)
    ax.plot(
        xs, ys, **{"color": "white", "lw": 2.2, "solid_capstyle": "round", **style}, label=label
    )


def ellipse(ax, decoder: Mapping, **style) -> None:
    """The decoder's ellipse g(z) = [w1 cos z, w2 sin z], 400 points.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The plane's axes.
    decoder : Mapping
        ``w1, w2``: the decoder's radii.
    **style
        Keyword arguments of :meth:`matplotlib.axes.Axes.plot`.

    Examples
    --------
    >>> fig, ax = ps.figure((4.0, 3.0))
    >>> ellipse(ax, {"w1": 2.0, "w2": 1.0}, color="white")
    >>> float(ax.get_lines()[0].get_xdata().max())
    2.0
    """
    z = np.linspace(0.0, 2.0 * np.pi, 400)
    ax.plot(decoder["w1"] * portable.cos(z), decoder["w2"] * portable.sin(z), **style)
