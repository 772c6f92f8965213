"""The workflow passes Snakemake's linter and formatter, the code passes ruff, and the rule files
declare while the package holds the Python."""

import re
import subprocess
import sys

import pytest
from support import ROOT


def run(*cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "cmd",
    [
        (sys.executable, "-m", "snakemake", "--lint", "--nocolor"),
        (sys.executable, "-m", "snakefmt", "--check", "."),
        (sys.executable, "-m", "ruff", "check", "."),
        (sys.executable, "-m", "ruff", "format", "--check", "."),
    ],
    ids=["snakemake-lint", "snakefmt", "ruff-check", "ruff-format"],
)
def test_tool_is_clean(cmd):
    proc = run(*cmd)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


def test_the_rule_files_define_no_function():
    """Functions live in the package (lvebm.pipeline.config, lvebm.pipeline.jobgraph), where
    ruff and plain pytest reach them; the Snakefile and the rule files only declare."""
    files = [ROOT / "Snakefile", *sorted((ROOT / "workflow/rules").glob("*.smk"))]
    assert len(files) > 10
    defining = {
        f.relative_to(ROOT).as_posix(): found
        for f in files
        if (found := re.findall(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)", f.read_text(), re.M))
    }
    assert defining == {}


def test_the_formatter_decides_every_line():
    """No line opts out of the formatter (a "fmt" skip or off comment): its wrapping is the
    project's, so a reader meets one style and a diff shows only what changed."""
    files = [
        path
        for folder in ("src", "tests", "bench", "workflow")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in (".py", ".smk")
    ]
    opted_out = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"#\s*fmt:\s*(skip|off)\b", line)
    ]
    assert len(files) > 100 and opted_out == []
