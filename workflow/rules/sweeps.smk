# Sweeps (config `sweeps`, lvebm.pipeline.sweep): each point of a sweep is this workflow again, as a
# Snakemake module whose config is the run's with the point's values, its artifacts, logs and
# benchmarks moved under sweeps/<sweep>/<key~value>/... (replace_prefix): the same rules, no
# copies, each point's jobs its own (a changed value reruns only its point), ordinary jobs on any
# executor. Only the jobs behind the sweep's stages' headline tables run. Per sweep: its table
# (one row per point) and spread (median and band per number), both in the report, and a figure.

import os

from lvebm.pipeline.config import check_config, stop_on_error, sweep_points
from lvebm.pipeline.jobgraph import headline_options, point_prefixes, sweep_layout
from lvebm.pipeline.keys import point_config

SWEEP_CATEGORY = "Sweeps"
SWEEP_FIGURE = "results/sweeps/{sweep}/spread.png"
# the module names of the points: sweep_<sweep>_<index> (the Snakefile skips its run-wide checks)
SWEEP_MODULE = "sweep_{sweep}_{index}"

SWEEPS = sweep_points(config)  # {sweep: [(settings, folder), ...]}


TARGETS += [
    path
    for sweep in SWEEPS
    for path in (
        ARTIFACT["sweep_table"].format(sweep=sweep),
        ARTIFACT["sweep_spread"].format(sweep=sweep),
        SWEEP_FIGURE.format(sweep=sweep),
    )
]
REPORT_TABLES.update(
    {
        f"sweep_{sweep}{part}": (
            ARTIFACT[f"sweep_{table}"].format(sweep=sweep),
            SWEEP_CATEGORY,
            f"Sweep {sweep}: {title}",
        )
        for sweep in SWEEPS
        for part, table, title in (
            (
                "",
                "table",
                "one row per point, its settings and the stages' headline numbers",
            ),
            (
                "_spread",
                "spread",
                "per number, the median with the 10-90 % band, or a rate with its 95 % interval",
            ),
        )
    }
)
SNAKEFILE = os.path.join(LIBRARY.parents[1], "Snakefile")


for sweep, sweep_at in SWEEPS.items():
    point_configs = [point_config(config, settings) for settings, _ in sweep_at]
    layout = sweep_layout(
        sweep, sweep_at, config["sweeps"][sweep]["stages"], HEADLINE_TABLES
    )
    for point_index, (point_cfg, (_, point_folder)) in enumerate(
        zip(point_configs, sweep_at)
    ):
        # the point's cross-field checks (the stage files' CONFIG_CHECKS), naming the point
        stop_on_error(
            check_config,
            point_cfg,
            CONFIG_CHECKS,
            f"sweeps.{sweep}, point {point_folder}: ",
        )
        sweep_module = SWEEP_MODULE.format(sweep=sweep, index=point_index)
        sweep_rule_ = f"{sweep_module}_"

        module:
            name: sweep_module
            snakefile:
                SNAKEFILE
            config:
                point_cfg
            replace_prefix:
                point_prefixes(sweep, point_folder)

        use rule * from sweep_module exclude all as sweep_rule_*

    rule:
        name:
            f"sweep_table_{sweep}"
        input:
            tables=[path for *_, path in layout],
            platform=PLATFORM,
            library=library("pipeline.sweep"),
        output:
            table=ARTIFACT["sweep_table"].format(sweep=sweep),
            spread=ARTIFACT["sweep_spread"].format(sweep=sweep),
        log:
            f"logs/sweeps/{sweep}/table.log",
        localrule: True
        conda:
            ENV
        params:
            settings=[settings for settings, _ in sweep_at],
            layout=[(index, stage, name) for index, stage, name, _ in layout],
            options=[
                headline_options(cfg, config["sweeps"][sweep]["stages"])
                for cfg in point_configs
            ],
            grid=list(config["sweeps"][sweep].get("grid", {})),
        script:
            "../scripts/sweep_table.py"

    rule:
        name:
            f"sweep_figure_{sweep}"
        input:
            table=ARTIFACT["sweep_table"].format(sweep=sweep),
            spread=ARTIFACT["sweep_spread"].format(sweep=sweep),
            platform=PLATFORM,
            library=library("pipeline.sweep_figures", "plotstyle"),
        output:
            report(
                SWEEP_FIGURE.format(sweep=sweep),
                caption="../report/sweep_spread.rst",
                category=SWEEP_CATEGORY,
                labels={"item": f"figure: sweep {sweep}"},
            ),
        log:
            f"logs/sweeps/{sweep}/figure.log",
        localrule: True
        conda:
            ENV
        params:
            function="pipeline.sweep_figures.spread",
            options={
                "sweep": sweep,
                "grid": list(config["sweeps"][sweep].get("grid", {})),
                "zipped": list(config["sweeps"][sweep].get("zip", {})),
                "stages": config["sweeps"][sweep]["stages"],
            },
            size=scaled_size((10.0, 6.0)),
            dpi=config["figures"]["dpi"],
        script:
            "../scripts/figure.py"
