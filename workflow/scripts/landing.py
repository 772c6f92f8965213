"""The landing stage's jobs (workflow/rules/landing.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import html
import sys
import textwrap
from datetime import UTC, datetime

import yaml

from lvebm.pipeline.io import atomic_path, read_artifact
from lvebm.pipeline.jobs import run_job
from lvebm.pipeline.manifest import describe_platform


def landing_page(job):
    """The report's text with the run's identity on top (version, commit, config hash, the jobs'
    platform record, the date), written atomically."""
    p = job.params
    record = read_artifact(job.input.platform)
    platform = describe_platform(dict(zip(record["key"], record["value"], strict=True)))
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    # the identity as its own section, left-aligned (indented RST would be a block quote)
    identity = textwrap.dedent(f"""
        The run
        -------

        :version: lvebm {p.version}
        :commit: ``{p.commit}``
        :config: SHA-256 ``{p.config_sha256}`` (of the run's configuration as validated: the item
          "configuration" under "About this run")
        :platform: {platform} (the jobs' own record, ``results/platform.parquet``)
        :date: {date} (when this page was written)

    """)
    template = open(job.input.template).read()
    title_end = template.index("\n\n") + 1  # after the title and its underline
    with atomic_path(job.output[0], record=False) as tmp:
        tmp.write_text(template[:title_end] + identity + template[title_end:])
    print(
        f"{job.output[0]}: lvebm {p.version}, commit {p.commit}, config {p.config_sha256}",
        file=sys.stderr,
    )


def run_config(job):
    """The run's configuration, as the pipeline validated it: YAML that can be pasted back into a
    config file, and the same in a self-contained page (the report's item "configuration")."""
    text = yaml.safe_dump(dict(job.params.config), sort_keys=False, allow_unicode=True)
    with atomic_path(job.output.yaml, record=False) as tmp:
        tmp.write_text(text)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>lvebm: the run's configuration</title>"
        "<style>body{font-family:sans-serif;margin:1.5em;color:#111}"
        "pre{background:#f4f4f4;padding:1em;font-size:13px;line-height:1.35}</style></head>"
        "<body><h1>The run's configuration</h1>"
        "<p>Every setting of this run, as the pipeline validated it (<code>config.yaml</code> with "
        "any <code>--configfile</code> or <code>--config</code> overrides, the schema's defaults "
        "filled in), as YAML that can be pasted back into a config file "
        "(<code>results/report/config.yaml</code>).</p>"
        f"<pre>{html.escape(text)}</pre></body></html>\n"
    )
    with atomic_path(job.output.page, record=False) as tmp:
        tmp.write_text(page)
    print(f"{job.output.yaml}, {job.output.page}: {len(text.splitlines())} lines", file=sys.stderr)


run_job(snakemake, [landing_page, run_config])
