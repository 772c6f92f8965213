# The values each job reads from the config, passed through params: (plain Python values).

import math

from lvebm.meshgrid import mesh_size, shard_bounds
from lvebm.methods import ITERATIVE, options_from_config
from lvebm.temperatures import beta_label, with_zero_temperature


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


# Finite temperature: the configured betas and beta = inf, as they appear in file names.
RELAXED_BETAS = [
    beta_label(beta) for beta in with_zero_temperature(config["relaxed"]["betas"])
]


# Training: the configured finite betas and beta = inf, as they appear in file names.
TRAINING_BETAS = [
    beta_label(b) for b in with_zero_temperature(config["training"]["betas"])
]


REFERENCE_METHOD = config["training"]["methods"][0]


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


def relaxed_mesh_params(wildcards):
    """beta of one relaxed mesh job and its latent grid (none at beta = inf: the exact F_inf)."""
    beta = float(wildcards.beta)
    return {"beta": beta, "n": None if math.isinf(beta) else config["latent"]["n"]}


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


def curve_params():
    curve = config["mesh"]["curve"]
    return {
        "z_start": curve["start_pi"] * math.pi,
        "z_stop": curve["stop_pi"] * math.pi,
        "step": math.pi / curve["markers_per_pi"],
        "oversample": curve["oversample"],
    }
