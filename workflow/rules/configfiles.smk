# Config files read strictly before Snakemake uses them. PyYAML keeps the last of two equal keys
# without a word (a repeated block silently replaces the first), and Snakemake reports a YAML
# syntax error without the file, line or column: both stop here, naming all three.

import yaml


class ConfigFileError(ValueError):
    """A config file that cannot be read, is not YAML, or repeats a key."""


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


def check_config_files(*paths):
    """Raise ConfigFileError, naming the file (and line and column), for the first config file
    that cannot be read, is not valid YAML, or repeats a key."""
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                yaml.load(f, Loader=_StrictLoader)
        except OSError as e:
            raise ConfigFileError(f"config file {path}: {e.strerror}") from None
        except _DuplicateKey as e:
            raise ConfigFileError(f"config file {path}, {e}") from None
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            raise ConfigFileError(
                f"config file {path}, line {mark.line + 1}, column {mark.column + 1}: "
                f"{e.problem or e.context}"
            ) from None
