"""The CPU kernels the pipeline's jobs compute with: the pins, and the record of them.

NumPy chooses its SIMD kernels when it is imported, by what the CPU offers (on x86-64: AVX2,
AVX-512), and OpenBLAS chooses its kernels by core type (Haswell, SkylakeX, ...). The kernels
agree to rounding, not bit for bit: ``exp``, ``sin`` and ``cos`` of the AVX-512 kernels differ
from the AVX2 ones in the last bit of some values, and a matrix product sums in another order.
So the same workflow on two CPUs writes different bytes unless the kernels are chosen by the
workflow, not by the CPU.

:func:`pinned_environment` gives the environment that pins them on any x86-64 CPU with AVX2 and
FMA3 (x86-64-v3: every Intel core since Haswell, 2013, and AMD's since Excavator):

- ``NPY_DISABLE_CPU_FEATURES``: NumPy's dispatch targets above AVX2 that this NumPy and this CPU
  have (``X86_V4 AVX512_ICL AVX512_SPR`` with NumPy 2.4 on an AVX-512 CPU; nothing on an AVX2
  CPU, whose kernels are already the pinned ones);
- ``OPENBLAS_CORETYPE=Haswell``: OpenBLAS's AVX2 kernels, in NumPy's and in SciPy's copy;
- ``OPENBLAS_NUM_THREADS=1`` and ``OMP_NUM_THREADS=1``: one BLAS thread, so a product's sums
  are not split by the number of cores.

The workflow sets these variables when it loads (``workflow/rules/common.smk``, config key
``numerics.pin``), so every job it starts inherits them: local jobs, SLURM jobs (Snakemake's
job step loads the workflow again on the node) and a host workflow's jobs when lvebm is its
module. Elsewhere (ARM, an x86-64 CPU without AVX2) no pin applies: the jobs run with the CPU's
own kernels, and the record says why. :func:`platform_record` is what a job records of the
kernels it really ran with (the rule ``record_platform``, read by the manifest).
"""

from __future__ import annotations

import os
import platform

# The arithmetic every artifact is computed in: lvebm.portable's kernels (fdlibm's transcendental
# functions from + - * / sqrt, products summed in a fixed order), the same bits on every 64-bit
# CPU whatever its SIMD level or BLAS kernel. The record says it; the manifest compares two runs
# recorded with it byte for byte, pins or not.
NUMERICS = "portable"

# what the pins set besides NumPy's dispatch cap
OPENBLAS_PINS = {
    "OPENBLAS_CORETYPE": "Haswell",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}
DISPATCH_VARIABLE = "NPY_DISABLE_CPU_FEATURES"
X86 = ("x86_64", "amd64")

# glibc's allocator, for every job (pins or not; it changes no value, only where arrays live):
# arrays up to 32 MiB (its largest mmap threshold) come from the heap, and up to 256 MiB freed
# at the heap's top stays there for the next ones, instead of each temporary array of a batch
# being mapped, faulted in page by page and unmapped again. An iterative method makes tens of
# temporaries of 1 MiB per round: `bench/allocator.py` measured 22,000 page faults per
# conjugate-gradient call on 131,072 points with glibc's defaults, 270 with these, and the
# optimizers 1.07-1.37x faster, peak RSS unchanged. Other C libraries ignore the variables.
ALLOCATOR_ENVIRONMENT = {
    "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(256 << 20),
}


def _numpy_features() -> tuple[dict[str, bool], list[str]]:
    """NumPy's CPU features (as this process sees them) and its dispatch targets."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return dict(__cpu_features__), list(__cpu_dispatch__)


def above_avx2(target: str) -> bool:
    """Whether a NumPy dispatch target needs more than AVX2 (AVX-512 in NumPy 1.x and 2.x names).

    >>> [t for t in ["X86_V3", "X86_V4", "AVX512_ICL", "AVX2", "AVX512F"] if above_avx2(t)]
    ['X86_V4', 'AVX512_ICL', 'AVX512F']
    """
    return target == "X86_V4" or target.startswith("AVX512")


def pinned_environment(
    machine: str | None = None,
    features: dict[str, bool] | None = None,
    dispatch: list[str] | None = None,
    inherited: str | None = None,
) -> tuple[dict[str, str], str | None]:
    """The environment variables that pin the kernels here, and None; or ``{}`` and the reason
    why no pin applies on this machine.

    The arguments default to this machine and process (tests pass others). A cap inherited in
    ``NPY_DISABLE_CPU_FEATURES`` is kept: the pins only ever disable more.

    >>> env, why = pinned_environment("x86_64", {"AVX2": True, "FMA3": True, "X86_V4": True},
    ...                               ["X86_V3", "X86_V4"], "")
    >>> env["NPY_DISABLE_CPU_FEATURES"], env["OPENBLAS_CORETYPE"], why
    ('X86_V4', 'Haswell', None)
    >>> pinned_environment("aarch64", {}, [], "")
    ({}, 'no pins on aarch64: they choose x86-64 kernels')
    """
    machine = (machine or platform.machine()).lower()
    if machine not in X86:
        return {}, f"no pins on {machine}: they choose x86-64 kernels"
    if features is None or dispatch is None:
        features, dispatch = _numpy_features()
    if not (features.get("AVX2") and features.get("FMA3")):
        return {}, "no pins on this CPU: it has no AVX2 and FMA3 (x86-64-v3), the pinned level"
    if inherited is None:
        inherited = os.environ.get(DISPATCH_VARIABLE, "")
    disabled = list(dict.fromkeys(inherited.split()))
    disabled += [t for t in dispatch if features.get(t) and above_avx2(t) and t not in disabled]
    env = dict(OPENBLAS_PINS)
    if disabled:
        env[DISPATCH_VARIABLE] = " ".join(disabled)
    return env, None


def job_environment(pin: bool) -> tuple[dict[str, str], str]:
    """What the workflow sets for its jobs, and the pins' state as the record states it:
    ``on``, ``off`` (the config turned them off) or ``unavailable: <why>``."""
    if not pin:
        return {}, "off"
    env, why = pinned_environment()
    return env, "on" if why is None else f"unavailable: {why}"


def platform_record(pins: str) -> dict[str, list[str]]:
    """What this process computes with, as rows ``key, value``: the machine, the Python and
    package versions, NumPy's SIMD baseline and the dispatch targets in effect, and each BLAS
    library's kernel (core type) and threads, as threadpoolctl reads them after loading
    NumPy's and SciPy's copies of OpenBLAS."""
    import numpy as np
    import scipy
    import scipy.linalg  # loads SciPy's own OpenBLAS, so that threadpoolctl sees it
    from threadpoolctl import threadpool_info

    features, dispatch = _numpy_features()
    try:
        from numpy._core._multiarray_umath import __cpu_baseline__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_baseline__
    rows = {
        "numerics": NUMERICS,
        "pins": pins,
        "machine": platform.machine(),
        "system": platform.system(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numpy.simd.baseline": " ".join(__cpu_baseline__),
        "numpy.simd.dispatch": " ".join(t for t in dispatch if features.get(t)) or "none",
    }
    seen: dict[str, int] = {}
    for lib in sorted(threadpool_info(), key=lambda i: (i["user_api"], i.get("filepath", ""))):
        if lib["user_api"] != "blas":
            continue
        owner = "numpy" if "numpy" in lib.get("filepath", "") else "scipy"
        seen[owner] = seen.get(owner, 0) + 1
        key = f"blas.{owner}" + ("" if seen[owner] == 1 else f".{seen[owner]}")
        rows[key] = (
            f"{lib['internal_api']} {lib['version']} {lib.get('architecture') or '?'}, "
            f"{lib['num_threads']} thread(s)"
        )
    for name in (DISPATCH_VARIABLE, *OPENBLAS_PINS):
        rows[f"env.{name}"] = os.environ.get(name, "")
    return {"key": list(rows), "value": list(rows.values())}


def kernels(record: dict[str, str]) -> str:
    """The record's kernels in one line: NumPy's SIMD targets and each BLAS's core type."""
    blas = [f"{k[5:]} {v.split(',')[0]}" for k, v in record.items() if k.startswith("blas.")]
    return f"numpy SIMD {record.get('numpy.simd.dispatch', '?')}; " + "; ".join(blas)
