"""Run many Snakemake command lines in one Python process, each as the command line would.

Reads a JSON list of cases from stdin; each case is ``{"args": [...], "files": {path: content}}``
with content a text, ``{"base64": bytes}`` or null (the file is deleted). The files are written
(relative to the working directory), ``snakemake.cli.main(args)`` runs with file descriptors 1
and 2 captured, and the files get their original bytes back (or are removed when they did not
exist). Writes a JSON list, one per case, of ``{"code": exit status, "output": stdout and
stderr, "results": {path: SHA-256} of every file under results/ right after the run, before the
files are put back}`` to the file named by the first argument.

A Snakemake start costs about 2 s of interpreter start-up and imports before the workflow is
read; the tests' tables (the rerun matrix, the catalogue's bad configs) start it a hundred times
over, so they pay that once here. ``tests/support.py::snakemake_many`` is the caller.
"""

import base64
import json
import os
import sys
import tempfile
from pathlib import Path

from snakemake.cli import main
from support import tree  # this script's folder, tests/, is first on sys.path


def captured(args: list[str]) -> tuple[int, str]:
    with tempfile.TemporaryFile() as out:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            main(args)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        out.seek(0)
        return code, out.read().decode(errors="replace")


def run_case(case: dict) -> dict:
    originals = {}
    try:
        for name, content in case.get("files", {}).items():
            path = Path(name)
            originals[path] = path.read_bytes() if path.exists() else None
            path.parent.mkdir(parents=True, exist_ok=True)
            if content is None:
                path.unlink(missing_ok=True)
            elif isinstance(content, str):
                path.write_text(content)
            else:
                path.write_bytes(base64.b64decode(content["base64"]))
        code, output = captured(case["args"])
        results = tree(Path("results"))  # before the files are put back
    finally:
        for path, data in originals.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
    return {"code": code, "output": output, "results": results}


if __name__ == "__main__":
    results = [run_case(case) for case in json.load(sys.stdin)]
    Path(sys.argv[1]).write_text(json.dumps(results))
