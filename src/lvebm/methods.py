"""The record of every inference method: its name, its function, whether it iterates (takes a
start), how its result is scored, and where each of its options is set in the config. Light on
purpose (no numpy): the workflow reads it when it builds the job graph without importing an
optimizer. Callers ask the record, never the name.

The options' defaults are the keyword defaults of the method's function in
:mod:`lvebm.optimize`, the one place they are written; a test checks that the config schema's
defaults are the same values, and that every option has a rule in
:data:`lvebm.arguments.OPTION_RULES`.

Adding a method is this record plus its function in :mod:`lvebm.optimize` (the record names it;
``lvebm.optimize.OPTIMIZERS`` is derived from the records), and its config keys in the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# how a method's F is scored against the exact F_inf: within the grid's own resolution (a grid
# search cannot do better than its spacing), or within the config's ``inference.global_tol``
SCORING = ("grid", "global_tol")


@dataclass(frozen=True)
class Method:
    """One inference method: its name, its function, its start, its scoring and its options.

    A frozen record; the workflow and :mod:`lvebm.inference` ask it, never the method's name.

    Parameters
    ----------
    name : str
        The method's name, as the config's ``inference.optimizers`` lists it.
    iterative : bool
        Whether it starts from ``z_init`` (the others ignore it).
    config : Mapping of str to str, optional
        Maps each option the config sets to its dotted key (empty by default).
    fixed : frozenset of str, optional
        Names the options the config leaves at the library's default (none by default).
    scoring : str, optional
        One of :data:`SCORING`: ``global_tol`` (the default; within the config's
        ``inference.global_tol``) or ``grid`` (within the grid's own resolution).
    reference : bool, optional
        Whether it is the exact solver, its own reference (no second solve to score it).
    function : str, optional
        Its function's name in :mod:`lvebm.optimize` (the method's name unless given).

    Raises
    ------
    ValueError
        If ``scoring`` is not one of :data:`SCORING`.

    Examples
    --------
    >>> m = METHODS["lbfgs"]
    >>> m.iterative, m.function, m.scoring, sorted(m.fixed)
    (True, 'lbfgs', 'global_tol', ['max_ls'])
    >>> m.config["memory"], m.config["gtol"]
    ('inference.lbfgs.memory', 'inference.gtol')
    """

    name: str
    iterative: bool
    config: Mapping[str, str] = field(default_factory=dict)
    fixed: frozenset[str] = frozenset()
    scoring: str = "global_tol"
    reference: bool = False
    function: str = ""

    def __post_init__(self) -> None:
        if self.scoring not in SCORING:
            raise ValueError(f"method {self.name}: scoring must be one of {SCORING}")
        if not self.function:
            object.__setattr__(self, "function", self.name)


def _iterative(name: str, *own: str, fixed: frozenset[str] = frozenset()) -> Method:
    """An iterative method: its own options under ``inference.<name>``, the shared stopping rule
    (``gtol``, ``max_iter``) under ``inference``."""
    own_keys = {option: f"inference.{name}.{option}" for option in own}
    shared = {"gtol": "inference.gtol", "max_iter": "inference.max_iter"}
    return Method(name, True, {**own_keys, **shared}, fixed)


METHODS: dict[str, Method] = {
    method.name: method
    for method in (
        Method("exhaustive", False, {"n": "latent.n"}, scoring="grid"),
        _iterative("gradient_descent", "step"),
        _iterative("line_search", "c1", "c2"),
        _iterative("conjugate_gradient", "c1", "c2"),
        # max_ls: scipy's cap on line-search evaluations per iteration, not a setting of the lecture
        _iterative("lbfgs", "memory", "ftol", fixed=frozenset({"max_ls"})),
        _iterative("newton", "max_step"),
        Method("exact", False, reference=True),
    )
}
ITERATIVE = tuple(name for name, method in METHODS.items() if method.iterative)
