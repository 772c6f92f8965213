"""Pinned kernels: which environment pins them on which machine, what a job records of them, and
how lvebm-manifest compares two runs by each column's class."""

import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from lvebm.pipeline.contracts import CONTRACTS, column_class, path_groups
from lvebm.pipeline.manifest import compare, figure_notes, within_slack
from lvebm.pipeline.numerics import (
    ALLOCATOR_ENVIRONMENT,
    OPENBLAS_PINS,
    _numpy_features,
    job_environment,
    pinned_environment,
    platform_record,
)

AVX512 = {"AVX2": True, "FMA3": True, "X86_V3": True, "X86_V4": True, "AVX512_ICL": True}
DISPATCH = ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"]


def test_pins_cap_numpy_above_avx2_and_choose_openblas_haswell_with_one_thread():
    env, why = pinned_environment("x86_64", AVX512, DISPATCH, "")
    assert why is None
    # AVX512_SPR is not on this CPU: not named (NumPy would warn about it)
    assert env == {**OPENBLAS_PINS, "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL"}
    assert env["OPENBLAS_CORETYPE"] == "Haswell" and env["OPENBLAS_NUM_THREADS"] == "1"
    # an AVX2 CPU runs the pinned kernels already: NumPy needs no cap
    avx2 = {"AVX2": True, "FMA3": True, "X86_V3": True}
    assert pinned_environment("x86_64", avx2, DISPATCH, "") == (dict(OPENBLAS_PINS), None)
    # NumPy 1.x names
    old = {"AVX2": True, "FMA3": True, "AVX512F": True, "AVX512_SKX": True}
    env, _ = pinned_environment("AMD64", old, ["AVX2", "AVX512F", "AVX512_SKX"], "")
    assert env["NPY_DISABLE_CPU_FEATURES"] == "AVX512F AVX512_SKX"


def test_pins_only_ever_disable_more_and_keep_an_inherited_cap():
    env, _ = pinned_environment("x86_64", AVX512, DISPATCH, "AVX512_SPR X86_V4")
    assert env["NPY_DISABLE_CPU_FEATURES"] == "AVX512_SPR X86_V4 AVX512_ICL"


@pytest.mark.parametrize(
    "machine, features, reason",
    [
        ("aarch64", {}, "no pins on aarch64"),
        ("arm64", {}, "no pins on arm64"),
        ("x86_64", {"AVX2": False, "FMA3": True}, "no AVX2 and FMA3"),
        ("x86_64", {"AVX2": True}, "no AVX2 and FMA3"),
    ],
)
def test_no_pins_where_they_cannot_apply(machine, features, reason):
    env, why = pinned_environment(machine, features, DISPATCH, "")
    assert env == {} and reason in why


def test_the_config_turns_pins_off():
    assert job_environment(False) == ({}, "off")
    env, state = job_environment(True)
    assert state == "on" or state.startswith("unavailable: ")
    assert bool(env) == (state == "on")


def test_the_allocator_settings_keep_temporaries_from_faulting_in_again():
    """With ALLOCATOR_ENVIRONMENT (which the workflow sets for every job), rounds that make and
    drop arrays of a shrinking batch, as an iterative method's do, reuse the heap: measured 5,100
    page faults instead of 347,000 (one per page of nearly every array)."""
    code = (
        "import resource, numpy as np\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for _ in range(20):\n"
        "    n = 1 << 17\n"
        "    while n > 1000:  # rounds of a shrinking batch of running points, 20 arrays each\n"
        "        state = [np.ones(n) * k for k in range(20)]\n"
        "        n = n * 3 // 4\n"
        "        del state\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    )
    faults = {}
    for name, extra in (("default", {}), ("set", ALLOCATOR_ENVIRONMENT)):
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
        proc = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=True,
        )
        faults[name] = int(proc.stdout)
    if faults["default"] < 1000:
        pytest.skip(f"this C library does not fault temporaries in: {faults}")
    assert faults["set"] * 20 < faults["default"], faults


def test_a_pinned_process_records_numpys_avx2_kernels_and_openblas_haswell_on_one_thread():
    env, why = pinned_environment()
    if why:
        pytest.skip(why)
    code = "import json, lvebm.pipeline.numerics as n; print(json.dumps(n.platform_record('on')))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    record = dict(zip(*json.loads(out).values(), strict=True))
    simd = record["numpy.simd.dispatch"]
    if "X86_V3" in _numpy_features()[1]:  # NumPy 2.4 names: the AVX2 level alone
        assert simd == "X86_V3"
    assert "AVX512" not in simd and "X86_V4" not in simd
    blas = [v for k, v in record.items() if k.startswith("blas.")]
    assert len(blas) == 2 and all("Haswell, 1 thread(s)" in v for v in blas), blas
    assert record["env.OPENBLAS_CORETYPE"] == "Haswell"


def test_platform_record_has_the_contracts_columns():
    record = platform_record("off")
    assert list(record) == [c.split(":")[0] for c in CONTRACTS["platform.parquet"].split()]
    assert record["key"][:2] == ["numerics", "pins"] and record["value"][:2] == ["portable", "off"]
    assert {"machine", "numpy", "scipy", "numpy.simd.dispatch"} <= set(record["key"])


@pytest.mark.pipeline
def test_the_workflow_runs_every_job_with_the_pins(finished_run):
    """The run the suite shares was made by plain snakemake: its record says the kernels its
    jobs had, the pins' when they apply here."""
    table = pq.read_table(finished_run.path / "results/platform.parquet").to_pydict()
    record = dict(zip(table["key"], table["value"], strict=True))
    env, why = pinned_environment()
    assert record["pins"] == ("on" if why is None else f"unavailable: {why}")
    for name, value in env.items():
        assert record[f"env.{name}"] == value


# ---- comparing by class ----------------------------------------------------------------------


def manifest(platform, artifacts, config="c"):
    return {"config_sha256": config, "versions": {}, "platform": platform, "artifacts": artifacts}


PINNED = {"pins": "on", "numpy.simd.dispatch": "X86_V3", "blas.numpy": "openblas 1 Haswell, 1"}
OTHER = {"pins": "off", "numpy.simd.dispatch": "X86_V3 X86_V4", "blas.numpy": "openblas 1 SkylakeX"}


def log(rows, last_loss, scale=41.0):
    summary = {
        "dtype": "double",
        "sha256": str(rows),
        "scale": scale,
        "sums": [0.0] * 4,
        "nonfinite": 0,
        "nonfinite_sha256": "0",
        "min": 0.0,
        "max": scale,
    }
    return {
        "kind": "parquet",
        "rows": rows,
        "columns": {"loss": summary, "model": {"dtype": "string", "sha256": str(rows)}},
        "groups": {"latent": {"rows": rows, "last": {"loss": last_loss, "step": rows - 1}}},
    }


def test_an_iteration_log_is_compared_by_its_length_and_last_row():
    name = "results/conditional/trajectory.parquet"
    assert path_groups(name) == ("model",)
    same = manifest(PINNED, {name: log(1270, 0.0026143)})
    assert compare(same, manifest(OTHER, {name: log(1276, 0.0026143 + 1e-7)})) == []
    longer = compare(same, manifest(OTHER, {name: log(1400, 0.0026143)}))
    assert [r[1] for r in longer] == ["log latent rows", "log latent last step"]
    assert all(r[4].startswith("path: different kernels") for r in longer)
    moved = compare(same, manifest(PINNED, {name: log(1270, 0.0027)}))
    assert [r[1] for r in moved] == ["log latent last loss"]
    assert moved[0][4].startswith("path: same kernels")
    assert within_slack(35, 37) and within_slack(1297, 1303) and not within_slack(100, 120)


PORTABLE_X86 = {"numerics": "portable", "machine": "x86_64", **PINNED}
PORTABLE_ARM = {
    "numerics": "portable",
    "machine": "aarch64",
    "pins": "unavailable: no pins on aarch64: they choose x86-64 kernels",
    "numpy.simd.dispatch": "ASIMDHP ASIMDDP ASIMDFHM SVE",
    "blas.numpy": "openblas 1 armv8, 2",
}


def test_runs_in_the_portable_numerics_compare_byte_for_byte_whatever_the_cpu():
    """Two runs recorded in the portable numerics compute the same bits on any CPU: a figure
    or a kernel-bound table that differs between x86-64 and aarch64 is a difference, counted."""
    fig = "results/figures/fig20_training_paths.png"
    old = manifest(PORTABLE_X86, {fig: {"kind": "png", "sha256": "a" * 64, "size": [9, 9]}})
    new = manifest(PORTABLE_ARM, {fig: {"kind": "png", "sha256": "b" * 64, "size": [9, 9]}})
    rows = compare(old, new)
    assert [r[1] for r in rows] == ["sha256"] and "figure: same kernels" in rows[0][4]
    assert figure_notes(old, new) == []
    assert compare(old, manifest(PORTABLE_ARM, old["artifacts"])) == []
    # one side without the portable numerics (a run of an older lvebm): as different kernels
    assert compare(old, manifest(OTHER, new["artifacts"])) == []
    assert figure_notes(old, manifest(OTHER, new["artifacts"])) == [fig]


def test_figures_count_where_kernels_agree_and_are_noted_where_they_differ():
    name = "results/figures/fig20_training_paths.png"
    old = manifest(PINNED, {name: {"kind": "png", "sha256": "a" * 64, "size": [9, 9]}})
    new = {name: {"kind": "png", "sha256": "b" * 64, "size": [9, 9]}}
    rows = compare(old, manifest(PINNED, new))
    assert [r[1] for r in rows] == ["sha256"] and "figure: same kernels" in rows[0][4]
    assert figure_notes(old, manifest(PINNED, new)) == []
    assert compare(old, manifest(OTHER, new)) == []
    assert figure_notes(old, manifest(OTHER, new)) == [name]
    assert compare(old, manifest(OTHER, new), strict=True) != []


def test_column_classes_follow_the_contracts():
    assert column_class("results/relaxed/cross_section.parquet", "z_mean", "double").rtol == 1e-9
    assert column_class("results/training/temperature.parquet", "w1", "double").name == (
        "converged"
    )
    assert column_class("results/training/beta~0.3/result.parquet", "steps", "int64").name == (
        "path"
    )
    assert column_class("results/inference/samples/newton.parquet", "n_iter", "int64").name == (
        "exact"
    )
    assert column_class("results/platform.parquet", "value", "string").name == "platform"
