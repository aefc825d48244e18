#!/bin/sh
# match_target.sh RUN_DIR... - the matched-loss target: the mean final
# training loss (metrics.tsv's train_loss: task loss on the whole training
# set, no L2) over the given runs, %.17g on stdout, for `stop_train_loss=`.
# Rows are found by key and the value by the header's `value` column. A run
# without metrics.tsv, whose status is not `completed` (a diverged run's loss
# is nan) or without a finite train_loss stops it (exit 1): the target must
# come from every run it names.
set -u
[ $# -ge 1 ] || { echo "usage: match_target.sh RUN_DIR..." >&2; exit 2; }
for d in "$@"; do
    [ -f "$d/metrics.tsv" ] || { echo "match_target.sh: $d/metrics.tsv is missing (run not finished)" >&2; exit 1; }
done
for d in "$@"; do printf '%s\n' "$d/metrics.tsv"; done | awk '
    { file = $0; value = 0; status = ""; loss = ""; FS = "\t"
      while ((getline line < file) > 0) {
          if (line ~ /^#/) continue
          n = split(line, f, "\t")
          if (!value) { for (i = 1; i <= n; i++) if (f[i] == "value") value = i; if (!value) break; continue }
          if (f[1] == "status") status = f[value]
          if (f[1] == "train_loss") loss = f[value]
      }
      close(file)
      if (!value) { print "match_target.sh: " file " has no key/value header" > "/dev/stderr"; bad = 1; exit }
      if (status != "completed") { print "match_target.sh: " file ": status " (status == "" ? "missing" : status) ", not completed" > "/dev/stderr"; bad = 1; exit }
      if (loss !~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/) { print "match_target.sh: " file ": train_loss " (loss == "" ? "missing" : loss) " is not a finite number" > "/dev/stderr"; bad = 1; exit }
      sum += loss; runs++ }
    END { if (bad) exit 1; printf "%.17g\n", sum / runs }'
