"""The workflow's config, from ``--config`` to the checks that run before any job.

Plumbing, read by the Snakefile and the stage files while Snakemake builds the job graph; no job
imports it (its yaml and jsonschema are the workflow's, not the jobs' environment).

- ``--config`` values typed by the schema (:func:`typed_overrides`, :func:`own_overrides`);
- the schema check, finite numbers and integer keys (:func:`check_schema`), each mistake one line
  naming the key and what is allowed (:class:`ConfigError`);
- the cross-field checks the stage files register (:func:`less`, :func:`one_of`,
  :func:`sample_label`, :func:`holds`, run by :func:`check_config`);
- sweeps validated (:func:`check_sweeps`; their points and folders: :mod:`lvebm.pipeline.keys`);
- the one ``$ref`` resolver (:func:`resolve`; the one dotted lookup is :func:`keys.lookup`);
- :func:`stop_on_error`, which turns any of these errors into one line and exit status 1.

The schema check of a config that passed it before is not run again: its result, the config with
the schema's defaults, is kept in ``.snakemake/lvebm/checked-configs/`` under the hash of what
decides it (the config, the schema, the checking code, the jsonschema release), so a snakemake
call on an unchanged config imports no jsonschema (:func:`check_schema`).

>>> check_config({"a": 1, "b": 2}, [less("b", "a")])
Traceback (most recent call last):
lvebm.pipeline.config.ConfigError: config key 'b' = 2 is invalid: must be less than a = 1
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence

import yaml

from lvebm.methods import METHODS
from lvebm.pipeline.configfile import ConfigFileError, schema_validators
from lvebm.pipeline.jobgraph import point_prefix
from lvebm.pipeline.keys import folder, lookup, point_config, points

Check = Callable[[Mapping], None]


class ConfigError(ValueError):
    """A config value the pipeline cannot use."""


def stop_on_error(check: Callable, *args):
    """Run ``check``; a ConfigError, ConfigFileError or ArtifactError ends the run with its
    one-line message on stderr and exit status 1 (SystemExit: Snakemake prints no traceback)."""
    from lvebm.pipeline.checksums import ArtifactError

    try:
        return check(*args)
    except (ConfigError, ConfigFileError, ArtifactError) as e:
        sys.stderr.write(f"lvebm error: {e}\n")
        raise SystemExit(1) from None


# ---- keys and the schema -------------------------------------------------------------------------


def resolve(schema: Mapping, node: Mapping) -> dict:
    """A schema node with its ``$ref`` (to the schema's ``$defs``) resolved; the node's own
    keys win over the definition's.

    >>> resolve({"$defs": {"n": {"type": "integer"}}}, {"$ref": "#/$defs/n", "default": 3})
    {'type': 'integer', '$ref': '#/$defs/n', 'default': 3}
    """
    if "$ref" in node:
        return {**schema["$defs"][node["$ref"].split("/")[-1]], **node}
    return dict(node)


def alternatives(schema: Mapping, node: Mapping) -> list[dict]:
    """The node's ``oneOf`` alternatives, each resolved, or the resolved node alone."""
    node = resolve(schema, node)
    return [resolve(schema, alt) for alt in node.get("oneOf", [])] or [node]


def method_options(name: str, cfg: Mapping) -> dict:
    """The options of method ``name`` as a config sets them (its record in
    :data:`lvebm.methods.METHODS` names the keys): what the workflow passes to a job, and what
    the tests and benchmarks pass to the library.

    >>> cfg = {"latent": {"n": 48}, "inference": {"gtol": 1e-7, "max_iter": 500,
    ...        "newton": {"max_step": 0.785}}}
    >>> method_options("newton", cfg)
    {'max_step': 0.785, 'gtol': 1e-07, 'max_iter': 500}
    >>> method_options("exhaustive", cfg), method_options("exact", cfg)
    ({'n': 48}, {})
    """
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; allowed: {', '.join(METHODS)}")
    return {option: lookup(cfg, key) for option, key in METHODS[name].config.items()}


# ---- --config: values typed by the schema --------------------------------------------------------
# Snakemake parses the top level of `--config key=value` as YAML, but a nested value such as
# `--config 'mesh={shards: 4}'` arrives as the string '4'; values the schema types as anything
# but a string are parsed as YAML here, so nested overrides work as they read.


def typed_overrides(cfg: dict, overrides: Mapping, schema: Mapping, node=None) -> None:
    """Parse, in place, the string leaves of ``overrides`` in ``cfg`` that the schema does not
    type as strings (numbers, integers, lists of them, the alternatives of a oneOf).

    >>> cfg = {"mesh": {"shards": "4", "y1": {"num": 25}}}
    >>> schema = {"properties": {"mesh": {"properties": {"shards": {"type": "integer"}}}}}
    >>> typed_overrides(cfg, {"mesh": {"shards": "4"}}, schema); cfg["mesh"]["shards"]
    4
    """
    node = resolve(schema, schema if node is None else node)
    for key, value in overrides.items():
        sub = resolve(schema, node.get("properties", {}).get(key, {}))
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            typed_overrides(cfg[key], value, schema, sub)
        else:
            cfg[key] = _parsed(value, sub, schema)


def _parsed(value, node: Mapping, schema: Mapping):
    """``value`` with its strings parsed as YAML wherever ``node`` does not type them as strings."""
    node = resolve(schema, node)
    if isinstance(value, list):
        return [_parsed(v, node.get("items", {}), schema) for v in value]
    if isinstance(value, dict):
        props = node.get("properties", {})
        return {k: _parsed(v, props.get(k, {}), schema) for k, v in value.items()}
    if not isinstance(value, str) or node.get("type") == "string":
        return value
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError:
        return value  # left as given: validation names the key and the expected type


def own_overrides(given: Mapping | None, module_name: str | None) -> Mapping:
    """The ``--config`` items that are lvebm's: all of them when lvebm is the workflow
    (``module_name`` None); used as a module, those under the module's name in the host's
    (``--config 'lvebm={mesh: {shards: 4}}'`` for ``module lvebm:``), never the host's other keys.

    >>> own_overrides({"lvebm": {"seed": 3}, "host": 1}, "lvebm")
    {'seed': 3}
    """
    given = given or {}
    if module_name is None:
        return given
    own = given.get(module_name)
    return own if isinstance(own, dict) else {}


# ---- the schema check ----------------------------------------------------------------------------


def _dotted(path) -> str:
    """A jsonschema path as a config key: mesh.y1.num, mesh.highlight[0][1]."""
    key = ""
    for part in path:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _short(value, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def schema_error_message(error) -> str:
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


CHECKED_CONFIGS = os.path.join(".snakemake", "lvebm", "checked-configs")
# the code whose verdict a checked config's record stands for (lvebm.pipeline's modules)
CHECKING_CODE = ("config.py", "configfile.py", "keys.py", "jobgraph.py")


def check_schema(cfg: dict, schema_path: str) -> None:
    """Validate against the JSON schema (one line for the most relevant error), fill in the
    schema's defaults (as Snakemake's validate would), then check numbers and sweeps.

    A config that passed before gets its filled-in copy from ``CHECKED_CONFIGS`` (keyed by
    :func:`check_key`); a config that fails is never recorded, so it fails every time."""
    key = check_key(cfg, schema_path)
    record = os.path.join(CHECKED_CONFIGS, f"{key}.json") if key else None
    if record:
        try:
            with open(record) as f:
                filled = json.load(f)
        except (OSError, ValueError):
            pass
        else:
            cfg.clear()
            cfg.update(filled)
            return
    validator, filling = schema_validators(os.path.realpath(schema_path))
    check_valid(cfg, validator)
    filling.validate(cfg)
    check_numbers(cfg, validator.schema)
    check_sweeps(cfg, validator)
    if record:
        from lvebm.pipeline.checksums import keep_json

        keep_json(record, cfg)  # a folder that cannot be written: checked again next time


def check_key(cfg: Mapping, schema_path: str) -> str | None:
    """The hash of what decides :func:`check_schema`'s verdict on ``cfg``: the config as given
    (its order too), the schema file, the checking code (``CHECKING_CODE``) and the jsonschema
    release; None for a config JSON cannot hold exactly (then it is checked every time)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        text = json.dumps(cfg, allow_nan=True)
        if json.loads(text) != cfg:
            return None
        release = version("jsonschema")
    except (TypeError, ValueError, PackageNotFoundError):
        return None
    digest = hashlib.sha256(text.encode())
    here = os.path.dirname(__file__)
    for path in (schema_path, *(os.path.join(here, name) for name in CHECKING_CODE)):
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    digest.update(release.encode())
    return digest.hexdigest()


def check_valid(cfg: Mapping, validator) -> None:
    """The config against the schema's ``validator``: ConfigError, one line, for the most
    relevant error."""
    import jsonschema

    error = jsonschema.exceptions.best_match(validator.iter_errors(cfg))
    if error is not None:
        raise ConfigError(schema_error_message(error))


def _fail(key: str, value, allowed: str):
    raise ConfigError(f"config key '{key}' = {value!r} is invalid: {allowed}")


def _leaves(value, key: str = "") -> Iterator[tuple[str, object]]:
    """(dotted key, value) of every scalar of the config; list items as key[i]."""
    if isinstance(value, dict):
        for name, sub in value.items():
            yield from _leaves(sub, f"{key}.{name}" if key else name)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _leaves(sub, f"{key}[{index}]")
    else:
        yield key, value


def _integer_leaves(schema: Mapping, value, node: Mapping, key: str = ""):
    """(dotted key, value) of every config value the schema types as an integer."""
    options = alternatives(schema, node)
    if isinstance(value, dict):
        for alt in options:
            props = alt.get("properties", {})
            if set(value) <= set(props):
                for name, sub in value.items():
                    sub_key = f"{key}.{name}" if key else name
                    yield from _integer_leaves(schema, sub, props[name], sub_key)
                return
    elif isinstance(value, list):
        for alt in options:
            if "items" in alt:
                for index, sub in enumerate(value):
                    yield from _integer_leaves(schema, sub, alt["items"], f"{key}[{index}]")
                return
    elif any(alt.get("type") == "integer" for alt in options) and not any(
        alt.get("type") == "number" for alt in options
    ):
        yield key, value


def check_numbers(cfg: Mapping, schema: Mapping) -> None:
    """Every number finite (JSON Schema's bounds are false for NaN, so NaN passes them), every
    integer key an integer (JSON Schema accepts 25.0 where it asks for an integer)."""
    for key, value in _leaves(cfg):
        if isinstance(value, float) and not math.isfinite(value):
            _fail(key, value, "must be a finite number (not NaN or an infinity)")
    for key, value in _integer_leaves(schema, cfg, schema):
        if isinstance(value, float):
            _fail(key, value, f"must be an integer: write {value:.0f}, not {value!r}")


# ---- cross-field checks: the stage files register them -------------------------------------------


def check_config(cfg: Mapping, checks: Sequence[Check], where: str = "") -> None:
    """Run the cross-field checks the stage files registered; the first that fails raises
    ConfigError naming its key, after ``where`` (a sweep's point)."""
    try:
        for check in checks:
            check(cfg)
    except ConfigError as e:
        raise ConfigError(f"{where}{e}") from None


def less(low: str, high: str, name: str | None = None) -> Check:
    """low < high; the error names ``name`` (low, or high: "must be greater than")."""

    def check(cfg):
        a, b = lookup(cfg, low), lookup(cfg, high)
        if not a < b:
            if name == high:
                _fail(high, b, f"must be greater than {low} = {a}")
            _fail(low, a, f"must be less than {high} = {b}")

    return check


def sample_label(key: str) -> Check:
    """A sample label (an integer, or each integer of a list of points) from 1 to data.slice.n."""

    def check(cfg):
        n, value = cfg["data"]["slice"]["n"], lookup(cfg, key)
        for label in value if isinstance(value, list) else [value]:
            if isinstance(label, int) and label > n:
                what = (
                    "a sample label must be"
                    if isinstance(value, list)
                    else "must be a sample label"
                )
                _fail(key, label, f"{what} from 1 to data.slice.n = {n}")

    return check


def one_of(key: str, choices: str) -> Check:
    """The value is one of the list at key ``choices``."""

    def check(cfg):
        value, allowed = lookup(cfg, key), lookup(cfg, choices)
        if value not in allowed:
            _fail(key, value, f"must be one of {choices} = {allowed}")

    return check


def holds(key: str, condition: Callable[[Mapping], bool], allowed: Callable[[Mapping], str]):
    """condition(cfg) is true; else the error names ``key`` and says ``allowed(cfg)``."""

    def check(cfg):
        if not condition(cfg):
            _fail(key, lookup(cfg, key), allowed(cfg))

    return check


# ---- sweeps ------------------------------------------------------------------------

# Keys a sweep cannot vary: they are the run's, not a point's (one process environment, one
# scattergather count per workflow).
UNSWEPT = {
    "numerics.pin": "the CPU kernels are pinned once for the whole run",
    "mesh.shards": "the shard count is the workflow's scattergather setting, one per run",
}
# a point's folder is key~value/key~value/...: a string value holds neither
FOLDER_SEPARATORS = f"{os.sep}~"


def active_sweeps(cfg: Mapping) -> dict:
    """The config's sweeps that are on (a sweep set to null is off)."""
    return {name: spec for name, spec in cfg.get("sweeps", {}).items() if spec is not None}


def sweep_points(cfg: Mapping) -> dict[str, list[tuple[dict, str]]]:
    """{sweep: [(settings, folder), ...]} of the config's sweeps."""
    return {
        name: [
            (settings, folder(settings))
            for settings in points(spec.get("grid", {}), spec.get("zip", {}))
        ]
        for name, spec in active_sweeps(cfg).items()
    }


def point_configs(cfg: Mapping) -> dict[str, dict]:
    """The config of every point of the run, by the point wildcard's value: the run's own ("")
    and each sweep point's (``sweeps/<sweep>/<folder>/``, the config with the point's values)."""
    return {
        "": cfg,
        **{
            point_prefix(sweep, point_folder): point_config(cfg, settings)
            for sweep, points_at in sweep_points(cfg).items()
            for settings, point_folder in points_at
        },
    }


def _check_sweep_key(cfg: Mapping, where: str, part: str, key: str, values: Sequence) -> None:
    """A swept key: a scalar key of the config that may vary, with values fit for folder names."""
    if key.split(".")[0] == "sweeps" or key in UNSWEPT:
        reason = UNSWEPT.get(key, "a sweep cannot sweep sweeps")
        _fail(f"{where}.{part}.{key}", key, f"cannot be swept: {reason}")
    try:
        value = lookup(cfg, key)
    except KeyError as e:
        _fail(f"{where}.{part}.{key}", key, f"no such config key (no '{e.args[0]}')")
    if isinstance(value, (dict, list)):
        kind = type(value).__name__
        _fail(f"{where}.{part}.{key}", key, f"names a {kind}: a sweep varies scalar keys only")
    for item in values:
        if isinstance(item, str) and set(item) & set(FOLDER_SEPARATORS):
            _fail(f"{where}.{part}.{key}", item, "values are folder names: no / or ~")


def check_sweeps(cfg: Mapping, validator) -> None:
    """Each sweep names scalar keys of the config, zips equal lengths, gives distinct points,
    and each point's config (the config with the point's values, without sweeps) is valid for
    the schema's ``validator``, numbers included; ``cfg`` has the schema's defaults filled in,
    and so have its points. (Each point's cross-field checks run once the stage files
    registered them.)"""
    for name, spec in active_sweeps(cfg).items():
        where = f"sweeps.{name}"
        grid, zipped = spec.get("grid", {}), spec.get("zip", {})
        if not grid and not zipped:
            _fail(where, spec, "names no key: give grid or zip (or both) with lists of values")
        for key in (*grid, *zipped):
            if key in grid and key in zipped:
                _fail(f"{where}.zip.{key}", zipped[key], "the key is in the grid too: once only")
            part, values = ("grid", grid[key]) if key in grid else ("zip", zipped[key])
            _check_sweep_key(cfg, where, part, key, values)
        lengths = {key: len(values) for key, values in zipped.items()}
        if len(set(lengths.values())) > 1:
            _fail(f"{where}.zip", lengths, "the zipped lists must have equal lengths")
        seen = set()
        for settings in points(grid, zipped):
            point = folder(settings)
            if point in seen:
                _fail(where, point, "the same point twice: every point must be distinct")
            seen.add(point)
            try:
                point_cfg = point_config(cfg, settings)
                check_valid(point_cfg, validator)
                check_numbers(point_cfg, validator.schema)
            except ConfigError as e:
                raise ConfigError(f"{where}, point {point}: {e}") from None
