# Amortized inference (src/lvebm/amortized.py): encoders that guess the latent for the inference
# stage's decoder, their gap on a map, the optimizers started from them, and target propagation.
# The stage in one file: its outputs and params, its rules, its figure records.

from lvebm.methods import ITERATIVE

ENCODER_METHODS = ["supervised", "energy"]
ENCODER = "results/amortized/encoder~{method}/{table}.parquet"
TARGET_PROPAGATION = "results/amortized/target_propagation/{table}.parquet"
# the optimizers that take a start: the inference stage's iterative ones
WARM_OPTIMIZERS = [name for name in OPTIMIZERS if name in ITERATIVE]


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
AMORTIZED_OUTPUTS = [
    *expand(ENCODER, method=ENCODER_METHODS, table=ENCODER_TABLES),
    *expand(TARGET_PROPAGATION, table=["params", "trajectory"]),
]
ENCODER_NETWORK = {
    "hidden": config["amortized"]["hidden"],
    "activation": config["amortized"]["activation"],
}
# the mesh's box, [start, stop] per axis: where the encoders learn and the gap is mapped
MESH_BOX = {
    axis: [config["mesh"][axis]["start"], config["mesh"][axis]["stop"]]
    for axis in ("y1", "y2")
}
ENCODER_PARAMS = ENCODER.replace("{table}", "params")


# each table of every encoder by input name, "<table>_<method>": what the figures read
ENCODER_TABLE = {
    table: {
        f"{table}_{method}": ENCODER.format(method=method, table=table)
        for method in ENCODER_METHODS
    }
    for table in ENCODER_TABLES
}


wildcard_constraints:
    method="|".join(ENCODER_METHODS),


rule train_encoder:
    input:
        platform=PLATFORM,
        library=library("amortized"),
    output:
        params=ENCODER.replace("{table}", "params"),
        trajectory=ENCODER.replace("{table}", "trajectory"),
    log:
        "logs/amortized/encoder~{method}.log",
    benchmark:
        "benchmarks/amortized/encoder~{method}.tsv"
    # a long job: started first, so that no core waits for it at the end (2 cores)
    priority: 1
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=decoder_params(),
        network=ENCODER_NETWORK,
        box=MESH_BOX,
        n=config["amortized"]["train"],
        seed=config["seed"],
        init_seed=config["amortized"]["init_seed"],
        schedule=lambda wildcards: config["amortized"]["schedule"][wildcards.method],
    script:
        "../scripts/train_encoder.py"


rule target_propagation:
    input:
        samples=SAMPLES,
        platform=PLATFORM,
        library=library("amortized"),
    output:
        params=TARGET_PROPAGATION.format(table="params"),
        trajectory=TARGET_PROPAGATION.format(table="trajectory"),
    log:
        "logs/amortized/target_propagation.log",
    benchmark:
        "benchmarks/amortized/target_propagation.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        start=training_start(),
        network=ENCODER_NETWORK,
        options=config["amortized"]["target_propagation"],
    script:
        "../scripts/target_propagation.py"


rule amortization_gap:
    input:
        encoder=ENCODER_PARAMS,
        platform=PLATFORM,
        library=library("amortized"),
    output:
        ENCODER.replace("{table}", "gap"),
    log:
        "logs/amortized/gap~{method}.log",
    benchmark:
        "benchmarks/amortized/gap~{method}.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=decoder_params(),
        network=ENCODER_NETWORK,
        box=MESH_BOX,
        num=config["amortized"]["map"],
    script:
        "../scripts/amortization_gap.py"


rule gap_band:
    input:
        gap=ENCODER.replace("{table}", "gap"),
        platform=PLATFORM,
        library=library("amortized"),
    output:
        ENCODER.replace("{table}", "band"),
    log:
        "logs/amortized/band~{method}.log",
    benchmark:
        "benchmarks/amortized/band~{method}.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        band=config["amortized"]["band"],
    script:
        "../scripts/gap_band.py"


rule warm_start:
    input:
        encoder=ENCODER_PARAMS,
        platform=PLATFORM,
        library=library("amortized", "meshgrid"),
    output:
        results=ENCODER.replace("{table}", "warm_start"),
        summary=ENCODER.replace("{table}", "warm_start_summary"),
    log:
        "logs/amortized/warm_start~{method}.log",
    benchmark:
        "benchmarks/amortized/warm_start~{method}.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=decoder_params(),
        network=ENCODER_NETWORK,
        mesh=mesh_axes(),
        optimizers={name: optimizer_options(name) for name in WARM_OPTIMIZERS},
        global_tol=config["inference"]["global_tol"],
    script:
        "../scripts/warm_start.py"


AMORTIZED_CATEGORY = "Amortized inference"

FIGURES.update(
    {
        "30_encoder_latent": Figure(
            "amortized_figures.encoder_latent",
            ENCODER_TABLE["gap"],
            (14.0, 4.4),
            AMORTIZED_CATEGORY,
            {"decoder": decoder_params()},
        ),
        "31_amortization_gap": Figure(
            "amortized_figures.amortization_gap",
            {**ENCODER_TABLE["gap"], **ENCODER_TABLE["band"]},
            (12.0, 4.6),
            AMORTIZED_CATEGORY,
            {"decoder": decoder_params()},
        ),
        "32_warm_start": Figure(
            "amortized_figures.warm_start",
            {
                **ENCODER_TABLE["warm_start"],
                **ENCODER_TABLE["warm_start_summary"],
                "inference": "results/inference/summary.parquet",
                **{
                    f"default_{name}": f"results/inference/mesh/{name}.parquet"
                    for name in WARM_OPTIMIZERS
                },
            },
            (13.0, 8.0),
            AMORTIZED_CATEGORY,
            {"decoder": decoder_params(), "z_init": config["inference"]["z_init"]},
        ),
        "33_target_propagation": Figure(
            "amortized_figures.target_propagation",
            {
                "trajectory": TARGET_PROPAGATION.format(table="trajectory"),
                "landscape": TRAINING_RUN.format(beta="inf", table="landscape"),
                "cold": "results/training/summary.parquet",
                "samples": SAMPLES,
            },
            (12.0, 5.2),
            AMORTIZED_CATEGORY,
            {"method": REFERENCE_METHOD},
        ),
    }
)
