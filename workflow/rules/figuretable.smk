# The figures, one record each: the lecture's (1-13) here, every later stage's in its own rule
# file (FIGURES.update, in the stage files' include order). A figure is its record, its function
# (lvebm.figures or the stage's figure module) and its caption workflow/report/fig{name}.rst; its
# rule (figures.smk), its place in the report and the tests' expectations all derive from the
# record.

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


def _curve():
    """z range and marker step of the energy curves (figures 5 and 10), in radians."""
    curve = config["mesh"]["curve"]
    return {
        "z_range": [curve["start_pi"] * math.pi, curve["stop_pi"] * math.pi],
        "marker_step": math.pi / curve["markers_per_pi"],
    }


_FIG = config["figures"]


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
