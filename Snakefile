# lvebm: inference for latent-variable energy-based models (NYU DLSP20, week 15, part 1).
#   snakemake --profile workflow/profiles/default   the whole pipeline on config.yaml, locally
#   snakemake --profile workflow/profiles/slurm     the same as SLURM batch jobs (edit the profile)
#   snakemake --report results/report.html          every figure with its caption


from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


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
