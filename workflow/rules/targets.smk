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
        *relaxed_outputs(),
        *training_outputs(),
        *conditional_outputs(),
        *probabilistic_outputs(),
        *AMORTIZED_OUTPUTS,
        *EXPLORER_OUTPUTS,
        LANDING,
        *sweep_outputs(),
        *(REPORT_TABLE.format(name=name) for name in REPORT_TABLES),
        *figure_outputs(),
    ]


RELAXED_MESH = "results/relaxed/free_energy/beta~{beta}.parquet"


def relaxed_outputs():
    return [
        "results/relaxed/cross_section.parquet",
        "results/relaxed/weights.parquet",
        "results/relaxed/grid_error.parquet",
        *expand(RELAXED_MESH, beta=RELAXED_BETAS),
    ]


TRAINING_RUN = "results/training/beta~{beta}/{table}.parquet"


def training_outputs():
    return [
        *expand(
            TRAINING_RUN,
            beta=TRAINING_BETAS,
            table=["trajectory", "landscape", "result"],
        ),
        *(
            f"results/training/{name}.parquet"
            for name in (
                "summary",
                "cross_section",
                "denoise",
                "learning_rates",
                "temperature",
                "maps",
                "warm_weights",
                "closest",
            )
        ),
    ]


# The conditional horn's artifacts.
CONDITIONAL = "results/conditional/{table}.parquet"
PROBABILISTIC = "results/probabilistic/{table}.parquet"


def probabilistic_outputs():
    return expand(PROBABILISTIC, table=["em", "model_samples", "held_out"])


def conditional_outputs():
    return expand(
        CONDITIONAL, table=["params", "trajectory", "radii", "free_energy", "maps"]
    )


def figure_path(figure):
    return f"results/figures/fig{figure}.png"


def figure_outputs():
    return [figure_path(figure) for figure in FIGURES]
