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

from lvebm.columns import concat
from lvebm.data import radii, sample_horn
from lvebm.exact import ExactFreeEnergy, free_energy_ellipses
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

    >>> net = Network((1, 4, 2))
    >>> r = free_energy(net, net.init(0), [0.0, 1.0], [2.0, 0.0], [0.0, 1.5])
    >>> r.F.shape, bool((r.F >= 0).all())
    ((2,), True)
    """
    f = net(theta, x)
    return free_energy_ellipses(f[0], f[1], y1, y2)


def energy(net: Network, theta: ArrayLike, x, y1, y2, z) -> Array:
    """E(x, y, z) = [y1 - f1(x) cos z]^2 + [y2 - f2(x) sin z]^2 (x, y, z broadcast together)."""
    x, y1, y2, z = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, y1, y2, z)))
    f = net(theta, x.ravel())
    r1 = y1.ravel() - f[0] * np.cos(z.ravel())
    r2 = y2.ravel() - f[1] * np.sin(z.ravel())
    return (r1 * r1 + r2 * r2).reshape(x.shape)


def latent_loss(net: Network, x, y1, y2) -> Objective:
    """theta -> (mean F_inf(x_i, y_i), its gradient through z_check)."""
    x, y1, y2 = (np.asarray(v, dtype=np.float64) for v in (x, y1, y2))

    def objective(theta: Array) -> tuple[float, Array]:
        f, acts = net.forward(theta, x)
        z = free_energy_ellipses(f[0], f[1], y1, y2).z_check
        c, s = np.cos(z), np.sin(z)
        r1, r2 = y1 - f[0] * c, y2 - f[1] * s
        grad_out = np.stack([r1 * c, r2 * s]) * (-2.0 / x.size)
        return float(np.mean(r1 * r1 + r2 * r2)), net.backward(theta, acts, grad_out)

    return objective


def regression_loss(net: Network, x, y1, y2) -> Objective:
    """theta -> (mean |y_i - f(x_i)|^2, its gradient): the baseline without a latent."""
    x = np.asarray(x, dtype=np.float64)
    y = np.stack([np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)])

    def objective(theta: Array) -> tuple[float, Array]:
        f, acts = net.forward(theta, x)
        d = f - y
        return float(np.mean(np.sum(d * d, axis=0))), net.backward(theta, acts, d * (2.0 / x.size))

    return objective


def latent_residuals(net: Network, x, y1, y2) -> Residuals:
    """theta -> the residuals ``(y - g(z_check)) / sqrt(n)`` of every sample (both axes), whose
    squared norm is the mean F_inf, and their Jacobian with z held at z_check.

    Holding z fixed is exact to first order (the envelope theorem: ``2 J^T r`` is the loss's
    gradient) and leaves out only the curvature of the ellipse times the residual, so a
    Gauss-Newton step on these residuals is a good step for the F_inf loss.
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
            z = free_energy_ellipses(f[0], f[1], y1, y2).z_check
            c, s = np.cos(z), np.sin(z)
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
    """theta -> the residuals ``(y - f(x)) / sqrt(n)`` of the baseline and their Jacobian."""
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
    """``n`` horn samples of the named split (``train`` or ``held_out``): their own streams
    ``conditional/<split>/...``, independent of the horn of figure 1 and of each other."""
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
    """Train the latent model (``net``) and the regression baseline (``net.baseline``: the same
    layers with a linear output) from the same initialisation, each with its own weight decay
    (``weight_decay["latent"]``, ``weight_decay["baseline"]``).

    Returns the parameter table (models ``untrained``, ``latent``, ``baseline``) and the
    trajectory table ``model, step, loss``.
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
    the untrained radii (columns ``x, f1, f2, rho1, rho2, baseline_y1, baseline_y2,
    f1_untrained, f2_untrained``)."""
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
    """The held-out samples with F_inf and z_check under the trained model and F under the
    untrained initialisation (columns ``x, y1, y2, F, z_check, F_untrained``)."""
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
    """F_inf(x, y) of the trained model on a ``num`` x ``num`` mesh at each x of ``xs``; each
    mesh spans the trained ellipse's radii times ``margin`` (columns ``x, y1, y2, F,
    z_check``, x-major then y2-major as the mesh tables)."""
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
