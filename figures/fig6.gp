# fig6.gp - Figure 6, the remedy: final lambda_max (left) and the
# generalization gap on the clean (middle) and the perturbed test set
# (right), each panel on its own axis, against the bio rule's learning-rate
# factor c, mean +- SEM; the late-boost schedule (base rate, boosted late) as
# an open square at c = 1. The gap is the error gap (train minus test
# accuracy) for a classification task, the loss gap for an MSE task. A panel
# without data is left out; a profile without remedy runs gets a figure of
# one line saying so.
load "figures/common.gp"
summ = tables."/summary.tsv"
rem = rules_in("remedy"); bst = rules_in("boost")
rtask = system(sprintf("awk -F'\t' '!/^#/ && $1 == \"remedy\" { print $2; exit }' %s", summ))
mse = rtask ne "" && ismse(rtask)
gq = mse ? "gap_loss" : "gap_acc"
# the panels with data: curvature, clean gap, perturbed gap
plist = ""
if (nvalid(summ, "mean", "group=remedy,quantity=lambda_max") > 0) { plist = plist."lambda_max " }
if (nvalid(summ, "mean", "group=remedy,quantity=".gq) > 0) { plist = plist.gq." " }
if (nvalid(summ, "mean", "group=remedy,quantity=p".gq) > 0) { plist = plist."p".gq." " }
np = words(plist)
fignote = rtask eq "" ? "This profile has no remedy runs (FIG_REMEDY_TASKS): nothing to show." : \
          np < 3 && nvalid(summ, "mean", "group=remedy,quantity=lambda_max") == 0 ? "no curvature measured in the remedy runs" : ""
W = np > 0 ? 200 + 400 * np : 760; H = np > 0 ? 460 : 90
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(1, np)
if (rtask ne "") { eval plog("task ".rtask) }
if (np == 0) { eval plog("note ".fignote) }
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  if (np == 0) {
    # one line, no panel
    eval layout(1, 1, 0.05, 0.95, 0.05, 0.5, 0, 0, "Remedy: a larger effective learning rate for the bio rules")
    unset border; unset tics; unset key
    plot [0:1][0:1] NaN notitle
  } else {
  eval layout(1, np, 90.0 / W, 0.98, 75.0 / H, 1 - (85.0 + notex) / H, 100.0 / W, 0.1, \
      "Remedy: a larger effective learning rate for the bio rules (mean ± SEM over seeds)")
  eval footerat("summary.tsv (groups remedy, boost)", 12)
  set key top right font ",8" samplen 2
  set offsets graph 0.08, graph 0.08, graph 0.3, graph 0.05  # room for the key above the data
  set xlabel "learning-rate factor c (eta = c x the task's eta; log scale)"
  do for [pi=1:np] {
    q = word(plist, pi)
    set logscale x 2
    if (q eq "lambda_max") {
      set title sprintf("%s: curvature", rtask)
      set ylabel "final lambda_max (loss per weight^2)"
    } else {
      set title sprintf("%s: %s gap, %s test set", rtask, mse ? "loss" : "error", q[1:1] eq "p" ? "perturbed" : "clean")
      set ylabel (mse ? sprintf("test - train loss (%s)", lossunit(rtask)) : "train - test accuracy")
    }
    eval logpanel(nvalid(summ, "mean", "group=remedy,quantity=".q), "remedy ".q)
    plot for [ri=1:words(rem)] rows(summ, sprintf("group=remedy,rule=%s,quantity=%s", word(rem, ri), q)) using "x":"mean":(or0("sem")) \
           with yerrorlines pt 7 lc rgb rulecolor(word(rem, ri)) title word(rem, ri), \
         for [ri=1:words(bst)] rows(summ, sprintf("group=boost,rule=%s,quantity=%s", word(bst, ri), q)) using (1):"mean":(or0("sem")) \
           with yerrorbars pt 4 ps 1.5 lc rgb rulecolor(word(bst, ri)) title word(bst, ri)." late boost", \
         (q eq "lambda_max" ? NaN : 0) with lines lc rgb "#888888" dt 3 notitle
    eval clearfig
  }
  }
  unset logscale
  unset offsets
  unset multiplot
  unset output
}
pos(q) = np == 1 ? "the panel" : idxin(plist, q) == 1 ? "left" : idxin(plist, q) == np ? "right" : "middle"
fignote = rawnote
eval writecaption(np == 0 ? "This profile has no remedy runs (no task in FIG_REMEDY_TASKS), so the figure only says so." : \
    sprintf("The remedy on %s, against the learning-rate factor c of the bio rule (mean ± SEM over seeds; each panel on its own axis): %s%s%s. %s%s", rtask, \
      idxin(plist, "lambda_max") ? sprintf("final lambda_max (%s)", pos("lambda_max")) : "", \
      idxin(plist, gq) ? sprintf("%sthe %s gap on the clean test set (%s)", idxin(plist, "lambda_max") ? ", " : "", mse ? "loss" : "error", pos(gq)) : "", \
      idxin(plist, "p".gq) ? sprintf(", the gap on the perturbed test set (%s)", pos("p".gq)) : "", \
      words(bst) > 0 ? "Open squares at c = 1: the late boost (the base rate, multiplied late in training)." : "", \
      fignote eq "" ? "" : " Not shown: ".fignote."."))
