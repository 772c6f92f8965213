"""Figures: all twenty-six rendered at their size, not blank, deterministic, rerun only on their
style params; the report builds with every figure and caption."""

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.pipeline

# pixel sizes at the default dpi (150) and scale (1.0): base size in inches times dpi
EXPECTED = {
    "fig01_horn.png": (1125, 900),
    "fig02_samples.png": (1050, 750),
    "fig03_graph.png": (900, 690),
    "fig04_energies.png": (1800, 1050),
    "fig05_energy_23.png": (1350, 675),
    "fig06_latent.png": (1050, 750),
    "fig07_search.png": (1050, 750),
    "fig08_mesh.png": (1125, 780),
    "fig09_highlight.png": (1125, 780),
    "fig10_highlight_energies.png": (1350, 750),
    "fig11_free_energy.png": (1275, 780),
    "fig12_optimizers.png": (1950, 690),
    "fig13_local_minima.png": (1800, 975),
    "fig14_relaxed_cross_section.png": (1350, 750),
    "fig15_softmin_weights.png": (1950, 690),
    "fig16_relaxed_free_energy.png": (1950, 990),
    "fig17_grid_vs_continuous.png": (1800, 720),
    "fig18_training.png": (1800, 1350),
    "fig19_trained_cross_section.png": (1350, 750),
    "fig20_training_paths.png": (1950, 1200),
    "fig21_temperature.png": (1350, 750),
    "fig22_denoising.png": (1800, 750),
    "fig23_conditional_untrained.png": (1200, 975),
    "fig24_conditional_trained.png": (1200, 975),
    "fig25_regression_baseline.png": (1200, 975),
    "fig26_conditional_free_energy.png": (1950, 720),
}
FIGURE_RULES = {f"figure_{name[3:-4]}" for name in EXPECTED}


def test_every_figure_decodes_at_its_size_and_is_not_blank(finished_run):
    produced = sorted(p.name for p in (finished_run.path / "results/figures").glob("*.png"))
    assert produced == sorted(EXPECTED)
    for name, size in EXPECTED.items():
        with Image.open(finished_run.path / "results/figures" / name) as im:
            assert im.format == "PNG"
            assert im.size == size, name
            pixels = np.asarray(im.convert("RGB"), dtype=float)
        assert pixels.std() > 10, f"{name} looks blank"
        assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50, f"{name} has too few colours"
        assert pixels.mean() < 128, f"{name} is not on the lecture's dark background"


def test_png_metadata_is_not_volatile(finished_run):
    for name in EXPECTED:
        with Image.open(finished_run.path / "results/figures" / name) as im:
            assert "Software" not in im.info and "Creation Time" not in im.info


def test_figure_is_byte_identical_when_rendered_again(project):
    project.snakemake("results/figures/fig11_free_energy.png", "results/figures/fig01_horn.png")
    first = {
        n: (project.path / "results/figures" / n).read_bytes()
        for n in ("fig11_free_energy.png", "fig01_horn.png")
    }
    project.snakemake(
        "--forcerun",
        "figure_11_free_energy",
        "figure_01_horn",
        "--",
        "results/figures/fig11_free_energy.png",
        "results/figures/fig01_horn.png",
    )
    for name, data in first.items():
        assert (project.path / "results/figures" / name).read_bytes() == data


def test_style_params_rerun_the_figures_and_nothing_else(project):
    project.snakemake()
    project.update_config({"figures": {"dpi": 75}})
    assert set(project.planned_jobs()) == FIGURE_RULES
    project.update_config({"figures": {"dpi": 150, "vmax": 3.0}})
    assert set(project.planned_jobs()) == {"figure_11_free_energy"}
    project.update_config({"figures": {"vmax": 2.0, "max_points": 100}})
    assert set(project.planned_jobs()) == {
        "figure_08_mesh",
        "figure_09_highlight",
        "figure_13_local_minima",
    }
    project.update_config({"figures": {"max_points": 4000, "search_optimizer": "lbfgs"}})
    assert set(project.planned_jobs()) == {"figure_05_energy_23", "figure_07_search"}


def test_report_builds_with_every_figure_and_caption(finished_run):
    report = finished_run.path / "report.html"
    finished_run.snakemake("--report", str(report))
    html = report.read_text(errors="replace")
    for name in EXPECTED:
        assert name in html
    for phrase in (
        "reverse polar coordinates",
        "not dependent on the latent variable",
        "Beyond the lecture",
        "Finite temperature",
        "the soft-argmin weights",
        "Training",
        "does minimising the energy on the trained manifold mean",
        "Conditional horn",
        "the mean of a ring is its",
    ):
        assert phrase in html
