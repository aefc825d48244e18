# fig6.gp - Figure 6, the remedy: final lambda_max (left) and the gap
# (right; solid clean, dashed perturbed) against the bio rule's learning-rate
# factor c, mean +- SEM; the late-boost schedule (base rate, boosted late)
# as an open square at c = 1.
load "figures/common.gp"
summ = tables."/summary.tsv"
lrr = rules_in("lr"); rem = rules_in("remedy"); bst = rules_in("boost")
do for [fmt in "png svg"] {
  if (fmt eq "png") { set terminal pngcairo noenhanced size 1000, 440 font ",10" } else { set terminal svg noenhanced size 1000, 440 font ",10" }
  set output out.".".fmt
  set multiplot layout 1, 2 margins 0.08, 0.98, 0.16, 0.84 spacing 0.1, 0.1 title "Remedy: a larger effective learning rate for the bio rules (mean ± SEM over seeds)"
  set key top right font ",8" samplen 2
  set logscale x 2
  set offsets graph 0.05, graph 0.05, graph 0.45, 0  # room for the key above the data
  set xlabel "learning-rate factor c (eta = c x the task's eta)"
  set title "curvature"
  set ylabel "final lambda_max (loss/weight^2)"
  set label 99 footer("summary.tsv (groups remedy, boost)") at screen 0.01, 0.02 font ",8"
  if (nvalid(summ, "mean", "group=remedy,quantity=lambda_max") == 0) { unset logscale; eval nodata("no curvature in the remedy runs") } else {
  plot for [ri=1:words(rem)] rows(summ, sprintf("group=remedy,rule=%s,quantity=lambda_max", word(rem, ri))) using "x":"mean":(or0("sem")) \
         with yerrorlines pt 7 lc rgb rulecolor(word(rem, ri)) title word(rem, ri), \
       for [ri=1:words(bst)] rows(summ, sprintf("group=boost,rule=%s,quantity=lambda_max", word(bst, ri))) using (1):"mean":(or0("sem")) \
         with yerrorbars pt 4 ps 1.5 lc rgb rulecolor(word(bst, ri)) title word(bst, ri)." late boost"
  }
  unset label 99
  set title "generalization gap (test - train loss)"
  rtask = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"remedy\" { print $2; exit }' %s", summ))
  set ylabel (rtask eq "" ? "gap" : sprintf("gap (%s)", lossunit(rtask)))
  if (nvalid(summ, "mean", "group=remedy,quantity=gap_loss") == 0) { unset logscale; eval nodata("no remedy runs") } else {
  plot for [ri=1:words(rem)] rows(summ, sprintf("group=remedy,rule=%s,quantity=gap_loss", word(rem, ri))) using "x":"mean":(or0("sem")) \
         with yerrorlines pt 7 lc rgb rulecolor(word(rem, ri)) title word(rem, ri)." clean", \
       for [ri=1:words(rem)] rows(summ, sprintf("group=remedy,rule=%s,quantity=pgap_loss", word(rem, ri))) using "x":"mean":(or0("sem")) \
         with yerrorlines pt 5 dt 2 lc rgb rulecolor(word(rem, ri)) title word(rem, ri)." perturbed", \
       for [ri=1:words(bst)] rows(summ, sprintf("group=boost,rule=%s,quantity=gap_loss", word(bst, ri))) using (1):"mean":(or0("sem")) \
         with yerrorbars pt 4 ps 1.5 lc rgb rulecolor(word(bst, ri)) title word(bst, ri)." late boost (clean)"
  }
  unset logscale
  unset offsets
  unset multiplot
  unset output
}
