# The artifacts: the default target's list, and the names the rules and figures share.


def inference_outputs():
    """The inference tables of every optimizer and point set."""
    return expand(
        "results/inference/{points}/{optimizer}.parquet",
        points=POINT_SETS,
        optimizer=OPTIMIZERS,
    )


def trace_outputs():
    """The iterates of every optimizer: on the samples, and on the mesh if inference.mesh_trace."""
    return expand(
        "results/inference/{points}/{optimizer}_trace.parquet",
        points=POINT_SETS if config["inference"]["mesh_trace"] else ["samples"],
        optimizer=OPTIMIZERS,
    )


def all_targets():
    return [
        PLATFORM,
        "results/data/horn.parquet",
        "results/data/samples.parquet",
        "results/energy/energies.parquet",
        *inference_outputs(),
        *trace_outputs(),
        "results/inference/summary.parquet",
        "results/mesh/free_energy.parquet",
        "results/mesh/highlight.parquet",
        *RELAXED_OUTPUTS,
        *TRAINING_OUTPUTS,
        *CONDITIONAL_OUTPUTS,
        *PROBABILISTIC_OUTPUTS,
        *AMORTIZED_OUTPUTS,
        *EXPLORER_OUTPUTS,
        LANDING,
        *sweep_outputs(),
        *(REPORT_TABLE.format(name=name) for name in REPORT_TABLES),
        *figure_outputs(),
    ]


def figure_path(figure):
    return f"results/figures/fig{figure}.png"


def figure_outputs():
    return [figure_path(figure) for figure in FIGURES]
