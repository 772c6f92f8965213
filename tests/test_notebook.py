"""The library's front door: the public API of `import lvebm`, its docstring examples, and the
notebook in examples/, executed cell by cell, whose figures 5 and 11 are the pipeline's."""

import doctest
import hashlib
import importlib
import io
import json
import re

import matplotlib
import pytest
from support import ROOT

import lvebm

NOTEBOOK = ROOT / "examples/lecture.ipynb"
MANIFEST = ROOT / "reproducibility/manifest.json"


def code_cells() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def executed():
    matplotlib.use("Agg")
    namespace: dict = {}
    for source in code_cells():
        exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    return namespace


@pytest.mark.parametrize(
    ("figure", "variable"), [("fig05_energy_23", "fig5"), ("fig11_free_energy", "fig11")]
)
def test_notebook_figures_are_the_pipelines_byte_for_byte(executed, figure, variable):
    from lvebm.plotstyle import style

    fig = executed[variable]
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    manifest = json.loads(MANIFEST.read_text())["artifacts"][f"results/figures/{figure}.png"]
    assert hashlib.sha256(buffer.getvalue()).hexdigest() == manifest["sha256"]


def test_readme_python_section_is_the_notebooks_code():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Use it from Python") :]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    assert block.strip() == "\n\n".join(code_cells()).strip()


def test_the_package_exports_its_documented_api():
    assert set(lvebm.__all__) <= set(dir(lvebm))
    for name in lvebm.__all__:
        value = getattr(lvebm, name)
        if callable(value):
            assert ">>> " in (value.__doc__ or ""), f"lvebm.{name} has no docstring example"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lvebm.nope  # noqa: B018


def test_every_optimizer_runs_with_its_defaults_from_one_entry():
    decoder = lvebm.Decoder(-1.45, 0.36)
    exact = lvebm.free_energy_exact(decoder, [2.0, -0.5], [0.1, 1.0])
    for method in lvebm.OPTIMIZERS:
        result = lvebm.minimize(decoder, [2.0, -0.5], [0.1, 1.0], method=method)
        tolerance = 0.01 if method == "exhaustive" else 1e-9
        assert (result.F - exact.F <= tolerance).all(), method
    assert lvebm.gradient_descent(decoder, [2.0], [0.1]).converged.all()
    with pytest.raises(ValueError, match="allowed: exhaustive, gradient_descent"):
        lvebm.minimize(decoder, [0.0], [0.0], method="sgd")


NAMES = (
    "model data exact optimize inference meshgrid mesh relaxed training conditional arguments "
    "contracts configfile methods"
)
MODULES = ["lvebm", *(f"lvebm.{name}" for name in NAMES.split())]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), verbose=False)
    assert result.attempted > 0 and result.failed == 0
