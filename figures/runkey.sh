#!/usr/bin/env bash
# runkey.sh MODE RUNS_DIR PROFILE [NAME] < RUNS - the key of each run of a
# profile: what computes it (the maths hashes of the core, its rule and its
# task: figures/mathhash.sh) and its full config (TASK.cfg merged with the
# profile's and the run's keys by the core's reader of configs: `credit
# config --given`, $CREDIT or bin/credit). The key is the run's config
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
credit=${CREDIT:-$here/../bin/credit}
[ -x "$credit" ] || { echo "runkey.sh: no $credit, which composes the keys (make builds it)" >&2; exit 1; }

key() { # NAME BASE CORE RULE TASK ARGS
    local base=$2
    [ -n "$base" ] || base=
    printf '# run %s of profile %s: %s + paper/experiments/%s.mk\n' "$1" "$profile" "${base:-no base file}" "$profile"
    printf '# math_core %s\n# math_rule %s\n# math_task %s\n' "$3" "$4" "$5"
    local -a words
    read -ra words <<< "$6"
    "$credit" config --given ${base:+"$base"} ${words[@]+"${words[@]}"}
}

# Differences between the key a run was trained with and its key now: a
# line diff of the two files (their config lines are the core's, read by no
# one here), a changed line as "OLD -> NEW's end after the part they share,
# cut at a blank" ("lr = 0.005 -> 0.01", "# math_core A -> B").
why() { # OLD NEW
    { diff "$1" "$2" || true; } | awk '
        function flush(  i, j, p) {
            for (i = 1; i <= no || i <= nn; i++) {
                if (i > nn) { out = out "removed: " old[i] "; "; continue }
                if (i > no) { out = out "added: " new[i] "; "; continue }
                p = 0
                for (j = 1; j <= length(old[i]) && substr(old[i], j, 1) == substr(new[i], j, 1); j++) if (substr(old[i], j, 1) == " ") p = j
                out = out (p ? old[i] " -> " substr(new[i], p + 1) : "removed: " old[i] "; added: " new[i]) "; "
            }
            no = nn = 0
        }
        /^< / { old[++no] = substr($0, 3); next }
        /^> / { new[++nn] = substr($0, 3); next }
        /^[0-9]/ { flush() }
        END { flush(); sub(/; $/, "", out); print out }'
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
