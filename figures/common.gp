# common.gp - loaded by every figure script. The Makefile passes tables (the
# tables directory), out (output path without extension), tasks, rules and
# script (this figure's script) with gnuplot -e.
# One colour per rule, the same in every figure (Okabe-Ito palette).
# Any other rule gets a colour of its own from the rest of a colour-blind-safe
# palette (Tol's muted), chosen by its name, so a new rule is never grey and
# keeps its colour from figure to figure.
rulecolor(r) = r eq "bptt" ? 0x000000 : r eq "eprop" ? 0x0072B2 : r eq "rflo" ? 0xE69F00 : \
               r eq "mdgl" ? 0x009E73 : r eq "tbptt" ? 0xCC79A7 : r eq "example" ? 0xD55E00 : extracolor(namehash(r) % 8)
extra = "0x56B4E9 0x882255 0x44AA99 0x999933 0xAA4499 0x332288 0xDDCC77 0x661100"
extracolor(i) = int(word(extra, i + 1))
# A number from a name: the sum of its letters' positions times their place.
alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."
namehash(r) = sum [i=1:strlen(r)] (i * strstrt(alphabet, r[i:i]))
ruleidx(r) = sum [i=1:words(rules)] (word(rules, i) eq r ? i : 0)
nrules = words(rules)
ntasks = words(tasks)
# a figure's width: PER pixels per task panel, never under 760 (one task's titles and legends need it)
figw(per) = (per*ntasks + 80 < 760 ? 760 : per*ntasks + 80)
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
# The loss's unit for a task: MSE for a task without accuracy, else
# cross-entropy in nats (from the main group's training accuracy).
ismse(t) = nvalid(tables."/summary.tsv", "mean", sprintf("group=main,task=%s,quantity=train_acc", t)) == 0
lossunit(t) = ismse(t) ? "MSE" : "cross-entropy, nats"
# The rows of a table matching "key=value,..." as a data source, for lines
# through one selection (figures/select.awk).
rows(file, where) = sprintf("< awk -f figures/select.awk -v where='%s' %s", where, file)
# The rules with rows in an experiment group, in the table's order.
rules_in(g) = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"%s\" && !s[$3]++ { printf \"%%s \", $3 }' %s/summary.tsv", g, tables))
# The canvas. A script sets W and H (pixels), then draws each format with
#   do for [fmt in fmts] { eval term(fmt); set output out.".".fmt; eval layout(...); ... }
# and gives every screen position through sx/sy (and multiplot spacing
# through dx/dy). Probe mode (probe=P on the gnuplot command line, as
# tests/test_figures.c does) draws the PNG alone on a canvas P pixels wider on
# every side with the same layout in pixels, so whatever the real canvas
# would cut off lies in the margin, where the test finds its ink; and it
# logs what each panel holds to OUT.log (plog).
pad = exists("probe") ? int(probe) : 0
fmts = pad ? "png" : "png svg"
sx(f) = pad ? (pad + f * W) / (W + 2.0 * pad) : f
sy(f) = pad ? (pad + f * H) / (H + 2.0 * pad) : f
dx(d) = pad ? d * W / (W + 2.0 * pad) : d
dy(d) = pad ? d * H / (H + 2.0 * pad) : d
term(fmt) = sprintf("set terminal %s noenhanced size %d, %d font \",10\"", fmt eq "png" ? "pngcairo" : "svg", W + 2 * pad, H + 2 * pad)
layout(r, c, l, rt, b, t, sh, sv, ttl) = sprintf("set multiplot layout %d, %d%s margins %.17g, %.17g, %.17g, %.17g spacing %.17g, %.17g; %s", \
    r, c, colsfirst ? " columnsfirst" : "", sx(l), sx(rt), sy(b), sy(t), dx(sh), dy(sv), figlabels(ttl))
# The figure's title (label 97, its first line), a note under it (label 96:
# what the figure leaves out and why) and the footer (label 99), drawn with
# the first plot only (eval clearfig after it): placed in screen pixels, so
# the probe draws them where the real canvas has them.
figlabels(ttl) = sprintf("set label 97 \"%s\" at screen sx(0.5), sy(1 - 14.0 / H) center front; ", ttl) . \
    (fignote eq "" ? "unset label 96" : sprintf("set label 96 \"%s\" at screen sx(0.5), sy(1 - 32.0 / H) center front tc rgb \"#a00000\"", fignote))
fignote = ""
clearfig = "unset label 97; unset label 96; unset label 99"
footerat(tab, y) = sprintf("set label 99 \"%s\" at screen %.17g, %.17g font \",8\" front", footer(tab), sx(0.01), sy(y * 1.0 / H))
colsfirst = 0
plog(s) = pad ? sprintf("set print '%s.log' append; print '%s'; set print", out, s) : ""
# what the probe log says of a figure: its panel grid and its tasks
loggrid(r, c) = plog(sprintf("grid %d %d", r, c))
logtasks = "do for [ti_=1:ntasks] { eval plog('task '.word(tasks, ti_)) }"
# a panel (or legend entry) and the number of table rows it draws
logpanel(n, name) = plog(sprintf("panel %d %s", n, name))
logkey(n, name) = plog(sprintf("key %d %s", n, name))
# The rules (in the order of rules) with at least one finite COL in the rows
# of FILE matching WHERE ("key=value,...", may be ""), as a word list.
# (Joined with ".", not sprintf: gnuplot 5.4's sprintf cut this command's
# end, "done; true", once its paths were long, a report directory's say.)
have(file, col, where) = system("for r in ".rules."; do [ $(awk -f figures/count.awk -v col='".col."' -v where='".where.(where eq "" ? "" : ",")."rule='$r ".file.") -gt 0 ] && printf '%s ' $r; done; true")
idxin(list, r) = sum [i=1:words(list)] (word(list, i) eq r ? i : 0)
# Why the rules of RULES that are not in HAVE are missing from a panel of
# group G and task T (figures/absent.awk): "rflo: 5 of 5 runs diverged".
absent(g, t, have, what) = system("awk -f figures/absent.awk -v g='".g."' -v t='".t."' -v rules='".rules."' -v have=' ".have." ' -v what='".what."' ".tables."/runs.tsv")
joinnote(a, b) = a eq "" ? b : b eq "" ? a : a."; ".b
# The caption of the figure for the rendered paper (figures/render.awk reads
# OUT.caption as a value file: caption.FIG).
figid = exists("script") ? script[strstrt(script, "/fig") + 1:strlen(script) - 3] : "fig"
writecaption(c) = sprintf("set print '%s.caption'; print \"# %s.caption: made by %s from %s\"; print \"caption.%s\t%s\"; set print", \
    out, figid, script, tables, figid, c)
# Runs whose final training loss is far above their rule's (group main):
# rows "task rule seed final previous factor x y..." (figures/spikes.awk).
spikes = sprintf("< awk -f figures/spikes.awk %s/runs.tsv", tables)
# Tick marks at 1, 2 and 5 times each power of ten on a log axis (AX: x or y),
# for log axes that span less than a few decades.
tics125(ax) = sprintf("set %stics (%s)", ax, tics125s)
tics125s = ""
do for [e=-4:6] { do for [m in "1 2 5"] { tics125s = tics125s.(tics125s eq "" ? "" : ", ").sprintf("\"%g\" %g", real(m) * 10.0**e, real(m) * 10.0**e) } }
# A long note wrapped at "; " into lines of at most about (W - 40) / 7
# characters (gnuplot's "\n" between them); notex: the pixels its extra lines
# take, which a script adds to H and to every top offset below the note.
wrapnote(s) = s eq "" ? "" : system(sprintf("awk -v s=\"%s\" -v w=%d 'BEGIN { n = split(s, a, \"; \"); for (i = 1; i <= n; i++) { p = a[i] (i < n ? \";\" : \"\"); if (l != \"\" && length(l) + 1 + length(p) > w) { o = o l \"\\\\n\"; l = p } else l = l (l == \"\" ? \"\" : \" \") p } printf \"%%s\", o l }'", s, int((W - 40) / 7)))
notelines(s) = s eq "" ? 1 : 1 + (strlen(s) - strlen(system(sprintf("printf '%%s' \"%s\" | sed 's/\\\\n//g'", s)))) / 2
# The spikes in words for a caption: "bptt seed 8 (training loss 0.096 at
# its evaluation before the last, 1.1 at the last)", joined by "; ".
spikewords = system(sprintf("awk -f figures/spikes.awk %s/runs.tsv | awk -F'\t' 'NR > 1 { printf \"%%s%%s seed %%s (training loss %%.2g at its evaluation before the last, %%.2g at the last)\", n++ ? \"; \" : \"\", $2, $3, $5, $4 }'", tables))
