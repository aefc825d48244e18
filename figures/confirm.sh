#!/usr/bin/env bash
# confirm.sh PROFILE CONFIRM_RESULTS EXPECTED_RUNS - tables/confirm.md, the
# paper's paragraph on the confirmatory experiment (paper/experiments/CONFIRM.md):
# its findings once every one of its runs has finished, else how many have,
# and never an interim look at their numbers (a confirmatory design is
# judged once, on all its runs). Paths are written relative to the paper, so
# a copy of the results folder elsewhere checks the same.
set -euo pipefail
profile=$1 dir=${2%/} expected=$3
if [ "$profile" = confirm ]; then
  echo "This rendering is the confirmatory experiment itself; its design, fixed before its runs, is \`paper/experiments/CONFIRM.md\`."
  exit 0
fi
done_runs=0
for m in "$dir"/runs/confirm/*/metrics.tsv; do [ -f "$m" ] && done_runs=$((done_runs + 1)); done
if [ "$done_runs" -lt "$expected" ] || [ ! -f "$dir/tables/findings.md" ]; then
  echo "The confirmatory experiment (\`paper/experiments/CONFIRM.md\`: bptt against eprop on new seeds, the plateau endpoint," \
       "designed from this profile's power table and committed before its runs) has $done_runs of its $expected runs finished" \
       "and committed (\`confirm/runs/confirm/\` beside this paper). Its verdicts appear here once all have run" \
       "(\`make figures PROFILE=confirm RESULTS=results/confirm\` for the committed reference); until then nothing of its results is looked at," \
       "so that no interim look can decide it."
  exit 0
fi
echo "**The answer on sequential MNIST, from the confirmatory experiment** (\`paper/experiments/CONFIRM.md\`: bptt against eprop at the authors' protocol," \
     "on $expected runs with seeds of their own, its endpoints, test and number of runs fixed before any of them ran; rendered in full in" \
     "\`confirm/paper.md\` beside this paper). The exploratory runs it was designed from, and every other claim, follow below."
echo
grep -v '^<!--' "$dir/tables/findings.md"
echo
grep -v '^<!--' "$dir/tables/power.md"
