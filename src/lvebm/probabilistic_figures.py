"""The probabilistic reading's figures (27-29), drawn from its artifacts.

Every function takes its tables by name, keyword-only (each a mapping of column names to numpy
arrays, or a sequence of them), its size and its options, and returns a matplotlib ``Figure`` in
the lecture's style
(:mod:`lvebm.plotstyle`). Figures compute nothing the artifacts already hold.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from lvebm import plotstyle as ps
from lvebm.figurekit import Columns

# 27-29: the probabilistic reading -------------------------------------------------------------
LATENT_COLOURS = {"grid": ps.Z_TILDE, "continuous": ps.Z_CHECK}


def em_path(*, em: Columns, size, noise_std: float, n: int) -> Figure:
    """EM's path with beta learned: the mean log-likelihood and beta over the steps.

    Figure 27: for the grid of n latents and the continuous latent, the mean log-likelihood over
    EM's steps (left: it never decreases) and beta (right, log scale, each curve's learned beta in
    the legend), beside the data's own 1 / (2 sigma^2) (dashed).

    Parameters
    ----------
    em : Mapping of str to ndarray
        EM's trajectories (results/probabilistic/em.parquet,
        :func:`lvebm.probabilistic.em_tables`): columns ``latent`` (``grid``, ``continuous``),
        ``step``, ``beta`` and ``log_likelihood``, in the order of the steps per latent.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 12 x 4.8).
    noise_std : float
        The data's noise sigma per axis (the pipeline's 0.05), for the line at 1 / (2 sigma^2).
    n : int
        The latent grid's size, for the legend (the lecture's 48).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels side by side.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.probabilistic import em_tables
    >>> paths, _ = em_tables(lvebm.sample_slice(), max_iter=20, size=10)
    >>> fig = em_path(em=paths, size=(12.0, 4.8), noise_std=0.05, n=48)
    >>> fig.axes[0].get_title(), [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ('The likelihood never decreases', ['48 latents', 'continuous $z$'])
    """
    t = em
    data_beta = 0.5 / noise_std**2
    fig, axes = ps.figure(size, ncols=2)
    with ps.style():
        for latent, colour in LATENT_COLOURS.items():
            rows = t["latent"] == latent
            label = f"{n} latents" if latent == "grid" else "continuous $z$"
            last = t["beta"][rows][-1]
            axes[0].plot(
                t["step"][rows], t["log_likelihood"][rows], "o-", ms=2.5, color=colour, label=label
            )
            axes[1].plot(
                t["step"][rows],
                t["beta"][rows],
                "o-",
                ms=2.5,
                color=colour,
                label=rf"{label}: learned $\beta$ = {last:.1f}",
            )
        noise = rf"data: $1/(2\sigma^2)$ = {data_beta:.0f} ($\sigma$ = {noise_std:g})"
        axes[1].axhline(data_beta, color="white", ls="--", lw=1.2, label=noise)
        axes[0].set_xlabel("EM step")
        axes[0].set_ylabel(r"mean $\log p(y_i)$")
        axes[0].set_title("The likelihood never decreases")
        axes[0].legend(loc="lower right")
        axes[1].set_yscale("log")
        axes[1].set_xlabel("EM step")
        axes[1].set_ylabel(r"$\beta$ = 1 / (2 noise variance)")
        axes[1].set_title(r"$\beta$ is learnt: the model's noise")
        axes[1].legend(loc="lower right")
        fig.suptitle(r"EM on the samples: $p(y) = (\beta/\pi)\, e^{-\beta F_\beta(y)}$")
    return fig


def model_samples(*, model_samples: Columns, samples: Columns, size) -> Figure:
    """Draws from each learned model beside the data, in the plane.

    Figure 28: one panel per latent (the grid, the continuous one), the draws from the model EM
    learned (z uniform, y = g(z) + noise of variance 1/(2 beta)) and the samples.

    Parameters
    ----------
    model_samples : Mapping of str to ndarray
        The draws (results/probabilistic/model_samples.parquet,
        :func:`lvebm.probabilistic.em_tables`): columns ``latent``, ``y1`` and ``y2``.
    samples : Mapping of str to ndarray
        The samples (results/data/samples.parquet): columns ``i``, ``y1`` and ``y2``.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 11 x 5).

    Returns
    -------
    matplotlib.figure.Figure
        One panel of the (y1, y2) plane per latent, side by side.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.probabilistic import em_tables
    >>> s = lvebm.sample_slice()
    >>> _, draws = em_tables(s, max_iter=20, size=100)
    >>> fig = model_samples(model_samples=draws, samples=s, size=(11.0, 5.0))
    >>> [ax.get_title() for ax in fig.axes]
    ['Latent: grid', 'Latent: continuous']
    """
    draws, s = model_samples, samples
    latents = list(dict.fromkeys(draws["latent"].tolist()))
    fig, axes = ps.figure(size, ncols=len(latents), sharex=True, sharey=True, squeeze=False)
    with ps.style():
        for ax, latent in zip(axes[0], latents, strict=True):
            rows = draws["latent"] == latent
            ax.scatter(
                draws["y1"][rows],
                draws["y2"][rows],
                s=5,
                alpha=0.5,
                color=LATENT_COLOURS.get(latent, ps.MANIFOLD),
                label=f"{int(rows.sum())} draws from the learned model",
            )
            ax.scatter(
                s["y1"],
                s["y2"],
                s=22,
                color=ps.SAMPLES,
                edgecolor="black",
                lw=0.5,
                label=f"the {s['i'].size} samples",
                zorder=4,
            )
            ps.plane(ax, title=f"Latent: {latent}")
            ax.legend(loc="upper right", fontsize=8)
        fig.suptitle("The learned model samples: z uniform, y = g(z) + noise of variance 1/(2β)")
    return fig


def held_out_likelihood(*, held_out: Columns, em: Columns, size, noise_std: float) -> Figure:
    """The mean log-likelihood of the decoder of maximum likelihood at each beta of a scan.

    Figure 29: under beta, at each beta of a log-spaced scan, the mean log-likelihood of the
    decoder of maximum likelihood there, on the samples it was fitted to and on held-out samples.
    The held-out curve turns where the model's noise matches the data's; marked: its best beta,
    the beta EM learns (continuous latent) and the data's own 1 / (2 sigma^2).

    Parameters
    ----------
    held_out : Mapping of str to ndarray
        The scan (results/probabilistic/held_out.parquet,
        :func:`lvebm.probabilistic.held_out_table`): columns ``beta``, ``train_log_likelihood``,
        ``log_likelihood`` and ``best``.
    em : Mapping of str to ndarray
        EM's trajectories (results/probabilistic/em.parquet): columns ``latent`` and ``beta``; the
        continuous latent's last beta is the learned one.
    size : tuple of float
        The figure's width and height in inches (the pipeline's 9 x 5).
    noise_std : float
        The data's noise sigma per axis (the pipeline's 0.05), for the line at 1 / (2 sigma^2).

    Returns
    -------
    matplotlib.figure.Figure
        One panel, beta on a log scale.

    Examples
    --------
    >>> import lvebm
    >>> from lvebm.data import held_out_slice
    >>> from lvebm.probabilistic import em_tables, held_out_table
    >>> s = lvebm.sample_slice()
    >>> paths, _ = em_tables(s, max_iter=20, size=10)
    >>> scan = held_out_table(s, held_out_slice(200), [1.0, 10.0, 100.0, 1000.0])
    >>> fig = held_out_likelihood(held_out=scan, em=paths, size=(9.0, 5.0), noise_std=0.05)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2]
    ['samples (fitted)', 'held-out samples']
    """
    t = held_out
    order = np.argsort(t["beta"])
    beta, ll, train = (t[k][order] for k in ("beta", "log_likelihood", "train_log_likelihood"))
    best = float(t["beta"][t["best"]][0])
    continuous = em["latent"] == "continuous"
    learned = float(em["beta"][continuous][-1])
    data_beta = 0.5 / noise_std**2
    fig, ax = ps.figure(size)
    with ps.style():
        ax.plot(beta, train, "-", color=ps.SAMPLES, lw=1.4, label="samples (fitted)")
        ax.plot(beta, ll, "o-", ms=3, color=ps.Z_CHECK, label="held-out samples")
        ax.plot(
            [best],
            [ll[beta == best][0]],
            "o",
            ms=9,
            mfc="none",
            mec="white",
            mew=1.5,
            label=rf"best held-out: $\beta$ = {best:.3g}",
        )
        ax.axvline(
            learned,
            color=ps.Z_TILDE,
            ls="--",
            lw=1.2,
            label=rf"learnt by EM: $\beta$ = {learned:.0f}",
        )
        ax.axvline(
            data_beta,
            color="white",
            ls=":",
            lw=1.2,
            label=rf"data: $1/(2\sigma^2)$ = {data_beta:.0f}",
        )
        ax.set_xscale("log")
        ax.set_xlabel(r"$\beta$ (fitting and scoring)")
        ax.set_ylabel(r"mean $\log p(y)$ under the fitted decoder")
        ax.set_title(
            r"The likelihood chooses $\beta$: too hot spreads the density, "
            "too cold misses the noise"
        )
        ax.legend(loc="lower center")
    return fig
