# The report's landing page: workflow/report/workflow.rst with the run's identity on top (version,
# commit, config hash, the jobs' platform record, date), written by a rule so that it holds this run's
# platform record; the Snakefile's report: names the written file. The config hash is a
# param: any config change rewrites the page (it shows the hash), and nothing else.

import os

import lvebm
from lvebm.pipeline.jobgraph import ABOUT, MAIN_RUN, at_point, commit, config_sha256

LANDING = "results/report/workflow.rst"
# the run's configuration, as the pipeline validated it: YAML to paste back into a config file,
# and the same as the report's item (the landing page stays short)
RUN_CONFIG = "results/report/config.yaml"
RUN_CONFIG_PAGE = "results/report/config.html"
TARGETS += [LANDING, RUN_CONFIG, RUN_CONFIG_PAGE]


rule landing_page:
    input:
        script=script_file("landing"),
        template=SOURCES.record(
            os.path.relpath(LIBRARY.parents[1] / "workflow/report/workflow.rst")
        ),
        platform=at_point(PLATFORM_RECORD, MAIN_RUN),
        library=library("pipeline.manifest"),
    output:
        LANDING,
    log:
        "logs/landing_page/landing_page.log",
    localrule: True
    conda:
        ENV
    params:
        commit=commit(str(LIBRARY.parents[1])),
        version=lvebm.__version__,
        config_sha256=config_sha256(config),
    script:
        "../scripts/landing.py"


rule run_config:
    input:
        script=script_file("landing"),
        library=library(),
    output:
        # the report's item first (what the report reads of a rule)
        page=report(
            RUN_CONFIG_PAGE,
            category=ABOUT,
            labels={"item": "configuration"},
        ),
        yaml=RUN_CONFIG,
    log:
        "logs/run_config/run_config.log",
    localrule: True
    conda:
        ENV
    params:
        config=config,
    script:
        "../scripts/landing.py"
