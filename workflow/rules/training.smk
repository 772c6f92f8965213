# Training the decoder by minimising the free energy of the samples (lecture 15-2): one job per
# beta, the summary, the learning-rate and temperature scans, the trained cross-section, the
# maps of figure 18 and denoising with the trained decoder. The stage in one file: its config
# checks, the values its rules pass, its outputs, its rules, its figure records.

import math

from lvebm.temperatures import beta_label, with_zero_temperature
from lvebm.pipeline.config import less, sample_label
from lvebm.pipeline.jobgraph import TRAINING, SMALL_JOB, Figure, fill

CONFIG_CHECKS += [
    sample_label("training.warm_point"),
    *(
        less(
            f"training.{name}.start",
            f"training.{name}.stop",
            name=f"training.{name}.stop",
        )
        for name in ("learning_rates", "temperature")
    ),
]

# the configured finite betas and beta = inf, as they appear in file names (a list's: the same
# at every point)
TRAINING_BETAS = [
    beta_label(b) for b in with_zero_temperature(config["training"]["betas"])
]
# latents of F_beta at finite beta: the grid's size, or None for the continuous integral
TRAINING_LATENT = per_point(
    lambda cfg: cfg["latent"]["n"] if cfg["training"]["latent"] == "grid" else None
)
# what each training job uses; at beta = inf no latent grid (the exact solver)
TRAINING_PARAMS = per_point(
    lambda cfg: {
        label: {
            "beta": float(label),
            "methods": cfg["training"]["methods"],
            "n": None if math.isinf(float(label)) else TRAINING_LATENT.of(cfg),
            "seed": cfg["seed"],
            **{
                key: cfg["training"][key]
                for key in ("learning_rate", "epochs", "gtol", "max_iter")
            },
        }
        for label in TRAINING_BETAS
    }
)
TRAINING_RUN = {
    table: expand(PATHS[f"training_{table}"], beta=TRAINING_BETAS, allow_missing=True)
    for table in ("trajectory", "landscape", "result")
}
TARGETS += [
    *(path for paths in TRAINING_RUN.values() for path in paths),
    *(
        PATHS[f"training_{name}"]
        for name in (
            "summary",
            "cross_section",
            "denoise",
            "learning_rates",
            "temperature",
            "maps",
            "warm_weights",
            "closest",
        )
    ),
]


rule train_decoder:
    input:
        script=script_file("training"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("data", "model", "exact", "relaxed", "training"),
    output:
        trajectory=OUTPUTS["training_trajectory"],
        landscape=OUTPUTS["training_landscape"],
        result=OUTPUTS["training_result"],
    log:
        "logs/{point}train_decoder/beta~{beta}.log",
    benchmark:
        "benchmarks/{point}train_decoder/beta~{beta}.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        start=TRAINING_START,
        training=lambda w: TRAINING_PARAMS(w)[w.beta],
    script:
        "../scripts/training.py"


rule summarize_training:
    input:
        script=script_file("training"),
        results=TRAINING_RUN["result"],
        platform=PLATFORM_RECORD,
        library=library("columns"),
    output:
        OUTPUTS["training_summary"],
    log:
        "logs/{point}summarize_training/summary.log",
    benchmark:
        "benchmarks/{point}summarize_training/summary.tsv"
    localrule: True
    conda:
        ENV
    script:
        "../scripts/training.py"


rule training_scans:
    input:
        script=script_file("training"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("data", "model", "exact", "relaxed", "training"),
    output:
        learning_rates=OUTPUTS["training_learning_rates"],
        temperature=OUTPUTS["training_temperature"],
    log:
        "logs/{point}training_scans/scans.log",
    benchmark:
        "benchmarks/{point}training_scans/scans.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        start=TRAINING_START,
        rates=setting("training.learning_rates"),
        betas=setting("training.temperature"),
        seed=setting("seed"),
        n=TRAINING_LATENT,
        lbfgs=per_point(
            lambda cfg: {key: cfg["training"][key] for key in ("gtol", "max_iter")}
        ),
    script:
        "../scripts/training.py"


# The decoder trained at zero temperature, evaluated three ways, one job each, so that each key
# reruns only what uses it.
rule trained_cross_section:
    input:
        script=script_file("training"),
        summary=PATHS["training_summary"],
        platform=PLATFORM_RECORD,
        library=library("relaxed_tables", "training_tables"),
    output:
        OUTPUTS["training_cross_section"],
    log:
        "logs/{point}trained_cross_section/cross_section.log",
    benchmark:
        "benchmarks/{point}trained_cross_section/cross_section.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        method=REFERENCE_METHOD,
        line=setting("relaxed.cross_section"),
        betas=setting("relaxed.betas"),
        grid_n=setting("latent.n"),
    script:
        "../scripts/training.py"


rule denoise:
    input:
        script=script_file("training"),
        summary=PATHS["training_summary"],
        platform=PLATFORM_RECORD,
        library=library("data", "training_tables"),
    output:
        OUTPUTS["training_denoise"],
    log:
        "logs/{point}denoise/denoise.log",
    benchmark:
        "benchmarks/{point}denoise/denoise.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        method=REFERENCE_METHOD,
        untrained=DECODER,
        held_out=setting("training.denoise"),
        x=setting("data.slice.x"),
        sampler=SAMPLER,
    script:
        "../scripts/training.py"


rule training_maps:
    input:
        script=script_file("training"),
        summary=PATHS["training_summary"],
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("meshgrid", "training_tables"),
    output:
        maps=OUTPUTS["training_maps"],
        weights=OUTPUTS["training_warm_weights"],
        closest=OUTPUTS["training_closest"],
    log:
        "logs/{point}training_maps/maps.log",
    benchmark:
        "benchmarks/{point}training_maps/maps.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        method=REFERENCE_METHOD,
        untrained=DECODER,
        mesh=MESH_AXES,
        warm_beta=setting("training.warm_beta"),
        warm_point=setting("training.warm_point"),
        n=TRAINING_LATENT,
    script:
        "../scripts/training.py"


FIGURES.update(
    {
        "18_training": Figure(
            "training_figures.training_panels",
            {
                "maps": PATHS["training_maps"],
                "weights": PATHS["training_warm_weights"],
                "closest": PATHS["training_closest"],
                "samples": PATHS["samples"],
            },
            (12.0, 9.0),
            TRAINING,
            # cold maps on figure 11's scale, warm ones on the relaxed maps' (figure 16)
            {"vmax": config["figures"]["vmax"], "warm_vmax": RELAXED_VMAX},
        ),
        "19_trained_cross_section": Figure(
            "relaxed_figures.relaxed_cross_section",
            {"cross_section": PATHS["training_cross_section"]},
            (9.0, 5.0),
            TRAINING,
            {
                "ymax": 6.0,  # the lecture's axis for the trained model
                "title": "Trained at zero temperature, evaluated at every beta",
            },
        ),
        "20_training_paths": Figure(
            "training_figures.training_paths",
            {
                "learning_rates": PATHS["training_learning_rates"],
                "trajectories": TRAINING_RUN["trajectory"],
                "landscapes": TRAINING_RUN["landscape"],
            },
            (13.0, 8.0),
            TRAINING,
            {"betas": TRAINING_BETAS},
        ),
        "21_temperature": Figure(
            "training_figures.temperature",
            {"temperature": PATHS["training_temperature"]},
            (9.0, 5.0),
            TRAINING,
        ),
        "22_denoising": Figure(
            "training_figures.denoising",
            {"denoise": PATHS["training_denoise"]},
            (12.0, 5.0),
            TRAINING,
        ),
    }
)
REPORT_TABLES["training_summary"] = (
    PATHS["training_summary"],
    TRAINING,
    "Training: the trained decoders per beta and trainer (beta = inf: zero temperature)",
)
HEADLINE_TABLES["training"] = {
    "zero_temperature": fill(PATHS["training_result"], beta="inf"),
    "samples": PATHS["samples"],
}
