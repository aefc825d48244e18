# fig1.gp - Figure 1: one test trial of each task. Top: the inputs as a
# heat map (input channel against time step; at most the first 28
# channels), on a sequential colour scale from 0 for inputs that are never
# negative (MNIST pixels in [0, 1]), else a diverging one symmetric about 0.
# Bottom: for the channel the trial is about (its class, or the one output)
# the target, drawn only on the steps the loss scores (grey points), and the
# output of a trained BPTT network (black): the softmax probability of that
# class for a classification task, the raw readout for a regression task.
load "figures/common.gp"
smp = tables."/samples.tsv"
nin(t) = int(system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" { n = $5 } END { print n + 0 }' %s", t, smp)))
first(t) = system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" { print $2; exit }' %s", t, smp))
# "min max" of a trial's first M input channels
inrange(t, ex, m) = system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" && $2 == \"%s\" { for (i = 8; i < 8 + %d; i++) { v = $i + 0; if (!n++ || v < lo) lo = v; if (v > hi) hi = v } } END { print lo + 0, hi + 0 }' %s", t, ex, m, smp))
nscored(t, ex) = int(system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" && $2 == \"%s\" && $4 > 0 { n++ } END { print n + 0 }' %s", t, ex, smp)))
nsteps(t) = int(system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" && $3 > T { T = $3 } END { print T + 1 }' %s", t, smp)))
tk = ""; do for [ti=1:ntasks] { if (nin(word(tasks, ti)) > 0) { tk = tk.word(tasks, ti)." " } }
nt = words(tk)
fignote = ""; do for [ti=1:ntasks] { if (!idxin(tk, word(tasks, ti))) { fignote = joinnote(fignote, word(tasks, ti).": no sample (no BPTT run of the task finished)") } }
W = (400 * nt + 80 < 760 ? 760 : 400 * nt + 80); H = 560
rawnote = fignote; fignote = wrapnote(fignote); notex = 14 * (notelines(fignote) - 1); H = H + notex
eval loggrid(2, nt)
do for [ti=1:nt] { eval plog("task ".word(tk, ti)) }
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  colsfirst = 1
  eval layout(2, nt, 80.0 / W, 1 - 85.0 / W, 95.0 / H, 1 - (70.0 + notex) / H, 150.0 / W, 95.0 / H, \
      nt > 1 ? "The tasks: one test trial of each, with a trained BPTT network's output" : sprintf("The task %s: one test trial, with a trained BPTT network's output", word(tk, 1)))
  colsfirst = 0
  eval footerat("samples.tsv (credit sample)", 10)
  do for [ti=1:nt] {
    t = word(tk, ti); n = nin(t); ex = first(t)
    m = n > 28 ? 28 : n
    T = nsteps(t)
    set xrange [-0.5:T-0.5]
    set offsets 0, 0, 0, 0
    rg = inrange(t, ex, m); lo = real(word(rg, 1)); hi = real(word(rg, 2))
    if (lo >= 0) {
      # never negative (pixels): white at 0 to dark at the largest input
      set palette defined (0 "#ffffff", 0.5 "#6baed6", 1 "#08306b")
      set cbrange [0:(hi > 0 ? hi : 1)]
    } else {
      amax = (-lo > hi ? -lo : hi)
      set palette defined (0 "#2166ac", 0.5 "#ffffff", 1 "#b2182b")
      set cbrange [-amax:amax]
    }
    set colorbox user origin graph 1.03, 0 size graph 0.035, 1
    set cbtics font ",8"
    set title t.": inputs"
    set xlabel "time step"
    set ylabel "input channel"
    set yrange [-0.5:m-0.5]
    set ytics 0, (m <= 10 ? 1 : 5)
    eval logpanel(n, t." inputs")
    set style fill solid 1.0 noborder
    plot for [k=0:m-1] smp using (strcol("task") eq t && strcol("example") eq ex ? column("t") : NaN):(k):(0.5):(0.5):(column(sprintf("x%d", k))) \
      with boxxyerror fs solid 1.0 noborder fc palette notitle
    eval clearfig
    unset colorbox
    set style fill transparent solid 0.25 noborder
    set ytics autofreq
    if (ismse(t)) { set yrange [*:*]; set offsets 0, 0, graph 0.08, graph 0.08 } else { set yrange [-0.08:1.08] }
    # one legend for the figure, at the bottom
    if (ti == 1) { set key at screen sx(0.5), sy(32.0 / H) center vertical maxrows 1 font ",9" samplen 2 } else { unset key }
    set title t.": target and output"
    set ylabel (ismse(t) ? "target / readout" : "probability of the trial's class")
    eval logpanel(nscored(t, ex), t." target and output")
    plot smp using (strcol("task") eq t && strcol("example") eq ex && column("mask") > 0 ? column("t") : NaN):"target_sel" \
           with points pt 7 ps 1.0 lc rgb "#888888" title (ti == 1 ? "target, on the steps the loss scores" : ""), \
         smp using (strcol("task") eq t && strcol("example") eq ex ? column("t") : NaN):"out_sel" with lines lw 2 lc rgb rulecolor("bptt") dt 1 \
           title (ti == 1 ? "trained BPTT network's output" : "")
  }
  unset multiplot
  unset output
}
allpix = 1; nopix = 1; do for [ti=1:nt] { t = word(tk, ti); rg = inrange(t, first(t), nin(t) > 28 ? 28 : nin(t)); if (real(word(rg, 1)) < 0) { allpix = 0 } else { nopix = 0 } }
allcls = 1; do for [ti=1:nt] { if (ismse(word(tk, ti))) { allcls = 0 } }
fignote = rawnote
eval writecaption(sprintf("%s Top: the inputs (input channel against time step, at most the first 28 channels, in their order in the data), %s. Bottom: the target of the output the trial is about (%s), drawn only on the steps the loss scores, and the output of a trained BPTT network of this profile (its first seed that did not diverge): %s.%s", \
    nt > 1 ? "One test trial of each task (columns)." : sprintf("One test trial of %s.", word(tk, 1)), \
    allpix ? "colour from white at 0 to dark blue at the largest input" : nopix ? "colour from blue (negative) through white (0) to red (positive), per task" : \
      "white at 0: from white to dark blue for a task whose inputs are never negative, else from blue (negative) through white to red (positive)", \
    allcls ? "its class" : "its class, or the one output", \
    allcls ? "the softmax probability of the trial's class" : "the softmax probability of the trial's class for a classification task, the readout itself for a regression task", \
    fignote eq "" ? "" : " Not shown: ".fignote."."))
