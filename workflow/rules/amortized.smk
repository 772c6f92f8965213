# Amortized inference (src/lvebm/amortized.py): encoders that guess the latent for the inference
# stage's decoder, their gap on a map, the optimizers started from them, and target propagation.
# The stage in one file: its outputs and params, its rules, its figure records.

from lvebm.methods import METHODS
from lvebm.pipeline.jobgraph import AMORTIZED as AMORTIZED_CATEGORY
from lvebm.pipeline.jobgraph import SMALL_JOB, Figure, fill

# the optimizers that take a start: the inference stage's iterative ones
WARM_OPTIMIZERS = [name for name in OPTIMIZER_NAMES if METHODS[name].iterative]
# each encoder's artifacts in its own folder: the energy encoder's are compared only on the same
# kernels (class kernel in lvebm.pipeline.contracts: its training stops at a step budget)
ENCODER_TABLES = [
    "params",
    "trajectory",
    "gap",
    "band",
    "warm_start",
    "warm_start_summary",
]
# each table of every encoder, in the order of ENCODER_METHODS: what the figures read
ENCODER_TABLE = {
    table: expand(PATHS[f"encoder_{table}"], method=ENCODER_METHODS, allow_missing=True)
    for table in ENCODER_TABLES
}
TARGETS += [
    *(path for paths in ENCODER_TABLE.values() for path in paths),
    PATHS["target_propagation_params"],
    PATHS["target_propagation_trajectory"],
]
ENCODER_NETWORK = per_point(
    lambda cfg: {
        "hidden": cfg["amortized"]["hidden"],
        "activation": cfg["amortized"]["activation"],
    }
)
SCHEDULES = setting("amortized.schedule")


rule train_encoder:
    input:
        script=script_file("amortized"),
        platform=PLATFORM_RECORD,
        library=library("amortized"),
    output:
        params=PATHS["encoder_params"],
        trajectory=PATHS["encoder_trajectory"],
    log:
        "logs/{point}train_encoder/method~{method}.log",
    benchmark:
        "benchmarks/{point}train_encoder/method~{method}.tsv"
    # a long job: started first, so that no core waits for it at the end (2 cores)
    priority: 1
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        network=ENCODER_NETWORK,
        box=MESH_BOX,
        n=setting("amortized.train"),
        seed=setting("seed"),
        init_seed=setting("amortized.init_seed"),
        schedule=lambda w: SCHEDULES(w)[w.method],
    script:
        "../scripts/amortized.py"


rule target_propagation:
    input:
        script=script_file("amortized"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("amortized"),
    output:
        params=PATHS["target_propagation_params"],
        trajectory=PATHS["target_propagation_trajectory"],
    log:
        "logs/{point}target_propagation/target_propagation.log",
    benchmark:
        "benchmarks/{point}target_propagation/target_propagation.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        start=TRAINING_START,
        network=ENCODER_NETWORK,
        options=setting("amortized.target_propagation"),
    script:
        "../scripts/amortized.py"


rule amortization_gap:
    input:
        script=script_file("amortized"),
        encoder=PATHS["encoder_params"],
        platform=PLATFORM_RECORD,
        library=library("amortized"),
    output:
        OUTPUTS["encoder_gap"],
    log:
        "logs/{point}amortization_gap/method~{method}.log",
    benchmark:
        "benchmarks/{point}amortization_gap/method~{method}.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        network=ENCODER_NETWORK,
        box=MESH_BOX,
        num=setting("amortized.map"),
    script:
        "../scripts/amortized.py"


rule gap_band:
    input:
        script=script_file("amortized"),
        gap=PATHS["encoder_gap"],
        platform=PLATFORM_RECORD,
        library=library("amortized"),
    output:
        OUTPUTS["encoder_band"],
    log:
        "logs/{point}gap_band/method~{method}.log",
    benchmark:
        "benchmarks/{point}gap_band/method~{method}.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        band=setting("amortized.band"),
    script:
        "../scripts/amortized.py"


rule warm_start:
    input:
        script=script_file("amortized"),
        encoder=PATHS["encoder_params"],
        platform=PLATFORM_RECORD,
        library=library("amortized", "meshgrid"),
    output:
        results=OUTPUTS["encoder_warm_start"],
        summary=OUTPUTS["encoder_warm_start_summary"],
    log:
        "logs/{point}warm_start/method~{method}.log",
    benchmark:
        "benchmarks/{point}warm_start/method~{method}.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        network=ENCODER_NETWORK,
        mesh=MESH_AXES,
        optimizers=OPTIONS.map(lambda options: {n: options[n] for n in WARM_OPTIMIZERS}),
        global_tol=setting("inference.global_tol"),
    script:
        "../scripts/amortized.py"


FIGURES.update(
    {
        "30_encoder_latent": Figure(
            "amortized_figures.encoder_latent",
            {"gaps": ENCODER_TABLE["gap"]},
            (14.0, 4.4),
            AMORTIZED_CATEGORY,
            {"decoder": DECODER.main, "methods": ENCODER_METHODS},
        ),
        "31_amortization_gap": Figure(
            "amortized_figures.amortization_gap",
            {"gaps": ENCODER_TABLE["gap"], "bands": ENCODER_TABLE["band"]},
            (12.0, 4.6),
            AMORTIZED_CATEGORY,
            {"decoder": DECODER.main, "methods": ENCODER_METHODS},
        ),
        "32_warm_start": Figure(
            "amortized_figures.warm_start",
            {
                "warm_starts": ENCODER_TABLE["warm_start"],
                "warm_start_summaries": ENCODER_TABLE["warm_start_summary"],
                "inference": PATHS["inference_summary"],
                "defaults": expand(
                    PATHS["inference"],
                    points="mesh",
                    optimizer=WARM_OPTIMIZERS,
                    allow_missing=True,
                ),
            },
            (16.0, 5.6),
            AMORTIZED_CATEGORY,
            {
                "decoder": DECODER.main,
                "z_init": config["inference"]["z_init"],
                "methods": ENCODER_METHODS,
                "optimizers": WARM_OPTIMIZERS,
            },
        ),
        "33_target_propagation": Figure(
            "amortized_figures.target_propagation",
            {
                "trajectory": PATHS["target_propagation_trajectory"],
                "landscape": fill(PATHS["training_landscape"], beta="inf"),
                "cold": PATHS["training_summary"],
                "samples": PATHS["samples"],
            },
            (12.0, 5.2),
            AMORTIZED_CATEGORY,
            {"method": REFERENCE_METHOD},
        ),
    }
)
REPORT_TABLES.update(
    {
        f"gap_band_{method}": (
            band,
            AMORTIZED_CATEGORY,
            f"The {method} encoder's amortization gap off and inside the band around the ridge",
        )
        for method, band in zip(ENCODER_METHODS, ENCODER_TABLE["band"])
    }
)
REPORT_TABLES.update(
    {
        f"warm_start_{method}": (
            summary,
            AMORTIZED_CATEGORY,
            f"The optimizers on the mesh started from the {method} encoder's guess",
        )
        for method, summary in zip(ENCODER_METHODS, ENCODER_TABLE["warm_start_summary"])
    }
)
HEADLINE_TABLES["amortized"] = {
    f"band_{method}": band
    for method, band in zip(ENCODER_METHODS, ENCODER_TABLE["band"])
}
