"""The run's provenance: a Workflow Run RO-Crate in the Provenance Run Crate profile (0.5),
``results/ro-crate-metadata.json``, written by the Snakefile's ``onsuccess`` hook after every run
that ran a job.

The crate's root is ``results/``: the artifacts are its files, each with its SHA-256 (the
manifest's, ``lvebm.pipeline.manifest``: the file's bytes) and size. The workflow it describes
must be inside the crate (Workflow RO-Crate: the main workflow is a file of the crate), so the
workflow's definition as it ran (the Snakefile, ``workflow/``, ``config.yaml``, the package's
``src/lvebm``, ``pyproject.toml``, ``LICENSE``) is copied to ``results/provenance/workflow/``;
the Snakefile there is the crate's ``mainEntity``, a ``ComputationalWorkflow`` whose parts are
its rules (one ``SoftwareApplication`` each, with its inputs, outputs and params as
``FormalParameter``s) and whose steps (``HowToStep``) name them. Each job is a ``CreateAction``
(its rule as instrument; its input files and params, each a ``PropertyValue``, as object; its
output files as result; start and end as Snakemake recorded them), tied to its step by a
``ControlAction``; Snakemake's ``OrganizeAction`` orchestrates them all and results in the run,
a ``CreateAction`` of the main workflow on the run's config (``report/config.yaml``, as the
pipeline validated it) and the jobs' platform record (``platform.parquet``).

``records`` reads the jobs from Snakemake's objects (its job graph and its metadata of each
output: the only Snakemake-facing part); ``crate`` builds the JSON-LD from plain records, and
``write`` puts both files in place, the metadata file last and atomically.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lvebm.pipeline.checksums import file_sha256
from lvebm.pipeline.jobgraph import storage_query

CONTEXT = "https://w3id.org/ro/crate/1.1/context"
METADATA = "ro-crate-metadata.json"
PROFILES = {
    "https://w3id.org/ro/wfrun/process/0.5": "Process Run Crate",
    "https://w3id.org/ro/wfrun/workflow/0.5": "Workflow Run Crate",
    "https://w3id.org/ro/wfrun/provenance/0.5": "Provenance Run Crate",
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0": "Workflow RO-Crate",
}
SNAKEMAKE_LANGUAGE = {
    "@id": "https://w3id.org/workflowhub/workflow-ro-crate#snakemake",
    "@type": "ComputerLanguage",
    "name": "Snakemake",
    "identifier": {"@id": "https://snakemake.readthedocs.io"},
    "url": {"@id": "https://snakemake.github.io"},
}
# the workflow's definition as it ran, copied into the crate (below the clone)
DEFINITION = ("Snakefile", "config.yaml", "pyproject.toml", "LICENSE", "workflow", "src/lvebm")
SNAPSHOT = "provenance/workflow"
BIOSCHEMAS_WORKFLOW = "https://bioschemas.org/profiles/ComputationalWorkflow/1.0-RELEASE"
ENCODINGS = {
    ".parquet": "application/vnd.apache.parquet",
    ".png": "image/png",
    ".html": "text/html",
    ".yaml": "application/yaml",
    ".rst": "text/x-rst",
    ".json": "application/json",
    ".py": "text/x-python",
}


@dataclass(frozen=True)
class JobRecord:
    """One job as the crate describes it: files as paths relative to the working directory."""

    rule: str
    wildcards: Mapping[str, str]
    inputs: Mapping[str, Sequence[str]]
    outputs: Mapping[str, Sequence[str]]
    params: Mapping[str, object]
    start: float | None
    end: float | None
    key: str = field(default="")

    def label(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.wildcards.items() if v != "")
        return f"{self.rule} ({shown})" if shown else self.rule


def _named(items, prefix: str) -> dict[str, list[str]]:
    """A Snakemake Namedlist of files as {name: [paths]}; unnamed items as ``<prefix>_<i>``."""
    named: dict[str, list[str]] = {}
    claimed: set[int] = set()
    for name, (start, end) in items._names.items():
        stop = start + 1 if end is None else end
        named[name] = [str(items[i]) for i in range(start, stop)]
        claimed.update(range(start, stop))
    for i, item in enumerate(items):
        if i not in claimed:
            named[f"{prefix}_{i}"] = [str(item)]
    return named


def records(workflow) -> list[JobRecord]:
    """Every job of the run's job graph that has outputs, with Snakemake's record of when its
    outputs were written (the job that wrote them, in this run or an earlier one)."""
    found = []
    for job in workflow.dag.jobs:
        if not job.output:
            continue
        meta = workflow.persistence.metadata(job.output[0]) or {}
        found.append(
            JobRecord(
                rule=job.rule.name,
                wildcards=dict(job.wildcards.items()),
                inputs=_named(job.input, "input"),
                outputs=_named(job.output, "output"),
                params=dict(job.params.items()),
                start=meta.get("starttime"),
                end=meta.get("endtime"),
                key=str(job.output[0]),
            )
        )
    return sorted(found, key=lambda r: (r.start or 0.0, r.key))


def _iso(stamp: float | None) -> str | None:
    """A time as the profiles write it: ISO 8601 in UTC to the millisecond."""
    if stamp is None:
        return None
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="milliseconds")


def _file(crate_id: str, path: Path) -> dict:
    return {
        "@id": crate_id,
        "@type": "File",
        "name": crate_id.rsplit("/", 1)[-1],
        "sha256": file_sha256(path),
        "contentSize": str(path.stat().st_size),
        "encodingFormat": ENCODINGS.get(path.suffix, "application/octet-stream"),
    }


def _value(value) -> str:
    """A param's value as the crate's text: JSON where it is plain data, its str otherwise."""
    try:
        return json.dumps(value, sort_keys=True)
    except TypeError:
        return str(value)


class _Graph:
    """The crate's entities by @id, in the order added."""

    def __init__(self):
        self.entities: dict[str, dict] = {}

    def add(self, entity: dict) -> dict:
        self.entities.setdefault(entity["@id"], entity)
        return self.entities[entity["@id"]]

    def ref(self, entity: dict | str) -> dict:
        return {"@id": entity if isinstance(entity, str) else entity["@id"]}


def crate(
    jobs: Sequence[JobRecord],
    results: Path,
    clone: Path,
    *,
    config: str,
    platform: str,
    engine_version: str,
    version: str,
    commit: str,
) -> dict:
    """The crate's JSON-LD: ``results`` its root (files as paths below it), ``clone`` the
    workflow's folder (its files mapped into the snapshot), ``config`` and ``platform`` the
    run's config and platform record (paths below the working directory)."""
    g = _Graph()
    results = Path(results)
    main_id = f"{SNAPSHOT}/Snakefile"

    def crate_id(path: str) -> str | None:
        """A file's @id in the crate: below results/, or the snapshot's copy of a workflow
        file; None for a file in neither (a deleted temporary shard)."""
        p = Path(path)
        absolute = p if p.is_absolute() else Path.cwd() / p
        for root, prefix in ((results.resolve(), ""), (Path(clone).resolve(), f"{SNAPSHOT}/")):
            try:
                rel = absolute.resolve().relative_to(root)
            except ValueError:
                continue
            if (results / prefix / rel).is_file():
                return f"{prefix}{rel.as_posix()}"
        return None

    def file_entity(path: str) -> dict | None:
        cid = crate_id(path)
        return None if cid is None else g.add(_file(cid, results / cid))

    g.add(
        {
            "@id": METADATA,
            "@type": "CreativeWork",
            "conformsTo": [
                {"@id": "https://w3id.org/ro/crate/1.1"},
                {"@id": "https://w3id.org/workflowhub/workflow-ro-crate/1.0"},
            ],
            "about": {"@id": "./"},
        }
    )
    root = g.add(
        {
            "@id": "./",
            "@type": "Dataset",
            "name": "lvebm: a run of the pipeline",
            "description": (
                "The artifacts of one lvebm run (inference for latent-variable energy-based "
                "models, NYU DLSP20 week 15), the workflow's definition as it ran, and every "
                "job that wrote them."
            ),
            "datePublished": datetime.now(UTC).isoformat(),
            "license": {"@id": "https://spdx.org/licenses/MIT"},
            "conformsTo": [{"@id": uri} for uri in PROFILES],
            "mainEntity": {"@id": main_id},
            "hasPart": [],
            "mentions": {"@id": "#run"},
        }
    )
    g.add({"@id": "https://spdx.org/licenses/MIT", "@type": "CreativeWork", "name": "MIT"})
    for uri, name in PROFILES.items():
        g.add({"@id": uri, "@type": "CreativeWork", "name": name, "version": uri[-3:]})
    g.add({**SNAKEMAKE_LANGUAGE, "version": engine_version})
    engine = g.add(
        {
            "@id": "#snakemake",
            "@type": "SoftwareApplication",
            "name": "Snakemake",
            "version": engine_version,
            "url": {"@id": "https://snakemake.github.io"},
        }
    )

    # the definition's files: the snapshot, with the main workflow among them
    snapshot = sorted(p for p in (results / SNAPSHOT).rglob("*") if p.is_file())
    for path in snapshot:
        g.add(_file(path.relative_to(results).as_posix(), path))
    main = g.entities[main_id]
    main["@type"] = ["File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"]
    main.update(
        name="lvebm",
        version=version,
        description=f"The lvebm Snakemake workflow (commit {commit})",
        programmingLanguage={"@id": SNAKEMAKE_LANGUAGE["@id"]},
        conformsTo={"@id": BIOSCHEMAS_WORKFLOW},
        hasPart=[],
        step=[],
        input=[],
        output=[],
    )

    # the rules: a tool and a step each, their formal parameters from the jobs' names
    tools: dict[str, dict] = {}
    for job in jobs:
        if job.rule in tools:
            continue
        tool = g.add(
            {
                "@id": f"#rule/{job.rule}",
                "@type": "SoftwareApplication",
                "name": f"rule {job.rule}",
                "softwareVersion": version,
                "input": [],
                "output": [],
            }
        )
        tools[job.rule] = tool
        main["hasPart"].append(g.ref(tool))
        step = g.add(
            {
                "@id": f"#step/{job.rule}",
                "@type": "HowToStep",
                "name": job.rule,
                "position": str(len(main["step"])),
                "workExample": g.ref(tool),
            }
        )
        main["step"].append(g.ref(step))

    def formal(tool: dict, kind: str, name: str, additional: str) -> dict:
        param = g.add(
            {
                "@id": f"{tool['@id']}/{kind}/{name}",
                "@type": "FormalParameter",
                "name": name,
                "additionalType": additional,
                "valueRequired": "True",
                "workExample": [],
            }
        )
        side = "output" if kind == "output" else "input"
        if g.ref(param) not in tool[side]:
            tool[side].append(g.ref(param))
        return param

    actions, control_actions, all_results = [], [], {}
    for index, job in enumerate(jobs):
        tool = tools[job.rule]
        action = g.add(
            {
                "@id": f"#job/{index}",
                "@type": "CreateAction",
                "name": job.label(),
                "description": f"the Snakemake job of rule {job.rule} that wrote its result",
                "instrument": g.ref(tool),
                "object": [],
                "result": [],
                "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"},
            }
        )
        if job.start is not None:
            action["startTime"] = _iso(job.start)
        if job.end is not None:
            action["endTime"] = _iso(job.end)
        for side, files in (("object", job.inputs), ("result", job.outputs)):
            kind = "input" if side == "object" else "output"
            for name, paths in files.items():
                param = formal(tool, kind, name, "File")
                for path in paths:
                    entity = file_entity(path)
                    if entity is None:
                        continue
                    action[side].append(g.ref(entity))
                    examples = entity.setdefault("exampleOfWork", [])
                    if g.ref(param) not in examples:
                        examples.append(g.ref(param))
                    if g.ref(entity) not in param["workExample"]:
                        param["workExample"].append(g.ref(entity))
                    if side == "result":
                        all_results[entity["@id"]] = entity
        for name, value in job.params.items():
            param = formal(tool, "param", name, "Text")
            pv = g.add(
                {
                    "@id": f"#job/{index}/param/{name}",
                    "@type": "PropertyValue",
                    "name": name,
                    "value": _value(value),
                    "exampleOfWork": g.ref(param),
                }
            )
            param["workExample"].append(g.ref(pv))
            action["object"].append(g.ref(pv))
        actions.append(action)
        control = g.add(
            {
                "@id": f"#control/{index}",
                "@type": "ControlAction",
                "name": f"orchestrate {job.label()}",
                "instrument": {"@id": f"#step/{job.rule}"},
                "object": g.ref(action),
            }
        )
        control_actions.append(g.ref(control))

    # the run: the main workflow on the config and the platform record, resulting in the files
    # no later job read; Snakemake's OrganizeAction over every job
    run_inputs = [e for e in (file_entity(config), file_entity(platform)) if e is not None]
    for entity, name in zip(run_inputs, ("config", "platform"), strict=False):
        param = g.add(
            {
                "@id": f"#workflow/input/{name}",
                "@type": "FormalParameter",
                "name": name,
                "additionalType": "File",
                "workExample": g.ref(entity),
            }
        )
        main["input"].append(g.ref(param))
    for entity in all_results.values():
        param = g.add(
            {
                "@id": f"#workflow/output/{entity['@id']}",
                "@type": "FormalParameter",
                "name": entity["@id"],
                "additionalType": "File",
                "workExample": g.ref(entity),
            }
        )
        main["output"].append(g.ref(param))
    starts = [job.start for job in jobs if job.start is not None]
    ends = [job.end for job in jobs if job.end is not None]
    times = {}
    if starts and ends:
        times = {"startTime": _iso(min(starts)), "endTime": _iso(max(ends))}
    run = g.add(
        {
            "@id": "#run",
            "@type": "CreateAction",
            "name": "lvebm run",
            "instrument": {"@id": main_id},
            "object": [g.ref(e) for e in run_inputs],
            "result": [g.ref(e) for e in all_results.values()],
            "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"},
            **times,
        }
    )
    g.add(
        {
            "@id": "#orchestration",
            "@type": "OrganizeAction",
            "name": "Snakemake's run of lvebm",
            "instrument": g.ref(engine),
            "object": control_actions,
            "result": g.ref(run),
            **times,
        }
    )
    root["mentions"] = [g.ref(run), *(g.ref(action) for action in actions)]
    root["hasPart"] = [
        {"@id": cid}
        for cid, entity in g.entities.items()
        if entity.get("@type") == "File"
        or (isinstance(entity.get("@type"), list) and "File" in entity["@type"])
    ]
    return {"@context": CONTEXT, "@graph": [_flat(e) for e in g.entities.values()]}


def _flat(entity: dict) -> dict:
    """An entity with each one-item list written as its item (RO-Crate 1.1's JSON-LD form);
    the root's hasPart and an action's object stay lists."""
    keep = {"hasPart", "object", "@type"}
    return {
        key: value[0] if isinstance(value, list) and len(value) == 1 and key not in keep else value
        for key, value in entity.items()
    }


def snapshot(clone: Path, results: Path) -> None:
    """Copy the workflow's definition (``DEFINITION``, caches left out) to the crate."""
    dest = Path(results) / SNAPSHOT
    shutil.rmtree(dest, ignore_errors=True)
    for name in DEFINITION:
        source = Path(clone) / name
        if source.is_dir():
            shutil.copytree(
                source,
                dest / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
            )
        elif source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def write(document: Mapping, results: Path) -> Path:
    """Write the crate's metadata file below ``results`` (a temporary file renamed into place:
    a reader never sees half of it)."""
    path = Path(results) / METADATA
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(document, indent=1) + "\n")
    os.replace(partial, path)
    return path


class StorageMirror:
    """Without a shared filesystem (a default storage provider): the storage below the default
    prefix as the submitting host sees it. A path of the run (``results/...``) is an object
    below the prefix with a local copy in Snakemake's storage folder; the crate is built on
    those copies (``results`` the local copy of the prefix's ``results/``) and uploaded beside
    the artifacts, so that it travels with them."""

    def __init__(self, provider, prefix: str):
        self.provider = provider
        self.prefix = prefix

    @classmethod
    def of(cls, workflow) -> StorageMirror | None:
        settings = workflow.storage_settings
        if not settings.default_storage_provider:
            return None
        provider = workflow.storage_registry.default_storage_provider
        return cls(provider, settings.default_storage_prefix)

    def _object(self, path: str):
        return self.provider.object(storage_query(self.prefix, path))

    def local(self, path: str) -> Path:
        """The local copy's path of the run's ``path``."""
        return Path(self._object(path).local_path())

    def fetch_below(self, root: Path, paths: Iterable[str]) -> None:
        """Make the local copies ``paths`` below ``root`` what the storage holds: download those
        the submitting host lacks (what the cluster's jobs wrote), and remove those whose object
        is gone (a temporary file Snakemake deleted from the storage once its readers ended,
        whose copy the submitting host kept), so that the crate lists only stored files."""
        root = root.resolve()
        for path in paths:
            local = Path(path).resolve()
            if not local.is_relative_to(root):
                continue
            obj = self._object(f"results/{local.relative_to(root).as_posix()}")
            if not obj.exists():
                local.unlink(missing_ok=True)
            elif not local.is_file():
                local.parent.mkdir(parents=True, exist_ok=True)
                obj.retrieve_object()

    def store(self, root: Path, files: Iterable[Path]) -> None:
        """Upload ``files``, local copies below ``root`` (the prefix's ``results/``)."""
        for path in files:
            self._object(f"results/{path.relative_to(root).as_posix()}").store_object()


def write_crate(workflow, clone: Path, *, config: str, platform: str, version: str, commit: str):
    """The ``onsuccess`` hook: the snapshot and the crate of the run that just ended (with a
    default storage provider, built on local copies and uploaded: ``StorageMirror``)."""
    from snakemake import __version__ as engine_version

    if not workflow.is_main_process:
        return None  # a cluster job's own Snakemake: the run's main process writes the crate
    jobs = records(workflow)
    mirror = StorageMirror.of(workflow)
    results, sources = Path("results"), Path(clone)
    if mirror is not None:
        # the jobs name local copies; the code inputs are copies of the clone's files
        results = mirror.local("results")
        sources = results.parent
        config, platform = str(mirror.local(config)), str(mirror.local(platform))
        named = [
            p
            for job in jobs
            for side in (job.inputs, job.outputs)
            for ps in side.values()
            for p in ps
        ]
        mirror.fetch_below(results, [*named, config, platform])
    results.mkdir(parents=True, exist_ok=True)
    snapshot(clone, results)
    document = crate(
        jobs,
        results,
        sources,
        config=config,
        platform=platform,
        engine_version=engine_version,
        version=version,
        commit=commit,
    )
    path = write(document, results)
    if mirror is not None:
        written = sorted(p for p in (results / SNAPSHOT).rglob("*") if p.is_file())
        mirror.store(results, [*written, path])
    return path


def files(document: Mapping) -> Iterable[dict]:
    """The crate's File entities."""
    for entity in document["@graph"]:
        kinds = entity.get("@type")
        if kinds == "File" or (isinstance(kinds, list) and "File" in kinds):
            yield entity
