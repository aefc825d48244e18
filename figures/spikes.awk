# spikes.awk - the main runs whose final training loss is more than three
# times their rule's median over the task's completed runs (runs.tsv), with
# the training loss of their evaluation before the last (the run's
# curve.tsv): one row each, "task rule seed final before factor lambda_max
# gap_acc pgap_acc gap_loss pgap_loss iterations", after a header. Figures 3, 4 and S mark them.
BEGIN { FS = "\t"; OFS = "\t" }
/^#/ || /^$/ { next }
!h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
$(c["group"]) == "main" && $(c["status"]) == "completed" && $(c["train_loss"]) != "nan" {
    k = $(c["task"]) SUBSEP $(c["rule"]); m = ++n[k]; v[k, m] = $(c["train_loss"]) + 0
    row[++nr] = $0
}
END {
    print "task", "rule", "seed", "final", "before", "factor", "lambda_max", "gap_acc", "pgap_acc", "gap_loss", "pgap_loss", "iterations"
    for (k in n) { # the median of each rule's final losses (insertion sort)
        for (i = 2; i <= n[k]; i++) { x = v[k, i]; for (j = i - 1; j >= 1 && v[k, j] > x; j--) v[k, j + 1] = v[k, j]; v[k, j + 1] = x }
        med[k] = n[k] % 2 ? v[k, (n[k] + 1) / 2] : (v[k, n[k] / 2] + v[k, n[k] / 2 + 1]) / 2
    }
    for (r = 1; r <= nr; r++) {
        split(row[r], f, "\t"); k = f[c["task"]] SUBSEP f[c["rule"]]
        if (n[k] < 3 || med[k] <= 0 || f[c["train_loss"]] + 0 <= 3 * med[k]) continue
        before = "nan"; prev = "nan"; file = f[c["dir"]] "/curve.tsv"; hc = 0
        while ((getline line < file) > 0) {
            if (line ~ /^#/) continue
            split(line, g, "\t")
            if (!hc++) { for (i in g) cc[g[i]] = i; continue }
            if (g[cc["train_loss"]] != "nan") { before = prev; prev = g[cc["train_loss"]] }
        }
        close(file)
        print f[c["task"]], f[c["rule"]], f[c["seed"]], f[c["train_loss"]], before, sprintf("%.0f", f[c["train_loss"]] / med[k]), \
              f[c["lambda_max"]], f[c["gap_acc"]], f[c["pgap_acc"]], f[c["gap_loss"]], f[c["pgap_loss"]], f[c["iterations"]]
    }
}
