"""Rule publish_sources (workflow/rules/sources.smk): each code file of the clone (an input) to
its place in the storage (the output of the same index)."""

import shutil
import sys

from lvebm.pipeline.jobs import log_to_rule

log_to_rule(snakemake)
for source, target in zip(snakemake.input, snakemake.output, strict=True):
    shutil.copyfile(source, target)
    print(f"{source} -> {target}", file=sys.stderr)
