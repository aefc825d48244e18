# fig3.gp - Figure 3: generalization gap (error gap for a classification
# task, loss gap for an MSE task) against the final top Hessian eigenvalue
# on a log axis, every main run of a task (colour: rule). The dashed line is
# the least-squares fit of the gap on ln lambda_max over all rules pooled,
# computed here (awk over runs.tsv), as the claims' tests use log lambda;
# the panel title gives its Pearson r with the two-sided p (Student's t on
# n - 2 degrees of freedom) and Spearman's rho (values.tsv, unchanged by the
# log). A description: claim 3 is judged within rules. Runs whose final
# training loss jumped (figures/spikes.awk) are ringed and named.
# Top: clean test set; bottom: perturbed.
load "figures/common.gp"
runs = tables."/runs.tsv"
# "n slope intercept r" of the gap Q on ln(lambda_max) over a task's main runs
logfit(t, q) = system(sprintf("awk -F'\t' '/^#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next } \
  $1 == \"main\" && $2 == \"%s\" && $(c[\"lambda_max\"]) + 0 > 0 && $(c[\"%s\"]) != \"nan\" { x = log($(c[\"lambda_max\"])); y = $(c[\"%s\"]) + 0; \
  n++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y } \
  END { if (n < 3) { print 0, \"nan nan nan\"; exit } vx = sxx - sx * sx / n; vy = syy - sy * sy / n; cxy = sxy - sx * sy / n; \
  b = cxy / vx; printf \"%%d %%.10g %%.10g %%.10g\", n, b, (sy - b * sx) / n, (vx > 0 && vy > 0) ? cxy / sqrt(vx * vy) : \"nan\" }' %s", t, q, q, runs))
# two-sided p of Pearson's r with n pairs
pr(r, n) = (df = n - 2, tt = r * sqrt(df / (1 - r * r)), ibeta(df / 2.0, 0.5, df / (df + tt * tt)))
fmtp(p) = p < 0.001 ? sprintf("%.1e", p) : sprintf("%.2g", p)
# the rules with curvature in some task, and why the others have none
rr = have(runs, "lambda_max", "group=main")
fignote = ""
do for [ti=1:ntasks] { t = word(tasks, ti); fignote = joinnote(fignote, absent("main", t, have(runs, "lambda_max", "group=main,task=".t), "no curvature")) }
nsp = int(system(sprintf("awk -f figures/spikes.awk %s | awk 'END { print NR - 1 }'", runs)))
# the spikes' rings and names, only when there are any (gnuplot warns of an empty data source)
spikeplot = nsp == 0 ? "NaN notitle" : \
  "spikes using (strcol('task') eq t ? column('lambda_max') : NaN):q with points pt 6 ps 2.2 lw 1.5 lc rgb '#d00000' title (row == 1 && ti == 1 ? 'final loss spike' : ''), " . \
  "spikes using (strcol('task') eq t ? column('lambda_max') : NaN):q:(sprintf('%s seed %d: final loss %.2g, %sx its rule''s median', strcol('rule'), column('seed'), column('final'), strcol('factor'))) with labels left offset 1.6, 0 font ',8' tc rgb '#d00000' notitle"
W = figw(380); H = 790
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(2, ntasks); eval logtasks
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval layout(2, ntasks, 95.0 / W, 0.97, 75.0 / H, 1 - (145.0 + notex) / H, 95.0 / W, 120.0 / H, \
      "Gap against final curvature, all main runs of a task (rules pooled: a description)")
  # one legend for the figure, under its title and note
  set key at screen sx(0.5), sy(1 - (62.0 + notex) / H) center vertical maxrows 2 font ",9" samplen 1 width 1
  eval footerat("runs.tsv, values.tsv (corr.*)", 12)
  set logscale x
  set format x "%g"
  set offsets graph 0.04, graph 0.04, graph 0.08, graph 0.08
  do for [row=1:2] {
    do for [ti=1:ntasks] {
      t = word(tasks, ti)
      q = (row == 1 ? "gap" : "pgap").(ismse(t) ? "_loss" : "_acc")
      n = nvalid(runs, "lambda_max", "group=main,task=".t)
      if (n == 0) { set multiplot next } else {
      f = logfit(t, q); nf = int(word(f, 1)); slope = real(word(f, 2)); icpt = real(word(f, 3)); r = real(word(f, 4))
      eval logpanel(n, t." ".q)
      do for [ri=1:words(rr)] { eval logkey(nvalid(runs, "lambda_max", sprintf("group=main,task=%s,rule=%s", t, word(rr, ri))), word(rr, ri)) }
      set title sprintf("%s, %s test set\nPearson r = %.2f on ln lambda (two-sided p = %s)\nSpearman rho = %.2f, n = %d runs", t, \
                        row == 1 ? "clean" : "perturbed", r, nf > 2 ? fmtp(pr(r, nf)) : "n/a", val(sprintf("corr.%s.%s.rho", t, q)), nf) font ",9"
      set xlabel "final lambda_max (log scale; loss per weight^2)"
      set ylabel (ismse(t) ? sprintf("loss gap (test - train, %s)", lossunit(t)) : "error gap (train - test accuracy)")
      plot for [ri=1:words(rr)] runs using (strcol("group") eq "main" && strcol("task") eq t && strcol("rule") eq word(rr, ri) ? column("lambda_max") : NaN):q \
             with points pt 7 ps 0.8 lc rgb rulecolor(word(rr, ri)) title (row == 1 && ti == 1 ? word(rr, ri) : ""), \
           (slope == slope ? icpt + slope * log(x) : NaN) with lines lc rgb "#666666" dt 2 title (row == 1 && ti == 1 ? "least squares on ln lambda" : ""), \
           @spikeplot
      eval clearfig
      }
    }
  }
  unset multiplot
  unset output
}
fignote = rawnote
eval writecaption(sprintf("The generalization gap (%s) against the final lambda_max on a log axis, every main run of %s (colour: rule). Dashed: least squares of the gap on ln lambda_max over all rules pooled; the panel titles give its Pearson r with the two-sided p, Spearman's rho and the number of runs: a description, since claim 3 is judged within rules. %s%s%s", \
    ntasks > 1 ? "the error gap for a classification task, the loss gap for an MSE task" : (ismse(word(tasks, 1)) ? "the loss gap" : "the error gap, training minus test accuracy"), \
    ntasks > 1 ? "a task" : word(tasks, 1), ntasks > 1 ? "Columns: the tasks; top row: clean test set, bottom row: perturbed. " : "Top: clean test set; bottom: perturbed. ", \
    nsp > 0 ? sprintf("Ringed in red and named: a run whose final training loss is more than three times its rule's median: %s. ", spikewords) : "", \
    fignote eq "" ? "" : "Not shown: ".fignote."."))
