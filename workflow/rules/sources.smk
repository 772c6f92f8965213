# The workflow's code files in the storage, when there is no shared filesystem (a default storage
# provider, as profiles/slurm-s3 sets): every rule's inputs are then objects in the storage, its
# script and library files too (SOURCES, common.smk). One local job copies them from the clone to
# the storage; each job downloads the ones it declares. On a shared filesystem the rules read the
# clone's files and this rule does not exist.

from lvebm.pipeline.jobgraph import SMALL_JOB

if workflow.storage_settings.default_storage_provider:

    rule publish_sources:
        input:
            SOURCES.local_inputs(),
        output:
            list(SOURCES.paths),
        log:
            "logs/publish_sources/publish_sources.log",
        localrule: True
        resources:
            **SMALL_JOB,
        script:
            "../scripts/publish_sources.py"
