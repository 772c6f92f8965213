"""`pip install .` as a library user does it: into a fresh venv whose numpy, scipy, pyarrow,
matplotlib, PyYAML and threadpoolctl are the lowest versions pyproject.toml's ranges allow. The
library must install from the ranges alone (no lock) and compute what it computes with the lock's
versions, to rounding."""

import json
import shutil
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from support import ROOT

# one number per stage of the library, printed as JSON: run with the lock's versions (this
# process's venv) and with the lowest versions, they must agree to rounding
SMOKE = """
import io, json, tempfile
import numpy as np
import lvebm
from lvebm import conditional as C
from lvebm.pipeline.io import read_artifact, write_parquet
from lvebm.relaxed import free_energy_relaxed
d = lvebm.Decoder(w1=-1.45, w2=0.36)
y1, y2 = np.linspace(-3, 3, 101), np.linspace(-2, 2, 101)
out = {
    "exact": float(lvebm.free_energy_exact(d, y1, y2).F.sum()),
    "lbfgs": float(lvebm.minimize(d, y1, y2, 0.5, method="lbfgs").F.sum()),
    "grid": float(free_energy_relaxed(d, y1, y2, 1.0, n=48).F.sum()),
    "continuous": float(free_energy_relaxed(d, y1, y2, 10.0, n=None).F.sum()),
}
s = C.training_samples(200, split="train", seed=1, alpha=1.5, beta=2.0, noise_std=0.05)
net = C.Network((1, 4, 2))
params, _ = C.fit(net, s, init_seed=0, schedule=[{"method": "levenberg_marquardt", "steps": 50}])
out["horn"] = float(net(net.from_table(params, "latent"), [0.0, 1.0]).sum())
with tempfile.TemporaryDirectory() as tmp:
    path = tmp + "/results/data/samples.parquet"  # where its contract is
    import os; os.makedirs(os.path.dirname(path))
    write_parquet(path, lvebm.sample_slice(24, x=0.0, seed=709, alpha=1.5,
                                                               beta=2.0, noise_std=0.05))
    out["parquet"] = float(read_artifact(path)["y1"].sum())
from lvebm import figures
import matplotlib
matplotlib.use("Agg")
axes = {"start": -3, "stop": 3, "num": 13}, {"start": -2, "stop": 2, "num": 9}
_, m1, m2 = lvebm.mesh_points(*axes)
fig = figures.free_energy_map(mesh=lvebm.free_energy_field(d, m1, m2),
                              samples={"i": np.arange(1, 3), "y1": y1[:2], "y2": y2[:2]},
                              size=(4, 3), vmax=2.0, max_arrows=5)
fig.savefig(io.BytesIO(), format="png")
print(json.dumps(out))
"""


def lowest_versions() -> list[str]:
    """Each dependency at the lowest version its range allows (its ``>=`` bound)."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = []
    for dep in deps:
        req = Requirement(dep)
        (low,) = [s.version for s in req.specifier if s.operator == ">="]
        pinned.append(f"{req.name}=={low}")
    return pinned


def test_lowest_versions_are_the_ranges_bounds():
    assert "numpy==2.0" in lowest_versions() and "scipy==1.13" in lowest_versions()


@pytest.mark.slow
def test_pip_install_into_a_fresh_venv_with_the_lowest_versions(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    # from a copy of the package's files: pip builds in the source tree (build/, *.egg-info)
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    install = [
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        *lowest_versions(),
        str(source),
    ]
    proc = subprocess.run(install, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    versions = subprocess.run(
        [python, "-c", "import numpy, scipy; print(numpy.__version__, scipy.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert versions == ["2.0.0", "1.13.0"]
    low = subprocess.run([python, "-c", SMOKE], capture_output=True, text=True, cwd=tmp_path)
    assert low.returncode == 0, low.stderr[-4000:]
    lock = subprocess.run([sys.executable, "-c", SMOKE], capture_output=True, text=True, check=True)
    a, b = json.loads(low.stdout), json.loads(lock.stdout)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=1e-9), key
