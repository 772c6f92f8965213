"""How the workflow's scripts start: where a job's messages go, and which function is the job.

A stage's script (``workflow/scripts/<stage>.py``) holds one function per rule of its stage, each
named as its rule and taking Snakemake's ``snakemake`` object, and ends with
``run_job(snakemake, [its functions])``; the scripts shared by many rules (a figure, a report
table, a gather, a sweep's table) call ``log_to_rule`` first and are the job themselves. Either
way everything the job writes to stderr, an uncaught traceback included, goes to the rule's log.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

Job = Callable[[Any], None]


# Set in every job's environment (common.smk) when the run has a default storage provider
STORAGE_ENV = "LVEBM_STORAGE_PROVIDER"


def storage_environment(provider: str | None) -> dict[str, str]:
    """What common.smk puts in the jobs' environment for the run's default storage provider:
    ``{STORAGE_ENV: provider}``, or nothing on a shared filesystem. An artifact's checksum file
    (``lvebm.pipeline.io``, written beside it and not a declared output) stays in the folder of
    the job that wrote it there, so jobs check the contract of what they read, not its sidecar."""
    return {} if provider is None else {STORAGE_ENV: provider}


def log_to_rule(snakemake: Any) -> None:
    """Send stderr, line-buffered, to the rule's first log file (for the rest of the process)."""
    sys.stderr = open(snakemake.log[0], "w", buffering=1)


def job_for(rule: str, jobs: Sequence[Job]) -> Job:
    """The function of ``jobs`` that runs ``rule``: the one named as the rule; for this workflow's
    rule used under a prefix (a host workflow's ``use rule * from lvebm as lvebm_*``), the longest
    name that ends the rule's name after an underscore.

    >>> def infer(job): ...
    >>> def trace(job): ...
    >>> job_for("lvebm_infer", [infer, trace]).__name__
    'infer'
    """
    named = {job.__name__: job for job in jobs}
    if rule in named:
        return named[rule]
    ends = sorted((name for name in named if rule.endswith(f"_{name}")), key=len)
    if not ends:
        raise LookupError(f"rule {rule} has no job in this script, whose jobs are {sorted(named)}")
    return named[ends[-1]]


def run_job(snakemake: Any, jobs: Sequence[Job]) -> None:
    """Run the job of the rule that started the script (``snakemake.rule``), its stderr in the
    rule's log."""
    log_to_rule(snakemake)
    job_for(snakemake.rule, jobs)(snakemake)
