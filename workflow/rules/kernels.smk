# The record of the kernels the jobs compute with (lvebm.pipeline.numerics; the pins are set in
# common.smk). Every computing rule takes it as an input; the manifest reads it.

from lvebm.pipeline.jobgraph import SMALL_JOB


rule record_platform:
    input:
        script=script_file("kernels"),
        library=library("pipeline.numerics"),
    output:
        PLATFORM_RECORD,
    log:
        "logs/{point}record_platform/record.log",
    benchmark:
        "benchmarks/{point}record_platform/record.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        pins=PINS,
        environment=JOB_ENVIRONMENT,
    script:
        "../scripts/kernels.py"
