#!/usr/bin/env bash
# rules_section.sh PROFILE RESULTS - tables/rules.md, the paper's section on
# the rule reports committed beside this rendering (make rule-report, results
# under RESULTS/rules/NAME with runs of PROFILE): one row per report from its
# own tables (plateau endpoint), and for each rule that trained, whether its
# curvature settles nearer BPTT's or e-prop's. Every number is read from the
# reports' tables; nothing is typed here. Links are relative to the paper.
set -euo pipefail
profile=$1 res=${2%/}

# main-group mean of QUANTITY for RULE in a report's summary.tsv (empty if none or nan)
mean() { awk -F'\t' -v r="$2" -v q="$3" '/^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["group"]) == "main" && $(c["rule"]) == r && $(c["quantity"]) == q && $(c["n"]) > 0 && $(c["mean"]) != "nan" { print $(c["mean"]); exit }' "$1"; }
# "finished of total" and the diverged runs' iterations, from runs.tsv
runs_of() { awk -F'\t' -v r="$2" '/^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["group"]) == "main" && $(c["rule"]) == r { n++; if ($(c["status"]) == "diverged") { d++; at = at (d > 1 ? ", " : "") $(c["iterations"]) } }
    END { printf "%d of %d\t%s\n", n - d, n, d ? at : "–" }' "$1"; }

reports=()
for d in "$res"/rules/*/; do
  d=${d%/}
  [ -f "$d/report.md" ] && [ -f "$d/tables/summary.tsv" ] && [ -d "$d/runs/$profile" ] && reports+=("$d")
done
if [ ${#reports[@]} = 0 ]; then
  echo "No rule report is committed for profile \`$profile\` (\`make rule-report RULE=NAME\` writes one under \`rules/NAME/\` beside this paper)."
  exit 0
fi

echo "| report | rule and setting | runs finished | diverged at iteration | test accuracy | error gap, clean | error gap, perturbed | lambda_max (W_rec) | nearer, on a log scale |"
echo "|---|---|---|---|---|---|---|---|---|"
for d in "${reports[@]}"; do
  name=$(basename "$d") tab=$d/tables
  rule=$(awk -F'\t' '!/^#/ && $1 == "main" { r = $3 } END { print r }' "$tab/manifest.tsv")
  first=$(awk -F'\t' -v r="$rule" '!/^#/ && $1 == "main" && $3 == r { print $6; exit }' "$tab/manifest.tsv")
  # the rule's options as the run resolved them (config.txt's "# rule NAME" section), then eta
  setting=$(awk -v r="# rule $rule" '$0 == r { on = 1; next } /^# / { on = 0 } on && $2 == "=" { printf "%s%s %s", n++ ? ", " : "", $1, $3 }
      !/^#/ && $1 == "lr" && $2 == "=" { lr = $3 } END { printf "%seta %s", n ? ", " : "", lr }' "$first/config.txt")
  IFS=$'\t' read -r finished diverged < <(runs_of "$tab/runs.tsv" "$rule")
  acc=$(mean "$tab/summary.tsv" "$rule" test_acc) gap=$(mean "$tab/summary.tsv" "$rule" gap_acc) pgap=$(mean "$tab/summary.tsv" "$rule" pgap_acc)
  ll=$(mean "$tab/summary.tsv" "$rule" log_lambda_max)
  lb=$(mean "$tab/summary.tsv" bptt log_lambda_max) le=$(mean "$tab/summary.tsv" eprop log_lambda_max)
  awk -v link="[$name](rules/$name/report.md)" -v rule="$rule" -v setting="$setting" -v fin="$finished" -v div="$diverged" \
      -v acc="$acc" -v gap="$gap" -v pgap="$pgap" -v ll="$ll" -v lb="$lb" -v le="$le" 'BEGIN {
    near = "– (no finite run)"
    if (ll != "" && lb != "" && le != "") {
      db = ll - lb; de = ll - le; if (db < 0) db = -db; if (de < 0) de = -de
      near = sprintf("%s (%.0f; BPTT %.0f, e-prop %.0f)", db < de ? "BPTT" : "e-prop", exp(ll), exp(lb), exp(le))
    }
    printf "| %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s |\n", link, rule, setting, fin, div,
      acc == "" ? "–" : sprintf("%.3f", acc), gap == "" ? "–" : sprintf("%.4f", gap), pgap == "" ? "–" : sprintf("%.4f", pgap),
      ll == "" ? "–" : sprintf("%.0f", exp(ll)), near }'
done
echo
echo "Each row is one \`make rule-report\` (its page is linked): the rule's runs of the main group at this profile's protocol,"
echo "or at the setting named, beside the committed reference runs; means over the runs that did not diverge at the plateau"
echo "endpoint, lambda_max the geometric mean of its plateau rows. *Nearer* compares the rule's mean log lambda_max with BPTT's and"
echo "e-prop's in the same report; the report's claim rows give each comparison with its interval."
