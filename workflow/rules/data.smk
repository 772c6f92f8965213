rule sample_horn:
    input:
        platform=PLATFORM,
        library=library("data"),
    output:
        "results/data/horn.parquet",
    log:
        "logs/sample_horn/horn.log",
    benchmark:
        "benchmarks/sample_horn/horn.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        n=config["data"]["horn"]["n"],
        sampler=data_params(),
    script:
        "../scripts/sample_horn.py"


rule sample_slice:
    input:
        platform=PLATFORM,
        library=library("data"),
    output:
        "results/data/samples.parquet",
    log:
        "logs/sample_slice/samples.log",
    benchmark:
        "benchmarks/sample_slice/samples.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        n=config["data"]["slice"]["n"],
        x=config["data"]["slice"]["x"],
        sampler=data_params(),
    script:
        "../scripts/sample_slice.py"
