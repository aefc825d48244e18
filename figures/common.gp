# common.gp - loaded by every figure script. The Makefile passes tables (the
# tables directory), out (output path without extension), tasks, rules and
# script (this figure's script) with gnuplot -e.
# One colour per rule, the same in every figure (Okabe-Ito palette).
rulecolor(r) = r eq "bptt" ? 0x000000 : r eq "eprop" ? 0x0072B2 : r eq "rflo" ? 0xE69F00 : \
               r eq "mdgl" ? 0x009E73 : r eq "tbptt" ? 0xCC79A7 : r eq "example" ? 0xD55E00 : 0x888888
ruleidx(r) = sum [i=1:words(rules)] (word(rules, i) eq r ? i : 0)
nrules = words(rules)
ntasks = words(tasks)
# A number the statistics wrote into values.tsv (NaN if absent).
valstr(k) = system(sprintf("awk -F'\t' -v k='%s' '$1 == k { print $2; exit }' %s/values.tsv", k, tables))
val(k) = (s = valstr(k), s eq "" || s eq "n/a" ? NaN : real(s))
footer(tab) = sprintf("data: %s; plot: %s", tab, script)
set datafile separator "\t"
set termoption noenhanced  # names like lambda_max, not subscripts
set datafile columnheaders
set datafile missing "nan"
set style fill transparent solid 0.25 noborder
set grid lc rgb "#dddddd"
# Rows of a table with a finite `col` matching "key=value,..." (figures/count.awk).
nvalid(file, col, where) = int(system(sprintf("awk -f figures/count.awk -v col='%s' -v where='%s' %s", col, where, file)))
# The panel drawn when there is nothing to plot (e.g. no curvature measured).
nodata(msg) = sprintf("set label 98 '%s' at graph 0.5, 0.5 center; plot [0:1][0:1] NaN notitle; unset label 98", msg)
# A column that may be NaN (the SEM of a single run) as 0, for error bars.
or0(c) = (v = column(c), v == v ? v : 0)
