"""The explorer's data: what its sliders show, computed ahead for every slider position.

Two sliders move through temperature, two through the decoder:

- beta, on the training stage's temperature scan (its betas, so the trained radii there are the
  scan's own): F_beta along the cross-section line on the grid of latents, the soft-argmin weights
  p_k of chosen points over that grid, and the radii L-BFGS trains at that beta;
- w1 and w2, on a grid of radii: F_inf along the same line and on a map over the mesh's box (the
  ellipse depends on |w1| and |w2| only, so the grid is of positive radii). The page stores the
  map as 8-bit colour levels: radii^2 x the map's points values, which the report must embed (it
  shows an HTML item as a data: URL, which Chromium caps at 2 MB).

The tables are long (one row per value) and carry their slider position as columns; the page
(``lvebm.pipeline.explorer_page``) draws them.
"""

from __future__ import annotations

import numpy as np

from lvebm.exact import free_energy_exact
from lvebm.model import Decoder, latent_grid
from lvebm.relaxed import free_energy_relaxed


def temperature_tables(decoder: Decoder, line_y1, line_y2, names, y1, y2, *, betas, n: int):
    """The beta slider's tables: F_beta along the line and the weights of the named points.

    At each beta: F_beta along the line (columns ``beta, y1, y2, F``, with the exact F_inf in
    ``F_inf``) and the soft-argmin weights of the named points over the ``n`` latents
    (``beta, point, z, weight``).

    Parameters
    ----------
    decoder : Decoder
        The decoder g(z) = [w1 cos z, w2 sin z].
    line_y1, line_y2 : array_like
        The line's points' coordinates, 1-D, of one length.
    names : sequence of str
        The named points' names.
    y1, y2 : array_like
        The named points' coordinates, 1-D, one per name.
    betas : array_like
        The inverse temperatures, each > 0 (the training stage's temperature scan).
    n : int
        The size of the latent grid (the lecture's 48).

    Returns
    -------
    line : dict of str to ndarray
        Columns ``beta, y1, y2, F`` (F_beta on the grid) and ``F_inf`` (the exact F_inf), the
        line's points for each beta, beta-major.
    weight : dict of str to ndarray
        Columns ``beta, point, z, weight``, ``n`` rows per point for each beta, beta-major,
        then point-major.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If a beta is not > 0, or ``n`` < 1.

    Examples
    --------
    >>> line, weight = temperature_tables(
    ...     Decoder(-1.45, 0.36), [0.0, 0.0], [-1.0, 1.0], ["y(23)", "(0, 0)"], [1.977, 0.0],
    ...     [0.096, 0.0], betas=[0.1, 1.0], n=4)
    >>> line["beta"].tolist(), line["F"].round(4).tolist(), line["F_inf"].round(4).tolist()
    ([0.1, 0.1, 1.0, 1.0], [2.0532, 2.0532, 1.4794, 1.4794], [0.4096, 0.4096, 0.4096, 0.4096])
    >>> list(weight), weight["weight"].size
    (['beta', 'point', 'z', 'weight'], 16)
    """
    line_y1, line_y2 = np.asarray(line_y1, dtype=float), np.asarray(line_y2, dtype=float)
    y1, y2 = np.asarray(y1, dtype=float), np.asarray(y2, dtype=float)
    betas = np.asarray(betas, dtype=float)
    exact = free_energy_exact(decoder, line_y1, line_y2).F
    z = latent_grid(n)
    lines, weights = [], []
    for beta in betas:
        lines.append(free_energy_relaxed(decoder, line_y1, line_y2, beta, n=n).F)
        weights.append(free_energy_relaxed(decoder, y1, y2, beta, n=n, weights=True).weights)
    m, k = line_y1.size, len(names)
    line = {
        "beta": np.repeat(betas, m),
        "y1": np.tile(line_y1, betas.size),
        "y2": np.tile(line_y2, betas.size),
        "F": np.concatenate(lines),
        "F_inf": np.tile(exact, betas.size),
    }
    weight = {
        "beta": np.repeat(betas, k * n),
        "point": np.tile(np.repeat(np.asarray(names, dtype=object), n), betas.size),
        "z": np.tile(z, k * betas.size),
        "weight": np.concatenate([w.ravel() for w in weights]),
    }
    return line, weight


def decoder_table(radii, mesh_y1, mesh_y2, line_y1, line_y2) -> dict[str, np.ndarray]:
    """F_inf on the mesh and along the line for every decoder (w1, w2) with radii from ``radii``.

    Both radii run through ``radii``: columns ``w1, w2, on_line, y1, y2, F`` (w1-major, then w2, the
    mesh's points, then the line's).

    Parameters
    ----------
    radii : array_like
        The radii of the sliders, each finite and non-zero (the config's 24 from 0.125 to 3).
    mesh_y1, mesh_y2 : array_like
        The mesh's points' coordinates (flattened).
    line_y1, line_y2 : array_like
        The line's points' coordinates (flattened).

    Returns
    -------
    dict of str to ndarray
        Columns ``w1, w2`` (the decoder), ``on_line`` (bool: the row is a point of the line),
        ``y1, y2`` and ``F`` (F_inf), ``len(radii)^2`` times the points' rows.

    Raises
    ------
    ValueError
        If a radius is zero or not finite.

    Examples
    --------
    >>> t = decoder_table([0.5, 2.0], [0.0, 1.0], [0.0, 0.0], [0.0], [1.5])
    >>> t["w1"].size, t["on_line"][:3].tolist()
    (12, [False, False, True])
    >>> t["F"][:3].round(4).tolist()  # the circle of radius 0.5
    [0.25, 0.25, 1.0]
    """
    radii = np.asarray(radii, dtype=float)
    y1 = np.concatenate([np.ravel(mesh_y1), np.ravel(line_y1)]).astype(float)
    y2 = np.concatenate([np.ravel(mesh_y2), np.ravel(line_y2)]).astype(float)
    on_line = np.arange(y1.size) >= np.size(mesh_y1)
    w1, w2 = (a.ravel() for a in np.meshgrid(radii, radii, indexing="ij"))
    F = np.concatenate(
        [free_energy_exact(Decoder(a, b), y1, y2).F for a, b in zip(w1, w2, strict=True)]
    )
    m = y1.size
    return {
        "w1": np.repeat(w1, m),
        "w2": np.repeat(w2, m),
        "on_line": np.tile(on_line, w1.size),
        "y1": np.tile(y1, w1.size),
        "y2": np.tile(y2, w1.size),
        "F": F,
    }
