#!/usr/bin/env bash
# runkey.sh MODE RUNS_DIR PROFILE [NAME] < RUNS - the key of each run of a
# profile: what computes it (the maths hashes of the core, its rule and its
# task: figures/mathhash.sh) and its full config (TASK.cfg merged with the
# profile's and the run's keys by mergecfg.awk). The key is the run's config
# file RUNS_DIR/NAME.cfg (the hashes are comment lines, which the trainer
# ignores); RUNS_DIR/NAME/run.cfg keeps the key the run was trained with.
# A run is up to date when it has a metrics.tsv and its run.cfg is its key,
# whatever the file times say, or when its run.cfg differs from its key only
# in maths hashes that certificates (RUNS_DIR/certificates/*.cert, made by
# make certify: figures/certify.sh) map to the key's: current by certificate.
#
# RUNS: one run per line, fields separated by '|':
#   NAME|BASE_CFG|CORE_HASH|RULE RULE_HASH|TASK TASK_HASH|KEY=VALUE ...
# MODE:
#   key NAME  print the key of run NAME
#   list      print the names of the runs to (re)train
#   why       print each run to (re)train with the reason (make stale), then
#             a line "certified: ..." when runs are current by certificate
set -euo pipefail
mode=$1 runs=$2 profile=$3 want=${4:-}
here=$(dirname "$0")

key() { # NAME BASE CORE RULE TASK ARGS
    local base=$2
    [ -n "$base" ] || base=
    printf '# run %s of profile %s: %s + paper/experiments/%s.mk\n' "$1" "$profile" "${base:-no base file}" "$profile"
    printf '# math_core %s\n# math_rule %s\n# math_task %s\n' "$3" "$4" "$5"
    awk -f "$here/mergecfg.awk" $base - <<< "$6"
}

# Differences between the key a run was trained with and its key now, in words.
why() { # OLD NEW
    awk 'function rest(line) { sub(/^# math_[a-z]+ /, "", line); return line }
        function kv(line) { i = index(line, " = "); k = substr(line, 1, i - 1); v = substr(line, i + 3) }
        NR == FNR { if (/^# math_/) om[$2] = rest($0); else if (!/^#/ && / = /) { kv($0); ok[k] = v } next }
        /^# math_/ { if (om[$2] != rest($0)) out = out sprintf("%s %s -> %s; ", $2, ($2 in om) ? om[$2] : "none", rest($0)); next }
        !/^#/ && / = / { kv($0); nk[k] = 1
            if (!(k in ok)) out = out sprintf("key %s added (%s); ", k, v)
            else if (ok[k] != v) out = out sprintf("key %s %s -> %s; ", k, ok[k], v) }
        END { for (k in ok) if (!(k in nk)) out = out sprintf("key %s removed (was %s); ", k, ok[k])
              sub(/; $/, "", out); print (out == "" ? "key differs in its header" : out) }' "$1" "$2"
}

# Current by certificate: run.cfg differs from the key (in $tmp) in maths
# hashes only, and the certificates map its hashes to the key's
# (figures/certmap.awk). A quick test first: the key's core hash must be a
# certificate's new one.
certified() { # RUN_DIR
    local line r cls
    [ -n "$certcores" ] || return 1
    while read -r line; do case $line in "# math_core "*) break ;; esac; done < "$tmp"
    case " $certcores " in *" ${line#\# math_core } "*) ;; *) return 1 ;; esac
    cls=$(LC_ALL=C awk -f "$here/certclass.awk" "$1/run.cfg" | sha256sum)
    # shellcheck disable=SC2086
    r=$(awk -v cls="${cls:0:16}" -v cfg="$1/run.cfg" -v key="$tmp" -f "$here/certmap.awk" $certfiles "$1/run.cfg" "$tmp")
    case $r in certified\ *) ;; *) return 1 ;; esac
    case " $used " in *" ${r#certified } "*) ;; *) used="$used ${r#certified }" ;; esac
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
ncert=0 used=""
certfiles=$([ -d "$runs/certificates" ] && find "$runs/certificates" -maxdepth 1 -name '*.cert' | LC_ALL=C sort || true)
# shellcheck disable=SC2086
certcores=$([ -z "$certfiles" ] || awk -F'\t' '$1 == "math_core" { printf "%s ", $3 }' $certfiles)
while IFS='|' read -r name base core rule task args; do
    [ -n "$name" ] || continue
    case $mode in
    key)
        [ "$name" = "$want" ] || continue
        key "$name" "$base" "$core" "$rule" "$task" "$args"
        exit 0 ;;
    list | why)
        d=$runs/$name
        key "$name" "$base" "$core" "$rule" "$task" "$args" > "$tmp"
        if [ ! -f "$d/metrics.tsv" ]; then
            [ $mode = list ] && echo "$name" || echo "$name: not trained$([ -d "$d" ] && echo ' (unfinished)')"
        elif [ ! -f "$d/run.cfg" ]; then
            [ $mode = list ] && echo "$name" || echo "$name: no run.cfg (the key it was trained with)"
        elif cmp -s "$tmp" "$d/run.cfg"; then
            :
        elif certified "$d"; then
            ncert=$((ncert + 1))
        else
            [ $mode = list ] && echo "$name" || echo "$name: $(why "$d/run.cfg" "$tmp")"
        fi ;;
    *) echo "runkey.sh: unknown mode $mode" >&2; exit 2 ;;
    esac
done
[ "$mode" != key ] || { echo "runkey.sh: no run $want" >&2; exit 1; }
if [ "$mode" = why ] && [ $ncert != 0 ]; then
    echo "certified: $ncert runs current by certificate (${used# }): their maths hashes changed, their probes did not (make certify)"
fi
