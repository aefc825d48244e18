# select.awk - the header and the rows of a TSV table (after its '#' lines)
# that match every key=value of `where` (comma-separated), so that a figure
# can draw one connected line through them (rows filtered inside gnuplot
# with NaN break a line).
BEGIN { FS = "\t"; nw = split(where, w, ",") }
/^#/ || /^$/ { next }
!h++ { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
{
    for (i = 1; i <= nw; i++) { split(w[i], kv, "="); if ($(c[kv[1]]) != kv[2]) next }
    print
}
