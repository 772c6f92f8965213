# lvebm: inference for latent-variable energy-based models (NYU DLSP20, week 15, part 1).
#   snakemake                                the whole pipeline on config.yaml, locally, and its
#                                            report (the default profile, profiles/default)
#   snakemake --profile profiles/slurm       the same as SLURM batch jobs (edit the profile)
#   snakemake --report results/report.html   the report again, from the finished run


import os

from snakemake.utils import min_version, validate

min_version("9.0")


# The workflow's own config.yaml (also with -d elsewhere); --configfile and --config override it.
configfile: os.path.join(workflow.current_basedir, "config.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/overrides.smk"


validate(config, "workflow/schemas/config.schema.yaml")


scattergather:
    mesh=config["mesh"]["shards"],


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/energy.smk"
include: "workflow/rules/inference.smk"
include: "workflow/rules/mesh.smk"
include: "workflow/rules/relaxed.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/conditional.smk"
include: "workflow/rules/figures.smk"


rule all:
    default_target: True
    input:
        all_targets(),
