#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for the tests (root only; Debian).
#   tests/slurm/cluster.sh start   install slurm-wlm and munge if missing (apt-get), write
#                                  /etc/slurm/slurm.conf, start munged, slurmctld and slurmd,
#                                  wait until the node is idle
#   tests/slurm/cluster.sh stop    stop the three daemons by the PIDs in their PID files
# Exit status 77 means SLURM cannot be started here (not root, no apt-get, no packages).
set -euo pipefail

RUN=/run/slurm
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
}

start() {
  [ "$(id -u)" = 0 ] || { echo "SLURM needs root to start here" >&2; exit 77; }
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || { echo "no apt-get to install slurm-wlm" >&2; exit 77; }
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      slurm-wlm munge >/dev/null 2>&1 || { echo "apt-get install slurm-wlm munge failed" >&2; exit 77; }
  fi
  stop  # leftovers of an earlier run
  trap 'stop' ERR

  local host cpus mem
  host=$(hostname)
  cpus=$(nproc)
  mem=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  mem=$((mem > 2048 ? mem - 1024 : mem))

  mkdir -p /run/munge "$RUN" /var/lib/slurm/slurmctld /var/log/slurm /var/spool/slurmd /etc/slurm
  [ -f /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || /usr/sbin/create-munge-key -f; }
  chown munge:munge /run/munge /etc/munge/munge.key 2>/dev/null || true
  chmod 0400 /etc/munge/munge.key
  chown slurm:slurm "$RUN" /var/lib/slurm/slurmctld /var/log/slurm
  cat >/etc/slurm/slurm.conf <<CONF
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
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF

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
  echo "the SLURM node did not become idle; see /var/log/slurm" >&2
  stop
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 {start|stop}" >&2; exit 2 ;;
esac
