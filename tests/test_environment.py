"""The pip lock, the package's pins and the conda environment declare the same versions."""

import re
import tomllib

import yaml
from support import ROOT


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines, sep):
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if sep in line:
            name, version = line.split(sep, 1)
            found[canonical(name)] = version.strip()
    return found


def lock():
    """The pip lock: requirements.txt (.venv) and requirements-slurm.txt (.venv-slurm)."""
    lines = [*(ROOT / "requirements.txt").read_text().splitlines(),
             *(ROOT / "requirements-slurm.txt").read_text().splitlines()]  # fmt: skip
    return pins(lines, "==")


def conda_env():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        (pip.extend(dep["pip"]) if isinstance(dep, dict) else conda.append(dep))
    found = pins([d for d in conda if not d.startswith(("python=", "pip"))], "=")
    found.update(pins(pip, "=="))
    return found


def pyproject_pins():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for items in meta["optional-dependencies"].values():
        reqs += [r for r in items if not r.startswith("lvebm[")]
    return pins(reqs, "==")


def test_environment_yml_pins_equal_the_lock():
    locked, conda = lock(), conda_env()
    assert conda, "environment.yml lists no packages"
    mismatched = {k: (v, locked.get(k)) for k, v in conda.items() if locked.get(k) != v}
    assert not mismatched, f"environment.yml vs requirements.txt: {mismatched}"


def test_pyproject_pins_equal_the_lock_and_the_conda_env():
    locked, conda, declared = lock(), conda_env(), pyproject_pins()
    assert {k: locked.get(k) for k in declared} == declared
    assert set(declared) == set(conda), set(declared) ^ set(conda)


def test_every_lock_entry_is_pinned_exactly():
    for line in [*(ROOT / "requirements.txt").read_text().splitlines(),
                 *(ROOT / "requirements-slurm.txt").read_text().splitlines()]:  # fmt: skip
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.\-+]+", line.strip()), line


def test_the_slurm_plugin_is_not_in_the_main_venv():
    """Snakemake imports every installed executor plugin at start-up (the SLURM one runs scontrol
    then), so .venv must not have it; .venv-slurm does."""
    main = (ROOT / "requirements.txt").read_text()
    assert "executor-plugin-slurm" not in main
    assert "snakemake-executor-plugin-slurm==" in (ROOT / "requirements-slurm.txt").read_text()
