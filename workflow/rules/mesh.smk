rule free_energy_mesh:
    input:
        platform=PLATFORM,
        library=library("model", "exact", "linesearch", "optimize", "mesh", "meshgrid"),
    output:
        temp("results/mesh/shards/{scatteritem}.parquet"),
    log:
        "logs/free_energy_mesh/{scatteritem}.log",
    benchmark:
        "benchmarks/free_energy_mesh/{scatteritem}.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=shard_mem_mb,
        runtime=shard_runtime,
    params:
        decoder=decoder_params(),
        mesh=mesh_axes(),
        shard=shard_params,
        method=mesh_method_params(),
        chunk=config["mesh"]["chunk"],
    script:
        "../scripts/free_energy_mesh.py"


rule gather_free_energy_mesh:
    input:
        shards=gather.mesh("results/mesh/shards/{scatteritem}.parquet"),
        platform=PLATFORM,
        library=library(),
    output:
        "results/mesh/free_energy.parquet",
    log:
        "logs/gather_free_energy_mesh/free_energy.log",
    benchmark:
        "benchmarks/gather_free_energy_mesh/free_energy.tsv"
    localrule: True
    conda:
        ENV
    params:
        points=mesh_points_total(),
    script:
        "../scripts/gather_shards.py"


rule highlight_points:
    input:
        platform=PLATFORM,
        library=library("model", "exact", "linesearch", "optimize", "mesh", "meshgrid"),
    output:
        "results/mesh/highlight.parquet",
    log:
        "logs/highlight_points/highlight.log",
    benchmark:
        "benchmarks/highlight_points/highlight.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=decoder_params(),
        points=config["mesh"]["highlight"],
        curve=curve_params(),
    script:
        "../scripts/highlight_points.py"
