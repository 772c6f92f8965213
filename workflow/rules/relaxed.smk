# Inference at finite temperature (lecture 15-2): the relaxed free energy F_beta along a line, its
# soft-argmin weights, the grid against the continuous integral, and one mesh map per beta.


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
