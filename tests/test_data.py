"""The horn samplers: radii, noise level, uniform angles, independent and stable streams."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from lvebm.data import radii, sample_horn, sample_slice, stream

LECTURE = dict(alpha=1.5, beta=2.0)


def test_radii_at_the_ends_of_the_horn():
    r1, r2 = radii(np.array([0.0, 1.0]), **LECTURE)
    assert_allclose([r1[0], r2[0]], [2.0, 1.5], rtol=1e-15)  # horizontal ellipse at x = 0
    assert_allclose([r1[1], r2[1]], [1.5 * np.e**2, 2.0 * np.e**2], rtol=1e-15)  # 11.08, 14.78
    assert r2[1] > r1[1]  # tall at x = 1


def test_slice_residual_noise_and_uniform_angles():
    n = 200_000
    s = sample_slice(n, x=0.0, seed=1, noise_std=0.05, **LECTURE)
    eps1 = s["y1"] - 2.0 * np.cos(s["theta"])
    eps2 = s["y2"] - 1.5 * np.sin(s["theta"])
    for eps in (eps1, eps2):
        assert abs(eps.mean()) < 4 * 0.05 / np.sqrt(n)
        assert eps.std() == pytest.approx(0.05, rel=0.01)
    assert abs(np.corrcoef(eps1, eps2)[0, 1]) < 0.01  # independent per component
    assert stats.kstest(s["theta"] / (2 * np.pi), "uniform").pvalue > 1e-3
    assert_array_equal(s["i"][:3], [1, 2, 3])


def test_horn_statistics():
    n = 100_000
    h = sample_horn(n, seed=2, noise_std=0.05, **LECTURE)
    assert stats.kstest(h["x"], "uniform").pvalue > 1e-3
    assert stats.kstest(h["theta"] / (2 * np.pi), "uniform").pvalue > 1e-3
    r1, r2 = radii(h["x"], **LECTURE)
    resid = np.concatenate([h["y1"] - r1 * np.cos(h["theta"]), h["y2"] - r2 * np.sin(h["theta"])])
    assert resid.std() == pytest.approx(0.05, rel=0.01)


def test_streams_are_independent_of_each_other_and_of_sizes():
    a = sample_slice(24, x=0.0, seed=36, noise_std=0.05, **LECTURE)
    b = sample_slice(48, x=0.0, seed=36, noise_std=0.05, **LECTURE)
    assert_array_equal(a["theta"], b["theta"][:24])  # resizing keeps the prefix
    # a different noise level leaves the angles alone
    c = sample_slice(24, x=0.0, seed=36, noise_std=0.2, **LECTURE)
    assert_array_equal(a["theta"], c["theta"])
    assert not np.array_equal(stream(36, "horn/x").random(5), stream(36, "horn/theta").random(5))
    assert_array_equal(stream(36, "slice/theta").random(5), stream(36, "slice/theta").random(5))


def test_default_seed_is_the_first_lecture_like_one():
    """The documented scan: the default seed is the first from 0 whose y^(23) is within 0.03 of the
    lecture's (1.97, 0.09) and whose F_inf(y^(23)) is within 0.03 of the lecture's 0.27."""
    from support import default_config

    from lvebm.exact import free_energy_exact
    from lvebm.model import Decoder

    cfg = default_config()
    d, decoder = cfg["data"], Decoder(**cfg["decoder"])

    def lecture_like(seed):
        s = sample_slice(
            24, x=0.0, seed=seed, alpha=d["alpha"], beta=d["beta"], noise_std=d["noise_std"]
        )
        y1, y2 = s["y1"][22], s["y2"][22]
        F = free_energy_exact(decoder, y1, y2).F
        return np.hypot(y1 - 1.97, y2 - 0.09) <= 0.03 and abs(F - 0.27) <= 0.03

    first = next(seed for seed in range(100_000) if lecture_like(seed))
    assert cfg["seed"] == first == 709


def test_default_seed_puts_sample_23_on_the_right():
    from support import default_config

    cfg = default_config()
    d = cfg["data"]
    s = sample_slice(
        d["slice"]["n"],
        x=d["slice"]["x"],
        seed=cfg["seed"],
        alpha=d["alpha"],
        beta=d["beta"],
        noise_std=d["noise_std"],
    )
    theta = np.angle(np.exp(1j * s["theta"][22]))
    assert abs(theta) < 0.3
    assert s["y1"][22] > 1.8
