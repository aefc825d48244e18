# fig8.gp - Figure 8, the generalization gap at equal training loss: along
# training (thin lines: the mean evaluation rows of curves.tsv, gap of the
# means) and at the common training-loss levels of gapfit.tsv (points: mean
# +- SEM over seeds of each run's gap interpolated at the level; figures/
# gapfit.c). Top the clean test set, bottom the perturbed one. Error gap
# (train minus test accuracy) for a classification task, loss gap (test
# minus train loss) for an MSE task. Training loss falls along training, so
# the x axis runs from high to low loss.
load "figures/common.gp"
curves = tables."/curves.tsv"
fit = tables."/gapfit.tsv"
W = figw(380); H = 700
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(2, ntasks); eval logtasks
  eval layout(2, ntasks, 0.12, 0.98, 0.1, 0.86, 0.08, 0.13, "Gap at equal training loss (points: mean ± SEM over seeds at shared levels; lines: along training)")
  set key at screen sx(0.5), sy(0.925) center vertical maxrows 1 font ",9" samplen 2
  set logscale x
  set format x "%g"
  set xrange [*:*] reverse
  keyed = 0  # the key goes with the first panel that has data
  do for [row=1:2] {
    do for [ti=1:ntasks] {
      t = word(tasks, ti)
      mse = ismse(t)
      set title sprintf("%s: %s test set", t, row == 1 ? "clean" : "perturbed")
      set xlabel sprintf("training loss (%s)", mse ? "MSE" : "nats")
      set ylabel (mse ? "test - train loss" : "train - test accuracy")
      if (row == 1 && ti == 1) { set label 99 footer("gapfit.tsv, curves.tsv") at screen sx(0.01), sy(0.015) font ",8" } else { unset label 99 }
      tl = row == 1 ? "test_loss" : "ptest_loss"; ta = row == 1 ? "test_acc" : "ptest_acc"
      gm = row == 1 ? "gap_mean" : "pgap_mean"; gs = row == 1 ? "gap_sem" : "pgap_sem"
      eval logpanel(nvalid(fit, gm, "task=".t), t." ".gm)
      do for [ri=1:nrules] { eval logkey(nvalid(fit, gm, sprintf("task=%s,rule=%s", t, word(rules, ri))), word(rules, ri)) }
      if (nvalid(fit, gm, "task=".t) == 0) { unset logscale x; eval nodata("the rules share no range of training losses"); set logscale x } else {
      plot for [ri=1:nrules] curves using (strcol("task") eq t && strcol("rule") eq word(rules, ri) && column("iter") > 0 ? column("train_loss") : NaN):\
             (mse ? column(tl) - column("train_loss") : column("train_acc") - column(ta)) \
             with lines lw 1 lc rgb rulecolor(word(rules, ri)) notitle, \
           for [ri=1:nrules] fit using (strcol("task") eq t && strcol("rule") eq word(rules, ri) ? column("level") : NaN):(column(gm)):(or0(gs)) \
             with yerrorlines lw 2 pt 7 ps 0.8 lc rgb rulecolor(word(rules, ri)) title (keyed ? "" : word(rules, ri)), \
           0 with lines dt 3 lc rgb "#888888" notitle
      keyed = 1
      }
    }
  }
  unset multiplot
  unset output
}
