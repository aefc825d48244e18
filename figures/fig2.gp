# fig2.gp - Figure 2: generalization gap per rule and task (the error gap,
# train minus test accuracy, for a classification task; the loss gap for an
# MSE task); each seed a point over a box (mean +- SD, whiskers min..max). Top: clean test set;
# middle: perturbed test set; bottom (when the profile has one): the
# matched-accuracy group, every run stopped at a common training accuracy.
load "figures/common.gp"
runs = tables."/runs.tsv"; summ = tables."/summary.tsv"
mtasks = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"matched\" && !s[$2]++ { printf \"%%s \", $2 }' %s", summ))
mpanels = 2 * words(mtasks) > ntasks ? ntasks : 2 * words(mtasks)
nrows = mpanels > 0 ? 3 : 2
target = valstr("matched.target")
W = figw(380); H = 300*nrows+60
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(nrows, ntasks); eval logtasks
  eval layout(nrows, ntasks, 0.08, 0.98, 0.08, 0.92, 0.07, 0.1, "Generalization gap per rule: error gap (train - test accuracy) for classification, loss gap for pattern generation")
  set xrange [0.3:nrules+0.7]; set boxwidth 0.45
  set xtics () ; do for [i=1:nrules] { set xtics add (word(rules, i) i) }
  unset key
  do for [row=1:nrows] {
    do for [ti=1:(row < 3 ? ntasks : mpanels)] {
      t = row < 3 ? word(tasks, ti) : word(mtasks, (ti + 1) / 2)
      # the error gap for a classification task (the paper's gap), the loss gap for an MSE task
      q = (row == 1 || (row == 3 && ti % 2 == 1)) ? "gap" : "pgap"
      q = q.(ismse(t) ? "_loss" : "_acc")
      g = row < 3 ? "main" : "matched"
      set title (row < 3 ? sprintf("%s, %s test set", t, row == 1 ? "clean" : "perturbed") : \
                 sprintf("%s at train acc %s, %s", t, target, q[1:1] eq "g" ? "clean" : "perturbed"))
      set ylabel (ismse(t) ? sprintf("loss gap (test - train, %s)", lossunit(t)) : "error gap (train - test accuracy)")
      if (row == 1 && ti == 1) { set label 99 footer("runs.tsv, summary.tsv") at screen sx(0.01), sy(0.015) font ",8" } else { unset label 99 }
      eval logpanel(nvalid(summ, "mean", sprintf("group=%s,task=%s,quantity=%s", g, t, q)), sprintf("%s %s %s", g, t, q))
      do for [ri=1:nrules] { eval logkey(nvalid(runs, q, sprintf("group=%s,task=%s,rule=%s", g, t, word(rules, ri))), "column ".word(rules, ri)) }
      if (nvalid(summ, "mean", sprintf("group=%s,task=%s,quantity=%s", g, t, q)) == 0) { eval nodata("no runs") } else {
      plot summ using (strcol("group") eq g && strcol("task") eq t && strcol("quantity") eq q ? ruleidx(strcol("rule")) : NaN):\
             (column("mean") - column("sd")):(column("min")):(column("max")):(column("mean") + column("sd")):(rulecolor(strcol("rule"))) \
             with candlesticks whiskerbars lc rgb variable, \
           summ using (strcol("group") eq g && strcol("task") eq t && strcol("quantity") eq q ? ruleidx(strcol("rule")) : NaN):"mean":"mean":"mean":"mean" \
             with candlesticks lc rgb "#444444" lw 2, \
           runs using (strcol("group") eq g && strcol("task") eq t ? ruleidx(strcol("rule")) + 0.06 * (column("seed") - 3) : NaN):q:(rulecolor(strcol("rule"))) \
             with points pt 7 ps 0.6 lc rgb variable, \
           0 with lines lc rgb "#888888" dt 3
      }
    }
  }
  unset multiplot
  unset output
}
