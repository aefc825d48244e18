#!/usr/bin/env bash
# prose.sh TABLES PILOTS - tables/prose.tsv, the paper's numbers that sit in
# sentences (a value file for figures/render.awk: key<TAB>value), each read
# from the runs' tables or from the committed pilot runs, never typed:
#   endpoint.spikes   the main runs whose last evaluation sits on a loss spike
#                     (figures/spikes.awk: final training loss above three
#                     times the rule's median), or that none does;
#   matched.stops     where the matched-loss group's stopped runs stopped
#                     against the target rule's runs (runs.tsv);
#   pilot.patgen      eta lambda_max / 2 at the end of the chosen BPTT pattern
#                     generation pilot (the paper profile's eta);
#   pilot.dms         which delay-task pilots solved it, and where their
#                     curvature sat (paper/experiments/pilots/DM-bptt-*).
set -euo pipefail
tab=$1 pilots=$2
here=$(dirname "$0")

spikes=$(awk -f "$here/spikes.awk" "$tab/runs.tsv" | awk -F'\t' 'NR > 1 {
    printf "%s%s seed %s%s: training loss %.2g at its last evaluation against %.2g at the one before, %s times its rule'"'"'s median",
        n++ ? "; " : "", $2, $3, $1 == "" ? "" : " (" $1 ")", $4, $5, $6 }')
[ -n "$spikes" ] || spikes="no main run of this rendering ends on one: none has a final training loss above three times its rule's median"

# matched_loss: the stopped runs (status target_reached) against the target rule's main-length runs
stops=$(awk -F'\t' '/^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["group"]) == "matched_loss" && $(c["status"]) == "target_reached" {
        it = $(c["iterations"]) + 0; if (!ns++ || it < lo) lo = it; if (it > hi) hi = it; rule = $(c["rule"]) }
    $(c["group"]) == "matched_loss" && $(c["status"]) == "completed" { t = $(c["iterations"]) + 0; if (t > tt) tt = t; target = $(c["rule"]) }
    END { if (!ns) print "no run of the matched-loss group stopped at its target"
          else printf "the %d stopped %s runs stop after %d-%d iterations, inside their early catapult, while %s trains for %d iterations\n", ns, rule, lo, hi, target, tt }' "$tab/runs.tsv")

# pilots: the last curvature row's eta lambda_max / 2, and a run's final accuracies
edge_last() { awk -F'\t' '/^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["lambda_max"]) != "nan" { v = $(c["eta"]) * $(c["lambda_max"]) / 2 } END { printf "%.2f", v }' "$1/curvature.tsv"; }
metric() { awk -F'\t' -v k="$2" '!/^#/ && $1 == k { print $2; exit }' "$1/metrics.tsv"; }
cfg() { awk -v k="$2" '!/^#/ && $1 == k && $2 == "=" { print $3; exit }' "$1/config.txt"; }

pg_eta=$(awk '$1 == "FIG_LR_patgen" { print $3; exit }' "$here/../paper/experiments/paper.mk")
pg=$pilots/PG-bptt-lr$pg_eta
[ -f "$pg/curvature.tsv" ] || { echo "prose.sh: no pattern generation pilot $pg (FIG_LR_patgen = $pg_eta in paper.mk)" >&2; exit 1; }
patgen="on pattern generation BPTT sharpened to $(edge_last "$pg") of its edge at eta $pg_eta"

solved= other= curv=
for d in "$pilots"/DM-bptt-lr*/; do
  d=${d%/} eta=$(cfg "${d%/}" lr) st=$(metric "$d" status)
  if [ "$st" = completed ] && [ "$(metric "$d" train_acc)" = 1 ] && [ "$(metric "$d" test_acc)" = 1 ]; then
    lohi=$(awk -F'\t' '/^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $1 >= 250 && $(c["lambda_max"]) != "nan" { v = $(c["eta"]) * $(c["lambda_max"]) / 2; if (!n++ || v < lo) lo = v; if (v > hi) hi = v }
        END { printf "%.2f-%.2f", lo, hi }' "$d/curvature.tsv")
    solved="$solved${solved:+, }eta $eta"; curv="$curv${curv:+; }at eta $eta curvature at $lohi of the edge from iteration 250 on"
  elif [ "$st" = diverged ]; then other="$other${other:+; }diverged at eta $eta"
  else other="$other${other:+; }at eta $eta training accuracy $(printf '%.2f' "$(metric "$d" train_acc)") at the end"
  fi
done
notes="$curv${curv:+${other:+; }}$other"
dms="the 900-step delay task was solved perfectly (accuracy 1 on training and test sets, so no error gap) only at ${solved:-no eta}${notes:+ ($notes)}"

printf '%s\t%s\n' endpoint.spikes "$spikes" matched.stops "$stops" pilot.patgen "$patgen" pilot.dms "$dms"
