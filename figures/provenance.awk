# provenance.awk METRICS... - what the tables were computed from: one row per
# (commit, math_hash) pair in the provenance lines of the runs' metrics.tsv,
# with how many runs carry it and the first of them.
function flush(k) {
    k = commit "\t" math
    if (!(k in n)) { order[++m] = k; first[k] = run }
    n[k]++
}
FNR == 1 { if (NR > 1) flush(); commit = "unknown"; math = "none"; run = FILENAME; sub(/\/metrics\.tsv$/, "", run) }
/^# credit / { for (i = 3; i < NF; i++) if ($i == "commit") commit = $(i + 1) }
/^# math_hash / { math = $3 }
END {
    if (NR > 0) flush()
    print "# provenance.tsv: commits and maths hashes of the runs the tables were computed from (figures/provenance.awk)"
    print "commit\tmath_hash\truns\tfirst_run"
    for (i = 1; i <= m; i++) print order[i] "\t" n[order[i]] "\t" first[order[i]]
}
