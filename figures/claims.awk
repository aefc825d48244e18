# claims.awk - claims.tsv as a plain-text table for `make verify`, with a
# count of verdicts per claim at the end.
BEGIN { FS = "\t" }
/^#/ { next }
!hdr++ { next }
{
    ctx = $9 == "" ? "" : "  [" $9 "]"
    p = $7 == "nan" ? "-" : sprintf("%.3g", $7)
    printf "%-3s %-7s %-6s %-9s %-40s p=%-9s %-15s %s%s\n", $1, $2, $3, $4, $5, p, $8, $6, ctx
    n[$1]++; v[$1, $8]++
    if (!($1 in seen)) { seen[$1] = 1; ids[++m] = $1 }
}
END {
    print ""
    for (i = 1; i <= m; i++)
        printf "claim %-3s %2d comparisons: %2d reproduced, %2d not reproduced, %2d inconclusive\n", ids[i], n[ids[i]],
               v[ids[i], "reproduced"], v[ids[i], "not reproduced"], v[ids[i], "inconclusive"]
}
