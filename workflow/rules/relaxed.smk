# Inference at finite temperature (lecture 15-2): the relaxed free energy F_beta along a line, its
# soft-argmin weights, the grid against the continuous integral, and one mesh map per beta. The
# stage in one file: its config checks, the values its rules pass, its outputs, its rules, its
# figure records.

import math

from lvebm.temperatures import beta_label, with_zero_temperature
from lvebm.pipeline.config import holds, less, sample_label
from lvebm.pipeline.jobgraph import WARM, SMALL_JOB, Figure, fill, keep, shard_runtime

CONFIG_CHECKS += [
    sample_label("relaxed.weights_points"),
    holds(
        "relaxed.cross_section.stop",
        lambda cfg: list(cfg["relaxed"]["cross_section"]["start"])
        != list(cfg["relaxed"]["cross_section"]["stop"]),
        lambda cfg: "must differ from relaxed.cross_section.start (a line, not a point)",
    ),
    less("relaxed.scan.start", "relaxed.scan.stop", name="relaxed.scan.stop"),
]

# the configured betas and beta = inf, as they appear in file names (a list's: the same at
# every point)
RELAXED_BETAS = [
    beta_label(beta) for beta in with_zero_temperature(config["relaxed"]["betas"])
]
# each mesh job's beta and latent grid (none at beta = inf: the exact F_inf)
RELAXED_MESH_PARAMS = per_point(
    lambda cfg: {
        label: {
            "beta": float(label),
            "n": None if math.isinf(float(label)) else cfg["latent"]["n"],
        }
        for label in RELAXED_BETAS
    }
)
# seconds per point: 5x the measured
RELAXED_SHARD_RUNTIME = SHARDS.map(shard_runtime, 5e-6)
RELAXED_MESH = PATHS["relaxed_mesh"]
TARGETS += [
    PATHS["relaxed_cross_section"],
    PATHS["relaxed_weights"],
    PATHS["relaxed_grid_error"],
    *expand(RELAXED_MESH, beta=RELAXED_BETAS, allow_missing=True),
]
HEADLINE_TABLES["relaxed"] = {"grid_error": PATHS["relaxed_grid_error"]}


rule relaxed_cross_section:
    input:
        script=script_file("relaxed"),
        platform=PLATFORM_RECORD,
        library=library("model", "relaxed_tables"),
    output:
        OUTPUTS["relaxed_cross_section"],
    log:
        "logs/{point}relaxed_cross_section/cross_section.log",
    benchmark:
        "benchmarks/{point}relaxed_cross_section/cross_section.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        line=setting("relaxed.cross_section"),
        betas=setting("relaxed.betas"),
        n=setting("latent.n"),
    script:
        "../scripts/relaxed.py"


rule relaxed_weights:
    input:
        script=script_file("relaxed"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("model", "relaxed_tables"),
    output:
        OUTPUTS["relaxed_weights"],
    log:
        "logs/{point}relaxed_weights/weights.log",
    benchmark:
        "benchmarks/{point}relaxed_weights/weights.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        points=setting("relaxed.weights_points"),
        beta=setting("relaxed.weights_beta"),
        n=setting("latent.n"),
    script:
        "../scripts/relaxed.py"


rule relaxed_grid_error:
    input:
        script=script_file("relaxed"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("model", "relaxed_tables"),
    output:
        OUTPUTS["relaxed_grid_error"],
    log:
        "logs/{point}relaxed_grid_error/grid_error.log",
    benchmark:
        "benchmarks/{point}relaxed_grid_error/grid_error.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        points=setting("relaxed.weights_points"),
        scan=setting("relaxed.scan"),
        n=setting("latent.n"),
    script:
        "../scripts/relaxed.py"


rule relaxed_free_energy_mesh:
    input:
        script=script_file("relaxed"),
        platform=PLATFORM_RECORD,
        library=library("meshgrid", "model", "relaxed_tables"),
    output:
        temp(PATHS["relaxed_shard"]),
    log:
        "logs/{point}relaxed_free_energy_mesh/beta~{beta}/{scatteritem}.log",
    benchmark:
        "benchmarks/{point}relaxed_free_energy_mesh/beta~{beta}/{scatteritem}.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=CHUNK_MEM_MB,
        runtime=lambda w: RELAXED_SHARD_RUNTIME(w)[w.scatteritem],
    params:
        decoder=DECODER,
        mesh=MESH_AXES,
        shard=lambda w: SHARDS(w)[w.scatteritem],
        relaxed=lambda w: RELAXED_MESH_PARAMS(w)[w.beta],
        chunk=setting("mesh.chunk"),
    script:
        "../scripts/relaxed.py"


rule gather_relaxed_free_energy:
    input:
        script=script_file("gather_shards"),
        shards=gather.mesh(keep(PATHS["relaxed_shard"], "point", "beta")),
        platform=PLATFORM_RECORD,
        library=library(),
    output:
        OUTPUTS["relaxed_mesh"],
    log:
        "logs/{point}gather_relaxed_free_energy/beta~{beta}.log",
    benchmark:
        "benchmarks/{point}gather_relaxed_free_energy/beta~{beta}.tsv"
    localrule: True
    conda:
        ENV
    params:
        points=MESH_POINTS,
    script:
        "../scripts/gather_shards.py"


FIGURES.update(
    {
        "14_relaxed_cross_section": Figure(
            "relaxed_figures.relaxed_cross_section",
            {"cross_section": PATHS["relaxed_cross_section"]},
            (9.0, 5.0),
            WARM,
            {"ymax": 5.0},  # the lecture's y axis, 0 to 5
        ),
        "15_softmin_weights": Figure(
            "relaxed_figures.softmin_weights",
            {
                "weights": PATHS["relaxed_weights"],
                "samples": PATHS["samples"],
                "energies": PATHS["energies"],
            },
            (13.0, 4.6),
            WARM,
            {"beta": config["relaxed"]["weights_beta"]},
        ),
        "16_relaxed_free_energy": Figure(
            "relaxed_figures.relaxed_free_energy",
            {
                "samples": PATHS["samples"],
                "meshes": [fill(RELAXED_MESH, beta=beta) for beta in RELAXED_BETAS],
            },
            (13.0, 6.6),
            WARM,
            {
                "betas": RELAXED_BETAS,
                "vmax": RELAXED_VMAX,
                "max_arrows": config["figures"]["max_arrows"],
            },
        ),
        "17_grid_vs_continuous": Figure(
            "relaxed_figures.grid_vs_continuous",
            {"grid_error": PATHS["relaxed_grid_error"]},
            (12.0, 4.8),
            WARM,
            {"n": config["latent"]["n"]},
        ),
    }
)
