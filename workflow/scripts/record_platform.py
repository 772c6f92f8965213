"""Adapter of rule record_platform: this job's kernels (lvebm.pipeline.numerics) ->
platform.parquet."""

import sys

from lvebm.pipeline.io import write_parquet
from lvebm.pipeline.numerics import kernels, platform_record

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

record = platform_record(snakemake.params.pins)
write_parquet(snakemake.output[0], record)
print(f"pins {snakemake.params.pins}: {kernels(dict(zip(*record.values(), strict=True)))}",
      file=sys.stderr)  # fmt: skip
