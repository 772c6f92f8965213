# Checks that stop a run before any job: the config (schema, numbers, and the cross-field rules
# the stage files register with this file's constructors) and the artifacts already in results/.
# Each mistake is one line naming the key or file and what is allowed, exit status 1, no Python
# traceback, and nothing under results/ touched.

import math
import os
import sys
from pathlib import Path

import jsonschema

from lvebm.pipeline.configfile import (
    ConfigFileError,
    check_config_files,
    schema_validators,
)
from lvebm.pipeline.configfile import load_schema as configfile_schema

# The module's name when lvebm is used as a module of another workflow (Snakemake gives the
# module's modifier the name of `module <name>:`), None when lvebm is the workflow itself.
MODULE_NAME = workflow.modifier.namespace
# Whether this is a sweep's point (sweeps.smk names their modules sweep_<sweep>_<index>)
IS_SWEEP_POINT = (MODULE_NAME or "").startswith("sweep_")
from lvebm.pipeline.io import ArtifactError, check_contract, verify_checksum
from lvebm.pipeline import sweep as sweeps


def stop_on_error(check, *args):
    """Run ``check``; a ConfigError, ConfigFileError or ArtifactError ends the run with its
    one-line message on stderr and exit status 1 (SystemExit: Snakemake prints no traceback).
    """
    try:
        return check(*args)
    except (ConfigError, ConfigFileError, ArtifactError) as e:
        sys.stderr.write(f"lvebm error: {e}\n")
        raise SystemExit(1) from None


def _dotted(path):
    """A jsonschema path as a config key: mesh.y1.num, mesh.highlight[0][1]."""
    key = ""
    for part in path:
        key += (
            f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
        )
    return key


def _short(value, width=60):
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def schema_error_message(error):
    """One line for a jsonschema ValidationError: the key, its value, what is allowed."""
    key = _dotted(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        prefix, where = (f"{key}.", f" under '{key}'") if key else ("", "")
        names = ", ".join(f"'{prefix}{name}'" for name in unknown)
        return f"unknown config key {names}: the keys allowed{where} are {allowed}"
    description = error.schema.get("description")
    if error.validator == "oneOf":
        description = " or ".join(
            alt.get("description", alt.get("$ref", "").split("/")[-1])
            for alt in error.schema["oneOf"]
        )
    hint = f" ({description})" if description else ""
    return f"config key '{key}' = {_short(error.instance)} is invalid: {error.message}{hint}"


def load_schema(schema_path):
    """The config schema, read once per process (lvebm.pipeline.configfile)."""
    return configfile_schema(os.path.realpath(schema_path))


def check_schema(cfg, schema_path):
    """Validate against the JSON schema (one line for the most relevant error), then fill in the
    schema's defaults (as Snakemake's validate would)."""
    validator, filling = schema_validators(os.path.realpath(schema_path))
    error = jsonschema.exceptions.best_match(validator.iter_errors(cfg))
    if error is not None:
        raise ConfigError(schema_error_message(error))
    filling.validate(cfg)
    check_numbers(cfg, validator.schema)
    check_sweeps(cfg, schema_path)


class ConfigError(ValueError):
    """A config value the pipeline cannot use."""


def _fail(key, value, allowed):
    raise ConfigError(f"config key '{key}' = {value!r} is invalid: {allowed}")


def _leaves(value, key=""):
    """(dotted key, value) of every scalar of the config; list items as key[i]."""
    if isinstance(value, dict):
        for name, sub in value.items():
            yield from _leaves(sub, f"{key}.{name}" if key else name)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _leaves(sub, f"{key}[{index}]")
    else:
        yield key, value


def _schema_alternatives(schema, node):
    """The node with its $ref resolved, and its oneOf alternatives (resolved) or itself."""
    if "$ref" in node:
        node = {**schema["$defs"][node["$ref"].split("/")[-1]], **node}
    return [_schema_alternatives(schema, alt)[0] for alt in node.get("oneOf", [])] or [
        node
    ]


def _integer_leaves(schema, value, node, key=""):
    """(dotted key, value) of every config value the schema types as an integer."""
    alternatives = _schema_alternatives(schema, node)
    if isinstance(value, dict):
        for alt in alternatives:
            props = alt.get("properties", {})
            if set(value) <= set(props):
                for name, sub in value.items():
                    yield from _integer_leaves(
                        schema, sub, props[name], f"{key}.{name}" if key else name
                    )
                return
    elif isinstance(value, list):
        for alt in alternatives:
            if "items" in alt:
                for index, sub in enumerate(value):
                    yield from _integer_leaves(
                        schema, sub, alt["items"], f"{key}[{index}]"
                    )
                return
    elif any(alt.get("type") == "integer" for alt in alternatives) and not any(
        alt.get("type") == "number" for alt in alternatives
    ):
        yield key, value


def check_numbers(cfg, schema):
    """Every number finite (JSON Schema's bounds are false for NaN, so NaN passes them), every
    integer key an integer (JSON Schema accepts 25.0 where it asks for an integer)."""
    for key, value in _leaves(cfg):
        if isinstance(value, float) and not math.isfinite(value):
            _fail(key, value, "must be a finite number (not NaN or an infinity)")
    for key, value in _integer_leaves(schema, cfg, schema):
        if isinstance(value, float):
            _fail(key, value, f"must be an integer: write {value:.0f}, not {value!r}")


def check_config(cfg, checks, where=""):
    """Run the cross-field checks the stage files registered (CONFIG_CHECKS); the first that
    fails raises ConfigError naming its key, after ``where`` (a sweep's point)."""
    try:
        for check in checks:
            check(cfg)
    except ConfigError as e:
        raise ConfigError(f"{where}{e}") from None


# The cross-field checks' constructors: each returns a check(cfg) that raises ConfigError naming
# the key; a stage file registers its own (CONFIG_CHECKS += [...]).


def less(low, high, name=None):
    """low < high; the error names ``name`` (low, or high: "must be greater than")."""

    def check(cfg):
        a, b = sweeps.lookup(cfg, low), sweeps.lookup(cfg, high)
        if not a < b:
            if name == high:
                _fail(high, b, f"must be greater than {low} = {a}")
            _fail(low, a, f"must be less than {high} = {b}")

    return check


def sample_label(key):
    """A sample label (an integer, or each integer of a list of points) from 1 to data.slice.n."""

    def check(cfg):
        n, value = cfg["data"]["slice"]["n"], sweeps.lookup(cfg, key)
        for label in value if isinstance(value, list) else [value]:
            if isinstance(label, int) and label > n:
                what = (
                    "a sample label must be"
                    if isinstance(value, list)
                    else "must be a sample label"
                )
                _fail(key, label, f"{what} from 1 to data.slice.n = {n}")

    return check


def one_of(key, choices):
    """The value is one of the list at key ``choices``."""

    def check(cfg):
        value, allowed = sweeps.lookup(cfg, key), sweeps.lookup(cfg, choices)
        if value not in allowed:
            _fail(key, value, f"must be one of {choices} = {allowed}")

    return check


def holds(key, condition, allowed):
    """condition(cfg) is true; else the error names ``key`` and says ``allowed(cfg)``."""

    def check(cfg):
        if not condition(cfg):
            _fail(key, sweeps.lookup(cfg, key), allowed(cfg))

    return check


def check_landing_page(landing, argv):
    """A report alone (``--report`` without ``--report-after-run``) needs the landing page
    that rule landing_page writes; without it Snakemake would fail with a traceback."""
    if (
        "--report" in argv
        and "--report-after-run" not in argv
        and not os.path.exists(landing)
    ):
        raise ArtifactError(
            f"{landing} is missing: the report's landing page (the run's identity) is written "
            f"by rule landing_page; run `snakemake {landing}` or the whole pipeline first"
        )


def check_artifacts(results):
    """Every artifact under ``results`` is the file its rule wrote (size and modification time as
    recorded, else the same SHA-256): an edited, truncated or replaced file stops the run here,
    before Snakemake would rerun (and first delete) the good artifacts downstream of it; so does a
    file without a recorded checksum, or a Parquet file whose columns are not its contract.
    """
    for path in sorted(Path(results).rglob("*")):
        if path.suffix in (".parquet", ".png") and not path.name.startswith("."):
            verify_checksum(path, trust_unchanged_stat=True)
            if path.suffix == ".parquet":
                check_contract(path)


# Keys a sweep cannot vary: they are the run's, not a point's (one process environment, one
# scattergather count per workflow).
UNSWEPT = {
    "numerics.pin": "the CPU kernels are pinned once for the whole run",
    "mesh.shards": "the shard count is the workflow's scattergather setting, one per run",
}


# a point's folder is key~value/key~value/...: a string value holds neither
FOLDER_SEPARATORS = f"{os.sep}~"


def sweep_points(cfg):
    """{sweep: [(settings, folder), ...]} of the config's sweeps."""
    return {
        name: [
            (settings, sweeps.folder(settings))
            for settings in sweeps.points(spec.get("grid", {}), spec.get("zip", {}))
        ]
        for name, spec in active_sweeps(cfg).items()
    }


def active_sweeps(cfg):
    """The config's sweeps that are on (a sweep set to null is off)."""
    return {
        name: spec for name, spec in cfg.get("sweeps", {}).items() if spec is not None
    }


def check_sweeps(cfg, schema_path):
    """Each sweep names scalar keys of the config, zips equal lengths, gives distinct points,
    and each point's config (the config with the point's values, without sweeps) is valid.
    """
    for name, spec in active_sweeps(cfg).items():
        where = f"sweeps.{name}"
        grid, zipped = spec.get("grid", {}), spec.get("zip", {})
        if not grid and not zipped:
            _fail(
                where,
                spec,
                "names no key: give grid or zip (or both) with lists of values",
            )
        for key in (*grid, *zipped):
            part = "grid" if key in grid else "zip"
            if key in grid and key in zipped:
                _fail(
                    f"{where}.zip.{key}",
                    zipped[key],
                    "the key is in the grid too: once only",
                )
            if key.split(".")[0] == "sweeps" or key in UNSWEPT:
                reason = UNSWEPT.get(key, "a sweep cannot sweep sweeps")
                _fail(f"{where}.{part}.{key}", key, f"cannot be swept: {reason}")
            try:
                value = sweeps.lookup(cfg, key)
            except KeyError as e:
                _fail(
                    f"{where}.{part}.{key}",
                    key,
                    f"no such config key (no '{e.args[0]}')",
                )
            if isinstance(value, (dict, list)):
                _fail(
                    f"{where}.{part}.{key}",
                    key,
                    f"names a {type(value).__name__}: a sweep varies scalar keys only",
                )
            for item in (grid if key in grid else zipped)[key]:
                if isinstance(item, str) and set(item) & set(FOLDER_SEPARATORS):
                    _fail(
                        f"{where}.{part}.{key}",
                        item,
                        "values are folder names: no / or ~",
                    )
        lengths = {key: len(values) for key, values in zipped.items()}
        if len(set(lengths.values())) > 1:
            _fail(f"{where}.zip", lengths, "the zipped lists must have equal lengths")
        seen = set()
        for settings in sweeps.points(grid, zipped):
            folder = sweeps.folder(settings)
            if folder in seen:
                _fail(
                    where, folder, "the same point twice: every point must be distinct"
                )
            seen.add(folder)
            try:
                check_schema(sweeps.point_config(cfg, settings), schema_path)
            except ConfigError as e:
                raise ConfigError(f"{where}, point {folder}: {e}") from None
    # (each point's cross-field checks: sweeps.smk, once the stage files registered them)
