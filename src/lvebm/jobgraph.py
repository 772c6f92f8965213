"""What the workflow computes while it builds its job graph, once per process: a sweep loads the
workflow once per point, and each load asks again (plumbing: no science is imported here)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path


@functools.cache
def lvebm_imports(path: str) -> tuple[str, ...]:
    """The lvebm modules that the library file at ``path`` imports (lvebm.x -> "x.py")."""
    tree = ast.parse(Path(path).read_text())
    return tuple(
        node.module.split(".")[1] + ".py"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lvebm.")
    )
