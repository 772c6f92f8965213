"""The pipeline the way its users reach for it: plain `snakemake` with the default profile and the
report it builds, opened and clicked through in a real browser (Debian's chromium, driven by
Playwright); `snakemake -s <clone>/Snakefile -d <elsewhere>`; and the workflow as a module of
another workflow."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from support import (
    PLAIN,
    ROOT,
    SMALL_CONFIG_OVERRIDES,
    Project,
    caption_sections,
    copy_project,
    deep_update,
    default_config,
    parse_job_stats,
    workflow_rules,
)

from lvebm.pipeline.jobgraph import (
    ABOUT,
    AMORTIZED,
    BEYOND,
    CAPACITY,
    CONDITIONAL,
    EXPLORER,
    LECTURE,
    PROBABILISTIC,
    SWEEPS,
    TRAINING,
    VARIATIONAL,
    WARM,
)

pytestmark = pytest.mark.pipeline


def run(cmd, cwd, timeout=900):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    )
    return proc


def test_plain_snakemake_runs_everything_and_builds_the_report(finished_run):
    """The session's finished run is made by plain `snakemake` with the report flags that
    `./dev.sh pipeline` adds (tests/conftest.py): one invocation runs the pipeline and then
    builds the report."""
    assert (finished_run.path / "results/report.html").stat().st_size > 1_000_000
    figures = sorted((finished_run.path / "results/figures").glob("*.png"))
    assert len(figures) == len(caption_sections())
    # after it, plain `snakemake -n` has nothing to do and builds no report
    proc = run([*PLAIN, "-n"], finished_run.path)
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_a_finished_run_restored_into_a_fresh_clone_plans_nothing(finished_run, tmp_path):
    """A CI cache: the finished run's results/ and .snakemake/ restored into another copy of the
    project at another path, every source file newer than every output (as in a fresh clone),
    plans nothing with the default profile: reruns are decided by params and content, not by a
    checkout's path or modification times (docs/reproducibility.md, "A cache that hits")."""
    clone = copy_project(tmp_path / "elsewhere" / "clone")
    shutil.copy2(finished_run.config_path, clone.config_path)
    for kept in ("results", ".snakemake"):
        shutil.copytree(
            finished_run.path / kept,
            clone.path / kept,
            ignore=shutil.ignore_patterns("locks", "incomplete", "log"),
        )
    newest = max(p.stat().st_mtime for p in (clone.path / "results").rglob("*") if p.is_file())
    for source in ("Snakefile", "config.yaml", "src", "workflow"):
        for path in [clone.path / source, *(clone.path / source).rglob("*")]:
            if path.is_file():
                os.utime(path, (newest + 60, newest + 60))
    proc = run([*PLAIN, "-n"], clone.path)
    assert "Nothing to be done" in proc.stdout + proc.stderr, proc.stdout[-3000:]
    # without the profile's triggers, Snakemake's `code` trigger (a script's mtime) would rerun
    proc = run([*PLAIN, "-n", "--workflow-profile", "none"], clone.path)
    assert parse_job_stats(proc.stdout)["record_platform"] >= 1


def test_dev_sh_adds_the_report_only_to_real_runs():
    script = Path(__file__).resolve().parents[1] / "dev.sh"
    text = script.read_text()
    flags = text[
        text.index("report_flags() {") : text.index("\n}\n", text.index("report_flags() {"))
    ]
    for args, expected in (
        ([], True),
        (["-n"], False),
        (["--dry-run"], False),
        (["--cores", "1"], True),
        (["--report", "x.html"], False),
    ):
        out = subprocess.run(
            ["bash", "-c", f'{flags}\n}}\nreport_flags "$@"', "x", *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert ("--report-after-run" in out) == expected, args


def chromium_or_skip() -> str:
    """Debian's chromium, installed with apt-get where it is missing (as root)."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is missing and cannot be installed here (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
    proc = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if proc.returncode != 0 or not shutil.which("chromium"):
        pytest.skip(f"apt-get install chromium failed: {proc.stderr[-500:]}")
    return shutil.which("chromium")


def check_explorer(frame, problems: list[str]) -> None:
    """The explorer in its frame: each slider moved redraws its curves (their paths change)."""
    frame.locator("#cross-beta").wait_for(timeout=10_000)

    def state(drawn):
        return [
            frame.locator(s).get_attribute("d") or frame.locator(s).get_attribute("x1")
            for s in drawn
        ]

    for slider, drawn in (
        ("beta", ["#cross-beta", "#radii-beta"]),
        ("w1", ["#line-F"]),
        ("w2", ["#line-F", "#mesh-ellipse"]),
    ):
        before = state(drawn)
        # to the smallest radius (or from it): along the line y1 = 0, F_inf depends on |w1| only
        # where it is below |w2|
        frame.locator(f"#{slider}").evaluate(
            "s => { s.value = s.value > 2 ? 0 : 5; s.dispatchEvent(new Event('input')); }"
        )
        after = state(drawn)
        if any(a == b for a, b in zip(before, after, strict=True)):
            problems.append(f"explorer: moving {slider} left {drawn} as they were")
    cells = frame.locator("#mesh-cells rect").count()
    if cells < 100:
        problems.append(f"explorer: the mesh has {cells} cells")


TITLE = "lvebm: inference for latent-variable energy-based models"
CATEGORY_ORDER = [
    LECTURE,
    BEYOND,
    WARM,
    TRAINING,
    CONDITIONAL,
    PROBABILISTIC,
    AMORTIZED,
    CAPACITY,
    VARIATIONAL,
    SWEEPS,
    EXPLORER,
    ABOUT,
]


def test_report_in_a_real_browser(finished_run, tmp_path):
    """Every category, every figure and every table of the report, clicked through in headless
    chromium: no script error, no console error, no blank page, every image loaded, every table
    shown with its cells, the explorer's sliders redraw its plots; and no request leaves the
    machine (the report and the explorer are self-contained)."""
    from playwright.sync_api import sync_playwright

    browser_path = chromium_or_skip()
    report = (finished_run.path / "results/report.html").as_uri()
    figures = {
        p.stem[3:].replace("_", " ") for p in (finished_run.path / "results/figures").glob("*.png")
    }
    seen, tables, sweeps, problems, requests = set(), set(), set(), [], []
    # the report's categories: those its items' records name (figures, tables, explorer, sweeps)
    rules = workflow_rules(finished_run.path).values()
    categories = sorted({rule["category"] for rule in rules if "category" in rule})
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
        page.on(
            "console",
            lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on("requestfailed", lambda r: problems.append(f"failed to load {r.url[:80]}"))
        page.on("request", lambda r: requests.append(r.url[:80]))
        for width, height in ((1366, 768), (1920, 1080)):
            # what a person sees first: the title, whole, in the window, right of the menu
            page.set_viewport_size({"width": width, "height": height})
            page.goto(report)
            page.wait_for_load_state("load")
            title = page.get_by_role("heading", name=TITLE).first.bounding_box()
            menu = page.get_by_text("Results", exact=True).first.bounding_box()
            assert title is not None and menu is not None, (width, height)
            assert 0 <= title["y"] and title["y"] + title["height"] <= height / 3, (width, title)
            assert title["x"] >= menu["x"] + menu["width"], (width, title, menu)
            page.screenshot(path=tmp_path / f"landing_{width}.png")
        body = page.inner_text("body").lower()
        for identity in ("commit:", "config:", "sha-256", "platform:", "pins on", "date:"):
            assert identity in body, identity  # and the run's identity
        # the categories in the order a reader goes: the lecture first, the run's config last
        shown = [line.strip() for line in page.inner_text("body").splitlines()]
        shown = list(dict.fromkeys(line for line in shown if line in categories))
        assert shown == [c for c in CATEGORY_ORDER if c in categories], shown
        for category in categories:
            page.goto(report)
            page.get_by_text(category, exact=True).first.click()
            rows = page.locator("tr").filter(has=page.locator("a[iconname=eye]"))
            rows.first.wait_for(timeout=10_000)
            names = [rows.nth(k).locator("td").first.inner_text() for k in range(rows.count())]
            assert names, f"category {category!r} shows no figure"
            for name in names:
                page.locator("tr", has_text=name).first.locator("a[iconname=eye]").click()
                if name.startswith("table: "):  # a self-contained HTML table, in a frame
                    frame = page.frame_locator("iframe").first
                    frame.locator("table").wait_for(timeout=10_000)
                    if frame.locator("td").count() < 4:
                        problems.append(f"{category} / {name}: an empty table")
                    tables.add(name)
                    continue
                if name == "configuration":  # the run's config, a page of its own
                    frame = page.frame_locator("iframe").first
                    frame.locator("pre").wait_for(timeout=10_000)
                    if "mesh:" not in frame.locator("pre").inner_text():
                        problems.append("the configuration page holds no config")
                    seen.add(name)
                    continue
                if name == "explorer":
                    check_explorer(page.frame_locator("iframe").first, problems)
                    page.screenshot(path=tmp_path / "explorer.png")
                    seen.add(name)
                    continue
                image = page.locator("img[src^='data:image/png']")
                image.first.wait_for(timeout=10_000)
                width = image.first.evaluate("i => i.complete ? i.naturalWidth : 0")
                if width < 300:
                    problems.append(f"{category} / {name}: image not loaded (width {width})")
                if not page.inner_text("body").strip():
                    problems.append(f"{category} / {name}: blank page")
                (sweeps if name.startswith("figure: sweep") else seen).add(name)
                if name == "24 conditional trained":
                    page.screenshot(path=tmp_path / "figure.png")
        browser.close()
    assert not problems, problems
    local = ("file:", "data:", "about:", "blob:")
    assert [url for url in requests if not url.startswith(local)] == []  # offline
    assert seen == figures | {"explorer", "configuration"} and sweeps == {"figure: sweep pair"}
    assert (tmp_path / "explorer.png").stat().st_size > 10_000
    made = (finished_run.path / "results/tables").glob("*.html")
    registered = [name for name in workflow_rules(finished_run.path) if name.startswith("tables_")]
    assert tables == {f"table: {p.stem.replace('_', ' ')}" for p in made}
    assert len(tables) == len(registered)  # one per table rule
    assert (tmp_path / "landing_1366.png").stat().st_size > 10_000
    assert (tmp_path / "figure.png").stat().st_size > 10_000


def small_config() -> dict:
    return deep_update(default_config(), SMALL_CONFIG_OVERRIDES)


# What the two tests below run for real: one target through each kind of stage the clone's files
# reach (scripts, library, config, scattered shards and their gather, a trained network), 10
# jobs; the whole default target they only plan, and that plan must be the finished run's.
TARGETS = [
    "results/figures/fig05_energy_23.png",  # sample, energies, infer
    "results/figures/fig11_free_energy.png",  # the mesh in shards, gathered
    "results/figures/fig24_conditional_trained.png",  # the horn, a trained network
]


@pytest.fixture(scope="module")
def everything(finished_run) -> dict[str, int]:
    """The clone's own plan of the whole pipeline from scratch."""
    return finished_run.planned_jobs("--forceall")


def assert_same_artifacts(root: Path, finished_run) -> None:
    ours, theirs = Project(root).artifacts(), finished_run.artifacts()
    assert sorted(name for name in ours if name.endswith(".png")) == sorted(TARGETS)
    assert len(ours) > len(TARGETS)  # and the tables they are drawn from
    assert [name for name in ours if ours[name] != theirs.get(name)] == []


def test_snakefile_from_another_directory(finished_run, everything, tmp_path):
    """`snakemake -s <clone>/Snakefile -d <elsewhere>`: the clone's config and library, artifacts
    in the other directory, byte-identical to the finished run in the clone; the whole pipeline
    planned there is the clone's."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = tmp_path / "small.yaml"
    config.write_text(yaml.safe_dump(small_config()))
    cmd = [*PLAIN, "-s", finished_run.path / "Snakefile", "-d", elsewhere, "--configfile", config]
    cmd = [*map(str, cmd), "--cores", "2"]
    plan = parse_job_stats(run([*cmd, "--dry-run"], tmp_path).stdout)
    assert plan == everything and sum(plan.values()) > 50  # not just TARGETS
    run([*cmd, *TARGETS], tmp_path)
    assert_same_artifacts(elsewhere, finished_run)


def test_used_as_a_module_of_another_workflow(finished_run, everything, tmp_path):
    """Another workflow with config keys of its own: `module lvebm:` this Snakefile from a local
    path with `config["lvebm"]`, `use rule * from lvebm`. Its default target plans the whole
    pipeline; run with --configfile and --config items of the host's own and one of lvebm's
    under the module's name (`lvebm={mesh: {shards: 3}}`, which reaches the module typed), the
    artifacts it makes in its own directory are byte-identical to the pipeline's."""
    host = tmp_path / "host"
    host.mkdir()
    own = {"host_samples": ["a", "b"], "host_threads": 4}
    (host / "my_config.yaml").write_text(yaml.safe_dump({**own, "lvebm": small_config()}))
    (host / "extra.yaml").write_text(yaml.safe_dump({"host_label": "extra", "host_threads": 2}))
    (host / "Snakefile").write_text(
        'configfile: "my_config.yaml"\n\n\n'
        "module lvebm:\n"
        f'    snakefile:\n        "{finished_run.path / "Snakefile"}"\n'
        '    config:\n        config["lvebm"]\n\n\n'
        "use rule * from lvebm\n"
    )
    plan = parse_job_stats(run([*PLAIN, "--cores", "2", "--dry-run"], host).stdout)
    assert plan == everything and sum(plan.values()) > 50  # not just TARGETS
    hosts = [
        "--configfile",
        "extra.yaml",
        "--config",
        "host_only_key=1",
        "lvebm={mesh: {shards: 3}}",
    ]
    plan = parse_job_stats(run([*PLAIN, "--cores", "2", "--dry-run", *hosts], host).stdout)
    assert plan["free_energy_mesh"] == 3  # the module's own item, parsed as an integer
    run([*PLAIN, "--cores", "2", *TARGETS, *hosts], host)  # --config takes what follows it
    assert_same_artifacts(host, finished_run)


def test_local_runs_never_call_slurm_tools(finished_run, tmp_path):
    """On a machine whose slurm.conf names an unreachable controller, scontrol and sacct hang:
    a local run must not call them (the SLURM plugin is not in .venv, see requirements-slurm.txt).
    Fake SLURM tools first on PATH record every call and hang."""
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "calls"
    for tool in ("scontrol", "sacct", "squeue", "sinfo", "sbatch", "srun"):
        (fake / tool).write_text(f"#!/bin/sh\necho {tool} >> {calls}\nsleep 60\n")
        (fake / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    proc = subprocess.run(
        [*PLAIN, "-n"], cwd=finished_run.path, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not calls.exists(), f"a local run called {calls.read_text().split()}"


def test_the_small_config_users_run_is_the_tests_and_plans_every_stage(tmp_path):
    """`snakemake --directory .test` (how Snakemake's CI action and the workflow catalog run a
    workflow's test: .test/config/config.yaml read from the working directory) plans what
    `snakemake --configfile .test/config/config.yaml` plans: the same rules as the default config,
    with the smaller sizes the tests run."""
    project = copy_project(tmp_path / "project")
    # the config only: a quick run of the user's own leaves .test/results, .test/logs, ...
    shutil.copytree(ROOT / ".test" / "config", project.path / ".test" / "config")
    default = project.planned_jobs()
    small = project.planned_jobs("--configfile", ".test/config/config.yaml")
    assert project.planned_jobs("--directory", ".test") == small

    # the same stages; each config's own sweep (config.yaml's seeds, the small config's pair)
    def stages(plan):
        return {rule for rule in plan if not rule.startswith(("sweep_", "tables_sweep_"))}

    assert stages(small) == stages(default)
    assert small["sweep_table_pair"] == 1 and default["sweep_table_seeds"] == 1
    # without a sweep the run has only its own point (the point wildcard's one value is empty)
    alone = project.planned_jobs("--config", "sweeps={seeds: null}")
    assert stages(alone) == stages(default) and alone["record_platform"] == 1
    # each optimizer on both point sets: all seven in the default, five in the small config
    small_config = deep_update(default_config(), SMALL_CONFIG_OVERRIDES)
    assert default["infer"] == 2 * len(default_config()["inference"]["optimizers"]) == 14
    assert small["infer"] == 2 * len(small_config["inference"]["optimizers"]) == 10


def test_every_job_logs_and_benchmarks_under_its_rules_name(tmp_path):
    """One layout for every rule: a job's log is logs/<point><rule>/..., its benchmark
    benchmarks/<point><rule>/... (the point empty for the run's own jobs), so a failed job's log
    is found by its rule's name. Read from a forced dry run of config.yaml, sweep included."""
    project = copy_project(tmp_path / "project")
    out = project.snakemake("--dry-run", "--forceall").stdout
    jobs = re.findall(r"^(?:local)?rule (\w+):\n((?:    .*\n)+)", out, re.M)
    misplaced = []
    for rule, block in jobs:
        fields = dict(re.findall(r"^    (\w+): (.*)$", block, re.M))
        wildcards = dict(w.split("=", 1) for w in fields.get("wildcards", "").split(", ") if w)
        point = wildcards.get("point", "")
        for kind in ("log", "benchmark"):
            folder = f"{kind}s/{point}{rule}/"
            if kind in fields and not fields[kind].startswith(folder):
                misplaced.append(f"{rule}: {fields[kind]} (not under {folder})")
    assert len(jobs) > 150 and misplaced == []


def test_the_default_config_lists_its_rules_once_sweep_points_included(tmp_path):
    """`snakemake --list-rules` on config.yaml, whose sweep has ten points: the stages' rules,
    one per figure and report table, the sweep's table and figure; no rule per point."""
    project = copy_project(tmp_path / "project")
    rules = project.snakemake("--list-rules").stdout.split()
    assert len(rules) <= 100
    assert {"train_decoder", "train_conditional", "sweep_table_seeds"} <= set(rules)
    assert not [rule for rule in rules if rule.startswith("sweep_seeds_")]


def test_two_sweeps_in_one_config_plan_each_its_own_points(tmp_path):
    """Each sweep of a config is its own set of points and its own table: a second sweep neither
    fails nor borrows the first's points. A point's jobs are the workflow's own rules with the
    point wildcard set: no rule is copied."""
    project = copy_project(tmp_path / "project")
    # the config only: a quick run of the user's own leaves .test/results, .test/logs, ...
    shutil.copytree(ROOT / ".test" / "config", project.path / ".test" / "config")
    two = (
        "{pair: {zip: {seed: [709, 710]}, stages: [training]},"
        " other: {zip: {seed: [711]}, stages: [training]}}"
    )
    args = ["--configfile", ".test/config/config.yaml", "--config", f"sweeps={two}"]
    out = project.snakemake("--dry-run", *args).stdout
    plan = parse_job_stats(out)
    rules = project.snakemake("--list-rules", *args).stdout.split()

    # the training stage's headline jobs of every point: (sweep, folder) of each job's outputs
    points = set(re.findall(r"^\s+output: results/sweeps/(\w+)/(seed~\d+)/", out, re.M))
    assert points == {("pair", "seed~709"), ("pair", "seed~710"), ("other", "seed~711")}
    assert plan["sweep_table_pair"] == 1 and plan["sweep_table_other"] == 1
    # the run's own record of the kernels and each point's
    assert plan["record_platform"] == 1 + 3
    assert not [rule for rule in rules if rule.startswith(("sweep_pair_", "sweep_other_"))]
