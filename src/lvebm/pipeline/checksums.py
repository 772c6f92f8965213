"""The checksum each artifact carries beside it (``.NAME.sha256``: its SHA-256, size and
modification time, recorded once the file is complete, and for a Parquet file its columns and
types) and the check of a file against it and against its contract.
Free of NumPy and Arrow: the workflow checks every artifact this way before any job, in the
process that builds the job graph (``lvebm.pipeline.jobgraph.check_artifacts``), which then
stays light (a file whose checksum holds has the columns recorded beside it: no Parquet file is
opened); ``lvebm.pipeline.io`` writes the checksums and re-exports these names."""

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


def verify_checksum(
    path: str | os.PathLike[str],
    trust_unchanged_stat: bool = False,
    verified: VerifiedFiles | None = None,
) -> dict:
    """Raise ArtifactError unless ``path`` is the file whose checksum was recorded when it was
    written; return the record. With ``trust_unchanged_stat``, a file whose size and modification
    time are the recorded ones, or those ``verified`` holds for it and this checksum, is not
    hashed again (the check before a run; jobs hash what they read); a file hashed is added to
    ``verified``."""
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
    now = [stat.st_size, stat.st_mtime_ns, expected]
    if trust_unchanged_stat and (
        now[:2] == [size, mtime] or (verified is not None and verified.get(path) == now)
    ):
        return entry
    if stat.st_size != size or file_sha256(path) != expected:
        raise ArtifactError(
            f"{path} changed after the rule that wrote it finished (its SHA-256 is not the one "
            f"recorded then): {REMEDY}, or put the original back"
        )
    if verified is not None:
        verified.add(path, now)
    return entry


class VerifiedFiles:
    """The size, modification time and checksum of each artifact whose SHA-256 the check before
    a run computed, kept in a JSON file between runs. Snakemake touches every output after its
    job (its modification time is then later than the one recorded beside it): without this,
    every check before a run would hash every artifact again.

    Only this run's files are kept; a file that cannot be read or written (a read-only working
    directory) only means the hashes are computed again."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self._before = json.loads(self.path.read_text())
            if not isinstance(self._before, dict):
                self._before = {}
        except (OSError, ValueError):
            self._before = {}
        self._now: dict[str, list] = {}

    def get(self, path: str | os.PathLike[str]) -> list | None:
        value = self._before.get(os.fspath(path))
        if value is not None:
            self._now[os.fspath(path)] = value
        return value

    def add(self, path: str | os.PathLike[str], stat: list) -> None:
        self._now[os.fspath(path)] = stat

    def save(self) -> None:
        if self._now != self._before:
            keep_json(self.path, self._now)


def keep_json(path: str | os.PathLike[str], data) -> None:
    """Write a cache file atomically (a temporary file renamed onto ``path``); a folder that
    cannot be written (a read-only working directory) only means the cache is not kept."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)
    except OSError:
        pass


def check_columns(path: str | os.PathLike[str], found: list[tuple[str, str]]) -> None:
    """Raise ArtifactError unless ``found``, the (name, Arrow type) of each column of the Parquet
    file ``path`` in order, are its contract's columns and types."""
    from lvebm.pipeline.contracts import contract

    expected = contract(path)
    if expected is None:
        raise ArtifactError(
            f"{path} is no artifact of the pipeline (no contract in lvebm.pipeline.contracts)"
        )
    found = dict(found)
    more = expected.pop("...", None)  # an open contract: these types after the named columns
    if more is not None:
        extra = list(found.items())[len(expected) :]
        expected.update((name, kind) for name, kind in extra if kind in more.split("|"))
    if list(found.items()) != list(expected.items()):
        wrong = [
            f"{name}: {found.get(name, 'missing')} (contract: {kind})"
            for name, kind in expected.items()
            if found.get(name) != kind
        ]
        extra = [name for name in found if name not in expected]
        what = "; ".join(wrong + [f"{name}: not in the contract" for name in extra])
        raise ArtifactError(f"{path} does not have its contract's columns ({what}): {REMEDY}")


def check_recorded_columns(path: str | os.PathLike[str], record: dict) -> bool:
    """Check the columns recorded in the checksum ``record`` of the Parquet file ``path`` (which
    :func:`verify_checksum` returned: the file is the one recorded) against its contract
    (ArtifactError); False if the record has no columns (written before they were recorded:
    the file's own schema must be read, ``lvebm.pipeline.io.check_contract``)."""
    columns = record.get("columns")
    if not isinstance(columns, list):
        return False
    check_columns(path, [(str(name), str(kind)) for name, kind in columns])
    return True
