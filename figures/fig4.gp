# fig4.gp - Figure 4: top Hessian eigenvalue (W_rec) over training per
# rule on a log axis: the geometric mean over the seeds that did not diverge
# (the tests use ln lambda_max), band exp(mean -+ SEM of ln lambda_max)
# (both computed by credit-stats into traj.tsv), with the gradient-descent
# stability bound 2/eta. A run whose final training loss jumped
# (figures/spikes.awk) is named where it moves its rule's last point.
load "figures/common.gp"
traj = tables."/traj.tsv"; runs = tables."/runs.tsv"
geo(t, r) = rows(traj, sprintf("task=%s,rule=%s", t, r))
lastgeo(t, r) = system(sprintf("awk -f figures/select.awk -v where='task=%s,rule=%s' %s | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { l = $(c[\"iter\"]) \" \" $(c[\"lambda_geo\"]) } END { print l }'", t, r, traj))
fignote = ""
do for [ti=1:ntasks] { t = word(tasks, ti); fignote = joinnote(fignote, absent("main", t, have(traj, "lambda_mean", "task=".t), "no curvature")) }
rr = have(traj, "lambda_mean", "")
nsp = int(system(sprintf("awk -f figures/spikes.awk %s | awk 'END { print NR - 1 }'", runs)))
W = figw(380); H = 470
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(1, ntasks); eval logtasks
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval layout(1, ntasks, 95.0 / W, 0.95, 75.0 / H, 1 - (110.0 + notex) / H, 80.0 / W, 0.1, \
      "Curvature during training: top Hessian eigenvalue of the training loss (W_rec), geometric mean over seeds")
  set key at screen sx(0.5), sy(1 - (55.0 + notex) / H) center vertical maxrows 1 font ",9" samplen 2
  eval footerat("traj.tsv, runs.tsv", 12)
  set logscale y
  set autoscale xfix
  set autoscale yfix
  eval tics125("y")
  set mytics 10
  set format y "%g"
  # room left and right: iteration 0 (the initialization, the band's widest
  # point) and the last evaluation would otherwise lie on the frame
  set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
  do for [ti=1:ntasks] {
    t = word(tasks, ti)
    n = nvalid(traj, "lambda_mean", "task=".t)
    if (n == 0) { set multiplot next } else {
    eval logpanel(n, t)
    do for [ri=1:words(rr)] { eval logkey(nvalid(traj, "lambda_mean", sprintf("task=%s,rule=%s", t, word(rr, ri))), word(rr, ri)) }
    set title t
    set xlabel "iteration"
    set ylabel (ti == 1 ? "lambda_max (log scale; loss per weight^2)" : "")
    # where a spike moves a rule's last point: a note at that point
    unset label 1
    sp = system(sprintf("awk -f figures/spikes.awk %s | awk -F'\t' '$1 == \"%s\" { printf \"%%s %%s %%s \", $2, $3, $6 }'", runs, t))
    if (words(sp) >= 3) { lg = lastgeo(t, word(sp, 1)); \
      set label 1 sprintf("%s seed %s: final loss spike", word(sp, 1), word(sp, 2)) at real(word(lg, 1)), real(word(lg, 2)) right offset -1.2, 1.2 point pt 6 ps 2 lw 1.5 lc rgb "#d00000" font ",8" tc rgb "#d00000" front }
    plot for [ri=1:words(rr)] geo(t, word(rr, ri)) using "iter":"lambda_geo_lo":"lambda_geo_hi" with filledcurves lc rgb rulecolor(word(rr, ri)) notitle, \
         for [ri=1:words(rr)] geo(t, word(rr, ri)) using "iter":"lambda_geo" with lines lw 2 lc rgb rulecolor(word(rr, ri)) title (ti == 1 ? word(rr, ri) : ""), \
         traj using (strcol("task") eq t ? column("iter") : NaN):"bound_gd" with lines dt 2 lc rgb "#000000" title (ti == 1 ? "2/eta" : "")
    unset label 1
    eval clearfig
    }
  }
  unset multiplot
  unset output
}
fignote = rawnote
eval writecaption(sprintf("lambda_max (W_rec) over training on a log axis: the geometric mean over the seeds that did not diverge, band exp(mean +- SEM of ln lambda_max); dashed: the gradient-descent bound 2/eta.%s%s", \
    nsp > 0 ? sprintf(" Named at its rule's last point, which it moves: a run whose final training loss is more than three times its rule's median, %s.", spikewords) : "", \
    fignote eq "" ? "" : " Not shown: ".fignote."."))
