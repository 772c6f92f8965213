#!/usr/bin/env bash
# Set up the project's environment (.venv, pinned by requirements.txt) and run something in it.
#   ./dev.sh pipeline [snakemake args]  run the whole pipeline on config.yaml (profile: default)
#                                       and build results/report.html after it
#   ./dev.sh test [pytest args]         run the test suite (2 workers; PYTEST_WORKERS=N to change),
#                                       but the slow tests (-m slow: CI runs them too)
#   ./dev.sh slurm [snakemake args]     the pipeline as SLURM batch jobs (profile: slurm), from
#                                       .venv-slurm: .venv plus the SLURM executor plugin
#   ./dev.sh setup                      only create/refresh .venv (slurm-setup: .venv-slurm too)
#   ./dev.sh arm64 [cmd args]           run a command with an aarch64 Python 3.11 and the lock's
#                                       aarch64 wheels under qemu-user (arm64-setup: only set up
#                                       .arm64/); cmd defaults to python
# Works on a fresh Debian machine with Python 3.11: it installs python3-venv with apt-get if
# `python3 -m venv` is missing and it runs as root.
set -euo pipefail
CALLER_DIR=$(pwd)
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
# The SLURM executor plugin lives in its own venv: Snakemake imports every installed executor
# plugin when it starts, and this one then runs scontrol/sacct, which wait about 10 s where a
# slurm.conf names an unreachable controller. .venv-slurm sees all of .venv's packages.
SLURM_VENV=.venv-slurm

ensure_venv_module() {
  if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv
    else
      echo "dev.sh: '$PYTHON -m venv' is unavailable; install python3-venv" >&2
      exit 1
    fi
  fi
}

# pip, without the warning a machine whose pip config names missing local indexes prints for
# every package ("Location 'file:///...' is ignored"): it buried the set-up's own output
pip_quiet() {
  "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

setup() {
  local stamp="$VENV/.lvebm-installed"
  local want
  want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  ensure_venv_module
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  echo "dev.sh: installing the lock (requirements.txt) and lvebm into $VENV" >&2
  pip_quiet "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  pip_quiet "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --no-build-isolation -e .
  # clones set up before the plugin moved to .venv-slurm still have it here: remove it
  "$VENV/bin/python" -m pip uninstall --quiet --yes snakemake-executor-plugin-slurm \
    snakemake-executor-plugin-slurm-jobstep >/dev/null 2>&1 || true
  echo "$want" >"$stamp"
}

slurm_setup() {
  setup
  local stamp="$SLURM_VENV/.lvebm-installed"
  local want
  want=$(cat requirements-slurm.txt "$VENV/.lvebm-installed" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  [ -x "$SLURM_VENV/bin/python" ] || "$PYTHON" -m venv "$SLURM_VENV"
  local base site
  base=$(cd "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" && pwd)
  site=$("$SLURM_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  # addsitedir also runs .venv's own .pth files (the editable lvebm install)
  echo "import site; site.addsitedir('$base')" >"$site/lvebm-base.pth"
  pip_quiet "$SLURM_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r requirements-slurm.txt
  echo "$want" >"$stamp"
}

# An aarch64 Python with the lock's wheels, run by qemu-user on this x86-64 machine (root, Debian):
# Debian 12's arm64 python3.11 and its libraries unpacked into .arm64/root (apt cannot install
# them beside the amd64 ones), the lock's manylinux aarch64 wheels into .arm64/site, and qemu
# registered with binfmt_misc so that the arm64 python starts itself (Snakemake's jobs do).
ARM64=${LVEBM_ARM64:-.arm64}  # LVEBM_ARM64: another place for it (the tests share one)
ARM64_DEBS="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libc6 libexpat1 zlib1g
  libffi8 libssl3 libbz2-1.0 liblzma5 libsqlite3-0 libncursesw6 libtinfo6 libreadline8 libuuid1
  libgcc-s1 libstdc++6 libdb5.3 libgdbm6 libnsl2 libtirpc3 libcrypt1 libgssapi-krb5-2 libkrb5-3
  libk5crypto3 libcom-err2 libkrb5support0 libkeyutils1 libgfortran5"

arm64_binfmt() {
  local reg=/proc/sys/fs/binfmt_misc
  [ -e "$reg/register" ] || mount -t binfmt_misc binfmt_misc "$reg"
  [ -e "$reg/qemu-aarch64" ] && return 0
  # Debian's rule for aarch64 ELF files, with the static emulator and F (fix the binary: the
  # emulator is found whatever the program's root)
  local line
  line=$(grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf | head -n1)
  line=$(echo "$line" | sed -E 's#:[^:]*:[^:]*$#:/usr/bin/qemu-aarch64-static:F#')
  echo "$line" >"$reg/register"
}

arm64_setup() {
  setup
  local stamp="$ARM64/.lvebm-installed"
  local want
  want=$(echo "$ARM64_DEBS" | cat - requirements.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
      echo "dev.sh arm64-setup: needs root and apt-get (Debian) to install qemu-user-static" >&2
      exit 1
    fi
    if ! command -v qemu-aarch64-static >/dev/null || ! dpkg --print-foreign-architectures |
      grep -qx arm64; then
      dpkg --add-architecture arm64
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends qemu-user-static binfmt-support >/dev/null
    fi
    rm -rf "$ARM64" && mkdir -p "$ARM64/debs" "$ARM64/root" "$ARM64/site"
    # shellcheck disable=SC2086
    (cd "$ARM64/debs" && apt-get download -qq $(printf '%s:arm64 ' $ARM64_DEBS) media-types)
    local deb
    for deb in "$ARM64"/debs/*.deb; do dpkg -x "$deb" "$ARM64/root"; done
    # the host's pip picks the aarch64 wheels; 3.11.7 because some pins ask for >= 3.11.5,
    # which nothing enforces at run time (Debian 12's python is 3.11.2)
    pip_quiet "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
      --only-binary=:all: --implementation cp --abi cp311 --abi abi3 --abi none \
      --python-version 3.11.7 --platform manylinux_2_28_aarch64 --platform manylinux_2_17_aarch64 \
      --platform manylinux2014_aarch64 --platform linux_aarch64 --platform any \
      -d "$ARM64/wheels" -r <(grep -v '^connection.pool' requirements.txt)
    # connection_pool is published as a source archive only: it is pure Python, unpacked as is
    pip_quiet "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
      --no-binary=:all: -d "$ARM64/sdists" -r <(grep '^connection.pool' requirements.txt)
    "$VENV/bin/python" - "$ARM64" <<'PY'
import pathlib, sys, tarfile, zipfile
arm = pathlib.Path(sys.argv[1])
site = arm / "site"
for wheel in sorted((arm / "wheels").glob("*.whl")):
    zipfile.ZipFile(wheel).extractall(site)
for sdist in sorted((arm / "sdists").glob("*.tar.gz")):
    with tarfile.open(sdist) as tar:
        top = tar.getnames()[0].split("/")[0]
        members = [m for m in tar.getmembers() if "/" in m.name]
        tar.extractall(arm / "sdists", members=members, filter="data")
    for package in (arm / "sdists" / top).glob("*/__init__.py"):
        target = site / package.parent.name
        if not target.exists():
            package.parent.rename(target)
PY
    echo "$want" >"$stamp"
  fi
  arm64_binfmt
}

# run a command, in the caller's directory, with the aarch64 python first on PATH (as `python`
# and `python3`) and this project's src and the aarch64 wheels on its path
arm64_run() {
  local arm root
  arm=$(cd "$ARM64" && pwd)
  root="$arm/root"
  mkdir -p "$arm/bin"
  ln -sf "$root/usr/bin/python3.11" "$arm/bin/python"
  ln -sf "$root/usr/bin/python3.11" "$arm/bin/python3"
  local cmd=${1:-python}
  [ $# -gt 0 ] && shift
  export QEMU_LD_PREFIX="$root"
  export PYTHONPATH="$arm/site:$(pwd)/src${PYTHONPATH:+:$PYTHONPATH}"
  export PATH="$arm/bin:$PATH"
  cd "$CALLER_DIR"
  exec "$cmd" "$@"
}

# The report after a real run (Snakemake's --report-after-run would also fire on a dry run).
report_flags() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      -n | --dry-run | --dryrun | --report | --report=* | --lint* | --dag | --rulegraph | \
        --summary | --detailed-summary | --list-* | --unlock | --cleanup-metadata* | --touch | -t)
        return 0 ;;
    esac
  done
  echo "--report results/report.html --report-after-run"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  setup) setup ;;
  slurm-setup) slurm_setup ;;
  arm64-setup) arm64_setup ;;
  arm64) arm64_setup && arm64_run "$@" ;;
  # a missing --configfile or a --config item without '=' is one line here, not Snakemake's traceback
  slurm) slurm_setup && "$VENV/bin/python" -m lvebm.pipeline.configfile "$@" &&
    exec "$SLURM_VENV/bin/python" -m snakemake --profile profiles/slurm "$@" ;;
  pipeline) setup && "$VENV/bin/python" -m lvebm.pipeline.configfile "$@" &&
    exec "$VENV/bin/snakemake" $(report_flags "$@") "$@" ;;
  # two workers (the machine's cores); each test module stays on one worker. The slow tests (a
  # real SLURM cluster, clean runs of the default config) are CI's: `./dev.sh test -m slow`
  # (a later -m wins); `-m "slow or not slow"` runs everything.
  test) setup && exec "$VENV/bin/python" -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile \
    -m "not slow" "$@" ;;
  *)
    echo "usage: ./dev.sh {pipeline|slurm|test|setup|slurm-setup|arm64|arm64-setup} [args...]" >&2
    exit 2
    ;;
esac
