"""The library's front door: the public API of `import lvebm`, its docstring examples, and the
notebook in examples/, executed cell by cell, whose figures 5 and 11 are the pipeline's."""

import doctest
import hashlib
import importlib
import json
import re
import warnings

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


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed as `jupyter nbconvert --execute` does it: nbconvert's
    ExecutePreprocessor, a real python3 kernel of this venv, every cell in order."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        for var, name in FIGURES.items():
            if cell.cell_type == "code" and f"{var} = " in cell.source:
                cells.append(nbformat.v4.new_code_cell(SAVE.format(var=var, name=name)))
    run = nbformat.v4.new_notebook(cells=cells, metadata=notebook.metadata)
    with warnings.catch_warnings():  # the Jupyter machinery's own notices, not ours
        warnings.simplefilter("ignore")
        ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(
            run, {"metadata": {"path": str(folder)}}
        )
    return run, folder


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
    ]
    shown = [
        o
        for c in notebook.cells
        for o in getattr(c, "outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(shown) == 2  # figures 5 and 11 displayed
    # the numbers the tutorial prints: the trained radii near rho(0), the horn within 1 %
    trained = re.search(r"\|w1\| = ([\d.]+), \|w2\| = ([\d.]+)", outputs)
    assert abs(float(trained[1]) - 1.9476) < 1e-3 and abs(float(trained[2]) - 1.4849) < 1e-3
    for f, rho in re.findall(r"f = \(([\d., ]+)\), rho = \(([\d., ]+)\)", outputs):
        for a, b in zip(f.split(", "), rho.split(", "), strict=True):
            assert abs(float(a) - float(b)) < 0.01 * float(b)


@pytest.mark.parametrize("figure", ["fig05_energy_23", "fig11_free_energy"])
def test_notebook_figures_are_the_pipelines_byte_for_byte(executed, figure):
    _, folder = executed
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
