# figS.gp - Figure S: training curves per task (rows) and rule (colour):
# loss (left) and accuracy (right; classification tasks) over training, mean
# over seeds; solid: training set, dashed: test set. One legend for the
# figure, under its title.
load "figures/common.gp"
curves = tables."/curves.tsv"
sel(t, r) = strcol("task") eq t && strcol("rule") eq r
W = 900; H = (260*ntasks+90 < 480 ? 480 : 260*ntasks+90)
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(ntasks, 2); eval logtasks
  eval layout(ntasks, 2, 0.1, 0.98, 0.09, 0.88, 0.1, 0.09, "Training curves per rule (mean over seeds; solid: training set, dashed: test set)")
  do for [ti=1:ntasks] {
    t = word(tasks, ti)
    if (ti == 1) { set key at screen sx(0.5), sy(0.935) center vertical maxrows 1 font ",9" samplen 2 width 1 } else { unset key }
    set title t." loss"
    set xlabel (ti == ntasks ? "iteration" : "")
    set ylabel sprintf("loss (%s, log scale)", lossunit(t))
    set logscale y
    if (ti == 1) { set label 99 footer("curves.tsv") at screen sx(0.01), sy(0.012) font ",8" } else { unset label 99 }
    eval logpanel(nvalid(curves, "train_loss", "task=".t), t." loss")
    do for [ri=1:nrules] { eval logkey(nvalid(curves, "train_loss", sprintf("task=%s,rule=%s", t, word(rules, ri))), word(rules, ri)) }
    if (nvalid(curves, "train_loss", "task=".t) == 0) { eval nodata("no evaluations") } else {
    plot for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"train_loss" \
           with lines lw 2 lc rgb rulecolor(word(rules, ri)) title word(rules, ri), \
         for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"test_loss" \
           with lines dt 2 lc rgb rulecolor(word(rules, ri)) notitle, \
         NaN with lines lw 2 lc rgb "#888888" title "training set", \
         NaN with lines dt 2 lc rgb "#888888" title "test set"
    }
    unset label 99
    unset key
    if (!ismse(t)) { unset logscale y }
    if (ismse(t)) {
    # a task without accuracy: its loss on the perturbed test set instead
    set title t." loss, perturbed test set (no accuracy: an MSE task)"
    set ylabel sprintf("loss (%s, log scale)", lossunit(t))
    plot for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"ptest_loss" \
           with lines dt 2 lc rgb rulecolor(word(rules, ri)) notitle
    } else {
    unset logscale y
    set title t." accuracy"
    set ylabel "accuracy (fraction correct)"
    if (nvalid(curves, "train_acc", "task=".t) == 0) { eval nodata("no evaluations") } else {
    plot for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"train_acc" \
           with lines lw 2 lc rgb rulecolor(word(rules, ri)) notitle, \
         for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"test_acc" \
           with lines dt 2 lc rgb rulecolor(word(rules, ri)) notitle, \
         NaN notitle
    }
    }
  }
  unset multiplot
  unset output
}
