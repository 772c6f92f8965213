# The run's numbers in the report: each stage's summary tables as readable, self-contained HTML
# items (src/lvebm/report_tables.py) in the stage's category, next to its figures. One record
# per table: its artifact, its category, its title; one rule per record.

REPORT_TABLES = {
    "inference_summary": (
        "results/inference/summary.parquet",
        BEYOND,
        "Inference: global minima reached, errors and work per optimizer and point set",
    ),
    "training_summary": (
        "results/training/summary.parquet",
        TRAINING,
        "Training: the trained decoders per beta and trainer (beta = inf: zero temperature)",
    ),
    "held_out_likelihood": (
        "results/probabilistic/held_out.parquet",
        PROBABILISTIC_CATEGORY,
        "The trained decoders' held-out log-likelihood at their own beta",
    ),
    **{
        f"gap_band_{method}": (
            ENCODER.format(method=method, table="band"),
            AMORTIZED_CATEGORY,
            f"The {method} encoder's amortization gap off and inside the band around the ridge",
        )
        for method in ENCODER_METHODS
    },
    **{
        f"warm_start_{method}": (
            ENCODER.format(method=method, table="warm_start_summary"),
            AMORTIZED_CATEGORY,
            f"The optimizers on the mesh started from the {method} encoder's guess",
        )
        for method in ENCODER_METHODS
    },
    **SWEEP_REPORT_TABLES,
}
REPORT_TABLE = "results/tables/{name}.html"

for name, (artifact, category, title) in REPORT_TABLES.items():

    rule:
        name:
            f"tables_{name}"
        input:
            table=artifact,
            library=library("pipeline.report_tables"),
        output:
            report(
                REPORT_TABLE.format(name=name),
                category=category,
                # the figures' label key (figures.smk): one column of items per category
                labels={"item": f"table: {name.replace('_', ' ')}"},
            ),
        log:
            f"logs/tables/{name}.log",
        localrule: True
        conda:
            ENV
        params:
            title=title,
        script:
            "../scripts/table.py"
