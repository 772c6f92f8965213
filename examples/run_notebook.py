"""Execute examples/lecture.ipynb as tests/test_notebook.py does, and store its outputs.

    .venv/bin/python examples/run_notebook.py            # execute; say whether the stored
                                                         # outputs are what it produces
    .venv/bin/python examples/run_notebook.py --write    # execute and store the outputs

The notebook runs in a fresh ``python3`` kernel of this venv (nbconvert's ExecutePreprocessor, as
``jupyter nbconvert --execute``), every cell in order, with the pipeline's pinned CPU kernels
(``lvebm.pipeline.numerics``), so that the figures it stores are byte for byte what a test
machine draws. No timing or other volatile metadata is kept: a rerun rewrites the same file.
Exit status 1 when the stored outputs differ from a fresh execution's (without ``--write``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import nbformat

from lvebm.pipeline.numerics import pinned_environment

NOTEBOOK = Path(__file__).resolve().parent / "lecture.ipynb"


@contextmanager
def _environment(extra: dict[str, str]):
    saved = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def execute(notebook: nbformat.NotebookNode, folder: str | Path) -> nbformat.NotebookNode:
    """The notebook executed in ``folder`` (its working directory): outputs replaced in place."""
    from nbconvert.preprocessors import ExecutePreprocessor

    pins, _ = pinned_environment()
    with _environment({**pins, "PYTHONHASHSEED": "0"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Jupyter machinery's own notices, not ours
        ExecutePreprocessor(timeout=600, kernel_name="python3", record_timing=False).preprocess(
            notebook, {"metadata": {"path": str(folder)}}
        )
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list[list[dict]]:
    """Each code cell's outputs, as stored: streams' text, results' and displays' data."""
    return [
        [
            {k: v for k, v in output.items() if k in ("output_type", "name", "text", "data")}
            for output in cell.outputs
        ]
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the outputs in the notebook")
    args = parser.parse_args()
    stored = nbformat.read(NOTEBOOK, as_version=4)
    with tempfile.TemporaryDirectory(prefix="lvebm-notebook-") as folder:
        fresh = execute(nbformat.read(NOTEBOOK, as_version=4), folder)
    if args.write:
        nbformat.write(fresh, NOTEBOOK)
        print(f"{NOTEBOOK.name}: outputs stored")
        return 0
    same = outputs(stored) == outputs(fresh)
    print(f"{NOTEBOOK.name}: stored outputs {'are' if same else 'are NOT'} a fresh execution's")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
