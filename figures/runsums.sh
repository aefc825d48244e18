#!/usr/bin/env bash
# runsums.sh - the SHA-256 of every raw text file of a profile's runs, so that
# a damaged, cut, deleted or added file in a committed reference is named
# before anything is computed from it (make check-reference, make verify).
#
#   figures/runsums.sh write RUNS_DIR          the sums on stdout (RUNS_DIR = RESULTS/runs/PROFILE)
#   figures/runsums.sh check RUNS_DIR SUMS     exit 1 naming each file that differs, is missing or is new
#
# Paths are relative to RUNS_DIR, so a copy of the tree anywhere checks the
# same. The files are those git keeps (.gitignore): a run's checkpoints,
# weights, logs, locks and the pipeline's own bookkeeping are left out, and
# so are the certificates (certificates/: not raw output; make certify-check
# checks them, and a new certificate must not need new sums).
set -euo pipefail

list() { # RUNS_DIR -> the raw text files, sorted, relative
  (cd "$1" && find . -path ./certificates -prune -o -type f ! -name 'checkpoint.bin*' ! -name weights.tsv ! -name '*.log' ! -name '*.part' ! -name '*.part.*' \
      ! -name '*.new' ! -name '*.tmp' ! -name '*.lock' ! -name lock ! -name '.lock' ! -name lanczos_warm.bin ! -name '.progress-*' -print |
    sed 's|^\./||' | LC_ALL=C sort)
}

sums() { # RUNS_DIR -> "SHA256  PATH" lines
  list "$1" | (cd "$1" && tr '\n' '\0' | xargs -0 -r sha256sum --)
}

case "${1:-}" in
write)
  [ $# = 2 ] && [ -d "$2" ] || { echo "usage: runsums.sh write RUNS_DIR (a directory)" >&2; exit 2; }
  echo "# SHA-256 of the raw text files under $(basename "$2")/ (figures/runsums.sh; make reference-sums)"
  sums "$2" ;;
check)
  [ $# = 3 ] || { echo "usage: runsums.sh check RUNS_DIR SUMS" >&2; exit 2; }
  [ -d "$2" ] || { echo "runsums: no raw runs in $2" >&2; exit 1; }
  [ -f "$3" ] || { echo "runsums: no $3: the raw runs have no recorded checksums (make reference-sums records them)" >&2; exit 1; }
  tail -c 1 "$3" | od -An -c | grep -q '\\n' || { echo "runsums: $3: no newline at the end (cut short?)" >&2; exit 1; }
  have=$(sums "$2")
  # changed: in both with other contents; missing: only in SUMS; new: only on disk
  bad=$(awk -v dir="$2" 'FNR == 1 { f++ } /^#/ { next }
       NF != 2 || length($1) != 64 { if (f == 1) { print "  malformed line " FNR " of the sums file"; next } }
       { h[f, $2] = $1; seen[$2] = 1 }
       END { for (p in seen) {
               if (!((2, p) in h)) print "  missing: " dir "/" p
               else if (!((1, p) in h)) print "  new:     " dir "/" p
               else if (h[1, p] != h[2, p]) print "  changed: " dir "/" p } }' "$3" <(printf '%s\n' "$have") | LC_ALL=C sort)
  if [ -n "$bad" ]; then
    echo "runsums: the raw runs under $2 are not those $3 records:" >&2
    printf '%s\n' "$bad" >&2
    echo "runsums: restore them (git checkout $2), or, after retraining on purpose, record them: make reference-sums" >&2
    exit 1
  fi
  echo "runsums: $(printf '%s\n' "$have" | grep -c .) raw files under $2 match $3" ;;
*) echo "usage: runsums.sh write RUNS_DIR | check RUNS_DIR SUMS" >&2; exit 2 ;;
esac
