"""The library's docstrings and its API reference (docs/api/): every public function, class and
method of every module has a numpydoc docstring that numpydoc's validator accepts (the checks of
pyproject.toml's [tool.numpydoc_validation], the same as docs/api/conf.py's), and the reference
builds with Sphinx without a warning.

One module's findings, while writing its docstrings:

    .venv/bin/python tests/test_docs.py lvebm.model
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src/lvebm"
# every module of the library (the pipeline's plumbing, lvebm.pipeline, is the workflow's)
MODULES = sorted(f"lvebm.{p.stem}" for p in SOURCE.glob("*.py") if p.stem != "__init__")
CHECKS = set(
    tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["numpydoc_validation"]["checks"]
)


def public_objects(module_name: str) -> list[str]:
    """The dotted names of a module's public functions and classes (defined there, not
    imported) and of those classes' own public methods and properties: what the reference
    documents."""
    module = importlib.import_module(module_name)
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module_name:
            continue
        if inspect.isfunction(value):
            names.append(f"{module_name}.{name}")
        elif inspect.isclass(value):
            names.append(f"{module_name}.{name}")
            for attr, member in vars(value).items():
                if attr.startswith("_") or attr in getattr(value, "_fields", ()):
                    continue
                if inspect.isfunction(member) or isinstance(member, property):
                    names.append(f"{module_name}.{name}.{attr}")
    return names


def findings(module_name: str) -> list[str]:
    """numpydoc's findings of the configured checks, one line each: ``name: CODE message``."""
    from numpydoc.validate import validate

    out = []
    for name in public_objects(module_name):
        for code, message in validate(name)["errors"]:
            if code in CHECKS:
                out.append(f"{name}: {code} {message}")
    return out


@pytest.mark.parametrize("module", MODULES)
def test_every_public_object_has_a_numpydoc_docstring(module):
    assert findings(module) == []


def test_the_reference_lists_every_module():
    pages = "".join(p.read_text() for p in (ROOT / "docs/api").glob("*.rst"))
    assert {m for m in MODULES if f".. automodule:: {m}\n" not in pages} == set()


def test_the_api_reference_builds_without_warnings(tmp_path):
    """`sphinx-build -W` (warnings are errors; numpydoc's validation warns) into a scratch
    folder, as CI builds it; its index names every page."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(ROOT / "docs/api"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    index = (tmp_path / "html/index.html").read_text()
    for page in (ROOT / "docs/api").glob("*.rst"):
        assert page.stem == "index" or f"{page.stem}.html" in index


if __name__ == "__main__":
    lines = [line for module in sys.argv[1:] or MODULES for line in findings(module)]
    print("\n".join(lines) or "no findings")
    sys.exit(1 if lines else 0)
