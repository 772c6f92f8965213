# One rule per figure (figure_01_horn ... figure_13_local_minima), from the FIGURES table.
for figure, (function, inputs, size, category) in FIGURES.items():

    rule:
        name:
            f"figure_{figure}"
        input:
            **inputs,
            library=library("model", "figures", "plotstyle"),
        output:
            report(
                figure_path(figure),
                caption=f"../report/fig{figure}.rst",
                category=category,
                # one label: Snakemake renders a second label with two values as a toggle
                # whose page is blank (a category of two figures), so number and name are one
                labels={"figure": f"{figure[:2]} {figure[3:].replace('_', ' ')}"},
            ),
        log:
            f"logs/figures/fig{figure}.log",
        benchmark:
            f"benchmarks/figures/fig{figure}.tsv"
        localrule: True
        conda:
            ENV
        params:
            function=function,
            options=figure_options(figure),
            size=figure_size(figure),
            dpi=config["figures"]["dpi"],
        script:
            "../scripts/figure.py"
