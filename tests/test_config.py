"""Bad configurations stop the run before any job, with a message that names the key."""

import pytest
from support import deep_update, default_config

# (overrides, text the error must contain)
BAD_CONFIGS = {
    "negative seed": ({"seed": -1}, "instance['seed']"),
    "seed not an integer": ({"seed": "abc"}, "'abc' is not of type 'integer'"),
    "alpha zero": ({"data": {"alpha": 0}}, "instance['data']['alpha']"),
    "negative noise": ({"data": {"noise_std": -0.1}}, "instance['data']['noise_std']"),
    "empty horn": ({"data": {"horn": {"n": 0}}}, "instance['data']['horn']['n']"),
    "empty slice": ({"data": {"slice": {"n": 0}}}, "instance['data']['slice']['n']"),
    "slice outside the horn": ({"data": {"slice": {"x": 1.5}}}, "instance['data']['slice']['x']"),
    "zero w1": ({"decoder": {"w1": 0}}, "config key 'decoder.w1' = 0 is invalid: must be non-zero"),
    "zero w2": (
        {"decoder": {"w2": 0.0}},
        "config key 'decoder.w2' = 0 is invalid: must be non-zero",
    ),
    "unknown decoder key": ({"decoder": {"w3": 1.0}}, "'w3' was unexpected"),
    "latent grid too small": ({"latent": {"n": 2}}, "instance['latent']['n']"),
    "unknown optimizer": (
        {"inference": {"optimizers": ["newton", "adam"]}},
        "'adam' is not one of",
    ),
    "no optimizer": ({"inference": {"optimizers": []}}, "instance['inference']['optimizers']"),
    "repeated optimizer": (
        {"inference": {"optimizers": ["exact", "exact"]}},
        "non-unique elements",
    ),
    "focus beyond the samples": (
        {"inference": {"focus": 30}},
        "config key 'inference.focus' = 30 is invalid: "
        "must be a sample label from 1 to data.slice.n = 24",
    ),
    "focus zero": ({"inference": {"focus": 0}}, "instance['inference']['focus']"),
    "zero gtol": ({"inference": {"gtol": 0}}, "instance['inference']['gtol']"),
    "c2 below c1": (
        {"inference": {"line_search": {"c1": 0.3, "c2": 0.2}}},
        "config key 'inference.line_search.c2' = 0.2 is invalid: must be greater than",
    ),
    "reversed mesh axis": (
        {"mesh": {"y1": {"start": 3.0, "stop": -3.0, "num": 25}}},
        "config key 'mesh.y1.start' = 3.0 is invalid: must be less than mesh.y1.stop = -3.0",
    ),
    "one-point mesh axis": (
        {"mesh": {"y2": {"start": -2, "stop": 2, "num": 1}}},
        "instance['mesh']['y2']['num']",
    ),
    "zero shards": ({"mesh": {"shards": 0}}, "instance['mesh']['shards']"),
    "more shards than points": (
        {"mesh": {"shards": 500}},
        "config key 'mesh.shards' = 500 is invalid: must be at most the 425 mesh points",
    ),
    "unknown mesh method": ({"mesh": {"method": "adam"}}, "instance['mesh']['method']"),
    "empty curve range": (
        {"mesh": {"curve": {"start_pi": 2, "stop_pi": 2, "markers_per_pi": 12, "oversample": 8}}},
        "config key 'mesh.curve.stop_pi' = 2 is invalid: must be greater than mesh.curve.start_pi",
    ),
    "figure of an optimizer that is not run": (
        {"inference": {"optimizers": ["exact", "newton"]}},
        "config key 'figures.search_optimizer' = 'gradient_descent' is invalid: must be one of",
    ),
    "unknown figure key": ({"figures": {"colour": "red"}}, "'colour' was unexpected"),
    "highlight not a pair": (
        {"mesh": {"highlight": [[1.0, 2.0, 3.0]]}},
        "instance['mesh']['highlight'][0]",
    ),
    "zero beta": ({"relaxed": {"betas": [0.0, 1.0]}}, "instance['relaxed']['betas'][0]"),
    "no beta": ({"relaxed": {"betas": []}}, "instance['relaxed']['betas']"),
    "repeated beta": ({"relaxed": {"betas": [1.0, 1.0]}}, "non-unique elements"),
    "weights of a sample that does not exist": (
        {"relaxed": {"weights_points": [23, 30]}},
        "config key 'relaxed.weights_points' = 30 is invalid: "
        "a sample label must be from 1 to data.slice.n = 24",
    ),
    "weights point neither label nor pair": (
        {"relaxed": {"weights_points": ["origin"]}},
        "instance['relaxed']['weights_points'][0]",
    ),
    "cross-section of one point": (
        {"relaxed": {"cross_section": {"start": [0, 1], "stop": [0, 1], "num": 17}}},
        "config key 'relaxed.cross_section.stop' = [0, 1] is invalid: must differ",
    ),
    "warm arrows toward a sample that does not exist": (
        {"training": {"warm_point": 25}},
        "config key 'training.warm_point' = 25 is invalid: "
        "must be a sample label from 1 to data.slice.n = 24",
    ),
    "unknown trainer": (
        {"training": {"methods": ["lbfgs", "adam"]}},
        "instance['training']['methods'][1]",
    ),
    "starting decoder without w2": (
        {"training": {"start": {"w1": 1.0}}},
        "instance['training']['start']",
    ),
    "reversed learning-rate scan": (
        {"training": {"learning_rates": {"start": 1.0, "stop": 0.1, "num": 5}}},
        "config key 'training.learning_rates.stop' = 0.1 is invalid: must be greater than",
    ),
    # numbers the schema's bounds cannot catch: NaN compares false with every bound
    "NaN tolerance": (
        {"inference": {"gtol": float("nan")}},
        "config key 'inference.gtol' = nan is invalid: must be a finite number",
    ),
    "NaN start": (
        {"inference": {"z_init": float("nan")}},
        "config key 'inference.z_init' = nan is invalid: must be a finite number",
    ),
    "infinite mesh axis": (
        {"mesh": {"y1": {"start": float("-inf"), "stop": 3.0, "num": 25}}},
        "config key 'mesh.y1.start' = -inf is invalid: must be a finite number",
    ),
    "NaN highlighted point": (
        {"mesh": {"highlight": [[float("nan"), -0.5]]}},
        "config key 'mesh.highlight[0][0]' = nan is invalid: must be a finite number",
    ),
    "NaN data parameter": (
        {"data": {"slice": {"x": float("nan")}}},
        "config key 'data.slice.x' = nan is invalid: must be a finite number",
    ),
    # whole-number floats for integer keys pass JSON Schema and would crash inside a job
    "float mesh size": (
        {"mesh": {"y1": {"start": -3.0, "stop": 3.0, "num": 25.0}}},
        "config key 'mesh.y1.num' = 25.0 is invalid: must be an integer: write 25, not 25.0",
    ),
    "float seed": ({"seed": 709.0}, "config key 'seed' = 709.0 is invalid: must be an integer"),
    "float schedule steps": (
        {"conditional": {"schedule": [{"method": "lbfgs", "steps": 10.0}]}},
        "config key 'conditional.schedule[0].steps' = 10.0 is invalid: must be an integer",
    ),
    "float hidden width": (
        {"conditional": {"hidden": [8.0, 8]}},
        "config key 'conditional.hidden[0]' = 8.0 is invalid: must be an integer",
    ),
    "reversed beta scan": (
        {"relaxed": {"scan": {"start": 100.0, "stop": 1.0, "num": 10}}},
        "config key 'relaxed.scan.stop' = 1.0 is invalid: must be greater than relaxed.scan.start",
    ),
}


@pytest.mark.pipeline
@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_bad_config_fails_before_any_job(project, case):
    overrides, message = BAD_CONFIGS[case]
    project.write_config(deep_update(default_config(), overrides))
    proc = project.snakemake(check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert message in output, output[-3000:]
    assert not (project.path / "results").exists()


def test_there_are_at_least_fifteen_bad_configs():
    assert len(BAD_CONFIGS) >= 15


@pytest.mark.pipeline
def test_nested_command_line_overrides_are_typed_by_the_schema(project):
    """`--config 'mesh={shards: 3}'` works as it reads (Snakemake passes nested values as
    strings); a value of the wrong type still fails, naming the key."""
    planned = project.planned_jobs("--config", "mesh={shards: 3}", "relaxed={betas: [1.0, 2.0]}")
    assert planned["free_energy_mesh"] == 3
    assert planned["relaxed_free_energy_mesh"] == 3 * 3  # betas 1, 2 and inf, three shards each
    proc = project.snakemake("--dry-run", "--config", "mesh={shards: four}", check=False)
    assert proc.returncode != 0
    assert "'four' is not of type 'integer'" in proc.stdout + proc.stderr
    assert "instance['mesh']['shards']" in proc.stdout + proc.stderr


@pytest.mark.pipeline
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seed: 709\ndata:\n  alpha: [1.5\n", "config.yaml, line 4, column 1: expected ',' or ']'"),
        ("seed: 709\nlatent:\n  n: 48\nseed: 36\n",
         "config.yaml, line 4, column 1: duplicate key 'seed' (first at line 1)"),
        ("data:\n  alpha: 1.5\n  alpha: 2.0\n",
         "config.yaml, line 3, column 3: duplicate key 'alpha' (first at line 2)"),
    ],
)  # fmt: skip
def test_malformed_or_repeating_config_file_is_named_with_line_and_column(project, text, message):
    (project.path / "config.yaml").write_text(text)
    proc = project.snakemake("--dry-run", check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and message in output, output[-3000:]
    assert not (project.path / "results").exists()


@pytest.mark.pipeline
def test_repeated_key_in_a_configfile_override_is_refused(project):
    (project.path / "mine.yaml").write_text("mesh:\n  shards: 2\nmesh:\n  shards: 3\n")
    proc = project.snakemake("--dry-run", "--configfile", "mine.yaml", check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert "mine.yaml, line 3, column 1: duplicate key 'mesh' (first at line 1)" in output
