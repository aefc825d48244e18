#!/usr/bin/env bash
# report_cost.sh TOTAL CURV_AUTHORS [WHO] < runs - the CPU time the runs on
# stdin (one per line, their key=value words) will take, from the pieces
# paper/experiments/BUDGET.md measured at the authors' sMNIST sizes (n 128,
# batch 256; process CPU, one BLAS thread): per training iteration bptt
# 21.7 ms, eprop 9.1, rflo 9.6, mdgl 10.0, any other rule bptt's times its
# ratio in results/bench.tsv (make bench: kp 0.42, nodepert 2.38), or bptt's
# when it has none; an evaluation 0.81 s on 5,000-example subsamples, 3.05 s
# on the whole sets (the last one always); a curvature row 0.74 s warm, 0.84
# cold; the final all-parameter row 1.0 s; the authors' protocol 1.3 s (up
# to 23 s at its 500-product cap). TOTAL: the runs of the experiment, to say
# "N of TOTAL". Other sizes have no measured budget, and it says so.
set -euo pipefail
total=$1 authors=${2:-0} who=${3:-rule-report}
bench=results/bench.tsv
awk -v total="$total" -v authors="$authors" -v who="$who" -v bench="$bench" '
BEGIN {
    ms["bptt"] = 21.7; ms["eprop"] = 9.1; ms["rflo"] = 9.6; ms["mdgl"] = 10.0
    while ((getline line < bench) > 0) {
        split(line, f, "\t")
        if (f[2] == "smnist" && f[1] ~ /^[A-Za-z0-9_]+\/bptt$/) { r = f[1]; sub(/\/bptt$/, "", r); if (!(r in ms)) { ms[r] = 21.7 * f[3]; from[r] = sprintf("bptt x %.2f, results/bench.tsv", f[3]) } }
    }
}
NF == 0 { next }
{
    delete k
    for (i = 1; i <= NF; i++) { e = index($i, "="); if (e) k[substr($i, 1, e - 1)] = substr($i, e + 1) }
    n++; rule = k["rule"]; rules[rule] = 1
    if (k["task"] != "smnist" || k["n"] != 128 || k["batch"] != 256) { other = 1; next }
    it = k["iters"] + 0
    if (rule in ms) per = ms[rule]; else { per = 21.7; unknown[rule] = 1 }
    ev = k["eval_every"] + 0 > 0 ? int(it / k["eval_every"]) : 0
    cv = k["curvature_every"] + 0 > 0 ? int(it / k["curvature_every"]) : 0
    s = it * per / 1000 + ev * (k["eval_subsample"] + 0 > 0 ? 0.81 : 3.05) + 3.05 + cv * (k["hessian_warm"] == 1 ? 0.74 : 0.84) + 1.0
    cpu += s; hi += s
    if (authors == 1) { cpu += 1.3; hi += 23 }
    mspi[rule] = per
}
END {
    line = sprintf("%s: %d of %d runs to train", who, n, total)
    if (n == 0) { print line; exit }
    if (other) { print line ": no measured budget for these sizes (paper/experiments/BUDGET.md measures the authors sMNIST protocol: n 128, batch 256)"; exit }
    for (r in rules) {
        w = w sprintf("%s%s %.1f ms per iteration (%s)", w == "" ? "" : "; ", r, mspi[r], \
            r in unknown ? "not measured: counted at bptt'"'"'s, make bench measures it" : r in from ? from[r] : "BUDGET.md")
    }
    lo2 = sprintf("%.0f", cpu / 120); hi2 = sprintf("%.0f", hi / 120)
    print line sprintf(": about %.0f CPU-min (%s min on 2 cores, one run per core), from paper/experiments/BUDGET.md: %s; evaluations, curvature rows and final measurements included%s", \
        cpu / 60, lo2 == hi2 ? lo2 : lo2 "-" hi2, w, authors == 1 ? " (the authors curvature protocol: 1.3-23 s a run)" : "")
}'
