"""lvebm: inference for latent-variable energy-based models (NYU DLSP20, week 15, part 1).

The library is pure numpy/scipy: no file paths, no configuration, no Snakemake.
Modules: :mod:`lvebm.model` (decoder, energy), :mod:`lvebm.data` (samplers),
:mod:`lvebm.io` (deterministic Parquet).
"""

__version__ = "0.1.0"
