# Helpers of the workflow: cross-field config checks, params lookups, library inputs, targets.
# Rule files hold rules only; every Python helper they call lives here.

import os
from pathlib import Path

LIBRARY = Path(workflow.basedir) / "src" / "lvebm"
ENV = "../../environment.yml"


class ConfigError(ValueError):
    """A config value the schema allows but the pipeline cannot use."""


def _fail(key, value, allowed):
    raise ConfigError(f"config key '{key}' = {value!r} is invalid: {allowed}")


def check_config(cfg):
    """Cross-field rules the JSON schema cannot state; raise ConfigError naming the key."""
    n = cfg["data"]["slice"]["n"]
    if cfg["inference"]["focus"] > n:
        _fail(
            "inference.focus",
            cfg["inference"]["focus"],
            f"must be a sample label from 1 to data.slice.n = {n}",
        )
    for name in ("w1", "w2"):
        if cfg["decoder"][name] == 0:
            _fail(
                f"decoder.{name}",
                0,
                "must be non-zero (a zero weight makes the decoder degenerate)",
            )
    for axis in ("y1", "y2"):
        spec = cfg["mesh"][axis]
        if not spec["start"] < spec["stop"]:
            _fail(
                f"mesh.{axis}.start",
                spec["start"],
                f"must be less than mesh.{axis}.stop = {spec['stop']}",
            )
    points = cfg["mesh"]["y1"]["num"] * cfg["mesh"]["y2"]["num"]
    if cfg["mesh"]["shards"] > points:
        _fail(
            "mesh.shards",
            cfg["mesh"]["shards"],
            f"must be at most the {points} mesh points",
        )
    for name in ("line_search", "conjugate_gradient"):
        c1, c2 = cfg["inference"][name]["c1"], cfg["inference"][name]["c2"]
        if not c1 < c2:
            _fail(
                f"inference.{name}.c2",
                c2,
                f"must be greater than inference.{name}.c1 = {c1}",
            )


check_config(config)


def library(*modules):
    """The library files a rule's code imports, as inputs: editing one reruns the rule."""
    files = ["__init__.py", "io.py", *(f"{module}.py" for module in modules)]
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
ITERATIVE = ["gradient_descent", "line_search", "conjugate_gradient", "lbfgs", "newton"]


def optimizer_options(name):
    """The options of one optimizer, exactly the config values it uses."""
    inference = config["inference"]
    if name == "exhaustive":
        return {"n": config["latent"]["n"]}
    if name == "exact":
        return {}
    common = {"gtol": inference["gtol"], "max_iter": inference["max_iter"]}
    return {**common, **inference[name]}


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
    """The mesh axes for the mesh point set; nothing for the samples (they come as input)."""
    return mesh_axes() if wildcards.points == "mesh" else {}


def point_set_input(wildcards):
    if wildcards.points == "samples":
        return {"points": "results/data/samples.parquet"}
    return {}


def inference_outputs():
    return expand(
        "results/inference/{points}/{optimizer}.parquet",
        points=POINT_SETS,
        optimizer=OPTIMIZERS,
    )


def all_targets():
    return [
        "results/data/horn.parquet",
        "results/data/samples.parquet",
        "results/energy/energies.parquet",
        "results/inference/summary.parquet",
    ]
