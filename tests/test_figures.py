"""Figures: all twenty-six rendered at their size, not blank, deterministic, rerun only on their
style params; the report builds with every figure and caption."""

import inspect
from importlib import import_module
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image
from support import (
    CAPTIONS,
    CONFIG_PAGES,
    ROOT,
    caption_sections,
    deep_update,
    figure_rules,
    workflow_rules,
)

from lvebm.pipeline.contracts import contract

pytestmark = pytest.mark.pipeline

# one rule per caption (a section of workflow/report/<module>.rst), named figure_{name}
FIGURE_RULES = {f"figure_{name}" for name in caption_sections()}


def test_each_figure_record_is_its_function_options_and_caption():
    """The figure rules, as Snakemake builds them from the records, against lvebm.figures and the
    captions: one record per caption, each function takes exactly the record's inputs by name (its
    tables), its options and size, keyword-only, and returns a matplotlib Figure;
    every library figure function is drawn, every input is an artifact with a contract."""
    rules = figure_rules(ROOT)
    assert set(rules) == FIGURE_RULES
    for rule, r in rules.items():
        name = rule.removeprefix("figure_")
        assert r["png"] == f"results/figures/fig{name}.png"
        module, _, function = r["function"].rpartition(".")
        captions = CAPTIONS / f"{module or 'figures'}.rst"  # its section there
        assert Path(r["caption"]) == captions == caption_sections()[name]
        function = getattr(import_module(f"lvebm.{module or 'figures'}"), function)
        signature = inspect.signature(function, eval_str=True)
        parameters = signature.parameters.values()
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters), rule
        assert signature.return_annotation is Figure, rule
        keywords = {p.name for p in parameters}
        required = {p.name for p in parameters if p.default is p.empty}
        # its tables by their names in the record (the platform record and the script are
        # rerun triggers, not drawn), then its size and options
        tables = set(r["inputs"]) - {"platform", "script"}
        assert required <= {*tables, "size", *r["options"]} <= keywords, rule
        assert required - {"size", *r["options"]} == tables, rule
        for name, paths in r["inputs"].items():  # a name holds one artifact or a list of them
            if name == "script":
                continue
            for path in [paths] if isinstance(paths, str) else paths:
                assert contract(path) is not None, (rule, path)
    drawn = {r["function"] for r in rules.values()}
    public = set()
    for module in {f.rpartition(".")[0] or "figures" for f in drawn}:
        library = import_module(f"lvebm.{module}")
        prefix = "" if module == "figures" else f"{module}."
        public |= {
            prefix + name
            for name, f in inspect.getmembers(library, inspect.isfunction)
            if f.__module__ == library.__name__ and not name.startswith("_")
        }
    assert public == drawn


def test_every_figure_decodes_at_its_size_and_is_not_blank(finished_run):
    rules = figure_rules(finished_run.path)
    produced = sorted(p.name for p in (finished_run.path / "results/figures").glob("*.png"))
    assert produced == sorted(Path(r["png"]).name for r in rules.values())
    for r in rules.values():
        name = Path(r["png"]).name
        with Image.open(finished_run.path / r["png"]) as im:
            assert im.format == "PNG"
            assert im.size == tuple(round(side * r["dpi"]) for side in r["size"]), name
            rgb = np.asarray(im.convert("RGB"))
        pixels = rgb.astype(float)
        assert pixels.std() > 10, f"{name} looks blank"
        colours = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8)
        colours |= rgb[..., 2]  # one integer per colour: np.unique of rows was most of the test
        assert len(np.unique(colours)) > 50, f"{name} has too few colours"
        assert pixels.mean() < 128, f"{name} is not on the lecture's dark background"


def test_png_metadata_is_not_volatile(finished_run):
    for png in (finished_run.path / "results/figures").glob("*.png"):
        with Image.open(png) as im:
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


def test_style_params_rerun_the_figures_and_nothing_else(finished_copy):
    project = finished_copy
    # every change also rewrites the report's landing page and configuration (CONFIG_PAGES)
    project.update_config({"figures": {"dpi": 75}})
    assert set(project.planned_jobs()) == FIGURE_RULES | {"sweep_figure_pair", *CONFIG_PAGES}
    project.update_config({"figures": {"dpi": 150, "vmax": 3.0}})
    assert set(project.planned_jobs()) == {  # F_inf's colour scale: the heat maps on it
        "figure_11_free_energy",
        "figure_13_local_minima",
        "figure_18_training",
        "figure_34_capacity_scan",
        "figure_36_capacity_maps",
        "explorer_page",
        *CONFIG_PAGES,
    }
    project.update_config({"figures": {"vmax": 2.0, "max_points": 100}})
    assert set(project.planned_jobs()) == {
        "figure_08_mesh",
        "figure_09_highlight",
        "figure_13_local_minima",
        *CONFIG_PAGES,
    }
    project.update_config({"figures": {"max_points": 4000, "search_optimizer": "lbfgs"}})
    assert set(project.planned_jobs()) == {
        "figure_05_energy_23",
        "figure_07_search",
        *CONFIG_PAGES,
    }


def test_report_has_every_figure_and_caption(finished_run):
    """The report the finished run built (tests/conftest.py: `--report-after-run`)."""
    html = (finished_run.path / "results/report.html").read_text(errors="replace")
    for rule in FIGURE_RULES:
        assert f"fig{rule.removeprefix('figure_')}.png" in html
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


def test_report_holds_the_tables_and_the_config_as_yaml(finished_run):
    """Each summary table of the report is its Parquet artifact, cell for cell (the exact value
    in ``data-value``); the run's configuration (its own report item, and results/report/
    config.yaml) is YAML that loads back to the run's config."""
    import html as markup
    import re

    import pyarrow.parquet as pq
    import yaml

    from lvebm.pipeline.io import read_artifact

    tables = sorted((finished_run.path / "results/tables").glob("*.html"))
    # one per record of the stages' REPORT_TABLES and of the sweeps (workflow/rules/tables.smk)
    sources = {
        name.removeprefix("tables_"): rule["table"]
        for name, rule in workflow_rules(finished_run.path).items()
        if "table" in rule
    }
    assert sorted(page.stem for page in tables) == sorted(sources)
    report = (finished_run.path / "results/report.html").read_text(errors="replace")
    for page in tables:
        assert page.name in report
        text = page.read_text()
        assert "<script" not in text and "http" not in text.split("</head>")[1]
        values = [markup.unescape(v) for v in re.findall(r'data-value="([^"]*)"', text)]
        heads = re.findall(r"<th>([^<]*)</th>", text)
        source = sources[page.stem]
        columns = read_artifact(finished_run.path / source)
        assert heads == list(columns) == pq.read_schema(finished_run.path / source).names
        rows = list(zip(*columns.values(), strict=True))
        assert len(values) == len(rows) * len(heads)
        for k, value in enumerate(values):
            expected = rows[k // len(heads)][k % len(heads)]
            expected = expected.item() if hasattr(expected, "item") else expected
            if isinstance(expected, float):
                assert float(value) == expected or (value == "nan" and expected != expected)
            else:
                assert value == str(expected)
    # the run's configuration: its own report item, and YAML beside it that loads back
    assert "config.html" in report
    config = yaml.safe_load((finished_run.path / "results/report/config.yaml").read_text())
    page = (finished_run.path / "results/report/config.html").read_text()
    shown = markup.unescape(re.search(r"<pre>(.*?)</pre>", page, re.S)[1])
    assert yaml.safe_load(shown) == config
    assert deep_update(config, finished_run.config()) == config  # the run's keys, same values
    assert config["amortized"]["schedule"]["energy"][0]["steps"] == 1500  # the small config's


def test_captions_take_their_numbers_from_the_config():
    """Captions are Jinja templates, rendered by Snakemake for each figure with
    ``snakemake.rule`` and ``snakemake.config``: each figure gets its own section of its module's
    captions (under a module's prefix too), the sizes the config sets are never typed in them, and
    rendered with the small config they say its numbers."""
    import re

    import jinja2
    import yaml
    from support import SMALL_CONFIG_OVERRIDES, deep_update

    default = yaml.safe_load((ROOT / "config.yaml").read_text())
    small = deep_update(default, SMALL_CONFIG_OVERRIDES)
    typed = re.compile(r"\b25 x 17\b|\b24 (samples|energy|steps)\b|\b48(-point| latents| decoded)")
    # Snakemake's settings for captions (snakemake.report)
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    rendered = {}
    for name, path in sorted(caption_sections().items()):
        text = path.read_text()
        assert not typed.search(text), (path.name, typed.search(text)[0])
        for rule in (f"figure_{name}", f"lvebm_figure_{name}"):
            for label, config in (("default", default), ("small", small)):
                snakemake = type("Snakemake", (), {"rule": rule, "config": config})
                caption = env.from_string(text).render(snakemake=snakemake)
                assert caption.strip() and "{%" not in caption, (name, rule)
                assert rendered.setdefault((name, label), caption) == caption
    # each figure its own caption; a captions file is its sections and nothing else
    assert len({rendered[name, "default"] for name in caption_sections()}) == len(rendered) // 2
    for path in {*caption_sections().values()}:
        assert re.fullmatch(
            r"\{#.*?#\}\n\{% set figure = [^\n]*%\}\n\{% if .*\{% endif %\}\n",
            path.read_text(),
            flags=re.S,
        ), path.name
    assert "The 25 x 17 mesh" in rendered["08_mesh", "default"]
    assert "The 13 x 9 mesh" in rendered["08_mesh", "small"]
    assert "The 24 samples" in rendered["02_samples", "default"]


def test_a_report_without_its_landing_page_says_what_to_run(finished_copy, tmp_path):
    """`snakemake --report` after a run that has not written the landing page (rule
    landing_page) stops with one line saying what to run, not Snakemake's traceback; after
    that rule the report builds, with the run's identity."""
    project = finished_copy
    (project.path / "results/report/workflow.rst").unlink()
    report = tmp_path / "report.html"
    proc = project.snakemake("--report", str(report), check=False)
    output = proc.stdout + proc.stderr
    errors = [line for line in output.splitlines() if line.startswith("lvebm error: ")]
    assert proc.returncode == 1 and len(errors) == 1, output[-3000:]
    assert "rule landing_page" in errors[0] and "Traceback" not in output
    project.snakemake("results/report/workflow.rst")
    project.snakemake("--report", str(report))
    assert "SHA-256" in report.read_text(errors="replace")
    # the identity is the landing page's own section, not a block quote
    import lvebm

    assert (
        f"\nThe run\n-------\n\n:version: lvebm {lvebm.__version__}\n:commit: "
        in (project.path / "results/report/workflow.rst").read_text()
    )


def test_the_explorer_page_stays_under_1_mb_at_the_default_configs_sizes():
    """The explorer at config.yaml's sizes (its temperature scan, radii, line and map), with
    stand-in values: the page is under 1 MB, offline (no address in it), and its map's levels
    are the values' colour levels of [0, vmax] (8 bits, saturated above vmax)."""
    import base64

    from support import default_config

    from lvebm.pipeline import explorer_page as page

    cfg = default_config()
    rng = np.random.default_rng(0)
    betas = np.geomspace(0.05, 100.0, cfg["training"]["temperature"]["num"])
    nb, n_line = betas.size, cfg["explorer"]["line_num"]
    radii = np.linspace(**cfg["explorer"]["radii"])
    mesh = [
        np.linspace(-3, 3, cfg["explorer"]["mesh"]["y1"]),
        np.linspace(-2, 2, cfg["explorer"]["mesh"]["y2"]),
    ]
    m1, m2 = (a.ravel() for a in np.meshgrid(*mesh, indexing="ij"))
    points = [1, 2, 3]
    n = cfg["latent"]["n"]
    per = m1.size + n_line
    decoders = {
        "w1": np.repeat(np.repeat(radii, radii.size), per),
        "w2": np.repeat(np.tile(radii, radii.size), per),
        "on_line": np.tile(np.arange(per) >= m1.size, radii.size**2),
        "y1": np.tile(np.concatenate([m1, np.zeros(n_line)]), radii.size**2),
        "y2": np.tile(np.concatenate([m2, np.linspace(-2, 2, n_line)]), radii.size**2),
        "F": rng.uniform(0, 5, radii.size**2 * per),
    }
    line = {
        "y1": np.zeros(nb * n_line),
        "y2": np.tile(np.linspace(-2, 2, n_line), nb),
        "F": rng.uniform(0, 5, nb * n_line),
        "F_inf": np.tile(rng.uniform(0, 5, n_line), nb),
    }
    weights = {
        "point": np.repeat(np.tile(points, nb), n).astype(str),
        "z": np.tile(np.linspace(0, 2 * np.pi, n, endpoint=False), nb * len(points)),
        "weight": rng.uniform(0, 1, nb * len(points) * n),
    }
    temperature = {
        "beta": betas,
        "w1": rng.uniform(0, 2, nb),
        "w2": rng.uniform(0, 2, nb),
        "critical_w1": np.full(nb, 0.24),
        "critical_w2": np.full(nb, 0.49),
    }
    samples = {"y1": rng.normal(size=24), "y2": rng.normal(size=24)}
    vmax = cfg["figures"]["vmax"]
    data = page.explorer_data(
        line, weights, decoders, temperature, samples, decoder=(-1.45, 0.36), vmax=vmax
    )
    html = page.explorer_html(data, title="t")
    assert len(html.encode()) < 1_000_000
    assert not any(t in html for t in ("src=", "<link", "url(", "fetch(", "XMLHttpRequest"))
    assert html.count("http") == html.count("http://www.w3.org/2000/svg")  # SVG's namespace
    assert data["n_mesh"] == m1.size == 37 * 25
    levels = np.frombuffer(base64.b64decode(data["F_mesh"]["data"]), dtype=np.uint8)
    F = decoders["F"].reshape(radii.size, radii.size, per)[:, :, : m1.size]
    np.testing.assert_array_equal(levels, np.round(np.clip(F.ravel() / vmax, 0, 1) * 255))
