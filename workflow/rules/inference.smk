# Inference (lecture 15-1): z_check and F_inf of the samples and of the mesh's points with each
# optimizer of inference.optimizers, their iterates, and the summary that scores them against the
# exact free energy (figures 5, 7, 12 and 13). The stage in one file: its config checks, the
# values its rules pass, its outputs, its rules, its figure records.

from lvebm.methods import METHODS
from lvebm.pipeline.config import less, one_of, sample_label
from lvebm.pipeline.jobgraph import (
    BASE_MEM_MB,
    BEYOND,
    LECTURE,
    SECONDS_PER_POINT_ITERATIVE,
    SMALL_JOB,
    Figure,
    chunk_mem_mb,
    fill,
    runtime_minutes,
)

CONFIG_CHECKS += [
    sample_label("inference.focus"),
    one_of("figures.search_optimizer", "inference.optimizers"),
    *(
        less(
            f"inference.{name}.c1", f"inference.{name}.c2", name=f"inference.{name}.c2"
        )
        for name in ("line_search", "conjugate_gradient")
    ),
]

# What the infer job of each optimizer uses: its options, and the start and the tolerance of a
# global minimum if it iterates (its record in lvebm.methods says).
INFERENCE = per_point(
    lambda cfg: {
        name: {
            "options": OPTIONS.of(cfg)[name],
            **(
                {
                    "z_init": cfg["inference"]["z_init"],
                    "global_tol": cfg["inference"]["global_tol"],
                }
                if METHODS[name].iterative
                else {}
            ),
        }
        for name in OPTIMIZER_NAMES
    }
)
# The mesh's axes and block size for the mesh point set; the samples are an input instead.
POINT_SET = per_point(
    lambda cfg: {
        "samples": {},
        "mesh": {**MESH_AXES.of(cfg), "chunk": cfg["mesh"]["chunk"]},
    }
)
POINT_SET_INPUT = {"samples": {"points": PATHS["samples"]}, "mesh": {}}

# Resources by point set: the mesh's points split over 2 threads (identical results; numpy
# releases the GIL), the samples too few to split (fewer than one block of 4096 points); the
# trace of ~60 gradient-descent iterates costs about 4000 bytes a point.
TRACE_BYTES_PER_POINT = 4000
INFER_RESOURCES = per_point(
    lambda cfg: {
        "samples": {"threads": 1, **SMALL_JOB, "trace_mem_mb": SMALL_JOB["mem_mb"]},
        "mesh": {
            "threads": 2,
            "mem_mb": CHUNK_MEM_MB.of(cfg),
            "trace_mem_mb": chunk_mem_mb(CHUNK_POINTS.of(cfg), TRACE_BYTES_PER_POINT),
            "runtime": runtime_minutes(
                MESH_POINTS.of(cfg), SECONDS_PER_POINT_ITERATIVE * 5
            ),
        },
    }
)

INFERENCE_OUTPUTS = expand(
    PATHS["inference"], points=POINT_SETS, optimizer=OPTIMIZER_NAMES, allow_missing=True
)
# the iterates: on the samples, and on the mesh if inference.mesh_trace
TRACE_OUTPUTS = expand(
    PATHS["trace"],
    points=POINT_SETS if config["inference"]["mesh_trace"] else ["samples"],
    optimizer=OPTIMIZER_NAMES,
    allow_missing=True,
)
TARGETS += [*INFERENCE_OUTPUTS, *TRACE_OUTPUTS, PATHS["inference_summary"]]
HEADLINE_TABLES["inference"] = {"summary": PATHS["inference_summary"]}
REPORT_TABLES["inference_summary"] = (
    PATHS["inference_summary"],
    BEYOND,
    "Inference: global minima reached, errors and work per optimizer and point set",
)


rule infer:
    input:
        unpack(lambda w: POINT_SET_INPUT[w.points]),
        script=script_file("inference"),
        platform=PLATFORM_RECORD,
        library=library(
            "model", "exact", "linesearch", "optimize", "inference", "meshgrid"
        ),
    output:
        results=OUTPUTS["inference"],
    log:
        "logs/{point}infer/{points}/{optimizer}.log",
    benchmark:
        "benchmarks/{point}infer/{points}/{optimizer}.tsv"
    conda:
        ENV
    threads: lambda w: INFER_RESOURCES(w)[w.points]["threads"]
    resources:
        mem_mb=lambda w: INFER_RESOURCES(w)[w.points]["mem_mb"],
        runtime=lambda w: INFER_RESOURCES(w)[w.points]["runtime"],
    params:
        decoder=DECODER,
        inference=lambda w: INFERENCE(w)[w.optimizer],
        points=lambda w: POINT_SET(w)[w.points],
    script:
        "../scripts/inference.py"


# The iterates of the same runs: a job of its own, so that the mesh's results are written without
# them (tens of rows per point) unless inference.mesh_trace asks for them (TRACE_OUTPUTS).
use rule infer as trace with:
    output:
        trace=OUTPUTS["trace"],
    log:
        "logs/{point}trace/{points}/{optimizer}.log",
    benchmark:
        "benchmarks/{point}trace/{points}/{optimizer}.tsv"
    resources:
        mem_mb=lambda w: INFER_RESOURCES(w)[w.points]["trace_mem_mb"],
        runtime=lambda w: INFER_RESOURCES(w)[w.points]["runtime"],


rule summarize_inference:
    input:
        script=script_file("inference"),
        results=INFERENCE_OUTPUTS,
        platform=PLATFORM_RECORD,
        library=library("model", "exact", "linesearch", "optimize", "inference"),
    output:
        OUTPUTS["inference_summary"],
    log:
        "logs/{point}summarize_inference/summary.log",
    benchmark:
        "benchmarks/{point}summarize_inference/summary.tsv"
    conda:
        ENV
    threads: 1  # reads and scores one table at a time
    resources:
        # five columns (26 bytes a point), which Arrow and numpy may both hold: 10^6 mesh
        # points peak at 235-260 MiB (bench/memory.py)
        mem_mb=MESH_POINTS.map(
            lambda points: BASE_MEM_MB + points * 26 * 3 // 1_000_000
        ),
        runtime=SMALL_JOB["runtime"],
    params:
        runs=[[p, o] for p in POINT_SETS for o in OPTIMIZER_NAMES],
    script:
        "../scripts/inference.py"


# the optimizer whose search figures 5 and 7 show, and the ones figure 13 maps (all but the
# exact reference)
SEARCH = config["figures"]["search_optimizer"]
SEARCH_RESULTS = fill(PATHS["inference"], points="samples", optimizer=SEARCH)
COMPARED = [name for name in OPTIMIZER_NAMES if not METHODS[name].reference]

FIGURES.update(
    {
        "05_energy_23": Figure(
            "focus_energy",
            {"energies": PATHS["energies"], "inference": SEARCH_RESULTS},
            (9.0, 4.5),
            LECTURE,
            {
                "focus": config["inference"]["focus"],
                "optimizer": SEARCH,
                "z_range": Z_RANGE.main,
                "marker_step": MARKER_STEP.main,
            },
        ),
        "07_search": Figure(
            "search",
            {
                "samples": PATHS["samples"],
                "energies": PATHS["energies"],
                "inference": SEARCH_RESULTS,
                "trace": fill(PATHS["trace"], points="samples", optimizer=SEARCH),
            },
            (7.0, 5.0),
            LECTURE,
            {
                "focus": config["inference"]["focus"],
                "optimizer": SEARCH,
                "decoder": DECODER.main,
            },
        ),
        "12_optimizers": Figure(
            "optimizer_comparison",
            {"summary": PATHS["inference_summary"]},
            (13.0, 4.6),
            BEYOND,
        ),
        "13_local_minima": Figure(
            "local_minima",
            {
                "mesh": PATHS["mesh"],
                "meshes": [
                    fill(PATHS["inference"], points="mesh", optimizer=name)
                    for name in COMPARED
                ],
            },
            (12.0, 6.5),
            BEYOND,
            {
                "optimizers": COMPARED,
                "z_init": config["inference"]["z_init"],
                "max_points": config["figures"]["max_points"],
                "vmax": config["figures"]["vmax"],  # figure 11's colour scale
            },
        ),
    }
)
