"""Config files and ``--config`` items checked before Snakemake reads them.

PyYAML keeps the last of two equal keys without a word (a repeated block silently replaces the
first), and Snakemake reports a YAML syntax error without the file, line or column, and a missing
``--configfile`` or a ``--config`` item without ``=`` with a Python traceback from its command
line, before any workflow code runs. The workflow calls :func:`check_config_files` on its config
files; ``./dev.sh pipeline`` and ``./dev.sh slurm`` run ``python -m lvebm.pipeline.configfile`` on
their arguments first, so these mistakes are one line naming the file or item, exit status 1.
"""

from __future__ import annotations

import copy
import functools
import re
import sys

import yaml


class ConfigFileError(ValueError):
    """A config file that cannot be read, is not YAML, or repeats a key; or a bad --config."""


class _DuplicateKey(Exception):
    pass


class _StrictLoader(yaml.SafeLoader):
    """yaml.safe_load that refuses a key repeated in one mapping."""


def _mapping_without_duplicates(loader, node, deep=False):
    first = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in first:
            raise _DuplicateKey(
                f"line {line}, column {key_node.start_mark.column + 1}: "
                f"duplicate key {key!r} (first at line {first[key]}); "
                "the earlier block would be silently replaced"
            )
        first[key] = line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def check_config_files(*paths: str) -> None:
    """Raise ConfigFileError, naming the file (and line and column), for the first config file
    that cannot be read, is not valid YAML, or repeats a key.

    >>> check_config_files("no/such.yaml")
    Traceback (most recent call last):
    lvebm.pipeline.configfile.ConfigFileError: config file no/such.yaml: No such file or directory
    """
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                yaml.load(f, Loader=_StrictLoader)
        except OSError as e:
            raise ConfigFileError(f"config file {path}: {e.strerror}") from None
        except UnicodeDecodeError as e:
            raise ConfigFileError(f"config file {path} is not text ({e.reason})") from None
        except _DuplicateKey as e:
            raise ConfigFileError(f"config file {path}, {e}") from None
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            raise ConfigFileError(
                f"config file {path}, line {mark.line + 1}, column {mark.column + 1}: "
                f"{e.problem or e.context}"
            ) from None


# Snakemake's rule for --config keys (snakemake.cli.parse_config)
_KEY = re.compile(r"[a-zA-Z_][\w-]*\w$")


def _values(argv: list[str], *flags: str) -> list[str]:
    """The values given to ``flags`` on a Snakemake command line (``--flag a b`` or
    ``--flag=a``), up to the next option."""
    found, taking = [], False
    for arg in argv:
        name, eq, value = arg.partition("=")
        if arg.startswith("-"):
            taking = arg in flags
            if eq and name in flags:
                found.append(value)
                taking = False
        elif taking:
            found.append(arg)
    return found


def check_command_line(argv: list[str]) -> None:
    """ConfigFileError for a --configfile that is missing or not strict YAML, or a --config item
    that Snakemake cannot parse (no ``=``, or a key that is not an identifier).

    >>> check_command_line(["--cores", "2", "--config", "seed=3", "mesh"])
    ... # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ConfigFileError: --config item 'mesh' is not KEY=VALUE (for example seed=3)
    """
    for item in _values(argv, "--config", "-C"):
        key, eq, _ = item.partition("=")
        if not eq:
            raise ConfigFileError(f"--config item {item!r} is not KEY=VALUE (for example seed=3)")
        if not _KEY.match(key):
            raise ConfigFileError(
                f"--config item {item!r}: the key {key!r} is not a config key name "
                "(letters, digits, _ and -, starting with a letter or _)"
            )
    check_config_files(*_values(argv, "--configfile", "--configfiles"))


def main(argv: list[str] | None = None) -> int:
    try:
        check_command_line(sys.argv[1:] if argv is None else argv)
    except ConfigFileError as e:
        print(f"lvebm error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


# ---- the config schema, read and compiled once per process ----------------------------------
# (a sweep loads the workflow once per point: each load asks again)


@functools.cache
def load_schema(path: str) -> dict:
    """The config schema at ``path`` (an absolute path), parsed with libyaml where PyYAML was
    built with it (the pinned wheels are; the pure-Python loader took a tenth of a dry run)."""
    with open(path) as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def schema_validators(path: str):
    """(validator, validator that fills in the schema's defaults) of the schema at ``path``; the
    second sets a missing property to a copy of its default, as Snakemake's ``validate`` does."""
    import jsonschema

    schema = load_schema(path)
    base = jsonschema.validators.validator_for(schema)
    properties = base.VALIDATORS["properties"]

    def set_defaults(validator, props, instance, subschema):
        if isinstance(instance, dict):
            for name, sub in props.items():
                if "default" in sub:
                    instance.setdefault(name, copy.deepcopy(sub["default"]))
        yield from properties(validator, props, instance, subschema)

    filling = jsonschema.validators.extend(base, {"properties": set_defaults})
    return base(schema), filling(schema)
