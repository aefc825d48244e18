# fig8.gp - Figure 8, the generalization gap at equal training loss: at the
# common training-loss levels of gapfit.tsv (points: mean +- SEM over seeds
# of each run's gap interpolated at the level; figures/gapfit.c; the rules'
# points side by side around each level) and along training (thin lines:
# the mean evaluation rows of curves.tsv, gap of the means), on the range of
# training losses the levels span, where the rules can be compared. Top the
# clean test set, bottom the perturbed one. Error gap (train minus test
# accuracy) for a classification task, loss gap (test minus train loss) for
# an MSE task. Training loss falls along training, so the x axis runs from
# high to low loss.
load "figures/common.gp"
curves = tables."/curves.tsv"
fit = tables."/gapfit.tsv"
rr = have(fit, "gap_mean", "")
fignote = ""
do for [ti=1:ntasks] { t = word(tasks, ti); fignote = joinnote(fignote, absent("main", t, have(fit, "gap_mean", "task=".t), "no shared range of training losses")) }
# a task's levels: "lo hi" of gapfit.tsv's level column
lev(t) = system(sprintf("awk -f figures/select.awk -v where='task=%s' %s | awk -F'\t' 'NR > 1 && $3 != \"nan\" { x = $3 + 0; if (!n++ || x < lo) lo = x; if (x > hi) hi = x } END { if (n) print lo, hi }'", t, fit))
# the rules' points side by side around a level: a factor on the level, a
# fraction of the (log-even) spacing STEP of the levels per rule
side(ri, step) = step ** (0.15 * (ri - (words(rr) + 1) / 2.0))
nlev(t) = int(system(sprintf("awk -f figures/select.awk -v where='task=%s' %s | awk -F'	' 'NR > 1 && $3 != \"nan\" && !s[$3]++ { n++ } END { print n + 0 }'", t, fit)))
W = figw(380); H = 760
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(2, ntasks); eval logtasks
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval layout(2, ntasks, 95.0 / W, 0.96, 75.0 / H, 1 - (110.0 + notex) / H, 80.0 / W, 105.0 / H, \
      "Gap at equal training loss (points: mean ± SEM over seeds at shared levels; lines: along training)")
  set key at screen sx(0.5), sy(1 - (58.0 + notex) / H) center vertical maxrows 1 font ",9" samplen 2
  eval footerat("gapfit.tsv, curves.tsv", 12)
  set logscale x
  set format x "%g"
  set offsets 0, 0, graph 0.08, graph 0.08
  keyed = 0  # the key goes with the first panel that has data
  do for [row=1:2] {
    do for [ti=1:ntasks] {
      t = word(tasks, ti)
      mse = ismse(t)
      gm = row == 1 ? "gap_mean" : "pgap_mean"; gs = row == 1 ? "gap_sem" : "pgap_sem"
      n = nvalid(fit, gm, "task=".t)
      if (n == 0) { set multiplot next } else {
      eval logpanel(n, t." ".gm)
      do for [ri=1:words(rr)] { eval logkey(nvalid(fit, gm, sprintf("task=%s,rule=%s", t, word(rr, ri))), word(rr, ri)) }
      lh = lev(t); lo = real(word(lh, 1)); hi = real(word(lh, 2))
      sp = hi > lo ? hi / lo : 1.1; nl = nlev(t); step = nl > 1 ? sp ** (1.0 / (nl - 1)) : 1.05
      set xrange [hi * sp ** 0.12 : lo / sp ** 0.12]
      inx(x) = x <= hi * sp ** 0.12 && x >= lo / sp ** 0.12  # only the evaluations inside the range count for the y axis
      # a tick at every level
      xt = system(sprintf("awk -f figures/select.awk -v where='task=%s' %s | awk -F'\t' 'NR > 1 && $3 != \"nan\" && !s[$3]++ { printf \"%%s\\\"%%.4g\\\" %%s\", n++ ? \", \" : \"\", $3, $3 }'", t, fit))
      eval "set xtics (".xt.")"
      set title sprintf("%s: %s test set", t, row == 1 ? "clean" : "perturbed")
      set xlabel sprintf("training loss (%s, log scale)", mse ? "MSE" : "nats")
      set ylabel (mse ? "test - train loss" : "train - test accuracy")
      tl = row == 1 ? "test_loss" : "ptest_loss"; ta = row == 1 ? "test_acc" : "ptest_acc"
      plot for [ri=1:words(rr)] curves using (strcol("task") eq t && strcol("rule") eq word(rr, ri) && column("iter") > 0 && inx(column("train_loss")) ? column("train_loss") : NaN):\
             (strcol("task") ne t ? NaN : mse ? column(tl) - column("train_loss") : column("train_acc") - column(ta)) \
             with lines lw 1 lc rgb rulecolor(word(rr, ri)) notitle, \
           for [ri=1:words(rr)] fit using (strcol("task") eq t && strcol("rule") eq word(rr, ri) ? column("level") * side(ri, step) : NaN):\
             (strcol("task") eq t ? column(gm) : NaN):(or0(gs)) \
             with yerrorbars lw 1.5 pt 7 ps 0.8 lc rgb rulecolor(word(rr, ri)) title (keyed ? "" : word(rr, ri)), \
           0 with lines dt 3 lc rgb "#888888" notitle
      keyed = 1
      eval clearfig
      }
    }
  }
  unset multiplot
  unset output
}
fignote = rawnote
eval writecaption(sprintf("The generalization gap against the training loss on the range of training losses every rule reaches (log axis, running from high to low loss, as training does): points, the mean ± SEM over seeds of each run's gap interpolated at the shared levels (gapfit.tsv; the rules' points side by side around each level); thin lines, the gap of the seeds' mean evaluation rows along training. %s%s", \
    ntasks > 1 ? "Columns: the tasks; top row: clean test set, bottom row: perturbed." : "Top: the clean test set; bottom: the perturbed one.", \
    fignote eq "" ? "" : " Not shown: ".fignote."."))
