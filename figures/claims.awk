# claims.awk - claims.tsv as a plain-text table for `make verify` (columns by
# header name) under a header row of its own, with the count of verdicts per
# claim and the primary endpoints' verdicts at the end.
BEGIN { FS = "\t"; fmt = "%-3s %-3s %-7s %-6s %-9s %-16s %-28s %-11s %-13s %s\n" }
/^#/ { next }
!hdr++ {
    for (i = 1; i <= NF; i++) c[$i] = i
    printf fmt, "id", "P", "task", "rule", "test set", "quantity", "effect [95% CI]", "p for", "verdict", "why undecided, or training error"
    next
}
{
    id = $(c["claim"]); v = $(c["verdict"])
    note = $(c["reason"]) != "" ? $(c["reason"]) : $(c["context"])
    eff = $(c["effect"]) == "nan" ? "-" : sprintf("%.3g [%.3g, %.3g]", $(c["effect"]), $(c["ci_low"]), $(c["ci_high"]))
    p = $(c["p_for_holm"]) == "nan" ? "-" : sprintf("%.3g", $(c["p_for_holm"]))
    printf fmt, id, $(c["primary"]) == "primary" ? "P" : "", $(c["task"]), $(c["rule"]),
           $(c["test_set"]), $(c["quantity"]), eff, p, v, note
    n[id]++; cnt[id, v]++
    if (!(id in seen)) { seen[id] = 1; ids[++m] = id }
    if ($(c["primary"]) == "primary") prim[++np] = sprintf("%s %s %s %s: %s", id, $(c["task"]), $(c["rule"]), $(c["quantity"]), v)
}
END {
    print "(P: a primary endpoint, its p Holm-adjusted; p for: the one-sided p-value of the paper's prediction)"
    print ""
    for (i = 1; i <= m; i++)
        printf "claim %-3s %3d comparisons: %3d reproduced, %3d contradicted, %3d negligible, %3d inconclusive\n", ids[i], n[ids[i]],
               cnt[ids[i], "reproduced"], cnt[ids[i], "contradicted"], cnt[ids[i], "negligible"], cnt[ids[i], "inconclusive"]
    print ""
    print "primary endpoints (Holm over " np "):"
    for (i = 1; i <= np; i++) print "  " prim[i]
}
