"""The finite-temperature stage's tables: F_beta along a line, the soft-argmin weights of chosen
points, F_beta and its gradient on mesh points, and where the latent grid stops resolving
exp(-beta E). Each returns the columns of its artifact (``lvebm.pipeline.contracts``); the
science they tabulate is :func:`lvebm.relaxed.free_energy_relaxed`."""

from __future__ import annotations

import numpy as np

from lvebm import portable
from lvebm.model import Decoder, latent_grid
from lvebm.relaxed import free_energy_relaxed
from lvebm.temperatures import with_zero_temperature


def line_points(start, stop, num: int) -> tuple[np.ndarray, np.ndarray]:
    """``num`` evenly spaced points (y1, y2) from ``start`` to ``stop`` (both included).

    Parameters
    ----------
    start : sequence of float
        The first point, a pair (y1, y2) (the lecture's line: (0, -2)).
    stop : sequence of float
        The last point, a pair (y1, y2) (the lecture's (0, 2)).
    num : int
        The number of points (the lecture's 17, steps of 0.25).

    Returns
    -------
    y1, y2 : ndarray
        The points' coordinates, ``num`` each.

    Examples
    --------
    >>> y1, y2 = line_points((0.0, -2.0), (0.0, 2.0), 5)
    >>> y1.tolist(), y2.tolist()
    ([0.0, 0.0, 0.0, 0.0, 0.0], [-2.0, -1.0, 0.0, 1.0, 2.0])
    """
    return np.linspace(start[0], stop[0], num), np.linspace(start[1], stop[1], num)


def cross_section(
    decoder: Decoder, *, start, stop, num: int, betas, n: int
) -> dict[str, np.ndarray]:
    """F_beta along a line for every beta (and beta = inf), on the grid and continuous.

    On the grid of ``n`` latents and continuous, with the circular mean of z under the
    continuous weights.

    Columns ``beta, y1, y2, F_grid, F_continuous, z_mean``, beta-major.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    start, stop : sequence of float
        The line's ends, pairs (y1, y2), both included (the lecture's (0, -2) and (0, 2)).
    num : int
        The points along the line (the lecture's 17).
    betas : iterable of float
        The finite inverse temperatures (the lecture's 0.1, 0.3, 1, 3.2, 10); beta = inf is
        added last.
    n : int
        The size of the latent grid (the lecture's 48).

    Returns
    -------
    dict of str to ndarray
        Columns ``beta``, ``y1, y2`` (the line's points), ``F_grid`` (F_beta on the grid),
        ``F_continuous`` (the continuous F_beta) and ``z_mean`` (the circular mean of z under
        the continuous weights), ``num`` rows per beta.

    Raises
    ------
    TypeError
        If a beta is not a real number.
    ValueError
        If a beta is not > 0, or ``n`` is not a positive integer.

    Examples
    --------
    >>> t = cross_section(Decoder(-1.45, 0.36), start=(0.0, -2.0), stop=(0.0, 2.0), num=5,
    ...                   betas=[0.1, 1.0], n=48)
    >>> list(t), t["beta"].size
    (['beta', 'y1', 'y2', 'F_grid', 'F_continuous', 'z_mean'], 15)
    >>> t["F_continuous"][t["beta"] == np.inf].round(4).tolist()  # F_inf along the line
    [2.6896, 0.4096, 0.1296, 0.4096, 2.6896]
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
    """Points given as sample labels or coordinates: their names and coordinates.

    A point is a sample label (an int i: the sample y^(i)) or coordinates [y1, y2]; its name is
    ``y(23)`` or ``(0, 0)``. ``samples`` has columns ``i, y1, y2``.

    Parameters
    ----------
    specs : iterable
        The points: ints (labels) or pairs [y1, y2] (the lecture's ``[23, 10, [0.0, 0.0]]``).
    samples : Mapping of str to ndarray
        The samples, columns ``i, y1, y2``.

    Returns
    -------
    names : list of str
        The points' names, ``y(i)`` for a label, ``(y1, y2)`` (``%g`` format) for coordinates.
    y1, y2 : ndarray
        Their coordinates.

    Raises
    ------
    ValueError
        If a label is not the label of exactly one sample.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> names, y1, y2 = resolve_points([23, [0.0, 0.0]], sample_slice())
    >>> names, y1.round(3).tolist(), y2.round(3).tolist()
    (['y(23)', '(0, 0)'], [1.977, 0.0], [0.096, 0.0])
    """
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

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    names : sequence of str
        The points' names (:func:`resolve_points`).
    y1, y2 : array_like
        The points' coordinates, 1-D, one per name.
    beta : float
        The inverse temperature, > 0 (the lecture's plots use 1); ``numpy.inf`` gives one-hot
        weights at the best latent.
    n : int
        The size of the latent grid (the lecture's 48).

    Returns
    -------
    dict of str to ndarray
        Columns ``point`` (the name), ``y1, y2``, ``k`` (the latent's index), ``z``, ``E``
        (E(y, z_k)) and ``weight`` (p_k), ``n`` rows per point.

    Raises
    ------
    TypeError
        If a beta is not a real number.
    ValueError
        If a beta is not > 0, or ``n`` is not a positive integer.

    Examples
    --------
    >>> t = softmin_weights(Decoder(-1.45, 0.36), ["y", "centre"], [2.0, 0.0], [0.1, 0.0],
    ...                     beta=1.0, n=4)
    >>> t["point"].tolist()
    ['y', 'y', 'y', 'y', 'centre', 'centre', 'centre', 'centre']
    >>> t["weight"].round(4).tolist()
    [0.0, 0.0224, 0.9582, 0.0194, 0.061, 0.439, 0.061, 0.439]
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
    """F_beta and its gradient at points y on the grid of ``n`` latents.

    The exact F_inf at beta = inf. Columns ``y1, y2, F, dF_dy1, dF_dy2``.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    y1, y2 : ndarray
        The points' coordinates, of one shape.
    beta : float
        The inverse temperature, > 0, or ``numpy.inf``.
    n : int
        The size of the latent grid (the lecture's 48).

    Returns
    -------
    dict of str to ndarray
        Columns ``y1, y2`` (the points as given), ``F`` (F_beta) and ``dF_dy1, dF_dy2`` (its
        gradient).

    Raises
    ------
    TypeError
        If a beta is not a real number.
    ValueError
        If a beta is not > 0, or ``n`` is not a positive integer.

    Examples
    --------
    >>> t = relaxed_field(Decoder(-1.45, 0.36), np.array([2.0, 0.0]), np.array([0.1, 0.0]),
    ...                   beta=np.inf, n=48)
    >>> list(t), t["F"].round(4).tolist()
    (['y1', 'y2', 'F', 'dF_dy1', 'dF_dy2'], [0.3111, 0.1296])
    """
    r = free_energy_relaxed(decoder, y1, y2, beta, n=n)
    return {"y1": y1, "y2": y2, "F": r.F, "dF_dy1": r.dF_dy1, "dF_dy2": r.dF_dy2}


def grid_error(
    decoder: Decoder, names, y1, y2, *, beta_start: float, beta_stop: float, num: int, n: int
) -> dict[str, np.ndarray]:
    """F_beta on the grid of ``n`` latents and continuous, over log-spaced betas, per point.

    The scan shows where the grid stops resolving exp(-beta E): where the two part. Columns
    ``beta, point, y1, y2, F_grid, F_continuous``.

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    names : sequence of str
        The points' names (:func:`resolve_points`).
    y1, y2 : array_like
        The points' coordinates, 1-D, one per name.
    beta_start, beta_stop : float
        The scan's first and last beta, > 0 (the lecture's 0.01 and 1e4).
    num : int
        The betas of the scan, log-spaced (the config's 61).
    n : int
        The size of the latent grid (the lecture's 48).

    Returns
    -------
    dict of str to ndarray
        Columns ``beta``, ``point`` (the name), ``y1, y2``, ``F_grid`` and ``F_continuous``,
        beta-major.

    Raises
    ------
    TypeError
        If a beta is not a real number.
    ValueError
        If a beta is not > 0, or ``n`` is not a positive integer.

    Examples
    --------
    >>> t = grid_error(Decoder(-1.45, 0.36), ["y(23)"], [1.977], [0.096], beta_start=0.01,
    ...                beta_stop=1e4, num=3, n=48)
    >>> t["beta"].tolist(), t["F_grid"].round(4).tolist(), t["F_continuous"].round(4).tolist()
    ([0.01, 10.0, 10000.0], [4.9496, 0.5251, 0.2873], [4.9496, 0.5251, 0.2862])
    """
    y1, y2 = np.asarray(y1, dtype=np.float64), np.asarray(y2, dtype=np.float64)
    betas = portable.geomspace(beta_start, beta_stop, num)
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
