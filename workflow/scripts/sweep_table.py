"""Adapter of the sweep_table rules: every point's headline tables -> lvebm.pipeline.sweep's
headline numbers -> the sweep's table (one row per point) and spread, written atomically."""

import sys

from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.pipeline.jobs import log_to_rule
from lvebm.pipeline.sweep import HEADLINES, spread, table

log_to_rule(snakemake)  # stderr, uncaught tracebacks included, to the rule's log

p = snakemake.params
tables = [{} for _ in p.settings]  # per point: {stage: {name: columns}}
for (index, stage, name), path in zip(p.layout, snakemake.input.tables, strict=True):
    tables[index].setdefault(stage, {})[name] = read_artifact(path)
headlines = [
    {
        metric: value
        for stage, named in point.items()
        for metric, value in HEADLINES[stage](named, options.get(stage, {})).items()
    }
    for point, options in zip(tables, p.options, strict=True)
]
columns = table(p.settings, headlines)
metrics = [name for name in columns if name != "point" and name not in p.settings[0]]
write_parquet(snakemake.output.table, columns)
write_parquet(snakemake.output.spread, spread(columns, p.grid, metrics))
print(f"{len(p.settings)} points, {len(metrics)} numbers: {metrics}", file=sys.stderr)
