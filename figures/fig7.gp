# fig7.gp - Figure 7, the theorem along training: top, rho(t) = eta
# lambda_max(t) gamma(t) / 2 per rule (mean +- SEM over seeds; for BPTT,
# gamma = 1 and rho is eta lambda_max / 2), with gradient descent's edge
# (1, dashed) and the band of claim 5b (grey, dotted); bottom, the rule's own edge
# eta Re(mu_max(J)) / 2 where the update Jacobian was measured (curvature.tsv
# rule_edge), else a note.
load "figures/common.gp"
rho = tables."/rho.tsv"
blo = val("claims.band_lo"); bhi = val("claims.band_hi")
W = figw(380); H = 700
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(2, ntasks); eval logtasks
  eval layout(2, ntasks, 0.09, 0.98, 0.1, 0.86, 0.07, 0.13, "The theorem along training: does each rule settle at its own edge? (mean ± SEM over seeds)")
  set key at screen sx(0.5), sy(0.925) center vertical maxrows 1 font ",9" samplen 2
  set logscale y
  set format y "%g"
  do for [row=1:2] {
    c = row == 1 ? "rho" : "edge"
    do for [ti=1:ntasks] {
      t = word(tasks, ti)
      set title sprintf("%s: %s", t, row == 1 ? "rho = eta lambda_max gamma / 2" : "rule's own edge eta Re(mu) / 2")
      set xlabel "iteration"
      set ylabel (ti == 1 ? (row == 1 ? "rho (1: gradient descent's edge)" : "eta Re(mu_max) / 2") : "")
      if (row == 1 && ti == 1) { set label 99 footer("rho.tsv, values.tsv (claims.band_*)") at screen sx(0.01), sy(0.015) font ",8" } else { unset label 99 }
      eval logpanel(nvalid(rho, c."_mean", "task=".t), t." ".c)
      do for [ri=1:nrules] { eval logkey(nvalid(rho, c."_mean", sprintf("task=%s,rule=%s", t, word(rules, ri))), word(rules, ri)) }
      if (nvalid(rho, c."_mean", "task=".t) == 0) { unset logscale y; eval nodata(row == 1 ? "no curvature measured" : "not measured (no rule_edge column)"); set logscale y } else {
      plot blo with lines dt 3 lw 1.5 lc rgb "#888888" title (row == 1 && ti == 1 ? "band of claim 5b" : ""), \
           bhi with lines dt 3 lw 1.5 lc rgb "#888888" notitle, \
           for [ri=1:nrules] rho using (strcol("task") eq t && strcol("rule") eq word(rules, ri) ? column("iter") : NaN):\
             (column(c."_mean") - or0(c."_sem")):(column(c."_mean") + or0(c."_sem")) with filledcurves lc rgb rulecolor(word(rules, ri)) notitle, \
           for [ri=1:nrules] rho using (strcol("task") eq t && strcol("rule") eq word(rules, ri) ? column("iter") : NaN):(column(c."_mean")) \
             with linespoints lw 2 pt 7 ps 0.5 lc rgb rulecolor(word(rules, ri)) title (row == 1 && ti == 1 ? word(rules, ri) : ""), \
           1 with lines dt 2 lc rgb "#000000" title (row == 1 && ti == 1 ? "edge (1)" : "")
      }
    }
  }
  unset logscale y
  set format y
  unset multiplot
  unset output
}
