#!/usr/bin/env bash
# tests/slurm.sh - `make test-slurm`: the cluster path on a real one-node
# Slurm. Installs Debian's slurm-wlm and munge when root, writes a slurm.conf
# for this machine into a scratch directory (proctrack/linuxproc, task/none,
# select/cons_tres, the node as `slurmd -C` sees it), starts munged,
# slurmctld and slurmd there, waits for the node to be idle, runs the smoke
# profile through LAUNCH="srun -n1 -c1" and as a batch job (figures/sbatch.sh)
# and checks that every step went through Slurm and that the tables are
# byte-identical to a local run's.
# The daemons it started are stopped by their process ids on every exit.
# Anything that keeps Slurm from running is a failure, never a skip.
set -euo pipefail
fail() { echo "test-slurm: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (slurmd runs jobs as their user; munged and slurmd are started here as root)"

pkgs="slurm-wlm munge"
missing=""
for p in $pkgs; do dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"; done
if [ -n "$missing" ]; then
    echo "test-slurm: installing$missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing > /dev/null || fail "apt-get install$missing"
fi

make=${MAKE:-make}
scratch=$(mktemp -d /tmp/credit-slurm.XXXXXX)
chmod 700 "$scratch"
pids=""
stop() {
    rc=$?
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    if [ $rc = 0 ]; then rm -rf "$scratch"; else
        echo "test-slurm: logs kept in $scratch" >&2
        tail -n 20 "$scratch"/*.log >&2 2>/dev/null || true
    fi
    exit $rc
}
trap stop EXIT
trap 'exit 1' INT TERM

# munge with a key and a socket of its own
dd if=/dev/urandom of="$scratch/munge.key" bs=1024 count=1 status=none
chmod 400 "$scratch/munge.key"
sock=$scratch/munge.sock
munged -F --force --key-file="$scratch/munge.key" --socket="$sock" --pid-file="$scratch/munged.pid" \
    --log-file="$scratch/munged.log" --seed-file="$scratch/munge.seed" > "$scratch/munged.out" 2>&1 &
pids="$pids $!"
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "munged did not start (see $scratch/munged.log)"

host=$(hostname -s)
node=$(slurmd -C | head -n 1) || fail "slurmd -C cannot describe this machine"
case $node in NodeName=*) ;; *) fail "slurmd -C printed '$node'" ;; esac
mkdir -p "$scratch/state" "$scratch/spool"
conf=$scratch/slurm.conf
cat > "$conf" <<EOF
ClusterName=credittest
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/slurmctld.log
SlurmdLogFile=$scratch/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf
slurmctld -D -c -f "$conf" > "$scratch/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$conf" > "$scratch/slurmd.out" 2>&1 &
pids="$pids $!"
state=
for _ in $(seq 120); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || fail "node $host is '${state:-not reported}' after 60 s, not idle"
echo "test-slurm: one-node Slurm up ($node)"

# the smoke profile's sMNIST runs (28 of its 52: every experiment group, one
# task, for CI's time), locally and through srun, into two results directories
$make --no-print-directory data-synth > /dev/null
common="PROFILE=smoke MNIST_DIR=build/mnist-synth FIG_TASKS=smnist"
$make --no-print-directory figures $common RESULTS="$scratch/local" > "$scratch/local.log" 2>&1 || fail "local smoke run (see $scratch/local.log)"
$make --no-print-directory figures $common RESULTS="$scratch/srun" LAUNCH="srun -n1 -c1 --job-name=credit-test" \
    > "$scratch/srun.log" 2>&1 || fail "smoke run through srun (see $scratch/srun.log)"

# every training and curvature step went through Slurm: one allocation each
steps=$(grep -c -E '^(train|curvature) ' "$scratch/srun.log" || true)
jobs=$(grep -c -E '_slurm_rpc_allocate_resources|sched: Allocate JobId' "$scratch/slurmctld.log" || true)
[ "$steps" -gt 0 ] && [ "$jobs" -ge "$steps" ] || fail "$steps steps ran but slurmctld allocated $jobs jobs"

# the batch path: make itself as a job, every step a job step (figures/sbatch.sh)
PROFILE=smoke RESULTS="$scratch/batch" MNIST_DIR=build/mnist-synth FIG_TASKS=smnist \
    sbatch --wait --ntasks=2 --time=20 --output="$scratch/batch.log" --export=ALL figures/sbatch.sh smoke > /dev/null \
    || fail "sbatch --wait figures/sbatch.sh smoke (see $scratch/batch.log)"
bsteps=$(grep -c -E '^(train|curvature) ' "$scratch/batch.log" || true)
[ "$bsteps" = "$steps" ] || fail "the batch job ran $bsteps steps, srun $steps"

bad=0
for f in "$scratch/local/tables/"*; do
    n=$(basename "$f")
    for way in srun batch; do
        if ! cmp -s <(sed "s|$scratch/local|RESULTS|g" "$f") <(sed "s|$scratch/$way|RESULTS|g" "$scratch/$way/tables/$n"); then
            echo "test-slurm: tables/$n differs between the local and the $way run" >&2
            bad=1
        fi
    done
done
[ $bad = 0 ] || fail "tables differ"
echo "test-slurm: ok: $steps steps through srun ($jobs Slurm jobs) and as steps of a batch job;" \
    "$(ls "$scratch/local/tables" | wc -l) tables byte-identical to a local run's"
