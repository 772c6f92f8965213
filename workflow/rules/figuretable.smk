# The figures, one record each: the function of lvebm.figures, its named inputs, its base size,
# its report category; and the options each one reads from the config.

# The figures: name -> function of lvebm.figures, inputs, base size (inches), report category.
SAMPLES = "results/data/samples.parquet"


ENERGIES = "results/energy/energies.parquet"


MESH = "results/mesh/free_energy.parquet"


HIGHLIGHT = "results/mesh/highlight.parquet"


SEARCH = config["figures"]["search_optimizer"]


SEARCH_RESULTS = f"results/inference/samples/{SEARCH}.parquet"


LECTURE, BEYOND = "Figures of the lecture", "Beyond the lecture"


WARM = "Finite temperature"


TRAINING = "Training"


CONDITIONAL_CATEGORY = "Conditional horn"


FIGURES = {
    "01_horn": ("horn", {"horn": "results/data/horn.parquet"}, (7.5, 6.0), LECTURE),
    "02_samples": (
        "samples",
        {"samples": SAMPLES, "energies": ENERGIES},
        (7.0, 5.0),
        LECTURE,
    ),
    "03_graph": ("computation_graph", {}, (6.0, 4.6), LECTURE),
    "04_energies": ("energies", {"energies": ENERGIES}, (12.0, 7.0), LECTURE),
    "05_energy_23": (
        "focus_energy",
        {"energies": ENERGIES, "inference": SEARCH_RESULTS},
        (9.0, 4.5),
        LECTURE,
    ),
    "06_latent": (
        "latent_plane",
        {"samples": SAMPLES, "energies": ENERGIES},
        (7.0, 5.0),
        LECTURE,
    ),
    "07_search": (
        "search",
        {
            "samples": SAMPLES,
            "energies": ENERGIES,
            "inference": SEARCH_RESULTS,
            "trace": f"results/inference/samples/{SEARCH}_trace.parquet",
        },
        (7.0, 5.0),
        LECTURE,
    ),
    "08_mesh": (
        "mesh_minimisers",
        {"mesh": MESH, "energies": ENERGIES},
        (7.5, 5.2),
        LECTURE,
    ),
    "09_highlight": (
        "highlighted",
        {"mesh": MESH, "energies": ENERGIES, "highlight": HIGHLIGHT},
        (7.5, 5.2),
        LECTURE,
    ),
    "10_highlight_energies": (
        "highlighted_energies",
        {"highlight": HIGHLIGHT},
        (9.0, 5.0),
        LECTURE,
    ),
    "11_free_energy": (
        "free_energy_map",
        {"mesh": MESH, "samples": SAMPLES},
        (8.5, 5.2),
        LECTURE,
    ),
    "12_optimizers": (
        "optimizer_comparison",
        {"summary": "results/inference/summary.parquet"},
        (13.0, 4.6),
        BEYOND,
    ),
    "13_local_minima": (
        "local_minima",
        {
            "mesh": MESH,
            **{
                f"mesh_{name}": f"results/inference/mesh/{name}.parquet"
                for name in OPTIMIZERS
                if name != "exact"
            },
        },
        (12.0, 6.5),
        BEYOND,
    ),
    "14_relaxed_cross_section": (
        "relaxed_cross_section",
        {"cross_section": "results/relaxed/cross_section.parquet"},
        (9.0, 5.0),
        WARM,
    ),
    "15_softmin_weights": (
        "softmin_weights",
        {
            "weights": "results/relaxed/weights.parquet",
            "samples": SAMPLES,
            "energies": ENERGIES,
        },
        (13.0, 4.6),
        WARM,
    ),
    "16_relaxed_free_energy": (
        "relaxed_free_energy",
        {
            "samples": SAMPLES,
            **{
                f"mesh_{k}": RELAXED_MESH.format(beta=beta)
                for k, beta in enumerate(RELAXED_BETAS, start=1)
            },
        },
        (13.0, 6.6),
        WARM,
    ),
    "17_grid_vs_continuous": (
        "grid_vs_continuous",
        {"grid_error": "results/relaxed/grid_error.parquet"},
        (12.0, 4.8),
        WARM,
    ),
    "18_training": (
        "training_panels",
        {
            "maps": "results/training/maps.parquet",
            "weights": "results/training/warm_weights.parquet",
            "closest": "results/training/closest.parquet",
            "samples": SAMPLES,
        },
        (12.0, 9.0),
        TRAINING,
    ),
    "19_trained_cross_section": (
        "relaxed_cross_section",
        {"cross_section": "results/training/cross_section.parquet"},
        (9.0, 5.0),
        TRAINING,
    ),
    "20_training_paths": (
        "training_paths",
        {
            "learning_rates": "results/training/learning_rates.parquet",
            **{
                f"{table}_{k}": TRAINING_RUN.format(beta=beta, table=table)
                for k, beta in enumerate(TRAINING_BETAS, start=1)
                for table in ("trajectory", "landscape")
            },
        },
        (13.0, 8.0),
        TRAINING,
    ),
    "21_temperature": (
        "temperature",
        {"temperature": "results/training/temperature.parquet"},
        (9.0, 5.0),
        TRAINING,
    ),
    "22_denoising": (
        "denoising",
        {
            "denoise": "results/training/denoise.parquet",
            "summary": "results/training/summary.parquet",
        },
        (12.0, 5.0),
        TRAINING,
    ),
    "23_conditional_untrained": (
        "conditional_manifold",
        {
            "radii": CONDITIONAL.format(table="radii"),
            "horn": "results/data/horn.parquet",
        },
        (8.0, 6.5),
        CONDITIONAL_CATEGORY,
    ),
    "24_conditional_trained": (
        "conditional_manifold",
        {
            "radii": CONDITIONAL.format(table="radii"),
            "horn": "results/data/horn.parquet",
        },
        (8.0, 6.5),
        CONDITIONAL_CATEGORY,
    ),
    "25_regression_baseline": (
        "regression_baseline",
        {
            "radii": CONDITIONAL.format(table="radii"),
            "horn": "results/data/horn.parquet",
        },
        (8.0, 6.5),
        CONDITIONAL_CATEGORY,
    ),
    "26_conditional_free_energy": (
        "conditional_free_energy",
        {
            "maps": CONDITIONAL.format(table="maps"),
            "held_out": CONDITIONAL.format(table="free_energy"),
        },
        (13.0, 4.8),
        CONDITIONAL_CATEGORY,
    ),
}


def figure_size(figure):
    scale = config["figures"]["scale"]
    return [round(side * scale, 4) for side in FIGURES[figure][2]]


def figure_options(figure):
    """The values a figure's function takes besides data and size: plain values from config."""
    fig = config["figures"]
    curve = config["mesh"]["curve"]
    z_range = [curve["start_pi"] * math.pi, curve["stop_pi"] * math.pi]
    focus = {"focus": config["inference"]["focus"]}
    options = {
        "05_energy_23": {
            **focus,
            "optimizer": SEARCH,
            "z_range": z_range,
            "marker_step": math.pi / curve["markers_per_pi"],
        },
        "06_latent": focus,
        "07_search": {**focus, "optimizer": SEARCH, "decoder": decoder_params()},
        "08_mesh": {"decoder": decoder_params(), "max_points": fig["max_points"]},
        "09_highlight": {"max_points": fig["max_points"]},
        "10_highlight_energies": {"z_range": z_range},
        "11_free_energy": {"vmax": fig["vmax"], "max_arrows": fig["max_arrows"]},
        "13_local_minima": {
            "optimizers": [name for name in OPTIMIZERS if name != "exact"],
            "z_init": config["inference"]["z_init"],
            "max_points": fig["max_points"],
        },
        "14_relaxed_cross_section": {"ymax": 5.0},  # the lecture's y axis, 0 to 5
        "15_softmin_weights": {"beta": config["relaxed"]["weights_beta"]},
        "16_relaxed_free_energy": {
            "betas": RELAXED_BETAS,
            "vmax": 5.0,  # the cross-section's axis: hot F_beta lies well above F_inf's 0 to 2
            "max_arrows": fig["max_arrows"],
        },
        "17_grid_vs_continuous": {"n": config["latent"]["n"]},
        "19_trained_cross_section": {
            "ymax": 6.0,  # the lecture's axis for the trained model
            "title": "Trained at zero temperature, evaluated at every beta",
        },
        "20_training_paths": {"betas": TRAINING_BETAS},
        "23_conditional_untrained": {"model": "untrained", "n": config["latent"]["n"]},
        "24_conditional_trained": {"model": "trained", "n": config["latent"]["n"]},
        "26_conditional_free_energy": {
            "window": config["conditional"]["maps"]["window"]
        },
    }
    return options.get(figure, {})
