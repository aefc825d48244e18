# absent.awk - why rules are missing from a panel: for each rule of RULES
# (space-separated) not in HAVE (" a b ") with runs of group G and task T in
# runs.tsv, "rule: D of N runs diverged" when all diverged, else
# "rule: WHAT (D of N runs diverged)"; joined by "; ". Rules without runs
# in the group are not named (the profile did not run them there).
BEGIN { FS = "\t" }
/^#/ || /^$/ { next }
!h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
$(c["group"]) == g && $(c["task"]) == t { n[$(c["rule"])]++; if ($(c["status"]) == "diverged") d[$(c["rule"])]++ }
END {
    k = split(rules, r, " "); out = ""
    for (i = 1; i <= k; i++) {
        if (index(have, " " r[i] " ") || !n[r[i]]) continue
        s = (d[r[i]] + 0 == n[r[i]]) ? sprintf("%s: %d of %d runs diverged", r[i], n[r[i]], n[r[i]]) \
            : sprintf("%s: %s (%d of %d runs diverged)", r[i], what, d[r[i]] + 0, n[r[i]])
        out = out (out == "" ? "" : "; ") s
    }
    printf "%s", out
}
