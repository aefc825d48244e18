# figS.gp - Figure S: training curves per task (rows) and rule (colour):
# loss (left) and accuracy (right; classification tasks) over training, mean
# over seeds; solid: training set, dashed: test set. One legend for the
# figure, under its title.
load "figures/common.gp"
curves = tables."/curves.tsv"
sel(t, r) = strcol("task") eq t && strcol("rule") eq r
do for [fmt in "png svg"] {
  if (fmt eq "png") { set terminal pngcairo noenhanced size 900, (260*ntasks+90 < 480 ? 480 : 260*ntasks+90) font ",10" } else { set terminal svg noenhanced size 900, (260*ntasks+90 < 480 ? 480 : 260*ntasks+90) font ",10" }
  set output out.".".fmt
  set multiplot layout ntasks, 2 margins 0.1, 0.98, 0.09, 0.88 spacing 0.1, 0.09 title "Training curves per rule (mean over seeds; solid: training set, dashed: test set)"
  do for [ti=1:ntasks] {
    t = word(tasks, ti)
    if (ti == 1) { set key at screen 0.5, 0.935 center vertical maxrows 1 font ",9" samplen 2 width 1 } else { unset key }
    set title t." loss"
    set xlabel (ti == ntasks ? "iteration" : "")
    set ylabel sprintf("loss (%s, log scale)", lossunit(t))
    set logscale y
    if (ti == 1) { set label 99 footer("curves.tsv") at screen 0.01, 0.012 font ",8" } else { unset label 99 }
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
