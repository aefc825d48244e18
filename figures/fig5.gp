# fig5.gp - Figure 5, the theorem. Left: final lambda_max against the
# learning rate eta (log-log), mean +- SEM per rule, with the bound 2/eta
# (line) and each rule's measured 2/(eta gamma) (open symbols). Right: the
# truncated-BPTT sweep, final lambda_max against the truncation K.
load "figures/common.gp"
summ = tables."/summary.tsv"
sel(g, r, q) = strcol("group") eq g && (r eq "" || strcol("rule") eq r) && strcol("quantity") eq q
do for [fmt in "png svg"] {
  if (fmt eq "png") { set terminal pngcairo size 900, 400 font ",10" } else { set terminal svg size 900, 400 font ",10" }
  set output out.".".fmt
  set multiplot layout 1, 2 margins 0.08, 0.98, 0.2, 0.88 spacing 0.1, 0.1 title "Theorem: where each rule can settle"
  set key top right font ",8" samplen 1
  set logscale xy
  set title "learning-rate sweep"
  set xlabel "learning rate eta"
  set ylabel "final lambda_max"
  set label 99 footer("summary.tsv (groups lr, tbptt)") at screen 0.01, 0.03 font ",8"
  if (nvalid(summ, "mean", "group=lr,quantity=lambda_max") == 0) { unset logscale; eval nodata("no curvature in the lr sweep") } else {
  plot for [ri=1:nrules] summ using (sel("lr", word(rules, ri), "lambda_max") ? column("x") : NaN):"mean":(or0("sem")) \
         with yerrorlines pt 7 lc rgb rulecolor(word(rules, ri)) title word(rules, ri), \
       for [ri=1:nrules] summ using (sel("lr", word(rules, ri), "bound_rule") && word(rules, ri) ne "bptt" ? column("x") : NaN):"mean" \
         with points pt 6 ps 1.2 lc rgb rulecolor(word(rules, ri)) notitle, \
       2 / x with lines dt 2 lc rgb "#000000" title "2/eta (open: 2/(eta gamma))"
  }
  unset label 99
  unset logscale y; set logscale x 2
  set title "truncated BPTT"
  set xlabel "truncation K (steps)"
  if (nvalid(summ, "mean", "group=tbptt,quantity=lambda_max") == 0) { unset logscale; eval nodata("no tbptt sweep with curvature") } else {
  plot summ using (sel("tbptt", "", "lambda_max") ? column("x") : NaN):"mean":(or0("sem")) with yerrorlines pt 7 lc rgb rulecolor("tbptt") title "tbptt"
  }
  unset logscale
  unset multiplot
  unset output
}
