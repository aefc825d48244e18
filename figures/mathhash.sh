#!/usr/bin/env bash
# mathhash.sh CC "FLAGS" FILE... - the maths hash of C sources: 16 hex digits
# of the SHA-256 of their preprocessed text (cc -E FLAGS FILE, one file after
# the other), keeping only the lines that come from the project's own files
# (system headers left out, so a libc update is no maths change; their macros
# still count where the project's code expands them) and with every blank
# outside string and character literals removed. Comments, blank lines,
# indentation and layout therefore do not count; code, constants, strings and
# the project headers a file includes do. Only code that computes numbers
# counts, so messages do not: __LINE__ is 0 (a line added above a CREDIT_ERROR
# moved its number), and the string literals in the arguments of
# credit_error_set(v) (CREDIT_ERROR), a plugin's host->error and
# fprintf(stderr, ...) are emptied (the calls, their status and other
# arguments count), and so are the help texts of option tables (the 7th
# field of a credit_option entry {"key", CREDIT_OPT_..., ...}). The Makefile
# embeds the result in bin/credit and in each plugin; mk/figures.mk keys every
# run on it.
#
# MATHHASH_CACHE=DIR keeps each result in DIR, keyed by the SHA-256 of what
# it is computed from: this script, the compiler's identity, the flags, the
# files and every header in their folders and in the -I folders. The pipeline hashes
# the core and every rule and task at each make (mk/figures.mk), and
# preprocessing and the scan below cost seconds where the key costs
# milliseconds. System headers are not in the key: the cache lives in the
# build folder, which make clean removes (after a libc update, say).
set -euo pipefail
cc=$1 flags=$2
shift 2
key=
if [ -n "${MATHHASH_CACHE:-}" ]; then
  dirs=$(for f in "$@"; do dirname -- "$f"; done
         for w in $flags; do case $w in -I?*) echo "${w#-I}" ;; esac; done)
  # shellcheck disable=SC2046
  key=$({ "$cc" --version 2>&1 | head -n 1; printf '%s\n' "$flags" "$@"
          cat -- "$0" "$@" $(printf '%s\n' "$dirs" | LC_ALL=C sort -u | while read -r d; do ls -- "$d"/*.h 2>/dev/null || true; done)
        } | sha256sum | cut -c1-64)
  if [ -f "$MATHHASH_CACHE/$key" ]; then cat -- "$MATHHASH_CACHE/$key"; exit 0; fi
fi
hash=$(for f in "$@"; do
  [ -f "$f" ] || { echo "mathhash: no file $f" >&2; exit 1; }
  echo "@file $f"
  # shellcheck disable=SC2086
  # (cc's warning that __LINE__ is redefined is dropped, its other messages kept)
  { "$cc" $flags -D__LINE__=0 -E "$f" 2>&1 1>&3 3>&- | sed '/^<command-line>: warning: "__LINE__" redefined$/d' >&2; } 3>&1 | awk '
    # line markers: # LINE "FILE" FLAGS (flag 3: a system header)
    /^# [0-9]+ "/ { sys = ($0 ~ /"( [0-9])* 3( |$)/) || ($0 ~ /"<(built-in|command-line)>"/); next }
    sys { next }
    {
      # msg: inside the arguments of a message call (depth: its parentheses),
      # opt: inside an option table entry (commas: its fields so far); string
      # literals there are emptied. Both may span lines.
      out = ""; q = ""
      for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1)
        if (q != "") {
          drop = (msg || (opt && commas == 6)) && q == "\""
          if (!drop) out = out c
          if (c == "\\") { i++; if (!drop) out = out substr($0, i, 1) }
          else if (c == q) { q = ""; if (drop) out = out c }
        } else if (c == "\"" || c == "'\''") { q = c; out = out c }
        else if (c != " " && c != "\t" && c != "\r" && c != "\f" && c != "\v") {
          out = out c
          if (opt) { # an option table entry: its 7th field (after 6 commas) is help
            if (c == "(" || c == "{") odepth++
            else if ((c == ")" || c == "}") && odepth > 0) odepth--
            else if (c == "}") opt = 0
            else if (c == "," && odepth == 0) commas++
          } else if (c == "_" && substr(out, length(out) - 10) == "CREDIT_OPT_" && out ~ /\{"[^"]*",CREDIT_OPT_$/) { opt = 1; commas = 1; odepth = 0 }
          if (msg) { if (c == "(") depth++; else if (c == ")" && --depth == 0) msg = 0 }
          else if (c == "(" && out ~ /(credit_error_setv?|->error)\($/) { msg = 1; depth = 1 }
          else if (c == "," && out ~ /fprintf\(stderr,$/) { msg = 1; depth = 1 }
        }
      }
      if (out != "") print out
    }' || { echo "mathhash: $cc -E $f failed" >&2; exit 1; }
done | sha256sum | cut -c1-16) || exit 1
if [ -n "$key" ] && mkdir -p -- "$MATHHASH_CACHE" 2>/dev/null; then
  echo "$hash" > "$MATHHASH_CACHE/$key.$$" && mv -f -- "$MATHHASH_CACHE/$key.$$" "$MATHHASH_CACHE/$key" || rm -f -- "$MATHHASH_CACHE/$key.$$"
fi
echo "$hash"
