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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm import portable
from lvebm.arguments import count, finite_samples, real_number, real_points
from lvebm.columns import concat
from lvebm.data import stream
from lvebm.model import LATENT_N, Decoder, decoder_argument, latent_grid
from lvebm.relaxed import free_energy_relaxed

Array = NDArray[np.float64]
START = Decoder(-1.45, 0.36)  # the lecture's untrained decoder


def log_density(
    decoder: Decoder, y1: ArrayLike, y2: ArrayLike, beta: float, *, n: int | None = LATENT_N
):
    """The model's log-density log p(y) = log(beta / pi) - beta F_beta(y).

    p(y) = (beta / pi) exp(-beta F_beta(y)) is normalised for every decoder (the module's
    docstring), so this is the log-likelihood of the points under the model of ``decoder`` at
    inverse temperature ``beta``.

    Parameters
    ----------
    decoder : Decoder
        The model's decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    beta : float
        The inverse temperature, finite and > 0: the model's noise variance is 1/(2 beta) per
        axis.
    n : int or None, optional
        The latent grid's size (the lecture's 48), or ``None`` for the continuous latent.

    Returns
    -------
    ndarray
        log p(y), float64, in the points' broadcast shape (0-d for scalars); NaN where a point
        is not finite.

    Raises
    ------
    TypeError
        If ``beta`` is not a real number.
    ValueError
        If ``beta`` is not finite and > 0, or the points are not real numbers.

    Examples
    --------
    >>> d = Decoder(-1.45, 0.36)
    >>> float(log_density(d, 0.0, 0.36, 1.0, n=None).round(4))
    -2.1364
    """
    beta = real_number("beta", beta)
    if not 0.0 < beta < np.inf:
        raise ValueError(f"beta = {beta!r} is invalid: a density needs a finite beta > 0")
    F = free_energy_relaxed(decoder, y1, y2, beta, n=n).F
    return portable.log(beta / np.pi) - beta * F


def sample(
    decoder: Decoder,
    size: int,
    beta: float,
    *,
    n: int | None = LATENT_N,
    seed: int = 709,
) -> dict[str, Array]:
    """Draw ``size`` points y from the model p(y).

    z is uniform on the grid of ``n`` latents (or, ``n=None``, on the circle), then y = g(z) plus
    Gaussian noise of variance 1/(2 beta) per axis. The draws come from the named random streams
    ``model/latent`` and ``model/noise`` of ``seed``.

    Parameters
    ----------
    decoder : Decoder
        The model's decoder.
    size : int
        The number of draws, >= 0.
    beta : float
        The inverse temperature, finite and > 0.
    n : int or None, optional
        The latent grid's size (the lecture's 48), or ``None`` for the continuous latent.
    seed : int, optional
        The seed of the random streams (the pipeline's 709).

    Returns
    -------
    dict of str to ndarray
        Columns ``z, y1, y2``, each of ``size`` values.

    Raises
    ------
    TypeError
        If ``size``, ``seed`` or ``n`` is not an integer, or ``beta`` not a real number.
    ValueError
        If ``size`` or ``seed`` is negative, ``n`` < 1, or ``beta`` is not finite and > 0.

    Examples
    --------
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
    """The continuous F_beta of the circle decoder w1 = w2 = r, in closed form.

    F_beta(y) = (|y| - r)^2 - log(I0e(2 beta r |y|)) / beta, with I0e the exponentially scaled
    modified Bessel function of order 0: the oracle the tests hold the continuous F_beta to.

    Parameters
    ----------
    r : float
        The circle's radius (its sign does not matter).
    y1, y2 : array_like
        The points' coordinates, broadcast together.
    beta : float
        The inverse temperature, > 0.

    Returns
    -------
    ndarray
        F_beta(y), float64, in the points' broadcast shape; NaN where a point is not finite.

    Raises
    ------
    TypeError
        If ``r`` or ``beta`` is not a real number.
    ValueError
        If the points are not real numbers or cannot be broadcast together.

    Examples
    --------
    >>> float(circle_free_energy(1.0, 0.0, 0.0, 2.0))
    1.0
    """
    y1, y2 = real_points(y1=y1, y2=y2)
    r, beta = abs(real_number("r", r)), real_number("beta", beta)
    finite = np.isfinite(y1) & np.isfinite(y2)
    rho = portable.hypot(np.where(finite, y1, 0.0), np.where(finite, y2, 0.0))
    F = (rho - r) ** 2 - portable.log_i0e(2.0 * beta * r * rho) / beta
    return np.where(finite, F, np.nan)  # a point that is not finite: NaN (the convention)


@dataclass(frozen=True)
class EMResult:
    """What :func:`em` returns.

    Parameters
    ----------
    decoder : Decoder
        The decoder EM ended at.
    beta : float
        The inverse temperature it ended at (the start's, without ``learn_beta``).
    log_likelihood : float
        The mean log-likelihood of the samples there.
    steps : int
        The EM steps taken.
    converged : bool
        Whether the likelihood's rise fell below the tolerance before the step cap.
    trajectory : dict of str to ndarray
        Columns ``step, w1, w2, beta, log_likelihood``, one row per step (step 0 is the start).

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> fit = em(s["y1"], s["y2"], n=None, max_iter=3)
    >>> fit.steps, sorted(fit.trajectory)
    (3, ['beta', 'log_likelihood', 'step', 'w1', 'w2'])
    """

    decoder: Decoder
    beta: float
    log_likelihood: float
    steps: int
    converged: bool
    trajectory: dict[str, np.ndarray]


def mean_log_likelihood(
    decoder: Decoder, y1, y2, beta: float, *, n: int | None = LATENT_N
) -> float:
    """The mean of log p(y_i) over the samples.

    Parameters
    ----------
    decoder : Decoder
        The model's decoder.
    y1, y2 : array_like
        The samples' coordinates, broadcast together.
    beta : float
        The inverse temperature, finite and > 0.
    n : int or None, optional
        The latent grid's size (the lecture's 48), or ``None`` for the continuous latent.

    Returns
    -------
    float
        mean_i log p(y_i).

    Raises
    ------
    TypeError
        If ``beta`` is not a real number.
    ValueError
        If ``beta`` is not finite and > 0.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> round(mean_log_likelihood(Decoder(-1.947, 1.484), s["y1"], s["y2"], 191.0, n=None), 3)
    -0.812
    """
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
    """Maximum likelihood of (w1, w2) and, with ``learn_beta``, of beta, by EM.

    From the decoder ``start`` and ``beta``, each step is an E-step (the soft-argmin weights that
    F_beta computes) and the closed-form M-step derived in the module's docstring; the
    likelihood never decreases. With ``learn_beta=False`` beta stays fixed and EM's fixed point
    is the energy loss's minimiser at that beta.

    Parameters
    ----------
    y1, y2 : array_like
        The samples' coordinates, finite, at least one (flattened together).
    start : Decoder, optional
        The decoder EM starts from (the lecture's untrained (-1.45, 0.36)).
    beta : float, optional
        The starting (or, without ``learn_beta``, the fixed) inverse temperature, finite and > 0.
    n : int or None, optional
        The latent grid's size (the lecture's 48), or ``None`` for the continuous latent.
    learn_beta : bool, optional
        Whether EM also learns beta (the default) or keeps it fixed.
    tol : float, optional
        EM stops when the mean log-likelihood rises by less than ``tol`` (relative, plus an
        absolute ``tol``) in a step.
    max_iter : int, optional
        The step cap, >= 1.

    Returns
    -------
    EMResult
        The decoder and beta it ended at, the mean log-likelihood there, the steps, whether it
        converged, and the trajectory.

    Raises
    ------
    TypeError
        If ``start`` is not a :class:`Decoder`, ``beta`` or ``tol`` not a real number, or
        ``max_iter`` not an integer.
    ValueError
        If a sample is not finite, there is none, every y1 (or every y2) is 0 (its radius would
        be 0), ``beta`` is not finite and > 0, ``tol`` < 0 or ``max_iter`` < 1.

    Examples
    --------
    The data's noise is sigma = 0.05, beta = 1 / (2 sigma^2) = 200; the 24 samples give 191:

    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> fit = em(s["y1"], s["y2"], n=None)
    >>> [round(abs(w), 3) for w in (fit.decoder.w1, fit.decoder.w2)], round(fit.beta), fit.converged
    ([1.947, 1.484], 191, True)
    """
    decoder_argument("start", start)
    y1, y2 = finite_samples(y1=y1, y2=y2)
    for name, values in (("y1", y1), ("y2", y2)):
        if not np.any(values):
            raise ValueError(
                f"{name} is 0 at every sample: its radius would be 0, and a decoder's radii "
                "must be non-zero"
            )
    beta = real_number("beta", beta)
    if not 0.0 < beta < np.inf:
        raise ValueError(f"beta = {beta!r} is invalid: EM needs a finite beta > 0")
    tol = real_number("tol", tol)
    if not tol >= 0.0:
        raise ValueError(f"tol = {tol!r} is invalid: it must be >= 0")
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
    samples: Mapping[str, ArrayLike],
    start: Decoder = START,
    *,
    beta: float = 1.0,
    n: int = LATENT_N,
    tol: float = 1e-13,
    max_iter: int = 10_000,
    size: int = 500,
    seed: int = 709,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The probabilistic stage's tables: EM with beta learned, on the latent grid and continuous,
    and draws from each learned model.

    Parameters
    ----------
    samples : Mapping of str to array_like
        The samples, with columns ``y1`` and ``y2``.
    start : Decoder, optional
        The decoder EM starts from (the lecture's untrained one).
    beta : float, optional
        EM's starting beta.
    n : int, optional
        The latent grid's size (the lecture's 48); the second fit is continuous.
    tol : float, optional
        EM's tolerance (:func:`em`).
    max_iter : int, optional
        EM's step cap.
    size : int, optional
        The draws from each learned model (:func:`sample`).
    seed : int, optional
        The seed of the draws' random streams.

    Returns
    -------
    trajectories : dict of str to ndarray
        Columns ``latent, step, w1, w2, beta, log_likelihood`` (``latent``: ``grid`` or
        ``continuous``).
    draws : dict of str to ndarray
        Columns ``latent, z, y1, y2``, ``size`` rows per latent.

    Raises
    ------
    TypeError, ValueError
        As :func:`em` and :func:`sample` raise them, naming the argument.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> paths, draws = em_tables(sample_slice(), max_iter=5, size=3)
    >>> sorted(set(paths["latent"])), len(draws["z"])
    (['continuous', 'grid'], 6)
    """
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
    """The likelihood over a scan of beta: at each beta, the decoder of maximum likelihood on
    ``samples``, scored on them and on ``held_out``.

    At each beta, EM with beta fixed (continuous latent, from ``start``) fits the decoder of
    maximum likelihood, which is the energy loss's minimiser at that beta; its mean
    log-likelihood under that beta is measured on the samples and on the held-out samples. The
    held-out curve turns where a model's noise variance 1/(2 beta) matches the data's: hotter
    models spread their density over the plane, colder ones punish every held-out sample off
    their manifold.

    Parameters
    ----------
    samples : Mapping of str to array_like
        The samples the decoders are fitted to, columns ``y1`` and ``y2``.
    held_out : Mapping of str to array_like
        The held-out samples they are scored on, columns ``y1`` and ``y2``.
    betas : array_like
        The betas of the scan, each finite and > 0 (flattened).
    start : Decoder, optional
        The decoder each fit starts from (the lecture's untrained one).
    tol : float, optional
        EM's tolerance (:func:`em`).
    max_iter : int, optional
        EM's step cap.

    Returns
    -------
    dict of str to ndarray
        Columns ``beta, w1, w2, train_log_likelihood, log_likelihood, best``, one row per beta
        in the given order; ``best`` marks the highest held-out ``log_likelihood``.

    Raises
    ------
    ValueError
        If a beta is not finite and > 0, or as :func:`em` raises it for the samples.

    Examples
    --------
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
