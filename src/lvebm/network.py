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
is the loss: Adam with a cosine-decayed step, L-BFGS (lvebm.quasi_newton) for a budget of steps
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

from lvebm import portable
from lvebm.data import stream
from lvebm.quasi_newton import lbfgs_fit

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
# the bits of J^T J that Levenberg-Marquardt computes (its step; the gradient has all 53): with
# 18, each J entry kept to 18 bits below its parameter's largest, the exact J^T J is one slice
# product through BLAS for up to 2^15 residuals (portable.gauss_newton), against two at 36. The
# steps then follow a Gauss-Newton matrix within about 1e-5 of J^T J; where they stop is where
# the gradient (53 bits) vanishes: the conditional horn's fit ends at the same loss to 1e-15
# (271 steps against 267; bench/README.md)
GRAM_BITS = 18


@dataclass(frozen=True)
class Network:
    """The multilayer perceptron ``sizes[0] -> ... -> sizes[-1]``.

    ``activation`` between the layers, ``output`` after the last (the defaults are the
    conditional horn's). A frozen record; its parameters are not stored in it but passed to its
    methods as one flat vector theta (per layer the weight matrix row-major, then the bias).
    Calling it, ``net(theta, x)``, gives f(x), shape ``(sizes[-1], n)``.

    Parameters
    ----------
    sizes : tuple of int, optional
        The layer widths ``(d, h1, ..., k)``, at least two, each >= 1 (the lecture's
        1 -> 8 -> 8 -> 2).
    activation : str, optional
        The activation between the layers: ``"relu"`` (the lecture's), ``"tanh"`` (the
        default) or ``"softplus"``.
    output : str, optional
        The output after the last layer: ``"linear"`` or ``"exp"`` (the default: positive
        outputs, the radii).

    Raises
    ------
    ValueError
        If ``sizes`` has fewer than two widths or one < 1, or ``activation`` or ``output`` is not
        one of the allowed names.

    Examples
    --------
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
        """(outputs, inputs) of each Linear layer.

        Returns
        -------
        list of tuple of int
            ``(sizes[j + 1], sizes[j])`` for each layer j, the shape of its weight matrix.

        Examples
        --------
        >>> Network((1, 8, 8, 2)).shapes
        [(8, 1), (8, 8), (2, 8)]
        """
        return list(zip(self.sizes[1:], self.sizes[:-1], strict=True))

    @property
    def n_params(self) -> int:
        """The number of parameters: the size of the flat vector theta.

        Returns
        -------
        int
            sum over the layers of outputs x inputs (the weights) + outputs (the biases).

        Examples
        --------
        >>> Network((1, 8, 8, 2)).n_params  # 16 + 72 + 18
        106
        """
        return sum(o * i + o for o, i in self.shapes)

    def unpack(self, theta: ArrayLike) -> list[tuple[Array, Array]]:
        """The (weight, bias) views of each layer in the flat vector ``theta``.

        Parameters
        ----------
        theta : array_like
            The parameters, shape ``(n_params,)``.

        Returns
        -------
        list of tuple of ndarray
            Per layer, the weight matrix ``(outputs, inputs)`` and the bias ``(outputs,)``: views
            of ``theta`` (when it is already a float64 array).

        Raises
        ------
        ValueError
            If ``theta`` does not have shape ``(n_params,)``.

        Examples
        --------
        >>> net = Network((1, 8, 8, 2))
        >>> [(w.shape, b.shape) for w, b in net.unpack(np.zeros(net.n_params))]
        [((8, 1), (8,)), ((8, 8), (8,)), ((2, 8), (2,))]
        """
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
        """Seeded initialisation as PyTorch's ``nn.Linear`` default.

        Weights and biases uniform in +-1/sqrt(fan_in), drawn from the random stream ``name``
        (the conditional horn's by default; each network of the pipeline has its own).

        Parameters
        ----------
        seed : int
            The seed of the random stream, >= 0 (the pipeline's 709).
        name : str, optional
            The random stream's name (``"conditional/init"``).

        Returns
        -------
        ndarray
            The parameters theta, shape ``(n_params,)``.

        Raises
        ------
        TypeError
            If ``seed`` is not an integer.
        ValueError
            If ``seed`` is negative.

        Examples
        --------
        >>> net = Network((1, 8, 8, 2))
        >>> theta = net.init(seed=0)
        >>> theta.shape, theta[:3].round(4).tolist()
        ((106,), [0.8833, -0.7531, -0.8177])
        """
        rng = stream(seed, name)
        parts = []
        for o, i in self.shapes:
            bound = 1.0 / np.sqrt(i)
            parts += [rng.uniform(-bound, bound, o * i), rng.uniform(-bound, bound, o)]
        return np.concatenate(parts)

    def forward(self, theta: ArrayLike, x: ArrayLike) -> tuple[Array, list[Array]]:
        """Outputs ``(sizes[-1], n)`` and the activations that backpropagation needs.

        Parameters
        ----------
        theta : array_like
            The parameters, shape ``(n_params,)``.
        x : array_like
            The inputs, ``(sizes[0], n)`` (any shape of n values when ``sizes[0]`` is 1).

        Returns
        -------
        outputs : ndarray
            f(x), shape ``(sizes[-1], n)``.
        acts : list of ndarray
            The inputs ``(sizes[0], n)`` and each layer's output after its activation (the last:
            the outputs), ``(sizes[j], n)``: what :meth:`backward` and :meth:`jacobian` take.

        Raises
        ------
        ValueError
            If ``theta`` does not have shape ``(n_params,)``, or ``x`` is not ``(sizes[0], n)``
            (for ``sizes[0]`` > 1).

        Examples
        --------
        >>> net = Network((1, 8, 8, 2))
        >>> out, acts = net.forward(net.init(seed=0), [0.0, 0.5, 1.0])
        >>> out.round(4).tolist(), [a.shape for a in acts]
        ([[1.337, 1.263, 1.2047], [0.786, 0.8007, 0.8237]], [(1, 3), (8, 3), (8, 3), (2, 3)])
        """
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
            a = portable.matmul(w, a) + b[:, None]
            if j < len(layers) - 1:
                a = _activate(self.activation, a)
            elif self.output == "exp":
                a = portable.exp(a)
            acts.append(a)
        return a, acts

    @property
    def baseline(self) -> Network:
        """The same layers with a linear output.

        The regression baseline predicts a point y, which may be negative, where the latent model
        predicts radii.

        Returns
        -------
        Network
            The network of the same ``sizes`` and ``activation``, with ``output="linear"``; it
            takes the same parameters theta.

        Examples
        --------
        >>> Network((1, 8, 8, 2)).baseline
        Network(sizes=(1, 8, 8, 2), activation='tanh', output='linear')
        """
        return Network(self.sizes, self.activation, "linear")

    def __call__(self, theta: ArrayLike, x: ArrayLike) -> Array:
        """f(x), shape ``(sizes[-1], n)``."""
        return self.forward(theta, x)[0]

    def backward(self, theta: ArrayLike, acts: list[Array], grad_out: Array) -> Array:
        """d(loss)/d(theta) given d(loss)/d(outputs) ``(sizes[-1], n)`` (backpropagation).

        Parameters
        ----------
        theta : array_like
            The parameters, shape ``(n_params,)``.
        acts : list of ndarray
            The activations of :meth:`forward` at ``theta``.
        grad_out : ndarray
            d(loss)/d(outputs), shape ``(sizes[-1], n)``.

        Returns
        -------
        ndarray
            d(loss)/d(theta), shape ``(n_params,)``, summed over the points.

        Raises
        ------
        ValueError
            If ``theta`` does not have shape ``(n_params,)``.

        Examples
        --------
        The gradient of the sum of the outputs is the Jacobian's sum:

        >>> net = Network((1, 8, 8, 2))
        >>> theta = net.init(seed=0)
        >>> out, acts = net.forward(theta, [0.0, 0.5, 1.0])
        >>> g = net.backward(theta, acts, np.ones_like(out))
        >>> g.shape, bool(np.allclose(g, net.jacobian(theta, acts).sum(axis=(0, 2))))
        ((106,), True)
        """
        layers = self.unpack(theta)
        grads: list[Array] = []
        g = grad_out * acts[-1] if self.output == "exp" else grad_out
        for j in range(len(layers) - 1, -1, -1):
            w, _ = layers[j]
            if j < len(layers) - 1:
                g = g * _slope(self.activation, acts[j + 1])
            grads += [g.sum(axis=1), portable.dot_rows(g, acts[j]).ravel()]
            if j:  # the first layer's inputs have no parameters: no gradient to pass on
                g = portable.matmul(w.T, g)
        return np.concatenate(grads[::-1])

    def jacobian(self, theta: ArrayLike, acts: list[Array]) -> Array:
        """d(outputs)/d(theta), shape ``(sizes[-1], n_params, n)``.

        Per output and point, the parameters' partial derivatives (:meth:`residual_jacobian` of
        each output alone).

        Parameters
        ----------
        theta : array_like
            The parameters, shape ``(n_params,)``.
        acts : list of ndarray
            The activations of :meth:`forward` at ``theta``.

        Returns
        -------
        ndarray
            d(outputs[k, i])/d(theta[p]) at ``[k, p, i]``, shape ``(sizes[-1], n_params, n)``.

        Raises
        ------
        ValueError
            If ``theta`` does not have shape ``(n_params,)``.

        Examples
        --------
        >>> net = Network((1, 8, 8, 2))
        >>> theta = net.init(seed=0)
        >>> _, acts = net.forward(theta, [0.0, 0.5, 1.0])
        >>> net.jacobian(theta, acts).shape
        (2, 106, 3)
        """
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

        Parameters
        ----------
        theta : array_like
            The parameters, shape ``(n_params,)``.
        acts : list of ndarray
            The activations of :meth:`forward` at ``theta``.
        grad_outs : sequence of ndarray
            The M residuals' coefficients, each ``(sizes[-1], n)``, constant in theta.

        Returns
        -------
        ndarray
            The Jacobian, shape ``(M n, n_params)``: row ``m n + i`` is the gradient of residual
            m at point i (a transposed view of a C-ordered array).

        Raises
        ------
        ValueError
            If ``theta`` does not have shape ``(n_params,)``.

        Examples
        --------
        One block of all ones: its rows sum to the gradient of the sum of the outputs.

        >>> net = Network((1, 8, 8, 2))
        >>> theta = net.init(seed=0)
        >>> out, acts = net.forward(theta, [0.0, 0.5, 1.0])
        >>> J = net.residual_jacobian(theta, acts, [np.ones((2, 3))])
        >>> J.shape, bool(np.allclose(J.sum(axis=0), net.backward(theta, acts, np.ones_like(out))))
        ((3, 106), True)
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
                    g = portable.matmul(w.T, g)
        return jt.T

    def table(self, theta: ArrayLike, model: str) -> dict[str, np.ndarray]:
        """The parameters as rows ``model, layer, name, index, value``.

        Parameters
        ----------
        theta : array_like
            The parameters, shape ``(n_params,)``.
        model : str
            The model's name, on every row (a table may hold several models).

        Returns
        -------
        dict of str to ndarray
            Columns ``model, layer, name, index, value``, one row per parameter, in theta's
            order: the model's name, the layer (from 1), ``"weight"`` or ``"bias"``, the flat
            row-major position in its weight or bias, and the value.

        Raises
        ------
        ValueError
            If ``theta`` does not have shape ``(n_params,)``.

        Examples
        --------
        >>> net = Network((1, 8, 8, 2))
        >>> rows = net.table(net.init(seed=0), "f")
        >>> sorted(rows), rows["value"].size, rows["name"][:2].tolist()
        (['index', 'layer', 'model', 'name', 'value'], 106, ['weight', 'weight'])
        """
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
        """The flat parameter vector of ``model`` from a :meth:`table` (rows in any order).

        Parameters
        ----------
        table : Mapping of str to ndarray
            A parameter table, columns ``model, layer, name, index, value`` (:meth:`table`'s),
            possibly of several models.
        model : str
            The model whose parameters to read.

        Returns
        -------
        ndarray
            The parameters theta, shape ``(n_params,)``.

        Raises
        ------
        ValueError
            If the table does not have exactly ``n_params`` rows of ``model``.

        Examples
        --------
        >>> net = Network((1, 8, 8, 2))
        >>> theta = net.init(seed=0)
        >>> bool(np.array_equal(net.from_table(net.table(theta, "f"), "f"), theta))
        True
        """
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
        return portable.tanh(a)
    return portable.softplus(a)


def _slope(name: str, post: Array) -> Array:
    """The activation's derivative, from its output."""
    if name == "relu":
        return post > 0.0
    if name == "tanh":
        return 1.0 - post * post
    return -portable.expm1(-post)  # softplus: sigmoid(a) = 1 - exp(-softplus(a))


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
    in the last bits (another CPU's kernels) end at the same point.

    Parameters
    ----------
    residuals : callable
        ``residuals(theta, jacobian)``: the residuals r (1-D) and, if ``jacobian`` is true,
        dr/dtheta ``(len(r), len(theta))`` (else ``None``); the loss is r . r.
    theta0 : array_like
        The starting parameters, 1-D.
    steps : int
        The most steps taken.
    weight_decay : float, optional
        lambda, the weight decay's coefficient (0 by default: none).

    Returns
    -------
    theta : ndarray
        The parameters it ended at.
    losses : ndarray
        The loss (with the weight decay) at the start and after each step taken: at most
        ``steps + 1`` values.

    Examples
    --------
    A straight line through (0, 1), (1, 3), (2, 5), to rounding:

    >>> x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0])
    >>> def residuals(theta, jacobian):
    ...     J = np.column_stack([np.ones_like(x), x])
    ...     return J @ theta - y, J if jacobian else None
    >>> theta, losses = levenberg_marquardt(residuals, [0.0, 0.0], steps=50)
    >>> theta.round(6).tolist(), float(losses[0]), bool(losses[-1] < 1e-20)
    ([1.0, 2.0], 35.0, True)
    """
    theta = np.array(theta0, dtype=np.float64)
    r, jac = residuals(theta, True)
    loss = float(portable.dot(r, r) + weight_decay * portable.dot(theta, theta))
    losses, mu = [loss], 1e-3
    while len(losses) <= steps:
        # J^T r and J^T J summed so that no BLAS kernel changes a bit (Gauss-Newton's matrix
        # needs GRAM_BITS; the gradient, where the minimum is, all 53)
        h, g = portable.gauss_newton(jac, r, gram_bits=GRAM_BITS)
        g += weight_decay * theta
        h[np.diag_indices_from(h)] += weight_decay
        scaling = np.diag(h).copy() + np.finfo(np.float64).tiny
        while mu <= MU_MAX:
            a = h.copy()
            a[np.diag_indices_from(a)] += mu * scaling
            step = portable.solve(a, -g)
            trial = theta + step
            rt, _ = residuals(trial, False)
            lt = float(portable.dot(rt, rt) + weight_decay * portable.dot(trial, trial))
            if lt <= loss:
                break
            mu *= 4.0
        else:
            break  # no step keeps the loss: the minimum to rounding
        theta, mu = trial, max(mu / 3.0, MU_MIN)
        losses.append(lt)
        if np.sqrt(portable.dot(step, step)) <= XTOL * np.sqrt(portable.dot(theta, theta)):
            break
        loss = lt
        r, jac = residuals(theta, True)
    return theta, np.asarray(losses)


def with_weight_decay(objective: Objective, weight_decay: float) -> Objective:
    """``objective`` plus ``weight_decay |theta|^2`` and its gradient.

    Parameters
    ----------
    objective : callable
        ``objective(theta)``: the loss (float) and its gradient (ndarray).
    weight_decay : float
        lambda, the weight decay's coefficient; 0 returns ``objective`` itself.

    Returns
    -------
    callable
        ``theta -> (loss + lambda |theta|^2, gradient + 2 lambda theta)``.

    Examples
    --------
    >>> penalised = with_weight_decay(lambda t: (float(t @ t), 2.0 * t), 0.5)
    >>> loss, gradient = penalised(np.array([1.0, 2.0]))
    >>> loss, gradient.tolist()
    (7.5, [3.0, 6.0])
    """
    if not weight_decay:
        return objective

    def penalised(theta: Array) -> tuple[float, Array]:
        loss, grad = objective(theta)
        return (
            loss + weight_decay * float(portable.dot(theta, theta)),
            grad + 2.0 * weight_decay * theta,
        )

    return penalised


class Adam:
    """The state of full-batch Adam (Kingma and Ba 2015, Algorithm 1).

    Over ``steps`` steps with a cosine decay of the step from ``learning_rate`` to 0;
    :meth:`step` takes one. Shared by :func:`adam` and the encoder's steps inside target
    propagation. The state is the moment estimates ``m`` and ``v`` and the step count ``t``.

    Parameters
    ----------
    size : int
        The number of parameters.
    learning_rate : float
        The first step's size; step t (from 1) has
        ``learning_rate (1 + cos(pi (t - 1) / steps)) / 2``.
    steps : int
        The number of steps the cosine decay spans.

    Examples
    --------
    >>> state = Adam(2, learning_rate=0.1, steps=10)
    >>> theta = np.array([1.0, -1.0])
    >>> state.step(theta, np.array([2.0, -2.0])); theta.round(4).tolist(), state.t
    ([0.9, -0.9], 1)
    """

    def __init__(self, size: int, *, learning_rate: float, steps: int) -> None:
        self.m, self.v = np.zeros(size), np.zeros(size)
        self.t, self.learning_rate, self.steps = 0, learning_rate, steps
        self.beta1_t, self.beta2_t = 1.0, 1.0  # ADAM_BETA1^t and ADAM_BETA2^t

    def step(self, theta: Array, g: Array) -> None:
        """Move ``theta`` (in place) one step against the gradient ``g``.

        Parameters
        ----------
        theta : ndarray
            The parameters, float64, moved in place.
        g : ndarray
            The loss's gradient at ``theta``, of its shape.

        Examples
        --------
        The first step moves each parameter by the learning rate, against its gradient's sign:

        >>> state = Adam(2, learning_rate=0.1, steps=10)
        >>> theta = np.zeros(2)
        >>> state.step(theta, np.array([3.0, -0.5])); theta.round(4).tolist()
        [-0.1, 0.1]
        """
        self.t += 1
        t = self.t
        # beta^t as a running product (a float's ** is libm's pow, whose last bit is the platform's)
        self.beta1_t *= ADAM_BETA1
        self.beta2_t *= ADAM_BETA2
        self.m = ADAM_BETA1 * self.m + (1.0 - ADAM_BETA1) * g
        self.v = ADAM_BETA2 * self.v + (1.0 - ADAM_BETA2) * g * g
        rate = self.learning_rate * 0.5 * (1.0 + portable.cos(np.pi * (t - 1) / self.steps))
        m_hat = self.m / (1.0 - self.beta1_t)
        v_hat = self.v / (1.0 - self.beta2_t)
        theta -= rate * m_hat / (np.sqrt(v_hat) + ADAM_EPS)


def adam(
    objective: Objective, theta0: ArrayLike, *, learning_rate: float, steps: int
) -> tuple[Array, Array]:
    """Full-batch Adam with a cosine decay of the step from ``learning_rate`` to 0 over ``steps``.

    Deterministic: no sampling, no minibatches.

    Parameters
    ----------
    objective : callable
        ``objective(theta)``: the loss (float) and its gradient (ndarray).
    theta0 : array_like
        The starting parameters, 1-D.
    learning_rate : float
        The first step's size (see :class:`Adam`).
    steps : int
        The number of steps.

    Returns
    -------
    theta : ndarray
        The final parameters.
    losses : ndarray
        The losses before each step and after the last (``steps + 1`` values).

    Examples
    --------
    >>> theta, losses = adam(lambda t: (float((t - 3) @ (t - 3)), 2.0 * (t - 3)), [0.0],
    ...     learning_rate=0.5, steps=100)
    >>> round(float(theta[0]), 2), losses.size
    (3.0, 101)
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
    """L-BFGS (:func:`lvebm.quasi_newton.lbfgs_fit`) for at most ``steps`` iterations.

    The tolerances are at zero: the step budget decides.

    Parameters
    ----------
    objective : callable
        ``objective(theta)``: the loss (float) and its gradient (ndarray).
    theta0 : array_like
        The starting parameters, 1-D.
    steps : int
        The most iterations.

    Returns
    -------
    theta : ndarray
        The final parameters.
    losses : ndarray
        The loss at the start and after each iteration (fewer than ``steps + 1`` values when
        an iteration lowers nothing, for example at an exact minimum).

    Examples
    --------
    >>> theta, losses = lbfgs_steps(lambda t: (float((t - 3) @ (t - 3)), 2.0 * (t - 3)), [0.0],
    ...     steps=5)
    >>> theta.tolist(), losses.tolist()
    ([3.0], [9.0, 4.0, 0.0])
    """
    theta = np.array(theta0, dtype=np.float64)
    losses = [float(objective(theta)[0])]
    # gtol 0 and ftol 0: only the step budget stops it, or an iteration that lowers nothing
    result = lbfgs_fit(objective, theta, gtol=0.0, max_iter=steps)
    losses += [value for _, value in result.path]
    return result.x, np.asarray(losses)


def train(
    objective: Objective,
    theta0: ArrayLike,
    schedule: Sequence[Mapping],
    *,
    residuals: Residuals | None = None,
    weight_decay: float = 0.0,
) -> tuple[Array, dict[str, np.ndarray]]:
    """Run the schedule's phases in order, each from where the last stopped.

    Each phase is ``{method, steps[, learning_rate]}``, on ``objective`` plus
    ``weight_decay |theta|^2`` (``levenberg_marquardt`` works on ``residuals``, whose squared
    norm is the objective).

    Parameters
    ----------
    objective : callable
        ``objective(theta)``: the loss (float) and its gradient (ndarray).
    theta0 : array_like
        The starting parameters, 1-D.
    schedule : sequence of Mapping
        The phases: each a mapping with ``method`` (one of ``TRAINERS``: ``"adam"``,
        ``"lbfgs"``, ``"levenberg_marquardt"``), ``steps`` and, for ``"adam"``,
        ``learning_rate``.
    residuals : callable, optional
        ``residuals(theta, jacobian)`` (see :func:`levenberg_marquardt`), whose squared norm is
        the objective; needed by a ``levenberg_marquardt`` phase only.
    weight_decay : float, optional
        lambda, the weight decay's coefficient (0 by default: none).

    Returns
    -------
    theta : ndarray
        The parameters the last phase ended at.
    trajectory : dict of str to ndarray
        Columns ``step, loss``: step 0 is the start; steps count on across phases; the loss
        includes the weight decay.

    Raises
    ------
    ValueError
        If a phase's method is unknown, or a ``levenberg_marquardt`` phase has no
        ``residuals`` (the phases before it have run).
    KeyError
        If a phase lacks ``method``, ``steps`` or (for ``"adam"``) ``learning_rate``.

    Examples
    --------
    >>> def objective(t):
    ...     return float((t - 3) @ (t - 3)), 2.0 * (t - 3)
    >>> schedule = [{"method": "adam", "steps": 20, "learning_rate": 0.5},
    ...     {"method": "lbfgs", "steps": 5}]
    >>> theta, trajectory = train(objective, [0.0], schedule)
    >>> theta.tolist(), trajectory["step"].size, float(trajectory["loss"][0])
    ([3.0], 23, 9.0)
    """
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
