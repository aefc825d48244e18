# fig1.gp - Figure 1: one test trial of each task. Top: the inputs as a
# heat map (input channel against time step; at most the first 28
# channels). Bottom: for the channel the trial is about (its class, or the
# one output) the target (grey dashed; points on the scored steps) and the
# output of a trained BPTT network (black): the softmax probability of that
# class for a classification task, the raw readout for a regression task.
load "figures/common.gp"
smp = tables."/samples.tsv"
nin(t) = int(system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" { n = $5 } END { print n + 0 }' %s", t, smp)))
first(t) = system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" { print $2; exit }' %s", t, smp))
set palette defined (0 "#2166ac", 0.5 "#ffffff", 1 "#b2182b")
W = figw(400); H = 520
do for [fmt in fmts] {
  eval term(fmt)
  set output out.".".fmt
  eval loggrid(2, ntasks); eval logtasks
  colsfirst = 1; eval layout(2, ntasks, 0.07, 0.95, 0.16, 0.86, 0.1, 0.16, "The tasks: one test trial each, with a trained BPTT network's output")
  do for [ti=1:ntasks] {
    t = word(tasks, ti); n = nin(t); ex = first(t)
    m = n > 28 ? 28 : n
    T = int(system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" && $3 > T { T = $3 } END { print T + 1 }' %s", t, smp)))
    set xrange [-0.5:T-0.5]
    # inputs: a colour scale symmetric about 0 (white), per task
    amax = real(system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" && $2 == \"%s\" { for (i = 8; i < 8 + %d; i++) { v = $i < 0 ? -$i : $i; if (v > a) a = v } } END { print a + 1e-12 }' %s", t, ex, m, smp)))
    set cbrange [-amax:amax]
    set colorbox user origin graph 1.02, 0 size graph 0.04, 1
    set title t.": inputs"
    set xlabel "time step"
    set ylabel "input channel"
    set yrange [-0.5:m-0.5]
    set ytics 0, (m <= 10 ? 1 : 5)
    if (ti == 1) { set label 99 footer("samples.tsv (credit sample)") at screen sx(0.01), sy(0.015) font ",8" } else { unset label 99 }
    eval logpanel(n > 0 ? 1 : 0, t.": inputs")
    if (n > 0) {
      plot for [k=0:m-1] smp using (strcol("task") eq t && strcol("example") eq ex ? column("t") : NaN):(k):(0.5):(0.5):(column(sprintf("x%d", k))) \
        with boxxyerror fs solid 1.0 noborder fc palette notitle
    } else { eval nodata("no samples") }
    unset label 99
    unset colorbox
    set ytics autofreq
    if (ismse(t)) { set yrange [*:*] } else { set yrange [-0.05:1.05] }
    # one legend for the figure, at the bottom
    if (ti == 1) { set key at screen sx(0.5), sy(0.035) center vertical maxrows 1 font ",9" samplen 2 } else { unset key }
    set title t.": target and output"
    set ylabel (ismse(t) ? "target / readout" : "target / probability of the class")
    eval logpanel(n > 0 ? 1 : 0, t.": target and output")
    if (n > 0) {
      plot smp using (strcol("task") eq t && strcol("example") eq ex ? column("t") : NaN):"target_sel" with lines lw 3 dt 2 lc rgb "#999999" title (ti == 1 ? "target" : ""), \
           smp using (strcol("task") eq t && strcol("example") eq ex && column("mask") > 0 ? column("t") : NaN):"target_sel" with points pt 7 ps 0.6 lc rgb "#999999" title (ti == 1 ? "scored steps (loss)" : ""), \
           smp using (strcol("task") eq t && strcol("example") eq ex ? column("t") : NaN):"out_sel" with lines lw 2 lc rgb rulecolor("bptt") dt 1 title (ti == 1 ? "BPTT network's output" : "")
    } else { eval nodata("no samples") }
  }
  unset multiplot
  unset output
}
