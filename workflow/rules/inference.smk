wildcard_constraints:
    points="samples|mesh",
    optimizer="|".join(OPTIMIZERS),


rule infer:
    input:
        unpack(point_set_input),
        library=library(
            "model", "exact", "linesearch", "optimize", "inference", "meshgrid"
        ),
    output:
        results="results/inference/{points}/{optimizer}.parquet",
        trace="results/inference/{points}/{optimizer}_trace.parquet",
    log:
        "logs/infer/{points}/{optimizer}.log",
    benchmark:
        "benchmarks/infer/{points}/{optimizer}.tsv"
    conda:
        ENV
    threads: infer_threads
    resources:
        mem_mb=infer_mem_mb,
        runtime=infer_runtime,
    params:
        decoder=decoder_params(),
        inference=inference_params,
        points=point_set_params,
    script:
        "../scripts/infer.py"


rule summarize_inference:
    input:
        results=inference_outputs(),
        library=library("model", "exact", "linesearch", "optimize", "inference"),
    output:
        "results/inference/summary.parquet",
    log:
        "logs/summarize_inference/summary.log",
    benchmark:
        "benchmarks/summarize_inference/summary.tsv"
    conda:
        ENV
    resources:
        mem_mb=summary_mem_mb,
        runtime=SMALL_JOB["runtime"],
    params:
        runs=[[p, o] for p in POINT_SETS for o in OPTIMIZERS],
    script:
        "../scripts/summarize_inference.py"
