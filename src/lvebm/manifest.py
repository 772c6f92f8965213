"""Reproducibility manifest of a pipeline run, a check that a run reproduces it, and a diff of runs.

    lvebm-manifest write   [--results results] [--config config.yaml] [-o MANIFEST]
    lvebm-manifest compare MANIFEST [--results results] [--config config.yaml] [--strict]
    lvebm-manifest verify  MANIFEST [--project .] [--cores all] [--strict]
    lvebm-manifest diff    RESULTS_A RESULTS_B [--strict]

A manifest records, for every artifact under ``results/``: for Parquet files the row count and,
per column, its Arrow type, the SHA-256 of its values' bytes and, for float columns, a summary
that a tolerance can be applied to: the minimum, maximum and largest magnitude of the finite
values, a hash of where the non-finite ones are, and ``PROJECTIONS`` sums of the values with
fixed pseudo-random signs. For PNG files it records the SHA-256 of the bytes and the pixel size.
It also records the SHA-256 of the config (canonical JSON of the YAML) and the package versions.

Two float columns agree when every value is within ``atol + rtol * scale`` of the other's, where
``scale`` is the column's largest finite magnitude and (rtol, atol) come from ``TOLERANCES``.
Against a manifest that is checked through the summary: the minimum and maximum within the
tolerance, every signed sum within ``rows`` times it, the non-finite values at the same places.
So last-bit noise (about 1e-16 relative, also in differences of nearly equal numbers such as
``error = F - F_exact``) passes, and a change of 1e-6 in a decoder weight, which moves every
value downstream, fails. ``--strict`` compares the SHA-256 of every column and figure instead.
``diff`` reads both runs' values and says per column: equal, within tolerance, or the largest
difference and its row.

Exit status: 0 reproduced (or no difference beyond tolerance), 1 differences, 2 unusable input (a
missing path, a manifest that is not JSON or not this tool's, an artifact that cannot be read).
"""

from __future__ import annotations

import argparse
import fnmatch
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

FORMAT, VERSION = "lvebm-manifest", 2
PROJECTIONS = 4
PACKAGES = ("numpy", "scipy", "pandas", "pyarrow", "matplotlib", "snakemake", "lvebm")
PROJECT_FILES = ("Snakefile", "config.yaml", "environment.yml", "workflow", "profiles", "src")
# (artifact pattern, column pattern, rtol, atol); the first match applies. Every column of the
# pipeline is double precision and of order one, so 1e-9 of its scale (at least 1e-9) is ten
# million times last-bit noise and a thousandth of the smallest change the issue asks to catch.
TOLERANCES: tuple[tuple[str, str, float, float], ...] = (("*", "*", 1.0e-9, 1.0e-9),)


class ManifestError(Exception):
    """An input the command cannot use: exit status 2, one line."""


def tolerance(artifact: str, column: str, scale: float) -> float:
    """The largest difference allowed between two values of ``column`` of ``artifact``."""
    for art, col, rtol, atol in TOLERANCES:
        if fnmatch.fnmatchcase(artifact, art) and fnmatch.fnmatchcase(column, col):
            return atol + rtol * scale
    raise AssertionError(f"no tolerance for {artifact}:{column}")


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


def digest(path: Path) -> dict:
    """The manifest entry of one artifact."""
    if path.suffix == ".parquet":
        table = _read_table(path)
        return {
            "kind": "parquet",
            "rows": table.num_rows,
            "columns": {name: _column_digest(table.column(name)) for name in table.column_names},
        }
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
    """{results/...: path} of the artifacts under ``results`` (hidden and report files left out)."""
    if not results.is_dir():
        raise ManifestError(f"no results directory at {results}: run the pipeline first")
    return {
        path.relative_to(results.parent).as_posix(): path
        for path in sorted(results.rglob("*"))
        if path.is_file() and not path.name.startswith(".") and path.suffix in (".parquet", ".png")
    }


def build(results: Path, config: Path) -> dict:
    """The manifest of every artifact under ``results``."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "config_sha256": config_digest(config),
        "versions": versions(),
        "artifacts": {name: digest(path) for name, path in artifact_paths(results).items()},
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


def compare(expected: dict, actual: dict, strict: bool = False) -> list[tuple[str, str, str, str]]:
    """Rows (artifact, what, expected, actual) for every difference; empty when reproduced."""
    rows = []
    if expected["config_sha256"] != actual["config_sha256"]:
        rows.append(
            ("config", "sha256", expected["config_sha256"][:12], actual["config_sha256"][:12])
        )
    exp, act = expected["artifacts"], actual["artifacts"]
    for name in sorted(set(exp) | set(act)):
        if name not in act:
            rows.append((name, "artifact", "present", "missing"))
        elif name not in exp:
            rows.append((name, "artifact", "absent", "new"))
        else:
            rows.extend((name, *diff) for diff in _entry_diffs(name, exp[name], act[name], strict))
    return rows


def _entry_diffs(name: str, e: dict, a: dict, strict: bool):
    if e["kind"] != "parquet" or a["kind"] != "parquet":
        for key in ("kind", "sha256", "size"):
            if e.get(key) != a.get(key):
                yield key, str(e.get(key))[:16], str(a.get(key))[:16]
                return
        return
    if e["rows"] != a["rows"]:
        yield "rows", str(e["rows"]), str(a["rows"])
    for col in sorted(set(e["columns"]) | set(a["columns"])):
        ce, ca = e["columns"].get(col), a["columns"].get(col)
        if ce is None or ca is None:
            yield f"column {col}", "present" if ce else "absent", "present" if ca else "absent"
        elif ce["dtype"] != ca["dtype"]:
            yield f"column {col} type", ce["dtype"], ca["dtype"]
        elif ce["sha256"] != ca["sha256"] and (
            strict or "sums" not in ce or not _within(name, col, ce, ca, e["rows"])
        ):
            yield f"column {col}", _stats(ce), _stats(ca)


def _within(name: str, col: str, e: dict, a: dict, rows: int) -> bool:
    """Whether a float column's summary is what a run within tolerance can give."""
    tol = tolerance(name, col, max(e["scale"], a["scale"]))
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
        fmt.format(*r) for r in rows
    ]


def report(rows, expected: dict, actual: dict) -> str:
    lines = []
    if expected["versions"] != actual["versions"]:
        changed = {
            k: (expected["versions"].get(k), v)
            for k, v in actual["versions"].items()
            if expected["versions"].get(k) != v
        }
        lines.append(f"note: package versions differ from the manifest's: {changed}")
    if not rows:
        n = len(actual["artifacts"])
        lines.append(f"reproduced: {n} artifacts match the manifest")
        return "\n".join(lines)
    lines.append(f"NOT reproduced: {len(rows)} difference(s)")
    lines += _table(rows, ("artifact", "what differs", "manifest", "this run"))
    return "\n".join(lines)


def _check(manifest: Path, results: Path, config: Path, strict: bool) -> int:
    expected, actual = load(manifest), build(results, config)
    rows = compare(expected, actual, strict)
    print(report(rows, expected, actual))
    return 1 if rows else 0


# ---- diff of two runs ---------------------------------------------------------------------------


def column_difference(artifact: str, column: str, a: np.ndarray, b: np.ndarray, strict: bool):
    """'equal', 'within tolerance' or the largest difference of two columns of equal length."""
    if a.dtype != b.dtype:
        return f"types differ: {a.dtype} / {b.dtype}"
    if a.dtype.kind != "f" or strict:
        if a.dtype.kind == "f":
            same = np.array_equal(a, b, equal_nan=True)
        else:
            same = bool(np.all(a == b))
        if same:
            return "equal"
        row = int(np.flatnonzero(a != b)[0])
        return f"differs first at row {row}: {a[row]!r} / {b[row]!r}"
    if np.array_equal(a, b, equal_nan=True):
        return "equal"
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(np.isfinite(a), np.isfinite(b)) or not np.array_equal(
        a[~finite], b[~finite], equal_nan=True
    ):
        row = int(np.flatnonzero(~np.isfinite(a) ^ ~np.isfinite(b) | ((a != b) & ~finite))[0])
        return f"non-finite values differ first at row {row}: {a[row]!r} / {b[row]!r}"
    with np.errstate(all="ignore"):
        gap = np.where(finite, np.abs(a - b), 0.0)
    row = int(np.argmax(gap))
    scale = float(max(np.abs(a[finite]).max(initial=0.0), np.abs(b[finite]).max(initial=0.0)))
    if gap[row] <= tolerance(artifact, column, scale):
        return "within tolerance"
    return f"largest difference {gap[row]:.3g} at row {row}: {a[row]!r} / {b[row]!r}"


def diff(results_a: Path, results_b: Path, strict: bool = False) -> list[tuple[str, str, str]]:
    """Rows (artifact, column or '', what) comparing two runs' results directly."""
    pa_, pb_ = artifact_paths(results_a), artifact_paths(results_b)
    rows = []
    for name in sorted(set(pa_) | set(pb_)):
        if name not in pb_ or name not in pa_:
            rows.append((name, "", "only in " + str(results_a if name in pa_ else results_b)))
        elif name.endswith(".parquet"):
            rows.extend(_table_diff(name, _read_table(pa_[name]), _read_table(pb_[name]), strict))
        else:
            same = digest(pa_[name])["sha256"] == digest(pb_[name])["sha256"]
            rows.append((name, "", "equal" if same else "bytes differ"))
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
    bad = [r for r in rows if r[2] not in ("equal", "within tolerance")]
    close: dict[str, list[str]] = {}
    for artifact, column, what in rows:
        if what == "within tolerance":
            close.setdefault(artifact, []).append(column)
    shown = sorted(bad + [(a, ", ".join(cols), "within tolerance") for a, cols in close.items()])
    equal = sum(r[2] == "equal" for r in rows)
    artifacts = len({r[0] for r in rows})
    print(
        f"{artifacts} artifacts: {equal} columns or figures equal, "
        f"{sum(map(len, close.values()))} within tolerance, {len(bad)} different"
    )
    if shown:
        print("\n".join(_table(shown, ("artifact", "column", "difference"))))
    return 1 if bad else 0


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
        cmd = [sys.executable, "-m", "snakemake", "--workflow-profile", "none", "--cores", cores,
               "--quiet", "all"]  # fmt: skip
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
    d = sub.add_parser("diff", parents=[strict], help="compare two runs' results directly")
    d.add_argument("results_a", type=Path)
    d.add_argument("results_b", type=Path)
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
            return _diff(args.results_a, args.results_b, args.strict)
        return _verify(args.manifest, args.project.resolve(), args.cores, args.strict)
    except ManifestError as e:
        print(f"lvebm-manifest: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
