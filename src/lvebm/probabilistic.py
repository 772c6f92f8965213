"""The probabilistic reading of the relaxed free energy: a normalised density, a sampler, and EM.

With the lecture's normalisation (the mean over z),

    exp(-beta F_beta(y)) = mean_z exp(-beta |y - g(z)|^2),

and every latent contributes a Gaussian in y of variance 1/(2 beta) per axis, whose integral over
the plane is pi / beta, whatever the decoder. So

    p(y) = (beta / pi) exp(-beta F_beta(y))

is a normalised density: draw z uniformly (on the latent grid, or on the circle for the
continuous F_beta), then y = g(z) + Gaussian noise of variance 1/(2 beta) per axis. The energy
loss at fixed beta is exactly maximum likelihood, mean_i F_beta(y_i) = -(1/beta) mean_i log p(y_i)
+ log(beta / pi) / beta: the "push-up" term of a contrastive loss is a constant here.

**EM** (a generative topographic mapping, Bishop, Svensen and Williams 1998, on the grid; the
same with the continuous latent). For the samples y_i, the E-step is the soft-argmin weights
p_i(z) = exp(-beta E(y_i, z)) / sum_z' exp(-beta E(y_i, z')) that F_beta already computes. The
M-step maximises the expected complete log-likelihood

    Q = sum_i E_{p_i}[ log(beta / pi) - beta |y_i - g(z)|^2 ],   g(z) = (w1 cos z, w2 sin z).

It is quadratic in w1 and w2 separately, so

    w1 = sum_i y_i1 E_{p_i}[cos z] / sum_i E_{p_i}[cos^2 z],
    w2 = sum_i y_i2 E_{p_i}[sin z] / sum_i E_{p_i}[sin^2 z],

with E[cos^2 z] = (1 + E[cos 2z]) / 2 and E[sin^2 z] = (1 - E[cos 2z]) / 2; then, at those w,
dQ/dbeta = N / beta - sum_i E_{p_i}[E_i] = 0 gives

    beta = N / sum_i E_{p_i}[|y_i - g(z)|^2],
    E_{p_i}[|y_i - g|^2] = |y_i|^2 - 2 w1 y_i1 E[cos z] - 2 w2 y_i2 E[sin z]
                           + w1^2 E[cos^2 z] + w2^2 E[sin^2 z],

the inverse of twice the expected noise variance per axis. The updates are the joint maximiser of
Q (w first, beta given w), so the log-likelihood never decreases (tested at every step). With
beta held fixed, EM's fixed points are the stationary points of the energy loss at that beta, the
same optimum the L-BFGS trainer (:mod:`lvebm.training`) reaches (tested to 1e-6).

**A closed form for circles.** For w1 = w2 = r the continuous F_beta is

    F_beta(y) = (|y| - r)^2 - log(I0e(2 beta r |y|)) / beta,

with I0e the exponentially scaled modified Bessel function of order 0 (``scipy.special.i0e``),
since mean_z exp(2 beta r |y| cos z) = I0(2 beta r |y|). :func:`circle_free_energy` is that
oracle; the tests hold the continuous F_beta to it to 1e-12.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm.arguments import count, real_number, real_points
from lvebm.columns import concat
from lvebm.data import stream
from lvebm.model import LATENT_N, Decoder, latent_grid
from lvebm.relaxed import free_energy_relaxed

Array = NDArray[np.float64]
START = Decoder(-1.45, 0.36)  # the lecture's untrained decoder


def log_density(
    decoder: Decoder, y1: ArrayLike, y2: ArrayLike, beta: float, *, n: int | None = LATENT_N
):
    """log p(y) = log(beta / pi) - beta F_beta(y), on the grid of ``n`` latents or (``n=None``)
    continuous; the points' broadcast shape.

    >>> d = Decoder(-1.45, 0.36)
    >>> float(log_density(d, 0.0, 0.36, 1.0, n=None).round(4))
    -2.1364
    """
    beta = real_number("beta", beta)
    if not 0.0 < beta < np.inf:
        raise ValueError(f"beta = {beta!r} is invalid: a density needs a finite beta > 0")
    F = free_energy_relaxed(decoder, y1, y2, beta, n=n).F
    return np.log(beta / np.pi) - beta * F


def sample(
    decoder: Decoder,
    size: int,
    beta: float,
    *,
    n: int | None = LATENT_N,
    seed: int = 709,
) -> dict[str, Array]:
    """``size`` draws of y from p(y): z uniform on the grid of ``n`` latents (or, ``n=None``, on
    the circle), then y = g(z) + Gaussian noise of variance 1/(2 beta) per axis. Columns
    ``z, y1, y2``; streams ``model/latent`` and ``model/noise``.

    >>> s = sample(Decoder(2.0, 1.5), 3, 10.0, seed=1)
    >>> sorted(s), s["z"].size
    (['y1', 'y2', 'z'], 3)
    """
    size, seed = count("size", size), count("seed", seed)
    beta = real_number("beta", beta)
    if not 0.0 < beta < np.inf:
        raise ValueError(f"beta = {beta!r} is invalid: sampling needs a finite beta > 0")
    latent = stream(seed, "model/latent")
    if n is None:
        z = latent.uniform(0.0, 2.0 * np.pi, size)
    else:
        z = latent_grid(n)[latent.integers(0, count("n", n, 1), size)]
    noise = stream(seed, "model/noise").normal(0.0, np.sqrt(0.5 / beta), (2, size))
    g1, g2 = decoder(z)
    return {"z": z, "y1": g1 + noise[0], "y2": g2 + noise[1]}


def circle_free_energy(r: float, y1: ArrayLike, y2: ArrayLike, beta: float) -> Array:
    """The continuous F_beta of the circle decoder w1 = w2 = r in closed form:
    (|y| - r)^2 - log(I0e(2 beta r |y|)) / beta.

    >>> float(circle_free_energy(1.0, 0.0, 0.0, 2.0))
    1.0
    """
    from scipy.special import i0e

    y1, y2 = real_points(y1=y1, y2=y2)
    rho = np.hypot(y1, y2)
    r, beta = abs(real_number("r", r)), real_number("beta", beta)
    return (rho - r) ** 2 - np.log(i0e(2.0 * beta * r * rho)) / beta


@dataclass(frozen=True)
class EMResult:
    """The decoder and beta EM ended at, the mean log-likelihood there, the steps taken, whether
    it converged, and the trajectory (columns ``step, w1, w2, beta, log_likelihood``; step 0 is
    the start)."""

    decoder: Decoder
    beta: float
    log_likelihood: float
    steps: int
    converged: bool
    trajectory: dict[str, np.ndarray]


def mean_log_likelihood(
    decoder: Decoder, y1, y2, beta: float, *, n: int | None = LATENT_N
) -> float:
    """The mean of log p(y_i) over the samples."""
    return float(np.mean(log_density(decoder, y1, y2, beta, n=n)))


def em(
    y1: ArrayLike,
    y2: ArrayLike,
    start: Decoder = START,
    beta: float = 1.0,
    *,
    n: int | None = LATENT_N,
    learn_beta: bool = True,
    tol: float = 1e-13,
    max_iter: int = 10_000,
) -> EMResult:
    """Maximum likelihood of (w1, w2) and, with ``learn_beta``, beta, by EM from ``start`` and
    ``beta`` (the updates are derived in the module's docstring). Stops when the mean
    log-likelihood rises by less than ``tol`` (relative, plus an absolute ``tol``) in a step, or
    after ``max_iter`` steps.

    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> fit = em(s["y1"], s["y2"], n=None)  # beta learned: the data's noise is 1 / (2 0.05^2) = 200
    >>> [round(abs(w), 3) for w in (fit.decoder.w1, fit.decoder.w2)], round(fit.beta), fit.converged
    ([1.947, 1.484], 191, True)
    """
    y1, y2 = (a.ravel() for a in real_points(y1=y1, y2=y2))
    beta = real_number("beta", beta)
    max_iter = count("max_iter", max_iter, 1)
    decoder, rows, converged = start, [], False
    ll = mean_log_likelihood(decoder, y1, y2, beta, n=n)
    rows.append((0, decoder.w1, decoder.w2, beta, ll))
    for step in range(1, max_iter + 1):
        r = free_energy_relaxed(decoder, y1, y2, beta, n=n, weights=n is not None)
        cos2, sin2 = 0.5 * (1.0 + r.mean_cos_2z), 0.5 * (1.0 - r.mean_cos_2z)
        w1 = float(np.sum(y1 * r.mean_cos) / np.sum(cos2))
        w2 = float(np.sum(y2 * r.mean_sin) / np.sum(sin2))
        if learn_beta:
            expected = (
                y1 * y1
                + y2 * y2
                - 2.0 * w1 * y1 * r.mean_cos
                - 2.0 * w2 * y2 * r.mean_sin
                + w1 * w1 * cos2
                + w2 * w2 * sin2
            )
            beta = float(y1.size / np.sum(expected))
        decoder = Decoder(w1, w2)
        new = mean_log_likelihood(decoder, y1, y2, beta, n=n)
        rows.append((step, w1, w2, beta, new))
        if new - ll <= tol * (1.0 + abs(new)):
            converged = True
            ll = new
            break
        ll = new
    columns = list(zip(*rows, strict=True))
    trajectory = {
        "step": np.array(columns[0], dtype=np.int64),
        **{
            k: np.array(v, dtype=np.float64)
            for k, v in zip(("w1", "w2", "beta", "log_likelihood"), columns[1:], strict=True)
        },
    }
    return EMResult(decoder, beta, ll, len(rows) - 1, converged, trajectory)


# ---- the stage's tables --------------------------------------------------------------------


def em_tables(
    samples, start: Decoder, *, beta: float, n: int, tol: float, max_iter: int, size: int, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """EM with beta learned on the samples, on the grid of ``n`` latents and continuous: the
    trajectories (columns ``latent, step, w1, w2, beta, log_likelihood``) and ``size`` draws from
    each learned model (columns ``latent, z, y1, y2``)."""
    paths, draws = [], []
    for latent, grid in (("grid", n), ("continuous", None)):
        fit = em(samples["y1"], samples["y2"], start, beta, n=grid, tol=tol, max_iter=max_iter)
        t = fit.trajectory
        paths.append({"latent": np.full(t["step"].size, latent, dtype=object), **t})
        s = sample(fit.decoder, size, fit.beta, n=grid, seed=seed)
        draws.append({"latent": np.full(size, latent, dtype=object), **s})
    return concat(paths), concat(draws)


def held_out_table(
    samples,
    held_out,
    betas: ArrayLike,
    start: Decoder = START,
    *,
    tol: float = 1e-13,
    max_iter: int = 10_000,
) -> dict[str, np.ndarray]:
    """At each beta of ``betas``, the decoder of maximum likelihood on ``samples`` (EM with beta
    fixed, continuous latent, from ``start``: the energy loss's minimiser at that beta) and its
    mean log-likelihood under that beta on the samples and on ``held_out``: columns ``beta, w1,
    w2, train_log_likelihood, log_likelihood, best`` (``best``: the highest held-out).

    The scan's best beta is where a model's noise variance 1/(2 beta) matches the data's: hotter
    models spread their density over the plane, colder ones punish every held-out sample off
    their manifold.

    >>> from lvebm.data import held_out_slice, sample_slice
    >>> t = held_out_table(sample_slice(), held_out_slice(200), [1.0, 100.0, 10_000.0])
    >>> t["beta"][t["best"]].tolist()
    [100.0]
    """
    betas = np.asarray(betas, dtype=np.float64).ravel()
    if not np.all(np.isfinite(betas) & (betas > 0.0)):
        raise ValueError(f"betas = {betas.tolist()!r} is invalid: each must be finite and > 0")
    w1, w2, train_ll, ll = (np.empty(betas.size) for _ in range(4))
    for k, beta in enumerate(betas.tolist()):
        fit = em(
            samples["y1"],
            samples["y2"],
            start,
            beta,
            n=None,
            learn_beta=False,
            tol=tol,
            max_iter=max_iter,
        )
        w1[k], w2[k], train_ll[k] = fit.decoder.w1, fit.decoder.w2, fit.log_likelihood
        ll[k] = mean_log_likelihood(fit.decoder, held_out["y1"], held_out["y2"], beta, n=None)
    best = np.zeros(ll.size, dtype=bool)
    if ll.size:
        best[np.argmax(ll)] = True
    return {
        "beta": betas,
        "w1": w1,
        "w2": w2,
        "train_log_likelihood": train_ll,
        "log_likelihood": ll,
        "best": best,
    }
