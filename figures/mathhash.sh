#!/usr/bin/env bash
# mathhash.sh CC "FLAGS" FILE... - the maths hash of C sources: 16 hex digits
# of the SHA-256 of their preprocessed text (cc -E FLAGS FILE, one file after
# the other), keeping only the lines that come from the project's own files
# (system headers left out, so a libc update is no maths change; their macros
# still count where the project's code expands them) and with every blank
# outside string and character literals removed. Comments, blank lines,
# indentation and layout therefore do not count; code, constants, strings and
# the project headers a file includes do. The Makefile embeds the result in
# bin/credit and in each plugin; mk/figures.mk keys every run on it.
set -euo pipefail
cc=$1 flags=$2
shift 2
hash=$(for f in "$@"; do
  [ -f "$f" ] || { echo "mathhash: no file $f" >&2; exit 1; }
  echo "@file $f"
  # shellcheck disable=SC2086
  "$cc" $flags -E "$f" | awk '
    # line markers: # LINE "FILE" FLAGS (flag 3: a system header)
    /^# [0-9]+ "/ { sys = ($0 ~ /"( [0-9])* 3( |$)/) || ($0 ~ /"<(built-in|command-line)>"/); next }
    sys { next }
    {
      out = ""; q = ""
      for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1)
        if (q != "") {
          out = out c
          if (c == "\\") { i++; out = out substr($0, i, 1) }
          else if (c == q) q = ""
        } else if (c == "\"" || c == "'\''") { q = c; out = out c }
        else if (c != " " && c != "\t" && c != "\r" && c != "\f" && c != "\v") out = out c
      }
      if (out != "") print out
    }' || { echo "mathhash: $cc -E $f failed" >&2; exit 1; }
done | sha256sum | cut -c1-16) || exit 1
echo "$hash"
