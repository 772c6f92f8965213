"""Reproducibility manifest of a pipeline run, a check that a run reproduces it, and a diff of runs.

    lvebm-manifest write   [--results results] [--config config.yaml] [-o MANIFEST]
    lvebm-manifest compare MANIFEST [--results results] [--config config.yaml] [--strict] [--json]
    lvebm-manifest verify  MANIFEST [--project .] [--cores all] [--strict] [--json]
    lvebm-manifest diff    RESULTS_A RESULTS_B [--config config.yaml] [--strict] [--json]
    lvebm-manifest --version

A manifest records, for every artifact under ``results/``: for Parquet files the SHA-256 of the
file's bytes (what strict mode checks each job against, ``lvebm.pipeline.strict``; compared here
by its columns, not its bytes), the row count and,
per column, its Arrow type, the SHA-256 of its values' bytes and, for float columns, a summary
that a tolerance can be applied to: the minimum, maximum and largest magnitude of the finite
values, a hash of where the non-finite ones are, and ``PROJECTIONS`` sums of the values with
fixed pseudo-random signs. Iteration logs also get their length and last row per group, and step
counts their values. For PNG files it records the SHA-256 of the bytes and the pixel size. It
also records the config and its SHA-256, the commit of the code the run computed with (the git
commit of the config's clone, "(uncommitted changes)" added when it has some), the package
versions (lvebm's included) and the platform the artifacts were computed on: the jobs' own
record of their kernels, ``results/platform.parquet`` (whether the pins were on, NumPy's SIMD
targets, each OpenBLAS's core type; ``lvebm.pipeline.numerics``).

Each column is compared by its class, ``lvebm.pipeline.contracts.column_class`` (the one place that
says it): ``exact`` columns by hash; ``rounding`` and ``converged`` floats within
``atol + rtol * scale`` (1e-9 and 1e-6 relative), checked against a manifest through the summary
(the minimum and maximum within the tolerance, every signed sum within ``rows`` times it, the
non-finite values at the same places); ``path`` logs by their length per group within a slack and
their last rows within the ``converged`` tolerance. Figures are compared by their bytes where both
runs computed with the same kernels; across different kernels (pins off, or a machine the pins
do not reach) a figure whose bytes differ is reported, not counted, since its values are checked
column by column. ``--strict`` compares the SHA-256 of every column and figure instead.
A difference names the column's class and the likely cause: the same kernels on both sides
point to a change of code or config; different kernels to the pins (``numerics.pin``).
``diff`` reads both runs' values and says per column: equal, within tolerance, or the largest
difference and its row.

The first line says whether the two sides' configs differ, and which keys (a manifest records its
config since format 4; a results folder's config is the ``config.yaml`` beside it). ``--json``
prints one JSON document instead of the text (``REPORT_FORMAT``, version ``REPORT_VERSION``):
``{"format", "version", "command", "a", "b", "status", "reproduced", "configs_differ",
"config_keys", "counts", "differences", "notes"}``, each difference a record ``{"artifact",
"column", "what", "class", "a", "b", "tolerance", "row", "cause"}`` (null where it does not
apply; ``a`` and ``b`` as the text shows them). Output piped into a reader that stops early
(``| head``) ends quietly.

Exit status: 0 reproduced (or no difference beyond tolerance), 1 differences, 2 unusable input (a
missing path, a manifest that is not JSON or not this tool's, an artifact that cannot be read).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from lvebm import portable
from lvebm.pipeline.checksums import file_sha256
from lvebm.pipeline.contracts import (
    PATH_SLACK,
    PLATFORM_ARTIFACT,
    ColumnClass,
    column_class,
    kernel_bound,
    path_groups,
)
from lvebm.pipeline.jobgraph import commit
from lvebm.pipeline.numerics import NUMERICS, kernels

# the manifest's format: version 5 adds each Parquet file's SHA-256 (strict mode's), 4 records
# the config itself; 3 (the config's hash only) and 4 are read
FORMAT, VERSION, READ_VERSIONS = "lvebm-manifest", 5, (3, 4, 5)
# the --json report's format
REPORT_FORMAT, REPORT_VERSION = "lvebm-manifest-report", 1
WIDTH = 100  # the text report's lines fit this many columns
EXIT_STATUS = (
    "exit status: 0 reproduced (or no difference beyond tolerance), 1 differences, "
    "2 unusable input (a missing path, a manifest that is not JSON or not this tool's, an "
    "artifact that cannot be read)"
)
PROJECTIONS = 4
PACKAGES = ("numpy", "scipy", "pyarrow", "matplotlib", "snakemake", "lvebm")
PROJECT_FILES = ("Snakefile", "config.yaml", "environment.yml", "workflow", "profiles", "src")


class ManifestError(Exception):
    """An input the command cannot use: exit status 2, one line."""


def within_slack(a: int, b: int) -> bool:
    """Whether two lengths of an iteration log (or two step counts) agree within ``PATH_SLACK``."""
    rows, share = PATH_SLACK
    return abs(a - b) <= rows + share * max(a, b)


def signs(n: int, k: int) -> np.ndarray:
    """The k-th sign pattern of length n: all ones for k = 0, else the top bits of PCG64(k), a
    bit generator whose stream NumPy keeps stable across versions."""
    if k == 0:
        return np.ones(n)
    bits = np.random.PCG64(k).random_raw(n) >> np.uint64(63)
    return bits.astype(np.float64) * 2.0 - 1.0


def _float_summary(values: np.ndarray) -> dict:
    finite = np.isfinite(values)
    clean = np.where(finite, values, 0.0)
    with np.errstate(all="ignore"):
        sums = [float(portable.dot(signs(values.size, k), clean)) for k in range(PROJECTIONS)]
    marks = np.where(finite, 0.0, values)  # NaN and the infinities where they are, 0 elsewhere
    entry: dict = {
        "nonfinite": int((~finite).sum()),
        "nonfinite_sha256": hashlib.sha256(
            np.isnan(marks).tobytes() + np.nan_to_num(marks).tobytes()
        ).hexdigest(),
        "scale": float(np.abs(clean).max(initial=0.0)),
        "sums": sums,
    }
    if finite.any():
        entry["min"], entry["max"] = float(values[finite].min()), float(values[finite].max())
    return entry


def _column_digest(column: pa.ChunkedArray) -> dict:
    entry: dict = {"dtype": str(column.type)}
    values = column.to_numpy(zero_copy_only=False)
    if values.dtype.kind in "biuf":
        values = np.ascontiguousarray(values)
        entry["sha256"] = hashlib.sha256(values.tobytes()).hexdigest()
        if values.dtype.kind == "f":
            entry.update(_float_summary(values.astype(np.float64)))
    else:
        joined = "\0".join(map(str, values.tolist())).encode()
        entry["sha256"] = hashlib.sha256(joined).hexdigest()
    return entry


def _read_table(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as e:
        raise ManifestError(f"{path} cannot be read as Parquet ({e})") from None


def _path_digest(table: pa.Table, groups: tuple[str, ...]) -> dict:
    """{group: {"rows": n, "last": {column: value}}} of an iteration log, groups in order."""
    data = {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    keys = [" ".join(str(data[g][r]) for g in groups) for r in range(table.num_rows)]
    found: dict = {}
    for row, key in enumerate(keys):
        found.setdefault(key, []).append(row)
    return {
        key: {
            "rows": len(rows),
            "last": {n: v[rows[-1]].item() for n, v in data.items() if v.dtype.kind in "biuf"},
        }
        for key, rows in found.items()
    }


def digest(path: Path, name: str | None = None) -> dict:
    """The manifest entry of one artifact (``name``: its ``results/...`` name, if the folder is
    named otherwise)."""
    name = name or str(path)
    if path.suffix == ".parquet":
        table = _read_table(path)
        entry = {
            "kind": "parquet",
            "sha256": file_sha256(path),
            "rows": table.num_rows,
            "columns": {name: _column_digest(table.column(name)) for name in table.column_names},
        }
        for col, column in entry["columns"].items():
            if column_class(name, col, column["dtype"]).name == "path" and "sums" not in column:
                column["values"] = table.column(col).to_pylist()  # a step count per run
        groups = path_groups(name)
        if groups:
            entry["groups"] = _path_digest(table, groups)
        return entry
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ManifestError(f"{path} cannot be read ({e.strerror})") from None
    entry = {"kind": path.suffix.lstrip("."), "sha256": hashlib.sha256(data).hexdigest()}
    if path.suffix == ".png":
        entry["size"] = [int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")]
    return entry


def read_config(config: Path):
    """The config file's contents, as YAML reads them."""
    try:
        return yaml.safe_load(config.read_text())
    except OSError as e:
        raise ManifestError(f"config file {config}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ManifestError(f"config file {config} is not YAML ({e})".replace("\n", " ")) from None


def config_digest(config: Path) -> str:
    canonical = json.dumps(read_config(config), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _leaves(value, prefix: str = ""):
    """(dotted key, value) of a config's leaves (a list is one leaf)."""
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            yield from _leaves(sub, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def config_keys(a, b) -> list[str] | None:
    """The dotted keys whose values differ between two configs (sorted), None if either is
    unknown."""
    if a is None or b is None:
        return None
    la, lb = dict(_leaves(a)), dict(_leaves(b))
    return sorted(key for key in la.keys() | lb.keys() if la.get(key, ...) != lb.get(key, ...))


def versions() -> dict:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def artifact_paths(results: Path) -> dict[str, Path]:
    """{results/...: path} of the artifacts under ``results`` (hidden and report files left out),
    named ``results/...`` whatever the folder's own name, so that two folders compare."""
    if not results.is_dir():
        raise ManifestError(f"no results directory at {results}: run the pipeline first")
    return {
        "results/" + path.relative_to(results).as_posix(): path
        for path in sorted(results.rglob("*"))
        if path.is_file() and not path.name.startswith(".") and path.suffix in (".parquet", ".png")
    }


def platform_of(results: Path) -> dict[str, str]:
    """The jobs' record of their kernels (``results/platform.parquet``), or {} without one."""
    path = results / PLATFORM_ARTIFACT
    if not path.is_file():
        return {}
    table = _read_table(path).to_pydict()
    return dict(zip(table["key"], table["value"], strict=True))


def build(results: Path, config: Path) -> dict:
    """The manifest of every artifact under ``results`` (the platform record apart)."""
    paths = artifact_paths(results)
    return {
        "format": FORMAT,
        "version": VERSION,
        "config_sha256": config_digest(config),
        "config": read_config(config),
        "commit": commit(str(Path(config).resolve().parent)),
        "versions": versions(),
        "platform": platform_of(results),
        "artifacts": {
            name: digest(path, name)
            for name, path in paths.items()
            if column_class(name, "", "").name != "platform"
        },
    }


def load(path: Path) -> dict:
    """A manifest written by ``write``; ManifestError for anything else."""
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestError(f"no manifest at {path}") from None
    except OSError as e:
        raise ManifestError(f"manifest {path} cannot be read ({e.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ManifestError(f"{path} is not a manifest: not JSON ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ManifestError(f'{path} is not an lvebm manifest (no "format": "{FORMAT}")')
    if manifest.get("version") not in READ_VERSIONS or not isinstance(
        manifest.get("artifacts"), dict
    ):
        raise ManifestError(
            f"{path} is a manifest of format version {manifest.get('version')!r}, this tool reads "
            f"versions {READ_VERSIONS[0]} to {READ_VERSIONS[-1]}: write it again with "
            "lvebm-manifest write"
        )
    return manifest


def same_kernels(expected: dict, actual: dict) -> bool:
    """Whether two manifests' artifacts were computed in the same arithmetic: both in the
    portable numerics (``lvebm.pipeline.numerics.NUMERICS``: the same bits on every CPU, pins or
    not), or with the same kernels and pins."""
    e, a = expected.get("platform") or {}, actual.get("platform") or {}
    if e.get("numerics") == a.get("numerics") == NUMERICS:
        return True
    return bool(e) and kernels(e) == kernels(a) and e.get("pins") == a.get("pins")


def cause(kind: ColumnClass | str, same: bool) -> str:
    """The class of a difference and its likely cause, for the report."""
    name = kind if isinstance(kind, str) else kind.name
    if same:
        return f"{name}: same kernels, so the code, config or packages changed"
    return f"{name}: different kernels (a run without the portable numerics?)"


def compare(expected: dict, actual: dict, strict: bool = False) -> list[tuple[str, ...]]:
    """Rows (artifact, what, expected, actual, class and likely cause) for every difference;
    empty when reproduced. Figures whose bytes differ across different kernels are not rows
    (``figure_notes`` lists them)."""
    same = same_kernels(expected, actual)
    rows = []
    if expected["config_sha256"] != actual["config_sha256"]:
        rows.append(
            (
                "config",
                "sha256",
                expected["config_sha256"][:12],
                actual["config_sha256"][:12],
                "exact: the config changed",
            )
        )
    exp, act = expected["artifacts"], actual["artifacts"]
    for name in sorted(set(exp) | set(act)):
        if name not in act:
            rows.append((name, "artifact", "present", "missing", "exact"))
        elif name not in exp:
            rows.append((name, "artifact", "absent", "new", "exact"))
        else:
            rows.extend(
                (name, *diff) for diff in _entry_diffs(name, exp[name], act[name], strict, same)
            )  # figures count where the kernels agree, or with --strict
    return rows


def figure_notes(expected: dict, actual: dict, strict: bool = False) -> list[str]:
    """The figures, and the artifacts of class ``kernel``, that differ where the two sides'
    kernels differ (not counted)."""
    if strict or same_kernels(expected, actual):
        return []
    exp, act = expected["artifacts"], actual["artifacts"]
    return sorted(
        name
        for name in set(exp) & set(act)
        if (
            exp[name]["kind"] == "png"
            and exp[name]["sha256"] != act[name]["sha256"]
            and exp[name].get("size") == act[name].get("size")
        )
        or (kernel_bound(name) and _kernel_bound_differs(exp[name], act[name]))
    )


def _kernel_bound_differs(e: dict, a: dict) -> bool:
    """Whether a kernel-bound table's values differ (its shape and types must not)."""
    return any(e["columns"][col]["sha256"] != a["columns"][col]["sha256"] for col in e["columns"])


def differences(name: str, expected: dict, actual: dict) -> list[tuple[str, ...]]:
    """Rows (what, expected, actual, class and likely cause) for each difference of one
    artifact's entries that its classes do not tolerate, both computed with the same kernels."""
    return list(_entry_diffs(name, expected, actual, strict=False, same=True))


def _entry_diffs(name: str, e: dict, a: dict, strict: bool, same: bool):
    if kernel_bound(name) and not (strict or same) and e["kind"] == a["kind"] == "parquet":
        if e["rows"] != a["rows"] or e["columns"].keys() != a["columns"].keys():
            yield "rows or columns", str(e["rows"]), str(a["rows"]), cause("kernel", same)
        return  # values computed with other kernels: figure_notes
    if e["kind"] != "parquet" or a["kind"] != "parquet":
        for key in ("kind", "size", "sha256"):
            if e.get(key) != a.get(key):
                if key == "sha256" and not (same or strict):
                    return  # a figure drawn with other kernels: figure_notes
                yield key, str(e.get(key))[:16], str(a.get(key))[:16], cause("figure", same)
                return
        return
    groups = e.get("groups") if not strict else None
    if groups is not None:
        yield from _path_diffs(name, e, a, same)
    elif e["rows"] != a["rows"]:
        yield "rows", str(e["rows"]), str(a["rows"]), cause("exact", same)
    for col in sorted(set(e["columns"]) | set(a["columns"])):
        ce, ca = e["columns"].get(col), a["columns"].get(col)
        if ce is None or ca is None:
            yield (
                f"column {col}",
                "present" if ce else "absent",
                "present" if ca else "absent",
                cause("exact", same),
            )
            continue
        kind = column_class(name, col, ce["dtype"])
        if ce["dtype"] != ca["dtype"]:
            yield f"column {col} type", ce["dtype"], ca["dtype"], cause("exact", same)
        elif ce["sha256"] == ca["sha256"] or (groups is not None and kind.name == "path"):
            continue  # equal, or an iteration log's column: compared by its groups above
        elif strict or kind.name in ("exact", "kernel"):
            yield f"column {col}", _stats(ce), _stats(ca), cause(kind, same)
        elif "values" in ce and "values" in ca:  # step counts
            if len(ce["values"]) != len(ca["values"]) or not all(
                within_slack(x, y) for x, y in zip(ce["values"], ca["values"], strict=True)
            ):
                yield f"column {col}", str(ce["values"]), str(ca["values"]), cause(kind, same)
        elif "sums" not in ce or not _within(kind, ce, ca, e["rows"]):
            yield f"column {col}", _stats(ce), _stats(ca), cause(kind, same)


def _path_diffs(name: str, entry_e: dict, entry_a: dict, same: bool):
    """An iteration log: per group its length within the slack and its last row's floats
    within the path tolerance of the column's scale (integers within the slack)."""
    e, a = entry_e["groups"], entry_a.get("groups") or {}
    scales = {
        col: max(c.get("scale", 0.0), entry_a["columns"].get(col, {}).get("scale", 0.0))
        for col, c in entry_e["columns"].items()
    }
    for key in sorted(set(e) | set(a)):
        if key not in e or key not in a:
            yield (
                f"log {key}",
                "present" if key in e else "absent",
                "present" if key in a else "absent",
                cause("path", same),
            )
            continue
        ge, ga = e[key], a[key]
        if not within_slack(ge["rows"], ga["rows"]):
            yield f"log {key} rows", str(ge["rows"]), str(ga["rows"]), cause("path", same)
        kind = column_class(name, "", "")
        for col, x in ge["last"].items():
            y = ga["last"].get(col)
            if isinstance(x, float) or isinstance(y, float):
                ok = y is not None and (x == y or abs(x - y) <= kind.tolerance(scales[col]))
            else:
                ok = y is not None and within_slack(int(x), int(y))
            if not ok:
                yield f"log {key} last {col}", repr(x), repr(y), cause("path", same)


def _within(kind: ColumnClass, e: dict, a: dict, rows: int) -> bool:
    """Whether a float column's summary is what a run within the class's tolerance can give."""
    tol = kind.tolerance(max(e["scale"], a["scale"]))
    if (e["nonfinite_sha256"], e.get("min") is None) != (
        a["nonfinite_sha256"],
        a.get("min") is None,
    ):
        return False
    ends = all(abs(e[k] - a[k]) <= tol for k in ("min", "max") if k in e)
    return ends and all(abs(x - y) <= rows * tol for x, y in zip(e["sums"], a["sums"], strict=True))


def _stats(s: dict) -> str:
    if s.get("min") is None:
        return f"values differ ({s['sha256'][:12]})"
    return f"min {s['min']:.6g} max {s['max']:.6g} sum {s['sums'][0]:.10g}"


def _table(rows, header, width: int = WIDTH) -> list[str]:
    """Rows under a header, as columns when they fit ``width``; else one block per row: its
    first two cells, then each other cell on its own indented line named by its header, wrapped
    to ``width``."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    table = [fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [
        fmt.format(*r).rstrip() for r in rows
    ]
    if max(map(len, table)) <= width:
        return table
    lines = []
    for row in rows:
        first = "  ".join(str(cell) for cell in row[:2] if cell)
        lines += textwrap.wrap(first, width, subsequent_indent="    ", break_on_hyphens=False)
        for name, cell in zip(header[2:], row[2:], strict=True):
            lines += textwrap.wrap(
                f"{name}: {cell}",
                width,
                initial_indent="    ",
                subsequent_indent="      ",
                break_on_hyphens=False,
            )
    return lines


def describe_platform(record: dict) -> str:
    if not record:
        return "unknown (no results/platform.parquet)"
    return (
        f"{record.get('machine', '?')}, {record.get('numerics', 'platform')} numerics, "
        f"pins {record.get('pins', '?')}, {kernels(record)}; "
        f"numpy {record.get('numpy', '?')}, scipy {record.get('scipy', '?')}"
    )


def report(rows, expected: dict, actual: dict, notes: list[str] = ()) -> str:
    lines = []
    if expected.get("platform") != actual.get("platform"):
        lines.append(f"platform of the manifest: {describe_platform(expected.get('platform'))}")
        lines.append(f"platform of this run:     {describe_platform(actual.get('platform'))}")
    if expected["versions"] != actual["versions"]:
        changed = {
            k: (expected["versions"].get(k), v)
            for k, v in actual["versions"].items()
            if expected["versions"].get(k) != v
        }
        lines.append(f"note: package versions differ from the manifest's: {changed}")
    if notes:
        lines.append(
            f"note: {len(notes)} figure(s) or budget-trained table(s) differ, computed with other "
            f"kernels (not counted; a figure's values are compared column by column, and a "
            f"budget-trained table matches only on the same kernels): {', '.join(notes)}"
        )
    if not rows:
        n = len(actual["artifacts"])
        lines.append(f"reproduced: {n} artifacts match the manifest")
        return "\n".join(lines)
    lines.append(f"NOT reproduced: {len(rows)} difference(s)")
    header = ("artifact", "what differs", "manifest", "this run", "class: likely cause")
    lines += _table(rows, header)
    return "\n".join(lines)


@dataclass
class Outcome:
    """What a command found: its exit status, the text report and the same as records
    (``--json``)."""

    command: str
    a: str
    b: str
    status: int
    lines: list[str] = field(default_factory=list)
    differences: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    config_keys: list[str] | None = None
    configs_differ: bool | None = None

    def text(self) -> str:
        """The report, every line within ``WIDTH`` columns (a longer one wrapped, indented)."""
        lines = []
        for line in self.lines:
            if len(line) <= WIDTH:
                lines.append(line)
            else:
                lines += textwrap.wrap(
                    line, WIDTH, subsequent_indent="    ", break_on_hyphens=False
                )
        return "\n".join(lines)

    def json(self) -> str:
        return json.dumps(
            {
                "format": REPORT_FORMAT,
                "version": REPORT_VERSION,
                "command": self.command,
                "a": self.a,
                "b": self.b,
                "status": self.status,
                "reproduced": self.status == 0,
                "configs_differ": self.configs_differ,
                "config_keys": self.config_keys,
                "counts": self.counts,
                "differences": self.differences,
                "notes": self.notes,
            },
            indent=1,
        )


def _config_line(differ: bool | None, keys: list[str] | None, what: str) -> list[str]:
    """The report's first line when the two sides' configs differ (``what`` says why the keys
    may be unknown)."""
    if not differ:
        return []
    if keys is None:
        return [f"configs differ ({what})"]
    shown = ", ".join(keys[:12]) + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")
    return textwrap.wrap(
        f"configs differ in {len(keys)} key(s): {shown}", WIDTH, subsequent_indent="    "
    )


def _compare_record(row: tuple, expected: dict, actual: dict) -> dict:
    """A row of ``compare`` as a record of the JSON report."""
    artifact, what, a, b, cause_text = row
    column = (
        what.removeprefix("column ").removesuffix(" type") if what.startswith("column ") else None
    )
    tolerance = None
    ce = expected["artifacts"].get(artifact, {}).get("columns", {}).get(column or "")
    ca = actual["artifacts"].get(artifact, {}).get("columns", {}).get(column or "")
    if ce and ca and "scale" in ce and "scale" in ca:
        kind = column_class(artifact, column, ce["dtype"])
        if kind.rtol or kind.atol:
            tolerance = kind.tolerance(max(ce["scale"], ca["scale"]))
    return {
        "artifact": artifact,
        "column": column,
        "what": what,
        "class": cause_text.split(":")[0],
        "a": a,
        "b": b,
        "tolerance": tolerance,
        "row": None,
        "cause": cause_text.partition(": ")[2] or None,
    }


def _check(manifest: Path, results: Path, config: Path, strict: bool) -> Outcome:
    return _compared(load(manifest), build(results, config), strict, str(manifest), str(results))


def _compared(expected: dict, actual: dict, strict: bool, a: str, b: str) -> Outcome:
    """The comparison of two manifests (``a`` the expected side); status 1 if they differ."""
    rows = compare(expected, actual, strict)
    notes = figure_notes(expected, actual, strict)
    differ = expected["config_sha256"] != actual["config_sha256"]
    keys = config_keys(expected.get("config"), actual.get("config")) if differ else []
    lines = _config_line(differ, keys, "the manifest predates format 4, which records it")
    lines += report(rows, expected, actual, notes).splitlines()
    return Outcome(
        command="compare",
        a=a,
        b=b,
        status=1 if rows else 0,
        lines=lines,
        differences=[_compare_record(row, expected, actual) for row in rows],
        counts={"artifacts": len(actual["artifacts"]), "differences": len(rows)},
        notes=notes,
        config_keys=keys,
        configs_differ=differ,
    )


# ---- diff of two runs ---------------------------------------------------------------------------


def _plain(value) -> str:
    """A table value as plain text: 0.25, 3, 'lbfgs', True (not numpy's reprs)."""
    value = value.item() if isinstance(value, np.generic) else value
    return repr(value) if isinstance(value, float | str) else str(value)


def column_difference(artifact: str, column: str, a: np.ndarray, b: np.ndarray, strict: bool):
    """'equal', 'within tolerance' or the largest difference of two columns of equal length,
    by the column's class (``--strict``: equal or not), and its record for the JSON report
    (class, row, the two values, their gap, the tolerance)."""
    if a.dtype != b.dtype:
        return f"types differ: {a.dtype} / {b.dtype}", {"a": str(a.dtype), "b": str(b.dtype)}
    kind = column_class(artifact, column, "double" if a.dtype.kind == "f" else str(a.dtype))
    record = {"class": kind.name}
    if kind.name == "path" and a.dtype.kind in "iu" and not strict:  # step counts
        if all(within_slack(int(x), int(y)) for x, y in zip(a, b, strict=True)):
            return ("equal" if np.array_equal(a, b) else "within tolerance"), record
    if a.dtype.kind != "f" or strict:
        if a.dtype.kind == "f":
            same = np.array_equal(a, b, equal_nan=True)
        else:
            same = bool(np.all(a == b))
        if same:
            return "equal", record
        row = int(np.flatnonzero(a != b)[0])
        record |= {"row": row, "a": _plain(a[row]), "b": _plain(b[row])}
        return (
            f"differs first at row {row}: {_plain(a[row])} / {_plain(b[row])} ({kind.name})",
            record,
        )
    if np.array_equal(a, b, equal_nan=True):
        return "equal", record
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(np.isfinite(a), np.isfinite(b)) or not np.array_equal(
        a[~finite], b[~finite], equal_nan=True
    ):
        row = int(np.flatnonzero(~np.isfinite(a) ^ ~np.isfinite(b) | ((a != b) & ~finite))[0])
        record |= {"row": row, "a": _plain(a[row]), "b": _plain(b[row])}
        return (
            f"non-finite values differ first at row {row}: {_plain(a[row])} / {_plain(b[row])}",
            record,
        )
    with np.errstate(all="ignore"):
        gap = np.where(finite, np.abs(a - b), 0.0)
    row = int(np.argmax(gap))
    scale = float(max(np.abs(a[finite]).max(initial=0.0), np.abs(b[finite]).max(initial=0.0)))
    tolerance = kind.tolerance(scale)
    if gap[row] <= tolerance:
        return "within tolerance", record | {"tolerance": tolerance}
    record |= {"row": row, "a": _plain(a[row]), "b": _plain(b[row]), "tolerance": tolerance}
    return (
        f"largest difference {gap[row]:.3g} at row {row}: {_plain(a[row])} / {_plain(b[row])} "
        f"({kind.name}, tolerance {tolerance:.3g})",
        record,
    )


def diff(results_a: Path, results_b: Path, strict: bool = False) -> list[tuple]:
    """Rows (artifact, column or '', what[, record]) comparing two runs' results directly, by the
    columns' classes: iteration logs by their groups, figures by their bytes (across different
    kernels a difference is 'other kernels', not counted), the platform records not at all. A
    column's row carries its record for the JSON report (``column_difference``)."""
    pa_, pb_ = artifact_paths(results_a), artifact_paths(results_b)
    platforms = {"platform": platform_of(results_a)}, {"platform": platform_of(results_b)}
    same = strict or same_kernels(*platforms)
    rows = []
    for name in sorted(set(pa_) | set(pb_)):
        if column_class(name, "", "").name == "platform":
            continue
        if name not in pb_ or name not in pa_:
            rows.append((name, "", "only in " + str(results_a if name in pa_ else results_b)))
        elif kernel_bound(name) and not same:
            da, db = digest(pa_[name], name), digest(pb_[name], name)
            if da["rows"] != db["rows"] or da["columns"].keys() != db["columns"].keys():
                rows.append((name, "", f"rows or columns differ: {da['rows']} / {db['rows']}"))
            else:
                rows.append(
                    (name, "", "other kernels" if _kernel_bound_differs(da, db) else "equal")
                )
        elif name.endswith(".parquet") and path_groups(name) and not strict:
            da, db = digest(pa_[name], name), digest(pb_[name], name)
            found = list(_path_diffs(name, da, db, same))
            equal = all(da["columns"][c] == db["columns"].get(c) for c in da["columns"])
            rows += [(name, r[0], f"{r[1]} / {r[2]} ({r[3]})") for r in found] or [
                (name, "", "equal" if equal and da["rows"] == db["rows"] else "within tolerance")
            ]
        elif name.endswith(".parquet"):
            rows.extend(_table_diff(name, _read_table(pa_[name]), _read_table(pb_[name]), strict))
        elif digest(pa_[name])["sha256"] == digest(pb_[name])["sha256"]:
            rows.append((name, "", "equal"))
        else:
            rows.append((name, "", "bytes differ" if same else "other kernels"))
    return rows


def _table_diff(name: str, a: pa.Table, b: pa.Table, strict: bool):
    if a.num_rows != b.num_rows:
        return [(name, "", f"rows differ: {a.num_rows} / {b.num_rows}")]
    rows = []
    for col in dict.fromkeys(a.column_names + b.column_names):
        if col not in a.column_names or col not in b.column_names:
            rows.append(
                (name, col, "only in " + ("the first" if col in a.column_names else "the second"))
            )
            continue
        x, y = (t.column(col).to_numpy(zero_copy_only=False) for t in (a, b))
        if str(a.column(col).type) != str(b.column(col).type):
            rows.append((name, col, f"types differ: {a.column(col).type} / {b.column(col).type}"))
        else:
            rows.append((name, col, *column_difference(name, col, x, y, strict)))
    return rows


FINE = ("equal", "within tolerance", "other kernels")


def _diff_record(row: tuple) -> dict:
    """A row of ``diff`` that differs, as a record of the JSON report."""
    artifact, column, what, *rest = row
    record = rest[0] if rest else {}
    return {
        "artifact": artifact,
        "column": column or None,
        "what": what,
        "class": record.get("class"),
        "a": record.get("a"),
        "b": record.get("b"),
        "tolerance": record.get("tolerance"),
        "row": record.get("row"),
        "cause": None,
    }


def _sibling_config(results: Path):
    """The config beside a results folder (``<project>/config.yaml``), or None."""
    path = results.parent / "config.yaml"
    return read_config(path) if path.is_file() else None


def _diff(results_a: Path, results_b: Path, strict: bool) -> Outcome:
    rows = diff(results_a, results_b, strict)
    bad = [r for r in rows if r[2] not in FINE]
    close: dict[str, list[str]] = {}
    for artifact, column, what, *_ in rows:
        if what == "within tolerance":
            close.setdefault(artifact, []).append(column)
    shown = sorted(
        [r[:3] for r in bad]
        + [(a, ", ".join(c for c in cols if c), "within tolerance") for a, cols in close.items()]
    )
    equal = sum(r[2] == "equal" for r in rows)
    kernels_differ = [r[0] for r in rows if r[2] == "other kernels"]
    ca, cb = _sibling_config(results_a), _sibling_config(results_b)
    keys = config_keys(ca, cb)
    differ = None if keys is None else bool(keys)
    lines = _config_line(differ, keys, "")
    a, b = platform_of(results_a), platform_of(results_b)
    lines.append(f"A: {results_a}" + (f" ({describe_platform(a)})" if a != b else ""))
    lines.append(f"B: {results_b}" + (f" ({describe_platform(b)})" if a != b else ""))
    counts = {
        "artifacts": len({r[0] for r in rows}),
        "equal": equal,
        "within_tolerance": sum(map(len, close.values())),
        "different": len(bad),
        "other_kernels": len(kernels_differ),
    }
    lines += textwrap.wrap(
        f"{counts['artifacts']} artifacts: {equal} columns or figures equal, "
        f"{counts['within_tolerance']} within tolerance, {len(bad)} different"
        + (
            f", {len(kernels_differ)} figures or budget-trained tables computed with other kernels"
            if kernels_differ
            else ""
        ),
        WIDTH,
    )
    if shown:
        lines += _table(shown, ("artifact", "column", "difference (A / B)"))
    return Outcome(
        command="diff",
        a=str(results_a),
        b=str(results_b),
        status=1 if bad else 0,
        lines=lines,
        differences=[_diff_record(r) for r in bad],
        counts=counts,
        notes=kernels_differ,
        config_keys=keys,
        configs_differ=differ,
    )


def _diff_any(a: Path, b: Path, config: Path, strict: bool) -> Outcome:
    """``diff`` of two results folders, a folder and a manifest (either side), or two manifests:
    a manifest is compared as ``compare`` compares it (``config``: the folder's config)."""
    for path in (a, b):
        if not path.exists():
            raise ManifestError(f"{path}: no such results folder or manifest")
    if a.is_dir() and b.is_dir():
        return _diff(a, b, strict)
    if a.is_dir() or b.is_dir():
        manifest, results = (b, a) if a.is_dir() else (a, b)
        outcome = _check(manifest, results, config, strict)
    else:
        outcome = _compared(load(a), load(b), strict, str(a), str(b))
    outcome.command, outcome.a, outcome.b = "diff", str(a), str(b)
    outcome.lines[:0] = [f"A: {a}", f"B: {b}"]
    return outcome


# ---- verify ------------------------------------------------------------------------------------


def copy_project(project: Path, dest: Path) -> Path:
    """Copy what a run needs (Snakefile, config, workflow, library) to ``dest``: a scratch project
    whose results, logs and metadata stay out of ``project``."""
    missing = [name for name in PROJECT_FILES if not (project / name).exists()]
    if missing:
        raise ManifestError(f"{project} is not an lvebm project: no {', '.join(missing)}")
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = project / name
        if src.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


def _verify(manifest: Path, project: Path, cores: str, strict: bool) -> Outcome:
    load(manifest)  # an unusable manifest stops before the run
    with tempfile.TemporaryDirectory(prefix="lvebm-verify-") as tmp:
        work = copy_project(project, Path(tmp))
        # the default profile would also build the report, which is not an artifact
        cmd = [
            sys.executable,
            "-m",
            "snakemake",
            "--workflow-profile",
            "none",
            "--cores",
            cores,
            "--quiet",
            "all",
        ]
        print(f"running the pipeline from scratch in {work} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, cwd=work, stdout=sys.stderr)
        if proc.returncode != 0:
            return Outcome(
                "verify",
                str(manifest),
                str(project),
                1,
                [f"the pipeline failed (exit {proc.returncode})"],
            )
        outcome = _check(manifest, work / "results", work / "config.yaml", strict)
        outcome.command = "verify"
        return outcome


def _help(prog: str) -> argparse.HelpFormatter:
    """argparse's help, at most ``WIDTH`` columns wide (narrower terminals narrower)."""
    return argparse.HelpFormatter(prog, width=min(WIDTH, shutil.get_terminal_size().columns))


def _parser() -> argparse.ArgumentParser:
    from lvebm import __version__

    parser = argparse.ArgumentParser(
        prog="lvebm-manifest",
        description=__doc__.splitlines()[0],
        epilog=EXIT_STATUS,
        formatter_class=_help,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"lvebm-manifest {__version__} (manifest format {VERSION})",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--strict", action="store_true", help="compare exact values (SHA-256), no tolerance"
    )
    common.add_argument(
        "--json",
        action="store_true",
        help=f"print one JSON document ({REPORT_FORMAT} version {REPORT_VERSION}) instead of text",
    )
    results = {
        "type": Path,
        "default": Path("results"),
        "help": "the run's results folder (default: results)",
    }
    config = {
        "type": Path,
        "default": Path("config.yaml"),
        "help": "the config the run used (default: config.yaml)",
    }
    w = sub.add_parser(
        "write",
        help="write the manifest of a finished run",
        epilog=EXIT_STATUS,
        formatter_class=_help,
    )
    w.add_argument("--results", **results)
    w.add_argument("--config", **config)
    w.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("reproducibility/manifest.json"),
        help="where to write it (default: reproducibility/manifest.json)",
    )
    c = sub.add_parser(
        "compare",
        parents=[common],
        help="compare a finished run with a manifest",
        epilog=EXIT_STATUS,
        formatter_class=_help,
    )
    c.add_argument("manifest", type=Path, help="the manifest to compare with")
    c.add_argument("--results", **results)
    c.add_argument("--config", **config)
    v = sub.add_parser(
        "verify",
        parents=[common],
        help="rerun the pipeline from scratch in a scratch copy, then compare",
        epilog=EXIT_STATUS,
        formatter_class=_help,
    )
    v.add_argument("manifest", type=Path, help="the manifest to compare with")
    v.add_argument(
        "--project", type=Path, default=Path("."), help="the lvebm checkout to run (default: .)"
    )
    v.add_argument("--cores", default="all", help="cores for snakemake (default: all)")
    d = sub.add_parser(
        "diff",
        parents=[common],
        help="compare two runs: two results folders (any names), or a folder and a manifest",
        epilog=EXIT_STATUS,
        formatter_class=_help,
    )
    d.add_argument("results_a", type=Path, help="side A: a results folder or a manifest")
    d.add_argument("results_b", type=Path, help="side B: a results folder or a manifest")
    d.add_argument(
        "--config",
        type=Path,
        default=Path("config.yaml"),
        help="the folder's config, when the other side is a manifest",
    )
    return parser


def _run(args: argparse.Namespace) -> Outcome:
    if args.command == "write":
        manifest = build(args.results, args.config)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        return Outcome(
            "write",
            str(args.results),
            str(args.output),
            0,
            [f"wrote {args.output}: {len(manifest['artifacts'])} artifacts"],
        )
    if args.command == "compare":
        return _check(args.manifest, args.results, args.config, args.strict)
    if args.command == "diff":
        return _diff_any(args.results_a, args.results_b, args.config, args.strict)
    return _verify(args.manifest, args.project.resolve(), args.cores, args.strict)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        outcome = _run(args)
    except ManifestError as e:
        print(f"lvebm-manifest: error: {e}", file=sys.stderr)
        return 2
    try:
        print(outcome.json() if getattr(args, "json", False) else outcome.text(), flush=True)
    except BrokenPipeError:
        # a reader that stopped early (| head): the rest goes nowhere, the status stands
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return outcome.status


if __name__ == "__main__":
    sys.exit(main())
