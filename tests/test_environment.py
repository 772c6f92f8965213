"""The pip lock, the package's pins and the conda environment declare the same versions."""

import ast
import re
import sys
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
    lines = [
        *(ROOT / "requirements.txt").read_text().splitlines(),
        *(ROOT / "requirements-slurm.txt").read_text().splitlines(),
    ]
    return pins(lines, "==")


def conda_env():
    """environment.yml's packages and environment-slurm.yml's (the SLURM plugin, apart)."""
    deps = [
        d
        for name in ("environment.yml", "environment-slurm.yml")
        for d in yaml.safe_load((ROOT / name).read_text())["dependencies"]
    ]
    conda, pip = [], []
    for dep in deps:
        (pip.extend(dep["pip"]) if isinstance(dep, dict) else conda.append(dep))
    found = pins([d for d in conda if not d.startswith(("python=", "pip"))], "=")
    found.update(pins(pip, "=="))
    return found


def pyproject_requirements():
    """{package: Requirement} of the package's dependencies and extras (ranges)."""
    from packaging.requirements import Requirement

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for items in meta["optional-dependencies"].values():
        reqs += [r for r in items if not r.startswith("lvebm[")]
    return {canonical(Requirement(r).name): Requirement(r) for r in reqs}


def test_environment_yml_pins_equal_the_lock():
    locked, conda = lock(), conda_env()
    assert conda, "environment.yml lists no packages"
    mismatched = {k: (v, locked.get(k)) for k, v in conda.items() if locked.get(k) != v}
    assert not mismatched, f"environment.yml vs requirements.txt: {mismatched}"


def test_the_lock_satisfies_the_packages_ranges_and_the_conda_env_lists_them():
    """pyproject.toml declares ranges (a library's dependencies), the lock pins exactly; every
    pinned version must lie in its range, and every declared package must be in both envs."""
    locked, conda, declared = lock(), conda_env(), pyproject_requirements()
    for name, requirement in declared.items():
        assert name in locked, f"{name} is declared but not in the lock"
        assert requirement.specifier, f"{name}: give it a range"
        assert requirement.specifier.contains(locked[name]), (name, str(requirement), locked[name])
    assert set(declared) == set(conda), set(declared) ^ set(conda)


def test_the_package_declares_ranges_not_pins():
    for name, requirement in pyproject_requirements().items():
        assert not any(spec.operator == "==" for spec in requirement.specifier), name


def test_the_slurm_plugin_is_in_no_environment_that_local_runs_use():
    main = (ROOT / "environment.yml").read_text()
    assert "executor-plugin-slurm" not in main.split("# The SLURM executor plugin")[0]
    assert "snakemake-executor-plugin-slurm==" in (ROOT / "environment-slurm.yml").read_text()


def test_every_lock_entry_is_pinned_exactly():
    for line in [
        *(ROOT / "requirements.txt").read_text().splitlines(),
        *(ROOT / "requirements-slurm.txt").read_text().splitlines(),
    ]:
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.\-+]+", line.strip()), line


def test_the_slurm_plugin_is_not_in_the_main_venv():
    """Snakemake imports every installed executor plugin at start-up (the SLURM one runs scontrol
    then), so .venv must not have it; .venv-slurm does."""
    main = (ROOT / "requirements.txt").read_text()
    assert "executor-plugin-slurm" not in main
    assert "snakemake-executor-plugin-slurm==" in (ROOT / "requirements-slurm.txt").read_text()


def rules_env():
    env = yaml.safe_load((ROOT / "workflow/envs/lvebm.yaml").read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        (pip.extend(dep["pip"]) if isinstance(dep, dict) else conda.append(dep))
    return pins([d for d in conda if not d.startswith(("python=", "pip"))], "="), pip


def third_party_imports(paths) -> set[str]:
    """Top-level names of the non-standard modules that these files import (anywhere in them)."""
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"lvebm", "snakemake"}


# commands and the workflow's own config checks (lvebm.pipeline), imported by no job
NO_JOB = ("manifest.py", "configfile.py", "config.py")
# imports that no job reaches: lvebm.tables imports mpmath only to rebuild a kernel's table
NO_JOB_IMPORTS = {"tables.py": {"mpmath"}}


def test_the_rules_conda_env_has_what_the_scripts_import_and_the_package():
    """Every rule names workflow/envs/lvebm.yaml: it must provide every module the job scripts
    and the library they run import (the manifest and config-file commands are no job's), pinned
    as the lock, and install lvebm itself."""
    import_to_package = {"yaml": "pyyaml", "mpl_toolkits": "matplotlib"}
    library = [p for p in (ROOT / "src/lvebm").rglob("*.py") if p.name not in NO_JOB]
    needed = set().union(
        *(
            third_party_imports([p]) - NO_JOB_IMPORTS.get(p.name, set())
            for p in [*library, *(ROOT / "workflow/scripts").glob("*.py")]
        )
    )
    packages, pip = rules_env()
    assert {canonical(import_to_package.get(n, n)) for n in needed} <= set(packages), needed
    locked = lock()
    assert {k: locked.get(k) for k in packages} == packages
    assert pip == ["--editable ${LVEBM_ROOT}"]
    smk = "\n".join(p.read_text() for p in (ROOT / "workflow/rules").glob("*.smk"))
    assert 'ENV = "../envs/lvebm.yaml"' in smk and "environment.yml" not in smk
