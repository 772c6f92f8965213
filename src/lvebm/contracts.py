"""The columns and Arrow types of every Parquet artifact (docs/design.md, "Stages and artifacts").

Each rule checks what it reads against this table (``lvebm.io.read_artifact``), and the tests check
every artifact a run writes against it, so the table, the writers and the readers cannot drift.
Patterns are ``fnmatch`` patterns of the path below ``results/``.
"""

from __future__ import annotations

import fnmatch
from pathlib import PurePath

_INFERENCE = (
    "i:int64 y1:double y2:double z_init:double z_check:double F:double n_iter:int64 "
    "n_eval:int64 converged:bool F_exact:double z_exact:double error:double global_min:bool"
)
_MESH = "y1:double y2:double F:double z_check:double dF_dy1:double dF_dy2:double unique:bool"
_RELAXED_MESH = "y1:double y2:double F:double dF_dy1:double dF_dy2:double"
_CROSS_SECTION = "beta:double y1:double y2:double F_grid:double F_continuous:double z_mean:double"
_TRAINING_RESULT = (
    "beta:double method:string w1:double w2:double loss:double steps:int64 converged:bool"
)

CONTRACTS: dict[str, str] = {
    "platform.parquet": "key:string value:string",
    "data/horn.parquet": "x:double theta:double y1:double y2:double",
    "data/samples.parquet": "i:int64 theta:double y1:double y2:double",
    "energy/energies.parquet": (
        "i:int64 k:int64 z:double y1_tilde:double y2_tilde:double E:double"
    ),
    "inference/*/*_trace.parquet": "i:int64 step:int64 z:double E:double",
    "inference/samples/*.parquet": _INFERENCE,
    "inference/mesh/*.parquet": _INFERENCE,
    "inference/summary.parquet": (
        "points:string optimizer:string n_points:int64 success_rate:double "
        "converged_rate:double max_error:double median_error:double mean_iter:double "
        "mean_eval:double"
    ),
    "mesh/shards/*.parquet": _MESH,
    "mesh/free_energy.parquet": _MESH,
    "mesh/highlight.parquet": (
        "h:int64 y1:double y2:double z:double E:double marker:bool z_check:double F:double"
    ),
    "relaxed/shards/beta~*/*.parquet": _RELAXED_MESH,
    "relaxed/free_energy/beta~*.parquet": _RELAXED_MESH,
    "relaxed/cross_section.parquet": _CROSS_SECTION,
    "relaxed/grid_error.parquet": (
        "beta:double point:string y1:double y2:double F_grid:double F_continuous:double"
    ),
    "relaxed/weights.parquet": (
        "point:string y1:double y2:double k:int64 z:double E:double weight:double"
    ),
    "training/beta~*/landscape.parquet": "beta:double w1:double w2:double loss:double",
    "training/beta~*/result.parquet": _TRAINING_RESULT,
    "training/beta~*/trajectory.parquet": (
        "method:string step:int64 epoch:int64 w1:double w2:double loss:double"
    ),
    "training/summary.parquet": _TRAINING_RESULT,
    "training/cross_section.parquet": _CROSS_SECTION,
    "training/closest.parquet": ("model:string i:int64 y1:double y2:double g1:double g2:double"),
    "training/denoise.parquet": (
        "i:int64 y1:double y2:double clean_y1:double clean_y2:double model:string "
        "denoised_y1:double denoised_y2:double error:double"
    ),
    "training/learning_rates.parquet": (
        "learning_rate:double loss:double optimum:double excess:double within_1pct:bool"
    ),
    "training/maps.parquet": (
        "model:string beta:double y1:double y2:double F:double dF_dy1:double dF_dy2:double"
    ),
    "training/temperature.parquet": (
        "beta:double w1:double w2:double loss:double critical_w1:double critical_w2:double"
    ),
    "training/warm_weights.parquet": (
        "model:string k:int64 z:double g1:double g2:double weight:double y1:double y2:double"
    ),
    "conditional/params.parquet": ("model:string layer:int64 name:string index:int64 value:double"),
    "conditional/trajectory.parquet": "model:string step:int64 loss:double",
    "conditional/radii.parquet": (
        "x:double f1:double f2:double rho1:double rho2:double baseline_y1:double "
        "baseline_y2:double f1_untrained:double f2_untrained:double"
    ),
    "conditional/free_energy.parquet": (
        "x:double y1:double y2:double F:double z_check:double F_untrained:double"
    ),
    "conditional/maps.parquet": "x:double y1:double y2:double F:double z_check:double",
}


def contract(path: str | PurePath) -> dict[str, str] | None:
    """{column: Arrow type} of the artifact at ``path`` (below a ``results`` folder), or None.

    >>> contract("results/data/samples.parquet")
    {'i': 'int64', 'theta': 'double', 'y1': 'double', 'y2': 'double'}
    >>> contract("results/inference/mesh/newton_trace.parquet")["step"]
    'int64'
    """
    parts = PurePath(path).parts
    if "results" not in parts:
        return None
    below = parts[len(parts) - 1 - parts[::-1].index("results") + 1 :]
    rel = "/".join(below)
    for pattern, columns in CONTRACTS.items():
        if fnmatch.fnmatchcase(rel, pattern):
            return dict(column.split(":") for column in columns.split())
    return None
