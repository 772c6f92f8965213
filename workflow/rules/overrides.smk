# Command-line overrides, before the config is validated. Snakemake parses the top level of
# `--config key=value` as YAML, but a nested value such as `--config 'mesh={shards: 4}'` arrives
# as the string '4'; values the schema types as anything but a string are parsed as YAML here, so
# nested overrides work as they read. Only values given with --config are touched, and only
# lvebm's own: used as a module, the host's items under the module's name (`--config
# 'lvebm={mesh: {shards: 4}}'` for `module lvebm:`), never the host's other keys.

import yaml


def _schema_node(schema, node):
    """A schema node with its $ref resolved."""
    if "$ref" in node:
        return {**schema["$defs"][node["$ref"].split("/")[-1]], **node}
    return node


def typed_overrides(cfg, overrides, schema, node=None):
    """Parse the string leaves of ``overrides`` in ``cfg`` that the schema does not type as
    strings (numbers, integers, lists of them, the alternatives of a oneOf)."""
    node = _schema_node(schema, schema if node is None else node)
    for key, value in overrides.items():
        sub = _schema_node(schema, node.get("properties", {}).get(key, {}))
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            typed_overrides(cfg[key], value, schema, sub)
        else:
            cfg[key] = _parsed(value, sub, schema)


def _parsed(value, node, schema):
    """``value`` with its strings parsed as YAML wherever ``node`` does not type them as strings."""
    node = _schema_node(schema, node)
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


def own_overrides():
    """The --config items that are lvebm's: all of them when lvebm is the workflow; as a module
    (the modifier has the module's name), those under the module's name in the host's.
    """
    given = workflow.config_settings.overwrite_config or {}
    if MODULE_NAME is None:
        return given
    own = given.get(MODULE_NAME)
    return own if isinstance(own, dict) else {}


typed_overrides(
    config,
    own_overrides(),
    load_schema(
        os.path.join(workflow.current_basedir, "../schemas/config.schema.yaml")
    ),
)
