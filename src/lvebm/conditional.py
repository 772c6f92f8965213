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

The network is ``sizes = (1, h1, ..., 2)``: Linear layers with an activation between them (the
lecture's ReLU, or the smooth tanh and softplus), its parameters one flat vector (per layer the
weight matrix row-major, then the bias). Activations are stored feature-major,
``(features, points)``, so every layer is one matrix product over all points.

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm.data import radii, sample_horn, stream
from lvebm.exact import ExactFreeEnergy, free_energy_ellipses

Array = NDArray[np.float64]
Objective = Callable[[Array], tuple[float, Array]]
# theta, whether the Jacobian is wanted -> (residuals r, with loss = r . r; dr/dtheta or None)
Residuals = Callable[[Array, bool], tuple[Array, Array | None]]

MODELS = ("untrained", "latent", "baseline")
# lambda of each model's penalty lambda |theta|^2: small against its loss at the optimum (about
# 0.0025 for the latent model, the noise; 41 for the baseline, the rings' spread), large enough
# to make the minimum isolated (the baseline would otherwise fit the noise of the rings' means)
WEIGHT_DECAY = {"latent": 1e-5, "baseline": 1e-2}
ACTIVATIONS = ("relu", "tanh", "softplus")
OUTPUTS = ("linear", "exp")
METHODS = ("adam", "lbfgs", "levenberg_marquardt")
# Adam's constants (Kingma and Ba 2015, Algorithm 1): the decay rates of the moment estimates
# and the denominator's guard.
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
# Levenberg-Marquardt: the damping's range, and the step relative to |theta| at which it has
# converged (the Gauss-Newton fixed point to 1e-10: far below the tolerance runs are compared at,
# above the rounding floor of the steps of an ill-conditioned fit)
MU_MIN, MU_MAX, XTOL = 1e-12, 1e12, 1e-10


@dataclass(frozen=True)
class Network:
    """The multilayer perceptron ``sizes[0] -> ... -> sizes[-1]`` with ReLU hidden layers.

    >>> net = Network((1, 8, 8, 2))
    >>> net.n_params
    106
    >>> theta = net.init(seed=0)
    >>> net(theta, [0.0, 0.5, 1.0]).shape
    (2, 3)
    """

    sizes: tuple[int, ...] = (1, 8, 8, 2)  # the lecture's 1 -> 8 -> 8 -> 2
    activation: str = "tanh"
    output: str = "exp"

    def __post_init__(self) -> None:
        sizes = tuple(int(s) for s in self.sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"network sizes must be >= 2 positive layer widths, got {sizes}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {list(ACTIVATIONS)}, got {self.activation!r}"
            )
        if self.output not in OUTPUTS:
            raise ValueError(f"output must be one of {list(OUTPUTS)}, got {self.output!r}")
        object.__setattr__(self, "sizes", sizes)

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """(outputs, inputs) of each Linear layer."""
        return list(zip(self.sizes[1:], self.sizes[:-1], strict=True))

    @property
    def n_params(self) -> int:
        return sum(o * i + o for o, i in self.shapes)

    def unpack(self, theta: ArrayLike) -> list[tuple[Array, Array]]:
        """The (weight, bias) views of each layer in the flat vector ``theta``."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_params,):
            raise ValueError(
                f"theta must have shape ({self.n_params},) for sizes {self.sizes}, "
                f"got {theta.shape}"
            )
        layers, k = [], 0
        for o, i in self.shapes:
            w = theta[k : k + o * i].reshape(o, i)
            k += o * i
            layers.append((w, theta[k : k + o]))
            k += o
        return layers

    def init(self, seed: int) -> Array:
        """Seeded initialisation as PyTorch's ``nn.Linear`` default: weights and biases uniform
        in +-1/sqrt(fan_in) (stream ``conditional/init``). Small outputs: a thin tube."""
        rng = stream(seed, "conditional/init")
        parts = []
        for o, i in self.shapes:
            bound = 1.0 / np.sqrt(i)
            parts += [rng.uniform(-bound, bound, o * i), rng.uniform(-bound, bound, o)]
        return np.concatenate(parts)

    def forward(self, theta: ArrayLike, x: ArrayLike) -> tuple[Array, list[Array]]:
        """Outputs ``(sizes[-1], n)`` and the activations that backpropagation needs."""
        layers = self.unpack(theta)
        a = np.atleast_1d(np.asarray(x, dtype=np.float64)).reshape(1, -1)
        acts = [a]
        for j, (w, b) in enumerate(layers):
            a = w @ a + b[:, None]
            if j < len(layers) - 1:
                a = _activate(self.activation, a)
            elif self.output == "exp":
                a = np.exp(a)
            acts.append(a)
        return a, acts

    @property
    def baseline(self) -> Network:
        """The same layers with a linear output: the regression baseline predicts a point y,
        which may be negative, where the latent model predicts radii."""
        return Network(self.sizes, self.activation, "linear")

    def __call__(self, theta: ArrayLike, x: ArrayLike) -> Array:
        """f(x), shape ``(sizes[-1], n)``."""
        return self.forward(theta, x)[0]

    def backward(self, theta: ArrayLike, acts: list[Array], grad_out: Array) -> Array:
        """d(loss)/d(theta) given d(loss)/d(outputs) ``(sizes[-1], n)`` (backpropagation)."""
        layers = self.unpack(theta)
        grads: list[Array] = []
        g = grad_out * acts[-1] if self.output == "exp" else grad_out
        for j in range(len(layers) - 1, -1, -1):
            w, _ = layers[j]
            if j < len(layers) - 1:
                g = g * _slope(self.activation, acts[j + 1])
            grads += [g.sum(axis=1), (g @ acts[j].T).ravel()]
            g = w.T @ g
        return np.concatenate(grads[::-1])

    def jacobian(self, theta: ArrayLike, acts: list[Array]) -> Array:
        """d(outputs)/d(theta), shape ``(sizes[-1], n_params, n)``: per output and point, the
        parameters' partial derivatives (forward-mode through the stored activations)."""
        layers = self.unpack(theta)
        n = acts[0].shape[1]
        out = acts[-1]
        jac = np.empty((self.sizes[-1], self.n_params, n))
        for k in range(self.sizes[-1]):
            delta = np.zeros_like(out)
            delta[k] = out[k] if self.output == "exp" else 1.0
            blocks = []
            for j in range(len(layers) - 1, -1, -1):
                w, _ = layers[j]
                if j < len(layers) - 1:
                    delta = delta * _slope(self.activation, acts[j + 1])
                blocks += [delta, (delta[:, None, :] * acts[j][None, :, :]).reshape(-1, n)]
                delta = w.T @ delta
            jac[k] = np.concatenate(blocks[::-1])
        return jac

    def table(self, theta: ArrayLike, model: str) -> dict[str, np.ndarray]:
        """The parameters as rows ``model, layer, name, index, value`` (layer from 1; index is the
        flat row-major position in its weight or bias)."""
        model_col, layer, name, index, value = [], [], [], [], []
        for j, (w, b) in enumerate(self.unpack(theta), start=1):
            for label, values in (("weight", w.ravel()), ("bias", b)):
                model_col += [model] * values.size
                layer += [j] * values.size
                name += [label] * values.size
                index += range(values.size)
                value += list(values)
        return {
            "model": np.array(model_col, dtype=object),
            "layer": np.array(layer, dtype=np.int64),
            "name": np.array(name, dtype=object),
            "index": np.array(index, dtype=np.int64),
            "value": np.array(value, dtype=np.float64),
        }

    def from_table(self, table: Mapping[str, np.ndarray], model: str) -> Array:
        """The flat parameter vector of ``model`` from a :meth:`table` (rows in any order)."""
        rows = np.flatnonzero(np.asarray(table["model"]) == model)
        if rows.size != self.n_params:
            raise ValueError(
                f"the parameter table has {rows.size} rows for model {model!r}, "
                f"expected {self.n_params} for sizes {self.sizes}"
            )
        offsets, k = {}, 0
        for j, (o, i) in enumerate(self.shapes, start=1):
            offsets[(j, "weight")] = k
            offsets[(j, "bias")] = k + o * i
            k += o * i + o
        theta = np.empty(self.n_params)
        for r in rows:
            key = (int(table["layer"][r]), str(table["name"][r]))
            theta[offsets[key] + int(table["index"][r])] = table["value"][r]
        return theta


def _activate(name: str, a: Array) -> Array:
    if name == "relu":
        return np.maximum(a, 0.0)
    if name == "tanh":
        return np.tanh(a)
    return np.logaddexp(0.0, a)  # softplus


def _slope(name: str, post: Array) -> Array:
    """The activation's derivative, from its output."""
    if name == "relu":
        return post > 0.0
    if name == "tanh":
        return 1.0 - post * post
    return -np.expm1(-post)  # softplus: sigmoid(a) = 1 - exp(-softplus(a))


def free_energy(net: Network, theta: ArrayLike, x, y1, y2) -> ExactFreeEnergy:
    """F_inf(x, y) and z_check: the exact solver with (w1, w2) = f(x) per point."""
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

    def residuals(theta: Array, jacobian: bool = True) -> tuple[Array, Array | None]:
        f, acts = net.forward(theta, x)
        z = free_energy_ellipses(f[0], f[1], y1, y2).z_check
        c, s = np.cos(z), np.sin(z)
        r = np.concatenate([y1 - f[0] * c, y2 - f[1] * s]) * scale
        if not jacobian:
            return r, None
        d = net.jacobian(theta, acts)
        return r, np.concatenate([(d[0] * c).T, (d[1] * s).T]) * -scale

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
        d = net.jacobian(theta, acts)
        return r, np.concatenate([d[0].T, d[1].T]) * -scale

    return residuals


def levenberg_marquardt(
    residuals: Residuals, theta0: ArrayLike, *, steps: int, weight_decay: float = 0.0
) -> tuple[Array, Array]:
    """Minimise ``r . r + weight_decay |theta|^2`` by Levenberg-Marquardt steps, to rounding.

    Each step solves ``(J^T J + lambda I + mu D) d = -(J^T r + lambda theta)`` (D the diagonal of
    the left side, Marquardt's scaling) and is taken if it does not raise the loss; mu falls by 3
    after a step taken and grows by 4 after one refused. It stops after ``steps`` steps, when a
    step taken is below ``XTOL`` of |theta| (the Gauss-Newton fixed point), or when no step is
    taken any more (mu above ``MU_MAX``: the minimum to rounding). Converging, rather than
    stopping wherever a step budget runs out, is what makes two runs whose arithmetic differs
    in the last bits (another CPU's kernels) end at the same point. Returns the parameters and the
    loss at the start and after each step.
    """
    theta = np.array(theta0, dtype=np.float64)
    r, jac = residuals(theta, True)
    loss = float(r @ r + weight_decay * (theta @ theta))
    losses, mu = [loss], 1e-3
    while len(losses) <= steps:
        g = jac.T @ r + weight_decay * theta
        h = jac.T @ jac
        h[np.diag_indices_from(h)] += weight_decay
        scaling = np.diag(h).copy() + np.finfo(np.float64).tiny
        while mu <= MU_MAX:
            a = h.copy()
            a[np.diag_indices_from(a)] += mu * scaling
            step = np.linalg.solve(a, -g)
            trial = theta + step
            rt, _ = residuals(trial, False)
            lt = float(rt @ rt + weight_decay * (trial @ trial))
            if lt <= loss:
                break
            mu *= 4.0
        else:
            break  # no step keeps the loss: the minimum to rounding
        theta, mu = trial, max(mu / 3.0, MU_MIN)
        losses.append(lt)
        if np.linalg.norm(step) <= XTOL * np.linalg.norm(theta):
            break
        loss = lt
        r, jac = residuals(theta, True)
    return theta, np.asarray(losses)


def with_weight_decay(objective: Objective, weight_decay: float) -> Objective:
    """``objective`` plus ``weight_decay |theta|^2`` and its gradient."""
    if not weight_decay:
        return objective

    def penalised(theta: Array) -> tuple[float, Array]:
        loss, grad = objective(theta)
        return loss + weight_decay * float(theta @ theta), grad + 2.0 * weight_decay * theta

    return penalised


def adam(
    objective: Objective, theta0: ArrayLike, *, learning_rate: float, steps: int
) -> tuple[Array, Array]:
    """Full-batch Adam with a cosine decay of the step from ``learning_rate`` to 0 over ``steps``.

    Returns the final parameters and the losses before each step and after the last
    (``steps + 1`` values). Deterministic: no sampling, no minibatches.
    """
    theta = np.array(theta0, dtype=np.float64)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    losses = np.empty(steps + 1)
    for t in range(1, steps + 1):
        losses[t - 1], g = objective(theta)
        m = ADAM_BETA1 * m + (1.0 - ADAM_BETA1) * g
        v = ADAM_BETA2 * v + (1.0 - ADAM_BETA2) * g * g
        rate = learning_rate * 0.5 * (1.0 + np.cos(np.pi * (t - 1) / steps))
        m_hat = m / (1.0 - ADAM_BETA1**t)
        v_hat = v / (1.0 - ADAM_BETA2**t)
        theta -= rate * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
    losses[steps] = objective(theta)[0]
    return theta, losses


def lbfgs(objective: Objective, theta0: ArrayLike, *, steps: int) -> tuple[Array, Array]:
    """scipy's L-BFGS-B for at most ``steps`` iterations (tolerances at zero: the step budget
    decides). Returns the final parameters and the loss at the start and after each iteration."""
    from scipy.optimize import minimize  # only the training job needs scipy.optimize

    losses = [objective(np.asarray(theta0, dtype=np.float64))[0]]
    result = minimize(
        objective,
        np.array(theta0, dtype=np.float64),
        jac=True,
        method="L-BFGS-B",
        callback=lambda intermediate_result: losses.append(float(intermediate_result.fun)),
        options={"maxiter": steps, "gtol": 0.0, "ftol": 0.0},
    )
    return result.x, np.asarray(losses)


def train(
    objective: Objective,
    theta0: ArrayLike,
    schedule: Sequence[Mapping],
    *,
    residuals: Residuals | None = None,
    weight_decay: float = 0.0,
) -> tuple[Array, dict[str, np.ndarray]]:
    """Run the schedule's phases in order (each ``{method, steps[, learning_rate]}``), each from
    where the last stopped, on ``objective`` plus ``weight_decay |theta|^2``
    (``levenberg_marquardt`` works on ``residuals``, whose squared norm is the objective).
    Returns the parameters and the trajectory ``step, loss`` (step 0 is the start; steps count
    on across phases; the loss includes the weight decay)."""
    penalised = with_weight_decay(objective, weight_decay)
    theta = np.array(theta0, dtype=np.float64)
    losses = [np.array([penalised(theta)[0]])]
    for phase in schedule:
        method = phase["method"]
        if method == "adam":
            theta, phase_losses = adam(
                penalised, theta, learning_rate=phase["learning_rate"], steps=phase["steps"]
            )
        elif method == "lbfgs":
            theta, phase_losses = lbfgs(penalised, theta, steps=phase["steps"])
        elif method == "levenberg_marquardt" and residuals is not None:
            theta, phase_losses = levenberg_marquardt(
                residuals, theta, steps=phase["steps"], weight_decay=weight_decay
            )
        elif method == "levenberg_marquardt":
            raise ValueError("the levenberg_marquardt phase needs the residuals of the objective")
        else:
            raise ValueError(f"unknown training method {method!r}; allowed: {list(METHODS)}")
        losses.append(phase_losses[1:])
    loss = np.concatenate(losses)
    return theta, {"step": np.arange(loss.size, dtype=np.int64), "loss": loss}


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
    return _concat(params), _concat(trajectories)


def _concat(tables: Sequence[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}


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
    return {"x": x, "y1": y1, "y2": y2, "F": trained.F, "z_check": trained.z_check,
            "F_untrained": untrained.F}  # fmt: skip


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
        tables.append({"x": np.full(y1.size, float(x)), "y1": y1.ravel(), "y2": y2.ravel(),
                       "F": r.F, "z_check": r.z_check})  # fmt: skip
    return _concat(tables)
