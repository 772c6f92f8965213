# The conditional horn (lecture 15-2, section 3): f(x) gives the ellipse's radii at each x. One
# job trains the latent model and the regression baseline; one evaluates them on the x grid, on
# held-out horn samples and on the meshes of figure 26. The stage in one file: its outputs and
# params, its rules, its figure records.

from lvebm.pipeline.jobgraph import CONDITIONAL as CONDITIONAL_CATEGORY
from lvebm.pipeline.jobgraph import SMALL_JOB, Figure

TARGETS += [
    PATHS[f"conditional_{table}"]
    for table in ("params", "trajectory", "radii", "free_energy", "maps")
]
HEADLINE_TABLES["conditional"] = {"radii": PATHS["conditional_radii"]}
# f: 1 -> hidden ... -> 2 (x in, the two radii out) and its hidden activation
CONDITIONAL_NETWORK = per_point(
    lambda cfg: {
        "sizes": [1, *cfg["conditional"]["hidden"], 2],
        "activation": cfg["conditional"]["activation"],
    }
)
# the sampler's arguments for the train and held-out horn samples (their own random streams)
CONDITIONAL_SAMPLES = {
    split: per_point(
        lambda cfg, split=split: {
            "n": cfg["conditional"][split],
            "split": split,
            **SAMPLER.of(cfg),
        }
    )
    for split in ("train", "held_out")
}


rule train_conditional:
    input:
        script=script_file("conditional"),
        platform=PLATFORM_RECORD,
        library=library("data", "model", "exact", "conditional"),
    output:
        params=PATHS["conditional_params"],
        trajectory=PATHS["conditional_trajectory"],
    log:
        "logs/{point}train_conditional/train.log",
    benchmark:
        "benchmarks/{point}train_conditional/train.tsv"
    # a long job: started first, so that no core waits for it at the end (2 cores)
    priority: 1
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        network=CONDITIONAL_NETWORK,
        samples=CONDITIONAL_SAMPLES["train"],
        init_seed=setting("conditional.init_seed"),
        weight_decay=setting("conditional.weight_decay"),
        schedule=setting("conditional.schedule"),
    script:
        "../scripts/conditional.py"


rule evaluate_conditional:
    input:
        script=script_file("conditional"),
        params=PATHS["conditional_params"],
        platform=PLATFORM_RECORD,
        library=library("data", "model", "exact", "conditional"),
    output:
        radii=OUTPUTS["conditional_radii"],
        free_energy=OUTPUTS["conditional_free_energy"],
        maps=OUTPUTS["conditional_maps"],
    log:
        "logs/{point}evaluate_conditional/evaluate.log",
    benchmark:
        "benchmarks/{point}evaluate_conditional/evaluate.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        network=CONDITIONAL_NETWORK,
        held_out=CONDITIONAL_SAMPLES["held_out"],
        x=setting("conditional.x"),
        alpha=setting("data.alpha"),
        beta=setting("data.beta"),
        maps=per_point(
            lambda cfg: {
                key: cfg["conditional"]["maps"][key] for key in ("x", "num", "margin")
            }
        ),
    script:
        "../scripts/conditional.py"


FIGURES.update(
    {
        "23_conditional_untrained": Figure(
            "conditional_figures.conditional_manifold",
            {"radii": PATHS["conditional_radii"], "horn": PATHS["horn"]},
            (8.0, 6.5),
            CONDITIONAL_CATEGORY,
            {"model": "untrained", "n": config["latent"]["n"]},
        ),
        "24_conditional_trained": Figure(
            "conditional_figures.conditional_manifold",
            {"radii": PATHS["conditional_radii"], "horn": PATHS["horn"]},
            (8.0, 6.5),
            CONDITIONAL_CATEGORY,
            {"model": "trained", "n": config["latent"]["n"]},
        ),
        "25_regression_baseline": Figure(
            "conditional_figures.regression_baseline",
            {"radii": PATHS["conditional_radii"], "horn": PATHS["horn"]},
            (8.0, 6.5),
            CONDITIONAL_CATEGORY,
        ),
        "26_conditional_free_energy": Figure(
            "conditional_figures.conditional_free_energy",
            {
                "maps": PATHS["conditional_maps"],
                "held_out": PATHS["conditional_free_energy"],
            },
            (13.0, 4.8),
            CONDITIONAL_CATEGORY,
            # the log scale's floor: below the held-out samples' F_inf (the noise, about 0.0025)
            {"window": config["conditional"]["maps"]["window"], "floor": 1e-3},
        ),
    }
)
