# figS.gp - Figure S: training curves per task (rows) and rule (colour):
# loss (left; solid train, dashed test) and accuracy (right; classification
# tasks) over training, mean over seeds.
load "figures/common.gp"
curves = tables."/curves.tsv"
sel(t, r) = strcol("task") eq t && strcol("rule") eq r
do for [fmt in "png svg"] {
  if (fmt eq "png") { set terminal pngcairo size 900, 260*ntasks+60 font ",10" } else { set terminal svg size 900, 260*ntasks+60 font ",10" }
  set output out.".".fmt
  set multiplot layout ntasks, 2 margins 0.08, 0.98, 0.1, 0.92 spacing 0.1, 0.09 title "Training curves: accuracy is comparable across rules"
  set key top right font ",8" samplen 1
  do for [ti=1:ntasks] {
    t = word(tasks, ti)
    set title t." loss"
    set xlabel (ti == ntasks ? "iteration" : "")
    set ylabel "loss"
    if (ti == 1) { set label 99 footer("curves.tsv") at screen 0.01, 0.015 font ",8" } else { unset label 99 }
    if (nvalid(curves, "train_loss", "task=".t) == 0) { eval nodata("no evaluations") } else {
    plot for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"train_loss" \
           with lines lw 2 lc rgb rulecolor(word(rules, ri)) title (ti == 1 ? word(rules, ri)." train" : ""), \
         for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"test_loss" \
           with lines dt 2 lc rgb rulecolor(word(rules, ri)) title (ti == 1 ? word(rules, ri)." test" : "")
    }
    unset label 99
    set title t." accuracy"
    set ylabel "accuracy"
    if (nvalid(curves, "train_acc", "task=".t) == 0) { eval nodata("no accuracy: an MSE task") } else {
    plot for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"train_acc" \
           with lines lw 2 lc rgb rulecolor(word(rules, ri)) notitle, \
         for [ri=1:nrules] curves using (sel(t, word(rules, ri)) ? column("iter") : NaN):"test_acc" \
           with lines dt 2 lc rgb rulecolor(word(rules, ri)) notitle, \
         NaN notitle
    }
  }
  unset multiplot
  unset output
}
