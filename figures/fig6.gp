# fig6.gp - Figure 6, the remedy: final lambda_max (left) and the
# generalization gap on the clean (middle) and the perturbed test set
# (right), each panel on its own axis, against the bio rule's learning-rate
# factor c, mean +- SEM; the late-boost schedule (base rate, boosted late) as
# an open square at c = 1. The gap is the error gap (train minus test
# accuracy) for a classification task, the loss gap for an MSE task.
load "figures/common.gp"
summ = tables."/summary.tsv"
rem = rules_in("remedy"); bst = rules_in("boost")
rtask = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"remedy\" { print $2; exit }' %s", summ))
mse = rtask ne "" && ismse(rtask)
W = 1350; H = 440
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(1, 3); eval plog("task ".word(tasks, 1))
  eval layout(1, 3, 0.06, 0.98, 0.16, 0.84, 0.07, 0.1, "Remedy: a larger effective learning rate for the bio rules (mean ± SEM over seeds; the runs of the sweep, not at matched training loss)")
  set key top right font ",8" samplen 2
  set logscale x 2
  set offsets graph 0.05, graph 0.05, graph 0.3, graph 0.05  # room for the key above the data
  set xlabel "learning-rate factor c (eta = c x the task's eta)"
  set title "curvature"
  set ylabel "final lambda_max (loss/weight^2)"
  set label 99 footer("summary.tsv (groups remedy, boost)") at screen sx(0.01), sy(0.02) font ",8"
  eval logpanel(nvalid(summ, "mean", "group=remedy,quantity=lambda_max"), "remedy curvature")
  if (nvalid(summ, "mean", "group=remedy,quantity=lambda_max") == 0) { unset logscale; eval nodata("no curvature in the remedy runs") } else {
  plot for [ri=1:words(rem)] rows(summ, sprintf("group=remedy,rule=%s,quantity=lambda_max", word(rem, ri))) using "x":"mean":(or0("sem")) \
         with yerrorlines pt 7 lc rgb rulecolor(word(rem, ri)) title word(rem, ri), \
       for [ri=1:words(bst)] rows(summ, sprintf("group=boost,rule=%s,quantity=lambda_max", word(bst, ri))) using (1):"mean":(or0("sem")) \
         with yerrorbars pt 4 ps 1.5 lc rgb rulecolor(word(bst, ri)) title word(bst, ri)." late boost"
  }
  unset label 99
  do for [set=1:2] {
    q = (mse ? "gap_loss" : "gap_acc"); if (set == 2) { q = "p".q }
    set title sprintf("%s gap, %s test set", mse ? "loss" : "error", set == 1 ? "clean" : "perturbed")
    set ylabel (mse ? sprintf("test - train loss (%s)", lossunit(rtask)) : "train - test accuracy")
    eval logpanel(nvalid(summ, "mean", "group=remedy,quantity=".q), "remedy ".q)
    if (nvalid(summ, "mean", "group=remedy,quantity=".q) == 0) { unset logscale; eval nodata("no remedy runs") } else {
    plot for [ri=1:words(rem)] rows(summ, sprintf("group=remedy,rule=%s,quantity=%s", word(rem, ri), q)) using "x":"mean":(or0("sem")) \
           with yerrorlines pt 7 lc rgb rulecolor(word(rem, ri)) title word(rem, ri), \
         for [ri=1:words(bst)] rows(summ, sprintf("group=boost,rule=%s,quantity=%s", word(bst, ri), q)) using (1):"mean":(or0("sem")) \
           with yerrorbars pt 4 ps 1.5 lc rgb rulecolor(word(bst, ri)) title word(bst, ri)." late boost", \
         0 with lines lc rgb "#888888" dt 3 notitle
    }
    set logscale x 2
  }
  unset logscale
  unset offsets
  unset multiplot
  unset output
}
