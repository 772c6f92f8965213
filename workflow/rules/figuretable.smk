# The figures, one record each. A figure is its record here, its function in lvebm.figures and its
# caption workflow/report/fig{name}.rst; its rule (figures.smk), its place in the report and the
# tests' expectations all derive from the record.

from typing import NamedTuple

from lvebm.methods import METHODS


class Figure(NamedTuple):
    # the function that draws it: a function of lvebm.figures, or "module.function" of a stage's
    # own figure module (lvebm.<module>)
    function: str
    inputs: dict  # artifact paths by name; the function receives them by these names
    size: tuple  # base size in inches, times figures.scale
    category: str  # its section of the report
    # the function's keyword options besides size: plain values from config
    options: dict = {}


SAMPLES = "results/data/samples.parquet"


ENERGIES = "results/energy/energies.parquet"


MESH = "results/mesh/free_energy.parquet"


HIGHLIGHT = "results/mesh/highlight.parquet"


HORN = "results/data/horn.parquet"


SEARCH = config["figures"]["search_optimizer"]


SEARCH_RESULTS = f"results/inference/samples/{SEARCH}.parquet"


LECTURE, BEYOND = "Figures of the lecture", "Beyond the lecture"


WARM, TRAINING, CONDITIONAL_CATEGORY, PROBABILISTIC_CATEGORY = (
    "Finite temperature",
    "Training",
    "Conditional horn",
    "Probabilistic reading",
)


def _curve():
    """z range and marker step of the energy curves (figures 5 and 10), in radians."""
    curve = config["mesh"]["curve"]
    return {
        "z_range": [curve["start_pi"] * math.pi, curve["stop_pi"] * math.pi],
        "marker_step": math.pi / curve["markers_per_pi"],
    }


_FIG = config["figures"]
# the colour scale's top of the finite-temperature maps (figures 16 and 18's warm row): the
# cross-section's axis, since hot F_beta lies well above F_inf's 0 to 2
RELAXED_VMAX = 5.0


_FOCUS = config["inference"]["focus"]


FIGURES = {
    "01_horn": Figure("horn", {"horn": HORN}, (7.5, 6.0), LECTURE),
    "02_samples": Figure(
        "samples", {"samples": SAMPLES, "energies": ENERGIES}, (7.0, 5.0), LECTURE
    ),
    "03_graph": Figure("computation_graph", {}, (6.0, 4.6), LECTURE),
    "04_energies": Figure("energies", {"energies": ENERGIES}, (12.0, 7.0), LECTURE),
    "05_energy_23": Figure(
        "focus_energy",
        {"energies": ENERGIES, "inference": SEARCH_RESULTS},
        (9.0, 4.5),
        LECTURE,
        {"focus": _FOCUS, "optimizer": SEARCH, **_curve()},
    ),
    "06_latent": Figure(
        "latent_plane",
        {"samples": SAMPLES, "energies": ENERGIES},
        (7.0, 5.0),
        LECTURE,
        {"focus": _FOCUS},
    ),
    "07_search": Figure(
        "search",
        {
            "samples": SAMPLES,
            "energies": ENERGIES,
            "inference": SEARCH_RESULTS,
            "trace": f"results/inference/samples/{SEARCH}_trace.parquet",
        },
        (7.0, 5.0),
        LECTURE,
        {"focus": _FOCUS, "optimizer": SEARCH, "decoder": decoder_params()},
    ),
    "08_mesh": Figure(
        "mesh_minimisers",
        {"mesh": MESH, "energies": ENERGIES},
        (7.5, 5.2),
        LECTURE,
        {"decoder": decoder_params(), "max_points": _FIG["max_points"]},
    ),
    "09_highlight": Figure(
        "highlighted",
        {"mesh": MESH, "energies": ENERGIES, "highlight": HIGHLIGHT},
        (7.5, 5.2),
        LECTURE,
        {"max_points": _FIG["max_points"]},
    ),
    "10_highlight_energies": Figure(
        "highlighted_energies",
        {"highlight": HIGHLIGHT},
        (9.0, 5.0),
        LECTURE,
        {"z_range": _curve()["z_range"]},
    ),
    "11_free_energy": Figure(
        "free_energy_map",
        {"mesh": MESH, "samples": SAMPLES},
        (8.5, 5.2),
        LECTURE,
        {"vmax": _FIG["vmax"], "max_arrows": _FIG["max_arrows"]},
    ),
    "12_optimizers": Figure(
        "optimizer_comparison",
        {"summary": "results/inference/summary.parquet"},
        (13.0, 4.6),
        BEYOND,
    ),
    "13_local_minima": Figure(
        "local_minima",
        {
            "mesh": MESH,
            **{
                f"mesh_{name}": f"results/inference/mesh/{name}.parquet"
                for name in OPTIMIZERS
                if not METHODS[name].reference
            },
        },
        (12.0, 6.5),
        BEYOND,
        {
            "optimizers": [name for name in OPTIMIZERS if not METHODS[name].reference],
            "z_init": config["inference"]["z_init"],
            "max_points": _FIG["max_points"],
            "vmax": _FIG["vmax"],  # figure 11's colour scale
        },
    ),
    "14_relaxed_cross_section": Figure(
        "relaxed_figures.relaxed_cross_section",
        {"cross_section": "results/relaxed/cross_section.parquet"},
        (9.0, 5.0),
        WARM,
        {"ymax": 5.0},  # the lecture's y axis, 0 to 5
    ),
    "15_softmin_weights": Figure(
        "relaxed_figures.softmin_weights",
        {
            "weights": "results/relaxed/weights.parquet",
            "samples": SAMPLES,
            "energies": ENERGIES,
        },
        (13.0, 4.6),
        WARM,
        {"beta": config["relaxed"]["weights_beta"]},
    ),
    "16_relaxed_free_energy": Figure(
        "relaxed_figures.relaxed_free_energy",
        {
            "samples": SAMPLES,
            **{
                f"mesh_{k}": RELAXED_MESH.format(beta=beta)
                for k, beta in enumerate(RELAXED_BETAS, start=1)
            },
        },
        (13.0, 6.6),
        WARM,
        {
            "betas": RELAXED_BETAS,
            "vmax": RELAXED_VMAX,
            "max_arrows": _FIG["max_arrows"],
        },
    ),
    "17_grid_vs_continuous": Figure(
        "relaxed_figures.grid_vs_continuous",
        {"grid_error": "results/relaxed/grid_error.parquet"},
        (12.0, 4.8),
        WARM,
        {"n": config["latent"]["n"]},
    ),
    "18_training": Figure(
        "training_figures.training_panels",
        {
            "maps": "results/training/maps.parquet",
            "weights": "results/training/warm_weights.parquet",
            "closest": "results/training/closest.parquet",
            "samples": SAMPLES,
        },
        (12.0, 9.0),
        TRAINING,
        # cold maps on figure 11's scale, warm ones on the relaxed maps' (figure 16)
        {"vmax": _FIG["vmax"], "warm_vmax": RELAXED_VMAX},
    ),
    "19_trained_cross_section": Figure(
        "relaxed_figures.relaxed_cross_section",
        {"cross_section": "results/training/cross_section.parquet"},
        (9.0, 5.0),
        TRAINING,
        {
            "ymax": 6.0,  # the lecture's axis for the trained model
            "title": "Trained at zero temperature, evaluated at every beta",
        },
    ),
    "20_training_paths": Figure(
        "training_figures.training_paths",
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
        {"betas": TRAINING_BETAS},
    ),
    "21_temperature": Figure(
        "training_figures.temperature",
        {"temperature": "results/training/temperature.parquet"},
        (9.0, 5.0),
        TRAINING,
    ),
    "22_denoising": Figure(
        "training_figures.denoising",
        {
            "denoise": "results/training/denoise.parquet",
            "summary": "results/training/summary.parquet",
        },
        (12.0, 5.0),
        TRAINING,
    ),
    "23_conditional_untrained": Figure(
        "conditional_figures.conditional_manifold",
        {"radii": CONDITIONAL.format(table="radii"), "horn": HORN},
        (8.0, 6.5),
        CONDITIONAL_CATEGORY,
        {"model": "untrained", "n": config["latent"]["n"]},
    ),
    "24_conditional_trained": Figure(
        "conditional_figures.conditional_manifold",
        {"radii": CONDITIONAL.format(table="radii"), "horn": HORN},
        (8.0, 6.5),
        CONDITIONAL_CATEGORY,
        {"model": "trained", "n": config["latent"]["n"]},
    ),
    "25_regression_baseline": Figure(
        "conditional_figures.regression_baseline",
        {"radii": CONDITIONAL.format(table="radii"), "horn": HORN},
        (8.0, 6.5),
        CONDITIONAL_CATEGORY,
    ),
    "26_conditional_free_energy": Figure(
        "conditional_figures.conditional_free_energy",
        {
            "maps": CONDITIONAL.format(table="maps"),
            "held_out": CONDITIONAL.format(table="free_energy"),
        },
        (13.0, 4.8),
        CONDITIONAL_CATEGORY,
        # the log scale's floor: below the held-out samples' F_inf (the noise, about 0.0025)
        {"window": config["conditional"]["maps"]["window"], "floor": 1e-3},
    ),
    "27_em": Figure(
        "probabilistic_figures.em_path",
        {"em": "results/probabilistic/em.parquet"},
        (12.0, 4.8),
        PROBABILISTIC_CATEGORY,
        {"noise_std": config["data"]["noise_std"], "n": config["latent"]["n"]},
    ),
    "28_model_samples": Figure(
        "probabilistic_figures.model_samples",
        {
            "model_samples": "results/probabilistic/model_samples.parquet",
            "samples": SAMPLES,
        },
        (11.0, 5.0),
        PROBABILISTIC_CATEGORY,
    ),
    "29_held_out_likelihood": Figure(
        "probabilistic_figures.held_out_likelihood",
        {"held_out": "results/probabilistic/held_out.parquet"},
        (9.0, 5.0),
        PROBABILISTIC_CATEGORY,
    ),
}


def figure_module(figure):
    """The library module whose function draws the figure."""
    return figure.function.rpartition(".")[0] or "figures"


def figure_size(figure):
    """The figure's size in inches: its record's base size times figures.scale."""
    return scaled_size(figure.size)


def scaled_size(size):
    """A base size in inches times figures.scale."""
    return [round(side * _FIG["scale"], 4) for side in size]
