# fig3.gp - Figure 3: generalization gap (error gap for a classification
# task, loss gap for an MSE task) against the final top Hessian eigenvalue,
# every main run of a task (colour: rule), the least-squares line over all
# rules pooled, Pearson r with its one-sided p and Spearman rho (a
# description: claim 3 is judged within rules). Top: clean; bottom: perturbed.
load "figures/common.gp"
runs = tables."/runs.tsv"
W = figw(380); H = 740
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(2, ntasks); eval logtasks
  eval layout(2, ntasks, 0.08, 0.98, 0.11, 0.85, 0.08, 0.17, "Gap against curvature (all runs of a task, rules pooled: a description)")
  # one legend for the figure, under its title
  set key at screen sx(0.5), sy(0.94) center vertical maxrows 1 font ",9" samplen 2
  do for [row=1:2] {
    do for [ti=1:ntasks] {
      t = word(tasks, ti)
      # the error gap for a classification task (the paper's gap), the loss gap for an MSE task
      q = (row == 1 ? "gap" : "pgap").(ismse(t) ? "_loss" : "_acc")
      k = sprintf("corr.%s.%s.", t, q)
      slope = val(k."slope"); icpt = val(k."intercept")
      set title sprintf("%s, %s test set\nr = %s (p = %s), rho = %s, n = %s", t, row == 1 ? "clean" : "perturbed", \
                        valstr(k."r"), valstr(k."p"), valstr(k."rho"), valstr(k."n")) font ",9"
      set xlabel "final lambda_max (loss units per weight^2)"
      set ylabel (ismse(t) ? sprintf("loss gap (test - train, %s)", lossunit(t)) : "error gap (train - test accuracy)")
      if (row == 1 && ti == 1) { set label 99 footer("runs.tsv, values.tsv (corr.*)") at screen sx(0.01), sy(0.012) font ",8" } else { unset label 99 }
      eval logpanel(nvalid(runs, "lambda_max", "group=main,task=".t), t." ".q)
      do for [ri=1:nrules] { eval logkey(nvalid(runs, "lambda_max", sprintf("group=main,task=%s,rule=%s", t, word(rules, ri))), word(rules, ri)) }
      if (nvalid(runs, "lambda_max", "group=main,task=".t) == 0) { eval nodata("no curvature measured") } else {
      plot for [ri=1:nrules] runs using (strcol("group") eq "main" && strcol("task") eq t && strcol("rule") eq word(rules, ri) ? column("lambda_max") : NaN):q \
             with points pt 7 ps 0.7 lc rgb rulecolor(word(rules, ri)) title (row == 1 && ti == 1 ? word(rules, ri) : ""), \
           (slope == slope ? icpt + slope * x : NaN) with lines lc rgb "#666666" dt 2 notitle
      }
    }
  }
  unset multiplot
  unset output
}
