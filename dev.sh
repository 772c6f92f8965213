#!/usr/bin/env bash
# Set up the project's environment (.venv, pinned by requirements.txt) and run something in it.
#   ./dev.sh pipeline [snakemake args]  run the whole pipeline on config.yaml (profile: default)
#                                       and build results/report.html after it
#   ./dev.sh test [pytest args]         run the test suite (2 workers; PYTEST_WORKERS=N to change),
#                                       but the slow tests (-m slow: CI runs them too)
#   ./dev.sh slurm [snakemake args]     the pipeline as SLURM batch jobs (profile: slurm), from
#                                       .venv-slurm: .venv plus the SLURM executor plugin
#   ./dev.sh setup                      only create/refresh .venv (slurm-setup: .venv-slurm too)
# Works on a fresh Debian machine with Python 3.11: it installs python3-venv with apt-get if
# `python3 -m venv` is missing and it runs as root.
set -euo pipefail
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

setup() {
  local stamp="$VENV/.lvebm-installed"
  local want
  want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  ensure_venv_module
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
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
  "$SLURM_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r requirements-slurm.txt
  echo "$want" >"$stamp"
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
    echo "usage: ./dev.sh {pipeline|slurm|test|setup|slurm-setup} [args...]" >&2
    exit 2
    ;;
esac
