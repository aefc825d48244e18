# count.awk - how many rows of a TSV table (header row after '#' lines) have
# a finite value in column `col` and match every key=value of `where`
# (comma-separated). The figure scripts use it to draw an empty panel with a
# note instead of failing when a table has nothing to plot.
BEGIN { FS = "\t"; nw = split(where, w, ",") }
/^#/ || /^$/ { next }
!h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
    for (i = 1; i <= nw; i++) { split(w[i], kv, "="); if ($(c[kv[1]]) != kv[2]) next }
    v = $(c[col]); if (v != "nan" && v != "" && v != "inf" && v != "-inf") n++
}
END { print n + 0 }
