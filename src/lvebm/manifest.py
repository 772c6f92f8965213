"""Reproducibility manifest of a pipeline run, and a check that a fresh run reproduces it.

    lvebm-manifest write [--results results] [--config config.yaml] [-o MANIFEST]
    lvebm-manifest compare MANIFEST [--results results] [--config config.yaml]
    lvebm-manifest verify  MANIFEST [--project .] [--cores all]

A manifest records, for every artifact under ``results/``: for Parquet files the row count and,
per column, a SHA-256 of the decoded values (floats rounded to ``FLOAT_DIGITS`` significant digits,
so values agreeing to about 5e-10 relative hash alike) with the column's min, max and sum; for PNG
files the SHA-256 of the bytes and the pixel size. It also records the SHA-256 of the config
(canonical JSON of the YAML, comments ignored) and the versions of Python and the packages.
``verify`` copies the project to a scratch directory, runs the pipeline from scratch there and
compares; it prints a table of what differs and exits 1 on any difference.
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
import pyarrow.parquet as pq
import yaml

FLOAT_DIGITS = 9
PACKAGES = ("numpy", "scipy", "pandas", "pyarrow", "matplotlib", "snakemake", "lvebm")
PROJECT_FILES = ("Snakefile", "config.yaml", "environment.yml", "workflow", "profiles", "src")


def round_significant(values: np.ndarray, digits: int = FLOAT_DIGITS) -> np.ndarray:
    """Round floats to ``digits`` significant digits (zeros, inf and NaN unchanged)."""
    x = np.asarray(values, dtype=np.float64)
    out = x.copy()
    ok = np.isfinite(x) & (x != 0)
    magnitude = np.floor(np.log10(np.abs(x[ok])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out[ok] = np.round(x[ok] * scale) / scale
    return out + 0.0  # -0.0 -> 0.0


def _column_digest(column) -> dict:
    values = column.to_numpy(zero_copy_only=False)
    entry: dict = {"dtype": str(column.type)}
    if values.dtype.kind == "f":
        rounded = round_significant(values)
        entry["sha256"] = hashlib.sha256(rounded.tobytes()).hexdigest()
        finite = values[np.isfinite(values)]
        if finite.size:
            entry["min"], entry["max"] = float(finite.min()), float(finite.max())
            entry["sum"] = float(np.sum(finite))
        entry["nan"] = int(np.isnan(values).sum())
    elif values.dtype.kind in "biu":
        entry["sha256"] = hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()
    else:
        joined = "\0".join(map(str, values.tolist())).encode()
        entry["sha256"] = hashlib.sha256(joined).hexdigest()
    return entry


def digest(path: Path) -> dict:
    """The manifest entry of one artifact."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return {
            "kind": "parquet",
            "rows": table.num_rows,
            "columns": {name: _column_digest(table.column(name)) for name in table.column_names},
        }
    data = path.read_bytes()
    entry = {"kind": path.suffix.lstrip("."), "sha256": hashlib.sha256(data).hexdigest()}
    if path.suffix == ".png":
        entry["size"] = [int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")]
    return entry


def config_digest(config: Path) -> str:
    canonical = json.dumps(yaml.safe_load(config.read_text()), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def versions() -> dict:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def build(results: Path, config: Path) -> dict:
    """The manifest of every artifact under ``results`` (hidden and report files excluded)."""
    artifacts = {}
    for path in sorted(results.rglob("*")):
        rel = path.relative_to(results.parent).as_posix()
        if path.is_file() and not path.name.startswith(".") and path.suffix in (".parquet", ".png"):
            artifacts[rel] = digest(path)
    return {
        "float_digits": FLOAT_DIGITS,
        "config_sha256": config_digest(config),
        "versions": versions(),
        "artifacts": artifacts,
    }


def compare(expected: dict, actual: dict) -> list[tuple[str, str, str, str]]:
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
            rows.extend((name, *diff) for diff in _entry_diffs(exp[name], act[name]))
    return rows


def _entry_diffs(e: dict, a: dict):
    if e["kind"] != "parquet" or a["kind"] != "parquet":
        for key in ("sha256", "size"):
            if e.get(key) != a.get(key):
                yield key, str(e.get(key))[:16], str(a.get(key))[:16]
        return
    if e["rows"] != a["rows"]:
        yield "rows", str(e["rows"]), str(a["rows"])
    for col in sorted(set(e["columns"]) | set(a["columns"])):
        ce, ca = e["columns"].get(col), a["columns"].get(col)
        if ce is None or ca is None:
            yield f"column {col}", "present" if ce else "absent", "present" if ca else "absent"
        elif ce["sha256"] != ca["sha256"]:
            span = {k: ce.get(k) for k in ("min", "max", "sum")}
            got = {k: ca.get(k) for k in ("min", "max", "sum")}
            yield f"column {col}", _stats(span), _stats(got)


def _stats(s: dict) -> str:
    if s.get("sum") is None:
        return "values differ"
    return f"min {s['min']:.6g} max {s['max']:.6g} sum {s['sum']:.10g}"


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
    header = ("artifact", "what differs", "manifest", "this run")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines += [f"NOT reproduced: {len(rows)} difference(s)", fmt.format(*header)]
    lines += [fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in rows]
    return "\n".join(lines)


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _check(manifest: Path, results: Path, config: Path) -> int:
    expected, actual = _load(manifest), build(results, config)
    rows = compare(expected, actual)
    print(report(rows, expected, actual))
    return 1 if rows else 0


def copy_project(project: Path, dest: Path) -> Path:
    """Copy what a run needs (Snakefile, config, workflow, library) to ``dest``: a scratch project
    whose results, logs and metadata stay out of ``project``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = project / name
        if src.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


def _verify(manifest: Path, project: Path, cores: str) -> int:
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
        return _check(manifest, work / "results", work / "config.yaml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lvebm-manifest", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write the manifest of a finished run")
    w.add_argument("--results", type=Path, default=Path("results"))
    w.add_argument("--config", type=Path, default=Path("config.yaml"))
    w.add_argument("-o", "--output", type=Path, default=Path("reproducibility/manifest.json"))
    c = sub.add_parser("compare", help="compare a finished run with a manifest")
    c.add_argument("manifest", type=Path)
    c.add_argument("--results", type=Path, default=Path("results"))
    c.add_argument("--config", type=Path, default=Path("config.yaml"))
    v = sub.add_parser("verify", help="rerun the pipeline from scratch and compare")
    v.add_argument("manifest", type=Path)
    v.add_argument("--project", type=Path, default=Path("."))
    v.add_argument("--cores", default="all")
    args = parser.parse_args(argv)
    if args.command == "write":
        if not args.results.is_dir():
            parser.error(f"no results directory at {args.results}: run the pipeline first")
        manifest = build(args.results, args.config)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        print(f"wrote {args.output}: {len(manifest['artifacts'])} artifacts")
        return 0
    if not args.manifest.is_file():
        parser.error(f"no manifest at {args.manifest}")
    if args.command == "compare":
        return _check(args.manifest, args.results, args.config)
    return _verify(args.manifest, args.project.resolve(), args.cores)


if __name__ == "__main__":
    sys.exit(main())
