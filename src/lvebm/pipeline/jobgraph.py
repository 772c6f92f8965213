"""What the workflow computes while it builds its job graph: each rule's library inputs, the
jobs' resources, the figure records and paths, the sweeps' layout, the commit and config hash,
and the checks of results/ before any job. Plumbing, free of NumPy (the job graph stays light);
the stage files import from here by name. Import scans and git are cached once per process."""

from __future__ import annotations

import functools
import itertools
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from lvebm.pipeline.keys import lookup

# `from lvebm[.module] import names` at the start of a line (a function's imports included), its
# names in parentheses across lines or up to the line's end or comment
LVEBM_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+lvebm((?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.M
)


@functools.cache
def lvebm_imports(package: str, name: str) -> tuple[str, ...]:
    """The lvebm modules that the library file ``name`` (a path below ``package``, the lvebm
    package's folder) imports, as paths below the package: lvebm.x -> "x.py", lvebm.pipeline.x
    -> "pipeline/x.py" with the subpackage's __init__, ``from lvebm import x`` -> "x.py". Read
    with a regular expression, not parsed: the job graph reads every rule's closure at each
    start, and a file's imports are its lines that begin with ``from lvebm``."""
    found: list[str] = []
    text = Path(package, name).read_text()
    for match in LVEBM_IMPORT.finditer(text):
        parts = [part for part in match[1].split(".") if part]
        found += [f"{'/'.join(parts[:i])}/__init__.py" for i in range(1, len(parts) + 1)]
        if parts and Path(package, *parts[:-1], f"{parts[-1]}.py").is_file():
            found[-1] = "/".join(parts) + ".py"  # a module, not a package
            continue
        for imported in match[2].strip("()").split(","):
            module = "/".join([*parts, imported.split()[0]]) if imported.split() else ""
            if module and Path(package, f"{module}.py").is_file():
                found.append(f"{module}.py")
    return tuple(item for item in dict.fromkeys(found) if item != "/__init__.py")


@functools.cache
def commit(root: str) -> str:
    """The git commit of the clone at ``root``, "(uncommitted changes)" added when its tracked
    files differ from it; "unknown" outside a git checkout or without git."""
    import subprocess

    def git(*args: str) -> str:
        out = subprocess.run(
            ["git", "-C", root, *args], capture_output=True, text=True, check=False
        )
        return out.stdout.strip() if out.returncode == 0 else ""

    head = git("rev-parse", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{head} (uncommitted changes)" if dirty else head


def config_sha256(config) -> str:
    """The SHA-256 of a config as the pipeline validated it (JSON, keys sorted)."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


# ---- a rule's library inputs ---------------------------------------------------------------------

# what every job imports besides its own modules: the packages and the job plumbing
JOB_PLUMBING = ("__init__.py", "pipeline/__init__.py", "pipeline/io.py", "pipeline/jobs.py")


def library(
    package: str | os.PathLike[str], *modules: str, source: Callable[[str], str] = str
) -> list[str]:
    """The library files a rule's code imports (``modules`` dotted below lvebm, ``"model"``,
    ``"pipeline.sweep"``), with what they import in turn, as paths relative to the working
    directory below ``package`` (the lvebm package's folder): as a rule's inputs, editing one
    reruns the rule. ``source`` sees each (``SourceFiles.record``)."""
    files = [*JOB_PLUMBING, *(f"{module.replace('.', '/')}.py" for module in modules)]
    for name in files:  # grows while it is walked: the closure under imports
        files += [found for found in lvebm_imports(str(package), name) if found not in files]
    return [source(os.path.relpath(os.path.join(package, name))) for name in files]


class SourceFiles:
    """The workflow's code files that rules take as inputs (scripts, library files, the report's
    template), as ``record`` sees them. Without a shared filesystem (a default storage provider)
    every rule's input is an object in the storage, these too: one local job copies them there
    (rule ``publish_sources``), and each job downloads those it declares, so that editing one
    still reruns its rules. (Marking them ``local()`` instead would make Snakemake run every job
    on the submitting host: a job with a local file runs there.)"""

    def __init__(self):
        self.paths: dict[str, None] = {}

    def record(self, path: str) -> str:
        self.paths[path] = None
        return path

    def local_inputs(self) -> list[str]:
        """The recorded files as the publishing job's inputs: the clone's own (``local()``)."""
        from snakemake.io import local

        return [local(path) for path in self.paths]


def script_file(root: str | os.PathLike[str], name: str, source: Callable[[str], str] = str) -> str:
    """The workflow script ``workflow/scripts/<name>.py`` of the clone at ``root``, relative to
    the working directory: as a rule's input, editing the script reruns the rule. Snakemake
    compares an input newer than its output by content, so a fresh checkout (every file new)
    reruns nothing, where its own check of a ``script:`` (its modification time, the rerun
    trigger ``code``, which the profiles leave out) would rerun every job."""
    return source(os.path.relpath(os.path.join(root, "workflow", "scripts", f"{name}.py")))


# ---- resources ----------------------------------------------------------------------------------
# Sized from the benchmark files (bench/mesh.py, bench/inference.py, benchmarks/): a job starts at
# about 170 MB RSS (Python, numpy, pyarrow); per-point budgets are about 5x the measured costs.

SMALL_JOB = {"mem_mb": 500, "runtime": 5}
BASE_MEM_MB = 400
BYTES_PER_CHUNK_POINT = 1200
# an iterative method's budget per point (the mesh's optimizers, the infer jobs)
SECONDS_PER_POINT_ITERATIVE = 2e-5
# the shortest runtime a job asks for, minutes
MIN_RUNTIME = 5


def chunk_mem_mb(chunk_points: int, bytes_per_point: int) -> int:
    """Megabytes of a job that holds one mesh chunk of ``chunk_points`` points,
    ``bytes_per_point`` for each point."""
    return BASE_MEM_MB + chunk_points * bytes_per_point // 1_000_000


def runtime_minutes(points: int, seconds_per_point: float) -> int:
    """Minutes a job on ``points`` points may take at ``seconds_per_point``, at least
    :data:`MIN_RUNTIME`."""
    return max(MIN_RUNTIME, math.ceil(points * seconds_per_point / 60))


def shard_runtime(shards: dict[str, dict[str, int]], seconds_per_point: float) -> dict[str, int]:
    """Minutes each mesh shard may take, {scatteritem: minutes}, from its [start, stop)."""
    return {
        item: runtime_minutes(s["stop"] - s["start"], seconds_per_point)
        for item, s in shards.items()
    }


# ---- figures ------------------------------------------------------------------------------------


class Figure(NamedTuple):
    """A figure's record: its rule (figures.smk), its place in the report and the tests'
    expectations all derive from it; its caption is its section of
    workflow/report/<the function's module>.rst."""

    # the function that draws it: "module.function" of a stage's figure module (lvebm.<module>),
    # or a bare name of lvebm.figures (the lecture's)
    function: str
    inputs: dict  # artifact paths (or lists of them) by name: the function's data by these names
    size: tuple  # base size in inches, times figures.scale
    category: str  # its section of the report
    # the function's keyword options besides size: plain values from config
    options: dict = {}  # noqa: RUF012 (a NamedTuple's default, never mutated)


# The report's categories in the order a reader goes: the lecture, what goes beyond it, the sweeps
# and the explorer; the run's configuration last. Snakemake's menu sorts categories by name, so
# each starts with its place, two digits wide (a 10 would sort before 2).
LECTURE = "01 · Figures of the lecture"
BEYOND = "02 · Beyond the lecture"
WARM = "03 · Finite temperature"
TRAINING = "04 · Training"
CONDITIONAL = "05 · Conditional horn"
PROBABILISTIC = "06 · Probabilistic reading"
AMORTIZED = "07 · Amortized inference"
CAPACITY = "08 · Latent capacity"
VARIATIONAL = "09 · Variational inference"
SWEEPS = "10 · Sweeps"
EXPLORER = "11 · Explorer"
ABOUT = "About this run"


def figure_path(figure: str) -> str:
    """Where figure ``figure`` (its number and name, ``01_horn``) is drawn."""
    return f"results/figures/fig{figure}.png"


def figure_module(figure: Figure) -> str:
    """The library module whose function draws the figure."""
    return figure.function.rpartition(".")[0] or "figures"


def scaled_size(size: tuple[float, float], scale: float) -> list[float]:
    """A base size in inches times ``scale`` (config figures.scale)."""
    return [round(side * scale, 4) for side in size]


# ---- points: the run's own and its sweeps' -------------------------------------------------------
# Every rule that writes an artifact writes it below results/{point}: the run's own point is empty
# (results/data/samples.parquet), a sweep point's is its folder (results/sweeps/seeds/seed~709/
# conditional.init_seed~1/data/samples.parquet), its logs and benchmarks likewise. A sweep point
# thus runs the same rules as the run, its own jobs by the wildcard; what its jobs pass through
# params: comes from its own config (PerPoint).

POINT = "{point}"
MAIN_RUN = ""  # the run's own point


def point_prefix(sweep: str, folder: str) -> str:
    """A sweep point's value of the point wildcard: ``sweeps/<sweep>/<folder>/``."""
    return f"sweeps/{sweep}/{folder}/"


def point_pattern(points: Iterable[str]) -> str:
    """The point wildcard's constraint: exactly the run's points, the empty one included, as one
    group (a run without sweeps has only the empty point, and an empty constraint would be
    Snakemake's default, one character or more). The points' common beginnings are factored out
    (a trie): Snakemake compiles the constraint into every output pattern of every rule, and the
    factored pattern compiles in three quarters of the time of the plain alternation.

    >>> point_pattern([""]), point_pattern(["", "sweeps/s/a/"])
    ('(?:)', '(?:(?:sweeps/s/a/)?)')
    >>> point_pattern(["", "s/a1/", "s/a2/"])
    '(?:(?:s/a(?:1/|2/))?)'
    """
    return "(?:" + _trie(sorted(set(points))) + ")"


def _trie(words: list[str]) -> str:
    """A regular expression matching exactly ``words`` (sorted, distinct), common beginnings
    factored out."""
    if words == [""]:
        return ""
    optional = words[0] == ""
    words = words[1:] if optional else words
    branches = []
    for first, group in itertools.groupby(words, key=lambda word: word[0]):
        rests = [word[1:] for word in group]
        prefix = first
        while len(rests) > 1 and all(rests) and len({rest[0] for rest in rests}) == 1:
            prefix += rests[0][0]
            rests = [rest[1:] for rest in rests]
        rest = _trie(rests)
        branches.append(re.escape(prefix) + rest)  # rest: one branch, or a group
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if optional else body


def at_point(paths, point: str):
    """Artifact patterns (a path, or a list or dict of them) at one point: ``MAIN_RUN`` for the
    run's own files (its targets, figures, report tables), a sweep point's prefix for its."""
    if isinstance(paths, str):
        return paths.replace(POINT, point)
    if isinstance(paths, Mapping):
        return {name: at_point(value, point) for name, value in paths.items()}
    return [at_point(path, point) for path in paths]


def checked_in_storage(paths: Iterable[str], storage_settings, storage: Callable) -> list:
    """The target rule's inputs: as they are on a shared filesystem, or, with a default storage
    provider, the same objects of the storage flagged not to be retrieved, so that the target
    rule, which runs no job, checks they are in the storage instead of waiting for local copies.
    With keep-storage-local-copies (profiles/slurm-s3 says why it is on) Snakemake 9 waits for a
    local copy of each input of a rule without a run, shell or script, but retrieves none: with
    every job in a folder of its own (as on Kubernetes) the submitting host has no copy of what
    remote jobs wrote, and the run would fail at its end. ``storage`` is the Snakefile's
    ``storage``; the query is the one the default provider gives the path."""
    paths = list(paths)
    if not storage_settings.default_storage_provider:
        return paths
    prefix = storage_settings.default_storage_prefix
    return [storage(storage_query(prefix, path), retrieve=False) for path in paths]


def storage_query(prefix: str, path: str) -> str:
    """The query of the object that Snakemake's default storage provider makes of a path of the
    run: the default storage prefix, then the normalised path."""
    return f"{prefix.rstrip('/')}/{os.path.normpath(path)}"


def fill(pattern: str, **values) -> str:
    """``pattern`` with the named wildcards set, the others (the point) left in place.

    >>> fill("results/{point}training/beta~{beta}/result.parquet", beta="inf")
    'results/{point}training/beta~inf/result.parquet'
    """
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], m[0])), pattern)


def keep(pattern: str, *names: str) -> str:
    """``pattern`` with the named wildcards escaped, for a function that formats the others
    (Snakemake's gather.<name>, which sets {scatteritem} alone).

    >>> keep("results/{point}mesh/shard~{scatteritem}.parquet", "point")
    'results/{{point}}mesh/shard~{scatteritem}.parquet'
    """
    for name in names:
        pattern = pattern.replace(f"{{{name}}}", f"{{{{{name}}}}}")
    return pattern


class PerPoint:
    """A value the rules pass that the config decides, at every point of the run: Snakemake calls
    it with a job's wildcards (in params: or resources:) and gets the value at the job's point,
    computed once per point from that point's config; ``main`` is the run's own (a figure's
    options), ``of(cfg)`` the value for any config (one PerPoint built from another's), ``map``
    a function of it.

    >>> from types import SimpleNamespace
    >>> configs = {"": {"seed": 709}, "sweeps/s/seed~7/": {"seed": 7}}
    >>> seed = PerPoint(configs, lambda cfg: cfg["seed"])
    >>> seed(SimpleNamespace(point="sweeps/s/seed~7/")), seed.main
    (7, 709)
    >>> seed.map(lambda value, step: value + step, 1).main
    710
    """

    def __init__(self, configs: Mapping[str, Mapping], function: Callable[[Mapping], Any]):
        self.configs, self.function, self.values = configs, function, {}

    def of(self, cfg: Mapping) -> Any:
        return self.function(cfg)

    def map(self, function: Callable[..., Any], *args: Any) -> PerPoint:
        """``function(value, *args)`` of the value at every point."""
        return PerPoint(self.configs, lambda cfg: function(self.of(cfg), *args))

    def at(self, point: str) -> Any:
        if point not in self.values:
            self.values[point] = self.function(self.configs[point])
        return self.values[point]

    @property
    def main(self) -> Any:
        return self.at(MAIN_RUN)

    def __call__(self, wildcards) -> Any:
        return self.at(wildcards.point)


def setting(configs: Mapping[str, Mapping], key: str) -> PerPoint:
    """The config value at the dotted ``key``, at every point (a rule's param)."""
    return PerPoint(configs, lambda cfg: lookup(cfg, key))


def headline_options(cfg: Mapping, stages: Sequence[str]) -> dict[str, dict]:
    """What the stages' headline numbers need besides their tables, from a point's config."""
    options = {
        "training": lambda: {"reference": cfg["training"]["methods"][0]},
        "conditional": lambda: {"tolerance": cfg["conditional"]["horn_tolerance"]},
    }
    return {stage: options[stage]() for stage in stages if stage in options}


def sweep_layout(
    sweep: str,
    points: Sequence[tuple[dict, str]],
    stages: Sequence[str],
    headline_tables: Mapping[str, Mapping[str, str]],
) -> list[tuple[int, str, str, str]]:
    """(point index, stage, table name, path) of every headline table of the sweep's points."""
    return [
        (index, stage, name, at_point(path, point_prefix(sweep, folder)))
        for index, (_, folder) in enumerate(points)
        for stage in stages
        for name, path in headline_tables[stage].items()
    ]


# ---- checks before any job -----------------------------------------------------------------------


def check_landing_page(landing: str, argv: Sequence[str]) -> None:
    """A report alone (``--report`` without ``--report-after-run``) needs the landing page
    that rule landing_page writes; without it Snakemake would fail with a traceback."""
    if "--report" in argv and "--report-after-run" not in argv and not os.path.exists(landing):
        from lvebm.pipeline.checksums import ArtifactError

        raise ArtifactError(
            f"{landing} is missing: the report's landing page (the run's identity) is written "
            f"by rule landing_page; run `snakemake {landing}` or the whole pipeline first"
        )


# the artifacts the check before a run hashed (checksums.VerifiedFiles), in Snakemake's folder
VERIFIED_ARTIFACTS = os.path.join(".snakemake", "lvebm", "verified-artifacts.json")


def check_artifacts(results: str) -> None:
    """Every artifact under ``results`` is the file its rule wrote (size and modification time as
    recorded, else the same SHA-256): an edited, truncated or replaced file stops the run here,
    before Snakemake would rerun (and first delete) the good artifacts downstream of it; so does a
    file without a recorded checksum, or a Parquet file whose columns are not its contract (one
    rewritten with its checksum, say). The columns are those recorded with the checksum; only a
    checksum file from before they were recorded has the Parquet file's schema read (Arrow)."""
    from lvebm.pipeline.checksums import VerifiedFiles, check_recorded_columns, verify_checksum

    verified = VerifiedFiles(VERIFIED_ARTIFACTS)
    for path in sorted(Path(results).rglob("*")):
        if path.suffix in (".parquet", ".png") and not path.name.startswith("."):
            record = verify_checksum(path, trust_unchanged_stat=True, verified=verified)
            if path.suffix == ".parquet" and not check_recorded_columns(path, record):
                from lvebm.pipeline.io import check_contract

                check_contract(path)
    verified.save()
