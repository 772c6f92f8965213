# The data (lecture 15-1): samples of the horn (figure 1) and the slice of it at x = data.slice.x
# whose ellipse the lecture's decoder fits (figure 2). The stage in one file: its outputs, its
# rules, its figure records.

from lvebm.pipeline.jobgraph import LECTURE, SMALL_JOB, Figure

TARGETS += [PATHS["horn"], PATHS["samples"]]


rule sample_horn:
    input:
        script=script_file("data"),
        platform=PLATFORM_RECORD,
        library=library("data"),
    output:
        OUTPUTS["horn"],
    log:
        "logs/{point}sample_horn/horn.log",
    benchmark:
        "benchmarks/{point}sample_horn/horn.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        n=setting("data.horn.n"),
        sampler=SAMPLER,
    script:
        "../scripts/data.py"


rule sample_slice:
    input:
        script=script_file("data"),
        platform=PLATFORM_RECORD,
        library=library("data"),
    output:
        OUTPUTS["samples"],
    log:
        "logs/{point}sample_slice/samples.log",
    benchmark:
        "benchmarks/{point}sample_slice/samples.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        n=setting("data.slice.n"),
        x=setting("data.slice.x"),
        sampler=SAMPLER,
    script:
        "../scripts/data.py"


FIGURES.update(
    {
        "01_horn": Figure("horn", {"horn": PATHS["horn"]}, (7.5, 6.0), LECTURE),
        "02_samples": Figure(
            "samples",
            {"samples": PATHS["samples"], "energies": PATHS["energies"]},
            (7.0, 5.0),
            LECTURE,
        ),
    }
)
