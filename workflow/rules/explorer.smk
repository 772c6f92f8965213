# The explorer (lvebm.explorer, lvebm.pipeline.explorer_page): one self-contained HTML page in the report,
# with sliders for beta (the cross-section, the soft-argmin weights, the trained radii along the
# temperature scan) and for w1, w2 (F_inf along the line and on the mesh). One rule computes what
# every slider position shows (Parquet artifacts), one embeds it in the page.

from lvebm.pipeline.config import less
from lvebm.pipeline.jobgraph import EXPLORER, MAIN_RUN, SMALL_JOB, at_point

CONFIG_CHECKS += [less("explorer.radii.start", "explorer.radii.stop")]
EXPLORER_PAGE = "results/explorer/explorer.html"
TARGETS += [
    PATHS["explorer_line"],
    PATHS["explorer_weights"],
    PATHS["explorer_decoders"],
    EXPLORER_PAGE,
]


rule explorer_data:
    input:
        script=script_file("explorer"),
        samples=PATHS["samples"],
        temperature=PATHS["training_temperature"],
        platform=PLATFORM_RECORD,
        library=library("explorer", "relaxed_tables"),
    output:
        line=OUTPUTS["explorer_line"],
        weights=OUTPUTS["explorer_weights"],
        decoders=OUTPUTS["explorer_decoders"],
    log:
        "logs/{point}explorer_data/data.log",
    benchmark:
        "benchmarks/{point}explorer_data/data.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=per_point(lambda cfg: [cfg["decoder"]["w1"], cfg["decoder"]["w2"]]),
        n=setting("latent.n"),
        line=per_point(
            lambda cfg: cfg["relaxed"]["cross_section"]
            | {"num": cfg["explorer"]["line_num"]}
        ),
        points=setting("relaxed.weights_points"),
        radii=setting("explorer.radii"),
        mesh=per_point(
            lambda cfg: {
                axis: cfg["mesh"][axis] | {"num": cfg["explorer"]["mesh"][axis]}
                for axis in ("y1", "y2")
            }
        ),
    script:
        "../scripts/explorer.py"


# the run's own page (no sweep point draws one)
rule explorer_page:
    input:
        **at_point(
            {
                "line": PATHS["explorer_line"],
                "weights": PATHS["explorer_weights"],
                "decoders": PATHS["explorer_decoders"],
                "temperature": PATHS["training_temperature"],
                "samples": PATHS["samples"],
            },
            MAIN_RUN,
        ),
        script=script_file("explorer"),
        library=library("pipeline.explorer_page"),
    output:
        report(
            EXPLORER_PAGE,
            caption="../report/explorer.rst",
            category=EXPLORER,
            labels={"item": "explorer"},
        ),
    log:
        "logs/explorer_page/page.log",
    localrule: True
    conda:
        ENV
    params:
        decoder=[config["decoder"]["w1"], config["decoder"]["w2"]],
        vmax=config["figures"]["vmax"],
    script:
        "../scripts/explorer.py"
