"""Batched work over points: the state of the points still running and the loop that advances
them together (:class:`Active`, :func:`iterate`), and the split of a batch into blocks run in
threads (:func:`in_blocks`). Points are independent, so neither the order of the rounds nor the
blocks change a point's result.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np


class Active:
    """The per-point state of the points of a batch still running.

    The one pattern of every iterative method and line search: named arrays with one entry per
    running point (or any object with a ``take(indices)`` that selects its points, such as a
    :class:`lvebm.linesearch.Line`), in batch order, and ``pos``, the points' positions in the
    batch.

    A method reads and assigns the arrays as attributes, writes what a point ends with into its
    full-size outputs at ``pos``, and drops finished points with :meth:`keep`, so each round
    costs what the running points cost. ``len(active)`` is the number of running points.

    Parameters
    ----------
    pos : ndarray
        The running points' positions in the batch, int, increasing (batch order).
    **state : ndarray
        The per-point arrays, by name, one entry per running point (or objects with a
        ``take(indices)``); each becomes an attribute of that name.

    Examples
    --------
    >>> a = Active(np.arange(4), f=np.array([4.0, 3.0, 2.0, 1.0]))
    >>> a.keep(a.f > 1.5); a.pos.tolist(), a.f.tolist()
    ([0, 1, 2], [4.0, 3.0, 2.0])
    """

    def __init__(self, pos: np.ndarray, **state) -> None:
        self.pos = pos
        self._names = list(state)
        for name, value in state.items():
            setattr(self, name, value)

    def __len__(self) -> int:
        return self.pos.size

    def track(self, **state) -> None:
        """Add (or replace) arrays of the running points, one entry each.

        Parameters
        ----------
        **state : ndarray
            The arrays, by name, one entry per running point (or objects with a
            ``take(indices)``); each becomes an attribute of that name, which :meth:`keep` and
            :meth:`join` then select too.

        Examples
        --------
        >>> a = Active(np.arange(3), f=np.zeros(3))
        >>> a.track(g=np.array([1.0, 2.0, 3.0])); a.keep(np.array([0, 2])); a.g.tolist()
        [1.0, 3.0]
        """
        for name, value in state.items():
            if name not in self._names:
                self._names.append(name)
            setattr(self, name, value)

    def keep(self, which: np.ndarray) -> None:
        """Keep only the running points ``which`` (a mask or indices over them), in order.

        ``pos`` and every tracked array are selected alike.

        Parameters
        ----------
        which : ndarray
            The points to keep: a boolean mask over the running points, or their indices (int)
            among them, increasing to keep batch order.

        Examples
        --------
        >>> a = Active(np.arange(4), f=np.array([4.0, 3.0, 2.0, 1.0]))
        >>> a.keep(np.array([False, True, False, True])); a.pos.tolist(), a.f.tolist()
        ([1, 3], [3.0, 1.0])
        """
        if which.dtype == bool:  # one pass over the mask, not one per array
            which = np.flatnonzero(which)
        self.pos = self.pos[which]
        for name in self._names:
            value = getattr(self, name)
            setattr(
                self, name, value[which] if isinstance(value, np.ndarray) else value.take(which)
            )

    def join(self, other: Active) -> None:
        """Add the running points of ``other`` (same arrays), keeping batch order.

        Parameters
        ----------
        other : Active
            The points to add, with the same tracked arrays (ndarrays: joining concatenates
            them), at positions not among this one's.

        Examples
        --------
        >>> a = Active(np.array([0, 2]), f=np.array([0.0, 2.0]))
        >>> a.join(Active(np.array([1]), f=np.array([1.0]))); a.pos.tolist(), a.f.tolist()
        ([0, 1, 2], [0.0, 1.0, 2.0])
        """
        order = np.argsort(np.concatenate([self.pos, other.pos]), kind="stable")
        self.pos = np.concatenate([self.pos, other.pos])[order]
        for name in self._names:
            joined = np.concatenate([getattr(self, name), getattr(other, name)])
            setattr(self, name, joined[order])


def iterate(run: Active, advance: Callable[[Active, int], np.ndarray], rounds: int) -> None:
    """The batched iteration of the iterative optimizers and of the saddle-point refinement.

    The loop of :mod:`lvebm.optimize` and of :mod:`lvebm.relaxed`, scipy's elementwise ``_loop``
    the model (the line searches, inside one optimizer round, keep their own rounds): round ``k``
    calls ``advance(run, k)``, which moves the running points one round on, writes what the
    finished ones end with and returns them (a mask over ``run``); they leave, the others run on,
    until none is left or ``rounds`` rounds have run. What is still running then is the caller's
    to write.

    Parameters
    ----------
    run : Active
        The running points; updated in place (the finished ones leave it).
    advance : callable
        ``advance(run, k)``: moves the running points of round ``k`` (0, 1, ...) one round on
        and returns a boolean mask over them, True where a point has finished.
    rounds : int
        The round cap.

    Examples
    --------
    >>> a = Active(np.arange(3), x=np.array([1.0, 5.0, 9.0]))
    >>> def halve(run, k):
    ...     run.x = run.x / 2
    ...     return run.x < 1.5
    >>> iterate(a, halve, 10); a.pos.tolist()
    []
    """
    for k in range(rounds):
        if len(run) == 0:
            return
        finished = advance(run, k)
        if finished.any():
            run.keep(~finished)


def in_blocks(work: Callable[[int, int], Any], bounds: Sequence[int], workers: int) -> list:
    """``work(lo, hi)`` of every block [bounds[i], bounds[i + 1]), in at most ``workers`` threads.

    numpy releases the GIL in its loops; the results come in block order; a single block runs in
    the caller's thread.

    Parameters
    ----------
    work : callable
        ``work(lo, hi)``: the work of the points lo <= i < hi; it must be safe to run in threads
        at once on different blocks.
    bounds : sequence of int
        The blocks' bounds, increasing, at least two (n + 1 bounds make n blocks).
    workers : int
        The most threads to run, >= 1.

    Returns
    -------
    list
        What ``work`` returned for each block, in block order.

    Raises
    ------
    ValueError
        If there are two blocks or more and ``workers`` < 1, or ``bounds`` has fewer than two
        values (from :class:`concurrent.futures.ThreadPoolExecutor`: ``max_workers`` would be
        0).

    Examples
    --------
    >>> in_blocks(lambda lo, hi: hi - lo, [0, 3, 10], workers=2)
    [3, 7]
    """
    blocks = list(itertools.pairwise(int(bound) for bound in bounds))
    if len(blocks) == 1:
        return [work(*blocks[0])]
    with ThreadPoolExecutor(max_workers=min(workers, len(blocks))) as pool:
        return list(pool.map(lambda block: work(*block), blocks))
