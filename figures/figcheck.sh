#!/usr/bin/env bash
# figcheck.sh FILE... - every file is a complete PNG (ends in the IEND chunk)
# or SVG (ends in </svg>), else exit 1 naming it. gnuplot exits 0 after a
# write that failed on a full disk, leaving an empty or cut file: the
# figure's recipe renames nothing that fails this.
set -euo pipefail
bad=0
for f in "$@"; do
  case "$f" in
  *.png) [ "$(tail -c 12 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 0000000049454e44ae426082 ] ;;
  *.svg) tail -c 64 "$f" 2>/dev/null | grep -q '</svg>[[:space:]]*$' ;;
  *) false ;;
  esac || { echo "figures: $f is not a complete ${f##*.} (a failed write, full disk?): not kept" >&2; bad=1; }
done
exit $bad
