# certclass.awk RUN_CFG - the text whose SHA-256 (first 16 hex digits) is a
# run's probe class (figures/certify.sh): its config's key = value lines
# without seed, iters and eval_every, curvature_every only as on (> 0) or
# absent, sorted (C locale order), one per line.
/^#/ || !/ = / { next }
$1 == "seed" || $1 == "iters" || $1 == "eval_every" { next }
$1 == "curvature_every" { if ($3 + 0 == 0) next; $0 = "curvature_every = on" }
{ line[++n] = $0 }
END {
    for (i = 2; i <= n; i++) { # insertion sort: a config has a few dozen lines
        v = line[i]
        for (j = i - 1; j >= 1 && line[j] > v; j--) line[j + 1] = line[j]
        line[j + 1] = v
    }
    for (i = 1; i <= n; i++) print line[i]
}
