# plateau.awk T=... curve.tsv...: mean over the files of the difference between the
# evaluations' mean over (3T/4, T] and over (T/2, 3T/4], for the perturbed
# error gap (train_acc - ptest_acc) and the training accuracy (CONFIRM.md, "Pilot").
BEGIN { FS = "\t" }
FNR == 1 { nf++ }
/^#/ || $1 == "iter" || $5 == "nan" { next }
{
    it = $1 + 0; if (it <= T / 2 || it > T) next
    w = it > 3 * T / 4 ? 2 : 1
    g[nf, w] += $6 - $12; a[nf, w] += $6; c[nf, w]++
}
END {
    for (f = 1; f <= nf; f++) { dg += g[f, 2] / c[f, 2] - g[f, 1] / c[f, 1]; da += a[f, 2] / c[f, 2] - a[f, 1] / c[f, 1] }
    printf "%d\t%+.4f\t%+.4f\t%s\n", T, dg / nf, da / nf, (dg / nf < 0.005 && dg / nf > -0.005 && da / nf < 0.005 && da / nf > -0.005) ? "plateau" : "not yet"
}
