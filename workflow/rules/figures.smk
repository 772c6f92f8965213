# One rule per figure record (the stage files' FIGURES), in the figures' order: figure_01_horn ...

from lvebm.pipeline.jobgraph import MAIN_RUN, at_point, figure_module, figure_path

for name, figure in sorted(FIGURES.items()):

    rule:
        name:
            f"figure_{name}"
        input:
            **at_point(figure.inputs, MAIN_RUN),
            script=script_file("figure"),
            # the run's own artifacts (no sweep point draws the figures)
            platform=at_point(PLATFORM_RECORD, MAIN_RUN),
            library=library(figure_module(figure), "plotstyle"),
        output:
            report(
                strict_output(figure_path(name)),
                # its section of the captions of its function's module
                caption=f"../report/{figure_module(figure)}.rst",
                category=figure.category,
                # one label, the key the tables use too (tables.smk): Snakemake renders a second
                # label with two values as a toggle
                # whose page is blank (a category of two figures), so number and name are one
                labels={"item": f"{name[:2]} {name[3:].replace('_', ' ')}"},
            ),
        log:
            f"logs/figure_{name}/figure.log",
        benchmark:
            f"benchmarks/figure_{name}/figure.tsv"
        localrule: True
        conda:
            ENV
        params:
            function=figure.function,
            options=figure.options,
            size=scaled_size(figure.size),
            dpi=config["figures"]["dpi"],
        script:
            "../scripts/figure.py"
