"""Sphinx configuration of lvebm's API reference (docs/api/): numpydoc docstrings of the library's
public modules, rendered by autodoc (their validation: tests/test_docs.py).

    .venv/bin/sphinx-build -W -b html docs/api build/api     # tests/test_docs.py does the same
"""

import re

import lvebm

project = "lvebm"
author = "lvebm contributors"
copyright = "2026, lvebm contributors"
release = version = lvebm.__version__

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
]
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections give the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# numpydoc's own validation is off here: autodoc hands it the docstrings of imported names too
# (typing.NamedTuple, collections.abc.Mapping). tests/test_docs.py validates exactly the public
# objects this reference documents, with pyproject.toml's [tool.numpydoc_validation] checks.
numpydoc_validation_checks: set[str] = set()
exclude_patterns = ["_build"]
highlight_language = "none"  # the formulas' literal blocks are plain text (doctests: Python)
html_theme = "alabaster"
html_theme_options = {"page_width": "1240px"}  # the formulas' 100-column lines fit
html_title = f"lvebm {release}: API reference"
nitpicky = False

_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")


def _escape(text: str) -> str:
    """Plain-text math as reStructuredText reads it: ``|y|`` and an unpacked ``(2, *hidden)``
    escaped outside literals (they would start a substitution or an emphasis); ``*emphasis*``
    and ``**strong**`` stay."""
    parts = _LITERAL.split(text)
    for k in range(0, len(parts), 2):  # the parts between literals
        parts[k] = re.sub(r"\|", r"\\|", parts[k])
        parts[k] = re.sub(r"(?<=[(\[])\*(?=\w)|(?<=, )\*(?=\w)", r"\\*", parts[k])
    return "".join(parts)


def formula_blocks(lines: list[str]) -> None:
    """A module docstring's indented blocks after a paragraph (its formulas) as literal blocks:
    the paragraph's last line ends with ``::``, so they show as written, aligned."""
    for k in range(2, len(lines)):
        line, blank, before = lines[k], lines[k - 1], lines[k - 2]
        if (
            line.startswith("    ")
            and not blank.strip()
            and before.strip()
            and not before.startswith(" ")
            and not before.rstrip().endswith("::")
            and not line.lstrip().startswith((">>>", "- "))
        ):
            text = before.rstrip()  # "gives" -> "gives::" (shown "gives:"), "so." -> "so. ::"
            if text.endswith(":"):
                lines[k - 2] = text + ":"
            else:
                lines[k - 2] = text + ("::" if text[-1].isalnum() else " ::")


def plain_math(app, what, name, obj, options, lines) -> None:
    """Escape the docstrings' plain-text math, but not in doctests, their output, or literal
    blocks (after ``::``), which reStructuredText shows as they are."""
    if what == "module":
        formula_blocks(lines)
    literal_indent = None
    in_doctest = False
    for k, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped:
            in_doctest = False
            continue
        if literal_indent is not None:
            if indent > literal_indent:
                continue
            literal_indent = None
        if stripped.startswith((">>>", "...")) or in_doctest:
            in_doctest = True
            continue
        lines[k] = _escape(line)
        if stripped.endswith("::"):
            literal_indent = indent


def setup(app) -> None:
    app.connect("autodoc-process-docstring", plain_math, priority=100)  # before numpydoc
