#!/usr/bin/env bash
# kernel.sh REFERENCE_RUNS RERUNS OUT.md - the BLAS kernel check of issue 26
# (CONFIRM.md, "The BLAS kernel check"): each run of RERUNS (retrained from
# the committed config of the run of the same name in REFERENCE_RUNS, under
# another OpenBLAS kernel) against the reference run, on the last iterate and
# on the plateau endpoint. The endpoints come from bin/credit-stats itself
# (runs.tsv: the same code as every table), run on a manifest of both sets.
set -euo pipefail
ref=${1%/} new=${2%/} out=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
{
  printf 'group\ttask\trule\tseed\tx\tdir\n'
  for d in "$new"/*/; do
    d=${d%/}; n=$(basename "$d")
    [ -f "$d/metrics.tsv" ] || { echo "kernel.sh: $d has not finished" >&2; exit 1; }
    rule=$(awk -F' = ' '$1 == "rule" { print $2; exit }' "$d/config.txt")
    seed=$(awk -F' = ' '$1 == "seed" { print $2; exit }' "$d/config.txt")
    printf 'reference\tsmnist\t%s\t%s\t0\t%s\n' "$rule" "$seed" "$ref/$n"
    printf 'rerun\tsmnist\t%s\t%s\t0\t%s\n' "$rule" "$seed" "$d"
  done
} > "$tmp/manifest.tsv"
args=$(grep -v '^#' "$(dirname "$0")/../../../results/tables/stats.args")
eval "bin/credit-stats $tmp/manifest.tsv $tmp claims=$(dirname "$0")/../claims.tsv groups=$(dirname "$0")/../groups.tsv $args" >/dev/null
kernel() { grep -m1 '^# blas ' "$1/metrics.tsv" | sed 's/^# blas //'; }
awk -F'\t' -v refk="$(kernel "$ref/$(basename "$(ls -d "$new"/*/ | head -n1)")")" -v newk="$(kernel "$(ls -d "$new"/*/ | head -n1)")" '
  /^#/ { next }
  !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { k = $c["rule"] " seed " $c["seed"]; g = $c["group"]
    last[k, g] = $c["pgap_acc_last"]; pl[k, g] = $c["pgap_acc_plateau"]; se[k, g] = $c["pgap_acc_plateau_se"]
    tl[k, g] = $c["log_lambda_max_last"]; tp[k, g] = $c["log_lambda_max_plateau"]; acc[k, g] = $c["train_acc"]
    if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
  END {
    printf "The BLAS kernel check of issue 26 (`paper/experiments/CONFIRM.md`): committed reference runs (%s) retrained from their configs under %s. Perturbed error gap and log lambda_max (W_rec), last iterate and plateau endpoint (mean over the last quarter of training; its standard error: SD of the window'"'"'s evaluations / sqrt of their number, reference run). Passes where the plateau endpoint moves by less than 2 of its standard errors.\n\n", refk, newk
    print "| run | train accuracy (last), reference / rerun | perturbed gap, last iterate: reference / rerun | plateau: reference / rerun (SE) | plateau moved, in SEs | log lambda_max, last: reference / rerun | plateau: reference / rerun | check |"
    print "|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      k = order[i]; m = (pl[k, "rerun"] - pl[k, "reference"]) / se[k, "reference"]
      printf "| %s | %.3f / %.3f | %.4f / %.4f | %.4f / %.4f (%.4f) | %+.2f | %.3f / %.3f | %.3f / %.3f | %s |\n", k, acc[k, "reference"], acc[k, "rerun"],
        last[k, "reference"], last[k, "rerun"], pl[k, "reference"], pl[k, "rerun"], se[k, "reference"], m,
        tl[k, "reference"], tl[k, "rerun"], tp[k, "reference"], tp[k, "rerun"], (m < 2 && m > -2) ? "passes" : "fails"
    }
  }' "$tmp/runs.tsv" > "$out.new"
mv "$out.new" "$out"
