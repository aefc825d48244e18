#!/usr/bin/env bash
# armprobe.sh RULE OUTDIR [KEY=VALUE...] - one probe of PILOTS.md's rule for
# choosing a report arm: 300 iterations at seed 99, the authors' protocol plus
# the candidate's keys. Prints "pass" when the run completes and its mean
# batch loss over curve rows 250-300 is below the mean over rows 0-50,
# else "fail" with why. The run's files stay in OUTDIR.
set -euo pipefail
rule=$1 out=$2; shift 2
bin/credit train paper/experiments/smnist.cfg rule="$rule" n=128 batch=256 iters=300 eval_every=1000 \
    threads=1 seed=99 progress=0 out="$out" "$@" > "$out.log" 2>&1 || true
status=$(awk -F'\t' '$1 == "status" { print $2 }' "$out/metrics.tsv" 2>/dev/null || true)
awk -F'\t' -v st="${status:-none}" -v args="$rule $*" '
    /^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { last = $1 } $(c["batch_loss"]) ~ /nan|inf/ { next } # the final evaluation row has no batch
    $1 <= 50 { a += $(c["batch_loss"]); na++ } $1 >= 250 && $1 <= 300 { b += $(c["batch_loss"]); nb++ }
    END { ok = st == "completed" && nb > 0 && b / nb < a / na
          printf "%s\t%s\tstatus %s, last row %s, mean batch loss 0-50 %.4g, 250-300 %s\n", ok ? "pass" : "fail", args, st, last,
              na ? a / na : 0, nb ? sprintf("%.4g", b / nb) : "none" }' "$out/curve.tsv"
