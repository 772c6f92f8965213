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
    """The lecture's four panels: untrained and trained decoder (columns), cold F_inf with arrows
    from each sample's closest manifold point toward it (top), warm F_beta with arrows from the
    latents' manifold points toward one sample, lengths proportional to their weights (bottom)."""
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
    """Each beta's trajectory of (w1, w2), per method, over the contours of its loss
    (``trajectories``, ``landscapes``, in the order of ``betas``); the
    learning-rate measurement of one epoch in the last panel."""
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
    """Trained |w1| and |w2| against beta, with the critical betas of the second-order
    expansion around w = 0 where each radius appears."""
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
    """Held-out noisy samples, their denoised points g(z_check) under the trained decoder and
    their clean points; the distance to the clean points for each model."""
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
