"""A stage's inverse temperatures and their names in file names, shared by the science (which
betas a stage computes at) and the workflow (which files it writes): numpy only, so that building
the job graph imports no science module."""

from __future__ import annotations

import numpy as np


def beta_label(beta: float) -> str:
    """The text of beta in file names (``beta~{label}``).

    The label is the ``repr`` of the float, ``inf`` for zero temperature; ``float(label)`` gives
    beta back exactly.

    Parameters
    ----------
    beta : float
        The inverse temperature (``numpy.inf`` for zero temperature).

    Returns
    -------
    str
        The label, ``repr(float(beta))``.

    Examples
    --------
    >>> beta_label(3.2), beta_label(np.inf)
    ('3.2', 'inf')
    """
    return repr(float(beta))


def with_zero_temperature(betas) -> list[float]:
    """The betas of the stage: the configured ones, in order, and beta = inf (always added).

    Parameters
    ----------
    betas : iterable of float
        The configured inverse temperatures; an infinite one among them is dropped (beta = inf
        comes last, once).

    Returns
    -------
    list of float
        The finite betas in the given order, then ``inf``.

    Examples
    --------
    >>> with_zero_temperature([0.1, 0.3, 1.0, 3.2, 10.0])  # the lecture's betas
    [0.1, 0.3, 1.0, 3.2, 10.0, inf]
    """
    return [float(b) for b in betas if not np.isinf(b)] + [np.inf]
