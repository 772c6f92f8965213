"""The exact free energy against an independent brute force, on many points and decoders."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lvebm.exact import free_energy_exact
from lvebm.model import Decoder

DECODERS = {
    "lecture": (-1.45, 0.36),
    "negative both": (-0.8, -2.3),
    "vertical major": (0.5, 1.7),
    "circle": (1.2, 1.2),
    "circle negative": (-1.0, 1.0),
    "flat": (3.0, 0.01),
    "very flat vertical": (1e-3, 2.0),
    "trained": (2.0, 1.5),
    # the corners of the range the config allows, 0.001 <= |w| <= 1000 (ratios up to 1e6)
    "smallest": (1e-3, -1e-3),
    "smallest and largest": (-1e-3, 1e3),
    "largest and smallest": (1e3, 1e-3),
    "largest": (-1e3, 1e3),
}


def brute_force(w1, w2, y1, y2, grid=2048, keep=3):
    """F and z by a dense grid then Newton refinement of the best cells in extended precision."""
    ld = np.longdouble
    z = np.linspace(0, 2 * np.pi, grid, endpoint=False)
    e = (y1[:, None] - w1 * np.cos(z)) ** 2 + (y2[:, None] - w2 * np.sin(z)) ** 2
    best = np.argsort(e, axis=1)[:, :keep]
    y1l, y2l, w1l, w2l = (np.asarray(v, dtype=ld) for v in (y1, y2, w1, w2))
    results = []
    for j in range(keep):
        zz = z[best[:, j]].astype(ld)
        for _ in range(40):
            c, s = np.cos(zz), np.sin(zz)
            g = 2 * w1l * y1l * s - 2 * w2l * y2l * c + 2 * (w2l**2 - w1l**2) * s * c
            h = 2 * w1l * y1l * c + 2 * w2l * y2l * s + 2 * (w2l**2 - w1l**2) * (c * c - s * s)
            step = np.where(h > 0, -g / np.where(h > 0, h, 1), -np.sign(g) * 1e-3)
            zz = zz + np.clip(step, -0.05, 0.05)
        f = (y1l - w1l * np.cos(zz)) ** 2 + (y2l - w2l * np.sin(zz)) ** 2
        results.append((f, zz))
    fs = np.stack([r[0] for r in results])
    k = np.argmin(fs, axis=0)
    cols = np.arange(y1.size)
    return fs[k, cols].astype(np.float64), np.stack([r[1] for r in results])[k, cols]


@pytest.mark.parametrize("name", list(DECODERS))
def test_exact_matches_brute_force_on_random_points(name):
    w1, w2 = DECODERS[name]
    rng = np.random.default_rng(sorted(DECODERS).index(name))
    scale = max(abs(w1), abs(w2))
    n = 12_000
    y = rng.uniform(-2.5, 2.5, (2, n)) * scale
    # points on the axes, near the evolute's cusps, at the centre
    cusp = (w1**2 - w2**2) / abs(w1) if abs(w1) > abs(w2) else 0.0
    special = np.array(
        [[0, 0], [cusp, 0], [-cusp, 0], [cusp * 0.999, 1e-9], [0.3 * scale, 0], [0, 0.2 * scale]]
    ).T
    y = np.concatenate([y, special], axis=1)
    exact = free_energy_exact(Decoder(w1, w2), y[0], y[1])
    ref_f, _ = brute_force(w1, w2, y[0], y[1])
    dist = np.sqrt(ref_f)
    # relative 1e-12 in F, with an absolute floor of a few ulps of the coordinates in the distance
    floor = 2 * dist * 8 * np.finfo(float).eps * (np.hypot(y[0], y[1]) + scale)
    assert np.all(np.abs(exact.F - ref_f) <= 1e-12 * ref_f + floor)
    assert np.all(exact.F <= ref_f * (1 + 1e-12) + floor)  # never worse than the brute force
    assert np.all((exact.z_check >= 0) & (exact.z_check < 2 * np.pi))


def test_exact_of_the_lecture_mesh_agrees_with_brute_force_to_1e10():
    dec = Decoder(-1.45, 0.36)
    y1, y2 = np.meshgrid(np.linspace(-3, 3, 25), np.linspace(-2, 2, 17))
    exact = free_energy_exact(dec, y1.ravel(), y2.ravel())
    ref_f, _ = brute_force(-1.45, 0.36, y1.ravel(), y2.ravel())
    assert_allclose(exact.F, ref_f, rtol=1e-10, atol=1e-14)


def test_ridge_is_flagged_and_tie_broken_into_the_upper_half():
    dec = Decoder(-1.45, 0.36)
    cusp = (1.45**2 - 0.36**2) / 1.45  # about 1.36
    y1 = np.array([0.0, 0.5, -1.0, cusp * 0.99, cusp * 1.01, 2.0, 0.5, 0.5])
    y2 = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1e-12, -1e-12])
    r = free_energy_exact(dec, y1, y2)
    assert list(r.unique) == [False, False, False, False, True, True, True, True]
    ridge = ~r.unique
    assert np.all((r.z_check[ridge] > 0) & (r.z_check[ridge] < np.pi))  # the lecture's lean
    # both mirror minimisers give the same energy
    e, e_mirror = dec.energy(y1, y2, r.z_check), dec.energy(y1, y2, -r.z_check)
    assert_allclose(e[ridge], e_mirror[ridge], rtol=1e-14)
    # off the ridge by 1e-12 the two sides pick mirror minimisers continuously
    assert r.z_check[6] < np.pi < r.z_check[7]
    assert_allclose(r.F[6], r.F[1], rtol=1e-9)


def test_centre_and_circle():
    r = free_energy_exact(Decoder(1.3, 1.3), np.array([0.0, 3.0]), np.array([0.0, 4.0]))
    assert_allclose(r.F, [1.3**2, (5 - 1.3) ** 2], rtol=1e-14)
    assert list(r.unique) == [False, True]
    assert r.z_check[1] == pytest.approx(np.arctan2(4, 3), rel=1e-14)


def test_known_distances():
    dec = Decoder(-2.0, 1.0)
    # outside on the axes: distance to the vertex
    r = free_energy_exact(dec, np.array([5.0, 0.0, -3.0]), np.array([0.0, -4.0, 0.0]))
    assert_allclose(r.F, [9.0, 9.0, 1.0], rtol=1e-15)
    # w1 < 0: the rightmost vertex is z = pi; the bottom (w2 > 0) is z = 3 pi / 2
    assert_allclose(r.z_check, [np.pi, 1.5 * np.pi, 0.0], atol=1e-15)


def test_shapes_and_broadcasting():
    dec = Decoder(-1.45, 0.36)
    r = free_energy_exact(dec, np.zeros((3, 4)), 1.0)
    assert r.F.shape == (3, 4) and r.unique.shape == (3, 4)


EXTREME = {  # legal weights far outside the config's range: the solver works in the ellipse's scale
    "tiny minor radius": (1e-300, 0.36),
    "thin as a segment": (0.5, -1e-120),
    "huge": (1e150, -3e149),
    "tiny": (2e-150, 1e-150),
    "huge circle": (-1e150, 1e150),
    "tiny circle": (1e-200, 1e-200),
}


@pytest.mark.parametrize("name", list(EXTREME))
def test_extreme_but_legal_weights_give_finite_correct_results(name):
    w1, w2 = EXTREME[name]
    rng = np.random.default_rng(len(name))
    scale = max(abs(w1), abs(w2))
    y = (
        np.concatenate(
            [rng.uniform(-2.5, 2.5, (2, 2000)), [[0.0, 0.3, 0.0], [0.0, 0.0, 0.2]]], axis=1
        )
        * scale
    )
    exact = free_energy_exact(Decoder(w1, w2), y[0], y[1])
    assert np.isfinite(exact.F).all() and np.isfinite(exact.z_check).all()
    ref_f, _ = brute_force(w1, w2, y[0], y[1])
    floor = 2 * np.sqrt(ref_f) * 8 * np.finfo(float).eps * (np.hypot(y[0], y[1]) + scale)
    floor += 4 * np.sqrt(ref_f) * min(abs(w1), abs(w2)) * (min(abs(w1), abs(w2)) < 1e-100 * scale)
    assert np.all(np.abs(exact.F - ref_f) <= 1e-12 * ref_f + floor), name


def test_points_whose_distance_overflows_are_flagged_as_infinite_and_not_finite_ones_as_nan():
    r = free_energy_exact(Decoder(-1.45, 0.36), [1e200, np.inf, np.nan, 2.0], [0.0, 0.0, 0.0, 0.1])
    assert r.F[0] == np.inf and np.isfinite(r.z_check[0])  # the true F exceeds the float range
    assert np.isnan(r.F[1:3]).all() and np.isnan(r.z_check[1:3]).all()
    assert np.isfinite(r.F[3])


@pytest.mark.parametrize("name", list(DECODERS))
def test_the_foot_points_direction_is_the_angle_z_check_reports(name):
    """z_check_cos_sin is (cos, sin) of free_energy_ellipses' z_check, to rounding, with one
    ellipse for all points and one per point; NaN where a point is not finite."""
    from lvebm import portable
    from lvebm.exact import free_energy_ellipses, z_check_cos_sin

    w1, w2 = DECODERS[name]
    rng = np.random.default_rng(len(name))
    scale = max(abs(w1), abs(w2))
    y1, y2 = rng.uniform(-2, 2, (2, 3000)) * scale
    y1[:40], y2[:40] = rng.uniform(-0.5, 0.5, 40) * scale, 0.0  # the ridge, where mirrors tie
    y1[40], y2[40] = np.nan, 1.0
    for radii in ((w1, w2), (np.full(y1.size, w1), np.full(y1.size, w2))):
        c, s = z_check_cos_sin(*radii, y1, y2)
        z = free_energy_ellipses(*radii, y1, y2).z_check
        assert c.shape == s.shape == y1.shape
        assert np.isnan(c[40]) and np.isnan(s[40])
        ok = np.isfinite(y1)
        # z_check in [0, 2 pi) is itself rounded (to 8.9e-16): its cosine and sine differ by that
        assert_allclose(c[ok], portable.cos(z[ok]), rtol=0, atol=2e-15)
        assert_allclose(s[ok], portable.sin(z[ok]), rtol=0, atol=2e-15)
        assert_allclose(c[ok] ** 2 + s[ok] ** 2, 1.0, rtol=0, atol=1e-15)
