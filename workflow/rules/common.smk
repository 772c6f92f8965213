# What every stage shares, and nothing that one stage alone uses: the artifacts' paths, the
# library inputs, the job environment, the values several stages read from the config, the figure
# record, and the three lists each stage file registers into (its default targets, its figures,
# its cross-field config checks). The Python all of them call lives in the package
# (lvebm.pipeline.config, lvebm.pipeline.jobgraph); the stage files come after this one, each
# importing by name what it uses.

import functools
import math
import os
from pathlib import Path

from lvebm.meshgrid import mesh_size, shard_bounds
from lvebm.methods import METHODS
from lvebm.pipeline import jobgraph
from lvebm.pipeline.config import method_options, point_configs, stop_on_error
from lvebm.pipeline.contracts import ARTIFACTS
from lvebm.pipeline.jobgraph import (
    BYTES_PER_CHUNK_POINT,
    POINT,
    PerPoint,
    chunk_mem_mb,
    point_pattern,
)
from lvebm.pipeline.jobs import storage_environment
from lvebm.pipeline.numerics import ALLOCATOR_ENVIRONMENT, job_environment
from lvebm.pipeline.strict import output_wrapper

# This file's own folder, not workflow.basedir: used as a module, the basedir is the caller's.
LIBRARY = Path(workflow.current_basedir).parents[1] / "src" / "lvebm"


# The run's points (lvebm.pipeline.jobgraph): its own (the point wildcard empty) and each sweep
# point (sweeps/<sweep>/<key~value/...>/), each with its config; the rules' values at a job's
# point: setting("a.b") for a config value, per_point(lambda cfg: ...) for one built from it.
CONFIGS = point_configs(config)
setting = functools.partial(jobgraph.setting, CONFIGS)
per_point = functools.partial(PerPoint, CONFIGS)

# The values each wildcard takes, declared once, before any rule: the point (a sweep point's
# folder or none), the inference stage's point sets and optimizers, the amortized stage's encoder
# methods, the relaxed stage's betas. (A later `wildcard_constraints:` rewrites every rule
# defined before it, and Snakemake 9 then loses the constraints of outputs in a storage provider:
# a run without a shared filesystem would find no rule for a point's files.)
POINT_SETS = ["samples", "mesh"]
ENCODER_METHODS = ["supervised", "energy"]


wildcard_constraints:
    point=point_pattern(CONFIGS),
    points="|".join(POINT_SETS),
    optimizer="|".join(config["inference"]["optimizers"]),
    method="|".join(ENCODER_METHODS),
    beta=r"inf|[0-9][0-9.e+-]*",


# The artifacts' path patterns by name, from their registry (ARTIFACTS, lvebm.pipeline.contracts:
# path and columns), below results/{point}: the rules' inputs and outputs; the run's own files
# (targets, figure inputs, report tables) are these at point "" (at_point), a sweep point's at its
# folder.
PATHS = {
    name: f"results/{POINT}{artifact.path}" for name, artifact in ARTIFACTS.items()
}


# The same patterns as the rules' outputs: as they are, or with strict mode on (config strict,
# lvebm.pipeline.strict) each wrapped in ensure(sha256=...) from the manifest, so that the run
# stops at the first job whose artifact differs; strict_output wraps any other artifact (the
# figures).
strict_output = stop_on_error(
    output_wrapper,
    config["strict"],
    Path(
        config["strict"]["manifest"]
        or LIBRARY.parents[1] / "reproducibility/manifest.json"
    ),
    workflow.storage_settings.default_storage_provider,
)
OUTPUTS = {name: strict_output(path) for name, path in PATHS.items()}

# What the stage files register, as artifact patterns (the consumers set the point): the
# default target's files (rule all); the figure records (figures.smk makes a rule of each); the
# summary tables shown in the report, by name (artifact, category, title) for tables.smk; the
# headline tables a sweep's points report, by stage and name as lvebm.pipeline.sweep.HEADLINES
# reads them; the cross-field config checks (lvebm.pipeline.config's constructors; the Snakefile
# runs them after the stage files, before any job).
TARGETS = []
FIGURES = {}
REPORT_TABLES = {}
HEADLINE_TABLES = {}
CONFIG_CHECKS = []


# The conda environment of the jobs (--sdm conda): the scripts' imports and the lvebm package,
# which pip installs from LVEBM_ROOT, this clone (set here; conda and pip inherit it).
ENV = "../envs/lvebm.yaml"
os.environ.update(LVEBM_ROOT=str(LIBRARY.parents[1]))

# The kernels every job computes with (lvebm.pipeline.numerics): with numerics.pin, NumPy's SIMD
# dispatch capped at AVX2, OpenBLAS's Haswell kernel and one BLAS thread, on any x86-64 CPU with
# AVX2. Set here, when the workflow loads, so that every job inherits them: local jobs, SLURM
# jobs (whose job step loads the workflow again on the node) and a host workflow's jobs. Every
# computing rule takes the record of them as an input (rule record_platform), so switching the
# pins reruns what they can change.
JOB_ENVIRONMENT, PINS = job_environment(config["numerics"]["pin"])
os.environ.update(JOB_ENVIRONMENT)
# and glibc's allocator settings (lvebm.pipeline.numerics): faster jobs, the same values
os.environ.update(ALLOCATOR_ENVIRONMENT)
# and, without a shared filesystem, the storage provider: the jobs then check the contract of
# what they read, not the checksum file beside it, which stays where it was written
os.environ.update(
    storage_environment(workflow.storage_settings.default_storage_provider)
)
# the record of the kernels, an input of every computing rule (rule record_platform)
PLATFORM_RECORD = PATHS["platform"]


# The library files a rule's code imports, with what they import in turn, and the rule's script,
# as inputs: editing one reruns the rule, judged by content (lvebm.pipeline.jobgraph.library and
# script_file, below this clone).
# SOURCES records them: without a shared filesystem the rule publish_sources copies them to the
# storage (jobgraph.SourceFiles, sources.smk).
SOURCES = jobgraph.SourceFiles()
library = functools.partial(jobgraph.library, LIBRARY, source=SOURCES.record)
script_file = functools.partial(
    jobgraph.script_file, LIBRARY.parents[1], source=SOURCES.record
)


# The config values several stages pass through params:, at every point (PerPoint; .main is
# the run's own, for the figures).
DECODER = per_point(
    lambda cfg: {"w1": cfg["decoder"]["w1"], "w2": cfg["decoder"]["w2"]}
)
# the mesh's box, [start, stop] per axis: where the amortized stage's encoders learn and its gap
# is mapped, and where the capacity stage maps F and draws its negatives
MESH_BOX = per_point(
    lambda cfg: {
        axis: [cfg["mesh"][axis]["start"], cfg["mesh"][axis]["stop"]]
        for axis in ("y1", "y2")
    }
)
# the horn and slice samplers' parameters (the data stage, the conditional horn, training)
SAMPLER = per_point(
    lambda cfg: {
        "seed": cfg["seed"],
        **{key: cfg["data"][key] for key in ("alpha", "beta", "noise_std")},
    }
)
# the names of inference.optimizers (a list: the same at every point, which sweeps only
# scalars; lvebm.optimize.OPTIMIZERS maps every name to its function)
OPTIMIZER_NAMES = config["inference"]["optimizers"]
# each method's options, exactly the config values it uses (its record in lvebm.methods)
OPTIONS = per_point(lambda cfg: {name: method_options(name, cfg) for name in METHODS})
MESH_AXES = per_point(
    lambda cfg: {"y1_axis": dict(cfg["mesh"]["y1"]), "y2_axis": dict(cfg["mesh"]["y2"])}
)
MESH_POINTS = per_point(lambda cfg: mesh_size(cfg["mesh"]["y1"], cfg["mesh"]["y2"]))
# the energy curves' z range and marker step in radians (figures 5 and 10)
Z_RANGE = per_point(
    lambda cfg: [
        cfg["mesh"]["curve"]["start_pi"] * math.pi,
        cfg["mesh"]["curve"]["stop_pi"] * math.pi,
    ]
)
MARKER_STEP = per_point(lambda cfg: math.pi / cfg["mesh"]["curve"]["markers_per_pi"])
# the colour scale's top of the finite-temperature maps (figures 16 and 18's warm row): the
# cross-section's axis, since hot F_beta lies well above F_inf's 0 to 2
RELAXED_VMAX = 5.0
# the training stage's first method (a list's: the same at every point) and starting decoder
# (read by the later stages too)
REFERENCE_METHOD = config["training"]["methods"][0]
TRAINING_START = per_point(
    lambda cfg: (
        DECODER.of(cfg)
        if cfg["training"]["start"] == "decoder"
        else {key: cfg["training"]["start"][key] for key in ("w1", "w2")}
    )
)


# The mesh's shards (scattergather mesh, the same count at every point): [start, stop) of each
# "i-of-n" block of points.
SHARDS = per_point(
    lambda cfg: {
        f"{index + 1}-of-{cfg['mesh']['shards']}": dict(
            zip(
                ("start", "stop"),
                shard_bounds(MESH_POINTS.of(cfg), cfg["mesh"]["shards"], index),
            )
        )
        for index in range(cfg["mesh"]["shards"])
    }
)


# Resources (lvebm.pipeline.jobgraph: a small job, the base and per-point budgets), at a job's
# point: the points of one mesh chunk, the megabytes of a job that holds one
# (CHUNK_POINTS.map(chunk_mem_mb, bytes_per_point)) and the minutes of each mesh shard
# (SHARDS.map(shard_runtime, seconds_per_point)).
CHUNK_POINTS = per_point(lambda cfg: min(cfg["mesh"]["chunk"], MESH_POINTS.of(cfg)))
CHUNK_MEM_MB = CHUNK_POINTS.map(chunk_mem_mb, BYTES_PER_CHUNK_POINT)
# a figure's base size in inches times figures.scale
scaled_size = functools.partial(jobgraph.scaled_size, scale=config["figures"]["scale"])
