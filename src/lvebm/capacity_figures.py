"""The capacity stage's figures (34-36), drawn from its artifacts.

Every function takes its tables by name, keyword-only (each a mapping of column names to numpy
arrays), its size and its options, and returns a matplotlib ``Figure`` in the lecture's style
(:mod:`lvebm.plotstyle`). Figures compute nothing the artifacts already hold.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from lvebm import figurekit as kit
from lvebm import plotstyle as ps
from lvebm.capacity import COLD
from lvebm.figurekit import Columns

LOSS_COLOURS = {"energy": ps.SAMPLES, "hinge": ps.Z_CHECK, "log": ps.Z_TILDE, COLD: "white"}
LOSS_TITLES = {
    "energy": "energy loss",
    "hinge": "hinge loss",
    "log": "log loss",
    COLD: "1-D latent, cold optimum",
}
# lambda's axis: linear below this, logarithmic above (the energy loss drives lambda to 0 exactly)
LAMBDA_LINEAR = 1e-3


def _lambda_text(lam: float) -> str:
    if lam == np.inf:
        return "λ = ∞"
    if lam == 0.0:
        return "λ = 0"
    return f"λ = {lam:.3g}"


def _map_panel(ax, table: Columns, *, vmax: float, title: str):
    image = kit.heat(ax, table, vmax=vmax)
    ps.plane(ax, title=title)
    ax.grid(False)
    ax.title.set_fontsize(9)
    return image


# 34 -----------------------------------------------------------------------------------------
def lambda_scan(
    *, scan: Columns, summary: Columns, size, vmax: float, decoder: Mapping | None = None
) -> Figure:
    """The 2-D latent's F over the mesh's box for each lambda of the scan.

    Figure 34: one heat map per lambda, on figure 11's colour scale. At large lambda it is the
    lecture's F_inf (the valley along the ellipse); as lambda falls the valley widens along the
    rays through the origin, and at lambda = 0 the plane is flat at zero: every point is reached.

    Parameters
    ----------
    scan : Mapping of str to ndarray
        The scan (results/capacity/scan.parquet, :func:`lvebm.capacity.scan_tables`): columns
        ``lam``, ``y1``, ``y2``, ``F`` and ``F_inf``, per lambda in mesh order.
    summary : Mapping of str to ndarray
        Its summary (results/capacity/scan_summary.parquet): ``lam``, ``F_median`` and
        ``F_inf_median``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 16 x 3.9).
    vmax : float
        The colour scale's top (config figures.vmax).
    decoder : Mapping, optional
        ``w1, w2`` (config decoder): the ellipse g(z_t) at z_r = 1, dashed on each panel.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per lambda, left to right in the scan's order.

    Examples
    --------
    >>> from lvebm.capacity import scan_tables
    >>> from lvebm.meshgrid import map_points
    >>> from lvebm.model import Decoder
    >>> points = map_points({"y1": [-3, 3], "y2": [-2, 2]}, {"y1": 13, "y2": 9})
    >>> scan, summary = scan_tables(Decoder(-1.45, 0.36), [0.0, 1.0], *points)
    >>> fig = lambda_scan(scan=scan, summary=summary, size=(8.0, 3.0), vmax=2.0)
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes[:2]]
    ['λ = 0', 'λ = 1']
    """
    lambdas = summary["lam"]
    fig, axes = ps.figure(size, ncols=lambdas.size, sharex=True, sharey=True, squeeze=False)
    with ps.style():
        for k, (ax, lam) in enumerate(zip(axes[0], lambdas, strict=True)):
            rows = scan["lam"] == lam
            table = {c: scan[c][rows] for c in ("y1", "y2", "F")}
            image = _map_panel(
                ax,
                table,
                vmax=vmax,
                title=f"{_lambda_text(float(lam))}\nmedian F {summary['F_median'][k]:.3g}",
            )
            if decoder is not None:
                kit.ellipse(ax, decoder, color="white", lw=0.8, ls="--")
        fig.colorbar(image, ax=list(axes[0]), shrink=0.85, extend="max", label="F(y)")
        fig.suptitle(
            "The 2-D latent g(z) = z_r [w1 cos z_t, w2 sin z_t] with λ (z_r − 1)²: F over the "
            f"mesh's box (the 1-D model's median F∞ {summary['F_inf_median'][0]:.3g})"
        )
    return fig


# 35 -----------------------------------------------------------------------------------------
def training_paths(*, trajectory: Columns, trained: Columns, size, margin: float) -> Figure:
    """lambda and the held-out margin along the training by each loss.

    Figure 35: left, lambda over Adam's steps (linear near 0, logarithmic above: the energy loss
    reaches lambda = 0, the collapse); right, the median held-out margin F(y_hat) - F(y_check),
    with the hinge's m and the 1-D model's cold optimum's margin (dashed).

    Parameters
    ----------
    trajectory : Mapping of str to ndarray
        The paths (results/capacity/training/trajectory.parquet,
        :func:`lvebm.capacity.training_tables`): ``loss``, ``step``, ``lam`` and
        ``margin_median``.
    trained : Mapping of str to ndarray
        The trained table (results/capacity/training/trained.parquet): ``loss`` and
        ``margin_median`` (the cold optimum's row is the yardstick).
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 4.6).
    margin : float
        The hinge's m (config capacity.training.margin).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels over the steps.

    Examples
    --------
    >>> from lvebm.capacity import training_tables
    >>> from lvebm.data import held_out_slice, sample_slice
    >>> from lvebm.model import Decoder
    >>> path, trained, maps = training_tables(sample_slice(), Decoder(-1.45, 0.36), lam=1.0,
    ...     losses=["energy", "hinge"], steps=20, learning_rate=0.05, margin=0.1,
    ...     negatives={"rule": "uniform", "count": 10, "candidates": 1},
    ...     held_out=held_out_slice(20), box={"y1": [-3, 3], "y2": [-2, 2]},
    ...     num={"y1": 5, "y2": 3}, seed=709, cold={"gtol": 1e-10, "max_iter": 100})
    >>> fig = training_paths(trajectory=path, trained=trained, size=(12.0, 4.6), margin=0.1)
    >>> [len(ax.get_lines()) for ax in fig.axes]
    [2, 4]
    >>> fig = trained_maps(maps=maps, trained=trained, samples=sample_slice(), size=(12, 4),
    ...     vmax=2.0)
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes[:3]]
    ['energy loss', 'hinge loss', '1-D latent, cold optimum']
    """
    losses = list(dict.fromkeys(trajectory["loss"].tolist()))
    cold = trained["loss"] == COLD
    fig, (left, right) = ps.figure(size, ncols=2)
    with ps.style():
        for loss in losses:
            rows = trajectory["loss"] == loss
            colour = LOSS_COLOURS.get(loss, ps.MANIFOLD)
            steps = trajectory["step"][rows]
            lam = trajectory["lam"][rows]
            left.plot(steps, lam, color=colour, lw=1.5, label=f"{LOSS_TITLES[loss]}: {lam[-1]:.3g}")
            marg = trajectory["margin_median"][rows]
            right.plot(
                steps, marg, color=colour, lw=1.5, label=f"{LOSS_TITLES[loss]}: {marg[-1]:.3g}"
            )
        left.set_yscale("symlog", linthresh=LAMBDA_LINEAR)
        left.set_ylim(bottom=0.0)
        left.set(xlabel="Adam step", ylabel="λ", title="λ along training (final in the legend)")
        right.axhline(margin, color="grey", ls=":", lw=1.0, label=f"hinge margin m = {margin:g}")
        if cold.any():
            right.axhline(
                float(trained["margin_median"][cold][0]),
                color=LOSS_COLOURS[COLD],
                ls="--",
                lw=1.0,
                label=f"1-D cold optimum: {float(trained['margin_median'][cold][0]):.3g}",
            )
        right.set(
            xlabel="Adam step",
            ylabel="median F(ŷ) − F(y̌), held out",
            title="The held-out margin: negatives above samples",
        )
        left.legend(fontsize=8, loc="lower right")
        ps.outside_legend(right, fontsize=8)
        fig.suptitle(
            "Training the 2-D latent: the energy loss collapses, the contrastive ones hold"
        )
    return fig


# 36 -----------------------------------------------------------------------------------------
def trained_maps(*, maps: Columns, trained: Columns, samples: Columns, size, vmax: float) -> Figure:
    """Each trained model's F over the mesh's box, beside the 1-D model's cold optimum.

    Figure 36: one heat map per loss (figure 11's colour scale), with the samples; each title
    gives the trained lambda and the median held-out margin.

    Parameters
    ----------
    maps : Mapping of str to ndarray
        The maps (results/capacity/training/maps.parquet): ``loss``, ``y1``, ``y2`` and ``F``.
    trained : Mapping of str to ndarray
        The trained table: ``loss``, ``w1``, ``w2``, ``lam`` and ``margin_median``.
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 15 x 4).
    vmax : float
        The colour scale's top (config figures.vmax).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per model, in the trained table's order.

    Examples
    --------
    See :func:`training_paths`, whose example draws this figure too.
    """
    losses = trained["loss"].tolist()
    fig, axes = ps.figure(size, ncols=len(losses), sharex=True, sharey=True, squeeze=False)
    with ps.style():
        for k, (ax, loss) in enumerate(zip(axes[0], losses, strict=True)):
            rows = maps["loss"] == loss
            table = {c: maps[c][rows] for c in ("y1", "y2", "F")}
            image = _map_panel(
                ax,
                table,
                vmax=vmax,
                title=(
                    f"{LOSS_TITLES.get(loss, loss)}\n{_lambda_text(float(trained['lam'][k]))}, "
                    f"w = ({trained['w1'][k]:.2f}, {trained['w2'][k]:.2f}), "
                    f"margin {trained['margin_median'][k]:.2g}"
                ),
            )
            kit.samples_on_map(ax, samples, size=10)
        fig.colorbar(image, ax=list(axes[0]), shrink=0.85, extend="max", label="F(y)")
        fig.suptitle(
            "The trained models' free energy: flat after the energy loss, "
            "a valley after the contrastive losses"
        )
    return fig
