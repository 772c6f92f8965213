"""Adapter of rule landing_page: the report's text with the run's identity on top (commit, config
hash, the jobs' platform record, the date), written atomically."""

import sys
from datetime import UTC, datetime

from lvebm.pipeline.io import atomic_path, read_artifact
from lvebm.pipeline.manifest import describe_platform

# everything written to stderr, uncaught tracebacks included, goes to the rule's log
sys.stderr = open(snakemake.log[0], "w", buffering=1)

p = snakemake.params
record = read_artifact(snakemake.input.platform)
platform = describe_platform(dict(zip(record["key"], record["value"], strict=True)))
date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
identity = f"""
The run
-------

:commit: ``{p.commit}``
:config: SHA-256 ``{p.config_sha256}`` (of the configuration below, as validated)
:platform: {platform} (the jobs' own record, ``results/platform.parquet``)
:date: {date} (when this page was written)

"""
template = open(snakemake.input.template).read()
title_end = template.index("\n\n") + 1  # after the title and its underline
with atomic_path(snakemake.output[0], record=False) as tmp:
    tmp.write_text(template[:title_end] + identity + template[title_end:])
print(f"{snakemake.output[0]}: commit {p.commit}, config {p.config_sha256}", file=sys.stderr)
