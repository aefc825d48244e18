#!/usr/bin/env bash
# report.sh RULE PROFILE REPORT_DIR REF_RUNS TASKS RULES REFERENCE BIN - the
# rule report's page (make rule-report, mk/report.mk) in Markdown on stdout,
# from the tables bin/credit-stats wrote into REPORT_DIR/tables over RULE's
# runs and the profile's reference runs (plateau endpoint). Every number is
# read from those tables or from the runs' own files; nothing is typed here.
set -euo pipefail
rule=$1 profile=$2 dir=$3 refruns=$4 tasks=$5 rules=$6 ref=$7 bin=$8
tab=$dir/tables
here=$(dirname "$0")
[ -f "$tab/claims.tsv" ] && [ -f "$tab/summary.tsv" ] || { echo "report.sh: no tables in $tab" >&2; exit 1; }
case " $rules " in *" $rule "*) all=$rules ;; *) all="$rule $rules" ;; esac

# summary.tsv: "mean ± SD" of QUANTITY for group main, TASK, R (– if none)
ms() { awk -F'\t' -v t="$1" -v r="$2" -v q="$3" -v d="${4:-3}" '
    /^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["group"]) == "main" && $(c["task"]) == t && $(c["rule"]) == r && $(c["quantity"]) == q {
        m = $(c["mean"]); s = $(c["sd"]); f = "%." d "g"
        if (m == "nan" || m == "") { print "–"; found = 1; exit }
        printf (s == "nan" || s == "") ? f "\n" : f " ± " f "\n", m, s; found = 1; exit }
    END { if (!found) print "–" }' "$tab/summary.tsv"; }
# runs.tsv: "finite of total" runs of group main, TASK, R
nruns() { awk -F'\t' -v t="$1" -v r="$2" '
    /^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["group"]) == "main" && $(c["task"]) == t && $(c["rule"]) == r { n++; if ($(c["status"]) != "diverged") f++ }
    END { printf "%s", n == f ? n + 0 : (f + 0) " of " (n + 0) }' "$tab/runs.tsv"; }
# a key of the first run's config (NAME.cfg: the merged key), for the protocol line
cfgkey() { awk -v k="$2" '!/^#/ && $1 == k && $2 == "=" { print $3; exit }' "$1"; }

desc=$("$bin" plugins describe "$rule" 2>/dev/null | sed -n '1,3p' | sed 's/ (\/.*)$//; s/^  //')
window=$(sed -n "s/.*'FIG_CLAIM_ENDPOINT_WINDOW=\([^']*\)'.*/\1/p" "$tab/stats.args" 2>/dev/null || true)
[ -f "$tab/stats.args" ] || window=$(awk -F'\t' '$1 == "claim_endpoint_window" { print $2 }' "$tab/values.tsv")
ownruns=$(awk -F'\t' -v r="$rule" '!/^#/ && $1 == "main" && $3 == r { print $6 }' "$tab/manifest.tsv")
first=$(printf '%s\n' $ownruns | head -n 1)
seeds=$(awk -F'\t' -v r="$rule" '!/^#/ && $1 == "main" && $3 == r { printf "%s%s", n++ ? " " : "", $4 }' "$tab/manifest.tsv")

echo "# Rule report: \`$rule\`"
echo
echo "<!-- made by make rule-report RULE=$rule PROFILE=$profile (mk/report.mk, figures/report.sh) from $tab -->"
printf '%s\n' "$desc" | sed -n '1s/^/**/; 1s/$/**/; p' | sed 's/$/  /'
echo
echo "**Protocol.** Profile \`$profile\`: the main runs of $rule on $(echo $tasks | sed 's/ /, /g') with seeds $seeds$( [ -n "$first" ] && [ -f "$first.cfg" ] && printf ' (%s iterations, an evaluation every %s and a curvature row every %s, eta %s, %s units, batch %s: its keys in %s.cfg)' \
    "$(cfgkey "$first.cfg" iters)" "$(cfgkey "$first.cfg" eval_every)" "$(cfgkey "$first.cfg" curvature_every)" "$(cfgkey "$first.cfg" lr)" "$(cfgkey "$first.cfg" n)" "$(cfgkey "$first.cfg" batch)" "$first"),"
echo "beside the reference runs of every other rule in \`$refruns\` (not retrained). Every number below is at the"
echo "**plateau endpoint** (\`FIG_CLAIM_ENDPOINT=plateau\`): the mean over the evaluations in the last ${window:-0.25} of"
echo "training (lambda_max: the geometric mean of its curvature rows there), a gap computed per evaluation first."
if [ -n "$ownruns" ]; then
    echo
    echo "**Cost.** $(for d in $ownruns; do [ -f "$d.cfg" ] && awk '!/^#/ && $2 == "=" { printf "%s=%s ", $1, $3 } END { print "" }' "$d.cfg"; done | \
        "$here/report_cost.sh" "$(printf '%s\n' $ownruns | grep -c .)" "$([ -f "$first/curvature_authors.tsv" ] && echo 1 || echo 0)" | \
        sed 's/^[^:]*: //; s/runs to train/runs, estimated as make rule-report does before training them/')."
    if [ -s "$dir/cost.tsv" ]; then
        awk -F'\t' 'NR > 1 { n += $2; w += $3; c += $4; k++; cpu = $5 }
            END { printf "Measured (cost.tsv): %d runs trained by %d call%s of make rule-report, %.1f CPU-min (user + sys of the training and its measurements), %.1f min wall, on %s.\n",
                  n, k, k == 1 ? "" : "s", c / 60, w / 60, cpu }' "$dir/cost.tsv"
    else
        echo "Not measured: no cost.tsv (the runs were trained before make rule-report recorded its cost)."
    fi
fi
for t in $tasks; do
    echo
    echo "## $t"
    echo
    echo "Accuracy and generalization gaps (mean ± SD over the runs that did not diverge):"
    echo
    echo "| rule | runs | train accuracy | test accuracy | perturbed test accuracy | error gap, clean | error gap, perturbed |"
    echo "|---|---|---|---|---|---|---|"
    for r in $all; do
        echo "| $r | $(nruns $t $r) | $(ms $t $r train_acc) | $(ms $t $r test_acc) | $(ms $t $r ptest_acc) | $(ms $t $r gap_acc) | $(ms $t $r pgap_acc) |"
    done
    echo
    echo "Curvature and the rule's edge: lambda_max (W_rec) against the gradient-descent bound 2/eta; gamma = v1' J v1 / lambda_max,"
    echo "its bound 2/(eta gamma) and rho = eta lambda_max gamma / 2 over the last half of training; the rule's own edge eta Re(mu_max) / 2"
    echo "(1 at the edge) and max |1 - eta mu| over its leading Ritz values (margin, < 1: stable along them); cosine with the true gradient."
    echo
    echo "| rule | lambda_max | 2/eta | eta lambda_max / 2 | all parameters, final | gamma | 2/(eta gamma) | rho | own edge | margin |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for r in $all; do
        echo "| $r | $(ms $t $r lambda_max) | $(ms $t $r bound_gd) | $(ms $t $r edge_level) | $(ms $t $r edge_level_all) | $(ms $t $r gamma) | $(ms $t $r bound_rule) | $(ms $t $r rho) | $(ms $t $r rule_edge) | $(ms $t $r margin) |"
    done
    echo
    echo "Cosine with the true (BPTT) gradient along training, mean ± SEM over the runs that did not diverge (each run's curvature.tsv):"
    echo
    echo "| rule | at the start | at a quarter | at half | at three quarters | at the end |"
    echo "|---|---|---|---|---|---|"
    for r in $all; do
        awk -f "$here/trajmean.awk" -v t="$t" -v r="$r" -v col=cosine "$tab/runs.tsv" | awk -F'\t' -v r="$r" '
            NR > 1 { it[++n] = $1; m[n] = $3; se[n] = ($5 - $4) / 2 }
            END { if (!n) { print "| " r " | – | – | – | – | – |"; exit }
                  last = it[n]; line = "| " r
                  for (q = 0; q <= 4; q++) { want = last * q / 4; b = 1; for (i = 1; i <= n; i++) if (it[i] <= want) b = i
                      line = line sprintf(" | %.3g ± %.2g (%d)", m[b], se[b], it[b]) }
                  print line " |" }'
    done
    echo "(iteration in brackets)"
done
echo
echo "## Divergence"
echo
awk -v r="$rule" '/^<!--/ { next } /^\| experiment/ || /^\|---/ { print; next } /^\|/ { split($0, f, "|"); g = f[2]; gsub(/ /, "", g); if (g == "main") print }' "$tab/divergence.md"
echo
echo "## Endpoints: last iterate and plateau mean"
echo
awk -v r="$rule" -v ref="$ref" '/^<!--/ { next }
    /^\| task/ || /^\|---/ { print; next }
    /^\|/ { split($0, f, "|"); x = f[3]; gsub(/ /, "", x); if (x == r || x == ref) print; next }
    NF { print; print "" }' "$tab/endpoints.md"
echo
echo "## Claims: $rule against $ref"
echo
awk -F'\t' -v r="$rule" '
    /^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["rule"]) != r { next }
    $(c["reason"]) ~ /^not measured/ { nm++; w = $(c["reason"]); sub(/^not measured: /, "", w); why[w] = 1; next }
    { rows[++n] = $0 }
    END {
        if (!n) { print "No claim row of " r " could be computed." }
        else {
            print "Each row: the effect with its 95% interval, the p-value of the paper'"'"'s prediction (Holm-adjusted for a primary endpoint) and the verdict (paper/science.md, \"Verdicts\")."
            print ""
            print "| claim | role | test set | quantity | prediction | effect [95% CI] | p | verdict | note |"
            print "|---|---|---|---|---|---|---|---|---|"
            for (k = 1; k <= n; k++) {
                split(rows[k], f, "\t")
                p = f[c["primary"]] == "primary" ? f[c["p_for_holm"]] : f[c["p_for"]]
                eff = f[c["effect"]] == "nan" ? "–" : sprintf("%.3g [%.3g, %.3g]", f[c["effect"]], f[c["ci_low"]], f[c["ci_high"]])
                note = f[c["reason"]]; if (f[c["context"]] != "") note = note (note == "" ? "" : "; ") f[c["context"]]
                printf "| %s | %s | %s | %s | %s | %s | %s | **%s** | %s |\n", f[c["claim"]], f[c["primary"]], f[c["test_set"]], f[c["quantity"]], \
                    f[c["prediction"]], eff, p == "nan" ? "–" : sprintf("%.3g", p), f[c["verdict"]], note
            }
        }
        if (nm) { printf "\n%d rows not measured for %s here:", nm, r; k = 0; for (w in why) printf "%s %s", k++ ? ";" : "", w; print "." }
    }' "$tab/claims.tsv"
if awk -F'\t' -v r="$rule" '!/^#/ && $4 == r && $2 == "primary" { f = 1 } END { exit !f }' "$tab/claims.tsv"; then :; else
    echo
    echo "None of these rows is one of the profile's primary endpoints (FIG_CLAIM_PRIMARY), so their p-values are not corrected for multiplicity: read them as exploratory."
fi
echo
echo "![lambda_max, rho and the rule's own edge, cosine with the true gradient and accuracy over training](report.png)"
echo
echo "*The figure (report.png, figures/report.gp from traj.tsv, rho.tsv, curves.tsv and each run's curvature.tsv): for $(echo $tasks | awk '{ print $1 }'), per rule the mean over the runs that did not diverge of lambda_max (geometric, log axis) with 2/eta dashed; rho and the rule's own edge (1 = at the edge); the cosine with the true gradient; training and test accuracy.*"
