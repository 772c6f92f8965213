# Helpers for all jobs: their library inputs and their environment. The other helpers are in
# checks.smk (before any job), params.smk, resources.smk, targets.smk and figuretable.smk; the
# stage files hold the rules.

import os
from pathlib import Path

from lvebm.pipeline.jobgraph import commit, config_sha256, lvebm_imports
from lvebm.pipeline.numerics import job_environment

# This file's own folder, not workflow.basedir: used as a module, the basedir is the caller's.
LIBRARY = Path(workflow.current_basedir).parents[1] / "src" / "lvebm"


# The conda environment of the jobs (--sdm conda): the scripts' imports and the lvebm package,
# which pip installs from LVEBM_ROOT, this clone (set here; conda and pip inherit it).
ENV = "../envs/lvebm.yaml"
os.environ.update(LVEBM_ROOT=str(LIBRARY.parents[1]))

# The kernels every job computes with (lvebm.pipeline.numerics): with numerics.pin, NumPy's SIMD dispatch
# capped at AVX2, OpenBLAS's Haswell kernel and one BLAS thread, on any x86-64 CPU with AVX2.
# Set here, when the workflow loads, so that every job inherits them: local jobs, SLURM jobs
# (whose job step loads the workflow again on the node) and a host workflow's jobs. Every
# computing rule takes the record of them as an input (rule record_platform), so switching the
# pins reruns what they can change.
JOB_ENVIRONMENT, PINS = job_environment(config["numerics"]["pin"])
os.environ.update(JOB_ENVIRONMENT)
PLATFORM = "results/platform.parquet"


def library(*modules):
    """The library files a rule's code imports, with what they import in turn, as inputs:
    editing one reruns the rule."""
    files = [
        "__init__.py",
        "pipeline/__init__.py",
        "pipeline/io.py",
        *(f"{module.replace('.', '/')}.py" for module in modules),
    ]
    for name in files:  # grows while it is walked: the closure under imports
        files += [
            found for found in lvebm_imports(str(LIBRARY / name)) if found not in files
        ]
    return [os.path.relpath(LIBRARY / name) for name in files]
