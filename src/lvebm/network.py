"""Small multilayer perceptrons and their full-batch trainers, shared by the conditional horn
(:mod:`lvebm.conditional`: x -> the radii f(x)) and the encoder (:mod:`lvebm.amortized`:
y -> (cos z_tilde, sin z_tilde)).

The network is ``sizes = (d, h1, ..., k)``: Linear layers with an activation between them (the
lecture's ReLU, or the smooth tanh and softplus) and a linear or exponential output, its
parameters one flat vector (per layer the weight matrix row-major, then the bias). Activations are
stored feature-major, ``(features, points)``, so every layer is one matrix product over all
points; backpropagation (:meth:`Network.backward`) and the forward-mode Jacobian
(:meth:`Network.jacobian`) are checked against finite differences in the tests.

The trainers minimise an objective ``theta -> (loss, gradient)``, or residuals whose squared norm
is the loss: Adam with a cosine-decayed step, scipy's L-BFGS-B for a budget of steps
(:func:`lbfgs_steps`), and Levenberg-Marquardt run to rounding; :func:`train` runs a schedule of
them in phases (``TRAINERS``). The library's other L-BFGS are the batched latent optimizer
(:func:`lvebm.optimize.lbfgs`) and the decoder's training to a gradient tolerance
(:func:`lvebm.training.train_lbfgs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lvebm.data import stream

Array = NDArray[np.float64]
Objective = Callable[[Array], tuple[float, Array]]
# theta, whether the Jacobian is wanted -> (residuals r, with loss = r . r; dr/dtheta or None)
Residuals = Callable[[Array, bool], tuple[Array, Array | None]]


ACTIVATIONS = ("relu", "tanh", "softplus")
OUTPUTS = ("linear", "exp")
# the trainers a schedule's phase names (its "method")
TRAINERS = ("adam", "lbfgs", "levenberg_marquardt")
# Adam's constants (Kingma and Ba 2015, Algorithm 1): the decay rates of the moment estimates
# and the denominator's guard.
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
# Levenberg-Marquardt: the damping's range, and the step relative to |theta| at which it has
# converged (the Gauss-Newton fixed point to 1e-10: far below the tolerance runs are compared at,
# above the rounding floor of the steps of an ill-conditioned fit)
MU_MIN, MU_MAX, XTOL = 1e-12, 1e12, 1e-10


@dataclass(frozen=True)
class Network:
    """The multilayer perceptron ``sizes[0] -> ... -> sizes[-1]``: ``activation`` between the
    layers, ``output`` after the last (the defaults are the conditional horn's).

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

    def init(self, seed: int, name: str = "conditional/init") -> Array:
        """Seeded initialisation as PyTorch's ``nn.Linear`` default: weights and biases uniform
        in +-1/sqrt(fan_in), drawn from the random stream ``name`` (the conditional horn's by
        default; each network of the pipeline has its own)."""
        rng = stream(seed, name)
        parts = []
        for o, i in self.shapes:
            bound = 1.0 / np.sqrt(i)
            parts += [rng.uniform(-bound, bound, o * i), rng.uniform(-bound, bound, o)]
        return np.concatenate(parts)

    def forward(self, theta: ArrayLike, x: ArrayLike) -> tuple[Array, list[Array]]:
        """Outputs ``(sizes[-1], n)`` and the activations that backpropagation needs. The
        inputs ``x`` are ``(sizes[0], n)`` (any shape of n values when ``sizes[0]`` is 1)."""
        layers = self.unpack(theta)
        a = np.atleast_1d(np.asarray(x, dtype=np.float64))
        if self.sizes[0] == 1:
            a = a.reshape(1, -1)
        elif a.ndim != 2 or a.shape[0] != self.sizes[0]:
            raise ValueError(
                f"inputs must have shape ({self.sizes[0]}, n) for sizes {self.sizes}, got {a.shape}"
            )
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
        parameters' partial derivatives (:meth:`residual_jacobian` of each output alone)."""
        k, n = self.sizes[-1], acts[0].shape[1]
        units = [np.repeat(np.eye(k)[:, [j]], n, axis=1) for j in range(k)]
        jt = self.residual_jacobian(theta, acts, units).T  # (n_params, k n)
        return jt.reshape(self.n_params, k, n).transpose(1, 0, 2)

    def residual_jacobian(self, theta: ArrayLike, acts: list[Array], grad_outs) -> Array:
        """The Jacobian ``(len(grad_outs) * n, n_params)`` of residuals made of the outputs:
        block m holds, per point, the gradient of ``sum_k grad_outs[m][k] * outputs[k]`` (each
        ``grad_outs[m]`` is ``(sizes[-1], n)``, constant in theta).

        This is backpropagation that keeps the point axis, written straight into the transposed
        Jacobian (C-ordered ``(n_params, M n)``; the result is its transpose, a view), so the
        Gauss-Newton products ``J^T J`` and ``J^T r`` read it contiguously and nothing is
        copied. The activations' slopes are computed once for all blocks.
        """
        layers = self.unpack(theta)
        n = acts[0].shape[1]
        jt = np.empty((self.n_params, len(grad_outs) * n))
        starts = np.cumsum([0] + [o * i + o for o, i in self.shapes])
        slopes = [_slope(self.activation, a) for a in acts[1:-1]]  # slopes[j]: after layer j
        for m, grad_out in enumerate(grad_outs):
            block = jt[:, m * n : (m + 1) * n]
            g = grad_out * acts[-1] if self.output == "exp" else np.asarray(grad_out)
            for j in range(len(layers) - 1, -1, -1):
                w, _ = layers[j]
                o, i = self.shapes[j]
                if j < len(layers) - 1:
                    g = g * slopes[j]
                k = starts[j]
                for a in range(o):  # the weights' rows: g[a] times the layer's inputs
                    np.multiply(g[a], acts[j], out=block[k + a * i : k + (a + 1) * i])
                block[k + o * i : k + o * i + o] = g
                if j:
                    g = w.T @ g
        return jt.T

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


class Adam:
    """The state of full-batch Adam (Kingma and Ba 2015, Algorithm 1) over ``steps`` steps with a
    cosine decay of the step from ``learning_rate`` to 0; :meth:`step` takes one. Shared by
    :func:`adam` and the encoder's steps inside target propagation."""

    def __init__(self, size: int, *, learning_rate: float, steps: int) -> None:
        self.m, self.v = np.zeros(size), np.zeros(size)
        self.t, self.learning_rate, self.steps = 0, learning_rate, steps

    def step(self, theta: Array, g: Array) -> None:
        """Move ``theta`` (in place) one step against the gradient ``g``."""
        self.t += 1
        t = self.t
        self.m = ADAM_BETA1 * self.m + (1.0 - ADAM_BETA1) * g
        self.v = ADAM_BETA2 * self.v + (1.0 - ADAM_BETA2) * g * g
        rate = self.learning_rate * 0.5 * (1.0 + np.cos(np.pi * (t - 1) / self.steps))
        m_hat = self.m / (1.0 - ADAM_BETA1**t)
        v_hat = self.v / (1.0 - ADAM_BETA2**t)
        theta -= rate * m_hat / (np.sqrt(v_hat) + ADAM_EPS)


def adam(
    objective: Objective, theta0: ArrayLike, *, learning_rate: float, steps: int
) -> tuple[Array, Array]:
    """Full-batch Adam with a cosine decay of the step from ``learning_rate`` to 0 over ``steps``.

    Returns the final parameters and the losses before each step and after the last
    (``steps + 1`` values). Deterministic: no sampling, no minibatches.
    """
    theta = np.array(theta0, dtype=np.float64)
    state = Adam(theta.size, learning_rate=learning_rate, steps=steps)
    losses = np.empty(steps + 1)
    for t in range(steps):
        losses[t], g = objective(theta)
        state.step(theta, g)
    losses[steps] = objective(theta)[0]
    return theta, losses


def lbfgs_steps(objective: Objective, theta0: ArrayLike, *, steps: int) -> tuple[Array, Array]:
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
            theta, phase_losses = lbfgs_steps(penalised, theta, steps=phase["steps"])
        elif method == "levenberg_marquardt" and residuals is not None:
            theta, phase_losses = levenberg_marquardt(
                residuals, theta, steps=phase["steps"], weight_decay=weight_decay
            )
        elif method == "levenberg_marquardt":
            raise ValueError("the levenberg_marquardt phase needs the residuals of the objective")
        else:
            raise ValueError(f"unknown training method {method!r}; allowed: {list(TRAINERS)}")
        losses.append(phase_losses[1:])
    loss = np.concatenate(losses)
    return theta, {"step": np.arange(loss.size, dtype=np.int64), "loss": loss}
