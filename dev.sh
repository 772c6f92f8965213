#!/usr/bin/env bash
# Set up the project's environment (.venv, pinned by requirements.txt) and run something in it.
#   ./dev.sh pipeline [snakemake args]  run the whole pipeline on config.yaml (profile: default)
#                                       and build results/report.html after it
#   ./dev.sh test [pytest args]         run the test suite (2 workers; PYTEST_WORKERS=N to change)
#   ./dev.sh setup                      only create/refresh .venv
# Works on a fresh Debian machine with Python 3.11: it installs python3-venv with apt-get if
# `python3 -m venv` is missing and it runs as root.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

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
  pipeline) setup && exec "$VENV/bin/snakemake" $(report_flags "$@") "$@" ;;
  # two workers (the machine's cores); each test module stays on one worker
  test) setup && exec "$VENV/bin/python" -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@" ;;
  *)
    echo "usage: ./dev.sh {pipeline|test|setup} [args...]" >&2
    exit 2
    ;;
esac
