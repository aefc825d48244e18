# fig5.gp - Figure 5, the theorem. The learning-rate sweep: final
# lambda_max against the learning rate eta (log-log), per rule the geometric
# mean over seeds with bars exp(mean -+ SEM of ln lambda_max) (the tests use
# ln lambda_max: summary.tsv's log_lambda_max rows, exponentiated), with the
# bound 2/eta (dashed) and each rule's measured 2/(eta gamma), its geometric
# mean 2 exp(mean ln(1/(eta gamma))) (open symbols, dotted). The truncated-BPTT sweep (when the profile has one):
# final lambda_max against the truncation K, with 2/eta at the sweep's
# learning rate (lambda_max log-scaled in both). A sweep the profile does not
# have gets no panel; the note under the title says so.
load "figures/common.gp"
summ = tables."/summary.tsv"
# a log row's geometric mean (k = 0) and its SEM bar's ends (k = -1, 1): exp(mean + k SEM)
geo(k) = exp(column("mean") + k * or0("sem"))
lrr = rules_in("lr")
ref = valstr("claims.reference")  # the profile's reference rule: its gamma is 1, no 2/(eta gamma) of its own
hlr = nvalid(summ, "mean", "group=lr,quantity=log_lambda_max") > 0
hk = nvalid(summ, "mean", "group=tbptt,quantity=log_lambda_max") > 0
np = hlr + hk
fignote = joinnote(hlr ? "" : "no learning-rate sweep with curvature in this profile", hk ? "" : "no truncated-BPTT sweep in this profile")
lrtask = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"lr\" { print $2; exit }' %s", summ))
ktask = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"tbptt\" { print $2; exit }' %s", summ))
W = np == 2 ? 1000 : 700; H = 460
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(1, np)
if (hlr) { eval plog("task ".lrtask) }
if (hk && ktask ne lrtask) { eval plog("task ".ktask) }
if (np == 0) { eval plog("note ".fignote) }
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval layout(1, (np > 0 ? np : 1), 95.0 / W, 0.97, 75.0 / H, 1 - (85.0 + notex) / H, 110.0 / W, 0.1, \
      "Theorem: where each rule settles (final top Hessian eigenvalue, geometric mean over seeds)")
  set key top right font ",8" samplen 2
  set logscale xy
  set format y "%g"
  set autoscale yfix
  set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
  eval footerat(sprintf("summary.tsv (groups %s)", hlr && hk ? "lr, tbptt" : hlr ? "lr" : "tbptt"), 12)
  if (hlr) {
  set title sprintf("%s: learning-rate sweep", lrtask)
  set xlabel "learning rate eta (log scale)"
  set ylabel "final lambda_max (log scale; loss per weight^2)"
  # the x-range of the sweep itself (a factor 1.5 of room each side), not gnuplot's decades
  xr = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"lr\" && $4 + 0 > 0 { x = $4 + 0; if (!n++ || x < lo) lo = x; if (x > hi) hi = x } END { if (n) printf \"%%g %%g\", lo, hi }' %s", summ))
  if (words(xr) == 2) { set xrange [real(word(xr, 1)) / 1.5 : real(word(xr, 2)) * 1.5] }
  # a tic at every learning rate of the sweep
  xt = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"lr\" && $4 + 0 > 0 && !s[$4]++ { printf \"%%s\\\"%%s\\\" %%s\", n++ ? \", \" : \"\", $4, $4 }' %s", summ))
  if (xt ne "") { eval "set xtics (".xt.")" }
  eval logpanel(nvalid(summ, "mean", "group=lr,quantity=log_lambda_max"), "lr sweep")
  do for [ri=1:words(lrr)] { eval logkey(nvalid(summ, "mean", sprintf("group=lr,rule=%s,quantity=log_lambda_max", word(lrr, ri))), word(lrr, ri)) }
  plot for [ri=1:words(lrr)] rows(summ, sprintf("group=lr,rule=%s,quantity=log_lambda_max", word(lrr, ri))) using "x":(geo(0)):(geo(-1)):(geo(1)) \
         with yerrorlines pt 7 lc rgb rulecolor(word(lrr, ri)) title word(lrr, ri), \
       for [ri=1:words(lrr)] rows(summ, sprintf("group=lr,rule=%s,quantity=log_inv_eta_gamma", word(lrr, ri))) using "x":(word(lrr, ri) eq ref ? NaN : 2 * geo(0)) \
         with linespoints pt 6 ps 1.2 dt 3 lc rgb rulecolor(word(lrr, ri)) title (word(lrr, ri) eq ref ? "" : word(lrr, ri)." 2/(eta gamma)"), \
       2 / x with lines dt 2 lc rgb "#000000" title "2/eta"
  eval clearfig
  }
  if (hk) {
  set autoscale x
  set xtics autofreq
  set logscale x 2  # lambda_max stays log-scaled: 2/eta and the sweep differ by decades
  set title sprintf("%s: truncated BPTT (K = T: BPTT)", ktask)
  set xlabel "truncation K (steps, log scale)"
  set ylabel "final lambda_max (log scale; loss per weight^2)"
  eval logpanel(nvalid(summ, "mean", "group=tbptt,quantity=log_lambda_max"), "tbptt sweep")
  plot rows(summ, "group=tbptt,quantity=log_lambda_max") using "x":(geo(0)):(geo(-1)):(geo(1)) with yerrorlines pt 7 lc rgb rulecolor("tbptt") title "tbptt", \
       rows(summ, "group=tbptt,quantity=bound_gd") using "x":"mean" with lines dt 2 lc rgb "#000000" title "2/eta"
  eval clearfig
  }
  if (np == 0) { unset border; unset tics; unset xlabel; unset ylabel; unset title; unset logscale; plot [0:1][0:1] NaN notitle }
  unset logscale
  unset offsets
  unset multiplot
  unset output
}
fignote = rawnote
eval writecaption(sprintf("%s%s%s", \
    hlr ? sprintf("%s: final lambda_max against the learning rate (log-log; per rule the geometric mean over seeds, bars exp(mean ± SEM of ln lambda_max), the scale the tests use), with 2/eta (dashed) and each bio rule's measured 2/(eta gamma), its geometric mean over seeds (open symbols, dotted).", hk ? "Left" : "The learning-rate sweep") : "", \
    hk ? sprintf("%sruncated BPTT: final lambda_max (geometric mean over seeds) against the truncation K (K = T is BPTT), with 2/eta at the sweep's rate.", hlr ? " Right: t" : "T") : "", \
    fignote eq "" ? "" : " This profile has ".(hk ? "no learning-rate sweep with curvature" : hlr ? "no truncated-BPTT sweep, so the figure has no panel for it" : "neither sweep").", as the note under the title says."))
