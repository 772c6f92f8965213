"""A stage's inverse temperatures and their names in file names, shared by the science (which
betas a stage computes at) and the workflow (which files it writes): numpy only, so that building
the job graph imports no science module."""

from __future__ import annotations

import numpy as np


def beta_label(beta: float) -> str:
    """The text of beta in file names (``beta~{label}``): ``repr`` of the float, ``inf`` for
    zero temperature; ``float(label)`` gives beta back exactly.

    >>> beta_label(3.2), beta_label(np.inf)
    ('3.2', 'inf')
    """
    return repr(float(beta))


def with_zero_temperature(betas) -> list[float]:
    """The betas of the stage: the configured ones, in order, and beta = inf (always added)."""
    return [float(b) for b in betas if not np.isinf(b)] + [np.inf]
