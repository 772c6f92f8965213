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
    """Points (y1, y2) searched along the latents origin + alpha p."""

    energy_and_dz: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    y1: np.ndarray
    y2: np.ndarray
    origin: np.ndarray
    p: np.ndarray

    def __call__(self, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e, g = self.energy_and_dz(self.y1, self.y2, self.origin + alpha * self.p)
        return e, g * self.p

    def take(self, sel: np.ndarray) -> Line:
        """The line of the points ``sel`` (an index or boolean array)."""
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
    """Accepted step, value and slope there, status code and evaluations, per point."""

    alpha: np.ndarray
    f: np.ndarray
    slope: np.ndarray
    status: np.ndarray
    n_eval: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        return self.status == CONVERGED


def dcstep(stx, fx, dx, sty, fy, dy, stp, fp, dp, brackt, stpmin, stpmax):
    """Safeguarded cubic/quadratic step of More and Thuente, vectorised over its four cases.

    Each case is computed only for the points in it; the interval update is common to all.
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
    """What wolfe_zoom tests a trial step against: the Wolfe constants, the largest step, the
    trial budgets of each phase and the caller's extra condition."""

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
