# trajmean.awk - one column of each run's curvature.tsv over training, the
# mean over seeds (the report's cosine with the true gradient): for the main
# runs of task T and rule R in runs.tsv that did not diverge (their dir
# column), per iteration "iter n mean lo hi" with lo, hi = mean -+ SEM.
BEGIN { FS = "\t"; OFS = "\t"; if (col == "") col = "cosine" }
/^#/ || /^$/ { next }
!h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
$(c["group"]) == "main" && $(c["task"]) == t && $(c["rule"]) == r && $(c["status"]) == "completed" { dirs[++nd] = $(c["dir"]) }
END {
    print "iter", "n", "mean", "lo", "hi"
    for (d = 1; d <= nd; d++) {
        file = dirs[d] "/curvature.tsv"; hc = 0
        while ((getline line < file) > 0) {
            if (line ~ /^#/) continue
            split(line, g, "\t")
            if (!hc++) { delete cc; for (i in g) cc[g[i]] = i; continue }
            if (!(col in cc)) break
            it = g[cc["iter"]] + 0; v = g[cc[col]]
            if (v == "nan" || v == "-nan") continue
            if (!(it in n)) its[++ni] = it
            n[it]++; s[it] += v; ss[it] += v * v
        }
        close(file)
    }
    for (k = 1; k <= ni; k++) { x = its[k]; for (j = k - 1; j >= 1 && its[j] > x; j--) its[j + 1] = its[j]; its[j + 1] = x }
    for (k = 1; k <= ni; k++) {
        it = its[k]; m = s[it] / n[it]
        se = n[it] > 1 ? sqrt((ss[it] - n[it] * m * m) / (n[it] - 1) / n[it]) : 0
        if (se != se) se = 0
        print it, n[it], m, m - se, m + se
    }
}
