"""The library's front door: the public API of `import lvebm`, its docstring examples, and the
notebook in examples/, executed cell by cell, whose figures 5 and 11 are the pipeline's."""

import doctest
import hashlib
import importlib
import importlib.util
import json
import re

import pytest
from support import ROOT

import lvebm

NOTEBOOK = ROOT / "examples/lecture.ipynb"
MANIFEST = ROOT / "reproducibility/manifest.json"


def code_cells() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


# run in the notebook's kernel right after the cell that makes each figure (before the notebook
# shows it): the figure as the pipeline writes it
SAVE = """
from lvebm.plotstyle import style
with style():
    {var}.savefig("{name}.png", format="png", dpi=150, metadata={{"Software": None}})
"""
FIGURES = {"fig5": "fig05_energy_23", "fig11": "fig11_free_energy"}


def _runner():
    """examples/run_notebook.py, which executes the notebook for the test and for `--write`."""
    spec = importlib.util.spec_from_file_location("run_notebook", ROOT / "examples/run_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed as `jupyter nbconvert --execute` does it (nbconvert's
    ExecutePreprocessor, a real python3 kernel of this venv, every cell in order), with the
    pipeline's pinned kernels, as examples/run_notebook.py stores it."""
    import nbformat

    folder = tmp_path_factory.mktemp("notebook")
    return _runner().execute(nbformat.read(NOTEBOOK, as_version=4), folder), folder


@pytest.fixture(scope="module")
def saved_figures(tmp_path_factory):
    """The notebook executed again, with a cell after the one that makes figure 5 and figure 11
    that saves it as the pipeline writes it (before the notebook shows it: showing lays it out
    for the screen, so these run apart from the stored outputs' execution)."""
    import nbformat

    folder = tmp_path_factory.mktemp("figures")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        for var, name in FIGURES.items():
            if cell.cell_type == "code" and f"{var} = " in cell.source:
                cells.append(nbformat.v4.new_code_cell(SAVE.format(var=var, name=name)))
    _runner().execute(nbformat.v4.new_notebook(cells=cells, metadata=notebook.metadata), folder)
    return folder


def test_the_stored_outputs_are_a_fresh_executions(executed):
    """The notebook is committed with its outputs (a viewer shows every figure); they are what
    executing it produces: text exactly, figures byte for byte. After a change:
    `.venv/bin/python examples/run_notebook.py --write`."""
    import nbformat

    fresh, _ = executed
    stored = nbformat.read(NOTEBOOK, as_version=4)
    outputs = _runner().outputs
    assert [c.source for c in stored.cells] == [c.source for c in fresh.cells]
    for k, (ours, theirs) in enumerate(zip(outputs(stored), outputs(fresh), strict=True)):
        assert ours == theirs, f"code cell {k + 1}: stored outputs differ from a fresh execution"


def test_the_notebook_runs_under_nbconvert_and_reads_as_a_tutorial(executed):
    notebook, _ = executed
    outputs = "".join(
        o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
    )
    assert not [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    headings = [c.source.splitlines()[0] for c in notebook.cells if c.cell_type == "markdown"]
    assert [h for h in headings if h.startswith("## ")] == [
        "## 1. Zero temperature: F∞ and ž",
        "## 2. Finite temperature: Fβ",
        "## 3. Training the decoder",
        "## 4. The conditional horn",
        "## 5. The energy as a probability: EM learns β",
        "## 6. Sampling from the learned model",
        "## 7. Amortized inference: an encoder guesses ž",
    ]
    shown = [
        o
        for c in notebook.cells
        for o in getattr(c, "outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(shown) == 5  # figures 5, 11, 27, 28 and 30 displayed
    # the numbers the tutorial prints: the trained radii near rho(0), the horn within 1 %
    trained = re.search(r"\|w1\| = ([\d.]+), \|w2\| = ([\d.]+) against", outputs)
    assert abs(float(trained[1]) - 1.9476) < 1e-3 and abs(float(trained[2]) - 1.4849) < 1e-3
    for f, rho in re.findall(r"f = \(([\d., ]+)\), rho = \(([\d., ]+)\)", outputs):
        for a, b in zip(f.split(", "), rho.split(", "), strict=True):
            assert abs(float(a) - float(b)) < 0.01 * float(b)
    # EM: continuous latent, the maximum likelihood of the energy loss's radii, beta near 200
    em = re.search(r"continuous: \|w1\| = ([\d.]+), \|w2\| = ([\d.]+), beta = ([\d.]+)", outputs)
    assert abs(float(em[1]) - 1.947) < 1e-3 and abs(float(em[2]) - 1.484) < 1e-3
    assert 150 < float(em[3]) < 250
    # the encoder: tiny gaps off the ridge's band
    off = re.search(r"off the ridge's band at most ([\d.e+-]+)", outputs)
    assert float(off[1]) < 1e-3


@pytest.mark.parametrize("figure", ["fig05_energy_23", "fig11_free_energy"])
def test_notebook_figures_are_the_pipelines_byte_for_byte(saved_figures, figure):
    folder = saved_figures
    manifest = json.loads(MANIFEST.read_text())["artifacts"][f"results/figures/{figure}.png"]
    data = (folder / f"{figure}.png").read_bytes()
    assert hashlib.sha256(data).hexdigest() == manifest["sha256"]


def test_readme_figure_is_the_pipelines_own():
    """The figure near the README's top is figure 11 of a default run, byte for byte (the
    committed manifest's), so it shows what the pipeline draws."""
    readme = (ROOT / "README.md").read_text()
    image = re.search(r"!\[[^\]]*\]\((docs/images/[^)]+\.png)\)", readme)
    assert image and readme.index(image[0]) < readme.index("## Two commands")
    data = (ROOT / image[1]).read_bytes()
    manifest = json.loads(MANIFEST.read_text())["artifacts"]
    assert (
        hashlib.sha256(data).hexdigest()
        == manifest["results/figures/fig11_free_energy.png"]["sha256"]
    )


def test_readme_python_section_is_the_notebooks_first_part():
    """The README shows the notebook's first part (F∞, figures 5 and 11) as it is."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Use it from Python") :]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    science = [c for c in code_cells() if c not in ("fig5", "fig11") and "IPython" not in c]
    assert block.strip() == "\n\n".join(science[:3]).strip()


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


# every module of the package with docstring examples (a new module's run with no row here)
SOURCE = ROOT / "src/lvebm"
MODULES = sorted(
    ".".join(("lvebm", *path.relative_to(SOURCE).with_suffix("").parts)).removesuffix(".__init__")
    for path in SOURCE.rglob("*.py")
    if ">>>" in path.read_text()
)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), verbose=False)
    assert result.attempted > 0 and result.failed == 0
