# fig6.gp - Figure 6, the remedy: final lambda_max (left) and the gap
# (right; solid clean, dashed perturbed) against the bio rule's learning-rate
# factor c, mean +- SEM; the late-boost schedule (base rate, boosted late)
# as an open square at c = 1.
load "figures/common.gp"
summ = tables."/summary.tsv"
sel(g, r, q) = strcol("group") eq g && strcol("rule") eq r && strcol("quantity") eq q
do for [fmt in "png svg"] {
  if (fmt eq "png") { set terminal pngcairo size 900, 400 font ",10" } else { set terminal svg size 900, 400 font ",10" }
  set output out.".".fmt
  set multiplot layout 1, 2 margins 0.08, 0.98, 0.2, 0.88 spacing 0.1, 0.1 title "Remedy: a larger effective learning rate"
  set key top right font ",8" samplen 1
  set logscale x 2
  set xlabel "learning-rate factor c"
  set title "curvature"
  set ylabel "final lambda_max"
  set label 99 footer("summary.tsv (groups remedy, boost)") at screen 0.01, 0.03 font ",8"
  if (nvalid(summ, "mean", "group=remedy,quantity=lambda_max") == 0) { unset logscale; eval nodata("no curvature in the remedy runs") } else {
  plot for [ri=1:nrules] summ using (sel("remedy", word(rules, ri), "lambda_max") ? column("x") : NaN):"mean":(or0("sem")) \
         with yerrorlines pt 7 lc rgb rulecolor(word(rules, ri)) title word(rules, ri), \
       for [ri=1:nrules] summ using (sel("boost", word(rules, ri), "lambda_max") ? 1 : NaN):"mean" \
         with points pt 4 ps 1.5 lc rgb rulecolor(word(rules, ri)) title (word(rules, ri)." boost")
  }
  unset label 99
  set logscale x 2
  set title "generalization gap"
  set ylabel "gap (test - train loss)"
  if (nvalid(summ, "mean", "group=remedy,quantity=gap_loss") == 0) { unset logscale; eval nodata("no remedy runs") } else {
  plot for [ri=1:nrules] summ using (sel("remedy", word(rules, ri), "gap_loss") ? column("x") : NaN):"mean":(or0("sem")) \
         with yerrorlines pt 7 lc rgb rulecolor(word(rules, ri)) title word(rules, ri)." clean", \
       for [ri=1:nrules] summ using (sel("remedy", word(rules, ri), "pgap_loss") ? column("x") : NaN):"mean":(or0("sem")) \
         with yerrorlines pt 5 dt 2 lc rgb rulecolor(word(rules, ri)) title word(rules, ri)." perturbed", \
       for [ri=1:nrules] summ using (sel("boost", word(rules, ri), "gap_loss") ? 1 : NaN):"mean" \
         with points pt 4 ps 1.5 lc rgb rulecolor(word(rules, ri)) title (word(rules, ri)." boost")
  }
  unset logscale
  unset multiplot
  unset output
}
