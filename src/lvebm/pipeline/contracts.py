"""The columns and Arrow types of every Parquet artifact (docs/stages.md, "What it computes"),
and the class of each column that says how two runs' values of it are compared.

Each rule checks what it reads against this table (``lvebm.pipeline.io.read_artifact``), and the
tests check every artifact a run writes against it, so the table, the writers and the readers
cannot drift.
Patterns are ``fnmatch`` patterns of the path below ``results/``.

Column classes (``column_class``; ``lvebm-manifest`` applies them, ``--strict`` ignores them):

- ``exact``: labels, counts, flags, and any column that is not floating point: equal.
- ``rounding``: floats computed in a fixed number of operations: equal within ``rtol`` (1e-9)
  of the column's largest magnitude, plus ``atol``; last-bit noise of other kernels passes.
- ``converged``: floats at the end of an iteration that stops on a tolerance (the trained
  decoders, the conditional horn's networks, and everything computed from them): equal within
  1e-6 of the scale. Each such training stops where its gradient or step is small (at most
  1e-10 of |theta| for the horn); two runs with other kernels take another path to the same
  minimum and end within that, measured 3e-8 at most (``docs/reproducibility.md``).
- ``path``: iteration logs and step counts. Their length depends on the path (one more step when
  a stopping test is met a little later), so a log is compared per group (``PATHS``: per model,
  method or point) by its number of rows, within ``PATH_SLACK``, and by its last row, within the
  ``converged`` tolerance; a count column (``PATH_COLUMNS``) within the same slack.
- ``kernel``: everything of a training that stops at a step budget on a non-convex loss (the
  label-free encoder of the amortized stage, ``KERNEL_BOUND_ARTIFACTS``): its path through the
  loss amplifies last-bit differences (6e-3 in its parameters between two CPUs' kernels, measured),
  so it is compared like a figure: byte for byte where the kernels are the same (pinned runs
  always are), and only noted where they differ.
- ``platform``: ``platform.parquet``, the record of the kernels: never compared, printed.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class ColumnClass:
    """How two runs' values of a column are compared: ``name`` and, for floats, the tolerance
    ``atol + rtol * scale`` (scale: the column's largest finite magnitude)."""

    name: str
    rtol: float = 0.0
    atol: float = 0.0

    def tolerance(self, scale: float) -> float:
        return self.atol + self.rtol * scale


EXACT = ColumnClass("exact")
ROUNDING = ColumnClass("rounding", 1e-9, 1e-9)
CONVERGED = ColumnClass("converged", 1e-6, 1e-9)
PATH = ColumnClass("path", 1e-6, 1e-9)
PLATFORM = ColumnClass("platform")
KERNEL = ColumnClass("kernel")
# rows per group (or a count) may differ by this many plus this share of the larger
PATH_SLACK = (5, 0.05)

PLATFORM_ARTIFACT = "platform.parquet"
# the 2-D latent's trainings (capacity/training/*) stop at a step budget too, on losses whose
# active pairs (the hinge's) and negatives switch at thresholds
# and the variational stage's encoders, and everything drawn from their q (a step budget on a
# non-convex loss), the rejection sampler's draws with them (their envelope is q*'s)
KERNEL_BOUND_ARTIFACTS = ("amortized/encoder~energy/*", "capacity/training/*", "variational/*")
CONVERGED_ARTIFACTS = (
    "training/*",
    "conditional/*",
    "probabilistic/*",
    "amortized/*",
    "capacity/*",
    "sweeps/*",
)


@dataclass(frozen=True)
class Artifact:
    """One artifact: its path below ``results/`` with its rule's wildcards in braces, its columns
    (``name:type ...``), and for an iteration log its group columns (``groups``: one log per
    value, compared by length and last row), for a table of step counts the columns that count
    (``counts``); ``temp`` for an intermediate that a finished run no longer holds."""

    path: str
    columns: str
    groups: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    temp: bool = False  # an intermediate (a mesh shard), deleted once its table is gathered

    @property
    def pattern(self) -> str:
        """The path as an ``fnmatch`` pattern below ``results/``: each wildcard a ``*``."""
        return re.sub(r"\{[^}]+\}", "*", self.path)


_INFERENCE = (
    "i:int64 y1:double y2:double z_init:double z_check:double F:double n_iter:int64 "
    "n_eval:int64 converged:bool F_exact:double z_exact:double error:double global_min:bool"
)
_MESH = "y1:double y2:double F:double z_check:double dF_dy1:double dF_dy2:double unique:bool"
_RELAXED_MESH = "y1:double y2:double F:double dF_dy1:double dF_dy2:double"
_CROSS_SECTION = "beta:double y1:double y2:double F_grid:double F_continuous:double z_mean:double"
_NETWORK = "model:string layer:int64 name:string index:int64 value:double"
_TRAINING_RESULT = (
    "beta:double method:string w1:double w2:double loss:double steps:int64 converged:bool"
)

# a contract ending so allows further columns of these types after its named ones
OPEN = "...:double|int64|bool|string"

ARTIFACTS: dict[str, Artifact] = {
    "platform": Artifact("platform.parquet", "key:string value:string"),
    "horn": Artifact("data/horn.parquet", "x:double theta:double y1:double y2:double"),
    "samples": Artifact("data/samples.parquet", "i:int64 theta:double y1:double y2:double"),
    "energies": Artifact(
        "energy/energies.parquet",
        "i:int64 k:int64 z:double y1_tilde:double y2_tilde:double E:double",
    ),
    # before "inference": its pattern matches the traces too
    "trace": Artifact(
        "inference/{points}/{optimizer}_trace.parquet",
        "i:int64 step:int64 z:double E:double",
        groups=("i",),
    ),
    "inference": Artifact("inference/{points}/{optimizer}.parquet", _INFERENCE),
    "inference_summary": Artifact(
        "inference/summary.parquet",
        "points:string optimizer:string n_points:int64 success_rate:double "
        "converged_rate:double max_error:double median_error:double mean_iter:double "
        "mean_eval:double",
    ),
    "mesh_shard": Artifact("mesh/shards/{scatteritem}.parquet", _MESH, temp=True),
    "mesh": Artifact("mesh/free_energy.parquet", _MESH),
    "highlight": Artifact(
        "mesh/highlight.parquet",
        "h:int64 y1:double y2:double z:double E:double marker:bool z_check:double F:double",
    ),
    "relaxed_shard": Artifact(
        "relaxed/shards/beta~{beta}/{scatteritem}.parquet", _RELAXED_MESH, temp=True
    ),
    "relaxed_mesh": Artifact("relaxed/free_energy/beta~{beta}.parquet", _RELAXED_MESH),
    "relaxed_cross_section": Artifact("relaxed/cross_section.parquet", _CROSS_SECTION),
    "relaxed_grid_error": Artifact(
        "relaxed/grid_error.parquet",
        "beta:double point:string y1:double y2:double F_grid:double F_continuous:double",
    ),
    "relaxed_weights": Artifact(
        "relaxed/weights.parquet",
        "point:string y1:double y2:double k:int64 z:double E:double weight:double",
    ),
    "training_landscape": Artifact(
        "training/beta~{beta}/landscape.parquet", "beta:double w1:double w2:double loss:double"
    ),
    "training_result": Artifact(
        "training/beta~{beta}/result.parquet", _TRAINING_RESULT, counts=("steps",)
    ),
    "training_trajectory": Artifact(
        "training/beta~{beta}/trajectory.parquet",
        "method:string step:int64 epoch:int64 w1:double w2:double loss:double",
        groups=("method",),
    ),
    "training_summary": Artifact("training/summary.parquet", _TRAINING_RESULT, counts=("steps",)),
    "training_cross_section": Artifact("training/cross_section.parquet", _CROSS_SECTION),
    "training_closest": Artifact(
        "training/closest.parquet",
        "model:string i:int64 y1:double y2:double g1:double g2:double",
    ),
    "training_denoise": Artifact(
        "training/denoise.parquet",
        "i:int64 y1:double y2:double clean_y1:double clean_y2:double model:string "
        "denoised_y1:double denoised_y2:double error:double",
    ),
    "training_learning_rates": Artifact(
        "training/learning_rates.parquet",
        "learning_rate:double loss:double optimum:double excess:double within_1pct:bool",
    ),
    "training_maps": Artifact(
        "training/maps.parquet",
        "model:string beta:double y1:double y2:double F:double dF_dy1:double dF_dy2:double",
    ),
    "training_temperature": Artifact(
        "training/temperature.parquet",
        "beta:double w1:double w2:double loss:double critical_w1:double critical_w2:double",
    ),
    "training_warm_weights": Artifact(
        "training/warm_weights.parquet",
        "model:string k:int64 z:double g1:double g2:double weight:double y1:double y2:double",
    ),
    "conditional_params": Artifact("conditional/params.parquet", _NETWORK),
    "conditional_trajectory": Artifact(
        "conditional/trajectory.parquet",
        "model:string step:int64 loss:double",
        groups=("model",),
    ),
    "conditional_radii": Artifact(
        "conditional/radii.parquet",
        "x:double f1:double f2:double rho1:double rho2:double baseline_y1:double "
        "baseline_y2:double f1_untrained:double f2_untrained:double",
    ),
    "conditional_free_energy": Artifact(
        "conditional/free_energy.parquet",
        "x:double y1:double y2:double F:double z_check:double F_untrained:double",
    ),
    "conditional_maps": Artifact(
        "conditional/maps.parquet", "x:double y1:double y2:double F:double z_check:double"
    ),
    "em": Artifact(
        "probabilistic/em.parquet",
        "latent:string step:int64 w1:double w2:double beta:double log_likelihood:double",
        groups=("latent",),
    ),
    "model_samples": Artifact(
        "probabilistic/model_samples.parquet", "latent:string z:double y1:double y2:double"
    ),
    "held_out": Artifact(
        "probabilistic/held_out.parquet",
        "beta:double w1:double w2:double train_log_likelihood:double log_likelihood:double "
        "best:bool",
    ),
    "encoder_params": Artifact("amortized/encoder~{method}/params.parquet", _NETWORK),
    "encoder_trajectory": Artifact(
        "amortized/encoder~{method}/trajectory.parquet",
        "method:string step:int64 loss:double",
        groups=("method",),
    ),
    "encoder_gap": Artifact(
        "amortized/encoder~{method}/gap.parquet",
        "method:string y1:double y2:double z_tilde:double z_check:double F:double "
        "E_tilde:double gap:double ridge_distance:double",
    ),
    "encoder_band": Artifact(
        "amortized/encoder~{method}/band.parquet",
        "method:string band:double points:int64 inside:int64 median_off:double p99_off:double "
        "share_inside:double max_gap:double",
    ),
    "encoder_warm_start": Artifact(
        "amortized/encoder~{method}/warm_start.parquet",
        "start:string optimizer:string " + _INFERENCE,
    ),
    "encoder_warm_start_summary": Artifact(
        "amortized/encoder~{method}/warm_start_summary.parquet",
        "start:string optimizer:string n_points:int64 success_rate:double "
        "converged_rate:double max_error:double median_error:double mean_iter:double "
        "mean_eval:double local_min_rate:double",
    ),
    "target_propagation_params": Artifact("amortized/target_propagation/params.parquet", _NETWORK),
    "target_propagation_trajectory": Artifact(
        "amortized/target_propagation/trajectory.parquet",
        "step:int64 w1:double w2:double reconstruction:double distance:double",
    ),
    "capacity_scan": Artifact(
        "capacity/scan.parquet",
        "lam:double y1:double y2:double F:double z_r:double z_t:double F_inf:double "
        "first_order:double",
    ),
    "capacity_scan_summary": Artifact(
        "capacity/scan_summary.parquet",
        "lam:double F_max:double F_median:double F_inf_median:double below_inf_max:double "
        "first_order_error:double",
    ),
    "capacity_trajectory": Artifact(
        "capacity/training/trajectory.parquet",
        "loss:string step:int64 value:double w1:double w2:double lam:double "
        "margin_median:double F_check_median:double F_hat_median:double",
        groups=("loss",),
    ),
    "capacity_trained": Artifact(
        "capacity/training/trained.parquet",
        "loss:string w1:double w2:double lam:double value:double margin_median:double "
        "F_check_median:double F_hat_median:double",
    ),
    "capacity_maps": Artifact(
        "capacity/training/maps.parquet", "loss:string y1:double y2:double F:double"
    ),
    "variational_gaps": Artifact(
        "variational/beta~{beta}/gaps.parquet",
        "y1:double y2:double F_beta:double mu_star:double kappa_star:double F_q_star:double "
        "mu_enc:double kappa_enc:double F_q_enc:double approximation_gap:double "
        "amortization_gap:double ridge_distance:double tie:bool",
    ),
    "variational_encoder": Artifact("variational/beta~{beta}/encoder.parquet", _NETWORK),
    "variational_trajectory": Artifact(
        "variational/beta~{beta}/trajectory.parquet",
        "beta:double step:int64 loss:double",
        groups=("beta",),
    ),
    "variational_summary": Artifact(
        "variational/summary.parquet",
        "beta:double ties:int64 ridge_scaled_min:double ridge_scaled_max:double off_max:double "
        "off_median:double min_gap:double mean_amortization:double mean_approximation:double "
        "mean_total:double amortization_share:double",
    ),
    "variational_posteriors": Artifact(
        "variational/posteriors.parquet",
        "point:string beta:double z:double exact:double best:double encoder:double",
    ),
    "variational_draws": Artifact(
        "variational/draws.parquet",
        "point:string beta:double lower:double upper:double count:int64 expected:double",
    ),
    "variational_draws_summary": Artifact(
        "variational/draws_summary.parquet",
        "point:string y1:double y2:double beta:double draws:int64 acceptance:double "
        "expected_acceptance:double envelope_mu:double envelope_kappa:double "
        "ks_statistic:double p_value:double",
    ),
    "explorer_line": Artifact(
        "explorer/line.parquet", "beta:double y1:double y2:double F:double F_inf:double"
    ),
    "explorer_weights": Artifact(
        "explorer/weights.parquet", "beta:double point:string z:double weight:double"
    ),
    "explorer_decoders": Artifact(
        "explorer/decoders.parquet",
        "w1:double w2:double on_line:bool y1:double y2:double F:double",
    ),
    # a sweep's table: the point's folder, then its settings and headline numbers (OPEN: any
    # further columns of these types; the sweep's config decides them)
    "sweep_table": Artifact("sweeps/{sweep}/table.parquet", f"point:string {OPEN}"),
    "sweep_spread": Artifact(
        "sweeps/{sweep}/spread.parquet",
        "group:string metric:string kind:string n:int64 median:double low:double high:double "
        "min:double max:double",
    ),
}

# The registry as fnmatch patterns, in its order (the first match is an artifact's):
# {pattern: columns}, the iteration logs' {pattern: groups}, the step counts' {pattern: columns}.
CONTRACTS: dict[str, str] = {a.pattern: a.columns for a in ARTIFACTS.values()}
PATHS: dict[str, tuple[str, ...]] = {a.pattern: a.groups for a in ARTIFACTS.values() if a.groups}
PATH_COLUMNS: dict[str, tuple[str, ...]] = {
    a.pattern: a.counts for a in ARTIFACTS.values() if a.counts
}


def _below_results(path: str | PurePath) -> str | None:
    """The path below ``results/``; a sweep point's artifact as the run's own (its folder
    ``sweeps/<sweep>/<key~value>/...`` left out).

    >>> _below_results("results/sweeps/seeds/seed~709/training/summary.parquet")
    'training/summary.parquet'
    """
    parts = PurePath(path).parts
    if "results" not in parts:
        return None
    parts = parts[len(parts) - parts[::-1].index("results") :]
    if len(parts) > 3 and parts[0] == "sweeps" and "~" in parts[2]:
        start = 2
        while start < len(parts) - 1 and "~" in parts[start]:
            start += 1
        parts = parts[start:]
    return "/".join(parts)


def _matches(rel: str, patterns) -> str | None:
    return next((p for p in patterns if fnmatch.fnmatchcase(rel, p)), None)


def kernel_bound(path: str | PurePath) -> bool:
    """Whether an artifact is compared only where the kernels are the same (class ``kernel``).

    >>> kernel_bound("results/amortized/encoder~energy/gap.parquet")
    True
    """
    rel = _below_results(path) or str(path)
    return _matches(rel, KERNEL_BOUND_ARTIFACTS) is not None


def path_groups(path: str | PurePath) -> tuple[str, ...] | None:
    """The group columns of an iteration log (a ``path`` artifact), or None for any other.

    >>> path_groups("results/training/beta~0.3/trajectory.parquet")
    ('method',)
    """
    rel = _below_results(path)
    pattern = rel and _matches(rel, PATHS)
    return PATHS[pattern] if pattern else None


def column_class(path: str | PurePath, column: str, dtype: str) -> ColumnClass:
    """The class of ``column`` (Arrow type ``dtype``) of the artifact at ``path``.

    >>> column_class("results/mesh/free_energy.parquet", "F", "double").name
    'rounding'
    >>> column_class("results/conditional/params.parquet", "value", "double").rtol
    1e-06
    >>> column_class("results/training/summary.parquet", "steps", "int64").name
    'path'
    >>> column_class("results/training/summary.parquet", "method", "string").name
    'exact'
    """
    rel = _below_results(path) or str(path)
    if rel == PLATFORM_ARTIFACT:
        return PLATFORM
    if _matches(rel, KERNEL_BOUND_ARTIFACTS):
        return KERNEL
    if _matches(rel, PATHS):
        return PATH
    columns = PATH_COLUMNS.get(_matches(rel, PATH_COLUMNS) or "", ())
    if column in columns:
        return PATH
    if dtype not in ("double", "float", "float64", "float32"):
        return EXACT
    return CONVERGED if _matches(rel, CONVERGED_ARTIFACTS) else ROUNDING


def registered_pattern(path: str | PurePath) -> str | None:
    """The :data:`CONTRACTS` pattern that the artifact at ``path`` falls under, or None.

    >>> registered_pattern("results/inference/mesh/newton_trace.parquet")
    'inference/*/*_trace.parquet'
    """
    rel = _below_results(path)
    return (rel and _matches(rel, CONTRACTS)) or None


def registered(path: str | PurePath) -> Artifact | None:
    """The registered artifact that the file at ``path`` is, or None.

    >>> registered("results/mesh/shards/2-of-3.parquet").temp
    True
    """
    pattern = registered_pattern(path)
    return next((a for a in ARTIFACTS.values() if a.pattern == pattern), None)


def contract(path: str | PurePath) -> dict[str, str] | None:
    """{column: Arrow type} of the artifact at ``path`` (below a ``results`` folder), or None.

    >>> contract("results/data/samples.parquet")
    {'i': 'int64', 'theta': 'double', 'y1': 'double', 'y2': 'double'}
    >>> contract("results/inference/mesh/newton_trace.parquet")["step"]
    'int64'
    """
    pattern = registered_pattern(path)
    return dict(column.split(":") for column in CONTRACTS[pattern].split()) if pattern else None
