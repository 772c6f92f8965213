"""Dotted config keys and sweep points: the one dotted lookup, and a sweep's settings, folders
and point configs. Standard library only: the workflow, the config checks and the sweep jobs all
read it.

A sweep names scalar config keys (dotted, ``conditional.init_seed``) with lists of values:
``grid`` keys take every combination, ``zip`` keys take their i-th values together (replicates,
such as seeds). Its points are the grid's combinations times the zip's rows, each a folder
``key~value/key~value/...`` (grid keys first, Snakemake's ``Paramspace`` convention).

>>> lookup({"mesh": {"y1": {"num": 25}}}, "mesh.y1.num")
25
>>> [p for p in points({"a": [1, 2]}, {"s": [7, 8], "t": [0, 1]})][:2]
[{'a': 1, 's': 7, 't': 0}, {'a': 1, 's': 8, 't': 1}]
>>> folder({"seed": 709, "conditional.init_seed": 1, "data.noise_std": 0.05})
'seed~709/conditional.init_seed~1/data.noise_std~0.05'
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence

Scalar = bool | int | float | str


def lookup(cfg: Mapping, key: str):
    """The value at the dotted ``key``; KeyError names the first missing part.

    >>> lookup({"a": {"b": 1}}, "a.c")
    Traceback (most recent call last):
    KeyError: 'c'
    """
    value = cfg
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(part)
        value = value[part]
    return value


def points(grid: Mapping[str, Sequence[Scalar]], zipped: Mapping[str, Sequence[Scalar]]):
    """The sweep's settings, one dict per point: every combination of the grid's values, each
    with every row of the zipped lists (equal lengths)."""
    rows = list(zip(*zipped.values(), strict=True)) if zipped else [()]
    for combination in itertools.product(*grid.values()):
        for row in rows:
            yield {
                **dict(zip(grid, combination, strict=True)),
                **dict(zip(zipped, row, strict=True)),
            }


def format_value(value: Scalar) -> str:
    """A setting's value as it appears in a folder name (YAML's spelling of booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def folder(settings: Mapping[str, Scalar]) -> str:
    """A point's folder: ``key~value/key~value/...``."""
    return "/".join(f"{key}~{format_value(value)}" for key, value in settings.items())


def apply(cfg: Mapping, settings: Mapping[str, Scalar]) -> dict:
    """A deep copy of ``cfg`` with each dotted key set to its value."""
    out = copy.deepcopy(dict(cfg))
    for key, value in settings.items():
        *parents, last = key.split(".")
        node = out
        for part in parents:
            node = node[part]
        node[last] = value
    return out


def point_config(cfg: Mapping, settings: Mapping[str, Scalar]) -> dict:
    """A point's config: the run's with the point's values, and no sweeps of its own."""
    return {**apply(cfg, settings), "sweeps": {}}
