"""The checksum each artifact carries beside it (``.NAME.sha256``: its SHA-256, size and
modification time, recorded once the file is complete) and the check of a file against it.
Free of NumPy and Arrow: the workflow checks every artifact this way before any job, in the
process that builds the job graph (``lvebm.pipeline.jobgraph.check_artifacts``), which then
stays light; ``lvebm.pipeline.io`` writes the checksums and re-exports these names."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

REMEDY = "delete it to have the pipeline write it again (and what depends on it)"


class ArtifactError(ValueError):
    """An artifact that is not what the rule that wrote it left: changed, unreadable, or with
    columns other than its contract."""


def checksum_path(path: str | os.PathLike[str]) -> Path:
    """Where the checksum of ``path`` is recorded: ``.NAME.sha256`` beside it."""
    path = Path(path)
    return path.parent / f".{path.name}.sha256"


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksum(path: str | os.PathLike[str], trust_unchanged_stat: bool = False) -> None:
    """Raise ArtifactError unless ``path`` is the file whose checksum was recorded when it was
    written. With ``trust_unchanged_stat``, a file whose size and modification time are the
    recorded ones is not hashed again (the check before a run; jobs hash what they read)."""
    path, recorded = Path(path), checksum_path(path)
    try:
        entry = json.loads(recorded.read_text())
        expected, size, mtime = entry["sha256"], entry["size"], entry["mtime_ns"]
    except FileNotFoundError:
        raise ArtifactError(
            f"{path} has no checksum ({recorded.name} beside it is missing), so it was not "
            f"written by the pipeline's rule: {REMEDY}"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ArtifactError(
            f"{path}: its checksum file {recorded} is unreadable ({e}): {REMEDY}"
        ) from None
    stat = os.stat(path)
    if trust_unchanged_stat and (stat.st_size, stat.st_mtime_ns) == (size, mtime):
        return
    if stat.st_size != size or file_sha256(path) != expected:
        raise ArtifactError(
            f"{path} changed after the rule that wrote it finished (its SHA-256 is not the one "
            f"recorded then): {REMEDY}, or put the original back"
        )
