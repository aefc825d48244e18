# fig7.gp - Figure 7, the theorem along training: top, rho(t) = eta
# lambda_max(t) gamma(t) / 2 per rule (mean +- SEM over seeds; for BPTT,
# gamma = 1 and rho is eta lambda_max / 2), with gradient descent's edge
# (1, dashed) and the band of claim 5b (grey, dotted); bottom, the rule's own edge
# eta Re(mu_max(J)) / 2 where the update Jacobian was measured (curvature.tsv
# rule_edge). A row without data is left out and the note under the title
# says so; a rule without curvature gets no line and is named there too.
load "figures/common.gp"
rho = tables."/rho.tsv"
blo = val("claims.band_lo"); bhi = val("claims.band_hi")
rr = have(rho, "rho_mean", "")
hasedge = nvalid(rho, "edge_mean", "") > 0
rowlist = hasedge ? "rho edge" : "rho"
nrows = words(rowlist)
fignote = ""
do for [ti=1:ntasks] { t = word(tasks, ti); fignote = joinnote(fignote, absent("main", t, have(rho, "rho_mean", "task=".t), "no curvature")) }
if (!hasedge) { fignote = joinnote(fignote, "the rule's own edge was not measured (no rule_edge column)") }
W = figw(380); H = 300 * nrows + 140
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(nrows, ntasks); eval logtasks
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval layout(nrows, ntasks, 95.0 / W, 0.95, 75.0 / H, 1 - (120.0 + notex) / H, 80.0 / W, 95.0 / H, \
      "The theorem along training: does each rule settle at its own edge? (mean ± SEM over seeds)")
  set key at screen sx(0.5), sy(1 - (58.0 + notex) / H) center vertical maxrows 2 font ",9" samplen 2 width 1
  eval footerat("rho.tsv, values.tsv (claims.band_*)", 12)
  set logscale y
  set autoscale yfix
  set format y "%g"
  set offsets 0, 0, graph 0.05, graph 0.05
  do for [row=1:nrows] {
    c = word(rowlist, row)
    do for [ti=1:ntasks] {
      t = word(tasks, ti)
      n = nvalid(rho, c."_mean", "task=".t)
      if (n == 0) { set multiplot next } else {
      eval logpanel(n, t." ".c)
      do for [ri=1:words(rr)] { eval logkey(nvalid(rho, c."_mean", sprintf("task=%s,rule=%s", t, word(rr, ri))), word(rr, ri)) }
      set title sprintf("%s: %s", t, c eq "rho" ? "rho = eta lambda_max gamma / 2" : "the rule's own edge, eta Re(mu_max) / 2")
      set xlabel "iteration"
      set ylabel (ti == 1 ? (c eq "rho" ? "rho (log scale; 1: gradient descent's edge)" : "eta Re(mu_max) / 2 (log scale)") : "")
      first = row == 1 && ti == 1
      plot blo with lines dt 3 lw 1.5 lc rgb "#888888" title (first ? "band of claim 5b" : ""), \
           bhi with lines dt 3 lw 1.5 lc rgb "#888888" notitle, \
           for [ri=1:words(rr)] rho using (strcol("task") eq t && strcol("rule") eq word(rr, ri) ? column("iter") : NaN):\
             (strcol("task") eq t ? column(c."_mean") - or0(c."_sem") : NaN):(strcol("task") eq t ? column(c."_mean") + or0(c."_sem") : NaN) with filledcurves lc rgb rulecolor(word(rr, ri)) notitle, \
           for [ri=1:words(rr)] rho using (strcol("task") eq t && strcol("rule") eq word(rr, ri) ? column("iter") : NaN):(strcol("task") eq t ? column(c."_mean") : NaN) \
             with linespoints lw 2 pt 7 ps 0.5 lc rgb rulecolor(word(rr, ri)) title (first ? word(rr, ri) : ""), \
           1 with lines dt 2 lc rgb "#000000" title (first ? "edge (1)" : "")
      eval clearfig
      }
    }
  }
  unset multiplot
  unset output
}
fignote = rawnote
eval writecaption(sprintf("The theorem along training, mean ± SEM over seeds (log scale). %s: rho = eta lambda_max gamma / 2 per rule (for BPTT, gamma = 1: its eta lambda_max / 2), with gradient descent's edge (1, dashed) and the band of rows 5b (dotted).%s%s", \
    hasedge ? "Top" : (ntasks > 1 ? "The panels" : "The panel"), \
    hasedge ? " Bottom: the rule's own edge eta Re(mu_max(J)) / 2 of its update Jacobian." : "", \
    fignote eq "" ? "" : " Not shown: ".fignote."."))
