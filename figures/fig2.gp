# fig2.gp - Figure 2: generalization gap per rule and task; each seed a
# point over a box (mean +- SD, whiskers min..max). Top: clean test set;
# bottom: perturbed test set.
load "figures/common.gp"
runs = tables."/runs.tsv"; summ = tables."/summary.tsv"
do for [fmt in "png svg"] {
  if (fmt eq "png") { set terminal pngcairo size 380*ntasks+80, 640 font ",10" } else { set terminal svg size 380*ntasks+80, 640 font ",10" }
  set output out.".".fmt
  set multiplot layout 2, ntasks margins 0.08, 0.98, 0.12, 0.9 spacing 0.07, 0.12 title "Generalization gap (test - train loss) per rule"
  set xrange [0.3:nrules+0.7]; set boxwidth 0.45
  set xtics () ; do for [i=1:nrules] { set xtics add (word(rules, i) i) }
  unset key
  do for [row=1:2] {
    q = row == 1 ? "gap_loss" : "pgap_loss"
    do for [ti=1:ntasks] {
      t = word(tasks, ti)
      set title sprintf("%s, %s test set", t, row == 1 ? "clean" : "perturbed")
      set ylabel (ti == 1 ? "gap (loss, nats or MSE)" : "")
      if (row == 1 && ti == 1) { set label 99 footer("runs.tsv, summary.tsv") at screen 0.01, 0.02 font ",8" } else { unset label 99 }
      if (nvalid(summ, "mean", sprintf("group=main,task=%s,quantity=%s", t, q)) == 0) { eval nodata("no runs") } else {
      plot summ using (strcol("group") eq "main" && strcol("task") eq t && strcol("quantity") eq q ? ruleidx(strcol("rule")) : NaN):\
             (column("mean") - column("sd")):(column("min")):(column("max")):(column("mean") + column("sd")):(rulecolor(strcol("rule"))) \
             with candlesticks whiskerbars lc rgb variable, \
           summ using (strcol("group") eq "main" && strcol("task") eq t && strcol("quantity") eq q ? ruleidx(strcol("rule")) : NaN):"mean":"mean":"mean":"mean" \
             with candlesticks lc rgb "#444444" lw 2, \
           runs using (strcol("group") eq "main" && strcol("task") eq t ? ruleidx(strcol("rule")) + 0.08 * (column("seed") - 3) : NaN):q:(rulecolor(strcol("rule"))) \
             with points pt 7 ps 0.6 lc rgb variable
      }
    }
  }
  unset multiplot
  unset output
}
