"""Sweeps: one experiment at many settings, and the spread of its headline numbers.

A sweep's points, their settings and folders are :mod:`lvebm.pipeline.keys`'s.

Each stage reduces its summary tables to headline numbers (:data:`HEADLINES`); a sweep's table
has one row per point (its settings and those numbers) and its spread, per grid combination and
number, the median with the 10 %-90 % band over the replicates, or for a yes/no number the rate
with its Wilson 95 % interval.

>>> [round(v, 4) for v in wilson(10, 10)]
[0.7225, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from lvebm.pipeline.keys import Scalar, folder, format_value

Tables = Mapping[str, Mapping[str, np.ndarray]]

# the band of a number over the replicates: these quantiles
BAND = (0.1, 0.9)
# the normal quantile of the Wilson interval of a rate (95 %)
WILSON_Z = 1.959963984540054


# ---- headline numbers per stage ---------------------------------------------------------------


def scalar(value):
    """A cell as a Python scalar (numeric cells are NumPy scalars, text cells str)."""
    return value.item() if hasattr(value, "item") else value


def _rows(table: Mapping[str, np.ndarray], **where) -> np.ndarray:
    mask = np.ones(len(next(iter(table.values()))), dtype=bool)
    for column, value in where.items():
        mask &= np.asarray(table[column]) == value
    return mask


def inference_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """The share of points where each optimizer reached the global minimum, per point set."""
    s = tables["summary"]
    return {
        f"inference.{points}.{optimizer}.success_rate": float(rate)
        for points, optimizer, rate in zip(
            s["points"], s["optimizer"], s["success_rate"], strict=True
        )
    }


def mesh_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """The free energy's mean and largest value on the mesh, and the share of points whose
    minimiser is unique."""
    t = tables["free_energy"]
    return {
        "mesh.mean_F": float(np.mean(t["F"])),
        "mesh.max_F": float(np.max(t["F"])),
        "mesh.unique_share": float(np.mean(t["unique"])),
    }


def relaxed_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """The largest gap between the latent grid's F_beta and the continuous one over the scan."""
    t = tables["grid_error"]
    return {"relaxed.max_grid_error": float(np.max(np.abs(t["F_grid"] - t["F_continuous"])))}


def training_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """The reference trainer's radii |w1|, |w2| and loss at zero temperature (its result at
    beta = inf), and the critical
    betas above which each radius is non-zero (:func:`lvebm.training.critical_betas`)."""
    from lvebm.training import critical_betas  # the job's import, not the job graph's

    s = tables["zero_temperature"]
    (i,) = np.flatnonzero(_rows(s, method=options["reference"]))
    beta1, beta2 = critical_betas(tables["samples"]["y1"], tables["samples"]["y2"])
    return {
        "training.radius1": float(abs(s["w1"][i])),
        "training.radius2": float(abs(s["w2"][i])),
        "training.loss": float(s["loss"][i]),
        "training.critical_beta1": float(beta1),
        "training.critical_beta2": float(beta2),
    }


def conditional_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """The trained horn's largest relative radius error over the x grid, and whether it reached
    the horn (that error below ``options["tolerance"]``)."""
    r = tables["radii"]
    error = max(
        float(np.max(np.abs(np.abs(r[f]) - r[rho]) / np.abs(r[rho])))
        for f, rho in (("f1", "rho1"), ("f2", "rho2"))
    )
    return {"conditional.radius_error": error, "conditional.reached": error < options["tolerance"]}


def probabilistic_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """EM's learned beta and mean log-likelihood per latent, and the held-out best beta."""
    em, held = tables["em"], tables["held_out"]
    out: dict[str, Scalar] = {}
    for latent in dict.fromkeys(em["latent"]):
        last = np.flatnonzero(_rows(em, latent=latent))[-1]
        out[f"probabilistic.{latent}.beta"] = float(em["beta"][last])
        out[f"probabilistic.{latent}.log_likelihood"] = float(em["log_likelihood"][last])
    out["probabilistic.best_beta"] = float(np.asarray(held["beta"])[np.asarray(held["best"])][0])
    return out


def amortized_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """Per encoder, the median amortization gap off the band and the gap's share inside it."""
    out: dict[str, Scalar] = {}
    for t in tables.values():
        method = t["method"][0]
        out[f"amortized.{method}.median_gap_off"] = float(t["median_off"][0])
        out[f"amortized.{method}.share_inside"] = float(t["share_inside"][0])
    return out


def capacity_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """Per loss, the trained lambda and the median held-out margin; the scan's largest F at
    lambda = 0 (the collapse: zero to rounding)."""
    trained, summary = tables["trained"], tables["scan_summary"]
    out: dict[str, Scalar] = {}
    for k, loss in enumerate(trained["loss"]):
        if loss in ("energy", "hinge", "log"):
            out[f"capacity.{loss}.lambda"] = float(trained["lam"][k])
            out[f"capacity.{loss}.margin"] = float(trained["margin_median"][k])
    zero = np.flatnonzero(np.asarray(summary["lam"]) == 0.0)
    if zero.size:
        out["capacity.collapse_F_max"] = float(summary["F_max"][zero[0]])
    return out


def variational_headlines(tables: Tables, options: Mapping) -> dict[str, Scalar]:
    """Per beta, the mean approximation and amortization gaps and the amortization's share."""
    summary = tables["summary"]
    out: dict[str, Scalar] = {}
    for k, beta in enumerate(summary["beta"]):
        for column in ("mean_approximation", "mean_amortization", "amortization_share"):
            out[f"variational.beta~{beta:g}.{column}"] = float(summary[column][k])
    return out


HEADLINES: dict[str, Callable[[Tables, Mapping], dict[str, Scalar]]] = {
    "inference": inference_headlines,
    "mesh": mesh_headlines,
    "relaxed": relaxed_headlines,
    "training": training_headlines,
    "conditional": conditional_headlines,
    "probabilistic": probabilistic_headlines,
    "amortized": amortized_headlines,
    "capacity": capacity_headlines,
    "variational": variational_headlines,
}


# ---- the sweep's table and spread -------------------------------------------------------------


def table(settings: Sequence[Mapping[str, Scalar]], headlines: Sequence[Mapping[str, Scalar]]):
    """One row per point: ``point`` (its folder), its settings, its headline numbers."""
    keys = list(settings[0])
    metrics = list(dict.fromkeys(m for h in headlines for m in h))
    columns: dict[str, list] = {"point": [folder(s) for s in settings]}
    columns.update({key: [s[key] for s in settings] for key in keys})
    columns.update({metric: [h[metric] for h in headlines] for metric in metrics})
    return {name: np.asarray(values) for name, values in columns.items()}


def group(columns: Mapping[str, np.ndarray], i: int, keys: Sequence[str]) -> str:
    """Point i's values of ``keys`` as ``key=value, ...`` (its group in :func:`spread`)."""
    return ", ".join(f"{k}={format_value(scalar(columns[k][i]))}" for k in keys)


def wilson(k: int, n: int, z: float = WILSON_Z) -> tuple[float, float]:
    """The Wilson score interval of a rate k / n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def spread(columns: Mapping[str, np.ndarray], grid_keys: Sequence[str], metrics: Sequence[str]):
    """Per combination of the grid keys' values (``group``: ``key=value, ...``, empty without a
    grid) and per number: n, the median (a rate for yes/no numbers), the band (quantiles
    :data:`BAND`, or the Wilson interval: ``kind`` says which), the smallest and largest."""
    groups = [group(columns, i, grid_keys) for i in range(len(columns["point"]))]
    out: dict[str, list] = {
        name: [] for name in ("group", "metric", "kind", "n", "median", "low", "high", "min", "max")
    }
    for name in dict.fromkeys(groups):
        rows = np.array([g == name for g in groups])
        for metric in metrics:
            values = np.asarray(columns[metric])[rows]
            if values.dtype == bool:
                k, n = int(values.sum()), len(values)
                median, (low, high), kind = k / n, wilson(k, n), "rate"
                values = values.astype(float)
            else:
                values = values.astype(float)
                median = float(np.median(values))
                low, high = (float(q) for q in np.quantile(values, BAND))
                kind = "quantiles"
            row = (name, metric, kind, len(values), median, low, high, values.min(), values.max())
            for column, value in zip(out, row, strict=True):
                out[column].append(value)
    return {column: np.asarray(values) for column, values in out.items()}
