"""Adapter of rule gap_band: the gap map -> per encoder, the gap off and inside the band around
the ridge."""

import sys

from lvebm.amortized import band_summary
from lvebm.pipeline.io import read_artifact, write_parquet

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

table = band_summary(read_artifact(snakemake.input.gap), snakemake.params.band)
write_parquet(snakemake.output[0], table)
for k, method in enumerate(table["method"]):
    print(
        f"{method}: median gap off the band {table['median_off'][k]:.3g}, "
        f"share inside {table['share_inside'][k]:.3f}",
        file=sys.stderr,
    )
