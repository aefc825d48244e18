# report.gp - the rule report's figure (make rule-report, mk/report.mk): for
# the first task, per rule over training, the mean over the runs that did
# not diverge of (a) lambda_max (geometric, log axis; traj.tsv) with the
# gradient-descent bound 2/eta; (b) rho = eta lambda_max gamma / 2 (solid)
# and the rule's own edge eta Re(mu_max) / 2 (dotted; rho.tsv), 1 = at the
# edge; (c) the cosine with the true gradient (each run's curvature.tsv,
# figures/trajmean.awk); (d) training (solid) and test (dashed) accuracy
# (curves.tsv). The reported rule is drawn thicker. PNG only: one figure
# beside report.md. Passed: tables, out, tasks, rules, rule, script.
load "figures/common.gp"
t = word(tasks, 1)
traj = tables."/traj.tsv"; rho = tables."/rho.tsv"; curves = tables."/curves.tsv"; runs = tables."/runs.tsv"
cosrows(r) = sprintf("< awk -f figures/trajmean.awk -v t='%s' -v r='%s' -v col=cosine %s", t, r, runs)
rl = have(traj, "lambda_mean", "task=".t)
rr = have(rho, "rho_mean", "task=".t)
re = have(rho, "edge_mean", "task=".t)
ra = have(curves, "train_acc", "task=".t)
rc = system("for r in ".rules."; do [ $(awk -f figures/trajmean.awk -v t='".t."' -v r=$r -v col=cosine ".runs." | wc -l) -gt 1 ] && printf '%s ' $r; done; true")
lw(r) = r eq rule ? 3.5 : 1.5
fignote = absent("main", t, rl, "no curvature")
W = 1000; H = 760
set terminal pngcairo noenhanced size W, H font ",10"
set output out.".png"
set multiplot layout 2, 2 margins 0.08, 0.97, 0.08, 0.88 spacing 0.09, 0.12 title sprintf("Rule report: %s on %s beside the reference rules (mean over the runs that did not diverge)%s", rule, t, fignote eq "" ? "" : "\n".fignote)
set key top right font ",9" samplen 2
set xlabel "iteration"
# (a) lambda_max
set title "lambda_max (W_rec), geometric mean; dashed: 2/eta"
set logscale y; set format y "%g"
if (words(rl) > 0) {
  plot for [i=1:words(rl)] rows(traj, sprintf("task=%s,rule=%s", t, word(rl, i))) using "iter":"lambda_mean" with lines lw lw(word(rl, i)) lc rgb rulecolor(word(rl, i)) title word(rl, i), \
       rows(traj, sprintf("task=%s,rule=%s", t, word(rl, 1))) using "iter":"bound_gd" with lines dt 2 lc rgb "#000000" title "2/eta"
} else { eval nodata("no curvature rows") }
unset logscale y
# (b) rho and the rule's own edge
set title "rho = eta lambda gamma / 2; dotted: own edge eta Re(mu) / 2"
set logscale y
if (words(rr) > 0) {
  plot for [i=1:words(rr)] rows(rho, sprintf("task=%s,rule=%s", t, word(rr, i))) using "iter":"rho_mean" with lines lw lw(word(rr, i)) lc rgb rulecolor(word(rr, i)) title word(rr, i), \
       for [i=1:words(re)] rows(rho, sprintf("task=%s,rule=%s", t, word(re, i))) using "iter":"edge_mean" with lines dt 3 lw lw(word(re, i)) lc rgb rulecolor(word(re, i)) notitle, \
       1 with lines dt 2 lc rgb "#000000" title "edge (1)"
} else { eval nodata("no curvature rows") }
unset logscale y
# (c) cosine with the true gradient
set title "cosine with the true (BPTT) gradient, mean +- SEM"
set yrange [*:1.05]
if (words(rc) > 0) {
  plot for [i=1:words(rc)] cosrows(word(rc, i)) using "iter":"lo":"hi" with filledcurves lc rgb rulecolor(word(rc, i)) notitle, \
       for [i=1:words(rc)] cosrows(word(rc, i)) using "iter":"mean" with lines lw lw(word(rc, i)) lc rgb rulecolor(word(rc, i)) title word(rc, i)
} else { eval nodata("no curvature rows") }
set yrange [*:*]
# (d) accuracy
set title "training (solid) and test (dashed) accuracy"
set key bottom right
if (words(ra) > 0) {
  plot for [i=1:words(ra)] rows(curves, sprintf("task=%s,rule=%s", t, word(ra, i))) using "iter":"train_acc" with lines lw lw(word(ra, i)) lc rgb rulecolor(word(ra, i)) title word(ra, i), \
       for [i=1:words(ra)] rows(curves, sprintf("task=%s,rule=%s", t, word(ra, i))) using "iter":"test_acc" with lines dt 2 lw lw(word(ra, i)) lc rgb rulecolor(word(ra, i)) notitle
} else { eval nodata("no evaluations") }
unset multiplot
unset output
