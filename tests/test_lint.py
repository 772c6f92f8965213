"""The workflow passes Snakemake's linter and formatter, the code passes ruff."""

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
