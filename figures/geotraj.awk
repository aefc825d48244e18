# geotraj.awk - lambda_max over training as the geometric mean over seeds
# (Figure 4): for the main runs of task T and rule R in runs.tsv that did not
# diverge, each run's curvature.tsv (its dir column), per iteration
# "iter n geo lo hi": exp of the mean of ln lambda_max, and exp(mean -+ SEM
# of ln lambda_max) (the interval is multiplicative: x/ exp(SEM)).
BEGIN { FS = "\t"; OFS = "\t" }
/^#/ || /^$/ { next }
!h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
$(c["group"]) == "main" && $(c["task"]) == t && $(c["rule"]) == r && $(c["status"]) == "completed" { dirs[++nd] = $(c["dir"]) }
END {
    print "iter", "n", "geo", "lo", "hi"
    for (d = 1; d <= nd; d++) {
        file = dirs[d] "/curvature.tsv"; hc = 0
        while ((getline line < file) > 0) {
            if (line ~ /^#/) continue
            split(line, g, "\t")
            if (!hc++) { for (i in g) cc[g[i]] = i; continue }
            it = g[cc["iter"]] + 0; v = g[cc["lambda_max"]]
            if (v == "nan" || v + 0 <= 0) continue
            if (!(it in n)) its[++ni] = it
            n[it]++; s[it] += log(v); ss[it] += log(v) * log(v)
        }
        close(file)
    }
    for (k = 1; k <= ni; k++) { # iterations in increasing order (insertion sort)
        x = its[k]; for (j = k - 1; j >= 1 && its[j] > x; j--) its[j + 1] = its[j]; its[j + 1] = x
    }
    for (k = 1; k <= ni; k++) {
        it = its[k]; m = s[it] / n[it]
        se = n[it] > 1 ? sqrt((ss[it] - n[it] * m * m) / (n[it] - 1) / n[it]) : 0
        if (se != se) se = 0
        print it, n[it], exp(m), exp(m - se), exp(m + se)
    }
}
