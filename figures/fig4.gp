# fig4.gp - Figure 4: top Hessian eigenvalue over training, mean +- SEM over
# seeds per rule, with the gradient-descent stability bound 2/eta.
load "figures/common.gp"
traj = tables."/traj.tsv"
W = figw(380); H = 430
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(1, ntasks); eval logtasks
  eval layout(1, ntasks, 0.09, 0.98, 0.16, 0.78, 0.07, 0.1, "Curvature during training: top Hessian eigenvalue of the training loss (W_rec) per rule")
  # one legend for the figure, under its title
  set key at screen sx(0.5), sy(0.885) center vertical maxrows 1 font ",9" samplen 2
  do for [ti=1:ntasks] {
    t = word(tasks, ti)
    set title t
    set xlabel "iteration"
    set ylabel (ti == 1 ? "lambda_max, mean ± SEM (loss/weight^2)" : "")
    set logscale y
    if (ti == 1) { set label 99 footer("traj.tsv") at screen sx(0.01), sy(0.03) font ",8" } else { unset label 99 }
    eval logpanel(nvalid(traj, "lambda_mean", "task=".t), t)
    do for [ri=1:nrules] { eval logkey(nvalid(traj, "lambda_mean", sprintf("task=%s,rule=%s", t, word(rules, ri))), word(rules, ri)) }
    if (nvalid(traj, "lambda_mean", "task=".t) == 0) { eval nodata("no curvature measured") } else {
    plot for [ri=1:nrules] traj using (strcol("task") eq t && strcol("rule") eq word(rules, ri) ? column("iter") : NaN):\
           (column("lambda_mean") - column("lambda_sem")):(column("lambda_mean") + column("lambda_sem")) \
           with filledcurves lc rgb rulecolor(word(rules, ri)) notitle, \
         for [ri=1:nrules] traj using (strcol("task") eq t && strcol("rule") eq word(rules, ri) ? column("iter") : NaN):"lambda_mean" \
           with lines lw 2 lc rgb rulecolor(word(rules, ri)) title (ti == 1 ? word(rules, ri) : ""), \
         traj using (strcol("task") eq t ? column("iter") : NaN):"bound_gd" with lines dt 2 lc rgb "#000000" title (ti == 1 ? "2/eta" : "")
    }
  }
  unset logscale y
  unset multiplot
  unset output
}
