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
