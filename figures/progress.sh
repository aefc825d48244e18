#!/bin/sh
# progress.sh RUNS_DIR FINISHED_DIR < names - one line after a run finishes:
# how many of the profile's runs (their names on stdin) are done, how many
# are left, and the time left for them at the pace of this `make figures`
# so far (RUNS_DIR/.progress-start, written when it began: "EPOCH DONE").
# The estimate averages over every kind of run finished so far, so it is
# rough while few have finished; it covers training, not the tables after.
set -u
runs=$1 finished=$2
total=0 done=0
# RUNS_DIR/.progress-todo (written beside .progress-start): the runs this
# make trains; a stale run's old metrics.tsv does not count as done until
# it is rewritten.
todo=$runs/.progress-todo
while read -r n; do
    [ -n "$n" ] || continue
    total=$((total + 1))
    [ -f "$runs/$n/metrics.tsv" ] || continue
    if [ -f "$todo" ] && grep -qx "$n" "$todo" && ! [ "$runs/$n/metrics.tsv" -nt "$runs/.progress-start" ]; then continue; fi
    done=$((done + 1))
done
left=$((total - done))
eta=""
if [ -f "$runs/.progress-start" ]; then
    read -r t0 done0 < "$runs/.progress-start"
    now=$(date +%s)
    new=$((done - done0))
    if [ "$new" -gt 0 ] && [ "$left" -gt 0 ]; then
        secs=$(( (now - t0) * left / new ))
        eta=", about $(( (secs + 59) / 60 )) min to go at the pace so far"
    fi
fi
echo "done $(basename "$finished"): $done of $total runs, $left left$eta"
