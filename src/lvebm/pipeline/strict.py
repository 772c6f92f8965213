"""Strict mode (config ``strict``): every artifact a job writes is checked against a manifest
as the job ends, so that a run stops at the first job whose artifact differs, naming it.

Each artifact output of a rule is wrapped in Snakemake's ``ensure(path, sha256=...)`` whose
checksum is a ``ManifestChecksum``: called with the job's wildcards once its outputs exist, it
returns the SHA-256 the manifest records for that artifact (``lvebm.pipeline.manifest``: a
Parquet file's or a figure's bytes). Where the bytes differ it raises ``StrictMismatch`` itself,
with the message Snakemake prints: the artifact, both checksums, and what ``lvebm-manifest
compare`` would say of it (its class and whether that class's tolerance accepts the
difference). An artifact the manifest does not list (a sweep point's, a temporary shard's)
is not checked. Light at import: JSON only; the comparison's NumPy and Arrow load on a mismatch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from lvebm.pipeline.checksums import file_sha256
from lvebm.pipeline.config import ConfigError


class StrictModeError(ConfigError):
    """A strict-mode setting that cannot be used (a missing or unreadable manifest): the run
    stops before any job, naming the key (``lvebm.pipeline.config.stop_on_error``)."""


class StrictMismatch(Exception):
    """An artifact whose bytes differ from the manifest's (the job that wrote it fails)."""


def expected_checksums(manifest: Path) -> dict[str, str]:
    """{results/...: sha256} of every artifact the manifest records with the SHA-256 of its
    bytes (format 5; the figures only in older manifests)."""
    try:
        document = json.loads(Path(manifest).read_text())
    except FileNotFoundError:
        raise StrictModeError(
            f"strict.manifest: no manifest at {manifest} (write one with `lvebm-manifest write "
            "-o FILE` from a finished run, or set strict.enabled: false)"
        ) from None
    except (OSError, ValueError) as e:
        raise StrictModeError(f"strict.manifest: {manifest} cannot be read as JSON ({e})") from None
    artifacts = document.get("artifacts") if isinstance(document, dict) else None
    if document.get("format") != "lvebm-manifest" or not isinstance(artifacts, dict):
        raise StrictModeError(
            f"strict.manifest: {manifest} is not an lvebm manifest (lvebm-manifest write)"
        )
    return {
        name: entry["sha256"]
        for name, entry in artifacts.items()
        if isinstance(entry, dict) and "sha256" in entry
    }


class ManifestChecksum:
    """The ``sha256`` of ``ensure`` for one output pattern: the manifest's checksum of the
    artifact at the job's wildcards, after checking the file written against it."""

    def __init__(self, pattern: str, expected: Mapping[str, str], manifest: Path):
        self.pattern = pattern
        self.expected = expected
        self.manifest = Path(manifest)

    def __call__(self, wildcards) -> str:
        path = self.pattern.format(**dict(wildcards.items()))
        actual = file_sha256(Path(path))
        expected = self.expected.get(path)
        if expected is None or expected == actual:
            return actual if expected is None else expected  # not listed: not checked
        raise StrictMismatch(mismatch_message(path, expected, actual, self.manifest))


def mismatch_message(path: str, expected: str, actual: str, manifest: Path) -> str:
    """What strict mode says of an artifact that differs: both checksums and its class's
    verdict (``tolerance_verdict``)."""
    return (
        f"strict mode: {path} differs from the manifest {manifest}: its sha256 is {actual}, "
        f"the manifest's {expected}. {tolerance_verdict(path, manifest)} Snakemake removes "
        "the failed job's outputs; with strict.enabled false, `lvebm-manifest compare "
        f"{manifest}` lists every difference of the finished run."
    )


def tolerance_verdict(path: str, manifest: Path) -> str:
    """Whether ``lvebm-manifest compare`` (without --strict) would accept the artifact, by the
    class of each differing column (``lvebm.pipeline.contracts.column_class``)."""
    from lvebm.pipeline import manifest as manifests  # NumPy and Arrow: only on a mismatch

    entry = manifests.load(Path(manifest))["artifacts"][path]
    if entry["kind"] != "parquet":
        return (
            "No class tolerates it: a figure's bytes are compared exactly where the kernels "
            "are the same (class figure)."
        )
    actual = manifests.digest(Path(path), path)
    differing = [
        f"{col} ({manifests.column_class(path, col, entry['columns'][col]['dtype']).name})"
        for col in entry["columns"]
        if col in actual["columns"]
        and actual["columns"][col]["sha256"] != entry["columns"][col]["sha256"]
    ]
    beyond = manifests.differences(path, entry, actual)
    if not beyond and differing:
        return (
            f"Its columns {', '.join(differing)} differ within their classes' tolerances: "
            "lvebm-manifest compare without --strict would accept it."
        )
    if not beyond:
        return "Its values are equal column by column: only the file's encoding differs."
    what = "; ".join(f"{row[0]}: {row[1]} -> {row[2]} ({row[3].split(':')[0]})" for row in beyond)
    return f"No class tolerates it: {what}."


def output_wrapper(
    settings: Mapping, manifest: Path, storage_provider: str | None = None
) -> Callable[[str], str]:
    """What the rules wrap each artifact output pattern in: nothing with strict mode off (the
    pattern as it is), ``ensure(pattern, sha256=ManifestChecksum(...))`` with it on
    (``settings``: the config's ``strict``; ``manifest``: ``strict.manifest`` resolved). Strict
    mode reads each artifact at its path below ``results/``: with a default storage provider
    (``storage_provider``) the artifacts are objects in the storage, and it stops, saying so."""
    if not settings["enabled"]:
        return str
    if storage_provider is not None:
        raise StrictModeError(
            f"strict.enabled: strict mode reads each artifact below results/, and with the "
            f"default storage provider {storage_provider} they are in the storage: run without "
            "it and compare the fetched results (lvebm-manifest compare MANIFEST --results DIR)"
        )
    from snakemake.io import ensure

    expected = expected_checksums(manifest)

    def strict_output(pattern: str) -> str:
        return ensure(pattern, sha256=ManifestChecksum(pattern, expected, manifest))

    return strict_output
