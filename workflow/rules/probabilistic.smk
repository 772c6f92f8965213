# The probabilistic reading of F_beta (src/lvebm/probabilistic.py): EM with beta learned on the
# samples, draws from the learned models, and the likelihood over a scan of beta, held out.
# The stage in one file: its outputs, its rules, its figure records.

from lvebm.pipeline.jobgraph import PROBABILISTIC as PROBABILISTIC_CATEGORY
from lvebm.pipeline.config import less
from lvebm.pipeline.jobgraph import SMALL_JOB, Figure

CONFIG_CHECKS += [
    less(
        "probabilistic.scan.start",
        "probabilistic.scan.stop",
        name="probabilistic.scan.stop",
    )
]

TARGETS += [PATHS["em"], PATHS["model_samples"], PATHS["held_out"]]
HEADLINE_TABLES["probabilistic"] = {
    "em": PATHS["em"],
    "held_out": PATHS["held_out"],
}


rule fit_em:
    input:
        script=script_file("probabilistic"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("probabilistic"),
    output:
        em=OUTPUTS["em"],
        samples=OUTPUTS["model_samples"],
    log:
        "logs/{point}fit_em/em.log",
    benchmark:
        "benchmarks/{point}fit_em/em.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        start=DECODER,
        beta=setting("probabilistic.start_beta"),
        n=setting("latent.n"),
        tol=setting("probabilistic.tol"),
        max_iter=setting("probabilistic.max_iter"),
        size=setting("probabilistic.samples"),
        seed=setting("seed"),
    script:
        "../scripts/probabilistic.py"


rule held_out_likelihood:
    input:
        script=script_file("probabilistic"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("data", "probabilistic"),
    output:
        OUTPUTS["held_out"],
    log:
        "logs/{point}held_out_likelihood/held_out.log",
    benchmark:
        "benchmarks/{point}held_out_likelihood/held_out.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        held_out=setting("probabilistic.held_out"),
        x=setting("data.slice.x"),
        sampler=SAMPLER,
        scan=setting("probabilistic.scan"),
        start=DECODER,
        tol=setting("probabilistic.tol"),
        max_iter=setting("probabilistic.max_iter"),
    script:
        "../scripts/probabilistic.py"


FIGURES.update(
    {
        "27_em": Figure(
            "probabilistic_figures.em_path",
            {"em": PATHS["em"]},
            (12.0, 4.8),
            PROBABILISTIC_CATEGORY,
            {"noise_std": config["data"]["noise_std"], "n": config["latent"]["n"]},
        ),
        "28_model_samples": Figure(
            "probabilistic_figures.model_samples",
            {
                "model_samples": PATHS["model_samples"],
                "samples": PATHS["samples"],
            },
            (11.0, 5.0),
            PROBABILISTIC_CATEGORY,
        ),
        "29_held_out_likelihood": Figure(
            "probabilistic_figures.held_out_likelihood",
            {"held_out": PATHS["held_out"], "em": PATHS["em"]},
            (9.0, 5.0),
            PROBABILISTIC_CATEGORY,
            {"noise_std": config["data"]["noise_std"]},
        ),
    }
)
REPORT_TABLES["held_out_likelihood"] = (
    PATHS["held_out"],
    PROBABILISTIC_CATEGORY,
    "The likelihood over a scan of beta, fitted and held out",
)
