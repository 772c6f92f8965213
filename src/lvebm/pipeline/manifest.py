"""Reproducibility manifest of a pipeline run, a check that a run reproduces it, and a diff of runs.

    lvebm-manifest write   [--results results] [--config config.yaml] [-o MANIFEST]
    lvebm-manifest compare MANIFEST [--results results] [--config config.yaml] [--strict]
    lvebm-manifest verify  MANIFEST [--project .] [--cores all] [--strict]
    lvebm-manifest diff    RESULTS_A RESULTS_B [--strict]

A manifest records, for every artifact under ``results/``: for Parquet files the row count and,
per column, its Arrow type, the SHA-256 of its values' bytes and, for float columns, a summary
that a tolerance can be applied to: the minimum, maximum and largest magnitude of the finite
values, a hash of where the non-finite ones are, and ``PROJECTIONS`` sums of the values with
fixed pseudo-random signs. Iteration logs also get their length and last row per group, and step
counts their values. For PNG files it records the SHA-256 of the bytes and the pixel size. It
also records the SHA-256 of the config, the package versions and the platform the artifacts were
computed on: the jobs' own record of their kernels, ``results/platform.parquet`` (whether the
pins were on, NumPy's SIMD targets, each OpenBLAS's core type; ``lvebm.pipeline.numerics``).

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

Exit status: 0 reproduced (or no difference beyond tolerance), 1 differences, 2 unusable input (a
missing path, a manifest that is not JSON or not this tool's, an artifact that cannot be read).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from lvebm.pipeline.contracts import (
    PATH_SLACK,
    PLATFORM_ARTIFACT,
    ColumnClass,
    column_class,
    kernel_bound,
    path_groups,
)
from lvebm.pipeline.numerics import kernels

FORMAT, VERSION = "lvebm-manifest", 3
PROJECTIONS = 4
PACKAGES = ("numpy", "scipy", "pandas", "pyarrow", "matplotlib", "snakemake", "lvebm")
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
        sums = [float(np.dot(signs(values.size, k), clean)) for k in range(PROJECTIONS)]
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


def config_digest(config: Path) -> str:
    try:
        canonical = json.dumps(yaml.safe_load(config.read_text()), sort_keys=True)
    except OSError as e:
        raise ManifestError(f"config file {config}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ManifestError(f"config file {config} is not YAML ({e})".replace("\n", " ")) from None
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    if manifest.get("version") != VERSION or not isinstance(manifest.get("artifacts"), dict):
        raise ManifestError(
            f"{path} is a manifest of format version {manifest.get('version')!r}, this tool reads "
            f"version {VERSION}: write it again with lvebm-manifest write"
        )
    return manifest


def same_kernels(expected: dict, actual: dict) -> bool:
    """Whether two manifests' artifacts were computed with the same kernels (and pins)."""
    e, a = expected.get("platform") or {}, actual.get("platform") or {}
    return bool(e) and kernels(e) == kernels(a) and e.get("pins") == a.get("pins")


def cause(kind: ColumnClass | str, same: bool) -> str:
    """The class of a difference and its likely cause, for the report."""
    name = kind if isinstance(kind, str) else kind.name
    if same:
        return f"{name}: same kernels, so the code, config or packages changed"
    return f"{name}: different kernels (pins off, or a CPU they do not reach?)"


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


def _table(rows, header) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [
        fmt.format(*r).rstrip() for r in rows
    ]


def describe_platform(record: dict) -> str:
    if not record:
        return "unknown (no results/platform.parquet)"
    return (
        f"{record.get('machine', '?')}, pins {record.get('pins', '?')}, {kernels(record)}; "
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


def _check(manifest: Path, results: Path, config: Path, strict: bool) -> int:
    return _compared(load(manifest), build(results, config), strict)


def _compared(expected: dict, actual: dict, strict: bool) -> int:
    """Print the comparison of two manifests; 1 if they differ, else 0."""
    rows = compare(expected, actual, strict)
    print(report(rows, expected, actual, figure_notes(expected, actual, strict)))
    return 1 if rows else 0


# ---- diff of two runs ---------------------------------------------------------------------------


def _plain(value) -> str:
    """A table value as plain text: 0.25, 3, 'lbfgs', True (not numpy's reprs)."""
    value = value.item() if isinstance(value, np.generic) else value
    return repr(value) if isinstance(value, float | str) else str(value)


def column_difference(artifact: str, column: str, a: np.ndarray, b: np.ndarray, strict: bool):
    """'equal', 'within tolerance' or the largest difference of two columns of equal length,
    by the column's class (``--strict``: equal or not)."""
    if a.dtype != b.dtype:
        return f"types differ: {a.dtype} / {b.dtype}"
    kind = column_class(artifact, column, "double" if a.dtype.kind == "f" else str(a.dtype))
    if kind.name == "path" and a.dtype.kind in "iu" and not strict:  # step counts
        if all(within_slack(int(x), int(y)) for x, y in zip(a, b, strict=True)):
            return "equal" if np.array_equal(a, b) else "within tolerance"
    if a.dtype.kind != "f" or strict:
        if a.dtype.kind == "f":
            same = np.array_equal(a, b, equal_nan=True)
        else:
            same = bool(np.all(a == b))
        if same:
            return "equal"
        row = int(np.flatnonzero(a != b)[0])
        return f"differs first at row {row}: {_plain(a[row])} / {_plain(b[row])} ({kind.name})"
    if np.array_equal(a, b, equal_nan=True):
        return "equal"
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(np.isfinite(a), np.isfinite(b)) or not np.array_equal(
        a[~finite], b[~finite], equal_nan=True
    ):
        row = int(np.flatnonzero(~np.isfinite(a) ^ ~np.isfinite(b) | ((a != b) & ~finite))[0])
        return f"non-finite values differ first at row {row}: {_plain(a[row])} / {_plain(b[row])}"
    with np.errstate(all="ignore"):
        gap = np.where(finite, np.abs(a - b), 0.0)
    row = int(np.argmax(gap))
    scale = float(max(np.abs(a[finite]).max(initial=0.0), np.abs(b[finite]).max(initial=0.0)))
    if gap[row] <= kind.tolerance(scale):
        return "within tolerance"
    return (
        f"largest difference {gap[row]:.3g} at row {row}: {_plain(a[row])} / {_plain(b[row])} "
        f"({kind.name}, tolerance {kind.tolerance(scale):.3g})"
    )


def diff(results_a: Path, results_b: Path, strict: bool = False) -> list[tuple[str, str, str]]:
    """Rows (artifact, column or '', what) comparing two runs' results directly, by the columns'
    classes: iteration logs by their groups, figures by their bytes (across different kernels a
    difference is 'other kernels', not counted), the platform records not at all."""
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
            rows.append((name, col, column_difference(name, col, x, y, strict)))
    return rows


def _diff(results_a: Path, results_b: Path, strict: bool) -> int:
    rows = diff(results_a, results_b, strict)
    fine = ("equal", "within tolerance", "other kernels")
    bad = [r for r in rows if r[2] not in fine]
    close: dict[str, list[str]] = {}
    for artifact, column, what in rows:
        if what == "within tolerance":
            close.setdefault(artifact, []).append(column)
    shown = sorted(
        bad
        + [(a, ", ".join(c for c in cols if c), "within tolerance") for a, cols in close.items()]
    )
    equal = sum(r[2] == "equal" for r in rows)
    kernels_differ = [r[0] for r in rows if r[2] == "other kernels"]
    a, b = platform_of(results_a), platform_of(results_b)
    print(f"A: {results_a}" + (f" ({describe_platform(a)})" if a != b else ""))
    print(f"B: {results_b}" + (f" ({describe_platform(b)})" if a != b else ""))
    print(
        f"{len({r[0] for r in rows})} artifacts: {equal} columns or figures equal, "
        f"{sum(map(len, close.values()))} within tolerance, {len(bad)} different"
        + (
            f", {len(kernels_differ)} figures or budget-trained tables computed with other kernels"
            if kernels_differ
            else ""
        )
    )
    if shown:
        print("\n".join(_table(shown, ("artifact", "column", "difference (A / B)"))))
    return 1 if bad else 0


def _diff_any(a: Path, b: Path, config: Path, strict: bool) -> int:
    """``diff`` of two results folders, a folder and a manifest (either side), or two manifests:
    a manifest is compared as ``compare`` compares it (``config``: the folder's config)."""
    for path in (a, b):
        if not path.exists():
            raise ManifestError(f"{path}: no such results folder or manifest")
    if a.is_dir() and b.is_dir():
        return _diff(a, b, strict)
    if a.is_dir() or b.is_dir():
        manifest, results = (b, a) if a.is_dir() else (a, b)
        print(f"A: {a}\nB: {b}")
        return _check(manifest, results, config, strict)
    expected, actual = load(a), load(b)
    print(f"A: {a}\nB: {b}")
    return _compared(expected, actual, strict)


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


def _verify(manifest: Path, project: Path, cores: str, strict: bool) -> int:
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
        print(f"running the pipeline from scratch in {work} ...", flush=True)
        proc = subprocess.run(cmd, cwd=work)
        if proc.returncode != 0:
            print(f"the pipeline failed (exit {proc.returncode})")
            return 1
        return _check(manifest, work / "results", work / "config.yaml", strict)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lvebm-manifest", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    strict = argparse.ArgumentParser(add_help=False)
    strict.add_argument(
        "--strict", action="store_true", help="compare exact values (SHA-256), no tolerance"
    )
    w = sub.add_parser("write", help="write the manifest of a finished run")
    w.add_argument("--results", type=Path, default=Path("results"))
    w.add_argument("--config", type=Path, default=Path("config.yaml"))
    w.add_argument("-o", "--output", type=Path, default=Path("reproducibility/manifest.json"))
    c = sub.add_parser("compare", parents=[strict], help="compare a finished run with a manifest")
    c.add_argument("manifest", type=Path)
    c.add_argument("--results", type=Path, default=Path("results"))
    c.add_argument("--config", type=Path, default=Path("config.yaml"))
    v = sub.add_parser("verify", parents=[strict], help="rerun the pipeline from scratch, compare")
    v.add_argument("manifest", type=Path)
    v.add_argument("--project", type=Path, default=Path("."))
    v.add_argument("--cores", default="all")
    d = sub.add_parser(
        "diff",
        parents=[strict],
        help="compare two runs: two results folders (any names), or a folder and a manifest",
    )
    d.add_argument("results_a", type=Path, help="side A: a results folder or a manifest")
    d.add_argument("results_b", type=Path, help="side B: a results folder or a manifest")
    d.add_argument(
        "--config",
        type=Path,
        default=Path("config.yaml"),
        help="the folder's config, when the other side is a manifest",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "write":
            manifest = build(args.results, args.config)
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
            print(f"wrote {args.output}: {len(manifest['artifacts'])} artifacts")
            return 0
        if args.command == "compare":
            return _check(args.manifest, args.results, args.config, args.strict)
        if args.command == "diff":
            return _diff_any(args.results_a, args.results_b, args.config, args.strict)
        return _verify(args.manifest, args.project.resolve(), args.cores, args.strict)
    except ManifestError as e:
        print(f"lvebm-manifest: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
