#!/usr/bin/env bash
# golden.sh - the smoke profile's outputs, kept byte-identical across refactors.
#
#   tests/golden.sh manifest RESULTS [SCRATCH]          the manifest of a smoke output on stdout
#   tests/golden.sh check RESULTS MANIFEST [SCRATCH]    compare with a committed manifest
#
# A manifest is a header naming what made it (commit, CPU, BLAS kernel,
# gnuplot) and one line per output file: the SHA-256 of its text with the
# provenance lines ('#', and '<!--#' in Markdown) removed, the RESULTS path written as R and the
# SCRATCH path (the test suite's temporary directory, which holds its data)
# as S, then its path under RESULTS. Checkpoints, weights, locks and the pipeline's own
# bookkeeping (and tables/provenance.tsv, provenance only) are left out (they carry no number a table or figure reads that
# the text files do not; weights.tsv is kept: it is every final parameter).
#
# Other CPUs and BLAS kernels change the last bits, so `check` compares only
# when CPU model, BLAS line, gnuplot version and precision (a single-precision
# build's outputs are other numbers) are those of the manifest;
# otherwise it says why it skips and exits 0. It exits 1 on any difference,
# listing the files. An issue that asks for a change in the numbers records a
# new manifest (make golden-smoke) and says so in its commit.
set -euo pipefail

what_made() { # RESULTS -> the header lines: cpu, blas, gnuplot, and precision unless double
  local blas prec
  blas=$(grep -h -m1 '^# blas ' "$1"/runs/*/*/metrics.tsv 2>/dev/null | head -n 1 | sed 's/^# blas //')
  # single-precision runs say so in their provenance (make PREC=32); double runs have no such line
  # (no such line is no error: under set -e and pipefail a grep that finds nothing would end the script)
  prec=$({ grep -h -m1 '^# precision ' "$1"/runs/*/*/metrics.tsv 2>/dev/null || true; } | head -n 1 | awk '{ print $3 }')
  echo "# cpu $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "# blas ${blas:-unknown}"
  echo "# gnuplot $(gnuplot --version 2>/dev/null || echo none)"
  if [ -n "$prec" ]; then echo "# precision $prec"; fi
}

manifest() { # RESULTS [SCRATCH]
  local res=${1%/} scratch=${2:-/nonexistent}
  scratch=${scratch%/}
  (cd "$res" && find . -type f ! -name '*.bin' ! -name '.lock' ! -name '.progress-start' ! -name '.progress-todo' ! -name '*.key' \
      ! -name '*.part*' ! -name '*.new' ! -name '*.log' ! -name '*.png' ! -name provenance.tsv | sed 's|^\./||' | LC_ALL=C sort) |
  while IFS= read -r f; do
    printf '%s  %s\n' "$(grep -v '^#\|^<!--#' "$res/$f" | sed "s|$res/|R/|g; s|$res|R|g; s|$scratch/|S/|g; s|$scratch|S|g" | sha256sum | cut -c1-64)" "$f"
  done
}

case "${1:-}" in
manifest)
  [ $# = 2 ] || [ $# = 3 ] || { echo "usage: golden.sh manifest RESULTS [SCRATCH]" >&2; exit 2; }
  echo "# smoke-profile manifest made by commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
  what_made "$2"
  manifest "$2" "${3:-}" ;;
check)
  [ $# = 3 ] || [ $# = 4 ] || { echo "usage: golden.sh check RESULTS MANIFEST [SCRATCH]" >&2; exit 2; }
  [ -f "$3" ] || { echo "golden: no manifest $3" >&2; exit 1; }
  want=$(grep '^# \(cpu\|blas\|gnuplot\|precision\) ' "$3")
  have=$(what_made "$2")
  if [ "$want" != "$have" ]; then
    echo "golden: skipped, $3 was made on another machine, kernel or precision:"
    { diff <(echo "$want") <(echo "$have") || true; } | sed -n 's/^< /  made under: /p; s/^> /  this is:    /p'
    exit 0
  fi
  tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
  manifest "$2" "${4:-}" > "$tmp"
  if diff <(grep -v '^#' "$3") "$tmp" > /dev/null; then
    echo "golden: $(wc -l < "$tmp") files identical to $3 ($(sed -n 's/^# smoke-profile manifest made by //p' "$3"))"
  else
    echo "golden: the smoke outputs differ from $3:"
    # changed: in both with other contents; new: only here; missing: only there
    awk 'FNR == 1 { f++ } /^#/ { next } { h[f, $2] = $1; seen[$2] = 1 }
         END { for (p in seen) {
                 if (!((1, p) in h)) print "  new:     " p
                 else if (!((2, p) in h)) print "  missing: " p
                 else if (h[1, p] != h[2, p]) print "  changed: " p } }' "$3" "$tmp" | LC_ALL=C sort
    exit 1
  fi ;;
*) echo "usage: golden.sh manifest RESULTS [SCRATCH] | check RESULTS MANIFEST [SCRATCH]" >&2; exit 2 ;;
esac
