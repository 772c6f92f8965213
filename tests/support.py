"""Test support: a disposable copy of the project, a Snakemake runner, the small config."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import yaml

from lvebm.pipeline.contracts import registered
from lvebm.pipeline.manifest import copy_project as lvebm_copy_project

ROOT = Path(__file__).resolve().parents[1]
# Snakemake without the default workflow profile (profiles/default), which would also build the
# report after every run; tests that mean the user's plain `snakemake` say so.
# what every config change reruns besides the jobs that use the changed key: the report's landing
# page (it shows the config's hash) and its item "configuration" (the config itself)
CONFIG_PAGES = {"landing_page", "run_config"}
PLAIN = [sys.executable, "-m", "snakemake"]  # as a user types it: the default profile applies
NO_PROFILE = ["--workflow-profile", "none"]
SNAKEMAKE = [*PLAIN, *NO_PROFILE]

CAPTIONS = ROOT / "workflow/report"
# a figure's section in its module's captions: {% if figure == "08_mesh" %} ... {% elif ...
SECTION = re.compile(r'\{% (?:el)?if figure == "(\w+)" %\}')
# The small config (every stage in seconds), which users run as
# `snakemake --configfile .test/config/config.yaml`: the overrides of config.yaml it holds.
SMALL_CONFIG = ROOT / ".test/config/config.yaml"
SMALL_CONFIG_OVERRIDES = yaml.safe_load(SMALL_CONFIG.read_text())


def deep_update(base: dict, overrides: dict) -> dict:
    """Recursively merge ``overrides`` into a copy of ``base``."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_update(merged[key], value)
        else:
            merged[key] = value
    return merged


def default_config() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text())


Content = str | bytes | None  # a file's new text or bytes, or None: deleted


@dataclass(frozen=True)
class Run:
    """One Snakemake command line's exit status, its output (stdout and stderr together) and the
    SHA-256 of every file under results/ after it."""

    code: int
    output: str
    results: dict[str, str]

    @property
    def planned(self) -> dict[str, int]:
        """The jobs of a dry run, as ``Project.planned_jobs`` gives them."""
        assert self.code == 0, self.output[-4000:]
        return parse_job_stats(self.output)


@dataclass
class Project:
    """A copy of the project in a temporary directory, with its own config and results."""

    path: Path

    @property
    def config_path(self) -> Path:
        return self.path / "config.yaml"

    def config(self) -> dict:
        return yaml.safe_load(self.config_path.read_text())

    def write_config(self, cfg: dict) -> None:
        self.config_path.write_text(yaml.safe_dump(cfg, sort_keys=False))

    def update_config(self, overrides: dict) -> None:
        self.write_config(deep_update(self.config(), overrides))

    def snakemake(
        self, *args: str, check: bool = True, timeout: float = 600, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        """Snakemake in the project (``env``: variables added to this process's environment)."""
        cmd = [*SNAKEMAKE, "--cores", "2", "--nocolor", *args]
        env = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}
        proc = subprocess.run(
            cmd, cwd=self.path, capture_output=True, text=True, timeout=timeout, env=env
        )
        if check and proc.returncode != 0:
            tail = f"{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
            raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}\n{tail}")
        return proc

    def snakemake_many(self, cases: list[tuple[dict[str, Content], list[str]]]) -> list[Run]:
        """Each case (files to write, arguments) as ``self.snakemake(*arguments, check=False)``
        would run it with those files in place (a text, bytes, or None to delete the file), the
        files put back after it; all in one Python process (tests/snakemake_batch.py), which
        spares a hundred-row table a hundred Snakemake start-ups."""

        def encoded(content: Content):
            if isinstance(content, bytes):
                return {"base64": base64.b64encode(content).decode()}
            return content

        batch = [
            {
                "files": {name: encoded(content) for name, content in files.items()},
                "args": [*NO_PROFILE, "--cores", "2", "--nocolor", *args],
            }
            for files, args in cases
        ]
        result = self.path.parent / f".{self.path.name}-batch.json"
        proc = subprocess.run(
            [sys.executable, str(ROOT / "tests/snakemake_batch.py"), str(result)],
            cwd=self.path,
            input=json.dumps(batch),
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        if proc.returncode != 0:
            raise AssertionError(f"the batch of Snakemake runs failed:\n{proc.stderr[-8000:]}")
        runs = [Run(**r) for r in json.loads(result.read_text())]
        result.unlink()
        return runs

    def planned_jobs(self, *args: str) -> dict[str, int]:
        """Rules a dry run would execute, with their job counts (empty when up to date)."""
        out = self.snakemake("--dry-run", *args).stdout
        return parse_job_stats(out)

    def artifacts(self) -> dict[str, bytes]:
        """The bytes of every artifact (Parquet table, PNG figure) under results/, by path
        relative to the project: results/data/samples.parquet, ..."""
        return {
            p.relative_to(self.path).as_posix(): p.read_bytes()
            for p in sorted((self.path / "results").rglob("*"))
            if p.is_file() and not p.name.startswith(".") and p.suffix in (".parquet", ".png")
        }


_RULES = """
import json, os, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import (
    ConfigSettings, OutputSettings, ResourceSettings, StorageSettings,
)

with SnakemakeApi(OutputSettings(quiet=True)) as api:
    workflow = api.workflow(
        resource_settings=ResourceSettings(), config_settings=ConfigSettings(),
        storage_settings=StorageSettings(), snakefile=Path("Snakefile").resolve(),
        workdir=Path(".").resolve(),
    )._workflow
    rules = {}
    for rule in workflow.rules:
        base = rule.basedir.get_path_or_uri(secret_free=True)
        script = rule.script and os.path.join(base, rule.script)
        rules[rule.name] = {"script": script and os.path.relpath(os.path.normpath(script))}
        report = rule.output and rule.output[0].flags.get("report")
        if report:
            rules[rule.name]["category"] = report.category
        if rule.name.startswith("tables_"):
            rules[rule.name]["table"] = str(rule.input["table"])
        if rule.name.startswith("figure_"):
            rules[rule.name].update({
                "png": str(rule.output[0]),
                "inputs": {k: v for k, v in rule.input.items() if k != "library"},
                **dict(rule.params.items()),
                "caption": str(Path(report.caption.get_path_or_uri(secret_free=True)).resolve()),
            })
json.dump(rules, sys.stdout)
"""


def workflow_rules(path: Path) -> dict[str, dict]:
    """Every rule of the workflow in ``path`` as Snakemake built it: its script (relative to
    ``path``, or None), its report category if its output is in the report, a report table's
    ``table`` (the artifact it shows), and for a figure rule what its record made of it: png,
    inputs, function, options, size, dpi, caption (absolute path)."""
    proc = subprocess.run(
        [sys.executable, "-c", _RULES], cwd=path, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"loading the workflow in {path} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def caption_sections() -> dict[str, Path]:
    """Each figure's caption, {figure name: the captions file that holds its section}: every
    ``workflow/report/<module>.rst`` of a figure module holds one section per figure it draws."""
    sections: dict[str, Path] = {}
    for path in sorted(CAPTIONS.glob("*.rst")):
        for name in SECTION.findall(path.read_text()):
            assert name not in sections, f"two captions of figure {name}"
            sections[name] = path
    return sections


def figure_rules(path: Path) -> dict[str, dict]:
    """The figure rules of the workflow in ``path`` (``workflow_rules``)."""
    return {name: r for name, r in workflow_rules(path).items() if name.startswith("figure_")}


class Table:
    """An artifact's columns as NumPy arrays, in the file's order.

    ``table["F"]`` is a column; ``table[mask]`` the rows where a boolean array is true;
    iterating gives the column names, ``items()`` the columns; ``len(table)`` is the number of
    rows; ``table.where(points="mesh")`` the rows with those
    values; ``table.groups("i")`` the rows of each value of a column, the values sorted (as
    pandas' groupby); ``table.row(0)`` one row as a dict. (No pandas: the project's environment does
    not carry it, so that Snakemake does not import it to hash params on every call.)"""

    def __init__(self, columns: Mapping[str, np.ndarray]) -> None:
        self._columns = dict(columns)

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._columns[key]
        return Table({name: values[key] for name, values in self._columns.items()})

    def __iter__(self):
        return iter(self._columns)

    def items(self):
        return self._columns.items()

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def where(self, **values) -> Table:
        mask = np.ones(len(self), dtype=bool)
        for name, value in values.items():
            mask &= self._columns[name] == value
        return self[mask]

    def groups(self, column: str) -> dict:
        keys = self._columns[column]
        return {key: self[keys == key] for key in sorted(set(keys.tolist()))}

    def row(self, index: int) -> dict:
        return {name: values[index] for name, values in self._columns.items()}


def read(project, name) -> Table:
    """An artifact of ``project`` (its path below the project) as a :class:`Table`."""
    table = pq.read_table(project.path / name)
    return Table({n: table.column(n).to_numpy() for n in table.column_names})


def a_mesh_size(cfg) -> int:
    """The number of mesh points of a config."""
    return cfg["mesh"]["y1"]["num"] * cfg["mesh"]["y2"]["num"]


def parse_job_stats(text: str) -> dict[str, int]:
    """The 'Job stats' table of a Snakemake dry run as {rule: count}, without 'all'."""
    jobs: dict[str, int] = {}
    if "Job stats:" not in text:
        return jobs
    table = text.split("Job stats:", 1)[1]
    for line in table.splitlines()[3:]:
        match = re.fullmatch(r"\s*(\w+)\s+(\d+)\s*", line)
        if not match:
            break
        if match[1] not in ("all", "total"):
            jobs[match[1]] = int(match[2])
    return jobs


def tree(root: Path, checksums: bool = True) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (none if it does not exist), the artifacts' checksum
    files included or not."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (checksums or not p.name.startswith("."))
    }


def copy_project(dest: Path) -> Project:
    return Project(lvebm_copy_project(ROOT, dest))


def central_difference(fun, theta, h=1e-6):
    """The gradient of the scalar ``fun`` at ``theta`` by central differences of step ``h``."""
    import numpy as np

    grad = np.empty_like(theta)
    for k in range(theta.size):
        step = np.zeros_like(theta)
        step[k] = h
        grad[k] = (fun(theta + step) - fun(theta - step)) / (2 * h)
    return grad


def run_artifacts(*overrides: dict) -> list[str]:
    """The artifacts (Parquet tables, PNG figures) a finished run holds, by path below the
    project: every output of the job graph of config.yaml with ``overrides`` merged in (as
    ``snakemake --summary`` lists it, sweep points included), but the intermediates the artifact
    registry marks temp. Computed from the workflow and the registry, never typed."""
    return list(_run_artifacts(json.dumps(overrides, sort_keys=True)))


def manifest_artifacts(*overrides: dict) -> int:
    """How many artifacts a manifest of that run records: all but the platform records."""
    return sum(not path.endswith("/platform.parquet") for path in run_artifacts(*overrides))


@cache
def _run_artifacts(overrides: str) -> tuple[str, ...]:
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    for update in json.loads(overrides):
        config = deep_update(config, update)
    with tempfile.TemporaryDirectory() as scratch:
        configfile = Path(scratch) / "config.yaml"
        configfile.write_text(yaml.safe_dump(config, sort_keys=False))
        proc = subprocess.run(
            [
                *SNAKEMAKE,
                "--summary",
                "--snakefile",
                str(ROOT / "Snakefile"),
                "--directory",
                scratch,
                "--configfile",
                str(configfile),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode:
        raise AssertionError(f"snakemake --summary failed:\n{proc.stderr[-3000:]}")
    rows = [line.split("\t")[0] for line in proc.stdout.splitlines()[1:] if line.strip()]
    return tuple(
        sorted(
            path
            for path in rows
            if path.endswith((".parquet", ".png")) and not getattr(registered(path), "temp", 0)
        )
    )


def write_manifest(project: Project, dest: Path) -> dict:
    """``lvebm-manifest write -o dest`` in the project; the manifest's artifacts."""
    subprocess.run(
        [sys.executable, "-m", "lvebm.pipeline.manifest", "write", "-o", str(dest)],
        cwd=project.path,
        check=True,
        capture_output=True,
    )
    return json.loads(dest.read_text())["artifacts"]


def crate_checksums(results: Path) -> dict[str, str]:
    """The SHA-256 of each file the provenance crate in ``results`` lists, each checked equal to
    the file's there."""
    from lvebm.pipeline import provenance
    from lvebm.pipeline.checksums import file_sha256

    document = json.loads((results / provenance.METADATA).read_text())
    sums = {entity["@id"]: entity["sha256"] for entity in provenance.files(document)}
    for name, sha256 in sums.items():
        assert file_sha256(results / name) == sha256, name
    return sums
