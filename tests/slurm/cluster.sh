#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for the tests (root only; Debian).
#   tests/slurm/cluster.sh start   install slurm-wlm and munge if missing (apt-get), write
#                                  /etc/slurm/slurm.conf (marked as ours) and the client filter
#                                  cli_filter.lua beside it (a job submitted with
#                                  LVEBM_JOB_SCRATCH=1 runs in a fresh empty folder), start
#                                  munged, slurmctld and slurmd, wait until the node is idle
#   tests/slurm/cluster.sh stop    stop the three daemons by the PIDs in their PID files, remove
#                                  our slurm.conf and the cluster's state
# A slurm.conf that is not ours (a real cluster's) is never touched: start exits 77 instead.
# Removing ours on stop matters: with a slurm.conf and no slurmctld, every SLURM client call
# (and so every Snakemake start with the SLURM plugin installed) waits 9 s for a timeout.
# Exit status 77 means SLURM cannot be started here (not root, no apt-get, no packages).
set -euo pipefail

RUN=/run/lvebm-slurm
CONF=/etc/slurm/slurm.conf
MARK="# lvebm test cluster (tests/slurm/cluster.sh); removed by 'cluster.sh stop'"
FILTER=/etc/slurm/cli_filter.lua
FILTER_MARK="-- The test cluster's client filter (tests/slurm/cluster.sh installs it beside slurm.conf): a job"
PIDS=("$RUN/slurmd.pid" "$RUN/slurmctld.pid" /run/munge/munged.pid)

stop() {
  local f pid
  for f in "${PIDS[@]}"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  rm -rf "$RUN"
  if [ -f "$CONF" ] && [ "$(head -n1 "$CONF")" = "$MARK" ]; then rm -f "$CONF"; fi
  if [ -f "$FILTER" ] && [ "$(head -n1 "$FILTER")" = "$FILTER_MARK" ]; then rm -f "$FILTER"; fi
}

start() {
  [ "$(id -u)" = 0 ] || { echo "SLURM needs root to start here" >&2; exit 77; }
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || { echo "no apt-get to install slurm-wlm" >&2; exit 77; }
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      slurm-wlm munge >/dev/null 2>&1 || { echo "apt-get install slurm-wlm munge failed" >&2; exit 77; }
  fi
  if [ -f "$CONF" ] && [ "$(head -n1 "$CONF")" != "$MARK" ]; then
    echo "$CONF exists and is not the test cluster's; leaving this machine's SLURM alone" >&2
    exit 77
  fi
  if [ -f "$FILTER" ] && [ "$(head -n1 "$FILTER")" != "$FILTER_MARK" ]; then
    echo "$FILTER exists and is not the test cluster's; leaving this machine's SLURM alone" >&2
    exit 77
  fi
  stop  # leftovers of an earlier run
  trap 'stop' ERR

  local host cpus mem
  host=$(hostname)
  cpus=$(nproc)
  mem=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  mem=$((mem > 2048 ? mem - 1024 : mem))

  mkdir -p /run/munge "$RUN/state" "$RUN/spool" "$RUN/log" "$(dirname "$CONF")"
  [ -f /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || /usr/sbin/create-munge-key -f; }
  chown munge:munge /run/munge /etc/munge/munge.key 2>/dev/null || true
  chmod 0400 /etc/munge/munge.key
  chown -R slurm:slurm "$RUN"
  cat >"$CONF" <<CONF
$MARK
ClusterName=local
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
ReturnToService=2
MinJobAge=300
MailProg=/bin/true
StateSaveLocation=$RUN/state
SlurmdSpoolDir=$RUN/spool
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$RUN/log/slurmctld.log
SlurmdLogFile=$RUN/log/slurmd.log
CliFilterPlugins=cli_filter/lua
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
  install -m 0644 "$(dirname "$0")/cli_filter.lua" "$FILTER"

  runuser -u munge -- /usr/sbin/munged
  /usr/sbin/slurmctld
  /usr/sbin/slurmd
  for _ in $(seq 300); do
    if [ "$(sinfo -h -o %T 2>/dev/null | head -n1)" = "idle" ]; then
      trap - ERR
      return 0
    fi
    sleep 0.1
  done
  echo "the SLURM node did not become idle; logs: $(cat "$RUN"/log/*.log 2>/dev/null | tail -20)" >&2
  stop
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 {start|stop}" >&2; exit 2 ;;
esac
