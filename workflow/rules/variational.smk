# Variational inference on the horn (src/lvebm/variational.py): the best von Mises q* and an
# amortized variational encoder per beta, scored against the exact F_beta (the approximation and
# amortization gaps over the mesh's box), and the exact posterior with its rejection sampler.
# The stage in one file: its outputs and params, its rules, its figure records.

from lvebm.pipeline.jobgraph import VARIATIONAL as VARIATIONAL_CATEGORY
from lvebm.pipeline.jobgraph import SMALL_JOB, Figure
from lvebm.temperatures import beta_label

# the configured betas as they appear in file names (a list's: the same at every point)
VARIATIONAL_BETAS = [beta_label(beta) for beta in config["variational"]["betas"]]
# each table of every beta, in the order of variational.betas: what the figures read
VARIATIONAL_TABLE = {
    table: expand(
        PATHS[f"variational_{table}"], beta=VARIATIONAL_BETAS, allow_missing=True
    )
    for table in ("gaps", "encoder", "trajectory")
}
VARIATIONAL_ENCODER = per_point(
    lambda cfg: {
        key: cfg["variational"]["encoder"][key] for key in ("hidden", "activation")
    }
)
TARGETS += [
    *(path for paths in VARIATIONAL_TABLE.values() for path in paths),
    PATHS["variational_summary"],
    PATHS["variational_posteriors"],
    PATHS["variational_draws"],
    PATHS["variational_draws_summary"],
]
HEADLINE_TABLES["variational"] = {"summary": PATHS["variational_summary"]}


rule variational_gaps:
    input:
        script=script_file("variational"),
        platform=PLATFORM_RECORD,
        library=library("variational", "meshgrid"),
    output:
        gaps=OUTPUTS["variational_gaps"],
        encoder=OUTPUTS["variational_encoder"],
        trajectory=OUTPUTS["variational_trajectory"],
    log:
        "logs/{point}variational_gaps/beta~{beta}.log",
    benchmark:
        "benchmarks/{point}variational_gaps/beta~{beta}.tsv"
    # the stage's long jobs: started first, so that no core waits for them at the end
    priority: 1
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        beta=lambda w: float(w.beta),
        decoder=DECODER,
        box=MESH_BOX,
        num=setting("variational.map"),
        network=VARIATIONAL_ENCODER,
        n=setting("variational.encoder.train"),
        seed=setting("seed"),
        init_seed=setting("variational.encoder.init_seed"),
        schedule=setting("variational.encoder.schedule"),
    script:
        "../scripts/variational.py"


rule variational_summary:
    input:
        script=script_file("variational"),
        gaps=VARIATIONAL_TABLE["gaps"],
        platform=PLATFORM_RECORD,
        library=library("variational"),
    output:
        OUTPUTS["variational_summary"],
    log:
        "logs/{point}variational_summary/summary.log",
    benchmark:
        "benchmarks/{point}variational_summary/summary.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        betas=setting("variational.betas"),
        band=setting("variational.band"),
    script:
        "../scripts/variational.py"


rule posterior_draws:
    input:
        script=script_file("variational"),
        encoders=VARIATIONAL_TABLE["encoder"],
        platform=PLATFORM_RECORD,
        library=library("variational"),
    output:
        posteriors=OUTPUTS["variational_posteriors"],
        draws=OUTPUTS["variational_draws"],
        summary=OUTPUTS["variational_draws_summary"],
    log:
        "logs/{point}posterior_draws/draws.log",
    benchmark:
        "benchmarks/{point}posterior_draws/draws.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        betas=setting("variational.betas"),
        decoder=DECODER,
        network=VARIATIONAL_ENCODER,
        points=setting("variational.points"),
        draws=setting("variational.draws"),
        bins=setting("variational.bins"),
        seed=setting("seed"),
    script:
        "../scripts/variational.py"


FIGURES.update(
    {
        "37_approximation_gap": Figure(
            "variational_figures.approximation_gap",
            {
                "gaps": VARIATIONAL_TABLE["gaps"],
                "summary": PATHS["variational_summary"],
            },
            (15.0, 4.2),
            VARIATIONAL_CATEGORY,
            {"decoder": DECODER.main},
        ),
        "38_gap_decomposition": Figure(
            "variational_figures.gap_decomposition",
            {
                "gaps": VARIATIONAL_TABLE["gaps"],
                "summary": PATHS["variational_summary"],
            },
            (15.0, 7.6),
            VARIATIONAL_CATEGORY,
            {"decoder": DECODER.main},
        ),
        "39_posteriors": Figure(
            "variational_figures.posteriors",
            {
                "posteriors": PATHS["variational_posteriors"],
                "draws": PATHS["variational_draws"],
                "summary": PATHS["variational_draws_summary"],
            },
            (15.0, 9.0),
            VARIATIONAL_CATEGORY,
        ),
    }
)
REPORT_TABLES["variational_gaps"] = (
    PATHS["variational_summary"],
    VARIATIONAL_CATEGORY,
    "The approximation and amortization gaps per beta, against the exact F_beta",
)
REPORT_TABLES["posterior_draws"] = (
    PATHS["variational_draws_summary"],
    VARIATIONAL_CATEGORY,
    "The rejection sampler's draws against the exact posterior: acceptance and K-S p-values",
)
