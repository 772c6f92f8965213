# Helpers of the workflow: params lookups, library inputs, targets, resources (the config checks
# are in checks.smk). Rule files hold rules only; every Python helper they call lives here.

import ast
import math
import os
from pathlib import Path

from lvebm.meshgrid import mesh_size, shard_bounds
from lvebm.methods import ITERATIVE, options_from_config
from lvebm.relaxed import beta_label, with_zero_temperature

# This file's own folder, not workflow.basedir: used as a module, the basedir is the caller's.
LIBRARY = Path(workflow.current_basedir).parents[1] / "src" / "lvebm"
# The conda environment of the jobs (--sdm conda): the scripts' imports and the lvebm package,
# which pip installs from LVEBM_ROOT, this clone (set here; conda and pip inherit it).
ENV = "../envs/lvebm.yaml"
os.environ.update(LVEBM_ROOT=str(LIBRARY.parents[1]))


def _lvebm_imports(name):
    """The lvebm modules that the library file ``name`` imports (lvebm.x -> "x.py")."""
    tree = ast.parse((LIBRARY / name).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lvebm."):
            yield node.module.split(".")[1] + ".py"


def library(*modules):
    """The library files a rule's code imports, with what they import in turn, as inputs:
    editing one reruns the rule."""
    files = ["__init__.py", "io.py", *(f"{module}.py" for module in modules)]
    for name in files:  # grows while it is walked: the closure under imports
        files += [found for found in _lvebm_imports(name) if found not in files]
    return [os.path.relpath(LIBRARY / name) for name in files]


def data_params():
    """Parameters of the horn and slice samplers (plain Python values)."""
    data = config["data"]
    return dict(
        seed=config["seed"],
        alpha=data["alpha"],
        beta=data["beta"],
        noise_std=data["noise_std"],
    )


def decoder_params():
    return dict(w1=config["decoder"]["w1"], w2=config["decoder"]["w2"])


OPTIMIZERS = config["inference"]["optimizers"]
POINT_SETS = ["samples", "mesh"]


def optimizer_options(name):
    """The options of one optimizer, exactly the config values it uses (its record in
    lvebm.methods says which)."""
    return options_from_config(name, config)


def inference_params(wildcards):
    """What the infer job of one optimizer uses: options, start and tolerance (if it has them)."""
    name = wildcards.optimizer
    params = {"options": optimizer_options(name)}
    if name in ITERATIVE:
        params["z_init"] = config["inference"]["z_init"]
        params["global_tol"] = config["inference"]["global_tol"]
    return params


def mesh_axes():
    return {
        "y1_axis": dict(config["mesh"]["y1"]),
        "y2_axis": dict(config["mesh"]["y2"]),
    }


def point_set_params(wildcards):
    """The mesh axes and block size for the mesh point set; nothing for the samples (input)."""
    if wildcards.points == "mesh":
        return {**mesh_axes(), "chunk": config["mesh"]["chunk"]}
    return {}


def point_set_input(wildcards):
    if wildcards.points == "samples":
        return {"points": "results/data/samples.parquet"}
    return {}


def inference_outputs(tables=("{optimizer}",)):
    """The inference tables of every optimizer and point set (with "{optimizer}_trace", the
    traces too)."""
    return expand(
        [f"results/inference/{{points}}/{table}.parquet" for table in tables],
        points=POINT_SETS,
        optimizer=OPTIMIZERS,
    )


def all_targets():
    return [
        "results/data/horn.parquet",
        "results/data/samples.parquet",
        "results/energy/energies.parquet",
        *inference_outputs(tables=("{optimizer}", "{optimizer}_trace")),
        "results/inference/summary.parquet",
        "results/mesh/free_energy.parquet",
        "results/mesh/highlight.parquet",
        *relaxed_outputs(),
        *training_outputs(),
        *conditional_outputs(),
        *figure_outputs(),
    ]


# Finite temperature: the configured betas and beta = inf, as they appear in file names.
RELAXED_BETAS = [
    beta_label(beta) for beta in with_zero_temperature(config["relaxed"]["betas"])
]
RELAXED_MESH = "results/relaxed/free_energy/beta~{beta}.parquet"


def relaxed_outputs():
    return [
        "results/relaxed/cross_section.parquet",
        "results/relaxed/weights.parquet",
        "results/relaxed/grid_error.parquet",
        *expand(RELAXED_MESH, beta=RELAXED_BETAS),
    ]


# Training: the configured finite betas and beta = inf, as they appear in file names.
TRAINING_BETAS = [
    beta_label(b) for b in with_zero_temperature(config["training"]["betas"])
]
TRAINING_RUN = "results/training/beta~{beta}/{table}.parquet"
REFERENCE_METHOD = config["training"]["methods"][0]


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


def training_start():
    """The starting decoder: the untrained one, or the configured weights."""
    start = config["training"]["start"]
    return (
        decoder_params()
        if start == "decoder"
        else {"w1": start["w1"], "w2": start["w2"]}
    )


def training_latent():
    """Latents of F_beta at finite beta: the grid's size, or None for the continuous integral."""
    return config["latent"]["n"] if config["training"]["latent"] == "grid" else None


def training_params(wildcards):
    """What one training job uses; at beta = inf no latent grid (the exact solver)."""
    beta = float(wildcards.beta)
    training = config["training"]
    options = {
        key: training[key] for key in ("learning_rate", "epochs", "gtol", "max_iter")
    }
    return {
        "beta": beta,
        "methods": training["methods"],
        "n": None if math.isinf(beta) else training_latent(),
        "seed": config["seed"],
        **options,
    }


def lbfgs_options():
    return {
        "gtol": config["training"]["gtol"],
        "max_iter": config["training"]["max_iter"],
    }


# The conditional horn: the network's layer widths, its samples, its artifacts.
CONDITIONAL = "results/conditional/{table}.parquet"


def conditional_outputs():
    return expand(
        CONDITIONAL, table=["params", "trajectory", "radii", "free_energy", "maps"]
    )


def conditional_sizes():
    """f: 1 -> hidden ... -> 2 (x in, the two radii out)."""
    return [1, *config["conditional"]["hidden"], 2]


def conditional_samples(split):
    """The sampler's arguments for the conditional ``train`` or ``held_out`` horn samples."""
    return {"n": config["conditional"][split], "split": split, **data_params()}


def relaxed_mesh_params(wildcards):
    """beta of one relaxed mesh job and its latent grid (none at beta = inf: the exact F_inf)."""
    beta = float(wildcards.beta)
    return {"beta": beta, "n": None if math.isinf(beta) else config["latent"]["n"]}


def relaxed_shard_runtime(wildcards):
    """Minutes a relaxed shard job may take: its points times the grid's budget, at least 5."""
    bounds = shard_params(wildcards)
    return max(
        5,
        math.ceil(
            (bounds["stop"] - bounds["start"]) * SECONDS_PER_POINT["relaxed"] / 60
        ),
    )


# Resources of the jobs, totals per job, sized from the benchmark files (bench/mesh.py,
# bench/inference.py, benchmarks/): a job starts at about 170 MB RSS (Python, numpy, pyarrow);
# per-point cost budgets are about 5x the measured ones.
SECONDS_PER_POINT = {"exact": 1e-6, "exhaustive": 2e-6, "newton": 5e-6, "relaxed": 5e-6}
SECONDS_PER_POINT_ITERATIVE = 2e-5
BASE_MEM_MB = 400
BYTES_PER_CHUNK_POINT = 1200


def mesh_points_total():
    return mesh_size(config["mesh"]["y1"], config["mesh"]["y2"])


def shard_params(wildcards):
    """[start, stop) of the mesh block of shard ``{scatteritem}`` = "i-of-n" (0-based points)."""
    index, shards = (int(x) for x in wildcards.scatteritem.split("-of-"))
    start, stop = shard_bounds(mesh_points_total(), shards, index - 1)
    return {"start": start, "stop": stop}


def mesh_method_params():
    """The mesh method and, for an optimizer, its start and options."""
    method = config["mesh"]["method"]
    if method == "exact":
        return {"method": method}
    params = {"method": method, "options": optimizer_options(method)}
    if method in ITERATIVE:
        params["z_init"] = config["inference"]["z_init"]
    return params


def shard_mem_mb(wildcards):
    chunk = min(config["mesh"]["chunk"], mesh_points_total())
    return BASE_MEM_MB + chunk * BYTES_PER_CHUNK_POINT // 1_000_000


def shard_runtime(wildcards):
    """Minutes a shard job may take: its points times the method's budget, at least 5."""
    bounds = shard_params(wildcards)
    method = config["mesh"]["method"]
    per_point = SECONDS_PER_POINT.get(method, SECONDS_PER_POINT_ITERATIVE)
    return max(5, math.ceil((bounds["stop"] - bounds["start"]) * per_point / 60))


def curve_params():
    curve = config["mesh"]["curve"]
    return {
        "z_start": curve["start_pi"] * math.pi,
        "z_stop": curve["stop_pi"] * math.pi,
        "step": math.pi / curve["markers_per_pi"],
        "oversample": curve["oversample"],
    }


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


def figure_path(figure):
    return f"results/figures/fig{figure}.png"


def figure_outputs():
    return [figure_path(figure) for figure in FIGURES]


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


SMALL_JOB = {"mem_mb": 500, "runtime": 5}
TRACE_BYTES_PER_POINT = (
    4000  # results plus the trace of ~60 gradient-descent iterates per point
)


def infer_threads(wildcards):
    """The mesh's points are split over 2 threads (identical results; numpy releases the GIL);
    the samples are too few to split (fewer than one block of 4096 points)."""
    return 2 if wildcards.points == "mesh" else 1


def infer_mem_mb(wildcards):
    if wildcards.points == "samples":
        return SMALL_JOB["mem_mb"]
    chunk = min(config["mesh"]["chunk"], mesh_points_total())
    return BASE_MEM_MB + chunk * TRACE_BYTES_PER_POINT // 1_000_000


def infer_runtime(wildcards):
    if wildcards.points == "samples":
        return SMALL_JOB["runtime"]
    return max(5, math.ceil(mesh_points_total() * SECONDS_PER_POINT_ITERATIVE * 5 / 60))


def summary_mem_mb(wildcards):
    """The summary holds every inference table of the mesh (13 columns of 8 bytes) at once."""
    tables = mesh_points_total() * 13 * 8 * len(OPTIMIZERS) * 2
    return BASE_MEM_MB + tables // 1_000_000
