"""The training stage's tables: the denoising of the held-out samples, figure 18's maps, and
reading a trained decoder back from the training summary. Each returns the columns of its
artifact (``lvebm.pipeline.contracts``); the science they tabulate is :mod:`lvebm.training`."""

from __future__ import annotations

import numpy as np

from lvebm.columns import concat
from lvebm.model import LATENT_N, Decoder, latent_grid
from lvebm.relaxed import free_energy_relaxed
from lvebm.training import denoise


def reference_decoder(summary, *, beta: float, method: str) -> Decoder:
    """The decoder trained at ``beta`` by ``method``, from the training summary."""
    rows = np.flatnonzero((summary["beta"] == beta) & (summary["method"] == method))
    if rows.size != 1:
        raise ValueError(f"the training summary has no single row for beta={beta}, {method}")
    return Decoder(float(summary["w1"][rows[0]]), float(summary["w2"][rows[0]]))


def denoise_table(held_out, decoders: dict[str, Decoder]) -> dict[str, np.ndarray]:
    """Each held-out noisy sample denoised by each decoder (g(z_check)), and the raw sample
    itself as model ``noisy``: ``i, y1, y2, clean_y1, clean_y2, model, denoised_y1,
    denoised_y2, error`` with error the distance from the denoised point to the clean one."""
    y1, y2 = held_out["y1"], held_out["y2"]
    parts = [("noisy", y1, y2)]
    parts += [(name, *denoise(dec, y1, y2)) for name, dec in decoders.items()]
    m = y1.size
    rows = []
    for name, d1, d2 in parts:
        rows.append(
            {
                "i": held_out["i"],
                "y1": y1,
                "y2": y2,
                "clean_y1": held_out["clean_y1"],
                "clean_y2": held_out["clean_y2"],
                "model": np.full(m, name, dtype=object),
                "denoised_y1": d1,
                "denoised_y2": d2,
                "error": np.hypot(d1 - held_out["clean_y1"], d2 - held_out["clean_y2"]),
            }
        )
    return concat(rows)


def training_maps(
    decoders: dict[str, Decoder], y1, y2, *, warm_beta: float, n: int | None, point, samples
) -> tuple[dict, dict, dict]:
    """For figure 18, per decoder: F and its gradient on the points (y1, y2) at beta = inf and at
    ``warm_beta`` (``model, beta, y1, y2, F, dF_dy1, dF_dy2``); the soft-argmin weights over the
    grid of ``n`` latents (the lecture's 48 if continuous) for ``point`` at ``warm_beta``
    (``model, k, z, g1, g2, weight, y1, y2`` with y the point); each sample's closest manifold
    point g(z_check) (``model, i, y1, y2, g1, g2``). ``samples`` has columns ``i, y1, y2``."""
    maps, weights, closest = [], [], []
    grid_n = LATENT_N if n is None else n
    z = latent_grid(grid_n)
    for name, dec in decoders.items():
        for beta in (np.inf, float(warm_beta)):
            r = free_energy_relaxed(dec, y1, y2, beta, n=None if np.isinf(beta) else n)
            maps.append(
                {
                    "model": np.full(y1.size, name, dtype=object),
                    "beta": np.full(y1.size, beta),
                    "y1": y1,
                    "y2": y2,
                    "F": r.F,
                    "dF_dy1": r.dF_dy1,
                    "dF_dy2": r.dF_dy2,
                }
            )
        g1, g2 = dec(z)
        p = free_energy_relaxed(dec, point[0], point[1], warm_beta, n=grid_n, weights=True)
        weights.append(
            {
                "model": np.full(grid_n, name, dtype=object),
                "k": np.arange(grid_n, dtype=np.int64),
                "z": z,
                "g1": g1,
                "g2": g2,
                "weight": p.weights.ravel(),
                "y1": np.full(grid_n, float(point[0])),
                "y2": np.full(grid_n, float(point[1])),
            }
        )
        c1, c2 = denoise(dec, samples["y1"], samples["y2"])
        closest.append(
            {
                "model": np.full(c1.size, name, dtype=object),
                "i": samples["i"],
                "y1": samples["y1"],
                "y2": samples["y2"],
                "g1": c1,
                "g2": c2,
            }
        )
    return concat(maps), concat(weights), concat(closest)
