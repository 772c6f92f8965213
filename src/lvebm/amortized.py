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

from lvebm.arguments import real_points
from lvebm.data import stream
from lvebm.exact import free_energy_ellipses, free_energy_exact, ridge_distance
from lvebm.inference import infer, summarize
from lvebm.model import Decoder
from lvebm.network import Adam, Array, Network, Objective, Residuals, train

ENCODER_TRAININGS = ("supervised", "energy")  # the encoders' trainings on the mesh's box
TWO_PI = 2.0 * np.pi
# an encoder as the stage's tables use it: points (y1, y2) -> z_tilde, one per point
Guess = Callable[[ArrayLike, ArrayLike], Array]


def encoder_network(hidden: Sequence[int] = (16, 16), activation: str = "tanh") -> Network:
    """The encoder ``y -> (a, b)``: 2 inputs, the hidden layers, 2 linear outputs."""
    return Network((2, *hidden, 2), activation, "linear")


def _inputs(y1: ArrayLike, y2: ArrayLike) -> tuple[Array, Array, Array]:
    y1, y2 = (a.ravel() for a in real_points(y1=y1, y2=y2))
    return y1, y2, np.stack([y1, y2])


def latent_guess(net: Network, theta: ArrayLike, y1: ArrayLike, y2: ArrayLike) -> Array:
    """z_tilde = atan2(b, a) in [0, 2 pi) of the encoder's output (a, b), one per point
    (flattened).

    >>> net = encoder_network((4,))
    >>> latent_guess(net, net.init(0), [1.0, -1.0], [0.0, 0.5]).shape
    (2,)
    """
    _, _, y = _inputs(y1, y2)
    out = net(theta, y)
    z = np.mod(np.arctan2(out[1], out[0]), TWO_PI)
    z[z >= TWO_PI] = 0.0
    return z


def guesser(net: Network, theta: ArrayLike) -> Guess:
    """The encoder with parameters ``theta`` as a function ``(y1, y2) -> z_tilde``."""
    theta = np.array(theta, dtype=np.float64)
    return lambda y1, y2: latent_guess(net, theta, y1, y2)


def periodic_distance(z: ArrayLike, z_tilde: ArrayLike) -> Array:
    """D(z, z_tilde) = 1 - cos(z - z_tilde) = |u(z) - u(z_tilde)|^2 / 2: 0 at equal angles
    (modulo 2 pi), 2 at opposite ones.

    >>> periodic_distance([0.0, np.pi, TWO_PI], 0.0).round(12).tolist()
    [0.0, 2.0, 0.0]
    """
    return 1.0 - np.cos(np.asarray(z, dtype=np.float64) - np.asarray(z_tilde, dtype=np.float64))


def _directions(net: Network, theta: Array, y: Array) -> tuple[Array, Array, list[Array]]:
    """The outputs' directions u = (a, b) / |(a, b)| = (cos z_tilde, sin z_tilde), the norms
    |(a, b)| and the activations that backpropagation needs."""
    out, acts = net.forward(theta, y)
    norm = np.hypot(out[0], out[1])
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
    """theta -> (mean D(z_check_i, z_tilde_i), its gradient)."""
    _, _, y = _inputs(y1, y2)
    target = np.stack([np.cos(z_check), np.sin(z_check)])

    def objective(theta: Array) -> tuple[float, Array]:
        u, norm, acts = _directions(net, theta, y)
        loss, grad_out = _distance(target, u, norm)
        return loss, net.backward(theta, acts, grad_out)

    return objective


def supervised_residuals(net: Network, y1, y2, z_check) -> Residuals:
    """theta -> the residuals ``(u(z_check) - u(z_tilde)) / sqrt(2 n)`` (both components of
    every point), whose squared norm is the supervised loss, and their Jacobian."""
    _, _, y = _inputs(y1, y2)
    target = np.stack([np.cos(z_check), np.sin(z_check)])
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


def _angle_and_slope(net: Network, theta: Array, y: Array):
    """z_tilde, the outputs (a, b), the activations, and dz_tilde/d(a, b) = (-b, a) / |(a, b)|^2."""
    out, acts = net.forward(theta, y)
    z = np.arctan2(out[1], out[0])
    return z, acts, np.stack([-out[1], out[0]]) / (out[0] * out[0] + out[1] * out[1])


def energy_loss(net: Network, decoder: Decoder, y1, y2) -> Objective:
    """theta -> (mean E(y_i, z_tilde_i), its gradient): the label-free amortized energy."""
    y1, y2, y = _inputs(y1, y2)
    w1, w2, n = decoder.w1, decoder.w2, y1.size

    def objective(theta: Array) -> tuple[float, Array]:
        z, acts, slope = _angle_and_slope(net, theta, y)
        c, s = np.cos(z), np.sin(z)
        r1, r2 = y1 - w1 * c, y2 - w2 * s
        de_dz = 2.0 * (r1 * w1 * s - r2 * w2 * c)
        loss = float(np.sum(r1 * r1 + r2 * r2)) / n
        return loss, net.backward(theta, acts, slope * (de_dz / n))

    return objective


def energy_residuals(net: Network, decoder: Decoder, y1, y2) -> Residuals:
    """theta -> the residuals ``(y - g(z_tilde)) / sqrt(n)``, whose squared norm is the amortized
    energy, and their Jacobian through z_tilde."""
    y1, y2, y = _inputs(y1, y2)
    w1, w2 = decoder.w1, decoder.w2
    scale = 1.0 / np.sqrt(y1.size)

    def residuals(theta: Array, jacobian: bool = True) -> tuple[Array, Array | None]:
        z, acts, slope = _angle_and_slope(net, theta, y)
        c, s = np.cos(z), np.sin(z)
        r = np.concatenate([y1 - w1 * c, y2 - w2 * s]) * scale
        if not jacobian:
            return r, None
        # dr/d(a, b) = dr/dz dz/d(a, b), with dr1/dz = w1 sin z, dr2/dz = -w2 cos z
        return r, net.residual_jacobian(
            theta, acts, [slope * (w1 * s * scale), slope * (-w2 * c * scale)]
        )

    return residuals


def training_points(n: int, y1_range: Sequence[float], y2_range: Sequence[float], *, seed: int):
    """``n`` points uniform in the box ``y1_range x y2_range`` (streams ``amortized/train/y1``
    and ``amortized/train/y2``), where the encoders learn."""
    y1 = stream(seed, "amortized/train/y1").uniform(y1_range[0], y1_range[1], n)
    y2 = stream(seed, "amortized/train/y2").uniform(y2_range[0], y2_range[1], n)
    return {"y1": y1, "y2": y2}


def fit_encoder(
    net: Network,
    decoder: Decoder,
    y1: ArrayLike,
    y2: ArrayLike,
    *,
    method: str,
    init_seed: int,
    schedule: Sequence[Mapping],
    weight_decay: float = 0.0,
) -> tuple[Array, dict[str, np.ndarray]]:
    """Train the encoder ``net`` by ``method`` (``supervised`` or ``energy``) on the points,
    from the initialisation of stream ``amortized/init`` (shared by the methods).

    Returns the parameters and the trajectory ``step, loss``.
    """
    if method == "supervised":
        z_check = free_energy_exact(decoder, y1, y2).z_check.ravel()
        objective = supervised_loss(net, y1, y2, z_check)
        residuals = supervised_residuals(net, y1, y2, z_check)
    elif method == "energy":
        objective = energy_loss(net, decoder, y1, y2)
        residuals = energy_residuals(net, decoder, y1, y2)
    else:
        raise ValueError(f"unknown encoder training {method!r}; allowed: {list(ENCODER_TRAININGS)}")
    return train(
        objective,
        net.init(init_seed, "amortized/init"),
        schedule,
        residuals=residuals,
        weight_decay=weight_decay,
    )


def regularized_latent(decoder: Decoder, y1: ArrayLike, y2: ArrayLike, z_tilde, weight: float):
    """argmin_z E(y, z) + weight D(z, z_tilde), exactly: the nearest point of the ellipse
    (w'_1, w'_2) to y' (see the module's docstring). ``weight = 0`` is plain z_check."""
    y1, y2, _ = _inputs(y1, y2)
    z_tilde = np.broadcast_to(np.asarray(z_tilde, dtype=np.float64), y1.shape)
    half = 0.5 * weight
    radii, points = [], []
    for w, y, u in ((decoder.w1, y1, np.cos(z_tilde)), (decoder.w2, y2, np.sin(z_tilde))):
        effective = float(np.copysign(np.sqrt(w * w + half), w))
        radii.append(np.full(y1.shape, effective))
        points.append((w * y + half * u) / effective)
    return free_energy_ellipses(radii[0], radii[1], points[0], points[1]).z_check


class TargetPropagation(NamedTuple):
    """What :func:`target_propagation` returns: the trained decoder, the encoder's parameters and
    the trajectory ``step, w1, w2, reconstruction, distance`` (step 0 is the start)."""

    decoder: Decoder
    theta: Array
    trajectory: dict[str, np.ndarray]


def target_propagation(
    net: Network,
    y1: ArrayLike,
    y2: ArrayLike,
    start: Decoder,
    *,
    init_seed: int,
    steps: int,
    distance_weight: float,
    decoder_rate: float,
    encoder_rate: float,
) -> TargetPropagation:
    """Train decoder and encoder together by target propagation (the module's docstring), from
    the decoder ``start`` and the encoder's initialisation of stream
    ``amortized/target_propagation/init``: ``steps`` steps, each one decoder gradient step of
    ``decoder_rate`` and one Adam step of the encoder (``encoder_rate``, cosine-decayed).

    Rows of the trajectory: the decoder before each step and after the last, with the
    reconstruction C and the distance mean D(z_check, z_tilde) at that decoder and encoder.
    """
    y1, y2, y = _inputs(y1, y2)
    theta = net.init(init_seed, "amortized/target_propagation/init")
    adam = Adam(theta.size, learning_rate=encoder_rate, steps=steps)
    w = np.array([start.w1, start.w2], dtype=np.float64)
    rows = []
    for step in range(steps + 1):
        u, norm, acts = _directions(net, theta, y)
        decoder = Decoder(float(w[0]), float(w[1]))
        z = regularized_latent(decoder, y1, y2, np.arctan2(u[1], u[0]), distance_weight)
        c, s = np.cos(z), np.sin(z)
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
    """Per encoder (``method`` -> its :func:`guesser`) and point: z_tilde, the exact z_check and
    F_inf, the energy at z_tilde, the amortization gap ``E(y, z_tilde) - F_inf(y)`` (>= 0 up to
    rounding) and the distance to the ridge (columns ``method, y1, y2, z_tilde, z_check, F,
    E_tilde, gap, ridge_distance``, the points in their order per method)."""
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
    """Per method of a :func:`gap_table`: the median and 99th percentile of the gap off the band
    ``ridge_distance <= band``, the share of the total gap inside it, and the largest gap
    (columns ``method, band, points, inside, median_off, p99_off, share_inside, max_gap``)."""
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
    optimizers: Mapping[str, Mapping],
    global_tol: float,
) -> dict[str, np.ndarray]:
    """Each optimizer (name -> options) started from each encoder's z_tilde (``start`` -> its
    :func:`guesser`), scored as the
    inference stage scores it (:func:`lvebm.inference.infer`): its results table with a first
    column ``start`` (the encoder's method)."""
    y1, y2, _ = _inputs(y1, y2)
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
    """One row per (start, optimizer), the inference stage's summary (:func:`summarize`) with
    ``start`` in place of ``points`` and the local-minimum rate (1 - success rate)."""
    summary = summarize(tables)
    start = summary.pop("points")
    out = {"start": start.astype(object), **summary}
    out["optimizer"] = out["optimizer"].astype(object)
    out["local_min_rate"] = 1.0 - out["success_rate"]
    return out
