wildcard_constraints:
    points="samples|mesh",
    optimizer="|".join(OPTIMIZERS),


rule infer:
    input:
        unpack(point_set_input),
        platform=PLATFORM,
        library=library(
            "model", "exact", "linesearch", "optimize", "inference", "meshgrid"
        ),
    output:
        results="results/inference/{points}/{optimizer}.parquet",
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


# The iterates of the same runs: a job of its own, so that the mesh's results are written without
# them (tens of rows per point) unless inference.mesh_trace asks for them (see trace_outputs).
use rule infer as trace with:
    output:
        trace="results/inference/{points}/{optimizer}_trace.parquet",
    log:
        "logs/trace/{points}/{optimizer}.log",
    benchmark:
        "benchmarks/trace/{points}/{optimizer}.tsv"
    resources:
        mem_mb=trace_mem_mb,
        runtime=infer_runtime,


rule summarize_inference:
    input:
        results=inference_outputs(),
        platform=PLATFORM,
        library=library("model", "exact", "linesearch", "optimize", "inference"),
    output:
        "results/inference/summary.parquet",
    log:
        "logs/summarize_inference/summary.log",
    benchmark:
        "benchmarks/summarize_inference/summary.tsv"
    conda:
        ENV
    threads: 1  # reads and scores one table at a time
    resources:
        mem_mb=summary_mem_mb,
        runtime=SMALL_JOB["runtime"],
    params:
        runs=[[p, o] for p in POINT_SETS for o in OPTIMIZERS],
    script:
        "../scripts/summarize_inference.py"
