# fig5.gp - Figure 5, the theorem. Left: final lambda_max against the
# learning rate eta (log-log), mean +- SEM per rule, with the bound 2/eta
# (dashed) and each rule's measured 2/(eta gamma) (open symbols, dotted).
# Right: the truncated-BPTT sweep, final lambda_max against the truncation
# K, with 2/eta at the sweep's learning rate (both panels log-scaled in
# lambda_max; the left panel spans the sweep's learning rates).
load "figures/common.gp"
summ = tables."/summary.tsv"
lrr = rules_in("lr")
ref = valstr("claims.reference")  # the profile's reference rule: its gamma is 1, no 2/(eta gamma) of its own
W = 1000; H = 440
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(1, 2); eval plog("task ".word(tasks, 1))
  eval layout(1, 2, 0.08, 0.98, 0.16, 0.84, 0.1, 0.1, "Theorem: where each rule can settle (final top Hessian eigenvalue, mean ± SEM over seeds)")
  set key top right font ",8" samplen 2
  set logscale xy
  set offsets graph 0.05, graph 0.05, 0, 0
  set title "learning-rate sweep"
  set xlabel "learning rate eta"
  set ylabel "final lambda_max (loss/weight^2)"
  set label 99 footer("summary.tsv (groups lr, tbptt)") at screen sx(0.01), sy(0.02) font ",8"
  # the x-range of the sweep itself (a factor 1.5 of room each side), not gnuplot's decades
  xr = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"lr\" && $4 + 0 > 0 { x = $4 + 0; if (!n++ || x < lo) lo = x; if (x > hi) hi = x } END { if (n) printf \"%%g %%g\", lo, hi }' %s", summ))
  if (words(xr) == 2) { set xrange [real(word(xr, 1)) / 1.5 : real(word(xr, 2)) * 1.5] }
  # a tic at every learning rate of the sweep
  xt = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"lr\" && $4 + 0 > 0 && !s[$4]++ { printf \"%%s\\\"%%s\\\" %%s\", n++ ? \", \" : \"\", $4, $4 }' %s", summ))
  if (xt ne "") { eval "set xtics (".xt.")" }
  eval logpanel(nvalid(summ, "mean", "group=lr,quantity=lambda_max"), "lr sweep")
  if (nvalid(summ, "mean", "group=lr,quantity=lambda_max") == 0) { unset logscale; eval nodata("no curvature in the lr sweep") } else {
  plot for [ri=1:words(lrr)] rows(summ, sprintf("group=lr,rule=%s,quantity=lambda_max", word(lrr, ri))) using "x":"mean":(or0("sem")) \
         with yerrorlines pt 7 lc rgb rulecolor(word(lrr, ri)) title word(lrr, ri), \
       for [ri=1:words(lrr)] rows(summ, sprintf("group=lr,rule=%s,quantity=bound_rule", word(lrr, ri))) using "x":(word(lrr, ri) eq ref ? NaN : column("mean")) \
         with linespoints pt 6 ps 1.2 dt 3 lc rgb rulecolor(word(lrr, ri)) title (word(lrr, ri) eq ref ? "" : word(lrr, ri)." 2/(eta gamma)"), \
       2 / x with lines dt 2 lc rgb "#000000" title "2/eta"
  }
  unset label 99
  set autoscale x
  set xtics autofreq
  set logscale x 2  # lambda_max stays log-scaled: 2/eta and the sweep differ by decades
  set title "truncated BPTT (K = T: BPTT)"
  set xlabel "truncation K (steps)"
  eval logpanel(nvalid(summ, "mean", "group=tbptt,quantity=lambda_max"), "tbptt sweep")
  if (nvalid(summ, "mean", "group=tbptt,quantity=lambda_max") == 0) { unset logscale; eval nodata("no tbptt sweep with curvature") } else {
  plot rows(summ, "group=tbptt,quantity=lambda_max") using "x":"mean":(or0("sem")) with yerrorlines pt 7 lc rgb rulecolor("tbptt") title "tbptt", \
       rows(summ, "group=tbptt,quantity=bound_gd") using "x":"mean" with lines dt 2 lc rgb "#000000" title "2/eta"
  }
  unset logscale
  unset offsets
  unset multiplot
  unset output
}
