"""The landing stage's jobs (workflow/rules/landing.smk): one function per rule, named
as its rule and given Snakemake's ``snakemake`` object; ``run_job`` runs the rule's, its stderr
in the rule's log (lvebm.pipeline.jobs)."""

import sys
import textwrap
from datetime import UTC, datetime

from lvebm.pipeline.io import atomic_path, read_artifact
from lvebm.pipeline.jobs import run_job
from lvebm.pipeline.manifest import describe_platform


def landing_page(job):
    """The report's text with the run's identity on top (commit, config hash, the jobs' platform
    record, the date), written atomically."""
    p = job.params
    record = read_artifact(job.input.platform)
    platform = describe_platform(dict(zip(record["key"], record["value"], strict=True)))
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    # the identity as its own section, left-aligned (indented RST would be a block quote)
    identity = textwrap.dedent(f"""
        The run
        -------

        :commit: ``{p.commit}``
        :config: SHA-256 ``{p.config_sha256}`` (of the configuration below, as validated)
        :platform: {platform} (the jobs' own record, ``results/platform.parquet``)
        :date: {date} (when this page was written)

    """)
    template = open(job.input.template).read()
    title_end = template.index("\n\n") + 1  # after the title and its underline
    with atomic_path(job.output[0], record=False) as tmp:
        tmp.write_text(template[:title_end] + identity + template[title_end:])
    print(f"{job.output[0]}: commit {p.commit}, config {p.config_sha256}", file=sys.stderr)


run_job(snakemake, [landing_page])
