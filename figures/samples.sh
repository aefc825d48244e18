#!/bin/sh
# samples.sh CREDIT "SAMPLE_ARGS" TASK=RUN_DIR[,RUN_DIR...] ... - the table of figure 1:
# a few test trials of each task with a trained network's readout, from
# `credit sample` run with the run's config and final weights. Prefixes the
# task's name, keeps the first 28 inputs (n_in says how many there are) and
# adds target_sel/out_sel: the target and readout of
# the channel the trial is about (its class: the largest target summed over
# the scored steps; channel 0 for one output). For a cross-entropy task
# (credit sample's header says "loss xent") out_sel is the softmax
# probability of that channel, comparable with its 0/1 target; else the raw
# readout. A task whose sampling fails
# stops the table (exit 1): figure 1 must not silently lose a panel.
# Columns are found by name and walked in numeric order (x0, x1, ...;
# never awk's `for (i in a)`, whose order is a hash order under mawk).
set -u
credit=$1 args=$2
shift 2
hdr=0
for pair in "$@"; do
    task=${pair%%=*} dir=
    # the first run that finished with weights (a diverged run has none)
    for d in $(printf '%s' "${pair#*=}" | tr ',' ' '); do [ -f "$d/weights.tsv" ] && { dir=$d; break; }; done
    [ -n "$dir" ] || { echo "samples.sh: no run of $task has final weights (all diverged?)" >&2; exit 1; }
    out=$("$credit" sample "$task" "$dir/run.cfg" weights="$dir/weights.tsv" split=test $args 2>&1) || {
        echo "samples.sh: credit sample failed for $task: $(printf '%s\n' "$out" | tail -n 1)" >&2
        exit 1
    }
    printf '%s\n' "$out" | awk -v task="$task" -v hdr=$hdr 'BEGIN { FS = OFS = "\t" }
        /^#/ { if ($0 ~ /loss xent/) xent = 1; next }
        !h++ {
            for (i = 1; i <= NF; i++) {
                if ($i == "trial") $i = "example"
                if ($i == "example") ce = i; if ($i == "mask") cm = i
                if ($i ~ /^target[0-9]+$/) { g = substr($i, 7) + 0; tg[g] = i; if (g + 1 > ntg) ntg = g + 1 }
                if ($i ~ /^out[0-9]+$/) { o = substr($i, 4) + 0; oc[o] = i; if (o + 1 > noc) noc = o + 1 }
                if ($i ~ /^x[0-9]+$/) { k = substr($i, 2) + 0; xc[k] = i; if (k + 1 > nin) nin = k + 1 }
            }
            head = $0; next
        }
        { line[++n] = $0; split($0, f, "\t"); ex[n] = f[ce]
          if (f[cm] > 0) for (k = 0; k < ntg; k++) score[f[ce], k] += f[tg[k]] }
        END {
            # one layout for every task: the first 28 input channels, padded with nan
            if (!hdr) { printf "task\texample\tt\tmask\tn_in\ttarget_sel\tout_sel"; for (k = 0; k < 28; k++) printf "\tx%d", k; print "" }
            for (i = 1; i <= n; i++) {
                split(line[i], f, "\t"); e = ex[i]
                if (!(e in best)) { b = 0; for (k = 1; k < ntg; k++) if (score[e, k] > score[e, b]) b = k; best[e] = b }
                c = best[e]
                o = (c in oc) ? f[oc[c]] : "nan"
                if (xent && (c in oc)) {
                    mx = f[oc[c]]; for (k = 0; k < noc; k++) if (f[oc[k]] + 0 > mx + 0) mx = f[oc[k]]
                    z = 0; for (k = 0; k < noc; k++) z += exp(f[oc[k]] - mx)
                    o = sprintf("%.6g", exp(f[oc[c]] - mx) / z)
                }
                printf "%s\t%s\t%s\t%s\t%d\t%s\t%s", task, e, f[ce + 1], f[cm], nin, f[tg[c]], o
                for (k = 0; k < 28; k++) printf "\t%s", k < nin ? f[xc[k]] : "nan"
                print ""
            }
        }'
    hdr=1
done
