# mergecfg.awk - merge `key = value` config files and `key=value` words (on
# stdin, given as "-") into one config file; a later value wins, the first
# occurrence fixes the order. (A config file may not repeat a key.)
function set(k, v) {
    gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
    if (k == "") { print "mergecfg: empty key in " FILENAME ":" FNR > "/dev/stderr"; bad = 1; exit 1 }
    if (!(k in val)) order[++n] = k
    val[k] = v
}
{ sub(/#.*/, "") }
/^[ \t]*$/ { next }
FILENAME == "-" || FILENAME == "/dev/stdin" {
    for (i = 1; i <= NF; i++) {
        eq = index($i, "=")
        if (!eq) { print "mergecfg: not key=value: " $i > "/dev/stderr"; bad = 1; exit 1 }
        set(substr($i, 1, eq - 1), substr($i, eq + 1))
    }
    next
}
{
    eq = index($0, "=")
    if (!eq) { print "mergecfg: " FILENAME ":" FNR ": not key = value" > "/dev/stderr"; bad = 1; exit 1 }
    set(substr($0, 1, eq - 1), substr($0, eq + 1))
}
END { if (bad) exit 1; for (i = 1; i <= n; i++) print order[i] " = " val[order[i]] }
