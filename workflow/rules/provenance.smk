# The run's provenance (lvebm.pipeline.provenance): after every run that ran a job, Snakemake's
# onsuccess hook writes results/ro-crate-metadata.json, a Workflow Run RO-Crate in the
# Provenance Run Crate profile (0.5) whose root is results/: every job with its rule, params,
# inputs, outputs, start and end, each artifact with its SHA-256, and the workflow's definition as
# it ran (copied to results/provenance/workflow/). A hook, not a rule: it reads Snakemake's own
# record of the jobs (its job graph and the metadata of each output), which no job can see, and
# it describes the run, not one of its steps.

import lvebm
from lvebm.pipeline.jobgraph import MAIN_RUN, at_point, commit
from lvebm.pipeline.provenance import write_crate


onsuccess:
    write_crate(
        workflow,
        LIBRARY.parents[1],
        config=RUN_CONFIG,
        platform=at_point(PLATFORM_RECORD, MAIN_RUN),
        version=lvebm.__version__,
        commit=commit(str(LIBRARY.parents[1])),
    )
