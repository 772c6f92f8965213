# Inference at finite temperature (lecture 15-2): the relaxed free energy F_beta along a line, its
# soft-argmin weights, the grid against the continuous integral, and one mesh map per beta. The
# stage in one file: its outputs, its rules, its figure records.

RELAXED_MESH = "results/relaxed/free_energy/beta~{beta}.parquet"
RELAXED_OUTPUTS = [
    "results/relaxed/cross_section.parquet",
    "results/relaxed/weights.parquet",
    "results/relaxed/grid_error.parquet",
    *expand(RELAXED_MESH, beta=RELAXED_BETAS),
]


wildcard_constraints:
    beta=r"inf|[0-9][0-9.e+-]*",


rule relaxed_cross_section:
    input:
        platform=PLATFORM,
        library=library("model", "pipeline.relaxed_tables"),
    output:
        "results/relaxed/cross_section.parquet",
    log:
        "logs/relaxed_cross_section/cross_section.log",
    benchmark:
        "benchmarks/relaxed_cross_section/cross_section.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=decoder_params(),
        line=config["relaxed"]["cross_section"],
        betas=config["relaxed"]["betas"],
        n=config["latent"]["n"],
    script:
        "../scripts/relaxed_cross_section.py"


rule relaxed_weights:
    input:
        samples="results/data/samples.parquet",
        platform=PLATFORM,
        library=library("model", "pipeline.relaxed_tables"),
    output:
        "results/relaxed/weights.parquet",
    log:
        "logs/relaxed_weights/weights.log",
    benchmark:
        "benchmarks/relaxed_weights/weights.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=decoder_params(),
        points=config["relaxed"]["weights_points"],
        beta=config["relaxed"]["weights_beta"],
        n=config["latent"]["n"],
    script:
        "../scripts/relaxed_weights.py"


rule relaxed_grid_error:
    input:
        samples="results/data/samples.parquet",
        platform=PLATFORM,
        library=library("model", "pipeline.relaxed_tables"),
    output:
        "results/relaxed/grid_error.parquet",
    log:
        "logs/relaxed_grid_error/grid_error.log",
    benchmark:
        "benchmarks/relaxed_grid_error/grid_error.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=decoder_params(),
        points=config["relaxed"]["weights_points"],
        scan=config["relaxed"]["scan"],
        n=config["latent"]["n"],
    script:
        "../scripts/relaxed_grid_error.py"


rule relaxed_free_energy_mesh:
    input:
        platform=PLATFORM,
        library=library("meshgrid", "model", "pipeline.relaxed_tables"),
    output:
        temp("results/relaxed/shards/beta~{beta}/{scatteritem}.parquet"),
    log:
        "logs/relaxed_free_energy_mesh/beta~{beta}/{scatteritem}.log",
    benchmark:
        "benchmarks/relaxed_free_energy_mesh/beta~{beta}/{scatteritem}.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=shard_mem_mb,
        runtime=relaxed_shard_runtime,
    params:
        decoder=decoder_params(),
        mesh=mesh_axes(),
        shard=shard_params,
        relaxed=relaxed_mesh_params,
        chunk=config["mesh"]["chunk"],
    script:
        "../scripts/relaxed_free_energy_mesh.py"


rule gather_relaxed_free_energy:
    input:
        shards=gather.mesh("results/relaxed/shards/beta~{{beta}}/{scatteritem}.parquet"),
        platform=PLATFORM,
        library=library(),
    output:
        RELAXED_MESH,
    log:
        "logs/gather_relaxed_free_energy/beta~{beta}.log",
    benchmark:
        "benchmarks/gather_relaxed_free_energy/beta~{beta}.tsv"
    localrule: True
    conda:
        ENV
    params:
        points=mesh_points_total(),
    script:
        "../scripts/gather_shards.py"


WARM = "Finite temperature"
# the colour scale's top of the finite-temperature maps (figures 16 and 18's warm row): the
# cross-section's axis, since hot F_beta lies well above F_inf's 0 to 2
RELAXED_VMAX = 5.0

FIGURES.update(
    {
        "14_relaxed_cross_section": Figure(
            "relaxed_figures.relaxed_cross_section",
            {"cross_section": "results/relaxed/cross_section.parquet"},
            (9.0, 5.0),
            WARM,
            {"ymax": 5.0},  # the lecture's y axis, 0 to 5
        ),
        "15_softmin_weights": Figure(
            "relaxed_figures.softmin_weights",
            {
                "weights": "results/relaxed/weights.parquet",
                "samples": SAMPLES,
                "energies": ENERGIES,
            },
            (13.0, 4.6),
            WARM,
            {"beta": config["relaxed"]["weights_beta"]},
        ),
        "16_relaxed_free_energy": Figure(
            "relaxed_figures.relaxed_free_energy",
            {
                "samples": SAMPLES,
                "meshes": [RELAXED_MESH.format(beta=beta) for beta in RELAXED_BETAS],
            },
            (13.0, 6.6),
            WARM,
            {
                "betas": RELAXED_BETAS,
                "vmax": RELAXED_VMAX,
                "max_arrows": _FIG["max_arrows"],
            },
        ),
        "17_grid_vs_continuous": Figure(
            "relaxed_figures.grid_vs_continuous",
            {"grid_error": "results/relaxed/grid_error.parquet"},
            (12.0, 4.8),
            WARM,
            {"n": config["latent"]["n"]},
        ),
    }
)
