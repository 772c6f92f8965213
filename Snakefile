# lvebm: inference for latent-variable energy-based models (NYU DLSP20, week 15, part 1).
#   snakemake                                the whole pipeline on config.yaml, locally
#                                            (the default profile, profiles/default)
#   ./dev.sh pipeline                        the same, then the report (results/report.html)
#   snakemake --profile profiles/slurm       the same as SLURM batch jobs (edit the profile)
#   snakemake --report results/report.html   the report again, from the finished run


import os
import sys

from snakemake.utils import min_version

from lvebm.pipeline.config import (
    check_config,
    check_schema,
    own_overrides,
    stop_on_error,
    typed_overrides,
)
from lvebm.pipeline.configfile import check_config_files, load_schema
from lvebm.pipeline.jobgraph import (
    MAIN_RUN,
    at_point,
    check_artifacts,
    checked_in_storage,
    check_landing_page,
    figure_path,
)

min_version("9.0")

# The module's name when lvebm is used as a module of another workflow (Snakemake gives the
# module's modifier the name of `module <name>:`), None when lvebm is the workflow itself.
MODULE_NAME = workflow.modifier.namespace
SCHEMA = os.path.realpath(
    os.path.join(workflow.current_basedir, "workflow/schemas/config.schema.yaml")
)

# The workflow's own config.yaml (also with -d elsewhere); then the working directory's
# config/config.yaml where there is one (the layout of Snakemake's workflow catalog and CI action:
# `snakemake --directory .test` runs the quick config, .test/config/config.yaml); --configfile and
# --config override both. All are read strictly first: a repeated key or a syntax error stops
# here, naming the line. Used as a module, the host's working directory and --configfile files
# are the host's, and the host's business.
DEFAULT_CONFIG = os.path.join(workflow.current_basedir, "config.yaml")
LOCAL_CONFIG = (
    "config/config.yaml"
    if MODULE_NAME is None
    and os.path.isfile("config/config.yaml")
    and not os.path.samefile("config/config.yaml", DEFAULT_CONFIG)
    else None
)
stop_on_error(
    check_config_files,
    DEFAULT_CONFIG,
    *([LOCAL_CONFIG] if LOCAL_CONFIG else []),
    *(workflow.config_settings.configfiles or [] if MODULE_NAME is None else []),
)


configfile: DEFAULT_CONFIG


if LOCAL_CONFIG:

    configfile: LOCAL_CONFIG


# --config values typed by the schema ('mesh={shards: 4}' gives the integer 4), only lvebm's own:
# used as a module, the host's items under the module's name.
typed_overrides(
    config,
    own_overrides(workflow.config_settings.overwrite_config, MODULE_NAME),
    load_schema(SCHEMA),
)
# Schema, finite numbers, integers, sweeps: one line naming the key, before any job.
stop_on_error(check_schema, config, SCHEMA)
# Artifacts changed since their rule wrote them stop the run before Snakemake reruns anything
# (the check once per run, not again in each cluster job; a sweep's points are checked here).
if workflow.is_main_process:
    stop_on_error(check_artifacts, "results")


scattergather:
    mesh=config["mesh"]["shards"],


# What the stages share, then one file per stage (in any order: each registers its targets,
# figures, report tables, headline tables and config checks into common.smk's lists).
include: "workflow/rules/common.smk"
include: "workflow/rules/kernels.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/energy.smk"
include: "workflow/rules/inference.smk"
include: "workflow/rules/mesh.smk"
include: "workflow/rules/relaxed.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/conditional.smk"
include: "workflow/rules/probabilistic.smk"
include: "workflow/rules/amortized.smk"
include: "workflow/rules/capacity.smk"
include: "workflow/rules/variational.smk"
include: "workflow/rules/explorer.smk"
include: "workflow/rules/landing.smk"
include: "workflow/rules/provenance.smk"


# The stages' cross-field config checks, before any job (a sweep's points: sweeps.smk).
stop_on_error(check_config, config, CONFIG_CHECKS)


# The sweeps (the stages' rules at each point) and the report's tables, from what the stages
# registered.
include: "workflow/rules/sweeps.smk"
include: "workflow/rules/tables.smk"


# The landing page: the text rule landing_page writes (workflow/report/workflow.rst and the
# run's identity), read when the report is built; a report of a run that has not written it
# stops here, saying so (a run with --report-after-run writes it first).
if workflow.is_main_process:
    stop_on_error(check_landing_page, LANDING, sys.argv)


report: os.path.abspath(LANDING)


include: "workflow/rules/figures.smk"
include: "workflow/rules/sources.smk"


rule all:
    default_target: True
    input:
        # the run's own files (point ""): a sweep point's are its table's inputs; in a storage,
        # checked there (jobgraph.checked_in_storage says why)
        checked_in_storage(
            [
                *at_point([PLATFORM_RECORD, *TARGETS], MAIN_RUN),
                *[figure_path(name) for name in FIGURES],
            ],
            workflow.storage_settings,
            storage,
        ),
