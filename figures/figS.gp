# figS.gp - Figure S: training curves per task (rows) and rule (colour):
# loss (left, log scale) and accuracy (right; a classification task) over
# training, mean over the seeds that did not diverge; solid: training set,
# dashed: test set. A task without accuracy (MSE) shows its loss on the
# perturbed test set on the right. One legend for the figure, under its
# title. A run whose final training loss jumped (figures/spikes.awk) is
# named where it moves its rule's last point.
load "figures/common.gp"
curves = tables."/curves.tsv"; runs = tables."/runs.tsv"
sel(t, r) = strcol("task") eq t && strcol("rule") eq r
fignote = ""
do for [ti=1:ntasks] { t = word(tasks, ti); fignote = joinnote(fignote, absent("main", t, have(curves, "train_loss", "task=".t), "no evaluations")) }
rr = have(curves, "train_loss", "")
nsp = int(system(sprintf("awk -f figures/spikes.awk %s | awk 'END { print NR - 1 }'", runs)))
# the mean training loss of a rule at its last evaluation
lastrow(t, r) = system(sprintf("awk -f figures/select.awk -v where='task=%s,rule=%s' %s | awk -F'\t' 'NR > 1 { i = $3; l = $5 } END { print i, l }'", t, r, curves))
W = 900; H = 250 * ntasks + 150
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(ntasks, 2); eval logtasks
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval layout(ntasks, 2, 95.0 / W, 0.97, 70.0 / H, 1 - (105.0 + notex) / H, 90.0 / W, 80.0 / H, \
      "Training curves per rule (mean over the seeds that did not diverge)")
  eval footerat("curves.tsv, runs.tsv", 12)
  do for [ti=1:ntasks] {
    t = word(tasks, ti)
    if (ti == 1) { set key at screen sx(0.5), sy(1 - (55.0 + notex) / H) center vertical maxrows 1 font ",9" samplen 2 width 1 } else { unset key }
    set title t.": loss"
    set xlabel (ti == ntasks ? "iteration" : "")
    set ylabel sprintf("loss (%s, log scale)", lossunit(t))
    set logscale y
    set format y "%g"
    n = nvalid(curves, "train_loss", "task=".t)
    eval logpanel(n, t." loss")
    do for [ri=1:words(rr)] { eval logkey(nvalid(curves, "train_loss", sprintf("task=%s,rule=%s", t, word(rr, ri))), word(rr, ri)) }
    unset label 1; unset label 2; unset arrow 1
    sp = system(sprintf("awk -f figures/spikes.awk %s | awk -F'\t' '$1 == \"%s\" { printf \"%%s %%s %%.2g %%.2g \", $2, $3, $5, $4 }'", runs, t))
    if (words(sp) >= 4) { lr = lastrow(t, word(sp, 1)); \
      set label 1 "" at real(word(lr, 1)), real(word(lr, 2)) point pt 6 ps 2 lw 1.5 lc rgb "#d00000" front; \
      set label 2 sprintf("%s seed %s: training loss\n%s -> %s at the last evaluation", word(sp, 1), word(sp, 2), word(sp, 3), word(sp, 4)) \
        at graph 0.97, 0.55 right font ",8" tc rgb "#d00000" front; \
      set arrow 1 from graph 0.85, 0.45 to first real(word(lr, 1)), real(word(lr, 2)) lc rgb "#d00000" front }
    plot for [ri=1:words(rr)] curves using (sel(t, word(rr, ri)) ? column("iter") : NaN):(strcol("task") eq t ? column("train_loss") : NaN) \
           with lines lw 2 lc rgb rulecolor(word(rr, ri)) title word(rr, ri), \
         for [ri=1:words(rr)] curves using (sel(t, word(rr, ri)) ? column("iter") : NaN):(strcol("task") eq t ? column("test_loss") : NaN) \
           with lines dt 2 lc rgb rulecolor(word(rr, ri)) notitle, \
         NaN with lines lw 2 lc rgb "#888888" title "training set", \
         NaN with lines dt 2 lc rgb "#888888" title "test set"
    unset label 1; unset label 2; unset arrow 1
    eval clearfig
    unset key
    if (ismse(t)) {
      # a task without accuracy: its loss on the perturbed test set instead
      set title t.": perturbed test loss (MSE task: no accuracy)"
      eval logpanel(nvalid(curves, "ptest_loss", "task=".t), t." perturbed loss")
      plot for [ri=1:words(rr)] curves using (sel(t, word(rr, ri)) ? column("iter") : NaN):(strcol("task") eq t ? column("ptest_loss") : NaN) \
             with lines dt 2 lc rgb rulecolor(word(rr, ri)) notitle
    } else {
      unset logscale y
      set format y
      set title t.": accuracy"
      set ylabel "accuracy (fraction correct)"
      eval logpanel(nvalid(curves, "train_acc", "task=".t), t." accuracy")
      plot for [ri=1:words(rr)] curves using (sel(t, word(rr, ri)) ? column("iter") : NaN):(strcol("task") eq t ? column("train_acc") : NaN) \
             with lines lw 2 lc rgb rulecolor(word(rr, ri)) notitle, \
           for [ri=1:words(rr)] curves using (sel(t, word(rr, ri)) ? column("iter") : NaN):(strcol("task") eq t ? column("test_acc") : NaN) \
             with lines dt 2 lc rgb rulecolor(word(rr, ri)) notitle
    }
  }
  unset multiplot
  unset output
}
nmse = 0; do for [ti=1:ntasks] { nmse = nmse + ismse(word(tasks, ti)) }
fignote = rawnote
eval writecaption(sprintf("Training curves of %s per rule, mean over the seeds that did not diverge (solid: training set; dashed: test set): the loss on a log scale (left) and %s (right).%s%s", \
    ntasks > 1 ? "every task (rows)" : word(tasks, 1), \
    nmse == 0 ? "the accuracy" : nmse == ntasks ? "the loss on the perturbed test set, since an MSE task has no accuracy" : "the accuracy, or for an MSE task, which has none, the loss on the perturbed test set", \
    nsp > 0 ? sprintf(" Ringed and named where it moves its rule's mean: a run whose final training loss is more than three times its rule's median, %s.", spikewords) : "", \
    fignote eq "" ? "" : " Not shown: ".fignote."."))
