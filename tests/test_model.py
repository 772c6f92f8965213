"""The decoder and energy: analytic derivatives against finite differences, the energy table."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from support import read

from lvebm.model import Decoder, energy_table, latent_grid

weights = st.floats(0.05, 5.0).flatmap(lambda a: st.sampled_from([a, -a]))
coords = st.floats(-6.0, 6.0)
angles = st.floats(-10.0, 10.0)


@given(w1=weights, w2=weights, y1=coords, y2=coords, z=angles)
def test_first_derivative_matches_central_difference(w1, w2, y1, y2, z):
    dec = Decoder(w1, w2)
    h = 1e-6
    numeric = (dec.energy(y1, y2, z + h) - dec.energy(y1, y2, z - h)) / (2 * h)
    scale = 1.0 + abs(y1 * w1) + abs(y2 * w2) + w1**2 + w2**2
    assert abs(dec.energy_dz(y1, y2, z) - numeric) <= 1e-7 * scale


@given(w1=weights, w2=weights, y1=coords, y2=coords, z=angles)
def test_second_derivative_matches_central_difference(w1, w2, y1, y2, z):
    dec = Decoder(w1, w2)
    h = 1e-5
    numeric = (dec.energy_dz(y1, y2, z + h) - dec.energy_dz(y1, y2, z - h)) / (2 * h)
    scale = 1.0 + abs(y1 * w1) + abs(y2 * w2) + w1**2 + w2**2
    assert abs(dec.energy_dz2(y1, y2, z) - numeric) <= 1e-6 * scale


def test_fused_energy_and_gradient_equal_separate_ones():
    rng = np.random.default_rng(0)
    dec = Decoder(-1.45, 0.36)
    y1, y2, z = rng.normal(size=(3, 1000)) * 3
    e, g = dec.energy_and_dz(y1, y2, z)
    assert_allclose(e, dec.energy(y1, y2, z), rtol=1e-14, atol=1e-14)
    assert_allclose(g, dec.energy_dz(y1, y2, z), rtol=1e-12, atol=1e-12)


def test_decoder_orientation_of_the_lecture():
    """w1 < 0: z = 0 is the leftmost point, pi/2 the top, pi the rightmost (clockwise)."""
    dec = Decoder(-1.45, 0.36)
    g1, g2 = dec(np.array([0.0, np.pi / 2, np.pi]))
    assert_allclose(g1, [-1.45, 0.0, 1.45], atol=1e-15)
    assert_allclose(g2, [0.0, 0.36, 0.0], atol=1e-15)


@pytest.mark.parametrize("w1, w2", [(0.0, 1.0), (1.0, 0.0), (np.nan, 1.0), (1.0, np.inf)])
def test_degenerate_decoder_is_rejected(w1, w2):
    with pytest.raises(ValueError, match=r"decoder\.w"):
        Decoder(w1, w2)


def test_latent_grid_is_the_lectures():
    z = latent_grid(48)
    assert z.size == 48
    assert_allclose(np.diff(z), np.pi / 24, rtol=1e-12)
    assert z[0] == 0.0 and z[-1] < 2 * np.pi


def test_energy_table_equals_formula_row_by_row():
    dec = Decoder(-1.45, 0.36)
    labels = np.array([1, 2, 3])
    y1 = np.array([2.0, -1.0, 0.5])
    y2 = np.array([0.1, 1.2, -0.7])
    table = energy_table(dec, labels, y1, y2, 48)
    assert list(table) == ["i", "k", "z", "y1_tilde", "y2_tilde", "E"]
    assert_array_equal(table["i"], np.repeat(labels, 48))
    assert_array_equal(table["k"], np.tile(np.arange(48), 3))
    row = 48 + 7  # sample 2, latent index 7
    z = 2 * np.pi * 7 / 48
    assert table["z"][row] == pytest.approx(z, rel=1e-15)
    assert table["y1_tilde"][row] == pytest.approx(-1.45 * np.cos(z), rel=1e-15)
    assert table["E"][row] == pytest.approx(
        (-1.0 + 1.45 * np.cos(z)) ** 2 + (1.2 - 0.36 * np.sin(z)) ** 2, rel=1e-14
    )


# ---- the model stage end to end, on a finished run (tests/conftest.py) ----


@pytest.mark.pipeline
def test_energies_artifact_equals_the_formula(finished_run):
    cfg = finished_run.config()
    samples = read(finished_run, "results/data/samples.parquet")
    e = read(finished_run, "results/energy/energies.parquet")
    w1, w2 = cfg["decoder"]["w1"], cfg["decoder"]["w2"]
    z = 2 * np.pi * e["k"] / cfg["latent"]["n"]
    row = {i: k for k, i in enumerate(samples["i"].tolist())}  # sample i's row
    rows = [row[i] for i in e["i"].tolist()]
    y1, y2 = samples["y1"][rows], samples["y2"][rows]
    assert_allclose(e["z"], z, rtol=0, atol=1e-15)
    assert_allclose(e["y1_tilde"], w1 * np.cos(z), rtol=0, atol=1e-15)
    assert_allclose(e["y2_tilde"], w2 * np.sin(z), rtol=0, atol=1e-15)
    assert_allclose(e["E"], (y1 - w1 * np.cos(z)) ** 2 + (y2 - w2 * np.sin(z)) ** 2, rtol=1e-14)
    assert_allclose(e["E"], Decoder(w1, w2).energy(y1, y2, z), rtol=1e-15)
