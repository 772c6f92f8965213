"""The training figures (lecture 15-2; 18, 20-22), drawn from the training stage's artifacts.

Every function takes its tables by name, keyword-only (each a mapping of column names to numpy
arrays, or a sequence of them), its size and its options, and returns a matplotlib ``Figure`` in
the lecture's style
(:mod:`lvebm.plotstyle`). Figures compute nothing the artifacts already hold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from lvebm import figurekit as kit
from lvebm import plotstyle as ps
from lvebm.figurekit import Columns


def training_panels(
    *,
    maps: Columns,
    weights: Columns,
    closest: Columns,
    samples: Columns,
    size,
    vmax: float,
    warm_vmax: float,
) -> Figure:
    r"""The lecture's four panels: the untrained and the trained decoder, cold and warm.

    Figure 18. Columns: the untrained and the trained decoder, each with its manifold and the
    samples. Top: the cold F_inf (0 to ``vmax``) with arrows from each sample's closest manifold
    point toward it. Bottom: the warm F_beta (0 to ``warm_vmax``) with arrows from the latents'
    manifold points toward one sample (a star), lengths proportional to their weights. One colour
    bar per row.

    Parameters
    ----------
    maps : Mapping of str to ndarray
        F on the mesh per decoder and beta (results/training/maps.parquet,
        :func:`lvebm.training_tables.training_maps`): columns ``model`` (``untrained``,
        ``trained``), ``beta`` (inf and one finite beta), ``y1``, ``y2`` and ``F``, in mesh order
        per model and beta.
    weights : Mapping of str to ndarray
        The warm soft-argmin weights of the one sample per decoder
        (results/training/warm_weights.parquet): columns ``model``, ``g1``, ``g2`` (the decoded
        latent grid), ``weight``, ``y1`` and ``y2`` (the sample).
    closest : Mapping of str to ndarray
        Each sample's closest manifold point per decoder (results/training/closest.parquet):
        columns ``model``, ``y1``, ``y2``, ``g1`` and ``g2``.
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 9).
    vmax : float
        The top of the cold maps' colour scale (figure 11's 2).
    warm_vmax : float
        The top of the warm maps' colour scale (the relaxed maps' 5, figure 16's).

    Returns
    -------
    matplotlib.figure.Figure
        Two rows of two panels of the (y1, y2) plane and their two colour bars.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.training_tables import training_maps
    >>> s = lvebm.sample_slice()
    >>> decoders = {"untrained": lvebm.Decoder(-1.45, 0.36), "trained": lvebm.Decoder(-1.95, 1.48)}
    >>> _, y1, y2 = lvebm.mesh_points({"start": -3.0, "stop": 3.0, "num": 7},
    ...                               {"start": -2.0, "stop": 2.0, "num": 5})
    >>> maps, weights, closest = training_maps(decoders, y1, y2, warm_beta=1.0, n=48,
    ...                                        point=(s["y1"][9], s["y2"][9]), samples=s)
    >>> fig = training_panels(maps=maps, weights=weights, closest=closest, samples=s,
    ...                       size=(12.0, 9.0), vmax=2.0, warm_vmax=5.0)
    >>> len(fig.axes), fig.axes[0].get_title()
    (6, 'untrained, cold: $F_\\infty$')
    """
    s = samples
    cold, warm = sorted(set(maps["beta"].tolist()), reverse=True)  # inf first
    fig, axes = ps.figure(size, nrows=2, ncols=2, sharex=True, sharey=True)
    with ps.style():
        for col, model in enumerate(("untrained", "trained")):
            w = kit.model_rows(weights, model=model)
            c = kit.model_rows(closest, model=model)
            for row, beta in enumerate((cold, warm)):
                ax = axes[row, col]
                m = kit.model_rows(maps, model=model, beta=beta)
                im = kit.heat(ax, m, vmax=vmax if row == 0 else warm_vmax, alpha=0.9)
                ax.plot(
                    np.r_[w["g1"], w["g1"][:1]],
                    np.r_[w["g2"], w["g2"][:1]],
                    color=ps.MANIFOLD,
                    lw=1.6,
                    zorder=3,
                )
                ax.scatter(
                    s["y1"], s["y2"], s=14, color=ps.SAMPLES, edgecolor="black", lw=0.4, zorder=5
                )
                if row == 0:  # from each sample's closest point of the manifold toward it
                    ax.quiver(
                        c["g1"],
                        c["g2"],
                        c["y1"] - c["g1"],
                        c["y2"] - c["g2"],
                        angles="xy",
                        scale_units="xy",
                        scale=1.0,
                        color="white",
                        width=0.004,
                        zorder=4,
                    )
                    title = rf"{model}, cold: $F_\infty$"
                else:  # from every latent toward the warm point, lengths ~ weights
                    y1, y2 = float(w["y1"][0]), float(w["y2"][0])
                    share = w["weight"] / w["weight"].max()
                    ax.quiver(
                        w["g1"],
                        w["g2"],
                        (y1 - w["g1"]) * share,
                        (y2 - w["g2"]) * share,
                        angles="xy",
                        scale_units="xy",
                        scale=1.0,
                        color=ps.Z_TILDE,
                        width=0.004,
                        zorder=6,
                    )
                    ax.scatter(
                        [y1], [y2], marker="*", s=160, color=ps.FOCUS, edgecolor="white", zorder=7
                    )
                    title = rf"{model}, warmer $\beta$ = {beta:g}: $F_\beta$"
                ps.plane(ax, title=title, limits=kit.limits(m, pad=0.15))
                ax.grid(False)
                if col == 1:
                    label = r"$F_\infty(y)$" if row == 0 else rf"$F_\beta(y)$, $\beta$ = {beta:g}"
                    fig.colorbar(
                        im, ax=axes[row, :].tolist(), extend="max", shrink=0.9, label=label
                    )
        fig.suptitle("Training the decoder by minimising the free energy of the samples")
    return fig


def training_paths(
    *,
    trajectories: Sequence[Columns],
    landscapes: Sequence[Columns],
    learning_rates: Columns,
    size,
    betas,
) -> Figure:
    """Each beta's trajectory of (w1, w2), per method, over the contours of its loss.

    Figure 20: one panel per beta (``trajectories``, ``landscapes``, in the order of ``betas``)
    with each method's path from the start (a square) to its end (a cross) over the filled
    contours of the loss; the learning-rate measurement of one epoch in the last panel: the excess
    loss after one epoch of per-sample steps against the learning rate, the 1 % line dashed.

    Parameters
    ----------
    trajectories : sequence of Mapping of str to ndarray
        Each beta's training paths (results/training/beta~<beta>/trajectory.parquet,
        :func:`lvebm.training.train`), in the order of ``betas``: columns ``method``, ``step``,
        ``w1`` and ``w2``.
    landscapes : sequence of Mapping of str to ndarray
        Each beta's loss on a grid of (w1, w2) (results/training/beta~<beta>/landscape.parquet),
        in the order of ``betas``: columns ``w1``, ``w2`` and ``loss``, w2-major.
    learning_rates : Mapping of str to ndarray
        The one-epoch measurement (results/training/learning_rates.parquet,
        :func:`lvebm.training.learning_rate_scan`): columns ``learning_rate``, ``excess`` and
        ``within_1pct``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 13 x 8).
    betas : sequence of float or str
        The inverse temperatures, or their labels (``"0.1"``, ``"inf"``: what ``float`` reads),
        for the panels' titles.

    Returns
    -------
    matplotlib.figure.Figure
        The panels in rows of three (spare ones switched off).

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.training import learning_rate_scan
    >>> s = lvebm.sample_slice()
    >>> run = lvebm.train(s["y1"], s["y2"], landscape_num=9)  # zero temperature
    >>> rates = learning_rate_scan(s["y1"], s["y2"], lvebm.Decoder(-1.45, 0.36), rates=[0.1, 0.2],
    ...                            seed=709, gtol=1e-10, max_iter=1000)
    >>> fig = training_paths(trajectories=[run.trajectories], landscapes=[run.landscape],
    ...                      learning_rates=rates, size=(13.0, 8.0), betas=["inf"])
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['lbfgs (9 steps)', 'per_sample (24 steps)']
    """
    n = len(betas)
    fig, axes = kit.panels(size, n + 1, cols=3)
    styles = {"lbfgs": ("o-", ps.Z_CHECK), "per_sample": (".-", ps.Z_TILDE)}
    with ps.style():
        runs = zip(axes.ravel(), betas, landscapes, trajectories, strict=False)
        for ax, label, land, traj in runs:
            a1, a2 = np.unique(land["w1"]), np.unique(land["w2"])
            grid = land["loss"].reshape(a2.size, a1.size)
            levels = np.quantile(grid, np.linspace(0.0, 1.0, 16) ** 2)
            ax.contourf(a1, a2, grid, levels=np.unique(levels), cmap="viridis", alpha=0.85)
            for method in dict.fromkeys(traj["method"].tolist()):
                t = kit.model_rows(traj, method=method)
                marker, colour = styles.get(method, ("-", "white"))
                ax.plot(
                    t["w1"],
                    t["w2"],
                    marker,
                    color=colour,
                    ms=3,
                    lw=1.2,
                    label=f"{method} ({t['step'][-1]} steps)",
                )
                ax.scatter(
                    t["w1"][-1:],
                    t["w2"][-1:],
                    marker="X",
                    s=60,
                    color=colour,
                    edgecolor="black",
                    zorder=5,
                )
            ax.scatter(traj["w1"][:1], traj["w2"][:1], marker="s", s=40, color="white", zorder=5)
            ax.set_title(kit.beta_text(float(label)))
            ax.set_xlabel("$w_1$")
            ax.set_ylabel("$w_2$")
            ax.legend(loc="best", fontsize=7)
        lr = learning_rates
        ax = axes.ravel()[n]
        excess = np.where(np.isfinite(lr["excess"]), lr["excess"], np.nan)
        ax.plot(lr["learning_rate"], np.maximum(excess, 1e-6) * 100, "o-", color=ps.Z_TILDE, ms=3)
        ax.axhline(1.0, color="white", ls="--", lw=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("excess loss after one epoch (%)")
        ok = lr["learning_rate"][lr["within_1pct"]]
        verdict = (
            f"within 1 %: {ok.min():.3g} to {ok.max():.3g}"
            if ok.size
            else f"never within 1 % (best {np.nanmin(excess) * 100:.2f} %)"
        )
        ax.set_title(f"One epoch at $\\beta = \\infty$; {verdict}", fontsize=9)
        for ax in axes.ravel()[n + 1 :]:
            ax.axis("off")
        fig.suptitle("Training paths of (w1, w2) over the loss at each beta (square: start)")
    return fig


def temperature(*, temperature: Columns, size) -> Figure:
    """Trained |w1| and |w2| against beta, with the critical betas where each radius appears.

    Figure 21: the radii |w1| and |w2| that L-BFGS reaches at each beta of the scan (log scale),
    and dashed at the critical betas of the second-order expansion around w = 0
    (:func:`lvebm.training.critical_betas`), where the model's noise 1/(2 beta) equals the data's
    mean y_j^2: below them the ellipse collapses.

    Parameters
    ----------
    temperature : Mapping of str to ndarray
        The scan (results/training/temperature.parquet, :func:`lvebm.training.temperature_scan`):
        columns ``beta``, ``w1``, ``w2``, ``critical_w1`` and ``critical_w2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 9 x 5).

    Returns
    -------
    matplotlib.figure.Figure
        One panel, its legend outside on the right.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.training import temperature_scan
    >>> s = lvebm.sample_slice()
    >>> scan = temperature_scan(s["y1"], s["y2"], lvebm.Decoder(-1.45, 0.36),
    ...                         betas=[0.1, 1.0, 100.0], n=48, gtol=1e-10, max_iter=1000)
    >>> fig = temperature(temperature=scan, size=(9.0, 5.0))
    >>> fig.axes[0].get_title()
    'Hot training shrinks the ellipse; below the critical betas it collapses'
    """
    t = temperature
    fig, ax = ps.figure(size)
    with ps.style():
        ax.plot(t["beta"], np.abs(t["w1"]), "o-", ms=3, color=ps.Z_TILDE, label="$|w_1|$")
        ax.plot(t["beta"], np.abs(t["w2"]), "o-", ms=3, color=ps.Z_CHECK, label="$|w_2|$")
        for name, colour in (("critical_w1", ps.Z_TILDE), ("critical_w2", ps.Z_CHECK)):
            beta = float(t[name][0])
            j = name[-1]
            label = (
                rf"$\beta^*_{j}$ = {beta:.3f}: model noise $1/(2\beta)$ = "
                rf"{0.5 / beta:.3f} = data's $\overline{{y_{j}^2}}$"
            )
            ax.axvline(beta, color=colour, ls="--", lw=1, label=label)
        ax.set_xscale("log")
        ax.set_xlabel(r"$\beta$ (training)")
        ax.set_ylabel("trained radius")
        ax.set_title("Hot training shrinks the ellipse; below the critical betas it collapses")
        ps.outside_legend(ax)
    return fig


def denoising(*, denoise: Columns, size) -> Figure:
    """Held-out noisy samples, their denoised points and their clean points; the errors per model.

    Figure 22. Left: the held-out noisy samples, their denoised points g(z_check) under the
    trained decoder (a line from each of some 40 samples to its own) and their clean points.
    Right: the mean distance to the clean points for each model (the noisy samples themselves,
    each decoder), a bar each.

    Parameters
    ----------
    denoise : Mapping of str to ndarray
        The denoised samples (results/training/denoise.parquet,
        :func:`lvebm.training_tables.denoise_table`): columns ``model`` (``noisy``, the raw
        samples, and the decoders, among them ``trained``), ``y1``, ``y2``, ``clean_y1``,
        ``clean_y2``, ``denoised_y1``, ``denoised_y2`` and ``error``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 5).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels side by side, the plane wider.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.data import held_out_slice
    >>> from lvebm.training_tables import denoise_table
    >>> decoders = {"untrained": lvebm.Decoder(-1.45, 0.36), "trained": lvebm.Decoder(-1.95, 1.48)}
    >>> fig = denoising(denoise=denoise_table(held_out_slice(50), decoders), size=(12.0, 5.0))
    >>> fig.axes[1].get_title(), [t.get_text() for t in fig.axes[1].texts]
    ('50 held-out samples', ['0.0676', '0.8975', '0.0570'])
    """
    d = denoise
    noisy = kit.model_rows(d, model="noisy")
    trained = kit.model_rows(d, model="trained")
    fig, axes = ps.figure(size, ncols=2, gridspec_kw={"width_ratios": [1.6, 1.0]})
    with ps.style():
        ax = axes[0]
        ax.scatter(noisy["y1"], noisy["y2"], s=10, color=ps.SAMPLES, label="noisy $y$")
        ax.scatter(
            trained["denoised_y1"],
            trained["denoised_y2"],
            s=10,
            color=ps.Z_TILDE,
            label=r"denoised $g(\check z)$, trained",
        )
        ax.scatter(noisy["clean_y1"], noisy["clean_y2"], s=4, color="white", label="clean")
        for k in range(0, noisy["y1"].size, max(1, noisy["y1"].size // 40)):
            ax.plot(
                [noisy["y1"][k], trained["denoised_y1"][k]],
                [noisy["y2"][k], trained["denoised_y2"][k]],
                color="white",
                lw=0.5,
            )
        ps.plane(ax, title="Minimising the energy on the trained manifold denoises")
        ax.legend(loc="center", fontsize=7)
        ax = axes[1]
        models = list(dict.fromkeys(d["model"].tolist()))
        means = [float(d["error"][d["model"] == m].mean()) for m in models]
        bars = ax.bar(models, means, color=[ps.SAMPLES, ps.MANIFOLD, ps.Z_TILDE][: len(models)])
        for bar, value in zip(bars, means, strict=True):
            ax.annotate(
                f"{value:.4f}",
                (bar.get_x() + bar.get_width() / 2, value),
                ha="center",
                va="bottom",
                fontsize=9,
            )
        ax.set_ylabel("mean distance to the clean point")
        ax.set_title(f"{noisy['y1'].size} held-out samples")
    return fig
