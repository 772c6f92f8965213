"""Precise reruns: changing any config key, or editing any library module, reruns exactly the jobs
downstream of it. Keys are enumerated from the schema, so a new key must get a row below."""

import ast
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from support import (
    CONFIG_PAGES,
    ROOT,
    SMALL_CONFIG_OVERRIDES,
    caption_sections,
    copy_project,
    deep_update,
    default_config,
    workflow_rules,
)

from lvebm.methods import ITERATIVE, METHODS
from lvebm.pipeline.config import resolve
from lvebm.pipeline.keys import apply, lookup
from lvebm.temperatures import with_zero_temperature

pytestmark = pytest.mark.pipeline

# every figure rule: one per figure record, named by its caption (tests/test_figures.py checks it)
FIGURES = sorted(f"figure_{name}" for name in caption_sections())
SAMPLERS = ["sample_horn", "sample_slice"]
MESH_JOBS = [
    "infer[points=mesh]",
    "free_energy_mesh",
    "gather_free_energy_mesh",
    "relaxed_free_energy_mesh",
    "gather_relaxed_free_energy",
    "training_maps",
]
# the trained decoder's three evaluations, one job each
CROSS, DENOISE, MAPS = "trained_cross_section", "denoise", "training_maps"
EVALUATE = [CROSS, DENOISE, MAPS]
TRAINED = ["train_decoder", "training_scans", DENOISE, MAPS]  # the jobs that read decoder.*
# the matrix's run is the small config's: its finite betas
SMALL = deep_update(default_config(), SMALL_CONFIG_OVERRIDES)
WARM_TRAINING = [f"train_decoder[beta={b}]" for b in SMALL["training"]["betas"]]
RELAXED = ["relaxed_cross_section", "relaxed_weights", "relaxed_grid_error"]
WARM_MESH = [f"relaxed_free_energy_mesh[beta={b}]" for b in SMALL["relaxed"]["betas"]]
CONDITIONAL = ["train_conditional", "evaluate_conditional"]  # both sample the horn
HELD_OUT = "held_out_likelihood"
PROBABILISTIC = ["fit_em", HELD_OUT]  # both sample: the model, the held-out slice
CURVE_JOBS = ["highlight_points", "figure_05_energy_23", "figure_10_highlight_energies"]
ENCODERS = ["train_encoder", "target_propagation", "amortization_gap", "warm_start"]
# the jobs that read the decoder of the inference stage, and those that read the mesh's box
# (target propagation starts from training.start, by default the decoder)
AMORTIZED_DECODER = [
    "train_encoder",
    "amortization_gap",
    "warm_start",
    "figure_30_encoder_latent",
    "figure_31_amortization_gap",
    "figure_32_warm_start",
    "target_propagation",
]
# the capacity stage maps F over the box and draws its negatives in it
CAPACITY = ["capacity_scan", "train_capacity"]
# the variational stage: its gap maps and encoders per beta, the draws (every beta's encoder)
VARIATIONAL = ["variational_gaps", "posterior_draws"]
BOX = ["train_encoder", "amortization_gap", "warm_start", *CAPACITY, "variational_gaps"]


# the small config's sweep (.test/config/config.yaml): two points, whose jobs are the same rules'
# with the point wildcard set to their folder (the run's own: empty); a key the sweep does not set
# reaches the points' jobs too (a row's rule names every point's jobs), the key it sets (seed)
# does not (sweep_jobs below: the run's own jobs alone)
POINTS = ["sweeps/pair/seed~709/", "sweeps/pair/seed~710/"]
SWEPT = {"seed"}

INFERENCE = ["infer", "trace"]  # the results, and the iterates (of the samples; see mesh_trace)


def iterative(*names):
    """The infer and trace jobs of the named optimizers (by default, the iterative ones)."""
    return [f"{rule}[optimizer={name}]" for name in (names or ITERATIVE) for rule in INFERENCE]


def own_options(method):
    """The config keys of a method's own options (its record's keys under inference.<name>)."""
    return [key for key in method.config.values() if key.startswith(f"inference.{method.name}.")]


# each iterative method's own options reach its infer and trace jobs and the warm starts (which
# run every iterative method of inference.optimizers; a method the run does not have reaches
# nothing): rows from the records, so that a new method's options need none here
OWN_OPTIONS = {
    key: [*iterative(name), "warm_start"] if name in SMALL["inference"]["optimizers"] else []
    for name, method in METHODS.items()
    if method.iterative
    for key in own_options(method)
}


# the jobs that read the decoder's weights (either of them)
DECODER_JOBS = [
    "evaluate_energies",
    *INFERENCE,
    "free_energy_mesh",
    "highlight_points",
    "figure_07_search",
    "figure_08_mesh",
    *RELAXED,
    "relaxed_free_energy_mesh",
    *TRAINED,
    *PROBABILISTIC,
    *AMORTIZED_DECODER,
    "explorer_data",
    "explorer_page",
    *CAPACITY,
    "figure_34_capacity_scan",
    *VARIATIONAL,
    "figure_37_approximation_gap",
    "figure_38_gap_decomposition",
]


# config key -> the jobs that read it (through params:); everything downstream of them must rerun.
# A job is a rule name, or rule[wildcard=value,...] for some of its jobs.
DIRECT = {
    # every computing job takes the record of its kernels (rule record_platform) as an input
    "numerics.pin": ["record_platform"],
    "seed": [
        *SAMPLERS,
        "train_capacity",
        *VARIATIONAL,
        "train_decoder",
        "training_scans",
        DENOISE,
        *CONDITIONAL,
        *PROBABILISTIC,
        "train_encoder",
    ],
    "data.alpha": [*SAMPLERS, DENOISE, *CONDITIONAL, HELD_OUT, "train_capacity"],
    "data.beta": [*SAMPLERS, DENOISE, *CONDITIONAL, HELD_OUT, "train_capacity"],
    "data.noise_std": [
        *SAMPLERS,
        DENOISE,
        *CONDITIONAL,
        HELD_OUT,
        "train_capacity",
        "figure_27_em",
        "figure_29_held_out_likelihood",
    ],
    "data.horn.n": ["sample_horn"],
    "data.slice.x": ["sample_slice", DENOISE, HELD_OUT, "train_capacity"],
    "data.slice.n": ["sample_slice"],
    "decoder.w1": DECODER_JOBS,
    "decoder.w2": DECODER_JOBS,
    "latent.n": [
        "evaluate_energies",
        *iterative("exhaustive"),
        *RELAXED,
        *WARM_MESH,
        "figure_17_grid_vs_continuous",
        *WARM_TRAINING,
        "training_scans",
        CROSS,
        MAPS,
        "figure_23_conditional_untrained",
        "figure_24_conditional_trained",
        "fit_em",
        "figure_27_em",
        "explorer_data",
    ],
    "inference.optimizers": ["summarize_inference", "figure_13_local_minima", "warm_start"],
    "inference.z_init": [*iterative(), "figure_13_local_minima", "figure_32_warm_start"],
    "inference.focus": ["figure_05_energy_23", "figure_06_latent", "figure_07_search"],
    "inference.max_iter": [*iterative(), "warm_start"],
    "inference.gtol": [*iterative(), "warm_start"],
    "inference.global_tol": [*iterative(), "warm_start"],
    "inference.mesh_trace": [],  # adds the mesh's trace jobs (ADDS), reruns nothing
    **OWN_OPTIONS,
    "mesh.y1.start": [*MESH_JOBS, *BOX, "explorer_data"],
    "mesh.y1.stop": [*MESH_JOBS, *BOX, "explorer_data"],
    "mesh.y1.num": [*MESH_JOBS, "warm_start"],  # the explorer's map has its own (explorer.mesh)
    "mesh.y2.start": [*MESH_JOBS, *BOX, "explorer_data"],
    "mesh.y2.stop": [*MESH_JOBS, *BOX, "explorer_data"],
    "mesh.y2.num": [*MESH_JOBS, "warm_start"],
    "mesh.highlight": ["highlight_points"],
    "mesh.curve.start_pi": CURVE_JOBS,
    "mesh.curve.stop_pi": CURVE_JOBS,
    "mesh.curve.markers_per_pi": ["highlight_points", "figure_05_energy_23"],
    "mesh.curve.oversample": ["highlight_points"],
    "mesh.method": ["free_energy_mesh"],
    "mesh.max_points": [],  # a cap read by the config checks only: changing it reruns nothing
    # strict mode wraps outputs in ensure(); no rule's params read it: it reruns nothing
    "strict.enabled": [],
    "strict.manifest": [],
    "mesh.shards": [
        "free_energy_mesh",
        "gather_free_energy_mesh",
        "relaxed_free_energy_mesh",
        "gather_relaxed_free_energy",
    ],
    "mesh.chunk": ["free_energy_mesh", "infer[points=mesh]", "relaxed_free_energy_mesh"],
    "relaxed.betas": ["relaxed_cross_section", "figure_16_relaxed_free_energy", CROSS],
    "relaxed.cross_section.start": ["relaxed_cross_section", CROSS, "explorer_data"],
    "relaxed.cross_section.stop": ["relaxed_cross_section", CROSS, "explorer_data"],
    "relaxed.cross_section.num": ["relaxed_cross_section", CROSS],
    "relaxed.weights_beta": ["relaxed_weights", "figure_15_softmin_weights"],
    "relaxed.weights_points": ["relaxed_weights", "relaxed_grid_error", "explorer_data"],
    "relaxed.scan.start": ["relaxed_grid_error"],
    "relaxed.scan.stop": ["relaxed_grid_error"],
    "relaxed.scan.num": ["relaxed_grid_error"],
    "training.betas": ["summarize_training", "figure_20_training_paths"],
    "training.methods": ["train_decoder", *EVALUATE],
    "training.latent": [*WARM_TRAINING, "training_scans", MAPS],
    "training.start": ["train_decoder", "training_scans", "target_propagation"],
    "training.learning_rate": ["train_decoder"],
    "training.epochs": ["train_decoder"],
    "training.gtol": ["train_decoder", "training_scans", "train_capacity"],
    "training.max_iter": ["train_decoder", "training_scans", "train_capacity"],
    "training.warm_beta": [MAPS],
    "training.warm_point": [MAPS],
    "training.denoise": [DENOISE],  # figure 22 alone redraws (not figure 18)
    "training.learning_rates.start": ["training_scans"],
    "training.learning_rates.stop": ["training_scans"],
    "training.learning_rates.num": ["training_scans"],
    "training.temperature.start": ["training_scans"],
    "training.temperature.stop": ["training_scans"],
    "training.temperature.num": ["training_scans"],
    "conditional.hidden": CONDITIONAL,
    "probabilistic.start_beta": ["fit_em"],
    "probabilistic.tol": PROBABILISTIC,
    "probabilistic.max_iter": PROBABILISTIC,
    "probabilistic.samples": ["fit_em"],
    "probabilistic.held_out": [HELD_OUT],
    "probabilistic.scan.start": [HELD_OUT],
    "probabilistic.scan.stop": [HELD_OUT],
    "probabilistic.scan.num": [HELD_OUT],
    "conditional.activation": CONDITIONAL,
    "conditional.weight_decay.latent": ["train_conditional"],
    "conditional.weight_decay.baseline": ["train_conditional"],
    "conditional.init_seed": ["train_conditional"],
    "conditional.train": ["train_conditional"],
    "conditional.held_out": ["evaluate_conditional"],
    "conditional.schedule": ["train_conditional"],
    "conditional.x.start": ["evaluate_conditional"],
    "conditional.x.stop": ["evaluate_conditional"],
    "conditional.x.num": ["evaluate_conditional"],
    "conditional.maps.x": ["evaluate_conditional"],
    "conditional.maps.num": ["evaluate_conditional"],
    "conditional.maps.margin": ["evaluate_conditional"],
    "conditional.maps.window": ["figure_26_conditional_free_energy"],
    "amortized.hidden": ENCODERS,
    "amortized.activation": ENCODERS,
    "amortized.init_seed": ["train_encoder"],
    "amortized.train": ["train_encoder"],
    "amortized.schedule.supervised": ["train_encoder[method=supervised]"],
    "amortized.schedule.energy": ["train_encoder[method=energy]"],
    "amortized.map.y1": ["amortization_gap"],
    "amortized.map.y2": ["amortization_gap"],
    "amortized.band": ["gap_band"],
    "amortized.target_propagation.steps": ["target_propagation"],
    "amortized.target_propagation.distance_weight": ["target_propagation"],
    "amortized.target_propagation.decoder_rate": ["target_propagation"],
    "amortized.target_propagation.encoder_rate": ["target_propagation"],
    "amortized.target_propagation.init_seed": ["target_propagation"],
    "capacity.lambdas": ["capacity_scan"],
    "capacity.map.y1": CAPACITY,
    "capacity.map.y2": CAPACITY,
    "capacity.grid": CAPACITY,
    "capacity.held_out": ["train_capacity"],
    "capacity.training.losses": ["train_capacity"],
    "capacity.training.start_lambda": ["train_capacity"],
    "capacity.training.steps": ["train_capacity"],
    "capacity.training.learning_rate": ["train_capacity"],
    "capacity.training.margin": ["train_capacity", "figure_35_capacity_training"],
    "capacity.training.negatives.rule": ["train_capacity"],
    "capacity.training.negatives.count": ["train_capacity"],
    "capacity.training.negatives.candidates": ["train_capacity"],
    "variational.betas": ["variational_summary", "posterior_draws"],
    "variational.map.y1": ["variational_gaps"],
    "variational.map.y2": ["variational_gaps"],
    "variational.band": ["variational_summary"],
    "variational.encoder.hidden": VARIATIONAL,
    "variational.encoder.activation": VARIATIONAL,
    "variational.encoder.init_seed": ["variational_gaps"],
    "variational.encoder.train": ["variational_gaps"],
    "variational.encoder.schedule": ["variational_gaps"],
    "variational.points": ["posterior_draws"],
    "variational.draws": ["posterior_draws"],
    "variational.bins": ["posterior_draws"],
    # read by the sweep's table only where a sweep runs the conditional stage (the small
    # config's does not)
    "conditional.horn_tolerance": [],
    # the small config's sweep pair: its second seed changed, only that point's jobs rerun
    "sweeps": [f"record_platform[point={POINTS[1]}]"],
    "explorer.radii.start": ["explorer_data"],
    "explorer.radii.stop": ["explorer_data"],
    "explorer.radii.num": ["explorer_data"],
    "explorer.line_num": ["explorer_data"],
    "explorer.mesh.y1": ["explorer_data"],
    "explorer.mesh.y2": ["explorer_data"],
    "figures.dpi": [*FIGURES, "sweep_figure_pair"],
    "figures.scale": [*FIGURES, "sweep_figure_pair"],
    "figures.search_optimizer": ["figure_05_energy_23", "figure_07_search"],
    "figures.vmax": [
        "figure_11_free_energy",
        "figure_13_local_minima",
        "figure_18_training",
        "figure_34_capacity_scan",
        "figure_36_capacity_maps",
        "explorer_page",
    ],
    "figures.max_arrows": ["figure_11_free_energy", "figure_16_relaxed_free_energy"],
    "figures.max_points": ["figure_08_mesh", "figure_09_highlight", "figure_13_local_minima"],
}

# keys whose change adds jobs the finished run never had, besides what it reruns: the mesh's
# trace, one job per optimizer; one shard more of each mesh (F_inf's, and F_beta's at each beta)
ADDS = {
    "inference.mesh_trace": lambda cfg: Counter(trace=len(cfg["inference"]["optimizers"])),
    "mesh.shards": lambda cfg: Counter(
        free_energy_mesh=1,
        relaxed_free_energy_mesh=len(with_zero_temperature(cfg["relaxed"]["betas"])),
    ),
}

# new values where "the next allowed value" would not do
CHANGE = {
    # read only with strict.enabled (off here)
    "strict.manifest": lambda v: "reproducibility/manifest.json",
    "inference.optimizers": lambda v: [o for o in v if o != "newton"],
    "mesh.highlight": lambda v: [[v[0][0] + 0.1, v[0][1]], *v[1:]],
    "inference.focus": lambda v: v - 1,
    "figures.search_optimizer": lambda v: "lbfgs",  # the next allowed value is not in the run
    "relaxed.betas": lambda v: v[:-1],
    "relaxed.cross_section.start": lambda v: [v[0] + 0.1, v[1]],
    "relaxed.cross_section.stop": lambda v: [v[0] + 0.1, v[1]],
    "relaxed.weights_points": lambda v: v[:-1],
    "training.betas": lambda v: v[:-1],
    "training.methods": lambda v: v[::-1],
    "training.start": lambda v: {"w1": -1.0, "w2": 0.5},
    "conditional.hidden": lambda v: [*v[:-1], v[-1] + 1],
    "conditional.schedule": lambda v: [*v[:-1], {**v[-1], "steps": v[-1]["steps"] - 1}],
    "conditional.maps.x": lambda v: v[:-1],
    "conditional.x.stop": lambda v: v * 0.9,  # the maximum is 1
    "amortized.hidden": lambda v: [*v[:-1], v[-1] + 1],
    "amortized.schedule.supervised": lambda v: [*v[:-1], {**v[-1], "steps": v[-1]["steps"] - 1}],
    "amortized.schedule.energy": lambda v: [*v[:-1], {**v[-1], "steps": v[-1]["steps"] - 1}],
    "capacity.lambdas": lambda v: v[:-1],
    "capacity.training.losses": lambda v: v[:-1],
    "variational.betas": lambda v: v[:-1],
    "variational.encoder.hidden": lambda v: [*v[:-1], v[-1] + 1],
    "variational.encoder.schedule": lambda v: [*v[:-1], {**v[-1], "steps": v[-1]["steps"] - 1}],
    "variational.points": lambda v: [*v[:-1], {"label": "far", "y": [2.0, 1.5]}],
    "sweeps": lambda v: {**v, "pair": {**v["pair"], "zip": {"seed": [709, 711]}}},
}


def sweep_jobs(key):
    """The jobs that read ``key``: its row's rules' jobs at every point, or only the run's own
    (point empty) for a key the sweep sets."""
    rules = DIRECT[key]
    if key not in SWEPT:
        return rules
    return [f"{rule[:-1]},point=]" if rule.endswith("]") else f"{rule}[point=]" for rule in rules]


def schema_leaves(schema, node=None, prefix=""):
    """(dotted key, spec) of every leaf of the config schema, resolving $ref."""
    node = resolve(schema, schema if node is None else node)
    if node.get("type") == "object" and "properties" in node:
        for key, sub in node["properties"].items():
            yield from schema_leaves(schema, sub, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, node


def new_value(key, value, spec):
    if key in CHANGE:
        return CHANGE[key](value)
    if spec.get("type") == "boolean":
        return not value
    if "enum" in spec:
        options = [o for o in spec["enum"] if o != value]
        return options[0]
    if spec.get("type") == "integer":
        top = spec.get("maximum")
        return value + 1 if top is None or value + 1 <= top else value - 1
    if spec.get("type") == "number":
        return value * 1.1 if value != 0 else 0.1
    raise AssertionError(f"no rule to change {key} ({spec})")


def job_graph(dry_run):
    """Jobs {id: (rule, wildcards)} and edges (producer, consumer) of a forced dry run's output:
    each job's block names its rule, files and wildcards in full (a `--dag` label shows only the
    wildcards its consumers lack), and a job consumes the jobs whose outputs are its inputs."""
    jobs, inputs, producer = {}, {}, {}
    for block in re.split(r"^(?=(?:local)?rule \w+:$)", dry_run, flags=re.M)[1:]:
        rule = re.match(r"(?:local)?rule (\w+):", block)[1]
        fields = dict(re.findall(r"^    (\w+): ([^\n]*)$", block, flags=re.M))
        job = int(fields["jobid"])
        wildcards = fields.get("wildcards", "")
        jobs[job] = (rule, dict(w.split("=", 1) for w in wildcards.split(", ") if w))
        inputs[job] = fields.get("input", "").split(", ")
        producer |= {path: job for path in fields.get("output", "").split(", ") if path}
    edges = [(producer[path], job) for job in jobs for path in inputs[job] if path in producer]
    return jobs, edges


def select(jobs, selector):
    """The jobs ``rule[wildcard=value,...]`` names."""
    rule, _, spec = selector.partition("[")
    wanted = dict(kv.split("=") for kv in spec.rstrip("]").split(",") if kv)
    return {
        i
        for i, (r, wc) in jobs.items()
        if r == rule and all(wc.get(k) == v for k, v in wanted.items())
    }


def downstream_jobs(graph, selectors):
    """The jobs of ``selectors`` and every job downstream of them, counted by rule (as a dry
    run's job stats count them)."""
    jobs, edges = graph
    todo = set().union(set(), *(select(jobs, s) for s in selectors))
    assert todo or not selectors, f"no job matches {selectors}"
    seen = set()
    while todo:
        job = todo.pop()
        seen.add(job)
        todo |= {b for a, b in edges if a == job} - seen
    return Counter(jobs[j][0] for j in seen if jobs[j][0] != "all")


SCHEMA_FILE = ROOT / "workflow/schemas/config.schema.yaml"
SCHEMA = dict(schema_leaves(yaml.safe_load(SCHEMA_FILE.read_text())))  # dotted key -> spec
# every library file, as its path below the package: "model.py", "pipeline/io.py"
LIBRARY = sorted(
    p.relative_to(ROOT / "src/lvebm").as_posix() for p in (ROOT / "src/lvebm").rglob("*.py")
)
EDIT = "\n# an edit\n"


@pytest.fixture(scope="module")
def matrix(finished_module_copy):
    """Every row's dry run on a copy of the finished run, in one batch (one Snakemake start-up
    for the whole table): a forced dry run (the job graph, and the modules each rule declares),
    one dry run per config key changed, one per library module edited, and one after all of them
    were put back."""
    project = finished_module_copy
    config = project.config()
    keys = []
    # strict mode on needs the manifest it checks against (the copy holds none)
    manifest = (ROOT / "reproducibility/manifest.json").read_text()
    for key in sorted(DIRECT):
        cfg = apply(config, {key: new_value(key, lookup(config, key), SCHEMA[key])})
        files = {"config.yaml": yaml.safe_dump(cfg, sort_keys=False)}
        if key == "strict.enabled":
            files["reproducibility/manifest.json"] = manifest
        keys.append((files, ["--dry-run"]))
    modules = [
        ({f"src/lvebm/{m}": (project.path / "src/lvebm" / m).read_text() + EDIT}, ["--dry-run"])
        for m in LIBRARY
    ]
    forced, *runs, restored = project.snakemake_many(
        [({}, ["--dry-run", "--forceall"]), *keys, *modules, ({}, ["--dry-run"])]
    )
    assert forced.code == 0, forced.output[-4000:]
    return {
        "graph": job_graph(forced.output),
        "declared": declared_library(forced.output),
        "keys": dict(zip(sorted(DIRECT), runs[: len(keys)], strict=True)),
        "modules": dict(zip(LIBRARY, runs[len(keys) :], strict=True)),
        "restored": restored,
        "rules": workflow_rules(project.path),  # as Snakemake built them: each rule's script
        "config": config,
    }


def test_every_config_key_has_a_row():
    assert set(SCHEMA) == set(DIRECT)


@pytest.mark.parametrize("key", sorted(DIRECT))
def test_changing_a_key_reruns_exactly_what_is_downstream(matrix, key):
    planned = Counter(matrix["keys"][key].planned)
    # and the report's landing page, which shows the config and its hash
    expected = downstream_jobs(matrix["graph"], sweep_jobs(key)) | Counter(
        dict.fromkeys(CONFIG_PAGES, 1)
    )
    assert planned == expected + ADDS.get(key, lambda cfg: Counter())(matrix["config"])


# ---- library modules ---------------------------------------------------------------------------


def declared_library(out):
    """{rule: library modules it declares as inputs}, from a forced dry run's output."""
    declared = {}
    for rule, inputs in re.findall(r"^rule (\w+):\n\s+input: ([^\n]*)", out, flags=re.M):
        declared.setdefault(rule, set()).update(re.findall(r"src/lvebm/((?:\w+/)?\w+\.py)", inputs))
    declared.pop("all", None)
    return declared


def lvebm_module(name: str) -> Path | None:
    """The file of an lvebm module or package by its dotted name, if there is one."""
    base = ROOT / "src" / name.replace(".", "/")
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


def closure(roots: set[Path]) -> set[str]:
    """lvebm files ``roots`` import, transitively, with their packages' __init__s, as paths
    below the package ("model.py", "pipeline/io.py"), plus the package's __init__."""
    package = ROOT / "src/lvebm"
    found, todo, read = {"__init__.py"}, list(roots), set()
    while todo:
        path = todo.pop()
        if path in read:  # modules may import each other (inside functions)
            continue
        read.add(path)
        for file in (path, *(p / "__init__.py" for p in path.parents if package in p.parents)):
            rel = file.relative_to(package).as_posix()
            if rel not in found:
                found.add(rel)
                todo.append(file)
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lvebm"):
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("lvebm")]
            todo += [file for name in names if (file := lvebm_module(name)) and file != path]
    return found


def job_modules(script: Path, job: str) -> set[str]:
    """The lvebm modules a job runs (``closure``): for a stage script's job (its function named
    ``job``, as its rule) what that function, the script's functions it calls and the script's
    top level use; for a script that is the job (no such function), everything it imports."""
    tree = ast.parse(script.read_text())
    bound = {}  # name bound by a top-level lvebm import -> its module's file
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module.startswith("lvebm"):
            for a in node.names:
                file = lvebm_module(f"{node.module}.{a.name}") or lvebm_module(node.module)
                bound[a.asname or a.name] = file
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    top = [node for node in tree.body if not isinstance(node, ast.FunctionDef)]
    used = {n.id for node in top for n in ast.walk(node) if isinstance(n, ast.Name)}
    todo = [job] if job in functions else list(functions)
    seen = set(todo)
    while todo:
        names = {n.id for n in ast.walk(functions[todo.pop()]) if isinstance(n, ast.Name)}
        todo += [name for name in names & set(functions) - seen]
        seen |= names & set(functions)
        used |= names
    return closure({bound[name] for name in used if name in bound})


def test_rules_declare_exactly_the_modules_their_scripts_import(matrix):
    """Each rule's library inputs are exactly the modules its job runs: a stage script's job is its
    rule's function (lvebm.pipeline.jobs), so editing a module reruns the rules whose function
    uses it, not every rule of the stage."""
    rules = matrix["rules"]
    for rule, modules in matrix["declared"].items():
        script = ROOT / rules[rule]["script"]
        imported = job_modules(script, rule)
        if rule == "sweep_figure_pair":  # its module is named in its params, not imported
            imported |= closure({ROOT / "src/lvebm/pipeline/sweep_figures.py"})
        if rule.startswith("figure_"):  # its module is named by its record, not imported
            module = rules[rule]["function"].rpartition(".")[0] or "figures"
            imported |= closure({ROOT / "src/lvebm" / f"{module}.py"})
        assert modules == imported, rule


@pytest.mark.parametrize("module", LIBRARY)
def test_editing_a_module_reruns_exactly_the_rules_that_import_it(matrix, module):
    users = [rule for rule, mods in matrix["declared"].items() if module in mods]
    planned = Counter(matrix["modules"][module].planned)
    assert planned == downstream_jobs(matrix["graph"], users)


def test_putting_every_edited_file_back_reruns_nothing(matrix):
    """After every row, its file got its bytes back (with a new modification time): nothing
    reruns, since Snakemake compares the content of an input that is newer than its output."""
    assert matrix["restored"].planned == {}


def test_building_the_job_graph_imports_no_optimizer(tmp_path):
    """`snakemake -n` reads the workflow's helpers, which import only light modules: no
    optimizer, line search, scipy or matplotlib."""
    project = copy_project(tmp_path / "project")
    code = (
        "import sys\n"
        "from snakemake.cli import main\n"
        "try:\n"
        "    main(['--dry-run', '--workflow-profile', 'none', '--cores', '1', '--quiet'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=project.path, capture_output=True, text=True, check=True
    )
    loaded = set(proc.stdout.split())
    assert "lvebm.methods" in loaded
    assert not loaded & {"lvebm.optimize", "lvebm.linesearch", "scipy", "matplotlib"}
    # nor any science module: the workflow's helpers are plumbing (file names, the method
    # records, the mesh's shard geometry, the config, the artifacts' contracts)
    science = {
        f"lvebm.{name}"
        for name in (
            "model",
            "data",
            "exact",
            "relaxed",
            "training",
            "conditional",
            "network",
            "amortized",
            "probabilistic",
            "capacity",
            "variational",
            "inference",
            "mesh",
            "explorer",
        )
    }
    assert not loaded & science, loaded & science
