# quartiles.awk - Figure 2's box plots: for group G, task T and column Q of
# runs.tsv, per rule of RULES (space-separated, its position the x), the
# quartiles of the finite values (R's default, type 7: linear interpolation
# between order statistics) and the whiskers (the most extreme value within
# 1.5 interquartile ranges of the box): "x rule n q1 median q3 wlo whi".
BEGIN { FS = "\t"; OFS = "\t"; nr = split(rules, R, " "); for (i = 1; i <= nr; i++) pos[R[i]] = i }
/^#/ || /^$/ { next }
!h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
$(c["group"]) == g && $(c["task"]) == t && ($(c["rule"]) in pos) && $(c[q]) != "nan" && $(c[q]) != "" { r = $(c["rule"]); v[r, ++n[r]] = $(c[q]) + 0 }
function qt(r, p,   h, lo) { h = (n[r] - 1) * p + 1; lo = int(h); return lo >= n[r] ? v[r, n[r]] : v[r, lo] + (h - lo) * (v[r, lo + 1] - v[r, lo]) }
END {
    print "x", "rule", "n", "q1", "median", "q3", "wlo", "whi"
    for (i = 1; i <= nr; i++) {
        r = R[i]; m = n[r]; if (!m) continue
        for (a = 2; a <= m; a++) { x = v[r, a]; for (b = a - 1; b >= 1 && v[r, b] > x; b--) v[r, b + 1] = v[r, b]; v[r, b + 1] = x }
        q1 = qt(r, 0.25); q3 = qt(r, 0.75); iq = q3 - q1; wlo = q1; whi = q3
        for (a = 1; a <= m; a++) { x = v[r, a]; if (x >= q1 - 1.5 * iq && x < wlo) wlo = x; if (x <= q3 + 1.5 * iq && x > whi) whi = x }
        print i, r, m, q1, qt(r, 0.5), q3, wlo, whi
    }
}
