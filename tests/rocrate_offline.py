"""Offline validation of a crate with roc-validator (``rocrate-validator validate --offline``).

The validator resolves a crate's JSON-LD ``@context`` through its HTTP cache, and offline it
reads only that cache. The Provenance Run Crate 0.5 profile is a profile of RO-Crate 1.1, so the
crate names the 1.1 context; the ``rocrate`` package ships the RO-Crate context of its own
version (1.3), the same vocabulary except the workflow terms, which 1.3 moved from
https://bioschemas.org/ComputationalWorkflow to https://bioschemas.org/terms/. The context put
in the cache is the shipped one with those four terms mapped back to the IRIs the validator's
RO-Crate 1.1 profiles use (its ``bioschemas`` and ``bioschemas-cw`` prefixes)."""

from __future__ import annotations

import importlib.resources
import io
import json
import subprocess
import sys
from pathlib import Path

CONTEXT_URL = "https://w3id.org/ro/crate/1.1/context"
BIOSCHEMAS = "https://bioschemas.org/"
WORKFLOW_TERMS = {
    "ComputationalWorkflow": f"{BIOSCHEMAS}ComputationalWorkflow",
    "FormalParameter": f"{BIOSCHEMAS}FormalParameter",
    "input": f"{BIOSCHEMAS}ComputationalWorkflow#input",
    "output": f"{BIOSCHEMAS}ComputationalWorkflow#output",
}


def context_document() -> bytes:
    """The RO-Crate 1.1 context as the validator reads it (module docstring)."""
    shipped = json.loads(
        importlib.resources.files("rocrate").joinpath("data/ro-crate.jsonld").read_text()
    )
    terms = shipped["@context"]
    for term, iri in WORKFLOW_TERMS.items():
        assert terms[term].startswith(f"{BIOSCHEMAS}terms/"), (term, terms[term])
        terms[term] = iri
    return json.dumps(shipped).encode()


def warm_cache(cache: Path) -> Path:
    """A validator HTTP cache (requests-cache, SQLite) holding the context; its path."""
    from requests.adapters import HTTPAdapter
    from requests_cache import CachedSession
    from urllib3 import HTTPResponse

    body = context_document()
    cache.parent.mkdir(parents=True, exist_ok=True)

    class Local(HTTPAdapter):
        def send(self, request, **kwargs):
            raw = HTTPResponse(
                body=io.BytesIO(body),
                headers={"Content-Type": "application/ld+json"},
                status=200,
                reason="OK",
                preload_content=False,
                request_url=request.url,
            )
            return self.build_response(request, raw)

    session = CachedSession(cache_name=str(cache), backend="sqlite", expire_after=-1)
    session.mount("https://w3id.org/", Local())
    assert session.get(CONTEXT_URL).status_code == 200
    assert session.cache.contains(url=CONTEXT_URL)
    session.close()
    return cache


def validate(crate: Path, cache: Path, profile: str = "provenance-run-crate-0.5") -> dict:
    """The validator's JSON report of ``crate`` at the REQUIRED level, offline."""
    report = cache.parent / "validation.json"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("rocrate-validator")),
            "-y",
            "validate",
            "--offline",
            "--cache-path",
            str(cache),
            "-p",
            profile,
            "-l",
            "required",
            "-f",
            "json",
            "-o",
            str(report),
            str(crate),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    return json.loads(report.read_text())
