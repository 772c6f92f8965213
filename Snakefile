# lvebm: inference for latent-variable energy-based models (NYU DLSP20, week 15, part 1).
#   snakemake                                the whole pipeline on config.yaml, locally
#                                            (the default profile, profiles/default)
#   ./dev.sh pipeline                        the same, then the report (results/report.html)
#   snakemake --profile profiles/slurm       the same as SLURM batch jobs (edit the profile)
#   snakemake --report results/report.html   the report again, from the finished run


import os

from snakemake.utils import min_version, validate

min_version("9.0")


include: "workflow/rules/configfiles.smk"


# The workflow's own config.yaml (also with -d elsewhere); --configfile and --config override it.
# Both are read strictly first: a repeated key or a syntax error stops here, naming the line.
check_config_files(
    os.path.join(workflow.current_basedir, "config.yaml"),
    *(workflow.config_settings.configfiles or []),
)


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
