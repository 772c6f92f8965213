"""Batched line searches: many independent 1-D searches advanced together, one evaluation a round.

``dcsrch`` is the More-Thuente search of MINPACK-2 (as in scipy's ``line_search_wolfe1``, CG and
L-BFGS-B); ``wolfe_zoom`` is the bracketing-and-zoom search of Nocedal & Wright, Algorithms 3.5
and 3.6 (as in ``scipy.optimize.line_search``). Both follow their reference step for step, with
per-point state arrays instead of scalars, so a batch of N points ends where N scalar calls would.

A :class:`Line` is the batch of points y moving along origin + alpha p in latent space; calling it
with steps ``alpha`` returns ``(f, slope)``: E and its directional derivative dE/dz * p. A search's
state is an :class:`lvebm.batched.Active`; its rounds are its own loop (MINPACK's and Nocedal &
Wright's control flow, followed line for line), run inside one round of the optimizer that
called it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lvebm.batched import Active

Condition = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Line:
    """Points (y1, y2) searched along the latents origin + alpha p.

    Calling the line with steps ``alpha`` (one per point) returns ``(f, slope)``: the energy at
    origin + alpha p and its directional derivative dE/dz * p there.

    Parameters
    ----------
    energy_and_dz : callable
        ``energy_and_dz(y1, y2, z)`` returning E and dE/dz (:meth:`Decoder.energy_and_dz`).
    y1, y2 : ndarray
        The points' coordinates, 1-D, one per search.
    origin : ndarray
        The latents the searches start from, one per point.
    p : ndarray
        The search directions in latent space, one per point.

    Examples
    --------
    >>> import numpy as np
    >>> from lvebm.model import Decoder
    >>> d = Decoder(-1.45, 0.36)
    >>> y1, y2, z = np.array([2.0, -0.5]), np.array([0.1, 1.0]), np.array([0.5, 0.5])
    >>> f0, g = d.energy_and_dz(y1, y2, z)
    >>> line = Line(d.energy_and_dz, y1, y2, z, -g)  # steepest descent from z = 0.5
    >>> f, slope = line(np.zeros(2))  # at the origin: E and dE/dz * p = -(dE/dz)^2
    >>> f.round(4).tolist(), slope.round(4).tolist()
    ([10.7145, 1.2814], [-20.2859, -2.5499])
    """

    energy_and_dz: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    y1: np.ndarray
    y2: np.ndarray
    origin: np.ndarray
    p: np.ndarray

    def __call__(self, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e, g = self.energy_and_dz(self.y1, self.y2, self.origin + alpha * self.p)
        return e, g * self.p

    def take(self, sel: np.ndarray) -> Line:
        """The line of the points ``sel`` (an index or boolean array).

        Parameters
        ----------
        sel : ndarray
            The points to keep: their indices, or a boolean mask over the points.

        Returns
        -------
        Line
            The same energy along the same directions, for the selected points only.

        Examples
        --------
        >>> import numpy as np
        >>> from lvebm.model import Decoder
        >>> d = Decoder(-1.45, 0.36)
        >>> y1, y2, z = np.array([2.0, -0.5]), np.array([0.1, 1.0]), np.array([0.5, 0.5])
        >>> f0, g = d.energy_and_dz(y1, y2, z)
        >>> line = Line(d.energy_and_dz, y1, y2, z, -g)  # steepest descent from z = 0.5
        >>> line.take(np.array([False, True])).y1.tolist()
        [-0.5]
        """
        return Line(self.energy_and_dz, self.y1[sel], self.y2[sel], self.origin[sel], self.p[sel])


RUNNING, CONVERGED, WARNING, ERROR, EXHAUSTED = 0, 1, 2, 3, 4
# MINPACK-2's dcsrch and dcstep (More & Thuente 1994), as in scipy.optimize._dcsrch, with their
# names there: the bounds xtrapl, xtrapu of a trial step before the minimum is bracketed, p5 and
# p66 (a bracket that did not shrink to p66 of its width in two trials is bisected; a safeguarded
# step goes at most p66 of the way to the bracket's end).
XTRAPL, XTRAPU, P5, P66 = 1.1, 4.0, 0.5, 0.66
# scipy.optimize._linesearch: scalar_search_wolfe2 brackets for at most maxiter = 10 trials and
# _zoom interpolates for at most maxiter = 10, rejecting a cubic trial within delta1 = 0.2 of the
# interval's ends and a quadratic one within delta2 = 0.1 (then it bisects).
WOLFE2_MAX_BRACKET, ZOOM_MAX_ITER, ZOOM_CUBIC_CHECK, ZOOM_QUADRATIC_CHECK = 10, 10, 0.2, 0.1


@dataclass
class LineSearchResult:
    """Accepted step, value and slope there, status code and evaluations, per point.

    What :func:`dcsrch` and :func:`wolfe_zoom` return, one value per searched point.

    Parameters
    ----------
    alpha : ndarray
        The accepted step (or the last trial, or the input where there was none), float64.
    f : ndarray
        E at origin + alpha p.
    slope : ndarray
        The directional derivative dE/dz * p there.
    status : ndarray
        The status codes, int8: ``CONVERGED`` (1), ``WARNING`` (2), ``ERROR`` (3) or
        ``EXHAUSTED`` (4).
    n_eval : ndarray
        The evaluations of the line each search took, int64.

    Examples
    --------
    >>> import numpy as np
    >>> from lvebm.model import Decoder
    >>> d = Decoder(-1.45, 0.36)
    >>> y1, y2, z = np.array([2.0, -0.5]), np.array([0.1, 1.0]), np.array([0.5, 0.5])
    >>> f0, g = d.energy_and_dz(y1, y2, z)
    >>> line = Line(d.energy_and_dz, y1, y2, z, -g)  # steepest descent from z = 0.5
    >>> r = wolfe_zoom(line, np.ones(2), f0, -g * g, c1=1e-4, c2=0.9)
    >>> r.alpha.round(4).tolist(), r.status.tolist(), r.n_eval.tolist()
    ([0.5678, 0.3922], [1, 1], [2, 2])
    """

    alpha: np.ndarray
    f: np.ndarray
    slope: np.ndarray
    status: np.ndarray
    n_eval: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Whether each search converged (its status is ``CONVERGED``).

        Returns
        -------
        ndarray
            ``status == CONVERGED``, bool, one per point.

        Examples
        --------
        >>> r = LineSearchResult(*(np.zeros(2) for _ in range(3)), np.array([1, 3]), np.ones(2))
        >>> r.ok.tolist()
        [True, False]
        """
        return self.status == CONVERGED


def dcstep(stx, fx, dx, sty, fy, dy, stp, fp, dp, brackt, stpmin, stpmax):
    """Safeguarded cubic/quadratic step of More and Thuente, vectorised over its four cases.

    Each case is computed only for the points in it; the interval update is common to all. The
    names and rules are MINPACK-2's (scipy.optimize._dcsrch's ``dcstep``): case 1, a higher
    value than at stx (the minimum is bracketed); case 2, derivatives of opposite sign
    (bracketed); case 3, the derivative decreases in magnitude; case 4, it does not.

    Parameters
    ----------
    stx, fx, dx : ndarray
        The step with the least value so far, that value and the derivative there.
    sty, fy, dy : ndarray
        The other end of the interval, its value and derivative.
    stp, fp, dp : ndarray
        The current trial step, its value and derivative.
    brackt : ndarray
        Whether each point's minimum is already bracketed, bool.
    stpmin, stpmax : float or ndarray
        The bounds of the step (broadcast to the points).

    Returns
    -------
    tuple of ndarray
        ``(stx, fx, dx, sty, fy, dy, stp, brackt)``: the updated interval's ends with their
        values and derivatives, the next trial step and the updated ``brackt``.

    Examples
    --------
    On f(s) = (s - 0.5)^2 from s = 0 (f = 0.25, f' = -1), a trial at s = 1 with the opposite
    slope brackets the minimum, and the next trial is the quadratic's minimiser:

    >>> a = lambda v: np.array([v])
    >>> out = dcstep(a(0.0), a(0.25), a(-1.0), a(0.0), a(0.25), a(-1.0),
    ...              a(1.0), a(0.25), a(1.0), a(False), 0.0, 10.0)
    >>> float(out[6][0]), bool(out[7][0])
    (0.5, True)
    """
    sgnd = dp * np.sign(dx)
    case1 = fp > fx
    case2 = ~case1 & (sgnd < 0)
    case3 = ~case1 & ~case2 & (np.abs(dp) < np.abs(dx))
    stpf = np.empty_like(stp)
    stpmin = np.broadcast_to(stpmin, stp.shape)
    stpmax = np.broadcast_to(stpmax, stp.shape)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # each case gathers only the inputs its rule reads
        if case1.any():
            k = np.flatnonzero(case1)
            stpf[k] = _step_higher(stx[k], fx[k], dx[k], stp[k], fp[k], dp[k])
        if case2.any():
            k = np.flatnonzero(case2)
            stpf[k] = _step_opposite(stx[k], fx[k], dx[k], stp[k], fp[k], dp[k])
        if case3.any():
            k = np.flatnonzero(case3)
            stpf[k] = _step_flatter(
                stx[k], fx[k], dx[k], sty[k], stp[k], fp[k], dp[k], brackt[k], stpmin[k], stpmax[k]
            )
        case4 = ~(case1 | case2 | case3)
        if case4.any():
            k = np.flatnonzero(case4)
            stpf[k] = _step_steeper(
                stx[k], sty[k], fy[k], dy[k], stp[k], fp[k], dp[k], brackt[k], stpmin[k], stpmax[k]
            )
    # update the interval
    opposite = sgnd < 0
    new_sty = np.where(case1, stp, np.where(opposite, stx, sty))
    new_fy = np.where(case1, fp, np.where(opposite, fx, fy))
    new_dy = np.where(case1, dp, np.where(opposite, dx, dy))
    new_stx = np.where(case1, stx, stp)
    new_fx = np.where(case1, fx, fp)
    new_dx = np.where(case1, dx, dp)
    return new_stx, new_fx, new_dx, new_sty, new_fy, new_dy, stpf, brackt | case1 | case2


def _cubic_terms(stx, fx, dx, stp, fp, dp):
    theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
    s = np.maximum(np.maximum(np.abs(theta), np.abs(dx)), np.abs(dp))
    return theta, s, (theta / s) ** 2 - (dx / s) * (dp / s)


def _step_higher(stx, fx, dx, stp, fp, dp):
    """Case 1: a higher function value; the minimum is bracketed."""
    theta, s, disc = _cubic_terms(stx, fx, dx, stp, fp, dp)
    gamma = s * np.sqrt(disc)
    gamma = np.where(stp < stx, -gamma, gamma)
    r = ((gamma - dx) + theta) / (((gamma - dx) + gamma) + dp)
    stpc = stx + r * (stp - stx)
    stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx)
    return np.where(np.abs(stpc - stx) <= np.abs(stpq - stx), stpc, stpc + (stpq - stpc) / 2.0)


def _step_opposite(stx, fx, dx, stp, fp, dp):
    """Case 2: derivatives of opposite sign; bracketed."""
    theta, s, disc = _cubic_terms(stx, fx, dx, stp, fp, dp)
    gamma = s * np.sqrt(disc)
    gamma = np.where(stp > stx, -gamma, gamma)
    r = ((gamma - dp) + theta) / (((gamma - dp) + gamma) + dx)
    stpc = stp + r * (stx - stp)
    stpq = stp + (dp / (dp - dx)) * (stx - stp)
    return np.where(np.abs(stpc - stp) > np.abs(stpq - stp), stpc, stpq)


def _step_flatter(stx, fx, dx, sty, stp, fp, dp, brackt, stpmin, stpmax):
    """Case 3: the derivative decreases in magnitude."""
    theta, s, disc = _cubic_terms(stx, fx, dx, stp, fp, dp)
    gamma = s * np.sqrt(np.maximum(0.0, disc))
    gamma = np.where(stp > stx, -gamma, gamma)
    r = ((gamma - dp) + theta) / ((gamma + (dx - dp)) + gamma)
    stpc = np.where(
        (r < 0) & (gamma != 0), stp + r * (stx - stp), np.where(stp > stx, stpmax, stpmin)
    )
    stpq = stp + (dp / (dp - dx)) * (stx - stp)
    near = np.where(np.abs(stpc - stp) < np.abs(stpq - stp), stpc, stpq)
    near = np.where(
        stp > stx,
        np.minimum(stp + P66 * (sty - stp), near),
        np.maximum(stp + P66 * (sty - stp), near),
    )
    far = np.clip(np.where(np.abs(stpc - stp) > np.abs(stpq - stp), stpc, stpq), stpmin, stpmax)
    return np.where(brackt, near, far)


def _step_steeper(stx, sty, fy, dy, stp, fp, dp, brackt, stpmin, stpmax):
    """Case 4: the derivative does not decrease; use the other end of the bracket."""
    theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp
    s = np.maximum(np.maximum(np.abs(theta), np.abs(dy)), np.abs(dp))
    gamma = s * np.sqrt((theta / s) ** 2 - (dy / s) * (dp / s))
    gamma = np.where(stp > sty, -gamma, gamma)
    r = ((gamma - dp) + theta) / (((gamma - dp) + gamma) + dy)
    return np.where(brackt, stp + r * (sty - stp), np.where(stp > stx, stpmax, stpmin))


def dcsrch(
    line: Line,
    stp: np.ndarray,
    f0: np.ndarray,
    g0: np.ndarray,
    *,
    ftol: float,
    gtol: float,
    xtol: float,
    stpmin: float,
    stpmax: float,
    max_eval: int,
) -> LineSearchResult:
    """More-Thuente search for a step satisfying the strong Wolfe conditions (ftol = c1, gtol = c2).

    Status CONVERGED, WARNING (MINPACK's warnings: the step is usable), ERROR (bad input),
    or EXHAUSTED (``max_eval`` evaluations without an answer). The state of the points still
    searching is kept in compact arrays, shrunk as points finish.

    Parameters
    ----------
    line : Line
        The points and their search directions.
    stp : ndarray
        The first trial step of each point.
    f0 : ndarray
        E at each origin (step 0).
    g0 : ndarray
        The slope dE/dz * p at each origin; it must be negative (a descent direction).
    ftol : float
        The sufficient-decrease constant c1 (L-BFGS-B's 1e-3).
    gtol : float
        The curvature constant c2 of the strong Wolfe conditions (L-BFGS-B's 0.9).
    xtol : float
        The relative width of the bracket below which the search ends with a warning.
    stpmin, stpmax : float
        The bounds of the step.
    max_eval : int
        The most evaluations of the line per point.

    Returns
    -------
    LineSearchResult
        Per point: the accepted step (the last trial where the search ran out or gave up, the
        input step where it had bad input), E and the slope there, the status code and the
        evaluations taken.

    Examples
    --------
    >>> import numpy as np
    >>> from lvebm.model import Decoder
    >>> d = Decoder(-1.45, 0.36)
    >>> y1, y2, z = np.array([2.0, -0.5]), np.array([0.1, 1.0]), np.array([0.5, 0.5])
    >>> f0, g = d.energy_and_dz(y1, y2, z)
    >>> line = Line(d.energy_and_dz, y1, y2, z, -g)  # steepest descent from z = 0.5
    >>> r = dcsrch(line, np.ones(2), f0, -g * g, ftol=1e-3, gtol=0.9, xtol=0.1, stpmin=0.0,
    ...            stpmax=1e10, max_eval=20)
    >>> r.alpha.round(4).tolist(), r.ok.tolist(), r.n_eval.tolist()
    ([0.4049, 0.4226], [True, True], [2, 2])
    >>> dcsrch(line, np.ones(2), f0, g * g, ftol=1e-3, gtol=0.9, xtol=0.1, stpmin=0.0,
    ...        stpmax=1e10, max_eval=20).status.tolist()  # an ascent direction: ERROR
    [3, 3]
    """
    m = stp.size
    stp = np.asarray(stp, dtype=np.float64)
    out = LineSearchResult(
        stp.copy(), f0.copy(), g0.copy(), np.full(m, EXHAUSTED, np.int8), np.zeros(m, np.int64)
    )
    bad = (stp < stpmin) | (stp > stpmax) | (g0 >= 0)
    out.status[bad] = ERROR
    live = ~bad
    # the first round's state is the searches' inputs: the interval and its bounds are built
    # after it, for the searches it did not end (most end at their first trial)
    st = Active(
        np.flatnonzero(live),
        line=line.take(live),
        stp=stp[live],
        finit=f0[live],
        ginit=g0[live],
        gtest=ftol * g0[live],
    )
    for round_ in range(1, max_eval + 1):
        if len(st) == 0:
            break
        s = st.stp
        fs, gs = st.line(s)
        ftest = st.finit + s * st.gtest
        sufficient = fs <= ftest
        if round_ == 1:  # not bracketed, stmin = 0 and stmax = stp (1 + XTRAPU) > stp
            st.track(stage1=~(sufficient & (gs >= 0)))
            warn = (s == stpmax) & sufficient & (gs <= st.gtest)
        else:
            st.stage1 &= ~(sufficient & (gs >= 0))
            br, smin, smax = st.brackt, st.stmin, st.stmax
            warn = br & ((s <= smin) | (s >= smax) | (smax - smin <= xtol * smax))
            warn |= (s == stpmax) & sufficient & (gs <= st.gtest)
        warn |= (s == stpmin) & ((fs > ftest) | (gs >= st.gtest))
        conv = sufficient & (np.abs(gs) <= gtol * -st.ginit)
        finished = conv | warn
        go = ~finished
        fin = st.pos[finished]
        out.alpha[fin], out.f[fin], out.slope[fin] = s[finished], fs[finished], gs[finished]
        out.status[fin] = np.where(conv[finished], CONVERGED, WARNING)
        out.n_eval[fin] = round_
        if finished.any():
            st.keep(go)
            s, fs, gs, ftest = s[go], fs[go], gs[go], ftest[go]
        if len(st) == 0:
            break
        if round_ == max_eval:  # out of evaluations: report the last trial
            out.alpha[st.pos], out.f[st.pos], out.slope[st.pos] = s, fs, gs
            out.n_eval[st.pos] = round_
            break
        if round_ == 1:
            n = len(st)
            st.track(
                brackt=np.zeros(n, dtype=bool),
                width=np.full(n, stpmax - stpmin),
                width1=np.full(n, (stpmax - stpmin) / P5),
                stx=np.zeros(n),
                fx=st.finit.copy(),
                gx=st.ginit.copy(),
                sty=np.zeros(n),
                fy=st.finit.copy(),
                gy=st.ginit.copy(),
                stmin=np.zeros(n),
                stmax=st.stp * (1.0 + XTRAPU),
            )
        _dcsrch_update(st, s, fs, gs, ftest, xtol=xtol, stpmin=stpmin, stpmax=stpmax)
        nonfinite = ~np.isfinite(st.stp)
        if nonfinite.any():  # scipy gives up there; report the last trial as a warning
            fin = st.pos[nonfinite]
            out.alpha[fin], out.f[fin], out.slope[fin] = s[nonfinite], fs[nonfinite], gs[nonfinite]
            out.status[fin], out.n_eval[fin] = WARNING, round_
            st.keep(~nonfinite)
    return out


def _dcsrch_update(st: Active, s, fs, gs, ftest, *, xtol, stpmin, stpmax):
    """One interval update and new trial step of dcsrch, in place on the state ``st``."""
    gt = st.gtest
    # in stage 1 with a lower value than stx but no sufficient decrease, use psi = f - stp gtest
    shift = np.where(st.stage1 & (fs <= st.fx) & (fs > ftest), gt, 0.0)
    stx, sty = st.stx, st.sty
    nstx, nfx, ngx, nsty, nfy, ngy, ns, nbr = dcstep(
        stx,
        st.fx - stx * shift,
        st.gx - shift,
        sty,
        st.fy - sty * shift,
        st.gy - shift,
        s,
        fs - s * shift,
        gs - shift,
        st.brackt,
        st.stmin,
        st.stmax,
    )
    st.stx, st.sty, st.brackt = nstx, nsty, nbr
    st.fx, st.fy = nfx + nstx * shift, nfy + nsty * shift
    st.gx, st.gy = ngx + shift, ngy + shift
    spread = np.abs(nsty - nstx)
    w, w1 = st.width, st.width1
    ns = np.where(nbr & (spread >= P66 * w1), nstx + P5 * (nsty - nstx), ns)
    st.width1 = np.where(nbr, w, w1)
    st.width = np.where(nbr, spread, w)
    lo = np.where(nbr, np.minimum(nstx, nsty), ns + XTRAPL * (ns - nstx))
    hi = np.where(nbr, np.maximum(nstx, nsty), ns + XTRAPU * (ns - nstx))
    st.stmin, st.stmax = lo, hi
    ns = np.clip(ns, stpmin, stpmax)
    stuck = nbr & ((ns <= lo) | (ns >= hi) | (hi - lo <= xtol * hi))
    st.stp = np.where(stuck, nstx, ns)


def _cubicmin(a, fa, fpa, b, fb, c, fc):
    """Minimiser of the cubic through (a, fa, fpa), (b, fb), (c, fc); NaN where undefined."""
    with np.errstate(all="ignore"):
        db, dc = b - a, c - a
        db2, dc2 = db * db, dc * dc
        denom = db2 * dc2 * (db - dc)
        rb, rc = fb - fa - fpa * db, fc - fa - fpa * dc
        A = (dc2 * rb - db2 * rc) / denom
        B = (db2 * db * rc - dc2 * dc * rb) / denom
        xmin = a + (-B + np.sqrt(B * B - 3 * A * fpa)) / (3 * A)
    return np.where(np.isfinite(xmin), xmin, np.nan)


def _quadmin(a, fa, fpa, b, fb):
    """Minimiser of the quadratic through (a, fa, fpa), (b, fb); NaN where undefined."""
    with np.errstate(all="ignore"):
        db = b - a
        B = (fb - fa - fpa * db) / (db * db)
        xmin = a - fpa / (2 * B)
    return np.where(np.isfinite(xmin), xmin, np.nan)


# wolfe_zoom's two phases: bracketing a step (Nocedal & Wright's Algorithm 3.5), zooming into the
# bracket (Algorithm 3.6)
BRACKET, ZOOM = 0, 1


@dataclass(frozen=True)
class WolfeRules:
    """What wolfe_zoom tests a trial step against.

    The Wolfe constants, the largest step, the trial budgets of each phase and the caller's
    extra condition.

    Parameters
    ----------
    c1 : float
        The sufficient-decrease (Armijo) constant.
    c2 : float
        The curvature constant of the strong Wolfe conditions.
    amax : float or None
        The largest step, or ``None`` for none.
    max_bracket : int
        The most trials of the bracketing phase (scipy's 10).
    max_zoom : int
        The most trials of the zoom phase (scipy's 10).
    extra : callable
        ``extra(sel, alpha, f, slope)``, the caller's condition that an accepted step must also
        meet (a boolean array over ``sel``).

    Examples
    --------
    >>> def below_one(sel, alpha, f, slope):
    ...     return alpha < 1.0
    >>> rules = WolfeRules(1e-4, 0.9, None, WOLFE2_MAX_BRACKET, ZOOM_MAX_ITER, below_one)
    >>> rules.max_bracket, rules.extra(np.arange(2), np.array([0.5, 2.0]), None, None).tolist()
    (10, [True, False])
    """

    c1: float
    c2: float
    amax: float | None
    max_bracket: int
    max_zoom: int
    extra: Condition


def _always(sel, alpha, f, slope):
    return np.ones(sel.size, dtype=bool)


def wolfe_zoom(
    line: Line,
    alpha1: np.ndarray,
    f0: np.ndarray,
    g0: np.ndarray,
    *,
    c1: float,
    c2: float,
    amax: float | None = None,
    extra_condition: Condition | None = None,
    max_bracket: int = WOLFE2_MAX_BRACKET,
    max_zoom: int = ZOOM_MAX_ITER,
) -> LineSearchResult:
    """Strong-Wolfe search by bracketing (doubling) and zoom with cubic/quadratic interpolation.

    Status CONVERGED, or ERROR where no step was found (scipy returns ``None`` there).
    ``extra_condition(sel, alpha, f, slope)`` must also hold for a step to be accepted. Each
    round evaluates every running point's trial, then moves the bracketing points
    (:func:`_bracket_round`) and the zooming ones (:func:`_zoom_round`) on.

    Parameters
    ----------
    line : Line
        The points and their search directions.
    alpha1 : ndarray
        The first trial step of each point (capped at ``amax``).
    f0 : ndarray
        E at each origin (step 0).
    g0 : ndarray
        The slope dE/dz * p at each origin (negative along a descent direction).
    c1 : float
        The sufficient-decrease (Armijo) constant (scipy's 1e-4).
    c2 : float
        The curvature constant of the strong Wolfe conditions (scipy's 0.9).
    amax : float or None, optional
        The largest step; ``None`` (the default) for none.
    extra_condition : callable or None, optional
        ``extra_condition(sel, alpha, f, slope)``, with ``sel`` the points' positions in the
        line, returning whether each step may be accepted; ``None`` (the default) accepts all.
    max_bracket : int, optional
        The most trials of the bracketing phase (scipy's 10).
    max_zoom : int, optional
        The most trials of the zoom phase (scipy's 10).

    Returns
    -------
    LineSearchResult
        Per point: the accepted step, E and the slope there, status CONVERGED (or ERROR, with
        step 0 and the values at the origin) and the evaluations taken.

    Examples
    --------
    >>> import numpy as np
    >>> from lvebm.model import Decoder
    >>> d = Decoder(-1.45, 0.36)
    >>> y1, y2, z = np.array([2.0, -0.5]), np.array([0.1, 1.0]), np.array([0.5, 0.5])
    >>> f0, g = d.energy_and_dz(y1, y2, z)
    >>> line = Line(d.energy_and_dz, y1, y2, z, -g)  # steepest descent from z = 0.5
    >>> r = wolfe_zoom(line, np.ones(2), f0, -g * g, c1=1e-4, c2=0.9)
    >>> r.alpha.round(4).tolist(), r.f.round(4).tolist(), r.ok.tolist()
    ([0.5678, 0.3922], [0.3131, 0.4709], [True, True])
    """
    rules = WolfeRules(c1, c2, amax, max_bracket, max_zoom, extra_condition or _always)
    m = alpha1.size
    out = LineSearchResult(
        np.zeros(m), f0.copy(), g0.copy(), np.full(m, ERROR, np.int8), np.zeros(m, np.int64)
    )
    st = _wolfe_state(line, alpha1, f0, g0, amax)
    while len(st):
        fs, ds = st.line(st.trial)
        out.n_eval[st.pos] += 1
        in_bracket = st.phase == BRACKET
        br, zm = np.flatnonzero(in_bracket), np.flatnonzero(~in_bracket)
        if br.size:
            _bracket_round(st, out, rules, br, fs[br], ds[br])
        if zm.size:
            _zoom_round(st, out, rules, zm, fs[zm], ds[zm])
        st.keep(st.status == RUNNING)
    return out


def _wolfe_state(line: Line, alpha1, f0, g0, amax) -> Active:
    """Every point bracketing from the step 0 with the trial ``alpha1`` (at most ``amax``): the
    bracket's last two steps (a0, a1) with f and the slope at a0, the zoom's interval (lo, hi)
    with f at both ends and the slope at lo, the previous end it replaced (a_rec, f_rec, for
    the cubic), each phase's trial count and the next trial."""
    m = alpha1.size
    a1 = np.minimum(alpha1, amax) if amax is not None else alpha1.copy()
    return Active(
        np.arange(m),
        line=line,
        f0=f0,
        g0=g0,
        status=np.full(m, RUNNING, dtype=np.int8),
        phase=np.zeros(m, dtype=np.int8),
        a0=np.zeros(m),
        a1=a1,
        f_a0=f0.copy(),
        d_a0=g0.copy(),
        i_br=np.zeros(m, dtype=np.int64),
        lo=np.zeros(m),
        hi=np.zeros(m),
        f_lo=np.zeros(m),
        f_hi=np.zeros(m),
        d_lo=np.zeros(m),
        a_rec=np.zeros(m),
        f_rec=np.zeros(m),
        i_zm=np.zeros(m, dtype=np.int64),
        trial=a1.copy(),
    )


def _accept(st: Active, out: LineSearchResult, sel, a, fa, da) -> None:
    """The running points ``sel`` end converged at step ``a`` (f ``fa``, slope ``da``)."""
    at = st.pos[sel]
    out.alpha[at], out.f[at], out.slope[at], out.status[at] = a, fa, da, CONVERGED
    st.status[sel] = CONVERGED


def _start_zoom(st: Active, sel, a_lo, a_hi, fl, fh, dl) -> None:
    """The points ``sel`` zoom into [a_lo, a_hi] (f ``fl``, ``fh`` at its ends, slope ``dl`` at
    a_lo), with their first zoom trial."""
    st.phase[sel] = ZOOM
    st.lo[sel], st.hi[sel], st.f_lo[sel], st.f_hi[sel], st.d_lo[sel] = a_lo, a_hi, fl, fh, dl
    st.a_rec[sel], st.f_rec[sel], st.i_zm[sel] = 0.0, st.f0[sel], 0
    st.trial[sel] = _zoom_trial(st, sel)


def _zoom_trial(st: Active, sel) -> np.ndarray:
    """The next trial of the zooming points ``sel``: the cubic through the interval's ends and
    the end it last replaced, unless it is undefined or within ZOOM_CUBIC_CHECK of an end
    (always at a zoom's first trial); then the quadratic, unless within ZOOM_QUADRATIC_CHECK of
    an end; then the midpoint."""
    lo, hi = st.lo[sel], st.hi[sel]
    dalpha = hi - lo
    a, b = np.minimum(lo, hi), np.maximum(lo, hi)
    cchk = ZOOM_CUBIC_CHECK * dalpha
    if (st.i_zm[sel] == 0).all():  # the first trial of a zoom is always quadratic
        aj = np.full(sel.size, np.nan)
    else:
        aj = _cubicmin(
            lo, st.f_lo[sel], st.d_lo[sel], hi, st.f_hi[sel], st.a_rec[sel], st.f_rec[sel]
        )
    use_q = (st.i_zm[sel] == 0) | np.isnan(aj) | (aj > b - cchk) | (aj < a + cchk)
    qchk = ZOOM_QUADRATIC_CHECK * dalpha
    aq = _quadmin(lo, st.f_lo[sel], st.d_lo[sel], hi, st.f_hi[sel])
    aq = np.where(np.isnan(aq) | (aq > b - qchk) | (aq < a + qchk), lo + 0.5 * dalpha, aq)
    return np.where(use_q, aq, aj)


def _bracket_round(st: Active, out: LineSearchResult, rules: WolfeRules, br, fb, db) -> None:
    """The bracketing points ``br``, whose trial was a1 (f ``fb``, slope ``db``): accepted when
    out of trials or when a1 satisfies the strong Wolfe conditions; zooming when a1 does not
    decrease enough, or f rose, or the slope turned non-negative; else the next trial doubles
    (at most amax)."""
    f0b, g0b = st.f0[br], st.g0[br]
    x1, x0 = st.a1[br], st.a0[br]
    exhausted = st.i_br[br] >= rules.max_bracket
    _accept(st, out, br[exhausted], x1[exhausted], fb[exhausted], db[exhausted])
    too_far = (x0 > rules.amax) if rules.amax is not None else False
    fail = ~exhausted & ((x1 == 0) | too_far)
    st.status[br[fail]] = ERROR
    live = ~exhausted & ~fail
    rose = (fb >= st.f_a0[br]) & (st.i_br[br] > 0)
    up = live & ((fb > f0b + rules.c1 * x1 * g0b) | rose)
    if up.any():
        s = br[up]
        _start_zoom(st, s, x0[up], x1[up], st.f_a0[s], fb[up], st.d_a0[s])
    rest = live & ~up
    wolfe = rest & (np.abs(db) <= -rules.c2 * g0b)
    if wolfe.any():
        good = np.zeros(br.size, dtype=bool)
        good[wolfe] = rules.extra(st.pos[br[wolfe]], x1[wolfe], fb[wolfe], db[wolfe])
        _accept(st, out, br[good], x1[good], fb[good], db[good])
        rest &= ~good
    back = rest & (db >= 0)
    if back.any():
        s = br[back]
        _start_zoom(st, s, x1[back], x0[back], fb[back], st.f_a0[s], db[back])
    grow = rest & ~back
    if grow.any():
        s = br[grow]
        new = 2 * x1[grow]
        if rules.amax is not None:
            new = np.minimum(new, rules.amax)
        st.a0[s], st.a1[s], st.f_a0[s], st.d_a0[s] = x1[grow], new, fb[grow], db[grow]
        st.i_br[s] += 1
        st.trial[s] = new


def _zoom_round(st: Active, out: LineSearchResult, rules: WolfeRules, zm, fz, dz) -> None:
    """The zooming points ``zm``, whose trial was a_j (f ``fz``, slope ``dz``): a_j replaces hi
    when it does not decrease enough or is no lower than lo; else it is accepted if it satisfies
    the strong Wolfe conditions, or replaces lo (the old lo becoming hi when the slope points
    past hi). A point out of zoom trials ends without a step (ERROR)."""
    aj = st.trial[zm]
    high = (fz > st.f0[zm] + rules.c1 * aj * st.g0[zm]) | (fz >= st.f_lo[zm])
    s = zm[high]
    st.f_rec[s], st.a_rec[s] = st.f_hi[s], st.hi[s]
    st.hi[s], st.f_hi[s] = aj[high], fz[high]
    low = ~high
    wolfe = low & (np.abs(dz) <= -rules.c2 * st.g0[zm])
    done = np.zeros(zm.size, dtype=bool)
    if wolfe.any():
        done[wolfe] = rules.extra(st.pos[zm[wolfe]], aj[wolfe], fz[wolfe], dz[wolfe])
        _accept(st, out, zm[done], aj[done], fz[done], dz[done])
    move = low & ~done
    if move.any():
        s = zm[move]
        flip = dz[move] * (st.hi[s] - st.lo[s]) >= 0
        sf, sk = s[flip], s[~flip]
        st.f_rec[sf], st.a_rec[sf] = st.f_hi[sf], st.hi[sf]
        st.hi[sf], st.f_hi[sf] = st.lo[sf], st.f_lo[sf]
        st.f_rec[sk], st.a_rec[sk] = st.f_lo[sk], st.lo[sk]
        st.lo[s], st.f_lo[s], st.d_lo[s] = aj[move], fz[move], dz[move]
    cont = zm[~done]
    st.i_zm[cont] += 1
    over = cont[st.i_zm[cont] > rules.max_zoom]
    st.status[over] = ERROR
    cont = cont[st.i_zm[cont] <= rules.max_zoom]
    if cont.size:
        st.trial[cont] = _zoom_trial(st, cont)
