"""What the workflow computes while it builds its job graph, once per process: a sweep loads the
workflow once per point, and each load asks again (plumbing: no science is imported here)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path


@functools.cache
def lvebm_imports(path: str) -> tuple[str, ...]:
    """The lvebm modules that the library file at ``path`` imports, as paths below the package
    (lvebm.x -> "x.py", lvebm.pipeline.x -> "pipeline/x.py", with the subpackage's __init__)."""
    tree = ast.parse(Path(path).read_text())
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lvebm."):
            parts = node.module.split(".")[1:]
            found += [f"{'/'.join(parts[:i])}/__init__.py" for i in range(1, len(parts))]
            found.append("/".join(parts) + ".py")
    return tuple(dict.fromkeys(found))


@functools.cache
def commit(root: str) -> str:
    """The git commit of the clone at ``root``, "(uncommitted changes)" added when its tracked
    files differ from it; "unknown" outside a git checkout or without git."""
    import subprocess

    def git(*args: str) -> str:
        out = subprocess.run(
            ["git", "-C", root, *args], capture_output=True, text=True, check=False
        )
        return out.stdout.strip() if out.returncode == 0 else ""

    head = git("rev-parse", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{head} (uncommitted changes)" if dirty else head


def config_sha256(config) -> str:
    """The SHA-256 of a config as the pipeline validated it (JSON, keys sorted)."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
