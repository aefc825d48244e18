# protocols.awk MANIFEST - the two curvature protocols on the same weights,
# the final checkpoint of every main run: ours (the last row of
# curvature.tsv: W_rec, Lanczos, signed, a fixed batch of training
# examples) and the authors' (curvature_authors.tsv, `credit curvature
# --out=curvature_authors.tsv hessian_protocol=authors`: power iteration of
# at most 500 products, |lambda|, a fresh batch of 256 validation
# examples). Writes a Markdown table: per rule the runs measured, the median
# of each protocol's lambda_max and of their ratio, and the range of the
# ratio; a run without both files (diverged) is counted apart.
function col(file, name,    line, n, f, i, c, v) {
    c = 0; v = ""
    while ((getline line < file) > 0) {
        if (line ~ /^#/) continue
        n = split(line, f, "\t")
        if (!c) { for (i = 1; i <= n; i++) if (f[i] == name) c = i; if (!c) break; continue }
        v = f[c] # the last data row
    }
    close(file)
    return v
}
# A damaged run is refused, never counted as not measured (issue 22): a
# curvature_authors.tsv its .args says was measured must be there, and a
# value must be wholly a number (or nan, as the trainer writes it).
function exists(file,    line, r) { r = (getline line < file); close(file); return r >= 0 }
function die(msg) { print "protocols.awk: " msg > "/dev/stderr"; failed = 1; exit 1 }
function checknum(v, file) {
    if (v != "" && v != "nan" && v != "-nan" && v !~ /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/)
        die(file ": lambda_max '" v "' is not a number")
}
function median(a, n,    i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
BEGIN { FS = "\t" }
NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
$h["group"] == "main" {
    r = $h["rule"]; d = $h["dir"]
    if (!(r in seen)) { seen[r] = 1; order[++nr] = r }
    if (exists(d "/curvature_authors.args") && !exists(d "/curvature_authors.tsv"))
        die(d "/curvature_authors.tsv: missing, but " d "/curvature_authors.args says it was measured")
    ours = col(d "/curvature.tsv", "lambda_max"); theirs = col(d "/curvature_authors.tsv", "lambda_max")
    checknum(ours, d "/curvature.tsv"); checknum(theirs, d "/curvature_authors.tsv")
    prod = col(d "/curvature_authors.tsv", "hvps")
    if (ours !~ /^[-+]?[0-9]/ || theirs !~ /^[-+]?[0-9]/ || ours + 0 == 0) { skipped[r]++; next }
    k = ++n[r]; o[r, k] = ours + 0; t[r, k] = theirs + 0; q[r, k] = (theirs + 0) / (ours + 0); p[r, k] = prod + 0
}
END {
    if (failed) exit 1
    print "| rule | runs | lambda_max, ours (median) | lambda_max, authors' (median) | authors' / ours: median | range | power products (median) | not measured |"
    print "|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= nr; i++) {
        r = order[i]; m = n[r] + 0
        if (!m) { printf "| %s | 0 | - | - | - | - | - | %d |\n", r, skipped[r]; continue }
        lo = hi = q[r, 1]
        for (k = 1; k <= m; k++) { A[k] = o[r, k]; B[k] = t[r, k]; C[k] = q[r, k]; D[k] = p[r, k]; if (C[k] < lo) lo = C[k]; if (C[k] > hi) hi = C[k] }
        printf "| %s | %d | %.4g | %.4g | %.3f | %.3f-%.3f | %g | %d |\n", r, m, median(A, m), median(B, m), median(C, m), lo, hi, median(D, m), skipped[r]
    }
}
