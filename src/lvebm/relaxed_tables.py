"""The finite-temperature stage's tables: F_beta along a line, the soft-argmin weights of chosen
points, F_beta and its gradient on mesh points, and where the latent grid stops resolving
exp(-beta E). Each returns the columns of its artifact (``lvebm.pipeline.contracts``); the
science they tabulate is :func:`lvebm.relaxed.free_energy_relaxed`."""

from __future__ import annotations

import numpy as np

from lvebm.model import Decoder, latent_grid
from lvebm.relaxed import free_energy_relaxed
from lvebm.temperatures import with_zero_temperature


def line_points(start, stop, num: int) -> tuple[np.ndarray, np.ndarray]:
    """``num`` evenly spaced points (y1, y2) from ``start`` to ``stop`` (both included)."""
    return np.linspace(start[0], stop[0], num), np.linspace(start[1], stop[1], num)


def cross_section(
    decoder: Decoder, *, start, stop, num: int, betas, n: int
) -> dict[str, np.ndarray]:
    """F_beta along a line for every beta (and beta = inf): on the grid of ``n`` latents and
    continuous, with the circular mean of z under the continuous weights.

    Columns ``beta, y1, y2, F_grid, F_continuous, z_mean``, beta-major.
    """
    y1, y2 = line_points(start, stop, num)
    parts = []
    for beta in with_zero_temperature(betas):
        grid = free_energy_relaxed(decoder, y1, y2, beta, n=n)
        cont = free_energy_relaxed(decoder, y1, y2, beta, n=None)
        parts.append((np.full(num, beta), y1, y2, grid.F, cont.F, cont.z_mean))
    names = ("beta", "y1", "y2", "F_grid", "F_continuous", "z_mean")
    columns = zip(*parts, strict=True)
    return {name: np.concatenate(col) for name, col in zip(names, columns, strict=True)}


def resolve_points(specs, samples) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Points given as sample labels (an int i: the sample y^(i)) or coordinates [y1, y2]:
    their names (``y(23)``, ``(0, 0)``) and coordinates. ``samples`` has columns ``i, y1, y2``."""
    names, y1, y2 = [], [], []
    for spec in specs:
        if isinstance(spec, int | np.integer):
            row = np.flatnonzero(samples["i"] == spec)
            if row.size != 1:
                raise ValueError(f"no sample labelled {spec} (labels {samples['i'].min()} ...)")
            names.append(f"y({spec})")
            y1.append(float(samples["y1"][row[0]]))
            y2.append(float(samples["y2"][row[0]]))
        else:
            a, b = (float(v) for v in spec)
            names.append(f"({a:g}, {b:g})")
            y1.append(a)
            y2.append(b)
    return names, np.asarray(y1), np.asarray(y2)


def softmin_weights(
    decoder: Decoder, names, y1, y2, *, beta: float, n: int
) -> dict[str, np.ndarray]:
    """The soft-argmin weights p_k of each point over the latent grid, with E_k.

    Columns ``point, y1, y2, k, z, E, weight`` (point-major; weights of a point sum to one).
    """
    y1, y2 = np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)
    z = latent_grid(n)
    result = free_energy_relaxed(decoder, y1, y2, beta, n=n, weights=True)
    m = y1.size
    return {
        "point": np.repeat(np.asarray(names, dtype=object), n),
        "y1": np.repeat(y1, n),
        "y2": np.repeat(y2, n),
        "k": np.tile(np.arange(n, dtype=np.int64), m),
        "z": np.tile(z, m),
        "E": decoder.energy(y1[:, None], y2[:, None], z[None, :]).ravel(),
        "weight": result.weights.ravel(),
    }


def relaxed_field(
    decoder: Decoder, y1: np.ndarray, y2: np.ndarray, *, beta: float, n: int
) -> dict[str, np.ndarray]:
    """F_beta and its gradient at points y on the grid of ``n`` latents (the exact F_inf at
    beta = inf). Columns ``y1, y2, F, dF_dy1, dF_dy2``."""
    r = free_energy_relaxed(decoder, y1, y2, beta, n=n)
    return {"y1": y1, "y2": y2, "F": r.F, "dF_dy1": r.dF_dy1, "dF_dy2": r.dF_dy2}


def grid_error(
    decoder: Decoder, names, y1, y2, *, beta_start: float, beta_stop: float, num: int, n: int
) -> dict[str, np.ndarray]:
    """F_beta on the grid of ``n`` latents and continuous, over log-spaced betas, per point:
    where the grid stops resolving exp(-beta E). Columns ``beta, point, y1, y2, F_grid,
    F_continuous``."""
    y1, y2 = np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)
    betas = np.geomspace(beta_start, beta_stop, num)
    grid = np.stack([free_energy_relaxed(decoder, y1, y2, b, n=n).F for b in betas])
    cont = np.stack([free_energy_relaxed(decoder, y1, y2, b, n=None).F for b in betas])
    m = y1.size
    return {
        "beta": np.repeat(betas, m),
        "point": np.tile(np.asarray(names, dtype=object), num),
        "y1": np.tile(y1, num),
        "y2": np.tile(y2, num),
        "F_grid": grid.ravel(),
        "F_continuous": cont.ravel(),
    }
