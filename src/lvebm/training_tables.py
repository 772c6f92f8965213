"""The training stage's tables: the denoising of the held-out samples, figure 18's maps, and
reading a trained decoder back from the training summary. Each returns the columns of its
artifact (``lvebm.pipeline.contracts``); the science they tabulate is :mod:`lvebm.training`."""

from __future__ import annotations

import numpy as np

from lvebm import portable
from lvebm.columns import concat
from lvebm.model import LATENT_N, Decoder, latent_grid
from lvebm.relaxed import free_energy_relaxed
from lvebm.training import denoise


def reference_decoder(summary, *, beta: float, method: str) -> Decoder:
    """The decoder trained at ``beta`` by ``method``, from the training summary.

    Parameters
    ----------
    summary : Mapping of str to ndarray
        The training summary (the stage's results, one row per beta and method), with at least
        the columns ``beta, method, w1, w2``.
    beta : float
        The inverse temperature of the row (``numpy.inf`` for zero temperature).
    method : str
        The training method of the row (``lbfgs``, the reference, or ``per_sample``).

    Returns
    -------
    Decoder
        The trained decoder, ``Decoder(w1, w2)`` of that row.

    Raises
    ------
    ValueError
        If the summary has no row, or more than one, for ``beta`` and ``method``.

    Examples
    --------
    >>> summary = {"beta": np.array([np.inf, 1.0]), "method": np.array(["lbfgs", "lbfgs"]),
    ...            "w1": np.array([-1.95, -1.5]), "w2": np.array([1.48, 0.2])}
    >>> reference_decoder(summary, beta=np.inf, method="lbfgs")
    Decoder(w1=-1.95, w2=1.48)
    """
    rows = np.flatnonzero((summary["beta"] == beta) & (summary["method"] == method))
    if rows.size != 1:
        raise ValueError(f"the training summary has no single row for beta={beta}, {method}")
    return Decoder(float(summary["w1"][rows[0]]), float(summary["w2"][rows[0]]))


def denoise_table(held_out, decoders: dict[str, Decoder]) -> dict[str, np.ndarray]:
    """Each held-out noisy sample denoised by each decoder (g(z_check)).

    With the raw sample itself as model ``noisy``: columns ``i, y1, y2, clean_y1, clean_y2, model,
    denoised_y1, denoised_y2, error`` with error the distance from the denoised point to the clean
    one.

    Parameters
    ----------
    held_out : Mapping of str to ndarray
        The held-out noisy samples, columns ``i, y1, y2, clean_y1, clean_y2`` (the clean points
        before the noise), as :func:`lvebm.data.held_out_slice` gives them.
    decoders : dict of str to Decoder
        The decoders by model name, in the table's order.

    Returns
    -------
    dict of str to ndarray
        Columns ``i, y1, y2, clean_y1, clean_y2``, ``model`` (``noisy`` or the decoder's name),
        ``denoised_y1, denoised_y2`` (g(z_check), or the noisy sample itself) and ``error``,
        one row per sample and model, model-major (``noisy`` first).

    Examples
    --------
    >>> from lvebm.data import held_out_slice
    >>> t = denoise_table(held_out_slice(3), {"trained": Decoder(-1.947, 1.484)})
    >>> t["model"].tolist()
    ['noisy', 'noisy', 'noisy', 'trained', 'trained', 'trained']
    >>> t["error"].round(4).tolist()
    [0.0347, 0.0723, 0.0858, 0.0579, 0.0784, 0.0817]
    """
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
                "error": portable.hypot(d1 - held_out["clean_y1"], d2 - held_out["clean_y2"]),
            }
        )
    return concat(rows)


def training_maps(
    decoders: dict[str, Decoder], y1, y2, *, warm_beta: float, n: int | None, point, samples
) -> tuple[dict, dict, dict]:
    """Figure 18's maps, weights and closest points, per decoder.

    Per decoder: F and its gradient on the points (y1, y2) at beta = inf and at ``warm_beta``
    (``model, beta, y1, y2, F, dF_dy1, dF_dy2``); the soft-argmin weights over the grid of ``n``
    latents (the lecture's 48 if continuous) for ``point`` at ``warm_beta`` (``model, k, z, g1, g2,
    weight, y1, y2`` with y the point); each sample's closest manifold point g(z_check) (``model, i,
    y1, y2, g1, g2``). ``samples`` has columns ``i, y1, y2``.

    Parameters
    ----------
    decoders : dict of str to Decoder
        The decoders by model name, in the tables' order.
    y1, y2 : ndarray
        The points of the maps, 1-D, of one length (the mesh's).
    warm_beta : float
        The warmer beta, > 0 (the lecture's 1).
    n : int or None
        The latent grid's size at ``warm_beta`` (the lecture's 48), or ``None`` for the
        continuous integral (the weights then on the grid of 48).
    point : sequence of float
        The point (y1, y2) whose weights are drawn (the lecture's y^(10)).
    samples : Mapping of str to ndarray
        The samples, columns ``i, y1, y2``.

    Returns
    -------
    maps : dict of str to ndarray
        Columns ``model, beta, y1, y2, F, dF_dy1, dF_dy2``, per decoder the points at
        beta = inf, then at ``warm_beta``.
    weights : dict of str to ndarray
        Columns ``model, k, z, g1, g2, weight, y1, y2`` (y the point), one row per latent of
        the grid per decoder.
    closest : dict of str to ndarray
        Columns ``model, i, y1, y2, g1, g2``, one row per sample per decoder.

    Raises
    ------
    TypeError
        If ``warm_beta`` is not a real number, or ``n`` is neither an integer nor None.
    ValueError
        If ``warm_beta`` is not > 0, or ``n`` < 1.

    Examples
    --------
    >>> from lvebm.data import sample_slice
    >>> decoders = {"untrained": Decoder(-1.45, 0.36), "trained": Decoder(-1.947, 1.484)}
    >>> y1, y2 = np.array([0.0, 1.0, 2.0]), np.array([0.0, 0.5, 1.0])
    >>> maps, weights, closest = training_maps(decoders, y1, y2, warm_beta=1.0, n=48,
    ...                                        point=(1.977, 0.096), samples=sample_slice())
    >>> maps["F"].size, weights["weight"].size, closest["g1"].size
    (12, 96, 48)
    >>> list(maps)
    ['model', 'beta', 'y1', 'y2', 'F', 'dF_dy1', 'dF_dy2']
    """
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
