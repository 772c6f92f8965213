"""The catalogue of bad inputs and faults, one table per class, all against one finished run:

- config values: at least one row per config key (``test_every_config_key_has_a_row``: a new
  key without a row fails, as in the rerun matrix), numbers out of bounds or not finite,
  whole-number floats for integers, cross-field rules, the mesh size cap;
- config files and command-line items: malformed YAML, repeated keys, a missing --configfile, a
  --config item Snakemake cannot parse, a --config value of the wrong type;
- artifacts changed after their rule wrote them: values edited, a column dropped or recast,
  truncated, replaced by garbage, a figure edited, a checksum deleted or damaged;
- the manifest command: missing paths, a manifest that is not JSON or not this tool's, an
  unreadable artifact, column types and row counts, tolerances;
- the library's public functions: non-finite points, invalid options, mismatched shapes,
  complex input.

Each command-line row asserts the exit status, a message that names the key or file, no Python
traceback, and that the results tree is unchanged (by hashes); each library row the exception
and its message, or a result that is not called converged.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from support import ROOT, SMALL_CONFIG_OVERRIDES, Run, deep_update, manifest_artifacts, tree
from test_reruns import SCHEMA, schema_leaves

from lvebm import Decoder, infer, minimize
from lvebm.exact import free_energy_exact
from lvebm.optimize import OPTIMIZERS, run_optimizer
from lvebm.pipeline.config import resolve
from lvebm.pipeline.contracts import kernel_bound
from lvebm.pipeline.io import write_parquet

NAN, INF = float("nan"), float("inf")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s+File \"", re.M)


def at(key: str, value) -> dict:
    """The override {a: {b: value}} of the dotted key a.b."""
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


@pytest.fixture(scope="module")
def finished(finished_module_copy):
    """A copy of the session's finished run (small config); each row leaves it as it found it."""
    return finished_module_copy


def assert_stops_cleanly(project, proc, *names, before=None):
    """Exit status 1, one 'lvebm error:' line naming every name, no traceback, and the results
    tree as it was. ``proc`` is a finished process or a ``Run`` of a batch (its results tree
    hashed right after it)."""
    if isinstance(proc, Run):
        code, output, after = proc.code, proc.output, proc.results
    else:
        code, output, after = proc.returncode, proc.stdout + proc.stderr, None
    assert code == 1, output[-3000:]
    errors = [line for line in output.splitlines() if line.startswith("lvebm error: ")]
    assert len(errors) == 1, output[-3000:]
    for name in names:
        assert name in errors[0], errors[0]
    assert not TRACEBACK.search(output), output[-3000:]
    if before is not None:
        assert (tree(project.path / "results") if after is None else after) == before


# ---- config values -------------------------------------------------------------------------------

# (overrides of the small config, text of the one-line error; the key it names counts as covered)
CONFIG = [
    (at("seed", -1), "config key 'seed' = -1 is invalid: -1 is less than the minimum of 0"),
    (at("seed", 709.0), "config key 'seed' = 709.0 is invalid: must be an integer: write 709"),
    (at("seed", "abc"), "config key 'seed' = 'abc' is invalid: 'abc' is not of type 'integer'"),
    (at("seed", 2**40), "config key 'seed' = 1099511627776 is invalid"),
    (at("data.alpha", 0), "config key 'data.alpha' = 0 is invalid"),
    (at("data.beta", NAN), "config key 'data.beta' = nan is invalid: must be a finite number"),
    (at("data.noise_std", -0.1), "config key 'data.noise_std' = -0.1 is invalid"),
    (at("data.horn.n", 0), "config key 'data.horn.n' = 0 is invalid"),
    (at("data.slice.x", 1.5), "config key 'data.slice.x' = 1.5 is invalid"),
    (at("data.slice.x", NAN), "config key 'data.slice.x' = nan is invalid: must be a finite"),
    (at("data.slice.n", 0), "config key 'data.slice.n' = 0 is invalid"),
    (at("decoder.w1", 0), "config key 'decoder.w1' = 0 is invalid: |w1| must be at least 0.001"),
    (at("decoder.w2", 1e-4), "config key 'decoder.w2' = 0.0001 is invalid: |w2| must be at least"),
    (at("decoder.w2", 2000.0), "config key 'decoder.w2' = 2000.0 is invalid"),
    (at("decoder.w1", INF), "config key 'decoder.w1' = inf is invalid"),
    (at("decoder.w3", 1.0), "unknown config key 'decoder.w3': the keys allowed under 'decoder'"),
    (at("colour", "red"), "unknown config key 'colour': the keys allowed are amortized, capaci"),
    (at("latent.n", 2), "config key 'latent.n' = 2 is invalid"),
    (at("inference.optimizers", ["newton", "adam"]), "'inference.optimizers[1]' = 'adam'"),
    (at("inference.optimizers", []), "config key 'inference.optimizers' = [] is invalid"),
    (at("inference.optimizers", ["exact", "exact"]), "has non-unique elements"),
    (at("inference.z_init", NAN), "config key 'inference.z_init' = nan is invalid"),
    (at("inference.z_init", 1e6), "config key 'inference.z_init' = 1000000.0 is invalid"),
    (at("inference.focus", 30), "config key 'inference.focus' = 30 is invalid: must be a sample"),
    (at("inference.focus", 0), "config key 'inference.focus' = 0 is invalid"),
    (at("inference.max_iter", 0), "config key 'inference.max_iter' = 0 is invalid"),
    (at("inference.max_iter", 10.0), "config key 'inference.max_iter' = 10.0 is invalid"),
    (at("inference.gtol", 0), "config key 'inference.gtol' = 0 is invalid"),
    (at("inference.gtol", NAN), "config key 'inference.gtol' = nan is invalid: must be a finite"),
    (at("inference.global_tol", -1e-9), "config key 'inference.global_tol' = -1e-09 is invalid"),
    (at("inference.line_search.c1", 0.6), "config key 'inference.line_search.c1' = 0.6"),
    (at("inference.line_search.c2", 1e-5), "'inference.line_search.c2' = 1e-05 is invalid: must"),
    (at("inference.conjugate_gradient.c2", 1.0), "'inference.conjugate_gradient.c2' = 1.0 is"),
    (at("inference.mesh_trace", "yes"), "config key 'inference.mesh_trace' = 'yes' is invalid"),
    (at("inference.mesh_trace", 1), "config key 'inference.mesh_trace' = 1 is invalid"),
    (at("mesh.y1.start", 5.0), "config key 'mesh.y1.start' = 5.0 is invalid: must be less than"),
    (at("mesh.y1.start", -INF), "config key 'mesh.y1.start' = -inf is invalid"),
    (at("mesh.y1.stop", 1e300), "config key 'mesh.y1.stop' = 1e+300 is invalid"),
    (at("mesh.y1.num", 1), "config key 'mesh.y1.num' = 1 is invalid"),
    (at("mesh.y1.num", 13.0), "config key 'mesh.y1.num' = 13.0 is invalid: must be an integer"),
    (at("mesh.y2.start", "low"), "config key 'mesh.y2.start' = 'low' is invalid"),
    (at("mesh.y2.stop", NAN), "config key 'mesh.y2.stop' = nan is invalid"),
    (at("mesh.y2.num", 0), "config key 'mesh.y2.num' = 0 is invalid"),
    (at("mesh.y2.num", 100000), "config key 'mesh.max_points' = 1000000 is invalid: the mesh has"),
    (at("mesh.max_points", 100), "mesh.y1.num x mesh.y2.num = 117 points, more than this cap"),
    (at("mesh.max_points", 0), "config key 'mesh.max_points' = 0 is invalid"),
    (at("mesh.highlight", [[1.0, 2.0, 3.0]]), "config key 'mesh.highlight[0]' = [1.0, 2.0, 3.0]"),
    (at("mesh.highlight", [[NAN, -0.5]]), "config key 'mesh.highlight[0][0]' = nan is invalid"),
    (at("mesh.highlight", [[1e5, -0.5]]), "config key 'mesh.highlight[0][0]' = 100000.0 is"),
    (at("mesh.curve.start_pi", 30), "config key 'mesh.curve.start_pi' = 30 is invalid"),
    (at("mesh.curve.stop_pi", -2), "'mesh.curve.stop_pi' = -2 is invalid: must be greater than"),
    (at("mesh.curve.markers_per_pi", 0), "config key 'mesh.curve.markers_per_pi' = 0 is invalid"),
    (at("mesh.curve.oversample", 0.5), "config key 'mesh.curve.oversample' = 0.5 is invalid"),
    (at("mesh.method", "adam"), "config key 'mesh.method' = 'adam' is invalid"),
    (at("mesh.shards", 0), "config key 'mesh.shards' = 0 is invalid"),
    (at("mesh.shards", 500), "config key 'mesh.shards' = 500 is invalid: must be at most the 117"),
    (at("mesh.chunk", 10), "config key 'mesh.chunk' = 10 is invalid"),
    (at("relaxed.betas", [0.0, 1.0]), "config key 'relaxed.betas[0]' = 0.0 is invalid"),
    (at("relaxed.betas", []), "config key 'relaxed.betas' = [] is invalid"),
    (at("relaxed.betas", [1.0, 1.0]), "has non-unique elements"),
    (at("relaxed.betas", [INF]), "config key 'relaxed.betas[0]' = inf is invalid"),
    (at("relaxed.cross_section.start", [0.0, NAN]), "'relaxed.cross_section.start[1]' = nan"),
    (at("relaxed.cross_section.stop", [0.0, -2.0]), "'relaxed.cross_section.stop' = [0.0, -2.0]"),
    (at("relaxed.cross_section.num", 1), "config key 'relaxed.cross_section.num' = 1 is invalid"),
    (at("relaxed.weights_beta", 0), "config key 'relaxed.weights_beta' = 0 is invalid"),
    (at("relaxed.weights_points", [23, 30]), "'relaxed.weights_points' = 30 is invalid: a sample"),
    (at("relaxed.weights_points", ["origin"]), "'relaxed.weights_points[0]' = 'origin' is inv"),
    (at("relaxed.scan.start", -1.0), "config key 'relaxed.scan.start' = -1.0 is invalid"),
    (at("relaxed.scan.stop", 0.001), "'relaxed.scan.stop' = 0.001 is invalid: must be greater"),
    (at("relaxed.scan.num", 1), "config key 'relaxed.scan.num' = 1 is invalid"),
    (at("training.betas", [-1.0]), "config key 'training.betas[0]' = -1.0 is invalid"),
    (at("training.methods", ["lbfgs", "adam"]), "config key 'training.methods[1]' = 'adam'"),
    (at("training.latent", "exact"), "config key 'training.latent' = 'exact' is invalid"),
    (at("training.start", {"w1": 1.0}), "config key 'training.start' = {'w1': 1.0} is invalid"),
    (at("training.start", {"w1": NAN, "w2": 1.0}), "config key 'training.start.w1' = nan"),
    (at("training.learning_rate", 0), "config key 'training.learning_rate' = 0 is invalid"),
    (at("training.epochs", 0), "config key 'training.epochs' = 0 is invalid"),
    (at("training.gtol", 2.0), "config key 'training.gtol' = 2.0 is invalid"),
    (at("training.max_iter", 1.5), "config key 'training.max_iter' = 1.5 is invalid"),
    (at("training.warm_beta", -1), "config key 'training.warm_beta' = -1 is invalid"),
    (at("training.warm_point", 25), "'training.warm_point' = 25 is invalid: must be a sample"),
    (at("training.denoise", 0), "config key 'training.denoise' = 0 is invalid"),
    (at("training.learning_rates.start", 0), "'training.learning_rates.start' = 0 is invalid"),
    (at("training.learning_rates.stop", 0.001), "'training.learning_rates.stop' = 0.001 is"),
    (at("training.learning_rates.num", 1), "'training.learning_rates.num' = 1 is invalid"),
    (at("training.temperature.start", 0), "'training.temperature.start' = 0 is invalid"),
    (at("training.temperature.stop", 0.01), "'training.temperature.stop' = 0.01 is invalid"),
    (at("training.temperature.num", 1001), "'training.temperature.num' = 1001 is invalid"),
    (at("conditional.hidden", [8.0, 8]), "'conditional.hidden[0]' = 8.0 is invalid: must be an"),
    (at("conditional.hidden", []), "config key 'conditional.hidden' = [] is invalid"),
    (at("conditional.init_seed", -1), "config key 'conditional.init_seed' = -1 is invalid"),
    (at("conditional.activation", "sigmoid"), "'conditional.activation' = 'sigmoid' is invalid"),
    (at("conditional.weight_decay.latent", -1e-5), "'conditional.weight_decay.latent' = -1e-05"),
    (at("conditional.weight_decay.baseline", 2), "'conditional.weight_decay.baseline' = 2 is"),
    (at("numerics.pin", "yes"), "config key 'numerics.pin' = 'yes' is invalid"),
    (at("strict.enabled", "yes"), "config key 'strict.enabled' = 'yes' is invalid"),
    (at("strict.manifest", 3), "config key 'strict.manifest' = 3 is invalid"),
    (at("probabilistic.start_beta", 0), "config key 'probabilistic.start_beta' = 0 is invalid"),
    (at("probabilistic.tol", 1.0), "config key 'probabilistic.tol' = 1.0 is invalid"),
    (at("probabilistic.max_iter", 0), "config key 'probabilistic.max_iter' = 0 is invalid"),
    (at("probabilistic.samples", 0), "config key 'probabilistic.samples' = 0 is invalid"),
    (at("probabilistic.held_out", 0), "config key 'probabilistic.held_out' = 0 is invalid"),
    (at("conditional.train", 0), "config key 'conditional.train' = 0 is invalid"),
    (at("conditional.held_out", 0), "config key 'conditional.held_out' = 0 is invalid"),
    (
        at("conditional.schedule", [{"method": "lbfgs", "steps": 10.0}]),
        "config key 'conditional.schedule[0].steps' = 10.0 is invalid: must be an integer",
    ),
    (
        at("conditional.schedule", [{"method": "sgd", "steps": 9}]),
        "config key 'conditional.schedule[0].method' = 'sgd' is invalid: 'sgd' is not one of",
    ),
    (at("conditional.x.start", -0.5), "config key 'conditional.x.start' = -0.5 is invalid"),
    (at("conditional.x.stop", 1.5), "config key 'conditional.x.stop' = 1.5 is invalid"),
    (at("conditional.x.num", 1), "config key 'conditional.x.num' = 1 is invalid"),
    (at("conditional.maps.x", [2.0]), "config key 'conditional.maps.x[0]' = 2.0 is invalid"),
    (at("conditional.maps.num", 1), "config key 'conditional.maps.num' = 1 is invalid"),
    (at("conditional.maps.margin", 0.5), "config key 'conditional.maps.margin' = 0.5 is invalid"),
    (at("conditional.maps.window", 0), "config key 'conditional.maps.window' = 0 is invalid"),
    (at("amortized.hidden", [0, 16]), "config key 'amortized.hidden[0]' = 0 is invalid"),
    (at("amortized.activation", "gelu"), "config key 'amortized.activation' = 'gelu' is invalid"),
    (at("amortized.init_seed", -1), "config key 'amortized.init_seed' = -1 is invalid"),
    (at("amortized.train", 0), "config key 'amortized.train' = 0 is invalid"),
    (
        at("amortized.schedule.supervised", [{"method": "levenberg_marquardt", "steps": 0}]),
        "config key 'amortized.schedule.supervised[0].steps' = 0 is invalid: 0 is less than",
    ),
    (
        at("amortized.schedule.supervised", [{"method": "adam", "steps": 9}]),
        "'learning_rate' is a required property",
    ),
    (
        at("amortized.schedule.supervised", [{"method": "lbfgs", "steps": 9, "learning_rate": 1}]),
        "(learning_rate is adam's alone)",
    ),
    (at("amortized.schedule.energy", []), "config key 'amortized.schedule.energy' = [] is inv"),
    (at("amortized.map.y1", 1), "config key 'amortized.map.y1' = 1 is invalid"),
    (at("amortized.map.y2", 2.5), "config key 'amortized.map.y2' = 2.5 is invalid"),
    (at("amortized.band", 0), "config key 'amortized.band' = 0 is invalid"),
    (
        at("amortized.target_propagation.steps", 0),
        "config key 'amortized.target_propagation.steps' = 0 is invalid",
    ),
    (
        at("amortized.target_propagation.distance_weight", -1),
        "config key 'amortized.target_propagation.distance_weight' = -1 is invalid",
    ),
    (
        at("amortized.target_propagation.decoder_rate", 0),
        "config key 'amortized.target_propagation.decoder_rate' = 0 is invalid",
    ),
    (
        at("amortized.target_propagation.encoder_rate", 11),
        "config key 'amortized.target_propagation.encoder_rate' = 11 is invalid",
    ),
    (
        at("amortized.target_propagation.init_seed", 1.5),
        "config key 'amortized.target_propagation.init_seed' = 1.5 is invalid",
    ),
    (at("capacity.lambdas", [-1.0]), "config key 'capacity.lambdas[0]' = -1.0 is invalid"),
    (at("capacity.lambdas", []), "config key 'capacity.lambdas' = [] is invalid"),
    (at("capacity.grid", 4), "config key 'capacity.grid' = 4 is invalid"),
    (
        at("capacity.training.losses", ["energy", "contrastive"]),
        "config key 'capacity.training.losses[1]' = 'contrastive' is invalid: 'contrastive' is "
        "not one of ['energy', 'hinge', 'log']",
    ),
    (
        at("capacity.training.losses", ["hinge", "hinge"]),
        "config key 'capacity.training.losses' = ['hinge', 'hinge'] is invalid",
    ),
    (
        at("capacity.training.negatives", {"rule": "hardest", "count": 9, "candidates": 2}),
        "config key 'capacity.training.negatives.rule' = 'hardest' is invalid: 'hardest' is not "
        "one of ['uniform', 'offending']",
    ),
    (
        at("capacity.training.margin", 0),
        "config key 'capacity.training.margin' = 0 is invalid",
    ),
    (
        at("capacity.training.start_lambda", -1),
        "config key 'capacity.training.start_lambda' = -1 is invalid",
    ),
    (at("variational.betas", [0.0]), "config key 'variational.betas[0]' = 0.0 is invalid"),
    (at("variational.betas", [10.0, 10.0]), "config key 'variational.betas' = [10.0, 10.0] is inv"),
    (at("variational.draws", 10), "config key 'variational.draws' = 10 is invalid"),
    (
        at("variational.points", [{"label": "ridge", "y": [0.5]}]),
        "config key 'variational.points[0].y' = [0.5] is invalid",
    ),
    (
        at("variational.encoder.schedule", [{"method": "adam", "steps": 9}]),
        "'learning_rate' is a required property",
    ),
    (at("explorer.radii.num", 100), "config key 'explorer.radii.num' = 100 is invalid"),
    (at("explorer.radii.stop", 0), "config key 'explorer.radii.stop' = 0 is invalid"),
    (
        at("explorer.radii.start", 3.5),
        "config key 'explorer.radii.start' = 3.5 is invalid: must be less than explorer.radii.stop",
    ),
    (at("explorer.line_num", 1), "config key 'explorer.line_num' = 1 is invalid"),
    (at("conditional.horn_tolerance", 0), "config key 'conditional.horn_tolerance' = 0 is"),
    (
        at("sweeps.pair.zip", {"data.noise_std": [0.1]}),
        "config key 'sweeps.pair.zip' = {'seed': 2, 'data.noise_std': 1} is invalid: the zipped "
        "lists must have equal lengths",
    ),
    (
        at("sweeps.pair.grid", {"data.nosie_std": [0.1]}),
        "config key 'sweeps.pair.grid.data.nosie_std' = 'data.nosie_std' is invalid: no such "
        "config key (no 'nosie_std')",
    ),
    (
        at("sweeps.pair.grid", {"mesh.shards": [1, 2]}),
        "'sweeps.pair.grid.mesh.shards' = 'mesh.shards' is invalid: cannot be swept: the shard",
    ),
    (
        at("sweeps.pair.grid", {"training.betas": [1.0]}),
        "'sweeps.pair.grid.training.betas' = 'training.betas' is invalid: names a list",
    ),
    (
        at("sweeps.pair.zip", {"seed": [709, -1]}),
        "sweeps.pair, point seed~-1: config key 'seed' = -1 is invalid: -1 is less than",
    ),
    (at("sweeps.pair.zip", {"seed": [709, 709]}), "config key 'sweeps.pair' = 'seed~709' is"),
    (at("sweeps.pair.stages", ["trainig"]), "config key 'sweeps.pair"),
    (at("figures.dpi", 10), "config key 'figures.dpi' = 10 is invalid"),
    (at("figures.scale", 0.1), "config key 'figures.scale' = 0.1 is invalid"),
    (at("figures.search_optimizer", "exact"), "'figures.search_optimizer' = 'exact' is invalid"),
    (
        at("inference.optimizers", ["exact", "newton"]),
        "'figures.search_optimizer' = 'gradient_descent' is invalid: must be one of inference.",
    ),
    (at("figures.vmax", 0), "config key 'figures.vmax' = 0 is invalid"),
    (at("figures.max_arrows", 1), "config key 'figures.max_arrows' = 1 is invalid"),
    (at("figures.max_points", 5), "config key 'figures.max_points' = 5 is invalid"),
]


def _named_key(message: str) -> str | None:
    """The dotted config key a message names ('key' = value), list indices removed."""
    match = re.search(r"'([a-z_]\w*(?:\.\w+|\[\d+\])*)' = ", message)
    return re.sub(r"\[\d+\]", "", match[1]) if match else None


def _invalid(spec):
    """A value the schema refuses for a key: just under a number's lower bound, a choice not in
    an enum, a number for a list or a flag; None where no simple one exists."""
    if "exclusiveMinimum" in spec:
        return spec["exclusiveMinimum"]
    if "minimum" in spec:
        return spec["minimum"] - 1
    if "enum" in spec:
        return "no_such_choice"
    if spec.get("type") in ("array", "boolean", "string"):
        return 5
    return None


# the keys that no row above names get one from the schema, named in one line: a new key (a
# stage's, a method's option) needs no row here unless its check is one the schema cannot state
_NAMED = {_named_key(message) for _, message in CONFIG}
CONFIG += [
    (at(key, _invalid(spec)), f"config key '{key}' = {_invalid(spec)!r} is invalid")
    for key, spec in SCHEMA.items()
    if key not in _NAMED and _invalid(spec) is not None
]


def test_every_config_key_has_a_row():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    keys = {key for key, _ in schema_leaves(schema)}
    named = {_named_key(message) for _, message in CONFIG} - {None}
    covered = {key for key in keys if any(n == key or n.startswith(f"{key}.") for n in named)}
    assert keys - covered == set()
    assert len(CONFIG) + len(FILES) + len(ARTIFACTS) + len(MANIFEST) + len(LIBRARY) >= 60


def test_every_number_in_the_schema_is_bounded():
    """JSON Schema bounds are the documented range of each number; none may be open-ended."""
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())

    def numbers(node, key=""):
        node = resolve(schema, node)
        for alt in node.get("oneOf", []):
            yield from numbers(alt, key)
        if node.get("type") in ("number", "integer"):
            yield key, node
        for name, sub in node.get("properties", {}).items():
            yield from numbers(sub, f"{key}.{name}")
        if "items" in node:
            yield from numbers(node["items"], f"{key}[]")

    for key, node in numbers(schema):
        assert {"minimum", "exclusiveMinimum"} & set(node), key
        assert {"maximum", "exclusiveMaximum"} & set(node), key


@pytest.fixture(scope="module")
def config_rows(finished):
    """Every bad config value and every bad config file or item, run in one batch against the
    finished run (each row's files put back after it), with the results tree before them."""
    before = tree(finished.path / "results")
    original = finished.config()
    values = [
        ({"config.yaml": yaml.safe_dump(deep_update(original, overrides), sort_keys=False)}, [])
        for overrides, _ in CONFIG
    ]
    files = [(files, args) for files, args, _ in FILES]
    runs = finished.snakemake_many([*values, *files])
    return before, runs[: len(CONFIG)], runs[len(CONFIG) :]


@pytest.mark.pipeline
@pytest.mark.parametrize("row", range(len(CONFIG)), ids=[m for _, m in CONFIG])
def test_bad_config_value(finished, config_rows, row):
    before, runs, _ = config_rows
    assert_stops_cleanly(finished, runs[row], CONFIG[row][1], before=before)


# ---- config files and command-line items ---------------------------------------------------------

# (files to write, snakemake arguments, text of the error)
FILES = [
    (
        {"config.yaml": "seed: 709\ndata:\n  alpha: [1.5\n"},
        [],
        "config file {root}/config.yaml, line 4, column 1: expected ',' or ']'",
    ),
    (
        {"config.yaml": "seed: 709\nlatent:\n  n: 48\nseed: 36\n"},
        [],
        "config.yaml, line 4, column 1: duplicate key 'seed' (first at line 1)",
    ),
    (
        {"config.yaml": "data:\n  alpha: 1.5\n  alpha: 2.0\n"},
        [],
        "config.yaml, line 3, column 3: duplicate key 'alpha' (first at line 2)",
    ),
    (
        {"mine.yaml": "mesh:\n  shards: 2\nmesh:\n  shards: 3\n"},
        ["--configfile", "mine.yaml"],
        "mine.yaml, line 3, column 1: duplicate key 'mesh' (first at line 1)",
    ),
    ({"mine.yaml": "decoder: {w1: .nan}\n"}, ["--configfile", "mine.yaml"], "'decoder.w1' = nan"),
    ({}, ["--config", "mesh={shards: four}"], "config key 'mesh.shards' = 'four' is invalid"),
    ({}, ["--config", "colour=red"], "unknown config key 'colour'"),
    ({}, ["--config", "decoder={w1: -1.0e-9}"], "config key 'decoder.w1' = -1e-09 is invalid"),
    (
        {},
        ["--config", "strict={enabled: true, manifest: nowhere.json}"],
        "strict.manifest: no manifest at nowhere.json",
    ),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("row", range(len(FILES)), ids=[m for *_, m in FILES])
def test_bad_config_file_or_item(finished, config_rows, row):
    before, _, runs = config_rows
    message = FILES[row][2].format(root=finished.path)
    assert_stops_cleanly(finished, runs[row], message, before=before)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--configfile", "no/such.yaml"], "config file no/such.yaml: No such file or directory"),
        (["-n", "--config", "seed"], "--config item 'seed' is not KEY=VALUE"),
        (["-n", "--config", "1x=3"], "--config item '1x=3': the key '1x' is not a config key"),
        (["-n", "--configfiles", "a.yaml", "--cores", "1"], "config file a.yaml: No such file"),
        (["-n", "--configfile", "pyproject.toml"], "config file pyproject.toml, line 2, column"),
        (["-n", "--configfile", ".venv/bin/python"], "config file .venv/bin/python is not text"),
    ],
)
def test_command_line_mistakes_snakemake_would_trace_are_one_line_through_dev_sh(args, message):
    """Snakemake parses --configfile and --config before any workflow code runs and answers these
    with a traceback; ./dev.sh pipeline checks them first (it stops before Snakemake starts, so
    running it in the project itself touches nothing)."""
    before = tree(ROOT / "results") if (ROOT / "results").is_dir() else None
    proc = subprocess.run(
        ["bash", str(ROOT / "dev.sh"), "pipeline", *args], capture_output=True, text=True
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert f"lvebm error: {message}" in output and not TRACEBACK.search(output), output
    assert (tree(ROOT / "results") if before is not None else None) == before


@pytest.mark.pipeline
def test_nested_command_line_overrides_are_typed_by_the_schema(finished):
    """`--config 'mesh={shards: 3}'` works as it reads (Snakemake passes nested values as
    strings)."""
    planned = finished.planned_jobs("--config", "mesh={shards: 3}", "relaxed={betas: [1.0, 2.0]}")
    assert planned["free_energy_mesh"] == 3
    assert planned["relaxed_free_energy_mesh"] == 3 * 3  # betas 1, 2 and inf, three shards each


# ---- artifacts changed after they were written ---------------------------------------------------


def _rewrite(path: Path, change) -> None:
    """Rewrite a Parquet file with ``change`` applied to its table, as a user's tool would (no
    checksum recorded)."""
    pq.write_table(change(pq.read_table(path)), path)


def _values_changed(path):
    _rewrite(path, lambda t: t.set_column(2, "y1", pa.array(t.column("y1").to_numpy() + 1.0)))


def _column_dropped(path):
    _rewrite(path, lambda t: t.drop_columns(["dF_dy1"]))


def _column_recast(path):
    _rewrite(path, lambda t: t.set_column(5, "F", t.column("F").cast(pa.float32())))


def _truncated(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path):
    path.write_bytes(b"not a parquet file\n" * 10)


def _figure_edited(path):
    path.write_bytes(path.read_bytes() + b"\0")


def _checksum_deleted(path):
    (path.parent / f".{path.name}.sha256").unlink()


def _checksum_damaged(path):
    (path.parent / f".{path.name}.sha256").write_text("{not json")


def _recast_with_a_checksum(path):
    """Written through the pipeline's own writer, so its checksum is right: the contract catches
    it."""
    table = pq.read_table(path)
    columns = {name: table.column(name).to_numpy() for name in table.column_names}
    columns["F"] = columns["F"].astype(np.float32)
    write_parquet(path, columns)


# (artifact, how it is changed, what the error says after the file's name)
ARTIFACTS = [
    ("data/samples.parquet", _values_changed, "changed after the rule that wrote it finished"),
    ("mesh/free_energy.parquet", _column_dropped, "changed after the rule that wrote it"),
    ("inference/samples/exact.parquet", _column_recast, "changed after the rule that wrote it"),
    ("relaxed/weights.parquet", _truncated, "changed after the rule that wrote it finished"),
    ("conditional/params.parquet", _garbage, "changed after the rule that wrote it finished"),
    ("figures/fig02_samples.png", _figure_edited, "changed after the rule that wrote it"),
    ("energy/energies.parquet", _checksum_deleted, "has no checksum"),
    ("training/summary.parquet", _checksum_damaged, "its checksum file"),
    ("inference/mesh/newton.parquet", _recast_with_a_checksum, "F: float (contract: double)"),
]


def sidecar(path: Path) -> Path:
    return path.parent / f".{path.name}.sha256"


@pytest.fixture(scope="module")
def changed_artifacts(finished):
    """Each row's changed artifact (and checksum file) with the results tree it leaves, then the
    pipeline run on it, in one batch; and a dry run after all of them were put back."""
    results = finished.path / "results"
    cases, spoiled = [], []
    for artifact, change, _ in ARTIFACTS:
        files = [results / artifact, sidecar(results / artifact)]
        kept = {path: path.read_bytes() for path in files}
        try:
            change(files[0])
            spoiled.append(tree(results))
            new = {
                p.relative_to(finished.path).as_posix(): p.read_bytes() if p.exists() else None
                for p in files
            }
        finally:
            for path, data in kept.items():
                path.write_bytes(data)
        cases.append((new, []))
    *runs, restored = finished.snakemake_many([*cases, ({}, ["--dry-run"])])
    return spoiled, runs, restored


@pytest.mark.pipeline
@pytest.mark.parametrize(
    "row", range(len(ARTIFACTS)), ids=[f"{a}-{c.__name__}" for a, c, _ in ARTIFACTS]
)
def test_changed_artifact_stops_the_run_and_deletes_nothing(finished, changed_artifacts, row):
    spoiled, runs, _ = changed_artifacts
    artifact, _, message = ARTIFACTS[row]
    assert_stops_cleanly(finished, runs[row], f"results/{artifact}", message, before=spoiled[row])
    assert "delete it to have the pipeline write it again" in runs[row].output


@pytest.mark.pipeline
def test_an_artifact_put_back_is_trusted_again(changed_artifacts):
    """After the rows above, every file has its bytes back: the run plans nothing."""
    assert changed_artifacts[2].planned == {}


@pytest.mark.pipeline
def test_the_default_target_covers_every_artifact_of_the_manifest(finished):
    """`rule all` lists every artifact of the stages the manifest records, and each sweep's
    table, spread and figure, whose inputs are its points' artifacts; so deleting any and
    rerunning recreates it. A deleted folder of inference tables comes back with the same
    bytes. (The manifest is config.yaml's, whose sweep is seeds; the small config, which runs
    fewer optimizers and betas, adds its sweep pair: the targets are read on both.)"""
    manifest = json.loads((ROOT / "reproducibility/manifest.json").read_text())["artifacts"]
    default = str(ROOT / "config.yaml")
    out = finished.snakemake("--dry-run", "--forceall", "--configfile", default).stdout
    targets = set(re.search(r"^rule all:\n\s+input: ([^\n]*)", out, re.M)[1].split(", "))
    assert {name for name in manifest if not name.startswith("results/sweeps/")} <= targets
    sweep = {f"results/sweeps/pair/{name}" for name in ("table.parquet", "spread.parquet")}
    assert sweep | {"results/sweeps/pair/spread.png"} <= targets
    table = re.search(r"^rule sweep_table_pair:\n\s+input: ([^\n]*)", out, re.M)[1].split(", ")
    assert {
        "results/sweeps/pair/seed~710/training/beta~inf/result.parquet",
        "results/sweeps/pair/seed~710/data/samples.parquet",
    } <= set(table)
    folder = finished.path / "results/inference/samples"
    kept = tree(folder, checksums=False)
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    finished.snakemake()
    assert tree(folder, checksums=False) == kept


# ---- the manifest command ------------------------------------------------------------------------


def manifest_command(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "lvebm.pipeline.manifest", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def written(finished, tmp_path_factory):
    """The finished run's manifest and a scratch copy of its results to spoil."""
    scratch = tmp_path_factory.mktemp("manifest")
    manifest = scratch / "manifest.json"
    proc = manifest_command("write", "-o", str(manifest), cwd=finished.path)
    assert proc.returncode == 0, proc.stderr
    return manifest, scratch


def test_the_manifest_records_the_commit_and_the_version(written, finished):
    """A manifest says what code its run computed with: the commit of the config's clone (the
    finished copy is not a git checkout: "unknown") and lvebm's version."""
    import lvebm

    manifest = json.loads(written[0].read_text())
    assert manifest["commit"] == "unknown (not a git checkout)"
    assert manifest["versions"]["lvebm"] == lvebm.__version__
    committed = json.loads((ROOT / "reproducibility/manifest.json").read_text())
    assert committed["versions"]["lvebm"] == lvebm.__version__
    assert len(committed["commit"].split()[0]) == 40


def _copy_results(finished, dest: Path) -> Path:
    import shutil

    target = dest / "results"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(finished.path / "results", target)
    return target


def _each_float_column(results: Path, change) -> None:
    """Every float column of every table but the label-free encoder's (class kernel, which the
    same kernels reproduce byte for byte) through ``change``, written back by the pipeline's
    writer (so its checksum is right)."""
    for path in results.rglob("*.parquet"):
        if kernel_bound(path):
            continue
        table = pq.read_table(path)
        columns = {}
        for name in table.column_names:
            values = table.column(name).to_numpy(zero_copy_only=False)
            columns[name] = change(values) if values.dtype.kind == "f" else values
        write_parquet(path, columns)


def _noise(results: Path) -> None:
    """Move every finite float by one or two units in the last place."""
    rng = np.random.default_rng(0)

    def nudge(values):
        ulps = rng.integers(-2, 3, values.size)
        step = np.where(ulps > 0, np.inf, -np.inf)
        for _ in range(2):
            moved = np.nextafter(values, step)
            values = np.where(np.isfinite(values) & (ulps != 0), moved, values)
            ulps = ulps - np.sign(ulps)
        return values

    _each_float_column(results, nudge)


def _renamed(results: Path) -> None:
    """The same run's results under another folder name, beside them."""
    import shutil

    target = results.parent / "run_b"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(results, target)


def _bump(results: Path) -> None:
    """y1 of the first sample moved by 0.5."""
    path = results / "data/samples.parquet"
    _rewrite(
        path,
        lambda t: t.set_column(
            2, "y1", pa.array([t.column("y1")[0].as_py() + 0.5, *t.column("y1").to_pylist()[1:]])
        ),
    )


def _recast(results: Path) -> None:
    path = results / "mesh/free_energy.parquet"
    _rewrite(path, lambda t: t.set_column(2, "F", t.column("F").cast(pa.float32())))


def _short_table(results: Path) -> None:
    path = results / "data/samples.parquet"
    _rewrite(path, lambda t: t.slice(0, t.num_rows - 1))


# (arguments, with {manifest} {results} {scratch}, how the scratch results are spoiled, exit
# status, text of the output)
MANIFEST = [
    (["compare", "{scratch}/nope.json"], None, 2, "no manifest at {scratch}/nope.json"),
    (["compare", "{scratch}/bad.json"], "not json", 2, "bad.json is not a manifest: not JSON"),
    (["compare", "{scratch}/bad.json"], '{"a": 1}', 2, "bad.json is not an lvebm manifest"),
    (
        ["compare", "{scratch}/bad.json"],
        '{"format": "lvebm-manifest", "version": 1, "artifacts": {}}',
        2,
        "manifest of format version 1, this tool reads versions 3 to 5",
    ),
    (["compare", "{manifest}", "--results", "{scratch}/none"], None, 2, "no results directory"),
    (["compare", "{manifest}", "--config", "{scratch}/none.yaml"], None, 2, "none.yaml: No such"),
    (["compare", "{manifest}", "--results", "{results}"], _garbage, 2, "cannot be read as Parquet"),
    (["verify", "{manifest}", "--project", "{scratch}"], None, 2, "is not an lvebm project: no"),
    (["diff", "{results}", "{scratch}/none"], None, 2, "{scratch}/none: no such results folder or"),
    (["compare", "{manifest}", "--results", "{results}"], _recast, 1, "column F type"),
    (["compare", "{manifest}", "--results", "{results}"], _short_table, 1, "rows"),
    (
        ["compare", "{manifest}", "--results", "{results}"],
        _noise,
        0,
        "reproduced: {artifacts} artifacts",
    ),
    (["compare", "{manifest}", "--results", "{results}", "--strict"], _noise, 1, "NOT reproduced"),
    (["diff", "{results}", "{project}/results"], _noise, 0, "0 different"),
    (["diff", "{results}", "{project}/results"], _recast, 1, "types differ: float / double"),
    # two folders of the same run under other names; a folder against a manifest, either side
    (["diff", "{project}/results", "{scratch}/run_b"], _renamed, 0, "0 different"),
    (["diff", "{project}/results", "{scratch}/run_b"], _renamed, 0, "B: {scratch}/run_b"),
    (["diff", "{manifest}", "{scratch}/run_b"], _renamed, 0, "reproduced: "),
    (["diff", "{project}/results", "{manifest}"], None, 0, "reproduced: "),
    # plain numbers, side A first
    (["diff", "{project}/results", "{results}"], _bump, 1, "largest difference 0.5 at row 0: "),
    # made for CI: a version, the exit statuses in the help, a JSON report
    (["--version"], None, 0, "(manifest format 5)"),
    (["compare", "--help"], None, 0, "exit status: 0 reproduced"),
    (["diff", "--help"], None, 0, "--json"),
    (["compare", "{manifest}", "--results", "{results}", "--json"], _bump, 1, '"status": 1'),
]


@pytest.mark.pipeline
@pytest.mark.parametrize(
    ("args", "spoil", "status", "message"), MANIFEST, ids=[m for *_, m in MANIFEST]
)
def test_manifest_command(finished, written, args, spoil, status, message):
    manifest, scratch = written
    results = _copy_results(finished, scratch)
    if isinstance(spoil, str):
        (scratch / "bad.json").write_text(spoil)
    elif spoil is _garbage:
        _garbage(results / "data/samples.parquet")
    elif spoil is not None:
        spoil(results)
    names = {"manifest": manifest, "results": results, "scratch": scratch, "project": finished.path}
    if "{artifacts}" in message:  # the small config's run, as the workflow and registry count it
        names["artifacts"] = manifest_artifacts(SMALL_CONFIG_OVERRIDES)
    before = tree(finished.path / "results")
    proc = manifest_command(*(a.format(**names) for a in args), cwd=finished.path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == status, output[-3000:]
    assert message.format(**names) in output, output[-3000:]
    assert not TRACEBACK.search(output), output[-3000:]
    assert "np.float64" not in output and "np.int64" not in output  # plain numbers
    if status == 2:
        assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("lvebm-manifest: ")
    assert tree(finished.path / "results") == before


# ---- the library's public functions --------------------------------------------------------------

DEC = Decoder(-1.45, 0.36)


def _gd(**options):
    return lambda: minimize(DEC, [2.0], [0.1], method="gradient_descent", **options)


def _method(method, **options):
    return lambda: minimize(DEC, [2.0], [0.1], method=method, **options)


# (call, exception message)
LIBRARY = [
    (_gd(step=-0.1), "option step = -0.1 of gradient_descent is invalid: must be a finite number"),
    (_gd(step=0.0), "option step = 0.0 of gradient_descent is invalid"),
    (_gd(step=NAN), "option step = nan of gradient_descent is invalid"),
    (_gd(gtol=0.0), "option gtol = 0.0 of gradient_descent is invalid"),
    (_gd(max_iter=0), "option max_iter = 0 of gradient_descent is invalid: must be an integer"),
    (_gd(max_iter=2.5), "option max_iter = 2.5 of gradient_descent is invalid"),
    (_gd(stepsize=0.1), "gradient_descent has no option 'stepsize'; its options are step, gtol"),
    (_method("line_search", c1=0.5, c2=0.4), "option c2 = 0.4 of line_search is invalid: must be"),
    (_method("conjugate_gradient", c2=1.5), "option c2 = 1.5 of conjugate_gradient is invalid"),
    (_method("lbfgs", memory=0), "option memory = 0 of lbfgs is invalid"),
    (_method("lbfgs", ftol=-1.0), "option ftol = -1.0 of lbfgs is invalid"),
    (_method("lbfgs", max_ls=0), "option max_ls = 0 of lbfgs is invalid"),
    (_method("newton", max_step=-1.0), "option max_step = -1.0 of newton is invalid"),
    (_method("exhaustive", n=0), "option n = 0 of exhaustive is invalid"),
    (_method("exact", n=48), "exact has no option 'n'"),
    (_method("adam"), "unknown method 'adam'; allowed: exhaustive"),
    (lambda: minimize(DEC, [2j], [0.1]), "y1 is complex; only real values are accepted"),
    (lambda: minimize(DEC, ["a"], [0.1]), "y1 must hold real numbers, not <U1 values"),
    (lambda: minimize(DEC, [1.0, 2.0, 3.0], [0.1, 0.2]), "y1 has shape (3,) and y2 has shape (2,)"),
    (lambda: minimize(DEC, [1.0, 2.0], [0.1, 0.2], [0.5, 0.6, 0.7]), "z_init has 3 values for 2"),
    (lambda: free_energy_exact(DEC, [1.0], [0.1j]), "y2 is complex"),
    (lambda: infer(DEC, [1, 2, 3], [1.0, 2.0], [0.1, 0.2]), "labels must be one integer"),
    (lambda: infer(DEC, [1.5, 2.5], [1.0, 2.0], [0.1, 0.2]), "labels must be one integer"),
    (lambda: run_optimizer("exact", DEC, [1.0], [0.1], workers=0), "workers = 0 is invalid"),
    (lambda: Decoder(NAN, 0.36), "decoder.w1 must be a finite, real, non-zero number"),
    (lambda: Decoder(-1.45, 0.0), "decoder.w2 must be a finite, real, non-zero number"),
]


@pytest.mark.parametrize(("call", "message"), LIBRARY, ids=[m for _, m in LIBRARY])
def test_invalid_library_input_raises_naming_it(call, message):
    with pytest.raises(ValueError) as raised:
        call()
    assert message in str(raised.value)


@pytest.mark.parametrize("method", list(OPTIMIZERS))
@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_a_point_that_is_not_finite_is_never_converged(method, bad):
    y1, y2 = np.array([2.0, bad, 2.0, 0.0]), np.array([0.1, 0.1, bad, -0.5])
    result = minimize(DEC, y1, y2, method=method)
    assert result.converged.tolist() == [True, False, False, True]
    start = minimize(DEC, [2.0], [0.1], z_init=NAN, method=method)
    # a NaN start: the iterative methods never converge from it; the others take no start
    assert start.converged.tolist() == [method in ("exhaustive", "exact")]


def test_traces_are_opt_in_for_large_inputs(monkeypatch):
    assert minimize(DEC, [2.0], [0.1], method="newton").trace is None
    assert minimize(DEC, [2.0], [0.1], method="newton", trace=True).trace["step"].size > 1
    monkeypatch.setattr("lvebm.inference.TRACE_POINTS", 1)
    _, small = infer(DEC, [1], [2.0], [0.1], method="newton")
    _, large = infer(DEC, [1, 2], [2.0, 1.0], [0.1, 0.2], method="newton")
    _, asked = infer(DEC, [1, 2], [2.0, 1.0], [0.1, 0.2], method="newton", trace=True)
    assert small["i"].size > 1 and large["i"].size == 0 and asked["i"].size > small["i"].size


def _scaled(results: Path) -> None:
    """Every float times 1.01: hundreds of columns differ."""
    _each_float_column(results, lambda values: values * 1.01)


@pytest.mark.pipeline
def test_manifest_json_report_has_one_record_per_difference(finished, written):
    """--json: one document of the documented, versioned format; a moved value is a record naming
    its artifact, column, class, both sides and the tolerance it exceeded."""
    manifest, scratch = written
    results = _copy_results(finished, scratch)
    _bump(results)
    proc = manifest_command(
        "compare", str(manifest), "--results", str(results), "--json", cwd=finished.path
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert set(report) == {
        "format",
        "version",
        "command",
        "a",
        "b",
        "status",
        "reproduced",
        "configs_differ",
        "config_keys",
        "counts",
        "differences",
        "notes",
    }
    assert (report["format"], report["version"], report["status"]) == (
        "lvebm-manifest-report",
        1,
        1,
    )
    assert report["reproduced"] is False and report["configs_differ"] is False
    (record,) = [
        r for r in report["differences"] if r["artifact"] == "results/data/samples.parquet"
    ]
    assert set(record) == {
        "artifact",
        "column",
        "what",
        "class",
        "a",
        "b",
        "tolerance",
        "row",
        "cause",
    }
    assert record["column"] == "y1" and record["class"] == "rounding"
    assert 0 < record["tolerance"] < 1e-6 and "max" in record["a"]


@pytest.mark.pipeline
def test_manifest_diff_says_first_which_config_keys_differ(finished, tmp_path):
    """Two runs whose configs differ: the first line says so and names the keys, before any
    row (a results folder's config is the config.yaml beside it)."""
    other = tmp_path / "other"
    other.mkdir()
    _copy_results(finished, other)
    config = yaml.safe_load(finished.config_path.read_text())
    config["seed"] += 1
    config["decoder"]["w1"] = -1.4
    (other / "config.yaml").write_text(yaml.safe_dump(config))
    proc = manifest_command("diff", "results", str(other / "results"), cwd=finished.path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines()[0] == "configs differ in 2 key(s): decoder.w1, seed"


@pytest.mark.pipeline
def test_manifest_text_fits_100_columns_and_a_closed_pipe_ends_quietly(finished, written):
    """Hundreds of differences: every line of the report within 100 columns; a reader that
    stops after one line (`| head -1`) leaves no traceback, and the status stands."""
    manifest, scratch = written
    results = _copy_results(finished, scratch)
    _scaled(results)
    args = [
        sys.executable,
        "-m",
        "lvebm.pipeline.manifest",
        "compare",
        str(manifest),
        "--results",
        str(results),
    ]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=finished.path)
    assert proc.returncode == 1 and len(proc.stdout) > 70_000, proc.stderr[-2000:]
    assert max(map(len, proc.stdout.splitlines())) <= 100
    with subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=finished.path
    ) as reader:
        reader.stdout.readline()
        reader.stdout.close()
        errors = reader.stderr.read()
        status = reader.wait(timeout=300)
    assert status == 1 and errors == b"", errors[-2000:]


@pytest.mark.parametrize("command", [[], ["write"], ["compare"], ["verify"], ["diff"]])
def test_manifest_help_fits_100_columns_in_a_wide_terminal(command):
    """Every --help, even where the terminal is wider, within 100 columns, exit statuses said."""
    proc = subprocess.run(
        [sys.executable, "-m", "lvebm.pipeline.manifest", *command, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250"},
    )
    assert proc.returncode == 0, proc.stderr
    assert max(map(len, proc.stdout.splitlines())) <= 100
    assert "exit status: 0 reproduced" in " ".join(proc.stdout.split())
