"""The conditional horn (lecture 15-2, section 3): the decoder's radii depend on an input x.

A small network f: x -> (f1(x), f2(x)) gives, at every x, an ellipse decoder

    E(x, y, z) = [y1 - f1(x) cos z]^2 + [y2 - f2(x) sin z]^2,

so F_inf(x, y) = min_z E(x, y, z) is the exact free energy of part 1 with (w1, w2) = f(x),
solved per point by :func:`lvebm.exact.free_energy_ellipses` (continuous z, no grid).

Training minimises the mean F_inf over horn samples (x_i, y_i). By the envelope theorem the
gradient goes through z_check without differentiating it:

    dF/df1 = -2 [y1 - f1 cos z_check] cos z_check,   dF/df2 = -2 [y2 - f2 sin z_check] sin z_check,

then back through the network (backpropagation, checked against finite differences in the
tests). The regression baseline is the same network trained with the mean squared error
|y - f(x)|^2 and no latent: it learns E[y | x], the horn's axis, since the mean of a ring is its
centre.

The network (:class:`lvebm.network.Network`, shared with the encoder of :mod:`lvebm.amortized`)
is ``sizes = (1, h1, ..., 2)``: Linear layers with an activation between them.

Why the pipeline's default is not the lecture's literal network (``Network(sizes, "relu",
"linear")``). Radii are scales: the latent model's output is ``f = exp(last layer)`` (positive,
and rho(x) = [...] exp(2x) is nearly linear in log), the baseline keeps a linear output (it
predicts a point, of either sign). The hidden layers are tanh: with ReLU the loss has a kink
wherever a unit switches at a sample, L-BFGS stalls there, and only 4 of 10 init seeds fitted the
smallest rings within 5 %. A penalty ``weight_decay |theta|^2`` makes every minimum isolated.
Training ends with :func:`levenberg_marquardt` on the residuals (Gauss-Newton with the envelope
theorem's Jacobian), run until no step lowers the loss: the end point is the minimum to
rounding, not wherever a step budget ran out, so runs whose arithmetic differs in the last bits
(another CPU's kernels) end at the same radii to about 1e-10 (measured; ``bench/conditional.py``
scans the seeds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from lvebm import portable
from lvebm.columns import concat
from lvebm.data import radii, sample_horn
from lvebm.exact import ExactFreeEnergy, free_energy_ellipses, z_check_cos_sin
from lvebm.network import (  # noqa: F401 (the trainers, re-exported: lvebm.conditional.train)
    TRAINERS,
    Array,
    Network,
    Objective,
    Residuals,
    adam,
    lbfgs_steps,
    levenberg_marquardt,
    train,
    with_weight_decay,
)

MODELS = ("untrained", "latent", "baseline")
# lambda of each model's penalty lambda |theta|^2: small against its loss at the optimum (about
# 0.0025 for the latent model, the noise; 41 for the baseline, the rings' spread), large enough
# to make the minimum isolated (the baseline would otherwise fit the noise of the rings' means)
WEIGHT_DECAY = {"latent": 1e-5, "baseline": 1e-2}


def free_energy(net: Network, theta: ArrayLike, x, y1, y2) -> ExactFreeEnergy:
    """F_inf(x, y) and z_check: the exact solver with (w1, w2) = f(x) per point.

    Parameters
    ----------
    net : Network
        The network f: x -> (f1(x), f2(x)), ``sizes[0] == 1`` and ``sizes[-1] == 2``.
    theta : array_like
        The network's parameters, shape ``(net.n_params,)``.
    x : array_like
        The points' inputs, n values.
    y1, y2 : array_like
        The points' coordinates, broadcast with the n radii.

    Returns
    -------
    ExactFreeEnergy
        The exact solver's result per point (:func:`lvebm.exact.free_energy_ellipses`): ``F``,
        the free energy F_inf(x, y), and ``z_check``, its minimiser, among others.

    Raises
    ------
    ValueError
        If ``theta`` does not have the network's shape, or the points are not real numbers or
        cannot be broadcast with the radii.

    Examples
    --------
    >>> net = Network((1, 4, 2))
    >>> r = free_energy(net, net.init(0), [0.0, 1.0], [2.0, 0.0], [0.0, 1.5])
    >>> r.F.shape, bool((r.F >= 0).all())
    ((2,), True)
    """
    f = net(theta, x)
    return free_energy_ellipses(f[0], f[1], y1, y2)


def energy(net: Network, theta: ArrayLike, x, y1, y2, z) -> Array:
    """E(x, y, z) = [y1 - f1(x) cos z]^2 + [y2 - f2(x) sin z]^2 (x, y, z broadcast together).

    Parameters
    ----------
    net : Network
        The network f: x -> (f1(x), f2(x)), ``sizes[0] == 1`` and ``sizes[-1] == 2``.
    theta : array_like
        The network's parameters, shape ``(net.n_params,)``.
    x : array_like
        The inputs.
    y1, y2 : array_like
        The points' coordinates.
    z : array_like
        The latents, in radians.

    Returns
    -------
    ndarray
        E(x, y, z), float64, in the broadcast shape of ``x, y1, y2, z``.

    Raises
    ------
    ValueError
        If ``theta`` does not have the network's shape, or the arguments cannot be broadcast
        together.

    Examples
    --------
    At z_check the energy is F_inf:

    >>> net = Network((1, 4, 2))
    >>> theta = net.init(0)
    >>> r = free_energy(net, theta, [0.0, 1.0], [2.0, 0.0], [0.0, 1.5])
    >>> energy(net, theta, [0.0, 1.0], [2.0, 0.0], [0.0, 1.5], r.z_check).round(4).tolist()
    [0.06, 0.5586]
    """
    x, y1, y2, z = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, y1, y2, z)))
    f = net(theta, x.ravel())
    r1 = y1.ravel() - f[0] * portable.cos(z.ravel())
    r2 = y2.ravel() - f[1] * portable.sin(z.ravel())
    return (r1 * r1 + r2 * r2).reshape(x.shape)


def latent_loss(net: Network, x, y1, y2) -> Objective:
    """theta -> (mean F_inf(x_i, y_i), its gradient through z_check).

    By the envelope theorem the gradient goes through z_check without differentiating it (the
    module's docstring), then back through the network.

    Parameters
    ----------
    net : Network
        The network f: x -> (f1(x), f2(x)), ``sizes[0] == 1`` and ``sizes[-1] == 2``.
    x : array_like
        The samples' inputs, 1-D (n values).
    y1, y2 : array_like
        The samples' coordinates, 1-D, of the same length.

    Returns
    -------
    callable
        ``objective(theta)``: the latent model's loss, mean_i F_inf(x_i, y_i) (float), and its
        gradient, shape ``(net.n_params,)``.

    Examples
    --------
    >>> net = Network((1, 4, 2))
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> loss, gradient = latent_loss(net, s["x"], s["y1"], s["y2"])(net.init(0))
    >>> round(loss, 4), gradient.shape
    (37.5964, (18,))
    """
    x, y1, y2 = (np.asarray(v, dtype=np.float64) for v in (x, y1, y2))

    def objective(theta: Array) -> tuple[float, Array]:
        f, acts = net.forward(theta, x)
        c, s = z_check_cos_sin(f[0], f[1], y1, y2)
        r1, r2 = y1 - f[0] * c, y2 - f[1] * s
        grad_out = np.stack([r1 * c, r2 * s]) * (-2.0 / x.size)
        return float(np.mean(r1 * r1 + r2 * r2)), net.backward(theta, acts, grad_out)

    return objective


def regression_loss(net: Network, x, y1, y2) -> Objective:
    """theta -> (mean |y_i - f(x_i)|^2, its gradient): the baseline without a latent.

    Parameters
    ----------
    net : Network
        The baseline's network (``sizes[0] == 1``, ``sizes[-1] == 2``; the pipeline's is the
        latent model's ``net.baseline``, a linear output).
    x : array_like
        The samples' inputs, 1-D (n values).
    y1, y2 : array_like
        The samples' coordinates, 1-D, of the same length.

    Returns
    -------
    callable
        ``objective(theta)``: the baseline's loss, the mean squared error (float), and its
        gradient, shape ``(net.n_params,)``.

    Examples
    --------
    >>> net = Network((1, 4, 2)).baseline
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> loss, gradient = regression_loss(net, s["x"], s["y1"], s["y2"])(net.init(0))
    >>> round(loss, 4), gradient.shape
    (52.1423, (18,))
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.stack([np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)])

    def objective(theta: Array) -> tuple[float, Array]:
        f, acts = net.forward(theta, x)
        d = f - y
        return float(np.mean(np.sum(d * d, axis=0))), net.backward(theta, acts, d * (2.0 / x.size))

    return objective


def latent_residuals(net: Network, x, y1, y2) -> Residuals:
    """theta -> the residuals ``(y - g(z_check)) / sqrt(n)`` of every sample and their Jacobian.

    The residuals of both axes, whose squared norm is the mean F_inf, and their Jacobian with z
    held at z_check. Holding z fixed is exact to first order (the envelope theorem:
    ``2 J^T r`` is the loss's gradient) and leaves out only the curvature of the ellipse times
    the residual, so a Gauss-Newton step on these residuals is a good step for the F_inf loss.
    The last point's forward pass and z_check are kept, so the Jacobian after a trial step's
    residuals costs no second pass.

    Parameters
    ----------
    net : Network
        The network f: x -> (f1(x), f2(x)), ``sizes[0] == 1`` and ``sizes[-1] == 2``.
    x : array_like
        The samples' inputs, 1-D (n values).
    y1, y2 : array_like
        The samples' coordinates, 1-D, of the same length.

    Returns
    -------
    callable
        ``residuals(theta, jacobian=True)``: the residuals, shape ``(2 n,)`` (the y1 axis's,
        then the y2 axis's), and, with ``jacobian``, their Jacobian ``(2 n, net.n_params)``
        (else ``None``); what :func:`levenberg_marquardt` takes.

    Examples
    --------
    >>> net = Network((1, 4, 2))
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> theta = net.init(0)
    >>> r, J = latent_residuals(net, s["x"], s["y1"], s["y2"])(theta)
    >>> r.shape, J.shape, round(float(r @ r), 4)
    ((40,), (40, 18), 37.5964)
    >>> gradient = latent_loss(net, s["x"], s["y1"], s["y2"])(theta)[1]
    >>> bool(np.allclose(2.0 * J.T @ r, gradient))
    True
    """
    x, y1, y2 = (np.asarray(v, dtype=np.float64) for v in (x, y1, y2))
    scale = 1.0 / np.sqrt(x.size)
    # the last point's forward pass and z_check: Levenberg-Marquardt asks for the residuals of a
    # trial step, then, the step taken, for their Jacobian at the same point
    last: dict[bytes, tuple] = {}

    def residuals(theta: Array, jacobian: bool = True) -> tuple[Array, Array | None]:
        key = np.asarray(theta, dtype=np.float64).tobytes()
        if key not in last:
            f, acts = net.forward(theta, x)
            c, s = z_check_cos_sin(f[0], f[1], y1, y2)
            r = np.concatenate([y1 - f[0] * c, y2 - f[1] * s]) * scale
            last.clear()
            last[key] = (acts, c, s, r)
        acts, c, s, r = last[key]
        if not jacobian:
            return r, None
        zero = np.zeros_like(c)
        return r, net.residual_jacobian(
            theta, acts, [np.stack([c * -scale, zero]), np.stack([zero, s * -scale])]
        )

    return residuals


def regression_residuals(net: Network, x, y1, y2) -> Residuals:
    """theta -> the residuals ``(y - f(x)) / sqrt(n)`` of the baseline and their Jacobian.

    Their squared norm is the baseline's mean squared error (:func:`regression_loss`).

    Parameters
    ----------
    net : Network
        The baseline's network (``sizes[0] == 1``, ``sizes[-1] == 2``).
    x : array_like
        The samples' inputs, 1-D (n values).
    y1, y2 : array_like
        The samples' coordinates, 1-D, of the same length.

    Returns
    -------
    callable
        ``residuals(theta, jacobian=True)``: the residuals, shape ``(2 n,)`` (the y1 axis's,
        then the y2 axis's), and, with ``jacobian``, their Jacobian ``(2 n, net.n_params)``
        (else ``None``).

    Examples
    --------
    >>> net = Network((1, 4, 2)).baseline
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> r, J = regression_residuals(net, s["x"], s["y1"], s["y2"])(net.init(0))
    >>> r.shape, J.shape, round(float(r @ r), 4)
    ((40,), (40, 18), 52.1423)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.stack([np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)])
    scale = 1.0 / np.sqrt(x.size)

    def residuals(theta: Array, jacobian: bool = True) -> tuple[Array, Array | None]:
        f, acts = net.forward(theta, x)
        r = (y - f).ravel() * scale
        if not jacobian:
            return r, None
        zero, minus = np.zeros(x.size), np.full(x.size, -scale)
        return r, net.residual_jacobian(
            theta, acts, [np.stack([minus, zero]), np.stack([zero, minus])]
        )

    return residuals


def training_samples(n: int, *, seed: int, alpha: float, beta: float, noise_std: float, split: str):
    """``n`` horn samples of the named split (``train`` or ``held_out``).

    The split has its own streams ``conditional/<split>/...``, independent of the horn of
    figure 1 and of each other (:func:`lvebm.data.sample_horn`).

    Parameters
    ----------
    n : int
        The number of samples, >= 0 (the pipeline's 8000 to train on, 500 held out).
    seed : int
        The seed of the random streams, >= 0 (the pipeline's 709).
    alpha, beta : float
        The horn's radii's coefficients (the lecture's 1.5 and 2.0).
    noise_std : float
        The noise's standard deviation, >= 0 (the lecture's 0.05).
    split : str
        The split's name, ``"train"`` or ``"held_out"`` (any name gives its own streams).

    Returns
    -------
    dict of str to ndarray
        Columns ``x, theta, y1, y2``, each of ``n`` values.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer, or ``alpha``, ``beta`` or ``noise_std`` not a
        real number.
    ValueError
        If ``n`` or ``seed`` is negative, or ``noise_std`` is not >= 0.

    Examples
    --------
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> sorted(s), s["x"][:3].round(3).tolist()
    (['theta', 'x', 'y1', 'y2'], [0.756, 0.06, 0.503])
    """
    return sample_horn(
        n,
        seed=seed,
        alpha=alpha,
        beta=beta,
        noise_std=noise_std,
        streams=f"conditional/{split}",
    )


def fit(
    net: Network,
    samples: Mapping[str, np.ndarray],
    *,
    init_seed: int,
    schedule: Sequence[Mapping],
    weight_decay: Mapping[str, float] = WEIGHT_DECAY,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Train the latent model (``net``) and the regression baseline from the same initialisation.

    The baseline is ``net.baseline``: the same layers with a linear output. Each model has its
    own weight decay (``weight_decay["latent"]``, ``weight_decay["baseline"]``) and is trained
    by :func:`lvebm.network.train` on its loss (:func:`latent_loss`, :func:`regression_loss`)
    and residuals (:func:`latent_residuals`, :func:`regression_residuals`).

    Parameters
    ----------
    net : Network
        The latent model's network (the pipeline's ``Network((1, 8, 8, 2), "tanh", "exp")``).
    samples : Mapping of str to ndarray
        The training samples, columns ``x, y1, y2`` (:func:`training_samples`).
    init_seed : int
        The seed of the shared initialisation (:meth:`Network.init`; the pipeline's 1).
    schedule : sequence of Mapping
        The training phases, each ``{method, steps[, learning_rate]}`` (the pipeline's: 1000
        Adam steps at 0.02, then up to 1000 Levenberg-Marquardt steps).
    weight_decay : Mapping of str to float, optional
        lambda of each model's penalty, keys ``latent`` and ``baseline`` (``WEIGHT_DECAY``:
        1e-5 and 1e-2).

    Returns
    -------
    params : dict of str to ndarray
        The parameter table (:meth:`Network.table`) of the models ``untrained``, ``latent`` and
        ``baseline``: columns ``model, layer, name, index, value``.
    trajectories : dict of str to ndarray
        The trajectory table, columns ``model, step, loss`` (step 0 is each model's start; the
        loss includes the weight decay).

    Raises
    ------
    ValueError
        If a phase's method is unknown.
    KeyError
        If ``samples`` lacks a column, ``weight_decay`` a model, or a phase a key its method
        needs.

    Examples
    --------
    >>> net = Network((1, 4, 2))
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> schedule = [{"method": "adam", "steps": 5, "learning_rate": 0.02},
    ...     {"method": "levenberg_marquardt", "steps": 3}]
    >>> params, trajectories = fit(net, s, init_seed=1, schedule=schedule)
    >>> np.unique(params["model"]).tolist(), params["value"].size
    (['baseline', 'latent', 'untrained'], 54)
    >>> trajectories["loss"][[0, 8]].round(4).tolist()
    [41.9522, 19.5506]
    """
    x, y1, y2 = samples["x"], samples["y1"], samples["y2"]
    theta0 = net.init(init_seed)
    params = [net.table(theta0, "untrained")]
    trajectories = []
    models = (
        ("latent", net, latent_loss, latent_residuals),
        ("baseline", net.baseline, regression_loss, regression_residuals),
    )
    for model, network, loss, residuals in models:
        theta, trajectory = train(
            loss(network, x, y1, y2),
            theta0,
            schedule,
            residuals=residuals(network, x, y1, y2),
            weight_decay=weight_decay[model],
        )
        params.append(net.table(theta, model))
        trajectories.append(
            {"model": np.full(trajectory["step"].size, model, dtype=object), **trajectory}
        )
    return concat(params), concat(trajectories)


def radii_table(
    net: Network, params: Mapping[str, np.ndarray], x, *, alpha: float, beta: float
) -> dict[str, np.ndarray]:
    """On the x grid: the trained radii f(x), the data's rho(x), the baseline's prediction and
    the untrained radii.

    Parameters
    ----------
    net : Network
        The latent model's network.
    params : Mapping of str to ndarray
        The parameter table of :func:`fit`, with the models ``latent``, ``baseline`` and
        ``untrained``.
    x : array_like
        The x grid (the pipeline's 51 values 0, 1/50, ..., 1).
    alpha, beta : float
        The horn's radii's coefficients (the lecture's 1.5 and 2.0), for rho(x).

    Returns
    -------
    dict of str to ndarray
        Columns ``x, f1, f2, rho1, rho2, baseline_y1, baseline_y2, f1_untrained,
        f2_untrained``, one row per x.

    Raises
    ------
    ValueError
        If the table does not hold the right number of parameters of a model.

    Examples
    --------
    >>> net = Network((1, 4, 2))
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> params, _ = fit(net, s, init_seed=1, schedule=[{"method": "lbfgs", "steps": 3}])
    >>> table = radii_table(net, params, [0.0, 1.0], alpha=1.5, beta=2.0)
    >>> list(table)[:5], table["rho1"].round(3).tolist()
    (['x', 'f1', 'f2', 'rho1', 'rho2'], [2.0, 11.084])
    """
    x = np.asarray(x, dtype=np.float64)
    f = net(net.from_table(params, "latent"), x)
    base = net.baseline(net.from_table(params, "baseline"), x)
    untrained = net(net.from_table(params, "untrained"), x)
    rho1, rho2 = radii(x, alpha=alpha, beta=beta)
    return {
        "x": x,
        "f1": f[0],
        "f2": f[1],
        "rho1": rho1,
        "rho2": rho2,
        "baseline_y1": base[0],
        "baseline_y2": base[1],
        "f1_untrained": untrained[0],
        "f2_untrained": untrained[1],
    }


def free_energy_table(
    net: Network, params: Mapping[str, np.ndarray], samples: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The held-out samples with F_inf and z_check under the trained model and F untrained.

    F_untrained is F_inf under the untrained initialisation.

    Parameters
    ----------
    net : Network
        The latent model's network.
    params : Mapping of str to ndarray
        The parameter table of :func:`fit`, with the models ``latent`` and ``untrained``.
    samples : Mapping of str to ndarray
        The held-out samples, columns ``x, y1, y2`` (:func:`training_samples`).

    Returns
    -------
    dict of str to ndarray
        Columns ``x, y1, y2, F, z_check, F_untrained``, one row per sample.

    Raises
    ------
    ValueError
        If the table does not hold the right number of parameters of a model.

    Examples
    --------
    >>> net = Network((1, 4, 2))
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> params, _ = fit(net, s, init_seed=1, schedule=[{"method": "lbfgs", "steps": 3}])
    >>> h = training_samples(5, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="held_out")
    >>> list(free_energy_table(net, params, h))
    ['x', 'y1', 'y2', 'F', 'z_check', 'F_untrained']
    """
    x, y1, y2 = (np.asarray(samples[c], dtype=np.float64) for c in ("x", "y1", "y2"))
    trained = free_energy(net, net.from_table(params, "latent"), x, y1, y2)
    untrained = free_energy(net, net.from_table(params, "untrained"), x, y1, y2)
    return {
        "x": x,
        "y1": y1,
        "y2": y2,
        "F": trained.F,
        "z_check": trained.z_check,
        "F_untrained": untrained.F,
    }


def free_energy_maps(
    net: Network, params: Mapping[str, np.ndarray], xs: Sequence[float], *, num: int, margin: float
) -> dict[str, np.ndarray]:
    """F_inf(x, y) of the trained model on a ``num`` x ``num`` mesh at each x of ``xs``.

    Each mesh is square, spanning the trained ellipse's larger radius at that x times ``margin``
    on both axes.

    Parameters
    ----------
    net : Network
        The latent model's network.
    params : Mapping of str to ndarray
        The parameter table of :func:`fit`, with the model ``latent``.
    xs : sequence of float
        The inputs x of the maps (the pipeline's 0, 0.5 and 1).
    num : int
        The mesh's points per axis (the pipeline's 121).
    margin : float
        The mesh's half-width over the larger radius (the pipeline's 1.3).

    Returns
    -------
    dict of str to ndarray
        Columns ``x, y1, y2, F, z_check``, ``len(xs) num^2`` rows, x-major then y2-major as the
        mesh tables.

    Raises
    ------
    ValueError
        If the table does not hold the right number of parameters of ``latent``.

    Examples
    --------
    >>> net = Network((1, 4, 2))
    >>> s = training_samples(20, seed=709, alpha=1.5, beta=2.0, noise_std=0.05, split="train")
    >>> params, _ = fit(net, s, init_seed=1, schedule=[{"method": "lbfgs", "steps": 3}])
    >>> maps = free_energy_maps(net, params, [0.0, 1.0], num=3, margin=1.3)
    >>> list(maps), maps["x"][::9].tolist(), maps["F"].shape
    (['x', 'y1', 'y2', 'F', 'z_check'], [0.0, 1.0], (18,))
    """
    theta = net.from_table(params, "latent")
    tables = []
    for x in xs:
        f = np.abs(net(theta, [x])[:, 0])
        half = margin * max(float(f.max()), np.finfo(np.float64).tiny)
        axis = np.linspace(-half, half, num)
        y2, y1 = np.meshgrid(axis, axis, indexing="ij")
        r = free_energy(net, theta, np.full(y1.size, x), y1.ravel(), y2.ravel())
        tables.append(
            {
                "x": np.full(y1.size, float(x)),
                "y1": y1.ravel(),
                "y2": y2.ravel(),
                "F": r.F,
                "z_check": r.z_check,
            }
        )
    return concat(tables)
