# fig1.gp - Figure 1: one test trial of each task: the inputs (grey, offset
# per channel), and for the channel the trial is about (its class, or the
# one output) the target (grey dashed; points on the scored steps) and the raw
# readout of a trained BPTT network (black, its rule colour; a logit for
# classification tasks).
load "figures/common.gp"
smp = tables."/samples.tsv"
nin(t) = int(system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" { n = $5 } END { print n + 0 }' %s", t, smp)))
first(t) = system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\" { print $3; exit }' %s", t, smp))
do for [fmt in "png svg"] {
  if (fmt eq "png") { set terminal pngcairo size 380*ntasks+80, 420 font ",10" } else { set terminal svg size 380*ntasks+80, 420 font ",10" }
  set output out.".".fmt
  set multiplot layout 2, ntasks columnsfirst margins 0.08, 0.98, 0.12, 0.88 spacing 0.07, 0.14 title "The tasks: one test trial each"
  set key top right font ",8" samplen 1
  do for [ti=1:ntasks] {
    t = word(tasks, ti); n = nin(t); ex = first(t)
    m = n > 28 ? 28 : n
    set title t." inputs"
    set xlabel ""
    set ylabel (ti == 1 ? "input channel (offset)" : "")
    if (ti == 1) { set label 99 footer("samples.tsv (credit sample)") at screen 0.01, 0.02 font ",8" } else { unset label 99 }
    if (n > 0) {
      plot for [k=0:m-1] smp using (strcol("task") eq t && strcol("example") eq ex ? column("t") : NaN):(column(sprintf("x%d", k)) + k) \
        with lines lc rgb "#bbbbbb" notitle
    } else { eval nodata("no samples") }
    unset label 99
    set title t." target and output"
    set xlabel "time step"
    set ylabel (ti == 1 ? "target / readout" : "")
    if (n > 0) {
      plot smp using (strcol("task") eq t && strcol("example") eq ex ? column("t") : NaN):"target_sel" with lines lw 3 dt 2 lc rgb "#999999" title (ti == 1 ? "target" : ""), \
           smp using (strcol("task") eq t && strcol("example") eq ex && column("mask") > 0 ? column("t") : NaN):"target_sel" with points pt 7 ps 0.6 lc rgb "#999999" notitle, \
           smp using (strcol("task") eq t && strcol("example") eq ex ? column("t") : NaN):"out_sel" with lines lw 2 lc rgb rulecolor("bptt") dt 1 title (ti == 1 ? "BPTT output" : "")
    } else { eval nodata("no samples") }
  }
  unset multiplot
  unset output
}
