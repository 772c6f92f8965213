# The run's numbers in the report: each stage's summary tables as readable, self-contained HTML
# items (src/lvebm/pipeline/report_tables.py) in the stage's category, next to its figures. One
# record per table, registered by its stage file (REPORT_TABLES: its artifact, its category, its
# title), the sweeps' by sweeps.smk; one rule per record.

from lvebm.pipeline.jobgraph import MAIN_RUN, at_point

REPORT_TABLE = "results/tables/{name}.html"
TARGETS += [REPORT_TABLE.format(name=name) for name in REPORT_TABLES]

for name, (artifact, category, title) in REPORT_TABLES.items():

    rule:
        name:
            f"tables_{name}"
        input:
            script=script_file("table"),
            table=at_point(artifact, MAIN_RUN),
            library=library("pipeline.report_tables"),
        output:
            report(
                REPORT_TABLE.format(name=name),
                category=category,
                # the figures' label key (figures.smk): one column of items per category
                labels={"item": f"table: {name.replace('_', ' ')}"},
            ),
        log:
            f"logs/tables_{name}/table.log",
        localrule: True
        conda:
            ENV
        params:
            title=title,
        script:
            "../scripts/table.py"
