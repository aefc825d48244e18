#!/usr/bin/env bash
# precision.sh RESULTS_F64 RESULTS_F32 - the same profile trained in double and
# in single precision (make figures ... and make figures PREC=32 ...),
# compared by the rule of paper/experiments/PRECISION.md: every claim's
# verdict the same, and every main-group mean within the seed spread of the
# double runs (|mean32 - mean64| <= sd64). Markdown on stdout; exit 0 when
# both hold, 1 when not, 2 on bad input.
set -euo pipefail
[ $# = 2 ] || { echo "usage: precision.sh RESULTS_F64 RESULTS_F32" >&2; exit 2; }
for d in "$1" "$2"; do
  for t in claims.tsv summary.tsv; do
    [ -f "$d/tables/$t" ] || { echo "precision.sh: no $d/tables/$t (run make figures with RESULTS=$d first)" >&2; exit 2; }
  done
done
f64=$1 f32=$2

echo "# Double against single precision: $f64 and $f32"
echo
echo "Commits: $(sed -n 's/^# runs [0-9]*; commits //p' "$f64/tables/claims.tsv") (float64), $(sed -n 's/^# runs [0-9]*; commits //p' "$f32/tables/claims.tsv") (float32)."
echo

# Verdicts: rows keyed by claim, primary, task, rule, test set, quantity.
awk -F'\t' '
  FNR == 1 { f++ }
  /^#/ || $1 == "claim" { next }
  { k = $1 FS $2 FS $3 FS $4 FS $5 FS $6; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    verdict[f, k] = $17; effect[f, k] = $10; lo[f, k] = $11; hi[f, k] = $12 }
  END {
    print "## Verdicts (claims.tsv)\n"
    print "| claim | primary | task | rule | test set | quantity | float64 | effect [CI] | float32 | effect [CI] | same |"
    print "|---|---|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      k = order[i]; split(k, c, FS)
      v1 = (1, k) in verdict ? verdict[1, k] : "(absent)"; v2 = (2, k) in verdict ? verdict[2, k] : "(absent)"
      same = v1 == v2; nsame += same
      printf "| %s | %s | %s | %s | %s | %s | %s | %s [%s, %s] | %s | %s [%s, %s] | %s |\n", c[1], c[2], c[3], c[4], c[5], c[6],
             v1, effect[1, k], lo[1, k], hi[1, k], v2, effect[2, k], lo[2, k], hi[2, k], same ? "yes" : "**no**"
    }
    print "\nSame verdict: " nsame " of " n " rows."
    exit nsame == n ? 0 : 1
  }' "$f64/tables/claims.tsv" "$f32/tables/claims.tsv" && verdicts_ok=1 || verdicts_ok=0
echo

# Numbers: the main group's means against the double runs' seed spread.
awk -F'\t' '
  FNR == 1 { f++ }
  /^#/ || $1 == "group" || $1 != "main" { next }
  { k = $2 FS $3 FS $5; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    cnt[f, k] = $6; mean[f, k] = $7; sd[f, k] = $8 }
  function isnum(x) { return x ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ }
  END {
    print "## Main group: float32 mean against float64 mean and seed spread (summary.tsv)\n"
    print "| task | rule | quantity | seeds | float64 mean | float64 sd | float32 mean | \\|diff\\| / sd64 | within |"
    print "|---|---|---|---|---|---|---|---|---|"
    worst = -1
    for (i = 1; i <= n; i++) {
      k = order[i]; split(k, c, FS)
      m1 = mean[1, k]; m2 = mean[2, k]; s = sd[1, k]
      if (!((2, k) in mean)) { r = "absent"; ok = 0 }
      else if (!isnum(m1) && !isnum(m2)) { r = "both " m1; ok = 1 }
      else if (!isnum(m1) || !isnum(m2)) { r = "one is " (isnum(m1) ? m2 : m1); ok = 0 }
      else {
        d = m2 - m1; if (d < 0) d = -d
        if (isnum(s) && s > 0) { x = d / s; r = sprintf("%.3g", x); ok = x <= 1; if (x > worst) { worst = x; wk = k } }
        else { r = d == 0 ? "0 (sd 0)" : "inf (sd " s ")"; ok = d == 0 }
      }
      counted++; nok += ok
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c[1], c[2], c[3], cnt[1, k], m1, s, m2, r, ok ? "yes" : "**no**"
    }
    split(wk, w, FS)
    print "\nWithin the seed spread: " nok " of " counted " (largest |diff| / sd64: " sprintf("%.3g", worst) ", " w[1] " " w[2] " " w[3] ")."
    exit nok == counted ? 0 : 1
  }' "$f64/tables/summary.tsv" "$f32/tables/summary.tsv" && numbers_ok=1 || numbers_ok=0
echo
echo "## Decision (rule of paper/experiments/PRECISION.md)"
echo
if [ $verdicts_ok = 1 ] && [ $numbers_ok = 1 ]; then
  echo "Both hold: single precision reproduces the double-precision verdicts and numbers."
  exit 0
fi
[ $verdicts_ok = 1 ] || echo "- Some verdicts differ between the precisions."
[ $numbers_ok = 1 ] || echo "- Some means differ by more than the seed spread."
echo
echo "Double precision stays the default."
exit 1
