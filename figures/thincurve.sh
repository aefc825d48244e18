#!/usr/bin/env bash
# thincurve.sh RUNS_DIR EVERY - cut each finished run's curve.tsv under
# RUNS_DIR to the form the committed reference keeps: every evaluation row
# (the statistics read only these), and between them the per-iteration batch
# rows (batch loss, batch L2) of every EVERY-th iteration.
#
# Why: a run writes one batch row per update, almost all of a run's text
# (a 16,000-iteration run: 1.0 MB of its 1.1 MB). Kept whole, the 64
# confirmatory runs alone would take 55 MB of the reference's 60 MB. No
# table, figure or claim reads the batch rows (figures/runs.c reads rows
# with evaluations; check-reference proves the tables unchanged), and a
# retrain from config.txt writes them all again, bit for bit.
#
# The last row (the iteration the run ended at) is always kept. A thinned
# curve says so in a comment line naming EVERY and the row count the run
# wrote; a run already thinned, or still training (no metrics.tsv), is left
# alone. Each file is replaced durably (temp name, fsync, rename).
set -euo pipefail
[ $# = 2 ] && [ -d "$1" ] && [[ $2 =~ ^[1-9][0-9]*$ ]] ||
  { echo "usage: thincurve.sh RUNS_DIR EVERY (a directory, a positive integer)" >&2; exit 2; }
dir=${1%/} every=$2 n=0
for curve in "$dir"/*/curve.tsv; do
  [ -f "$curve" ] && [ -f "${curve%/curve.tsv}/metrics.tsv" ] || continue
  grep -q '^# thinned ' "$curve" && continue
  awk -v every="$every" -v file="$curve" 'BEGIN { FS = "\t" }
    function fail(msg) { print file ": " msg > "/dev/stderr"; bad = 1; exit 2 }
    /^#/ { if (!h) pre[++np] = $0; else keep[++nk] = $0; next }
    !h { h = NF; for (i = 1; i <= NF; i++) c[$i] = i
         if (!c["iter"] || !c["batch_loss"] || !c["train_loss"]) fail("no iter, batch_loss or train_loss column")
         head = $0; next }
    NF != h { fail("line " NR " has " NF " fields, the header " h) }
    { rows++; last = $0; kept = 0 }
    $(c["train_loss"]) != "nan" || $(c["batch_loss"]) == "nan" || $(c["iter"]) % every == 0 { keep[++nk] = $0; kept = 1 }
    END {
      if (bad) exit 2
      if (!h) fail("no header line")
      for (i = 1; i <= np; i++) print pre[i]
      printf "# thinned (figures/thincurve.sh): every evaluation row, and the batch rows of the iterations divisible by %d; the run wrote %d rows\n", every, rows
      print head
      for (i = 1; i <= nk; i++) print keep[i]
      if (rows && !kept) print last # the row of the iteration the run ended at (figures/runs.c checks it)
    }' "$curve" > "$curve.new" || { rm -f "$curve.new"; exit 1; }
  sync "$curve.new" && mv "$curve.new" "$curve"
  n=$((n + 1))
done
echo "thincurve: $n curves under $dir thinned to the batch rows of every $every iterations"
