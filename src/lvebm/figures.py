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
from lvebm import portable
from lvebm.figurekit import TWO_PI, Columns
from lvebm.model import Decoder


def horn(*, horn: Columns, size) -> Figure:
    """The horn in 3-D: axes x, y1, y2, points coloured by x (rainbow, violet at x = 0).

    Figure 1: the horn's samples of y given x, with a colour bar of x.

    Parameters
    ----------
    horn : Mapping of str to ndarray
        The horn's samples (results/data/horn.parquet, :func:`lvebm.data.sample_horn`): columns
        ``x``, ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 7.5 x 6).

    Returns
    -------
    matplotlib.figure.Figure
        One 3-D panel titled with the number of samples, and the colour bar of x.

    Examples
    --------
    >>> import lvebm
    >>> fig = horn(horn=lvebm.sample_horn(50), size=(7.5, 6.0))
    >>> len(fig.axes), fig.axes[0].get_title()
    (2, 'The horn: 50 samples of y given x')
    """
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
    """The samples at x = 0 and the decoded points g(z) of the latent grid.

    Figure 2: the training samples y^(i) and the untrained decoder's manifold, with its latents
    marked, in the plane; the legend (outside, right) gives their numbers.

    Parameters
    ----------
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet, :func:`lvebm.data.sample_slice`): columns
        ``i``, ``y1`` and ``y2``.
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet, :func:`lvebm.model.energy_table`): its
        decoded latent grid, columns ``i``, ``z``, ``y1_tilde`` and ``y2_tilde``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 7 x 5).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane.

    Examples
    --------
    >>> import lvebm
    >>> s = lvebm.sample_slice()
    >>> e = lvebm.energy_table(lvebm.Decoder(-1.45, 0.36), s["i"], s["y1"], s["y2"])
    >>> fig = samples(samples=s, energies=e, size=(7.0, 5.0))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['samples $y^{(i)}$, 24', 'decoded $g(z)$, 48 latents']
    """
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
    """The energy's computation graph: y and z, decoder g, output y_tilde, cost, energy E.

    Figure 3, a diagram: the latent z (unobserved) feeds the decoder g(z) = [w1 cos z, w2 sin z],
    whose output y_tilde and the observed y feed the cost C(y, y_tilde) = |y - y_tilde|^2, the
    energy E(y, z). It reads no table.

    Parameters
    ----------
    size : tuple of float
        The figure's width and height in inches (the pipeline's 6 x 4.6).

    Returns
    -------
    matplotlib.figure.Figure
        One panel without axes: the nodes, the decoder, the cost and the arrows between them.

    Examples
    --------
    >>> fig = computation_graph(size=(6.0, 4.6))
    >>> len(fig.axes), len(fig.axes[0].patches)
    (1, 8)
    """
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
    """E_1 ... E_n over z in [0, 2 pi): small panels, row-major, one shared energy axis.

    Figure 4: one panel per sample i, six to a row, its energy E_i(z) = E(y^(i), z) over the
    latent grid; the panels share both axes and spare ones of the last row are switched off.

    Parameters
    ----------
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet, :func:`lvebm.model.energy_table`):
        columns ``i``, ``z`` and ``E``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 7).

    Returns
    -------
    matplotlib.figure.Figure
        A grid of panels, one per sample, in rows of six.

    Examples
    --------
    >>> import lvebm
    >>> s = lvebm.sample_slice()
    >>> e = lvebm.energy_table(lvebm.Decoder(-1.45, 0.36), s["i"], s["y1"], s["y2"])
    >>> fig = energies(energies=e, size=(12.0, 7.0))
    >>> len(fig.axes), fig.axes[0].get_title(), fig.get_suptitle()
    (24, '$E_{1}$', 'The 24 energy functions over the latent grid')
    """
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
    """E_focus over z in [start, stop) with markers every ``marker_step``.

    Figure 5: the energy of sample ``focus``, repeated periodically over ``z_range``; the initial
    latent z_tilde and the optimizer's z_check marked on the z axis, an arrow from z_tilde to
    z_check, and F_inf (the energy at z_check) marked with a cross and a dotted line.

    Parameters
    ----------
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet): columns ``i``, ``z`` and ``E``.
    inference : Mapping of str to ndarray
        The optimizer's results on the samples (results/inference/samples/<optimizer>.parquet,
        :func:`lvebm.inference.infer`): columns ``i``, ``z_init``, ``z_check`` and ``F``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 9 x 4.5).
    focus : int
        The label i of the sample drawn (the lecture's 23).
    optimizer : str
        The optimizer's name, for the legend (the pipeline's ``figures.search_optimizer``).
    z_range : tuple of float
        (start, stop) of the z axis in radians (the pipeline's -2 pi to 4 pi); ticks at multiples
        of pi.
    marker_step : float
        The spacing of the curve's markers in radians (the pipeline's pi / 12).

    Returns
    -------
    matplotlib.figure.Figure
        One panel: the energy curve over z, the two latents and F_inf.

    Examples
    --------
    >>> import lvebm
    >>> d = lvebm.Decoder(-1.45, 0.36)
    >>> s = lvebm.sample_slice()
    >>> e = lvebm.energy_table(d, s["i"], s["y1"], s["y2"])
    >>> found = lvebm.infer(d, s["i"], s["y1"], s["y2"], method="gradient_descent").results
    >>> fig = focus_energy(energies=e, inference=found, size=(9.0, 4.5), focus=23,
    ...                    optimizer="gradient_descent", z_range=(-2 * np.pi, 4 * np.pi),
    ...                    marker_step=np.pi / 12)
    >>> fig.axes[0].get_legend().get_texts()[2].get_text()
    'ž = 3.103 (gradient_descent)'
    """
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
    """Latent, decoder output and y^(focus) in the plane: samples, manifold, y^(focus), g(0).

    Figure 6: the samples, the decoded manifold with its latents and the latents z = 0, pi/2, pi,
    3 pi/2 labelled, the sample y^(focus), the decoder's output y_tilde = g(0) with a dashed line
    to it, and an arrow along the manifold that shows the direction in which z runs.

    Parameters
    ----------
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``i``, ``y1`` and ``y2``.
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet): its decoded latent grid, columns
        ``i``, ``z``, ``y1_tilde`` and ``y2_tilde``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 7 x 5).
    focus : int
        The label i of the sample marked (the lecture's 23).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane.

    Examples
    --------
    >>> import lvebm
    >>> s = lvebm.sample_slice()
    >>> e = lvebm.energy_table(lvebm.Decoder(-1.45, 0.36), s["i"], s["y1"], s["y2"])
    >>> fig = latent_plane(samples=s, energies=e, size=(7.0, 5.0), focus=23)
    >>> fig.axes[0].get_title()
    '$z$ runs clockwise from the left; $y^{(23)}$ lies on the right'
    """
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
            away = np.array([g1[k], g2[k]]) / max(float(portable.hypot(g1[k], g2[k])), 1e-12)
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
    """The search for F_inf(y^(focus)) in the plane, from the optimizer's real iterates.

    Figure 7: the samples and the manifold; the path of g(z) through the optimizer's iterates
    z_k (decoded along the latents between them), the iterates, g(z_tilde) at the start and
    g(z_check) at the end, y^(focus) with a dashed line to g(z_check); the title gives F_inf.

    Parameters
    ----------
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``i``, ``y1`` and ``y2``.
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet): its decoded latent grid, columns
        ``i``, ``z``, ``y1_tilde`` and ``y2_tilde``.
    trace : Mapping of str to ndarray
        The optimizer's iterates on the samples
        (results/inference/samples/<optimizer>_trace.parquet, :func:`lvebm.inference.infer`'s
        trace): columns ``i`` and ``z``, in the order of the steps.
    inference : Mapping of str to ndarray
        The optimizer's results on the samples (results/inference/samples/<optimizer>.parquet):
        columns ``i``, ``z_check`` and ``F``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 7 x 5).
    focus : int
        The label i of the sample whose search is drawn (the lecture's 23).
    optimizer : str
        The optimizer's name, for the title (the pipeline's ``figures.search_optimizer``).
    decoder : Mapping
        The decoder's weights, ``{"w1": ..., "w2": ...}`` (the config's ``decoder``), which decode
        the iterates.

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane.

    Examples
    --------
    >>> import lvebm
    >>> d = lvebm.Decoder(-1.45, 0.36)
    >>> s = lvebm.sample_slice()
    >>> e = lvebm.energy_table(d, s["i"], s["y1"], s["y2"])
    >>> found, trace = lvebm.infer(d, s["i"], s["y1"], s["y2"], method="gradient_descent")
    >>> fig = search(samples=s, energies=e, trace=trace, inference=found, size=(7.0, 5.0),
    ...              focus=23, optimizer="gradient_descent", decoder={"w1": -1.45, "w2": 0.36})
    >>> fig.axes[0].get_legend().get_texts()[3].get_text()
    'iterates (85 steps)'
    """
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
    """The mesh, the manifold and the decoded minimisers g(z_check) of the mesh points.

    Figure 8: the mesh points (thinned to at most ``max_points``), each joined by a faint line to
    its decoded minimiser g(z_check) on the manifold.

    Parameters
    ----------
    mesh : Mapping of str to ndarray
        The free energy on the mesh (results/mesh/free_energy.parquet,
        :func:`lvebm.mesh.free_energy_field`): columns ``y1``, ``y2`` and ``z_check``, in mesh
        order.
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet): its decoded latent grid, columns
        ``i``, ``z``, ``y1_tilde`` and ``y2_tilde``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 7.5 x 5.2).
    decoder : Mapping
        The decoder's weights, ``{"w1": ..., "w2": ...}`` (the config's ``decoder``).
    max_points : int
        The most mesh points drawn (a regular sub-grid; the pipeline's 4000).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane.

    Examples
    --------
    >>> import lvebm
    >>> d = lvebm.Decoder(-1.45, 0.36)
    >>> s = lvebm.sample_slice()
    >>> e = lvebm.energy_table(d, s["i"], s["y1"], s["y2"])
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> mesh = lvebm.free_energy_field(d, y1, y2)
    >>> fig = mesh_minimisers(mesh=mesh, energies=e, size=(7.5, 5.2),
    ...                       decoder={"w1": -1.45, "w2": 0.36}, max_points=4000)
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'mesh points (35)'
    """
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
    """The highlighted mesh points over the mesh and the manifold.

    Figure 9: the mesh points (thinned to at most ``max_points``), the manifold and the
    highlighted points, each in its colour with its coordinates in the legend.

    Parameters
    ----------
    mesh : Mapping of str to ndarray
        The free energy on the mesh (results/mesh/free_energy.parquet): columns ``y1`` and ``y2``,
        in mesh order.
    energies : Mapping of str to ndarray
        The energy table (results/energy/energies.parquet): its decoded latent grid, columns
        ``i``, ``z``, ``y1_tilde`` and ``y2_tilde``.
    highlight : Mapping of str to ndarray
        The highlighted points' energy curves (results/mesh/highlight.parquet,
        :func:`lvebm.mesh.highlight_curves`): columns ``h`` (1, 2, ...), ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 7.5 x 5.2).
    max_points : int
        The most mesh points drawn (a regular sub-grid; the pipeline's 4000).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.mesh import highlight_curves
    >>> d = lvebm.Decoder(-1.45, 0.36)
    >>> s = lvebm.sample_slice()
    >>> e = lvebm.energy_table(d, s["i"], s["y1"], s["y2"])
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> h = highlight_curves(d, [[-3.0, -0.5], [0.0, -0.5]], z_start=0.0, z_stop=2 * np.pi,
    ...                      step=np.pi / 12, oversample=8)
    >>> fig = highlighted(mesh={"y1": y1, "y2": y2}, energies=e, highlight=h, size=(7.5, 5.2),
    ...                   max_points=4000)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['mesh points', 'manifold g(z)', '(-3, -0.5)', '(0, -0.5)']
    """
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
    """Energy curves of the highlighted points with a cross at every z_check in the range.

    Figure 10: each highlighted point's energy E(y, z) over ``z_range``, with markers where the
    table flags them; a cross at (z_check + 2 pi k, F_inf) for every period in the range; the
    legend gives each point's F_inf.

    Parameters
    ----------
    highlight : Mapping of str to ndarray
        The highlighted points' energy curves (results/mesh/highlight.parquet,
        :func:`lvebm.mesh.highlight_curves`): columns ``h``, ``y1``, ``y2``, ``z``, ``E``,
        ``marker``, ``z_check`` and ``F``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 9 x 5).
    z_range : tuple of float
        (start, stop) of the z axis in radians (the pipeline's -2 pi to 4 pi); ticks at multiples
        of pi.

    Returns
    -------
    matplotlib.figure.Figure
        One panel: one curve per highlighted point.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.mesh import highlight_curves
    >>> h = highlight_curves(lvebm.Decoder(-1.45, 0.36), [[-3.0, -0.5], [0.0, -0.5]],
    ...                      z_start=-2 * np.pi, z_stop=4 * np.pi, step=np.pi / 12, oversample=8)
    >>> fig = highlighted_energies(highlight=h, size=(9.0, 5.0), z_range=(-2 * np.pi, 4 * np.pi))
    >>> len(fig.axes[0].get_legend().get_texts()), fig.axes[0].get_ylabel()
    (2, 'energy $E(y, z)$')
    """
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
    """F_inf over the mesh, the samples, and arrows -grad F toward the manifold.

    Figure 11: the heat map of F_inf (viridis, 0 to ``vmax``, extended above), the samples, and
    arrows -grad F_inf on a thinned sub-grid with lengths proportional to the gradient.

    Parameters
    ----------
    mesh : Mapping of str to ndarray
        The free energy on the mesh (results/mesh/free_energy.parquet,
        :func:`lvebm.mesh.free_energy_field`): columns ``y1``, ``y2``, ``F``, ``dF_dy1`` and
        ``dF_dy2``, in mesh order.
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 8.5 x 5.2).
    vmax : float
        The top of the colour scale (the lecture's 2).
    max_arrows : int
        The most arrows per axis (the pipeline's 33).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane and its colour bar.

    Examples
    --------
    >>> import lvebm
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> mesh = lvebm.free_energy_field(lvebm.Decoder(-1.45, 0.36), y1, y2)
    >>> fig = free_energy_map(mesh=mesh, samples=lvebm.sample_slice(), size=(8.5, 5.2),
    ...                       vmax=2.0, max_arrows=33)
    >>> len(fig.axes), fig.axes[0].get_legend().get_texts()[0].get_text()
    (2, 'samples')
    """
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
    """Share of global minima reached, iterations and evaluations per optimizer and point set.

    Figure 12: three panels of grouped bars, one bar per optimizer and point set (the samples and
    the mesh): the share of points that reached the global minimum, the mean iterations and the
    mean energy evaluations (log scale); one legend of the point sets below the panels.

    Parameters
    ----------
    summary : Mapping of str to ndarray
        The inference summary (results/inference/summary.parquet,
        :func:`lvebm.inference.summarize`): columns ``points``, ``optimizer``, ``success_rate``,
        ``mean_iter`` and ``mean_eval``, one row per point set and optimizer.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 13 x 4.6).

    Returns
    -------
    matplotlib.figure.Figure
        Three panels side by side.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.inference import summarize
    >>> d, s = lvebm.Decoder(-1.45, 0.36), lvebm.sample_slice()
    >>> runs = {m: lvebm.infer(d, s["i"], s["y1"], s["y2"], method=m).results
    ...         for m in ("gradient_descent", "newton")}
    >>> summary = summarize((("samples", m), t) for m, t in runs.items())
    >>> fig = optimizer_comparison(summary=summary, size=(13.0, 4.6))
    >>> [ax.get_title() for ax in fig.axes]
    ['reached the global minimum', 'mean iterations', 'mean evaluations']
    """
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
    """Per optimizer, the mesh points where it stopped in a non-global minimum from z_init.

    Figure 13: one panel per optimizer, over the F_inf heat map (0 to ``vmax``, the colour scale
    of figure 11), a cross at each mesh point where the optimizer ended in a non-global minimum
    (thinned to at most ``max_points``); each title gives that share of the mesh.

    Parameters
    ----------
    meshes : sequence of Mapping of str to ndarray
        Each optimizer's results on the mesh (results/inference/mesh/<optimizer>.parquet,
        :func:`lvebm.inference.infer`), in the order of ``optimizers``: columns ``y1``, ``y2``
        and ``global_min``.
    mesh : Mapping of str to ndarray
        The free energy on the mesh (results/mesh/free_energy.parquet): columns ``y1``, ``y2`` and
        ``F``, in mesh order.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 6.5).
    optimizers : sequence of str
        The optimizers' names (the pipeline's: every configured one but the exact reference).
    z_init : float
        The initial latent every optimizer started from, for the title (the pipeline's 0.5).
    max_points : int
        The most crosses drawn per panel (the pipeline's 4000).
    vmax : float
        The top of the colour scale (figure 11's 2).

    Returns
    -------
    matplotlib.figure.Figure
        The panels in rows of three (spare ones switched off) and a shared colour bar.

    Examples
    --------
    >>> import lvebm
    >>> d = lvebm.Decoder(-1.45, 0.36)
    >>> i, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> names = ["gradient_descent", "newton"]
    >>> meshes = [lvebm.infer(d, i, y1, y2, method=m).results for m in names]
    >>> fig = local_minima(meshes=meshes, mesh=lvebm.free_energy_field(d, y1, y2),
    ...                    size=(12.0, 6.5), optimizers=names, z_init=0.5, max_points=4000,
    ...                    vmax=2.0)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['gradient_descent: 5.7% local', 'newton: 5.7% local']
    """
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
