# fig2.gp - Figure 2: generalization gap per rule and task (the error gap,
# train minus test accuracy, for a classification task; the loss gap, test
# minus train loss, for an MSE task). A box plot per rule: the box spans
# the quartiles with the median as its bar, the whiskers reach the most
# extreme seed within 1.5 box lengths of the box; every seed a point over it.
# Rows: the main runs on the clean and on the perturbed test set, then (when
# the profile has them) the matched-accuracy runs (every rule stopped at a
# common training accuracy) and the matched-loss runs (stopped at a common
# training loss), clean test set. A rule without a finite gap (all its runs
# diverged) gets no column; the note under the title says why.
load "figures/common.gp"
runs = tables."/runs.tsv"
gq(t) = ismse(t) ? "_loss" : "_acc"
# the rows: "group:prefix"; the matched groups only where they have runs
mg = system(sprintf("awk -F'\t' '!/^#/ && ($1 == \"matched\" || $1 == \"matched_loss\") && !s[$1]++ { printf \"%%s \", $1 }' %s", runs))
rowlist = "main:gap main:pgap"
do for [i=1:words(mg)] { rowlist = rowlist." ".word(mg, i).":gap" }
nrows = words(rowlist)
grp(i) = word(rowlist, i)[1:strstrt(word(rowlist, i), ":") - 1]
pre(i) = word(rowlist, i)[strstrt(word(rowlist, i), ":") + 1:]
# the rules drawn in a row (those with a finite gap in some task) and why the others are not
rowrules(i) = have(runs, pre(i).gq(word(tasks, 1)), "group=".grp(i))
fignote = ""
do for [i=1:nrows] { if (pre(i) eq "gap") { g = grp(i); do for [ti=1:ntasks] { t = word(tasks, ti); \
  a = absent(g, t, have(runs, "gap".gq(t), sprintf("group=%s,task=%s", g, t)), "no finite gap"); \
  if (a ne "") { fignote = joinnote(fignote, (g eq "main" && ntasks == 1 ? "" : sprintf("%s %s, ", g, t)).a) } } } }
stop(g, t) = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"%s\" && $2 == \"%s\" { print $5; exit }' %s", g, t, runs))
rowtitle(i, t) = grp(i) eq "main" ? sprintf("%s, %s test set", t, pre(i) eq "gap" ? "clean" : "perturbed") : \
                 grp(i) eq "matched" ? sprintf("%s, matched training accuracy %s, clean test set", t, stop(grp(i), t)) : \
                 sprintf("%s, matched training loss %.3g, clean test set", t, real(stop(grp(i), t)))
# a seed's offset from its column's centre (seeds 1-5 spread over the box, then again)
jit(s) = 0.04 * ((int(s) - 1) % 5 - 2)
W = figw(380); H = 265 * nrows + 120
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(nrows, ntasks); eval logtasks
qsrc(g, t, q, rr) = sprintf("< awk -f figures/quartiles.awk -v g='%s' -v t='%s' -v q='%s' -v rules='%s' %s", g, t, q, rr, runs)
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval layout(nrows, ntasks, 95.0 / W, 0.98, 70.0 / H, 1 - (80.0 + notex) / H, 95.0 / W, 75.0 / H, \
      "Generalization gap per rule (box: median and quartiles of the seeds; points: the seeds)")
  eval footerat("runs.tsv", 12)
  unset key
  set boxwidth 0.5
  set offsets 0, 0, graph 0.06, graph 0.06
  do for [row=1:nrows] {
    rr = rowrules(row); nr = words(rr)
    set xrange [0.4:nr + 0.6]
    set xtics () ; do for [i=1:nr] { set xtics add (word(rr, i) i) }
    do for [ti=1:ntasks] {
      t = word(tasks, ti); g = grp(row); q = pre(row).gq(t)
      n = nvalid(runs, q, sprintf("group=%s,task=%s", g, t))
      if (n == 0) { set multiplot next } else {
      eval logpanel(n, sprintf("%s %s %s", g, t, q))
      do for [i=1:nr] { eval logkey(nvalid(runs, q, sprintf("group=%s,task=%s,rule=%s", g, t, word(rr, i))), "column ".word(rr, i)) }
      set title rowtitle(row, t)
      set ylabel (ismse(t) ? sprintf("loss gap (test - train, %s)", lossunit(t)) : "error gap (train - test accuracy)")
      # the box (quartiles, figures/quartiles.awk), the whiskers, the median as a thick bar
      plot qsrc(g, t, q, rr) using "x":"q1":"wlo":"whi":"q3":(rulecolor(strcol("rule"))) with candlesticks whiskerbars 0.5 lc rgb variable \
             fs transparent solid 0.25 border, \
           qsrc(g, t, q, rr) using "x":"median":"median":"median":"median":(rulecolor(strcol("rule"))) with candlesticks lw 2.5 lc rgb variable, \
           runs using (strcol("group") eq g && strcol("task") eq t ? idxin(rr, strcol("rule")) + jit(column("seed")) : NaN):q:(rulecolor(strcol("rule"))) \
             with points pt 7 ps 0.6 lc rgb variable, \
           0 with lines lc rgb "#888888" dt 3
      eval clearfig
      }
    }
  }
  unset multiplot
  unset output
}
# the caption, true for this profile's panels
rowsaid = "Rows: the main runs on the clean and on the perturbed test set"
do for [i=3:nrows] { rowsaid = rowsaid.(grp(i) eq "matched" ? "; matched accuracy: every rule stopped at a common training accuracy" : "; matched loss: one rule's runs as they ended and the other rules' runs stopped at their mean final training loss").", clean test set" }
capnote = fignote eq "" ? "" : sprintf(" A rule without a column: %s.", fignote)
fignote = rawnote
eval writecaption(sprintf("Generalization gap per rule (%s), one point per seed over a box plot: the box spans the quartiles of the seeds with the median as its bar, the whiskers reach the most extreme seed within 1.5 box lengths. %s.%s", \
    ntasks > 1 ? "the error gap, training minus test accuracy, for a classification task; the loss gap for an MSE task" : (ismse(word(tasks, 1)) ? "the loss gap, test minus training loss" : "the error gap, training minus test accuracy"), \
    nrows > 2 ? rowsaid : (ntasks > 1 ? "Columns: the tasks; rows: the clean and the perturbed test set" : "Top: the clean test set; bottom: the perturbed one"), capnote))
