"""Amortized inference on the ellipse: an encoder that guesses the latent, and target propagation.

Every optimizer of :mod:`lvebm.optimize` searches z from scratch for each y. An encoder
``z_tilde = Enc(y)`` replaces the search by a guess (NYU DLSP21 week 8 part 3; the course's
sequel to this week, on the same ellipse). Here it is a network of :mod:`lvebm.network`
``y -> (a, b)`` read as the direction ``(cos z_tilde, sin z_tilde) = (a, b) / |(a, b)|``: a
periodic output, so z_tilde has no seam of its own at 0 = 2 pi.

The periodic distance between two latents is ``D(z, z') = 1 - cos(z - z') = |u(z) - u(z')|^2 / 2``
with ``u(z) = (cos z, sin z)``. The encoder is trained three ways, each loss with its analytic
gradient (backpropagation through the normalisation, checked against finite differences):

- ``supervised``: minimise mean D(z_check(y), z_tilde(y)) over points y, with z_check the exact
  solver's minimiser (:func:`lvebm.exact.free_energy_exact`);
- ``energy`` (label-free, the autoencoder reading): minimise mean E(y, z_tilde(y)) over the
  encoder. Since F_inf(y) <= E(y, z_tilde), this is the mean amortization gap plus a constant;
- :func:`target_propagation` trains the decoder and the encoder together (below).

Both encoder losses are sums of squares, so :func:`lvebm.network.train` ends them with
Levenberg-Marquardt on their residuals, like the conditional horn.

What the toy shows. z_check jumps across the ridge of F_inf (the segment of the major axis inside
the evolute, where two mirror minimisers tie: :func:`lvebm.exact.ridge_distance`), by pi at the
centre. A continuous encoder cannot jump: its gap ``G(y) = E(y, z_tilde) - F_inf(y) >= 0`` is
large in a band around the ridge and small everywhere else, so the gap map draws the ridge.

Target propagation (the lecture's loop). From the untrained decoder, at each step: z_tilde =
Enc(y_i); ``z_check_i = argmin_z E(y_i, z) + lambda D(z, z_tilde_i)``; one gradient step of the
decoder on the reconstruction ``C = mean |y_i - g(z_check_i)|^2`` (z_check held); one Adam step of
the encoder on ``mean D(z_check_i, z_tilde_i)``. The inner minimum has a closed form: per axis j,

    (y_j - w_j c_j)^2 + (lambda / 2) (c_j - u_j)^2 = (y'_j - w'_j c_j)^2 + const,
    w'_j = sign(w_j) sqrt(w_j^2 + lambda / 2),   y'_j = (w_j y_j + lambda u_j / 2) / w'_j,

with ``c = (cos z, sin z)`` and ``u = u(z_tilde)``, so ``z_check`` is the exact solver's minimiser
for the ellipse (w'_1, w'_2) at the point y' (:func:`regularized_latent`): the global minimum of
the regularised energy, which a search started at z_tilde reaches whenever it is in z_tilde's
basin. At a fixed point the encoder predicts z_check, the D term's gradient vanishes there, z_check
is a minimiser of E, and the decoder's step is the energy loss's gradient (the envelope theorem):
target propagation ends where the cold training of :mod:`lvebm.training` ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from lvebm import portable
from lvebm.arguments import count, finite_samples, real_number, real_points
from lvebm.data import stream
from lvebm.exact import free_energy_ellipses, free_energy_exact, ridge_distance
from lvebm.inference import infer, summarize
from lvebm.methods import ITERATIVE
from lvebm.model import Decoder, decoder_argument
from lvebm.network import Adam, Array, Network, Objective, Residuals, train

ENCODER_TRAININGS = ("supervised", "energy")  # the encoders' trainings on the mesh's box
# each training's default schedule, config.yaml's (amortized.schedule): Adam finds the basin,
# Levenberg-Marquardt converges in it; the label-free loss trains to a step budget
SCHEDULES = {
    "supervised": (
        {"method": "adam", "steps": 1000, "learning_rate": 0.01},
        {"method": "levenberg_marquardt", "steps": 1000},
    ),
    "energy": ({"method": "adam", "steps": 6000, "learning_rate": 0.02},),
}
START = Decoder(-1.45, 0.36)  # the lecture's untrained decoder
TWO_PI = 2.0 * np.pi
# an encoder as the stage's tables use it: points (y1, y2) -> z_tilde, one per point
Guess = Callable[[ArrayLike, ArrayLike], Array]


def encoder_network(hidden: Sequence[int] = (16, 16), activation: str = "tanh") -> Network:
    """The encoder's network y -> (a, b): 2 inputs, the hidden layers, 2 linear outputs.

    The output (a, b) is read as the direction (cos z_tilde, sin z_tilde) = (a, b) / |(a, b)|
    (:func:`latent_guess`).

    Parameters
    ----------
    hidden : sequence of int, optional
        The hidden layers' widths (the pipeline's 16, 16).
    activation : str, optional
        The hidden layers' activation, ``tanh`` (the default) or ``relu``.

    Returns
    -------
    Network
        The network (2, *hidden, 2), its output layer linear.

    Raises
    ------
    ValueError
        If a width is not positive or the activation is unknown (:class:`lvebm.network.Network`).

    Examples
    --------
    >>> net = encoder_network()
    >>> net.sizes, net.n_params
    ((2, 16, 16, 2), 354)
    """
    return Network((2, *hidden, 2), activation, "linear")


def _inputs(y1: ArrayLike, y2: ArrayLike) -> tuple[Array, Array, Array]:
    y1, y2 = (a.ravel() for a in real_points(y1=y1, y2=y2))
    return y1, y2, np.stack([y1, y2])


def latent_guess(net: Network, theta: ArrayLike, y1: ArrayLike, y2: ArrayLike) -> Array:
    """The encoder's guess z_tilde = atan2(b, a) in [0, 2 pi) of its output (a, b), one per point.

    Parameters
    ----------
    net : Network
        The encoder's network (:func:`encoder_network`).
    theta : array_like
        The network's parameters (flat, as :meth:`Network.init` gives them).
    y1, y2 : array_like
        The points' coordinates, broadcast together (flattened).

    Returns
    -------
    ndarray
        z_tilde, flat, one per point.

    Raises
    ------
    ValueError
        If the points are not real numbers or cannot be broadcast together.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> latent_guess(net, net.init(0), [1.0, -1.0], [0.0, 0.5]).shape
    (2,)
    """
    _, _, y = _inputs(y1, y2)
    out = net(theta, y)
    z = np.mod(portable.arctan2(out[1], out[0]), TWO_PI)
    z[z >= TWO_PI] = 0.0
    return z


def guesser(net: Network, theta: ArrayLike) -> Guess:
    """The encoder with parameters ``theta`` as a function (y1, y2) -> z_tilde.

    Parameters
    ----------
    net : Network
        The encoder's network (:func:`encoder_network`).
    theta : array_like
        The network's parameters (copied).

    Returns
    -------
    callable
        ``guess(y1, y2)``, :func:`latent_guess` with these parameters.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> guess = guesser(net, net.init(0))
    >>> guess([1.0, 0.0], [0.0, 1.0]).shape
    (2,)
    """
    theta = np.array(theta, dtype=np.float64)
    return lambda y1, y2: latent_guess(net, theta, y1, y2)


def periodic_distance(z: ArrayLike, z_tilde: ArrayLike) -> Array:
    """The periodic distance D(z, z_tilde) = 1 - cos(z - z_tilde) between latents.

    D = |u(z) - u(z_tilde)|^2 / 2 with u(z) = (cos z, sin z): 0 at equal angles (modulo 2 pi), 2 at
    opposite ones.

    Parameters
    ----------
    z, z_tilde : array_like
        The latents, broadcast together.

    Returns
    -------
    ndarray
        D, in their broadcast shape.

    Examples
    --------
    >>> periodic_distance([0.0, np.pi, TWO_PI], 0.0).round(12).tolist()
    [0.0, 2.0, 0.0]
    """
    return 1.0 - portable.cos(
        np.asarray(z, dtype=np.float64) - np.asarray(z_tilde, dtype=np.float64)
    )


def _directions(net: Network, theta: Array, y: Array) -> tuple[Array, Array, list[Array]]:
    """The outputs' directions u = (a, b) / |(a, b)| = (cos z_tilde, sin z_tilde), the norms
    |(a, b)| and the activations that backpropagation needs."""
    out, acts = net.forward(theta, y)
    norm = portable.hypot(out[0], out[1])
    return out / norm, norm, acts


def _distance(target: Array, u: Array, norm: Array) -> tuple[float, Array]:
    """mean D(target, z_tilde) = mean |target - u|^2 / 2 over the points, and its derivative with
    respect to the outputs (a, b): d/du = -(target - u) / n, projected on the circle's tangent,
    since du/d(a, b) = (I - u u^T) / |(a, b)|."""
    n = u.shape[1]
    d = target - u
    tangent = d - u * np.sum(u * d, axis=0)
    return 0.5 * float(np.sum(d * d)) / n, tangent / norm * (-1.0 / n)


def supervised_loss(net: Network, y1, y2, z_check) -> Objective:
    """The supervised loss theta -> (mean D(z_check_i, z_tilde_i), its gradient).

    Parameters
    ----------
    net : Network
        The encoder's network (:func:`encoder_network`).
    y1, y2 : array_like
        The points' coordinates, broadcast together (flattened).
    z_check : array_like
        The exact minimisers of the points (the targets), one per point.

    Returns
    -------
    callable
        ``objective(theta) -> (loss, gradient)``, the gradient by backpropagation through the
        normalisation (checked against finite differences in the tests).

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> loss, grad = supervised_loss(net, [1.0], [0.0], [0.0])(net.init(0))
    >>> 0.0 <= loss <= 2.0, grad.shape == (net.n_params,)
    (True, True)
    """
    _, _, y = _inputs(y1, y2)
    target = np.stack([portable.cos(z_check), portable.sin(z_check)])

    def objective(theta: Array) -> tuple[float, Array]:
        u, norm, acts = _directions(net, theta, y)
        loss, grad_out = _distance(target, u, norm)
        return loss, net.backward(theta, acts, grad_out)

    return objective


def supervised_residuals(net: Network, y1, y2, z_check) -> Residuals:
    """The supervised loss as residuals, for Levenberg-Marquardt.

    The residuals (u(z_check) - u(z_tilde)) / sqrt(2 n) (both components of every point), whose
    squared norm is the supervised loss, and their Jacobian.

    Parameters
    ----------
    net : Network
        The encoder's network (:func:`encoder_network`).
    y1, y2 : array_like
        The points' coordinates, broadcast together (flattened).
    z_check : array_like
        The exact minimisers of the points, one per point.

    Returns
    -------
    callable
        ``residuals(theta, jacobian=True) -> (r, J)`` (``J`` is None without ``jacobian``).

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> r, J = supervised_residuals(net, [1.0, 2.0], [0.0, 0.5], [0.0, 0.3])(net.init(0))
    >>> r.shape, J.shape
    ((4,), (4, 22))
    """
    _, _, y = _inputs(y1, y2)
    target = np.stack([portable.cos(z_check), portable.sin(z_check)])
    scale = 1.0 / np.sqrt(2.0 * y.shape[1])

    def residuals(theta: Array, jacobian: bool = True) -> tuple[Array, Array | None]:
        u, norm, acts = _directions(net, theta, y)
        r = (target - u).ravel() * scale
        if not jacobian:
            return r, None
        # du/d(a, b) = (I - u u^T) / |(a, b)|, per point
        cross, factor = -u[0] * u[1], -scale / norm
        du0 = np.stack([1.0 - u[0] * u[0], cross]) * factor
        du1 = np.stack([cross, 1.0 - u[1] * u[1]]) * factor
        return r, net.residual_jacobian(theta, acts, [du0, du1])

    return residuals


def _direction_and_slope(net: Network, theta: Array, y: Array):
    """cos z_tilde and sin z_tilde (the outputs' direction, :func:`_directions`: no arctan2 to
    form z_tilde, no cosine and sine to undo it), the activations, and
    dz_tilde/d(a, b) = (-b, a) / |(a, b)|^2 = (-sin z_tilde, cos z_tilde) / |(a, b)|."""
    u, norm, acts = _directions(net, theta, y)
    return u[0], u[1], acts, np.stack([-u[1], u[0]]) / norm


def energy_loss(net: Network, decoder: Decoder, y1, y2) -> Objective:
    """The label-free amortized energy theta -> (mean E(y_i, z_tilde_i), its gradient).

    Since F_inf(y) <= E(y, z_tilde), it is the mean amortization gap plus a constant.

    Parameters
    ----------
    net : Network
        The encoder's network (:func:`encoder_network`).
    decoder : Decoder
        The decoder whose energy the encoder's guesses are scored by.
    y1, y2 : array_like
        The points' coordinates, broadcast together (flattened).

    Returns
    -------
    callable
        ``objective(theta) -> (loss, gradient)``.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> loss, grad = energy_loss(net, Decoder(-1.45, 0.36), [1.0], [0.0])(net.init(0))
    >>> loss >= 0.0, grad.shape == (net.n_params,)
    (True, True)
    """
    y1, y2, y = _inputs(y1, y2)
    w1, w2, n = decoder.w1, decoder.w2, y1.size

    def objective(theta: Array) -> tuple[float, Array]:
        c, s, acts, slope = _direction_and_slope(net, theta, y)
        r1, r2 = y1 - w1 * c, y2 - w2 * s
        de_dz = 2.0 * (r1 * w1 * s - r2 * w2 * c)
        loss = float(np.sum(r1 * r1 + r2 * r2)) / n
        return loss, net.backward(theta, acts, slope * (de_dz / n))

    return objective


def energy_residuals(net: Network, decoder: Decoder, y1, y2) -> Residuals:
    """The amortized energy as residuals, for Levenberg-Marquardt.

    The residuals (y - g(z_tilde)) / sqrt(n), whose squared norm is the amortized energy, and their
    Jacobian through z_tilde.

    Parameters
    ----------
    net : Network
        The encoder's network (:func:`encoder_network`).
    decoder : Decoder
        The decoder whose energy the encoder's guesses are scored by.
    y1, y2 : array_like
        The points' coordinates, broadcast together (flattened).

    Returns
    -------
    callable
        ``residuals(theta, jacobian=True) -> (r, J)`` (``J`` is None without ``jacobian``).

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> r, J = energy_residuals(net, Decoder(-1.45, 0.36), [1.0, 2.0], [0.0, 0.5])(net.init(0))
    >>> r.shape, J.shape
    ((4,), (4, 22))
    """
    y1, y2, y = _inputs(y1, y2)
    w1, w2 = decoder.w1, decoder.w2
    scale = 1.0 / np.sqrt(y1.size)

    def residuals(theta: Array, jacobian: bool = True) -> tuple[Array, Array | None]:
        c, s, acts, slope = _direction_and_slope(net, theta, y)
        r = np.concatenate([y1 - w1 * c, y2 - w2 * s]) * scale
        if not jacobian:
            return r, None
        # dr/d(a, b) = dr/dz dz/d(a, b), with dr1/dz = w1 sin z, dr2/dz = -w2 cos z
        return r, net.residual_jacobian(
            theta, acts, [slope * (w1 * s * scale), slope * (-w2 * c * scale)]
        )

    return residuals


def training_points(
    n: int = 2000,
    y1_range: Sequence[float] = (-3.0, 3.0),
    y2_range: Sequence[float] = (-2.0, 2.0),
    *,
    seed: int = 709,
):
    """Points uniform in a box, where the encoders learn.

    Drawn from the named random streams ``amortized/train/y1`` and ``amortized/train/y2`` of
    ``seed``.

    Parameters
    ----------
    n : int, optional
        The number of points (the pipeline's 2000).
    y1_range, y2_range : sequence of float, optional
        The box's sides, (low, high): the lecture's mesh, (-3, 3) and (-2, 2).
    seed : int, optional
        The seed of the streams (the pipeline's 709).

    Returns
    -------
    dict of str to ndarray
        Columns ``y1, y2``, ``n`` values each.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer.
    ValueError
        If ``n`` or ``seed`` is negative.

    Examples
    --------
    >>> p = training_points(3, seed=1)
    >>> sorted(p), p["y1"].shape
    (['y1', 'y2'], (3,))
    """
    n, seed = count("n", n), count("seed", seed)
    y1 = stream(seed, "amortized/train/y1").uniform(y1_range[0], y1_range[1], n)
    y2 = stream(seed, "amortized/train/y2").uniform(y2_range[0], y2_range[1], n)
    return {"y1": y1, "y2": y2}


def fit_encoder(
    net: Network,
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    *,
    method: str = "supervised",
    init_seed: int = 0,
    schedule: Sequence[Mapping] | None = None,
    weight_decay: float = 0.0,
) -> tuple[Array, dict[str, np.ndarray]]:
    """Train the encoder ``net`` on the points, supervised or label-free.

    ``supervised`` minimises the mean periodic distance to the exact z_check, ``energy`` the mean
    energy E(y, z_tilde) (:func:`supervised_loss`, :func:`energy_loss`); the phases of
    ``schedule`` run in order (:func:`lvebm.network.train`: Adam, L-BFGS or Levenberg-Marquardt on
    the residuals), from the initialisation of stream ``amortized/init`` (shared by the methods).

    Parameters
    ----------
    net : Network
        The encoder's network (:func:`encoder_network`).
    decoder : Decoder
        The decoder whose latent the encoder guesses.
    y1, y2 : array_like
        The training points, finite, at least one (flattened together).
    method : {'supervised', 'energy'}, optional
        The loss.
    init_seed : int, optional
        The seed of the initialisation.
    schedule : sequence of mapping, optional
        The training phases (``{"method": "adam", "steps": 1000, "learning_rate": 0.01}``, ...);
        by default the pipeline's for ``method`` (``SCHEDULES``).
    weight_decay : float, optional
        lambda of a penalty lambda |theta|^2 added to the loss.

    Returns
    -------
    theta : ndarray
        The trained parameters.
    trajectory : dict of str to ndarray
        Columns ``step, loss``.

    Raises
    ------
    TypeError
        If ``decoder`` is not a :class:`Decoder` or ``init_seed`` not an integer.
    ValueError
        If ``method`` is unknown, a point is not finite or there is none.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> p = training_points(50, seed=1)
    >>> schedule = [{"method": "adam", "steps": 20, "learning_rate": 0.05}]
    >>> theta, path = fit_encoder(net, START, p["y1"], p["y2"], schedule=schedule)
    >>> theta.shape, int(path["step"][-1]), bool(path["loss"][-1] < path["loss"][0])
    ((22,), 20, True)
    """
    if method not in ENCODER_TRAININGS:
        raise ValueError(f"unknown encoder training {method!r}; allowed: {list(ENCODER_TRAININGS)}")
    decoder_argument("decoder", decoder)
    y1, y2 = finite_samples(y1=y1, y2=y2)
    init_seed = count("init_seed", init_seed)
    schedule = SCHEDULES[method] if schedule is None else schedule
    if method == "supervised":
        z_check = free_energy_exact(decoder, y1, y2).z_check.ravel()
        objective = supervised_loss(net, y1, y2, z_check)
        residuals = supervised_residuals(net, y1, y2, z_check)
    else:
        objective = energy_loss(net, decoder, y1, y2)
        residuals = energy_residuals(net, decoder, y1, y2)
    return train(
        objective,
        net.init(init_seed, "amortized/init"),
        schedule,
        residuals=residuals,
        weight_decay=weight_decay,
    )


def regularized_latent(decoder: Decoder, y1: ArrayLike, y2: ArrayLike, z_tilde, weight: float):
    """The regularised latent argmin_z E(y, z) + weight D(z, z_tilde), exactly.

    The nearest point of the ellipse (w'_1, w'_2) to y' (the module's docstring); ``weight = 0`` is
    plain z_check.

    Parameters
    ----------
    decoder : Decoder
        The decoder of the energy.
    y1, y2 : array_like
        The points' coordinates, broadcast together (flattened).
    z_tilde : array_like
        The encoder's guesses, broadcast to the points.
    weight : float
        lambda, the distance's weight (>= 0).

    Returns
    -------
    ndarray
        The minimisers, one per point.

    Raises
    ------
    ValueError
        If the points are not real numbers or cannot be broadcast together.

    Examples
    --------
    >>> d = Decoder(2.0, 1.0)
    >>> bool(regularized_latent(d, [3.0], [0.0], [0.0], 0.0)[0] == 0.0)
    True
    """
    y1, y2, _ = _inputs(y1, y2)
    z_tilde = np.broadcast_to(np.asarray(z_tilde, dtype=np.float64), y1.shape)
    half = 0.5 * weight
    radii, points = [], []
    for w, y, u in (
        (decoder.w1, y1, portable.cos(z_tilde)),
        (decoder.w2, y2, portable.sin(z_tilde)),
    ):
        effective = float(np.copysign(np.sqrt(w * w + half), w))
        radii.append(np.full(y1.shape, effective))
        points.append((w * y + half * u) / effective)
    return free_energy_ellipses(radii[0], radii[1], points[0], points[1]).z_check


class TargetPropagation(NamedTuple):
    """What :func:`target_propagation` returns.

    Parameters
    ----------
    decoder : Decoder
        The trained decoder.
    theta : ndarray
        The encoder's trained parameters.
    trajectory : dict of str to ndarray
        Columns ``step, w1, w2, reconstruction, distance`` (step 0 is the start).

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> result = target_propagation(encoder_network((4,)), s["y1"], s["y2"], steps=3)
    >>> result._fields, len(result.trajectory["step"])
    (('decoder', 'theta', 'trajectory'), 4)
    """

    decoder: Decoder
    theta: Array
    trajectory: dict[str, np.ndarray]


def target_propagation(
    net: Network,
    y1: ArrayLike,
    y2: ArrayLike,
    start: Decoder = START,
    *,
    init_seed: int = 0,
    steps: int = 2000,
    distance_weight: float = 1.0,
    decoder_rate: float = 0.2,
    encoder_rate: float = 0.01,
) -> TargetPropagation:
    """Train decoder and encoder together by target propagation (the module's docstring).

    From the decoder ``start`` and the encoder's initialisation of stream
    ``amortized/target_propagation/init``: ``steps`` steps, each one decoder gradient step of
    ``decoder_rate`` on the reconstruction C = mean |y_i - g(z_check_i)|^2 and one Adam step of the
    encoder (``encoder_rate``, cosine-decayed) on mean D(z_check_i, z_tilde_i), where z_check_i is
    the regularised latent (:func:`regularized_latent`). The trajectory's rows hold the decoder
    before each step and after the last, with C and the distance at that decoder and encoder.

    Parameters
    ----------
    net : Network
        The encoder's network (:func:`encoder_network`).
    y1, y2 : array_like
        The samples, finite, at least one (flattened together).
    start : Decoder, optional
        The decoder to start from (the lecture's untrained one).
    init_seed : int, optional
        The seed of the encoder's initialisation.
    steps : int, optional
        The number of steps (the pipeline's 2000).
    distance_weight : float, optional
        lambda of E(y, z) + lambda D(z, z_tilde), >= 0.
    decoder_rate : float, optional
        The decoder's gradient step, >= 0.
    encoder_rate : float, optional
        The encoder's Adam step, >= 0 (cosine-decayed to 0).

    Returns
    -------
    TargetPropagation
        The trained decoder, the encoder's parameters and the trajectory.

    Raises
    ------
    TypeError
        If ``start`` is not a :class:`Decoder`, a seed or ``steps`` not an integer, or a rate not a
        real number.
    ValueError
        If a sample is not finite or there is none, ``steps`` or ``init_seed`` is negative, or a
        rate or the weight is negative or not finite.

    Examples
    --------
    From the untrained decoder toward the cold training's radii (1.9475, 1.4849), which 2000 steps
    reach:

    >>> from lvebm.data import sample_slice
    >>> s = sample_slice()
    >>> result = target_propagation(encoder_network(), s["y1"], s["y2"], steps=200)
    >>> f"{abs(result.decoder.w1):.3f}, {abs(result.decoder.w2):.3f}"
    '1.947, 1.485'
    """
    decoder_argument("start", start)
    y1, y2 = finite_samples(y1=y1, y2=y2)
    y = np.stack([y1, y2])
    init_seed, steps = count("init_seed", init_seed), count("steps", steps)
    for name, value in (
        ("distance_weight", distance_weight),
        ("decoder_rate", decoder_rate),
        ("encoder_rate", encoder_rate),
    ):
        value = real_number(name, value)
        if not (np.isfinite(value) and value >= 0.0):
            raise ValueError(f"{name} = {value!r} is invalid: it must be finite and >= 0")
    theta = net.init(init_seed, "amortized/target_propagation/init")
    adam = Adam(theta.size, learning_rate=encoder_rate, steps=steps)
    w = np.array([start.w1, start.w2], dtype=np.float64)
    rows = []
    for step in range(steps + 1):
        u, norm, acts = _directions(net, theta, y)
        decoder = Decoder(float(w[0]), float(w[1]))
        z = regularized_latent(decoder, y1, y2, portable.arctan2(u[1], u[0]), distance_weight)
        c, s = portable.cos(z), portable.sin(z)
        r1, r2 = y1 - w[0] * c, y2 - w[1] * s
        distance, grad_out = _distance(np.stack([c, s]), u, norm)
        rows.append((step, w[0], w[1], float(np.mean(r1 * r1 + r2 * r2)), distance))
        if step == steps:
            break
        w = w - decoder_rate * np.array([-2.0 * np.mean(r1 * c), -2.0 * np.mean(r2 * s)])
        adam.step(theta, net.backward(theta, acts, grad_out))
    columns = list(zip(*rows, strict=True))
    trajectory = {
        "step": np.asarray(columns[0], dtype=np.int64),
        **{
            name: np.asarray(v, dtype=np.float64)
            for name, v in zip(("w1", "w2", "reconstruction", "distance"), columns[1:], strict=True)
        },
    }
    return TargetPropagation(Decoder(float(w[0]), float(w[1])), theta, trajectory)


def gap_table(
    decoder: Decoder, encoders: Mapping[str, Guess], y1: ArrayLike, y2: ArrayLike
) -> dict[str, np.ndarray]:
    """The amortization gap of each encoder at the points.

    Per encoder and point: z_tilde, the exact z_check and F_inf, the energy at z_tilde, the gap
    E(y, z_tilde) - F_inf(y) (>= 0 up to rounding) and the distance to the ridge.

    Parameters
    ----------
    decoder : Decoder
        The decoder of the energy.
    encoders : Mapping of str to callable
        Method name -> its :func:`guesser`.
    y1, y2 : array_like
        The points' coordinates, broadcast together (flattened).

    Returns
    -------
    dict of str to ndarray
        Columns ``method, y1, y2, z_tilde, z_check, F, E_tilde, gap, ridge_distance``, the points
        in their order per method.

    Raises
    ------
    ValueError
        If the points are not real numbers or cannot be broadcast together.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> t = gap_table(START, {"untrained": guesser(net, net.init(0))}, [1.0, 2.0], [0.0, 1.0])
    >>> bool((t["gap"] >= -1e-12).all()), list(t["method"])
    (True, ['untrained', 'untrained'])
    """
    y1, y2, _ = _inputs(y1, y2)
    exact = free_energy_exact(decoder, y1, y2)
    ridge = ridge_distance(decoder, y1, y2)
    tables = []
    for method, guess in encoders.items():
        z_tilde = guess(y1, y2)
        e_tilde = decoder.energy(y1, y2, z_tilde)
        tables.append(
            {
                "method": np.full(y1.size, method, dtype=object),
                "y1": y1,
                "y2": y2,
                "z_tilde": z_tilde,
                "z_check": exact.z_check,
                "F": exact.F,
                "E_tilde": e_tilde,
                "gap": e_tilde - exact.F,
                "ridge_distance": ridge,
            }
        )
    return {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}


def band_summary(gap: Mapping[str, np.ndarray], band: float) -> dict[str, np.ndarray]:
    """The gap off and inside the band around the ridge, per method of a :func:`gap_table`.

    The band is ``ridge_distance <= band``.

    Parameters
    ----------
    gap : Mapping of str to ndarray
        A :func:`gap_table`.
    band : float
        The band's half-width (distance to the ridge).

    Returns
    -------
    dict of str to ndarray
        One row per method, columns ``method, band, points, inside, median_off, p99_off,
        share_inside, max_gap``: the points and those inside the band, the median and 99th
        percentile of the gap off it, the share of the total gap inside it, the largest gap.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> t = gap_table(START, {"untrained": guesser(net, net.init(0))}, [2.5, 0.0], [0.0, 0.0])
    >>> s = band_summary(t, 0.25)
    >>> s["points"].tolist(), s["inside"].tolist()
    ([2], [1])
    """
    rows = []
    for method in dict.fromkeys(gap["method"].tolist()):
        mine = gap["method"] == method
        g, inside = gap["gap"][mine], gap["ridge_distance"][mine] <= band
        total = float(np.sum(g))
        off = g[~inside]
        rows.append(
            (
                method,
                band,
                g.size,
                int(inside.sum()),
                float(np.median(off)) if off.size else np.nan,
                float(np.quantile(off, 0.99)) if off.size else np.nan,
                float(np.sum(g[inside])) / total if total > 0 else 1.0,
                float(np.max(g)),
            )
        )
    names = (
        "method",
        "band",
        "points",
        "inside",
        "median_off",
        "p99_off",
        "share_inside",
        "max_gap",
    )
    columns = list(zip(*rows, strict=True))
    out = {name: np.asarray(v) for name, v in zip(names, columns, strict=True)}
    out["method"] = out["method"].astype(object)
    for name in ("points", "inside"):
        out[name] = out[name].astype(np.int64)
    return out


def warm_start(
    decoder: Decoder,
    encoders: Mapping[str, Guess],
    labels: ArrayLike,
    y1: ArrayLike,
    y2: ArrayLike,
    *,
    optimizers: Mapping[str, Mapping] | None = None,
    global_tol: float = 1e-9,
) -> dict[str, np.ndarray]:
    """The optimizers started from each encoder's guess instead of one default latent.

    Each optimizer (name -> options) is started from each encoder's z_tilde and scored as the
    inference stage scores it (:func:`lvebm.inference.infer`).

    Parameters
    ----------
    decoder : Decoder
        The decoder of the energy.
    encoders : Mapping of str to callable
        Start name -> its :func:`guesser`.
    labels : array_like of int
        The points' labels.
    y1, y2 : array_like
        The points' coordinates, broadcast together (flattened).
    optimizers : Mapping of str to Mapping, optional
        Optimizer name -> its options; by default every iterative method with its defaults.
    global_tol : float, optional
        A point reached the global minimum when F - F_exact <= global_tol.

    Returns
    -------
    dict of str to ndarray
        The inference results table with first columns ``start`` and ``optimizer``.

    Raises
    ------
    ValueError
        If an optimizer is unknown or an option invalid (:func:`lvebm.inference.infer`).

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> t = warm_start(START, {"e": guesser(net, net.init(0))}, [1, 2], [1.0, 2.0], [0.0, 1.0],
    ...                optimizers={"newton": {}})
    >>> list(t)[:2], len(t["start"])
    (['start', 'optimizer'], 2)
    """
    y1, y2, _ = _inputs(y1, y2)
    if optimizers is None:
        optimizers = {name: {} for name in ITERATIVE}
    tables = []
    for start, guess in encoders.items():
        z_tilde = guess(y1, y2)
        for name, options in optimizers.items():
            table = infer(
                decoder,
                labels,
                y1,
                y2,
                method=name,
                z_init=z_tilde,
                options=options,
                global_tol=global_tol,
                trace=False,
            ).results
            tables.append(
                {
                    "start": np.full(y1.size, start, dtype=object),
                    "optimizer": np.full(y1.size, name, dtype=object),
                    **table,
                }
            )
    return {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}


def warm_start_summary(
    tables: Sequence[tuple[tuple[str, str], Mapping[str, np.ndarray]]],
) -> dict[str, np.ndarray]:
    """One summary row per (start, optimizer) of :func:`warm_start`'s tables.

    The inference stage's summary (:func:`lvebm.inference.summarize`) with ``start`` in place of
    ``points`` and the local-minimum rate (1 - success rate).

    Parameters
    ----------
    tables : sequence of ((str, str), Mapping of str to ndarray)
        ((start, optimizer), that start's and optimizer's results table) pairs.

    Returns
    -------
    dict of str to ndarray
        The summary's columns with ``start`` first and ``local_min_rate``.

    Examples
    --------
    >>> net = encoder_network((4,))
    >>> t = warm_start(START, {"e": guesser(net, net.init(0))}, [1, 2], [1.0, 2.0], [0.0, 1.0],
    ...                optimizers={"newton": {}})
    >>> s = warm_start_summary([(("e", "newton"), t)])
    >>> s["start"].tolist(), s["optimizer"].tolist()
    (['e'], ['newton'])
    """
    summary = summarize(tables)
    start = summary.pop("points")
    out = {"start": start.astype(object), **summary}
    out["optimizer"] = out["optimizer"].astype(object)
    out["local_min_rate"] = 1.0 - out["success_rate"]
    return out
