# Training the decoder by minimising the free energy of the samples (lecture 15-2): one job per
# beta, the summary, the learning-rate and temperature scans, the trained cross-section, the
# maps of figure 18 and denoising with the trained decoder. The stage in one file: its outputs,
# its rules, its figure records.

TRAINING_RUN = "results/training/beta~{beta}/{table}.parquet"
TRAINING_OUTPUTS = [
    *expand(
        TRAINING_RUN, beta=TRAINING_BETAS, table=["trajectory", "landscape", "result"]
    ),
    *(
        f"results/training/{name}.parquet"
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
        samples="results/data/samples.parquet",
        platform=PLATFORM,
        library=library("data", "model", "exact", "relaxed", "training"),
    output:
        trajectory="results/training/beta~{beta}/trajectory.parquet",
        landscape="results/training/beta~{beta}/landscape.parquet",
        result="results/training/beta~{beta}/result.parquet",
    log:
        "logs/train_decoder/beta~{beta}.log",
    benchmark:
        "benchmarks/train_decoder/beta~{beta}.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        start=training_start(),
        training=training_params,
    script:
        "../scripts/train_decoder.py"


rule summarize_training:
    input:
        results=expand(TRAINING_RUN, beta=TRAINING_BETAS, table="result"),
        platform=PLATFORM,
        library=library("pipeline.training_tables"),
    output:
        "results/training/summary.parquet",
    log:
        "logs/summarize_training/summary.log",
    benchmark:
        "benchmarks/summarize_training/summary.tsv"
    localrule: True
    conda:
        ENV
    script:
        "../scripts/summarize_training.py"


rule training_scans:
    input:
        samples="results/data/samples.parquet",
        platform=PLATFORM,
        library=library("data", "model", "exact", "relaxed", "training"),
    output:
        learning_rates="results/training/learning_rates.parquet",
        temperature="results/training/temperature.parquet",
    log:
        "logs/training_scans/scans.log",
    benchmark:
        "benchmarks/training_scans/scans.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        start=training_start(),
        rates=config["training"]["learning_rates"],
        betas=config["training"]["temperature"],
        seed=config["seed"],
        n=training_latent(),
        lbfgs=lbfgs_options(),
    script:
        "../scripts/training_scans.py"


# The decoder trained at zero temperature, evaluated three ways, one job each, so that each key
# reruns only what uses it.
rule trained_cross_section:
    input:
        summary="results/training/summary.parquet",
        platform=PLATFORM,
        library=library("pipeline.relaxed_tables", "pipeline.training_tables"),
    output:
        "results/training/cross_section.parquet",
    log:
        "logs/trained_cross_section/cross_section.log",
    benchmark:
        "benchmarks/trained_cross_section/cross_section.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        method=REFERENCE_METHOD,
        line=config["relaxed"]["cross_section"],
        betas=config["relaxed"]["betas"],
        grid_n=config["latent"]["n"],
    script:
        "../scripts/trained_cross_section.py"


rule denoise:
    input:
        summary="results/training/summary.parquet",
        platform=PLATFORM,
        library=library("data", "pipeline.training_tables"),
    output:
        "results/training/denoise.parquet",
    log:
        "logs/denoise/denoise.log",
    benchmark:
        "benchmarks/denoise/denoise.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        method=REFERENCE_METHOD,
        untrained=decoder_params(),
        held_out=config["training"]["denoise"],
        x=config["data"]["slice"]["x"],
        sampler=data_params(),
    script:
        "../scripts/denoise.py"


rule training_maps:
    input:
        summary="results/training/summary.parquet",
        samples="results/data/samples.parquet",
        platform=PLATFORM,
        library=library("meshgrid", "pipeline.training_tables"),
    output:
        maps="results/training/maps.parquet",
        weights="results/training/warm_weights.parquet",
        closest="results/training/closest.parquet",
    log:
        "logs/training_maps/maps.log",
    benchmark:
        "benchmarks/training_maps/maps.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        method=REFERENCE_METHOD,
        untrained=decoder_params(),
        mesh=mesh_axes(),
        warm_beta=config["training"]["warm_beta"],
        warm_point=config["training"]["warm_point"],
        n=training_latent(),
    script:
        "../scripts/training_maps.py"


TRAINING = "Training"

FIGURES.update(
    {
        "18_training": Figure(
            "training_figures.training_panels",
            {
                "maps": "results/training/maps.parquet",
                "weights": "results/training/warm_weights.parquet",
                "closest": "results/training/closest.parquet",
                "samples": SAMPLES,
            },
            (12.0, 9.0),
            TRAINING,
            # cold maps on figure 11's scale, warm ones on the relaxed maps' (figure 16)
            {"vmax": _FIG["vmax"], "warm_vmax": RELAXED_VMAX},
        ),
        "19_trained_cross_section": Figure(
            "relaxed_figures.relaxed_cross_section",
            {"cross_section": "results/training/cross_section.parquet"},
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
                "learning_rates": "results/training/learning_rates.parquet",
                "trajectories": expand(
                    TRAINING_RUN, beta=TRAINING_BETAS, table="trajectory"
                ),
                "landscapes": expand(
                    TRAINING_RUN, beta=TRAINING_BETAS, table="landscape"
                ),
            },
            (13.0, 8.0),
            TRAINING,
            {"betas": TRAINING_BETAS},
        ),
        "21_temperature": Figure(
            "training_figures.temperature",
            {"temperature": "results/training/temperature.parquet"},
            (9.0, 5.0),
            TRAINING,
        ),
        "22_denoising": Figure(
            "training_figures.denoising",
            {
                "denoise": "results/training/denoise.parquet",
                "summary": "results/training/summary.parquet",
            },
            (12.0, 5.0),
            TRAINING,
        ),
    }
)
