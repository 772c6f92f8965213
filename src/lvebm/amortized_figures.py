"""The figures of the amortized-inference stage (30-33), drawn from its tables.

Each function takes the artifacts by the names of its record (``workflow/rules/amortized.smk``),
``size`` and its options, and returns a matplotlib figure; it writes no file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from lvebm import figurekit as kit
from lvebm import plotstyle as ps
from lvebm import portable
from lvebm.figurekit import Columns

METHOD_TITLES = {"supervised": "supervised", "energy": "amortized energy (label-free)"}
# the gap's colour scale: rounding below, the largest possible gap (a latent opposite to the
# best one, 4 |w|^2 at most) above
GAP_FLOOR = 1e-8


def _by_method(tables: Sequence[Columns], methods: Sequence[str]) -> dict[str, Columns]:
    """The list input ``name`` (one table per encoder, in the order of ``methods``) by method."""
    return dict(zip(methods, tables, strict=True))


# 30 -----------------------------------------------------------------------------------------
def encoder_latent(
    *, gaps: Sequence[Columns], size, decoder: Mapping, methods: Sequence[str]
) -> Figure:
    """z_check and each encoder's z_tilde over the map, in a periodic colour map.

    Figure 30: one panel for the exact minimiser z_check(y) (the exact solver's tie-break on the
    ridge) and one per encoder for its guess z_tilde(y), in the periodic colour map twilight (0
    and 2 pi the same colour), with the ridge where z_check jumps (dotted) and the decoder's
    ellipse (dashed). One colour bar of the latent.

    Parameters
    ----------
    gaps : sequence of Mapping of str to ndarray
        Each encoder's gap map (results/amortized/encoder~<method>/gap.parquet,
        :func:`lvebm.amortized.gap_table`), in the order of ``methods``: columns ``y1``, ``y2``,
        ``z_tilde`` and ``z_check``, on one grid of points in mesh order (y2-major).
    size : tuple of float
        The figure's width and height in inches (the pipeline's 14 x 4.4).
    decoder : Mapping
        The decoder's weights, ``{"w1": ..., "w2": ...}`` (the inference stage's), for the ridge
        and the ellipse.
    methods : sequence of str
        The encoders' training methods (the pipeline's ``supervised`` and ``energy``).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane per map, side by side, and the colour bar.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.amortized import encoder_network, gap_table, guesser
    >>> net = encoder_network((4,))  # untrained encoders, for the example
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 13},
    ...                               {"start": -2.0, "stop": 2.0, "num": 9})
    >>> d = lvebm.Decoder(-1.45, 0.36)
    >>> gaps = [gap_table(d, {m: guesser(net, net.init(k))}, y1, y2)
    ...         for k, m in enumerate(["supervised", "energy"])]
    >>> fig = encoder_latent(gaps=gaps, size=(14.0, 4.4), decoder={"w1": -1.45, "w2": 0.36},
    ...                      methods=["supervised", "energy"])
    >>> len(fig.axes), fig.axes[0].get_title()
    (4, 'ž(y), exact (the tie-break on the ridge)')
    """
    gaps = _by_method(gaps, methods)
    panels = [("exact", "ž(y), exact (the tie-break on the ridge)")] + [
        (m, rf"$\tilde{{z}}(y)$, encoder: {METHOD_TITLES.get(m, m)}") for m in gaps
    ]
    fig, axes = ps.figure(size, ncols=len(panels), sharex=True, sharey=True)
    with ps.style():
        first = next(iter(gaps.values()))
        for ax, (name, title) in zip(axes, panels, strict=True):
            values = first["z_check"] if name == "exact" else gaps[name]["z_tilde"]
            im = ax.imshow(
                values.reshape(kit.grid(first, "y1").shape),
                origin="lower",
                extent=kit.extent(first),
                cmap="twilight",
                vmin=0.0,
                vmax=2.0 * np.pi,
                interpolation="nearest",
                aspect="equal",
            )
            kit.ridge(
                ax,
                decoder,
                label="ridge of $F_\\infty$" if name == "exact" else None,
                lw=1.0,
                ls=":",
            )
            kit.ellipse(ax, decoder, color=ps.MANIFOLD, lw=1.0, ls="--")
            ps.plane(ax, title=title)
            ax.grid(False)
            ax.title.set_fontsize(9)
        bar = fig.colorbar(im, ax=list(axes), shrink=0.8, label="latent z")
        bar.set_ticks(np.arange(5) * np.pi / 2)
        bar.set_ticklabels(["0", r"$\pi/2$", r"$\pi$", r"$3\pi/2$", r"$2\pi$"])
        axes[0].legend(loc="upper right")
        fig.suptitle(
            r"The exact minimiser jumps across the ridge; a continuous encoder must turn around"
            " it (dashed: the decoder's ellipse)"
        )
    return fig


# 31 -----------------------------------------------------------------------------------------
def amortization_gap(
    *,
    gaps: Sequence[Columns],
    bands: Sequence[Columns],
    size,
    decoder: Mapping,
    methods: Sequence[str],
) -> Figure:
    """The gap E(y, z_tilde) - F_inf(y) of each encoder on a log scale, the band around the ridge.

    Figure 31: one panel per encoder, its gap over the map (magma, log scale from ``GAP_FLOOR``,
    smaller gaps drawn at it), the band around the ridge outlined and the ridge dotted; each
    title gives the share of the total gap inside the band and the median gap outside it.

    Parameters
    ----------
    gaps : sequence of Mapping of str to ndarray
        Each encoder's gap map (results/amortized/encoder~<method>/gap.parquet,
        :func:`lvebm.amortized.gap_table`), in the order of ``methods``: columns ``y1``, ``y2``,
        ``gap`` and ``ridge_distance``, on a grid of points in mesh order (y2-major).
    bands : sequence of Mapping of str to ndarray
        Each encoder's band summary (results/amortized/encoder~<method>/band.parquet,
        :func:`lvebm.amortized.band_summary`), in the order of ``methods``: columns ``band``,
        ``share_inside`` and ``median_off``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 4.6).
    decoder : Mapping
        The decoder's weights, ``{"w1": ..., "w2": ...}`` (the inference stage's), for the ridge.
    methods : sequence of str
        The encoders' training methods (the pipeline's ``supervised`` and ``energy``).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane per encoder, side by side, and the colour bar.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.amortized import band_summary, encoder_network, gap_table, guesser
    >>> net = encoder_network((4,))  # an untrained encoder, for the example
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 13},
    ...                               {"start": -2.0, "stop": 2.0, "num": 9})
    >>> gap = gap_table(lvebm.Decoder(-1.45, 0.36), {"supervised": guesser(net, net.init(0))},
    ...                 y1, y2)
    >>> fig = amortization_gap(gaps=[gap], bands=[band_summary(gap, 0.25)], size=(12.0, 4.6),
    ...                        decoder={"w1": -1.45, "w2": 0.36}, methods=["supervised"])
    >>> fig.axes[0].get_title().splitlines()
    ['supervised', '1.3% of the gap within 0.25 of the ridge; median outside 1.6e+00']
    """
    gaps, bands = _by_method(gaps, methods), _by_method(bands, methods)
    fig, axes = ps.figure(size, ncols=len(gaps), sharex=True, sharey=True)
    axes = np.atleast_1d(axes)
    top = max(max(float(t["gap"].max()) for t in gaps.values()), GAP_FLOOR * 10)
    with ps.style():
        for ax, (method, t) in zip(axes, gaps.items(), strict=True):
            b = bands[method]
            values = np.maximum(kit.grid(t, "gap"), GAP_FLOOR)
            im = ax.imshow(
                values,
                origin="lower",
                extent=kit.extent(t),
                cmap="magma",
                norm=LogNorm(GAP_FLOOR, top),
                interpolation="nearest",
                aspect="equal",
            )
            width = float(b["band"][0])
            ax.contour(
                kit.grid(t, "y1"),
                kit.grid(t, "y2"),
                kit.grid(t, "ridge_distance"),
                levels=[width],
                colors=[ps.SAMPLES],
                linewidths=1.2,
            )
            kit.ridge(ax, decoder, lw=0.8, ls=":")
            ps.plane(
                ax,
                title=(
                    f"{METHOD_TITLES.get(method, method)}\n"
                    f"{b['share_inside'][0]:.1%} of the gap within {width:g} of the ridge; "
                    f"median outside {b['median_off'][0]:.1e}"
                ),
            )
            ax.grid(False)
            ax.title.set_fontsize(9)
        fig.colorbar(
            im,
            ax=list(axes),
            shrink=0.8,
            extend="min",
            label=r"gap $E(y, \tilde{z}) - F_\infty(y)$",
        )
        fig.suptitle(
            "Amortization gap: where the encoder's guess is not the minimum "
            "(outlined: the band around the ridge)"
        )
    return fig


# 32 -----------------------------------------------------------------------------------------
def warm_start(
    *,
    inference: Columns,
    defaults: Sequence[Columns],
    warm_start_summaries: Sequence[Columns],
    warm_starts: Sequence[Columns],
    size,
    decoder: Mapping,
    z_init: float,
    methods: Sequence[str],
    optimizers: Sequence[str],
) -> Figure:
    r"""The iterative optimizers on the mesh from the default start and from each encoder's guess.

    Figure 32: three panels, one thing each, for the iterative optimizers on the mesh from the
    default start (the inference stage's tables) and from each encoder's guess: the share of
    points ending in a local minimum, the mean iterations (log scale), and where the local minima
    are (marker size: how many optimizers ended in one there; a start without any is named in
    the legend), over the ridge and the decoder's ellipse.

    Parameters
    ----------
    inference : Mapping of str to ndarray
        The inference summary (results/inference/summary.parquet,
        :func:`lvebm.inference.summarize`): columns ``points``, ``optimizer``, ``success_rate``
        and ``mean_iter``; its rows of points ``mesh`` are the default start's.
    defaults : sequence of Mapping of str to ndarray
        Each optimizer's results on the mesh from the default start
        (results/inference/mesh/<optimizer>.parquet, :func:`lvebm.inference.infer`), in the order
        of ``optimizers``: columns ``i``, ``y1``, ``y2`` and ``global_min``.
    warm_start_summaries : sequence of Mapping of str to ndarray
        Each encoder's summary (results/amortized/encoder~<method>/warm_start_summary.parquet,
        :func:`lvebm.amortized.warm_start_summary`), in the order of ``methods``: columns
        ``optimizer``, ``success_rate`` and ``mean_iter``.
    warm_starts : sequence of Mapping of str to ndarray
        Each encoder's results (results/amortized/encoder~<method>/warm_start.parquet,
        :func:`lvebm.amortized.warm_start`), in the order of ``methods``: columns ``optimizer``
        and ``global_min``, the mesh points in the defaults' order per optimizer.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 16 x 5.6).
    decoder : Mapping
        The decoder's weights, ``{"w1": ..., "w2": ...}`` (the inference stage's), for the ridge
        and the ellipse.
    z_init : float
        The default start's latent, for the labels (the pipeline's 0.5).
    methods : sequence of str
        The encoders' training methods (the pipeline's ``supervised`` and ``energy``).
    optimizers : sequence of str
        The optimizers compared (the pipeline's iterative ones).

    Returns
    -------
    matplotlib.figure.Figure
        Three panels side by side, the map widest.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm import amortized
    >>> from lvebm.figurekit import model_rows
    >>> from lvebm.inference import summarize
    >>> d, names = lvebm.Decoder(-1.45, 0.36), ["gradient_descent", "newton"]
    >>> i, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> defaults = [lvebm.infer(d, i, y1, y2, method=m).results for m in names]
    >>> inference = summarize((("mesh", m), t) for m, t in zip(names, defaults))
    >>> net = amortized.encoder_network((4,))  # an untrained encoder, for the example
    >>> guess = amortized.guesser(net, net.init(0))
    >>> starts = amortized.warm_start(d, {"supervised": guess}, i, y1, y2,
    ...                               optimizers={m: {} for m in names})
    >>> summary = amortized.warm_start_summary(
    ...     [(("supervised", m), model_rows(starts, optimizer=m)) for m in names])
    >>> fig = warm_start(inference=inference, defaults=defaults, warm_start_summaries=[summary],
    ...                  warm_starts=[starts], size=(16.0, 5.6), decoder={"w1": -1.45, "w2": 0.36},
    ...                  z_init=0.5, methods=["supervised"], optimizers=names)
    >>> print(*(ax.get_title() for ax in fig.axes), sep="\n")
    Mesh points ending in a local minimum
    Mean iterations to converge
    Where some optimizer ends in a local minimum
    """
    inference = kit.model_rows(inference, points="mesh")
    results = {"default": dict(zip(optimizers, defaults, strict=True))}
    summaries = {"default": inference, **_by_method(warm_start_summaries, methods)}
    for method, table in _by_method(warm_starts, methods).items():
        results[method] = {n: kit.model_rows(table, optimizer=n) for n in optimizers}
    names = list(results["default"])
    starts = list(results)
    palette = (ps.MESH, ps.Z_CHECK, ps.Z_TILDE, ps.MANIFOLD, *ps.HIGHLIGHT)
    colours = {start: palette[k % len(palette)] for k, start in enumerate(starts)}
    labels = {
        start: rf"default $\tilde{{z}}$ = {z_init:g}"
        if start == "default"
        else f"{METHOD_TITLES.get(start, start)} encoder"
        for start in starts
    }
    fig, (rate, iterations, where) = ps.figure(
        size, ncols=3, gridspec_kw={"width_ratios": [1.0, 1.0, 1.25]}
    )
    with ps.style():
        x = np.arange(len(names))
        width = 0.8 / len(starts)
        for ax, column in ((rate, "local_min_rate"), (iterations, "mean_iter")):
            for j, start in enumerate(starts):
                rows = [kit.model_rows(summaries[start], optimizer=n) for n in names]
                if column == "local_min_rate":
                    values = [1.0 - float(r["success_rate"][0]) for r in rows]
                    text = ["0" if v == 0 else f"{v:.1%}" for v in values]
                else:
                    values = [float(r[column][0]) for r in rows]
                    text = [f"{v:.0f}" if v >= 10 else f"{v:.1f}" for v in values]
                drawn = ax.bar(
                    x + (j - (len(starts) - 1) / 2) * width,
                    values,
                    width,
                    color=colours[start],
                    label=labels[start],
                )
                ax.bar_label(drawn, text, fontsize=7, padding=1.5)
            ax.set_xticks(x)
            ax.set_xticklabels([n.replace("_", "\n") for n in names], fontsize=8)
            ax.grid(axis="x", visible=False)
        worst = max(max(1.0 - float(np.min(s["success_rate"])) for s in summaries.values()), 0.01)
        rate.set_ylim(0, worst * 1.6)  # room for the legend above the bars
        rate.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        rate.set_title("Mesh points ending in a local minimum")
        rate.legend(title="start", loc="upper center", ncols=1)
        iterations.set_yscale("log")
        iterations.set_ylim(top=max(float(s["mean_iter"].max()) for s in summaries.values()) * 3)
        iterations.yaxis.set_major_formatter(lambda v, _: f"{v:g}")
        iterations.set_title("Mean iterations to converge")
        first = results["default"][names[0]]
        where.scatter(first["y1"], first["y2"], s=3, color=ps.MESH, alpha=0.5)
        kit.ridge(where, decoder)
        kit.ellipse(where, decoder, color=ps.MANIFOLD, lw=1.0, ls="--")
        for start in starts:
            tables = results[start]
            count = np.zeros(first["i"].size, dtype=np.int64)
            for t in tables.values():  # the same mesh points, in the same order, per optimizer
                count += ~t["global_min"]
            hit = count > 0
            where.scatter(
                first["y1"][hit],
                first["y2"][hit],
                s=14 * count[hit],
                marker="x" if start == "default" else "+",
                color=ps.WRONG if start == "default" else colours[start],
                lw=1.1,
                label=f"{labels[start]}: {int(hit.sum())} of {first['i'].size} points",
            )
        ps.plane(where, title="Where some optimizer ends in a local minimum")
        where.legend(loc="upper left", fontsize=7, title="local minima from", title_fontsize=8)
        fig.suptitle(
            r"Warm starts: each optimizer from the encoder's guess $\tilde{z}(y)$ instead of "
            rf"$\tilde{{z}}$ = {z_init:g}"
        )
    return fig


def target_propagation(
    *, trajectory: Columns, landscape: Columns, cold: Columns, samples: Columns, size, method: str
) -> Figure:
    """Target propagation's path of (w1, w2) and the decoders' manifolds through the samples.

    Figure 33. Left: target propagation's path of (w1, w2) from the untrained decoder (a square)
    over the zero-temperature energy loss (filled contours, log scale), with the cold training's
    end point (a star); the title gives the steps and the distance between the two ends. Right:
    the untrained decoder's manifold (dashed) and the one after target propagation through the
    samples.

    Parameters
    ----------
    trajectory : Mapping of str to ndarray
        Target propagation's path (results/amortized/target_propagation/trajectory.parquet,
        :func:`lvebm.amortized.target_propagation`): columns ``step``, ``w1`` and ``w2``.
    landscape : Mapping of str to ndarray
        The zero-temperature loss on a grid of (w1, w2)
        (results/training/beta~inf/landscape.parquet, :func:`lvebm.training.landscape`): columns
        ``w1``, ``w2`` and ``loss``, w1 varying fastest.
    cold : Mapping of str to ndarray
        The training summary (results/training/summary.parquet, :func:`lvebm.training.train`'s
        results): columns ``beta``, ``method``, ``w1`` and ``w2``; its row of beta = inf and
        ``method`` is the cold training's end.
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 5.2).
    method : str
        The training method whose end is marked (the pipeline's reference, ``lbfgs``).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels side by side, the loss's colour bar beside the left one.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.amortized import encoder_network, target_propagation as propagate
    >>> from lvebm.training import landscape
    >>> s = lvebm.sample_slice()
    >>> path = propagate(encoder_network((4,)), s["y1"], s["y2"], steps=20).trajectory
    >>> loss = landscape(s["y1"], s["y2"], path, beta=np.inf, n=None, num=9)
    >>> cold = lvebm.train(s["y1"], s["y2"], methods=("lbfgs",), landscape_num=2).results
    >>> fig = target_propagation(trajectory=path, landscape=loss, cold=cold, samples=s,
    ...                          size=(12.0, 5.2), method="lbfgs")
    >>> fig.axes[0].get_title()
    "20 steps; end 3.8e-02 from the cold training's radii"
    """
    path, land, s = trajectory, landscape, samples
    end = kit.model_rows(cold, method=method)
    end = kit.model_rows(end, beta=np.inf)
    fig, (left, right) = ps.figure(size, ncols=2)
    with ps.style():
        n1 = np.unique(land["w1"]).size
        w1, w2 = land["w1"].reshape(-1, n1), land["w2"].reshape(-1, n1)
        loss = land["loss"].reshape(-1, n1)
        levels = portable.geomspace(float(loss.min()), float(loss.max()), 17)
        c = left.contourf(
            w1,
            w2,
            loss,
            levels=levels,
            cmap="viridis",
            alpha=0.85,
            norm=LogNorm(levels[0], levels[-1]),
        )
        bar = fig.colorbar(c, ax=left, shrink=0.85, label=r"energy loss mean $F_\infty(y_i)$")
        ticks = kit.round_ticks(levels[0], levels[-1])
        bar.set_ticks(ticks)
        bar.set_ticklabels([f"{v:g}" for v in ticks])
        bar.minorticks_off()
        left.plot(
            path["w1"],
            path["w2"],
            color=ps.Z_TILDE,
            lw=1.4,
            marker="o",
            ms=2.5,
            markevery=max(1, path["w1"].size // 40),
            label="target propagation",
        )
        left.plot(path["w1"][0], path["w2"][0], "s", color="white", ms=7, label="untrained")
        left.plot(
            end["w1"], end["w2"], "*", color=ps.WRONG, ms=13, label=f"cold training ({method})"
        )
        left.plot(path["w1"][-1], path["w2"][-1], "o", color=ps.Z_TILDE, ms=8, mfc="none", mew=1.6)
        gap = float(portable.hypot(path["w1"][-1] - end["w1"][0], path["w2"][-1] - end["w2"][0]))
        left.set_xlabel("$w_1$")
        left.set_ylabel("$w_2$")
        left.set_title(
            f"{path['step'][-1]} steps; end {gap:.1e} from the cold training's radii", fontsize=9
        )
        left.legend(loc="lower left")
        ax = right
        ax.scatter(s["y1"], s["y2"], s=18, color=ps.SAMPLES, label="samples $y_i$", zorder=3)
        kit.ellipse(
            ax,
            {"w1": path["w1"][0], "w2": path["w2"][0]},
            color=ps.MESH,
            ls="--",
            lw=1.2,
            label="untrained decoder",
        )
        kit.ellipse(
            ax,
            {"w1": path["w1"][-1], "w2": path["w2"][-1]},
            color=ps.MANIFOLD,
            lw=2.0,
            label="after target propagation",
        )
        ps.plane(ax, title=f"$w$ = ({path['w1'][-1]:.4f}, {path['w2'][-1]:.4f})")
        ps.outside_legend(ax)
        fig.suptitle(
            r"Target propagation: $ž = \arg\min_z\, E(y, z) + \lambda D(z, \tilde{z})$,"
            r" then one decoder step on $C(y, g(ž))$ and one encoder step on $D(ž, \tilde{z})$"
        )
    return fig
