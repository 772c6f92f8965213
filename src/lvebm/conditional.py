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

The network is ``sizes = (1, h1, ..., 2)``: Linear layers with ReLU between them and a linear
output, its parameters one flat vector (per layer the weight matrix row-major, then the bias).
Activations are stored feature-major, ``(features, points)``, so every layer is one matrix
product over all points.
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

MODELS = ("untrained", "latent", "baseline")
METHODS = ("adam", "lbfgs")
# Adam's constants (Kingma and Ba 2015, Algorithm 1): the decay rates of the moment estimates
# and the denominator's guard.
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8


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

    sizes: tuple[int, ...]

    def __post_init__(self) -> None:
        sizes = tuple(int(s) for s in self.sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"network sizes must be >= 2 positive layer widths, got {sizes}")
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
                np.maximum(a, 0.0, out=a)
            acts.append(a)
        return a, acts

    def __call__(self, theta: ArrayLike, x: ArrayLike) -> Array:
        """f(x), shape ``(sizes[-1], n)``."""
        return self.forward(theta, x)[0]

    def backward(self, theta: ArrayLike, acts: list[Array], grad_out: Array) -> Array:
        """d(loss)/d(theta) given d(loss)/d(outputs) ``(sizes[-1], n)`` (backpropagation)."""
        layers = self.unpack(theta)
        grads: list[Array] = []
        g = grad_out
        for j in range(len(layers) - 1, -1, -1):
            w, _ = layers[j]
            if j < len(layers) - 1:
                g = g * (acts[j + 1] > 0.0)  # ReLU: the post-activation is > 0 where it passed
            grads += [g.sum(axis=1), (g @ acts[j].T).ravel()]
            g = w.T @ g
        return np.concatenate(grads[::-1])

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
    objective: Objective, theta0: ArrayLike, schedule: Sequence[Mapping]
) -> tuple[Array, dict[str, np.ndarray]]:
    """Run the schedule's phases in order (each ``{method, steps[, learning_rate]}``), each from
    where the last stopped. Returns the parameters and the trajectory ``step, loss`` (step 0 is
    the start; steps count on across phases)."""
    theta = np.array(theta0, dtype=np.float64)
    losses = [np.array([objective(theta)[0]])]
    for phase in schedule:
        method = phase["method"]
        if method == "adam":
            theta, phase_losses = adam(
                objective, theta, learning_rate=phase["learning_rate"], steps=phase["steps"]
            )
        elif method == "lbfgs":
            theta, phase_losses = lbfgs(objective, theta, steps=phase["steps"])
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
    net: Network, samples: Mapping[str, np.ndarray], *, init_seed: int, schedule: Sequence[Mapping]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Train the latent model and the regression baseline from the same initialisation.

    Returns the parameter table (models ``untrained``, ``latent``, ``baseline``) and the
    trajectory table ``model, step, loss``.
    """
    x, y1, y2 = samples["x"], samples["y1"], samples["y2"]
    theta0 = net.init(init_seed)
    params = [net.table(theta0, "untrained")]
    trajectories = []
    for model, loss in (("latent", latent_loss), ("baseline", regression_loss)):
        theta, trajectory = train(loss(net, x, y1, y2), theta0, schedule)
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
    base = net(net.from_table(params, "baseline"), x)
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
