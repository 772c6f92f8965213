"""The explorer's data: what its sliders show, computed ahead for every slider position.

Two sliders move through temperature, two through the decoder:

- beta, on the training stage's temperature scan (its betas, so the trained radii there are the
  scan's own): F_beta along the cross-section line on the grid of latents, the soft-argmin weights
  p_k of chosen points over that grid, and the radii L-BFGS trains at that beta;
- w1 and w2, on a grid of radii: F_inf along the same line and on the mesh (the ellipse depends on
  |w1| and |w2| only, so the grid is of positive radii).

The tables are long (one row per value) and carry their slider position as columns; the page
(``lvebm.pipeline.explorer_page``) draws them.
"""

from __future__ import annotations

import numpy as np

from lvebm.exact import free_energy_exact
from lvebm.model import Decoder, latent_grid
from lvebm.relaxed import free_energy_relaxed

# the mesh the explorer draws: at most this many points per axis (every k-th of the run's mesh),
# so that the page, whose numbers grow with radii.num^2 x the mesh, stays small enough for the
# report to embed (the report shows an HTML item as a data: URL, which Chromium caps at 2 MB)
MAX_AXIS = 25


def thinned(axis) -> np.ndarray:
    """Every k-th point of a mesh axis, k the smallest giving at most MAX_AXIS points."""
    axis = np.asarray(axis, dtype=float)
    return axis[:: -(-axis.size // MAX_AXIS)]


def temperature_tables(decoder: Decoder, line_y1, line_y2, names, y1, y2, *, betas, n: int):
    """At each beta: F_beta along the line (columns ``beta, y1, y2, F``, with the exact F_inf
    in ``F_inf``) and the soft-argmin weights of the named points over the ``n`` latents
    (``beta, point, z, weight``)."""
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
    """F_inf on the mesh and along the line for every decoder (w1, w2) with both radii from
    ``radii``: columns ``w1, w2, on_line, y1, y2, F`` (w1-major, then w2, the mesh's points,
    then the line's)."""
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
