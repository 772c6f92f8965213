"""Training the decoder by minimising the free energy of the data (lecture 15-2).

The energy loss over training samples y_i is ``L(w) = mean_i F_beta(y_i; w)`` for the decoder
weights w = (w1, w2). Its gradient needs no derivative of the minimiser: F_beta is a soft
minimum over z, so ``dF_beta/dw = E_p[dE/dw]`` under the soft-argmin weights p (at beta = inf
the envelope theorem: dE/dw at z_check alone). With ``dE/dw1 = -2 (y1 - w1 cos z) cos z`` and
``dE/dw2 = -2 (y2 - w2 sin z) sin z``,

    dF/dw1 = -2 (y1 E[cos z] - w1 E[cos^2 z]),   dF/dw2 = -2 (y2 E[sin z] - w2 E[sin^2 z]),

with ``E[cos^2 z] = (1 + E[cos 2z]) / 2``: cold, only g(z_check) is pulled toward each sample;
warm, every latent is, with its weight.

Two trainers share one result type: per-sample gradient steps in epochs (the lecture's "it
takes one epoch"), in an order drawn from a seeded stream, and full-batch L-BFGS
(:func:`lvebm.quasi_newton.lbfgs_fit`) to convergence. At beta = inf both use the exact solver
(continuous z); at finite beta the grid of ``n`` latents (the lecture's 48) or, with
``n=None``, the continuous integral.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from lvebm.arguments import finite_samples, real_number
from lvebm.data import stream
from lvebm.exact import free_energy_exact
from lvebm.model import LATENT_N, Decoder, decoder_argument
from lvebm.quasi_newton import lbfgs_fit
from lvebm.relaxed import free_energy_relaxed

LECTURE_DECODER = Decoder(-1.45, 0.36)  # the lecture's untrained decoder, where training starts
DECODER_TRAININGS = ("lbfgs", "per_sample")  # the decoder's trainers, by name (train's methods)

# weights are kept away from exact zero, where the decoder is degenerate (and the exact solver's
# ellipse has no second axis); 1e-9 is far below any radius the loss can prefer
MIN_WEIGHT = 1e-9


@dataclass(frozen=True)
class TrainingResult:
    """What :func:`train_per_sample` and :func:`train_lbfgs` return.

    The trained decoder, its loss, the steps taken, whether the method converged, and the
    trajectory.

    Parameters
    ----------
    decoder : Decoder
        The trained decoder.
    loss : float
        Its energy loss mean_i F_beta(y_i; w) over all the samples.
    steps : int
        The steps taken: per-sample steps (samples x epochs), or L-BFGS iterations.
    converged : bool
        Whether the method converged (see each trainer for its criterion).
    trajectory : dict of str to ndarray
        Columns ``step, epoch, w1, w2, loss``, one row per recorded step (step 0 is the start).

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice(4)
    >>> fit = train_per_sample(s["y1"], s["y2"], LECTURE_DECODER, beta=np.inf, learning_rate=0.2,
    ...     epochs=2, seed=709, n=None, record=False)
    >>> fit.steps, fit.converged, fit.trajectory["epoch"].tolist()
    (8, False, [0, 1, 2])
    """

    decoder: Decoder
    loss: float
    steps: int
    converged: bool
    trajectory: dict[str, np.ndarray]


def loss_and_gradient(
    w: np.ndarray, y1: np.ndarray, y2: np.ndarray, *, beta: float, n: int | None = LATENT_N
) -> tuple[float, np.ndarray]:
    """The energy loss mean_i F_beta(y_i; w) and its exact gradient with respect to (w1, w2).

    The gradient is the soft-argmin average of dE/dw (the module's docstring): no derivative of
    the minimiser is needed.

    Parameters
    ----------
    w : ndarray
        The decoder's weights (w1, w2); each is kept at least ``MIN_WEIGHT`` (1e-9) away from
        zero, its sign kept, and the loss and gradient are those of the kept weights.
    y1, y2 : ndarray
        The samples' coordinates, broadcast together.
    beta : float
        The inverse temperature, > 0; ``numpy.inf`` for zero temperature (the exact solver,
        continuous z, whatever ``n``).
    n : int or None
        The latent grid's size (the lecture's 48), or ``None`` for the continuous integral.

    Returns
    -------
    loss : float
        The energy loss mean_i F_beta(y_i; w).
    gradient : ndarray
        Its gradient (dL/dw1, dL/dw2), shape ``(2,)``.

    Raises
    ------
    TypeError
        If ``beta`` is not a real number.
    ValueError
        If a weight is not finite, ``beta`` is not > 0, or ``n`` is neither a positive integer
        nor ``None``.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> w = np.array([-1.45, 0.36])
    >>> value, gradient = loss_and_gradient(w, s["y1"], s["y2"], beta=np.inf, n=None)
    >>> round(value, 4), gradient.round(4).tolist()
    (0.7113, [0.4822, -0.9919])
    """
    w1, w2 = _weights(w)
    decoder = Decoder(w1, w2)
    y1, y2 = np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)
    r = free_energy_relaxed(decoder, y1, y2, beta, n=n, weights=n is not None and np.isfinite(beta))
    cos2 = 0.5 * (1.0 + r.mean_cos_2z)
    sin2 = 0.5 * (1.0 - r.mean_cos_2z)
    g1 = -2.0 * (y1 * r.mean_cos - w1 * cos2)
    g2 = -2.0 * (y2 * r.mean_sin - w2 * sin2)
    return float(np.mean(r.F)), np.array([np.mean(g1), np.mean(g2)])


def loss(w, y1, y2, *, beta: float, n: int | None = LATENT_N) -> float:
    """The energy loss alone: mean_i F_beta(y_i; w), as :func:`loss_and_gradient` computes it.

    Parameters
    ----------
    w : array_like
        The decoder's weights (w1, w2), kept at least ``MIN_WEIGHT`` away from zero.
    y1, y2 : ndarray
        The samples' coordinates, broadcast together.
    beta : float
        The inverse temperature, > 0; ``numpy.inf`` for zero temperature.
    n : int or None
        The latent grid's size (the lecture's 48), or ``None`` for the continuous integral.

    Returns
    -------
    float
        The energy loss.

    Raises
    ------
    TypeError
        If ``beta`` is not a real number.
    ValueError
        If a weight is not finite, ``beta`` is not > 0, or ``n`` is neither a positive integer
        nor ``None``.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> round(loss((-1.45, 0.36), s["y1"], s["y2"], beta=np.inf, n=None), 4)
    0.7113
    """
    y1, y2 = finite_samples(y1=y1, y2=y2)
    return loss_and_gradient(np.asarray(w, dtype=np.float64), y1, y2, beta=beta, n=n)[0]


def _weights(w) -> tuple[float, float]:
    """(w1, w2) with each kept at least MIN_WEIGHT away from zero (its sign kept)."""
    out = []
    for value in np.asarray(w, dtype=np.float64):
        if not np.isfinite(value):
            raise ValueError(f"decoder weight became {value}: lower the learning rate")
        out.append(float(np.copysign(max(abs(value), MIN_WEIGHT), value)))
    return out[0], out[1]


def _trajectory(rows: list[tuple[int, int, float, float, float]]) -> dict[str, np.ndarray]:
    step, epoch, w1, w2, value = zip(*rows, strict=True)
    return {
        "step": np.asarray(step, dtype=np.int64),
        "epoch": np.asarray(epoch, dtype=np.int64),
        "w1": np.asarray(w1),
        "w2": np.asarray(w2),
        "loss": np.asarray(value),
    }


def train_per_sample(
    y1,
    y2,
    decoder: Decoder,
    *,
    beta: float,
    learning_rate: float,
    epochs: int,
    seed: int,
    n: int | None = LATENT_N,
    record: bool = True,
) -> TrainingResult:
    """Per-sample gradient steps ``w <- w - lr dF_beta(y_i; w)/dw``, one per sample and epoch.

    The samples come in an order drawn afresh each epoch from the stream ``training/order``.
    Every step is recorded with the loss over all samples (with ``record``; otherwise only the
    epochs' ends). ``converged`` is true when the last epoch changed the loss by less than 1e-9
    relative.

    Parameters
    ----------
    y1, y2 : array_like
        The samples' coordinates, 1-D, of one length.
    decoder : Decoder
        The decoder training starts from (the pipeline's: the lecture's untrained
        ``LECTURE_DECODER``).
    beta : float
        The inverse temperature, > 0; ``numpy.inf`` for zero temperature.
    learning_rate : float
        The step size lr, > 0 (the pipeline's 0.2).
    epochs : int
        The passes over the samples, >= 1 (the pipeline's 1: "it takes one epoch").
    seed : int
        The seed of the order's random stream (the pipeline's 709).
    n : int or None, optional
        The latent grid's size (the lecture's 48), or ``None`` for the continuous integral.
    record : bool, optional
        Whether to record every step (the default) or only the epochs' ends.

    Returns
    -------
    TrainingResult
        The trained decoder, its loss over all samples, the steps (samples x epochs), whether
        the last epoch changed the loss by less than 1e-9 relative, and the trajectory.

    Raises
    ------
    ValueError
        If ``learning_rate`` is not > 0 or ``epochs`` < 1; if a weight becomes non-finite (the
        message asks for a lower learning rate); if ``beta`` is not > 0.
    TypeError
        If ``beta`` is not a real number, or ``seed`` not an integer.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> fit = train_per_sample(s["y1"], s["y2"], LECTURE_DECODER, beta=np.inf, learning_rate=0.2,
    ...     epochs=1, seed=709, n=None)
    >>> fit.steps, round(fit.loss, 4), round(float(fit.decoder.w1), 4)
    (24, 0.0028, -1.9695)
    """
    if not learning_rate > 0 or not epochs >= 1:
        raise ValueError(
            f"learning_rate must be > 0 and epochs >= 1, got {learning_rate}, {epochs}"
        )
    y1, y2 = np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)
    rng = stream(seed, "training/order")
    w = np.array([decoder.w1, decoder.w2], dtype=np.float64)
    value = loss(w, y1, y2, beta=beta, n=n)
    rows = [(0, 0, w[0], w[1], value)]
    epoch_start = value
    step = 0
    for epoch in range(1, epochs + 1):
        epoch_start = value
        for i in rng.permutation(y1.size):
            _, grad = loss_and_gradient(w, y1[i : i + 1], y2[i : i + 1], beta=beta, n=n)
            w = np.array(_weights(w - learning_rate * grad))
            step += 1
            if record:
                value = loss(w, y1, y2, beta=beta, n=n)
                rows.append((step, epoch, w[0], w[1], value))
        if not record:
            value = loss(w, y1, y2, beta=beta, n=n)
            rows.append((step, epoch, w[0], w[1], value))
    converged = abs(value - epoch_start) <= 1e-9 * max(abs(value), 1e-300)
    return TrainingResult(Decoder(w[0], w[1]), value, step, converged, _trajectory(rows))


def train_lbfgs(
    y1, y2, decoder: Decoder, *, beta: float, gtol: float, max_iter: int, n: int | None = LATENT_N
) -> TrainingResult:
    """Full-batch L-BFGS on the energy loss until the projected gradient is below ``gtol``.

    :func:`lvebm.quasi_newton.lbfgs_fit` (L-BFGS-B's algorithm without bounds, in portable
    arithmetic; ``ftol`` 0: it stops at the gradient's tolerance, or where an iteration no longer
    lowers the loss); every iterate is recorded (``epoch`` = iteration: each is one pass over
    the data).

    Parameters
    ----------
    y1, y2 : array_like
        The samples' coordinates, broadcast together.
    decoder : Decoder
        The decoder training starts from.
    beta : float
        The inverse temperature, > 0; ``numpy.inf`` for zero temperature.
    gtol : float
        The projected gradient's tolerance (the pipeline's 1e-10).
    max_iter : int
        The iteration cap (the pipeline's 1000).
    n : int or None, optional
        The latent grid's size (the lecture's 48), or ``None`` for the continuous integral.

    Returns
    -------
    TrainingResult
        The trained decoder, its loss, the iterations, whether L-BFGS converged (the gradient
        below ``gtol``, or an iteration that no longer lowers the loss), and the trajectory
        (one row per iterate).

    Raises
    ------
    TypeError
        If ``beta`` is not a real number.
    ValueError
        If ``beta`` is not > 0, or a weight becomes non-finite.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> fit = train_lbfgs(s["y1"], s["y2"], LECTURE_DECODER, beta=np.inf, gtol=1e-10,
    ...     max_iter=1000, n=None)
    >>> [round(float(w), 4) for w in (fit.decoder.w1, fit.decoder.w2)], fit.converged
    ([-1.9476, 1.4849], True)
    """
    y1, y2 = np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)
    w0 = np.array([decoder.w1, decoder.w2], dtype=np.float64)
    rows = [(0, 0, w0[0], w0[1], loss(w0, y1, y2, beta=beta, n=n))]
    result = lbfgs_fit(
        lambda w: loss_and_gradient(w, y1, y2, beta=beta, n=n), w0, gtol=gtol, max_iter=max_iter
    )
    rows += [(k, k, *w, value) for k, (w, value) in enumerate(result.path, start=1)]
    w1, w2 = _weights(result.x)
    return TrainingResult(
        Decoder(w1, w2), result.fun, result.nit, result.converged, _trajectory(rows)
    )


def critical_betas(y1, y2) -> tuple[float, float]:
    """The betas above which each radius of the trained ellipse becomes non-zero.

    Expanding F_beta to second order in w around w = 0 (the cumulant expansion of
    -(1/beta) log E_z[exp(-beta E)] with E = |y|^2 + X, X = -2 y1 w1 cos z - 2 y2 w2 sin z +
    w1^2 cos^2 z + w2^2 sin^2 z, on any grid of at least 3 latents or continuously):

        F_beta = |y|^2 + E[X] - (beta / 2) Var[X] + O(w^3)
               = |y|^2 + w1^2 (1/2 - beta y1^2) + w2^2 (1/2 - beta y2^2) + O(w^3),

    so w = 0 stops being a minimum of the loss along w1 when beta > 1 / (2 mean_i y1^2), and
    along w2 when beta > 1 / (2 mean_i y2^2). Below both the ellipse collapses onto the centre.

    Parameters
    ----------
    y1, y2 : array_like
        The samples' coordinates.

    Returns
    -------
    beta_w1, beta_w2 : float
        The critical betas 1 / (2 mean_i y1^2) and 1 / (2 mean_i y2^2) (inf for a coordinate
        that is 0 at every sample).

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> [round(float(b), 4) for b in critical_betas(s["y1"], s["y2"])]
    [0.2446, 0.4907]
    """
    y1, y2 = finite_samples(y1=y1, y2=y2)
    with np.errstate(divide="ignore"):  # a coordinate 0 at every sample: inf, never non-zero
        return float(1.0 / (2.0 * np.mean(y1 * y1))), float(1.0 / (2.0 * np.mean(y2 * y2)))


def denoise(decoder: Decoder, y1, y2) -> tuple[np.ndarray, np.ndarray]:
    """The denoised points g(z_check(y)): the nearest point of the decoder's manifold.

    Parameters
    ----------
    decoder : Decoder
        The (trained) decoder.
    y1, y2 : array_like
        The noisy points' coordinates, broadcast together.

    Returns
    -------
    g1, g2 : ndarray
        The denoised points' coordinates, in the points' broadcast shape; NaN where a point is
        not finite.

    Raises
    ------
    ValueError
        If the points are not real numbers, or cannot be broadcast together.

    Examples
    --------
    >>> g1, g2 = denoise(Decoder(-1.45, 0.36), [2.0, -3.0], [0.1, 0.0])
    >>> g1.round(4).tolist(), g2.round(4).tolist()
    ([1.4489, -1.45], [0.0139, 0.0])
    """
    exact = free_energy_exact(decoder, y1, y2)
    return decoder(exact.z_check)


# ---- training runs and scans -------------------------------------------------------------------


class TrainingTables(NamedTuple):
    """What :func:`train` returns (it unpacks as a triple).

    One row per method, every step of each, and the loss on a grid of (w1, w2) around them.

    Parameters
    ----------
    results : dict of str to ndarray
        One row per method: columns ``beta, method, w1, w2, loss, steps, converged``.
    trajectories : dict of str to ndarray
        Every step of each method: columns ``method, step, epoch, w1, w2, loss``.
    landscape : dict of str to ndarray
        The loss on a grid of (w1, w2) around the trajectories: columns ``beta, w1, w2, loss``
        (see :func:`landscape`).

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> tables = train(s["y1"], s["y2"], landscape_num=3)
    >>> tables.results["method"].tolist(), tables.results["steps"].tolist()
    (['lbfgs', 'per_sample'], [9, 24])
    >>> tables.trajectories["step"].size, tables.landscape["loss"].size
    (35, 9)
    """

    results: dict[str, np.ndarray]
    trajectories: dict[str, np.ndarray]
    landscape: dict[str, np.ndarray]


def train(
    y1,
    y2,
    start: Decoder = LECTURE_DECODER,
    *,
    beta: float = np.inf,
    methods=("lbfgs", "per_sample"),
    n: int | None = LATENT_N,
    learning_rate: float = 0.2,
    epochs: int = 1,
    seed: int = 709,
    gtol: float = 1e-10,
    max_iter: int = 1000,
    landscape_num: int = 25,
) -> TrainingTables:
    """Train the decoder from ``start`` with each method at one beta.

    The defaults are the pipeline's: the lecture's untrained decoder, zero temperature, L-BFGS to
    a gradient of 1e-10 and one epoch of per-sample steps at 0.2, the 48-latent grid at finite
    beta. At beta = inf the exact solver is used (continuous z) and ``n`` is ignored.

    Parameters
    ----------
    y1, y2 : array_like
        The training samples' coordinates, 1-D, of one length.
    start : Decoder, optional
        The decoder training starts from (the lecture's untrained (-1.45, 0.36)).
    beta : float, optional
        The inverse temperature, > 0 (``numpy.inf``, zero temperature, by default).
    methods : sequence of str, optional
        The methods to run, in order: ``"lbfgs"`` (:func:`train_lbfgs`) and ``"per_sample"``
        (:func:`train_per_sample`); both by default.
    n : int or None, optional
        The latent grid's size at finite beta (the lecture's 48), or ``None`` for the continuous
        integral.
    learning_rate : float, optional
        The per-sample step size, > 0 (0.2).
    epochs : int, optional
        The per-sample epochs, >= 1 (1).
    seed : int, optional
        The seed of the per-sample order's stream (the pipeline's 709).
    gtol : float, optional
        L-BFGS's projected-gradient tolerance (1e-10).
    max_iter : int, optional
        L-BFGS's iteration cap (1000).
    landscape_num : int, optional
        The landscape's grid size per axis (25: 625 losses).

    Returns
    -------
    TrainingTables
        The results (one row per method: ``beta, method, w1, w2, loss, steps, converged``), the
        trajectories (``method, step, epoch, w1, w2, loss``) and the landscape (``beta, w1, w2,
        loss``); it unpacks as a triple.

    Raises
    ------
    TypeError
        If ``beta`` is not a real number.
    ValueError
        If a method is unknown (after the methods before it have run), ``beta`` is not > 0,
        ``learning_rate`` is not > 0, ``epochs`` < 1, or a per-sample weight becomes
        non-finite.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice(24, x=0.0, seed=709, alpha=1.5, beta=2.0, noise_std=0.05)
    >>> results, _, _ = train(s["y1"], s["y2"], Decoder(-1.45, 0.36), beta=np.inf,
    ...     methods=["lbfgs"], n=None, learning_rate=0.2, epochs=1, seed=709, gtol=1e-10,
    ...     max_iter=1000)
    >>> results["w1"].round(4).tolist(), results["w2"].round(4).tolist()
    ([-1.9476], [1.4849])
    """
    y1, y2 = finite_samples(y1=y1, y2=y2)
    decoder_argument("start", start)
    beta = real_number("beta", beta)
    if isinstance(methods, str):
        raise TypeError(f"methods must be a list of method names, got the string {methods!r}")
    for method in methods:  # all checked before any runs
        if method not in DECODER_TRAININGS:
            raise ValueError(
                f"unknown training method {method!r} in methods; allowed: "
                f"{', '.join(DECODER_TRAININGS)}"
            )
    n = None if np.isinf(beta) else n
    runs = {}
    for method in methods:
        if method == "lbfgs":
            runs[method] = train_lbfgs(y1, y2, start, beta=beta, gtol=gtol, max_iter=max_iter, n=n)
        else:
            runs[method] = train_per_sample(
                y1, y2, start, beta=beta, learning_rate=learning_rate, epochs=epochs, seed=seed, n=n
            )
    results = {
        "beta": np.full(len(runs), float(beta)),
        "method": np.asarray(list(runs), dtype=object),
        "w1": np.array([r.decoder.w1 for r in runs.values()]),
        "w2": np.array([r.decoder.w2 for r in runs.values()]),
        "loss": np.array([r.loss for r in runs.values()]),
        "steps": np.array([r.steps for r in runs.values()], dtype=np.int64),
        "converged": np.array([r.converged for r in runs.values()]),
    }
    parts = [r.trajectory for r in runs.values()]
    trajectory = {
        "method": np.concatenate(
            [np.full(p["step"].size, m, dtype=object) for m, p in zip(runs, parts, strict=True)]
        ),
        **{k: np.concatenate([p[k] for p in parts]) for k in ("step", "epoch", "w1", "w2", "loss")},
    }
    land = landscape(y1, y2, trajectory, beta=beta, n=n, num=landscape_num)
    return TrainingTables(results, trajectory, land)


def landscape(y1, y2, trajectory, *, beta: float, n: int | None, num: int) -> dict:
    """The loss on a num x num grid of (w1, w2) covering the trajectories (with a margin).

    Each axis spans the trajectories' range of that weight, widened on both sides by 15% of the
    range plus 0.2.

    Parameters
    ----------
    y1, y2 : array_like
        The samples' coordinates, broadcast together.
    trajectory : Mapping of str to ndarray
        The trajectories to cover, with columns ``w1`` and ``w2`` (such as :func:`train`'s).
    beta : float
        The inverse temperature, > 0; ``numpy.inf`` for zero temperature.
    n : int or None
        The latent grid's size (the lecture's 48), or ``None`` for the continuous integral.
    num : int
        The grid's size per axis (the pipeline's 25).

    Returns
    -------
    dict of str to ndarray
        Columns ``beta, w1, w2, loss``, num x num rows, w1 varying fastest.

    Raises
    ------
    TypeError
        If ``beta`` is not a real number.
    ValueError
        If ``beta`` is not > 0.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> path = {"w1": np.array([-1.45, -1.95]), "w2": np.array([0.36, 1.48])}
    >>> land = landscape(s["y1"], s["y2"], path, beta=np.inf, n=None, num=3)
    >>> land["w1"][:3].round(3).tolist(), land["w2"][::3].round(3).tolist()
    ([-2.225, -1.7, -1.175], [-0.008, 0.92, 1.848])
    """
    lo1, hi1 = np.min(trajectory["w1"]), np.max(trajectory["w1"])
    lo2, hi2 = np.min(trajectory["w2"]), np.max(trajectory["w2"])
    pad1, pad2 = 0.15 * (hi1 - lo1) + 0.2, 0.15 * (hi2 - lo2) + 0.2
    a1 = np.linspace(lo1 - pad1, hi1 + pad1, num)
    a2 = np.linspace(lo2 - pad2, hi2 + pad2, num)
    w1, w2 = (v.ravel() for v in np.meshgrid(a1, a2))
    values = np.array([loss((a, b), y1, y2, beta=beta, n=n) for a, b in zip(w1, w2, strict=True)])
    return {"beta": np.full(w1.size, float(beta)), "w1": w1, "w2": w2, "loss": values}


def learning_rate_scan(
    y1, y2, start: Decoder, *, rates, seed: int, gtol: float, max_iter: int
) -> dict[str, np.ndarray]:
    """The zero-temperature loss after one epoch of per-sample steps, per learning rate.

    Each against the optimum that L-BFGS reaches: ``learning_rate, loss, optimum, excess,
    within_1pct`` (excess = loss / optimum - 1).

    Parameters
    ----------
    y1, y2 : array_like
        The training samples' coordinates, 1-D, of one length.
    start : Decoder
        The decoder every run starts from.
    rates : sequence of float
        The learning rates.
    seed : int
        The seed of the per-sample order's stream (the pipeline's 709).
    gtol : float
        L-BFGS's projected-gradient tolerance, for the optimum.
    max_iter : int
        L-BFGS's iteration cap, for the optimum.

    Returns
    -------
    dict of str to ndarray
        Columns ``learning_rate, loss, optimum, excess, within_1pct``, one row per rate: the
        loss after one epoch (inf where the run raised ValueError: a weight diverged to a
        non-finite value, or the rate is not > 0), L-BFGS's loss, excess = loss / optimum - 1,
        and whether excess <= 0.01.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> scan = learning_rate_scan(s["y1"], s["y2"], LECTURE_DECODER, rates=[0.1, 0.2],
    ...     seed=709, gtol=1e-10, max_iter=1000)
    >>> scan["excess"].round(3).tolist(), scan["within_1pct"].tolist()
    ([1.749, 0.075], [False, False])
    """
    best = train_lbfgs(y1, y2, start, beta=np.inf, gtol=gtol, max_iter=max_iter).loss
    values = []
    for rate in rates:
        try:
            result = train_per_sample(
                y1,
                y2,
                start,
                beta=np.inf,
                learning_rate=rate,
                epochs=1,
                seed=seed,
                n=None,
                record=False,
            )
            values.append(result.loss)
        except ValueError:  # diverged to a non-finite weight
            values.append(np.inf)
    values = np.asarray(values)
    excess = values / best - 1.0
    return {
        "learning_rate": np.asarray(rates, dtype=np.float64),
        "loss": values,
        "optimum": np.full(values.size, best),
        "excess": excess,
        "within_1pct": excess <= 0.01,
    }


def temperature_scan(
    y1, y2, start: Decoder, *, betas, n: int | None, gtol: float, max_iter: int
) -> dict[str, np.ndarray]:
    """L-BFGS at each beta, with the critical betas of :func:`critical_betas` on every row.

    Parameters
    ----------
    y1, y2 : array_like
        The training samples' coordinates.
    start : Decoder
        The decoder every run starts from.
    betas : sequence of float
        The inverse temperatures, each > 0 (``numpy.inf`` for zero temperature).
    n : int or None
        The latent grid's size (the lecture's 48), or ``None`` for the continuous integral.
    gtol : float
        L-BFGS's projected-gradient tolerance.
    max_iter : int
        L-BFGS's iteration cap.

    Returns
    -------
    dict of str to ndarray
        Columns ``beta, w1, w2, loss, critical_w1, critical_w2``, one row per beta: the trained
        decoder's weights and loss, and the two critical betas (the same on every row).

    Raises
    ------
    TypeError
        If a beta is not a real number.
    ValueError
        If a beta is not > 0.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> scan = temperature_scan(s["y1"], s["y2"], LECTURE_DECODER, betas=[1.0, 100.0], n=48,
    ...     gtol=1e-10, max_iter=1000)
    >>> scan["w1"].round(4).tolist(), round(float(scan["critical_w1"][0]), 4)
    ([-1.8111, -1.9415], 0.2446)
    """
    fits = [train_lbfgs(y1, y2, start, beta=b, gtol=gtol, max_iter=max_iter, n=n) for b in betas]
    c1, c2 = critical_betas(y1, y2)
    m = len(fits)
    return {
        "beta": np.asarray(betas, dtype=np.float64),
        "w1": np.array([f.decoder.w1 for f in fits]),
        "w2": np.array([f.decoder.w2 for f in fits]),
        "loss": np.array([f.loss for f in fits]),
        "critical_w1": np.full(m, c1),
        "critical_w2": np.full(m, c2),
    }
