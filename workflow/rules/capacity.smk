# A latent with too much capacity (src/lvebm/capacity.py): the 2-D latent g(z) = z_r [w1 cos z_t,
# w2 sin z_t] with the penalty lambda (z_r - 1)^2, its exact F over the mesh's box for a scan of
# lambda (the collapse at lambda = 0), and its training by the energy, hinge and log losses.
# The stage in one file: its outputs and params, its rules, its figure records.

from lvebm.pipeline.jobgraph import CAPACITY as CAPACITY_CATEGORY
from lvebm.pipeline.jobgraph import SMALL_JOB, Figure

TARGETS += [
    PATHS["capacity_scan"],
    PATHS["capacity_scan_summary"],
    PATHS["capacity_trajectory"],
    PATHS["capacity_trained"],
    PATHS["capacity_maps"],
]
HEADLINE_TABLES["capacity"] = {
    "scan_summary": PATHS["capacity_scan_summary"],
    "trained": PATHS["capacity_trained"],
}
# the 1-D model's cold optimum, the trained table's yardstick: the training stage's L-BFGS settings
COLD_FIT = per_point(
    lambda cfg: {key: cfg["training"][key] for key in ("gtol", "max_iter")}
)


rule capacity_scan:
    input:
        script=script_file("capacity"),
        platform=PLATFORM_RECORD,
        library=library("capacity"),
    output:
        scan=OUTPUTS["capacity_scan"],
        summary=OUTPUTS["capacity_scan_summary"],
    log:
        "logs/{point}capacity_scan/scan.log",
    benchmark:
        "benchmarks/{point}capacity_scan/scan.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        lambdas=setting("capacity.lambdas"),
        box=MESH_BOX,
        num=setting("capacity.map"),
        grid=setting("capacity.grid"),
    script:
        "../scripts/capacity.py"


rule train_capacity:
    input:
        script=script_file("capacity"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("capacity", "data"),
    output:
        trajectory=OUTPUTS["capacity_trajectory"],
        trained=OUTPUTS["capacity_trained"],
        maps=OUTPUTS["capacity_maps"],
    log:
        "logs/{point}train_capacity/training.log",
    benchmark:
        "benchmarks/{point}train_capacity/training.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        training=setting("capacity.training"),
        held_out=setting("capacity.held_out"),
        x=setting("data.slice.x"),
        sampler=SAMPLER,
        box=MESH_BOX,
        num=setting("capacity.map"),
        grid=setting("capacity.grid"),
        seed=setting("seed"),
        cold=COLD_FIT,
    script:
        "../scripts/capacity.py"


FIGURES.update(
    {
        "34_capacity_scan": Figure(
            "capacity_figures.lambda_scan",
            {"scan": PATHS["capacity_scan"], "summary": PATHS["capacity_scan_summary"]},
            (16.0, 3.4),
            CAPACITY_CATEGORY,
            {"vmax": config["figures"]["vmax"], "decoder": DECODER.main},
        ),
        "35_capacity_training": Figure(
            "capacity_figures.training_paths",
            {
                "trajectory": PATHS["capacity_trajectory"],
                "trained": PATHS["capacity_trained"],
            },
            (13.5, 4.6),
            CAPACITY_CATEGORY,
            {"margin": config["capacity"]["training"]["margin"]},
        ),
        "36_capacity_maps": Figure(
            "capacity_figures.trained_maps",
            {
                "maps": PATHS["capacity_maps"],
                "trained": PATHS["capacity_trained"],
                "samples": PATHS["samples"],
            },
            (15.0, 4.0),
            CAPACITY_CATEGORY,
            {"vmax": config["figures"]["vmax"]},
        ),
    }
)
REPORT_TABLES["capacity_scan"] = (
    PATHS["capacity_scan_summary"],
    CAPACITY_CATEGORY,
    "The 2-D latent's F over the mesh's box at each lambda: the collapse at 0, the 1-D model's limit",
)
REPORT_TABLES["capacity_trained"] = (
    PATHS["capacity_trained"],
    CAPACITY_CATEGORY,
    "The 2-D latent trained by each loss beside the 1-D model's cold optimum: radii, lambda, margin",
)
