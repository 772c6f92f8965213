"""The pipeline's plumbing, apart from the science in :mod:`lvebm`: what reads and writes files,
knows the config, the artifacts and the job graph. The science modules import nothing from here.

- :mod:`lvebm.pipeline.io`: atomic, checksummed, deterministic Parquet;
- :mod:`lvebm.pipeline.contracts`: every artifact's columns and how two runs' values compare;
- :mod:`lvebm.pipeline.configfile`: config files read strictly, the schema and its validators;
- :mod:`lvebm.pipeline.config`: typed ``--config`` values, the schema, number, cross-field and
  sweep checks, before any job; :mod:`lvebm.pipeline.keys`: dotted keys and sweep points;
- :mod:`lvebm.pipeline.manifest`: the ``lvebm-manifest`` command (write, compare, diff, verify);
- :mod:`lvebm.pipeline.numerics`: the pinned CPU kernels of every job and their record;
- :mod:`lvebm.pipeline.jobgraph`: what the workflow computes while it builds its job graph
  (library inputs, resources, figure records and paths, the sweeps' layout);
- :mod:`lvebm.pipeline.report_tables`, :mod:`lvebm.pipeline.explorer_page`: the report's tables
  and the explorer page;
- :mod:`lvebm.pipeline.sweep`, :mod:`lvebm.pipeline.sweep_figures`: sweeps' points, headline
  numbers and spread, and their figure.

A stage's tables live beside its science and its figures (:mod:`lvebm.relaxed_tables` beside
:mod:`lvebm.relaxed` and :mod:`lvebm.relaxed_figures`, :mod:`lvebm.training_tables`, and the
tabulating functions of :mod:`lvebm.conditional`, :mod:`lvebm.probabilistic`,
:mod:`lvebm.amortized`, :mod:`lvebm.explorer`).
"""
