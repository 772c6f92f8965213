# Sweeps (config `sweeps`, lvebm.pipeline.sweep): each point of a sweep runs the workflow's own
# rules, its jobs told apart by the point wildcard (common.smk): its artifacts, logs and
# benchmarks under sweeps/<sweep>/<key~value>/..., its params from its own config (the run's with
# the point's values). No rule is copied; a changed value reruns only its point's jobs; they are
# ordinary jobs on any executor. Only the jobs behind the sweep's stages' headline tables run.
# Per sweep: its table (one row per point) and spread (median and band per number), both in the
# report, and a figure.

from lvebm.pipeline.config import check_config, stop_on_error, sweep_points
from lvebm.pipeline.jobgraph import MAIN_RUN, SWEEPS as SWEEP_CATEGORY
from lvebm.pipeline.jobgraph import (
    at_point,
    headline_options,
    point_prefix,
    sweep_layout,
)

SWEEP_FIGURE = "results/sweeps/{sweep}/spread.png"
SWEEP_TABLE = at_point(PATHS["sweep_table"], MAIN_RUN)
SWEEP_SPREAD = at_point(PATHS["sweep_spread"], MAIN_RUN)

SWEEPS = sweep_points(config)  # {sweep: [(settings, folder), ...]}


TARGETS += [
    path
    for sweep in SWEEPS
    for path in (
        SWEEP_TABLE.format(sweep=sweep),
        SWEEP_SPREAD.format(sweep=sweep),
        SWEEP_FIGURE.format(sweep=sweep),
    )
]
REPORT_TABLES.update(
    {
        f"sweep_{sweep}{part}": (
            path.format(sweep=sweep),
            SWEEP_CATEGORY,
            f"Sweep {sweep}: {title}",
        )
        for sweep in SWEEPS
        for part, path, title in (
            (
                "",
                SWEEP_TABLE,
                "one row per point, its settings and the stages' headline numbers",
            ),
            (
                "_spread",
                SWEEP_SPREAD,
                "per number, the median with the 10-90 % band, or a rate with its 95 % interval",
            ),
        )
    }
)


for sweep, sweep_at in SWEEPS.items():
    # the points' configs, as common.smk built them for the rules (CONFIGS)
    point_configs = [CONFIGS[point_prefix(sweep, folder)] for _, folder in sweep_at]
    layout = sweep_layout(
        sweep, sweep_at, config["sweeps"][sweep]["stages"], HEADLINE_TABLES
    )
    # each point's cross-field checks (the stage files' CONFIG_CHECKS), naming the point
    for point_cfg, (_, point_folder) in zip(point_configs, sweep_at):
        stop_on_error(
            check_config,
            point_cfg,
            CONFIG_CHECKS,
            f"sweeps.{sweep}, point {point_folder}: ",
        )

    rule:
        name:
            f"sweep_table_{sweep}"
        input:
            script=script_file("sweep_table"),
            tables=[path for *_, path in layout],
            platform=at_point(PLATFORM_RECORD, MAIN_RUN),
            library=library("pipeline.sweep"),
        output:
            table=SWEEP_TABLE.format(sweep=sweep),
            spread=SWEEP_SPREAD.format(sweep=sweep),
        log:
            f"logs/sweep_table_{sweep}/table.log",
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
            script=script_file("figure"),
            table=SWEEP_TABLE.format(sweep=sweep),
            spread=SWEEP_SPREAD.format(sweep=sweep),
            platform=at_point(PLATFORM_RECORD, MAIN_RUN),
            library=library("pipeline.sweep_figures", "plotstyle"),
        output:
            report(
                SWEEP_FIGURE.format(sweep=sweep),
                caption="../report/sweep_spread.rst",
                category=SWEEP_CATEGORY,
                labels={"item": f"figure: sweep {sweep}"},
            ),
        log:
            f"logs/sweep_figure_{sweep}/figure.log",
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
            size=scaled_size((14.0, 6.5)),
            dpi=config["figures"]["dpi"],
        script:
            "../scripts/figure.py"
