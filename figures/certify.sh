#!/usr/bin/env bash
# certify.sh - refactors certified instead of retrained (README.md, "Runs,
# maths hashes and the committed raw runs"; figures/README.md, "Certificates").
#
#   certify.sh certify RUNS_DIR PROFILE < RUNS   make certify: probe and certify
#   certify.sh map RUNS_DIR RUN_CFG [COMMIT]     a run's maths after the certificates
#   certify.sh class RUN_CFG                     a run's probe class
#   certify.sh with-hashes RUN_CFG CORE RULE TASK  the file with those hashes
#   certify.sh check RUNS_DIR                    every certificate is well formed
#
# A run whose key differs from the key it was trained with (NAME/run.cfg)
# only in its maths hashes is current when certificates map its hashes to
# the tree's. A certificate (RUNS_DIR/certificates/OLD-NEW.cert, OLD and NEW
# two commits) says: for every probe class it lists, the build of commit OLD
# (the maths the runs were trained with, or the last certificate's NEW) and
# the build of NEW give byte-identical outputs on a short probe of the class,
# provenance lines naming the commit or the maths hash aside. It maps a run's
# (core, rule, task) hashes from OLD's to NEW's when the run's class is listed
# and its hashes are exactly OLD's; certificates chain, one step each.
#
# A probe class is a run's config (run.cfg's key = value lines) without the
# seed and the step counts (iters, eval_every; curvature_every only as on or
# off): runs that differ only there run the same code on the same sizes. Its
# probe: the class's first run's config with iters=CERT_ITERS,
# eval_every=CERT_EVAL_EVERY and, when the run measures curvature during
# training, curvature_every=CERT_CURV_EVERY, so evaluations and curvature
# rows fall inside the probe; then the profile's final curvature
# (CERT_CURV_FINAL=1, CERT_CURV_FINAL_ARGS) and the authors' protocol
# (CERT_CURV_AUTHORS=1, CERT_CURV_AUTHORS_ARGS) on its last checkpoint, as
# mk/figures.mk measures the runs. Every file the probe writes is compared,
# the commands' output too. Probes run on the BLAS kernel the runs record.
#
# RUNS (stdin of certify): runkey.sh's lines, NAME|BASE|CORE|RULE H|TASK H|ARGS.
# The environment of certify (mk/certify.mk sets it): CERT_MAKE, CERT_VARS
# (the build's PREC= SAN=), CERT_ROOT and CERT_BUILD (where the build puts
# bin/ and math/, relative to a tree), CERT_COMMIT (the tree's commit, -dirty
# when it has changes: refused), CERT_JOBS (make -j of the old build).
set -euo pipefail
here=$(dirname "$0")
mode=${1:-}

# The class of a run's config file: 16 hex digits (figures/certclass.awk).
class() { LC_ALL=C awk -f "$here/certclass.awk" "$1" | sha256sum | cut -c1-16; }

# The certificates of a runs directory (none: nothing).
certs() { [ -d "$1/certificates" ] && find "$1/certificates" -maxdepth 1 -name '*.cert' | LC_ALL=C sort || true; }

# map RUNS_DIR RUN_CFG [COMMIT]: "CORE RULE TASK COMMIT CERT..." - the run's
# hashes (and the commit that computed them) after every certificate that
# applies, in turn (figures/certmap.awk); the run's own when none does.
map() {
    # shellcheck disable=SC2046
    awk -v cls="$(class "$2")" -v commit="${3:-unknown}" -v cfg="$2" -f "$here/certmap.awk" $(certs "$1") "$2"
}

# The run's key file with its maths hashes replaced by CORE RULE TASK.
with_hashes() { # CFG CORE RULE TASK
    awk -v C="$2" -v R="$3" -v T="$4" '
        /^# math_core / { print "# math_core " C; next }
        /^# math_rule / { print "# math_rule " $3 " " R; next }
        /^# math_task / { print "# math_task " $3 " " T; next }
        { print }' "$1"
}

# A certificate's fields are complete and its digest is that of its probe lines.
check_one() { # FILE
    awk -F'\t' '
        $1 == "certificate" || $1 == "profile" || $1 == "old_commit" || $1 == "new_commit" || $1 == "blas" || $1 == "probe_steps" { have[$1]++ }
        $1 == "math_core" { have[$1]++; if (NF != 3) bad = bad " math_core" }
        $1 == "math_rule" || $1 == "math_task" { if (NF != 4) bad = bad " " $1 }
        $1 == "probe" { probes = probes $0 "\n"; np++; if (NF != 8) bad = bad " probe" }
        $1 == "digest" { digest = $2 }
        END {
            split("certificate profile old_commit new_commit blas probe_steps math_core", need, " ")
            for (i in need) if (have[need[i]] != 1) bad = bad " " need[i] "(" have[need[i]] + 0 " lines)"
            if (np == 0) bad = bad " no probe"
            printf "%s", probes > "/dev/stdout"
            printf "meta\t%s\t%s\n", digest, bad > "/dev/stderr"
        }' "$1" 2> "$tmpd/meta" > "$tmpd/probes"
    local digest bad
    IFS=$'\t' read -r _ digest bad < "$tmpd/meta"
    [ -z "$bad" ] || { echo "certify: $1: malformed:$bad" >&2; return 1; }
    [ "$(sha256sum < "$tmpd/probes" | cut -c1-64)" = "$digest" ] ||
        { echo "certify: $1: its digest is not that of its probe lines (edited by hand?)" >&2; return 1; }
}

case $mode in
class) class "$2"; exit 0 ;;
map) map "$2" "$3" "${4:-unknown}"; exit 0 ;;
with-hashes) with_hashes "$2" "$3" "$4" "$5"; exit 0 ;;
check)
    tmpd=$(mktemp -d); trap 'rm -rf "$tmpd"' EXIT
    n=0 bad=0
    for f in $(certs "$2"); do
        n=$((n + 1))
        check_one "$f" || bad=$((bad + 1))
        for c in $(awk -F'\t' '$1 == "old_commit" || $1 == "new_commit" { print $2 }' "$f"); do
            git rev-parse -q --verify "$c^{commit}" > /dev/null ||
                { echo "certify: $f: commit $c is not in this repository" >&2; bad=$((bad + 1)); }
        done
    done
    [ $bad = 0 ] || exit 1
    echo "certify: $n certificates of $2 well formed"
    exit 0 ;;
certify) ;;
*) echo "usage: certify.sh certify|map|class|with-hashes|check ..." >&2; exit 2 ;;
esac

# ------------------------------------------------------------------ certify
runs=$2 profile=$3
iters=${CERT_ITERS:-6} every=${CERT_EVAL_EVERY:-2} cevery=${CERT_CURV_EVERY:-3}
vars=${CERT_VARS:-} root=${CERT_ROOT:-.} build=${CERT_BUILD:-build} make=${CERT_MAKE:-make}
fail() { echo "certify: $*" >&2; echo "certify: nothing certified: the runs stay stale and retrain (make stale)" >&2; exit 1; }
tmpd=$(mktemp -d /tmp/credit-certify-XXXXXX)
old=$tmpd/tree # the old commit's worktree (its probes go to $tmpd/old, the tree's to $tmpd/new)
keep=1
cleanup() {
    [ $keep = 1 ] || [ ! -d "$old" ] || git worktree remove --force "$old" > /dev/null 2>&1 || true
    rm -rf "$tmpd"
}
trap cleanup EXIT

# The runs to certify: trained, their config as in the tree, their maths
# hashes not the tree's even after the certificates there are.
ncur=0 ncert=0 nconf=0 nnew=0
: > "$tmpd/cand"
while IFS='|' read -r name base core rule task args; do
    [ -n "$name" ] || continue
    d=$runs/$name
    if [ ! -f "$d/metrics.tsv" ] || [ ! -f "$d/run.cfg" ]; then nnew=$((nnew + 1)); continue; fi
    printf '%s|%s|%s|%s|%s|%s\n' "$name" "$base" "$core" "$rule" "$task" "$args" | "$here/runkey.sh" key "$runs" "$profile" "$name" > "$tmpd/key"
    if cmp -s "$tmpd/key" "$d/run.cfg"; then ncur=$((ncur + 1)); continue; fi
    if ! cmp -s <(grep -v '^# math_' "$tmpd/key") <(grep -v '^# math_' "$d/run.cfg"); then nconf=$((nconf + 1)); continue; fi
    commit=$(sed -n 's/^# credit .* commit \([^ ]*\).*$/\1/p' "$d/metrics.tsv" | head -n 1)
    read -r C R T cm _ < <(map "$runs" "$d/run.cfg" "${commit:-unknown}")
    if with_hashes "$d/run.cfg" "$C" "$R" "$T" | cmp -s - "$tmpd/key"; then ncert=$((ncert + 1)); continue; fi
    blas=$(sed -n 's/^# blas \([^ ]* [^ ]* core [^ ]*\).*$/\1/p' "$d/metrics.tsv" | head -n 1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(class "$d/run.cfg")" "$cm" "$C" "${rule% *}" "$R" "${task% *}" "$T" \
        "${blas:-unknown}" "$core ${rule#* } ${task#* }" >> "$tmpd/cand"
done
# CERT_FROM=COMMIT: only the runs computed by COMMIT (one certificate names
# one old commit; runs current by certificates from different commits are
# certified one commit at a time).
if [ -n "${CERT_FROM:-}" ]; then
    awk -F'\t' -v c="$CERT_FROM" 'index($3, c) == 1 || index(c, $3) == 1' "$tmpd/cand" > "$tmpd/cand.from"
    mv "$tmpd/cand.from" "$tmpd/cand"
fi
ncand=$(grep -c . "$tmpd/cand" || true)
echo "certify: $profile: $ncur runs current, $ncert current by certificate, $nconf with another config (retrained), $nnew not trained, $ncand to certify"
[ "$ncand" -gt 0 ] || exit 0

# One recorded commit, clean; one BLAS kernel; a clean tree.
commits=$(cut -f3 "$tmpd/cand" | sort -u)
[ "$(echo "$commits" | wc -l)" = 1 ] || fail "the runs to certify were computed by more than one commit ($(echo $commits)): certify one commit at a time (make certify CERT_FROM=COMMIT, for each)"
case $commits in
*-dirty | unknown | "") fail "the runs were computed by '$commits', a tree no commit holds: its build cannot be redone" ;;
esac
blas=$(cut -f9 "$tmpd/cand" | sort -u)
[ "$(echo "$blas" | wc -l)" = 1 ] && [ "$blas" != unknown ] || fail "the runs record more than one BLAS kernel or none ($(echo $blas))"
kernel=${blas##* core }
now=${CERT_COMMIT:-unknown}
case $now in
*-dirty | unknown) fail "the tree is $now: commit the change first (a certificate names the two commits it compares)" ;;
esac
oldfull=$(git rev-parse -q --verify "$commits^{commit}") || fail "commit $commits is not in this repository"

# The old build, in a temporary worktree of its commit (CERT_OLD_CACHE=DIR:
# in DIR/COMMIT, kept and reused; the tests certify twice from one commit):
# the trainer and the plugins the runs use.
if [ -n "${CERT_OLD_CACHE:-}" ]; then old=$CERT_OLD_CACHE/$commits keep=1; else keep=0; fi
echo "certify: building $commits (the runs' maths) in $([ $keep = 1 ] && echo "$old" || echo "a temporary worktree")"
[ -d "$old" ] || git worktree add -q --detach "$old" "$oldfull" || fail "git worktree add $commits failed"
[ "$(git -C "$old" rev-parse HEAD)" = "$oldfull" ] || fail "$old does not hold commit $commits"
targets="$root/bin/credit $(cut -f5 "$tmpd/cand" | sort -u | sed "s|.*|$root/rules/&.so|") $(cut -f7 "$tmpd/cand" | sort -u | sed "s|.*|$root/tasks/&.so|")"
# shellcheck disable=SC2086
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS $make -C "$old" --no-print-directory -j"${CERT_JOBS:-2}" $vars $targets > "$tmpd/old-build.log" 2>&1 ||
    { tail -n 20 "$tmpd/old-build.log" >&2; fail "the build of $commits failed"; }

# Each build's maths hashes (what it embeds) must be those the keys name.
hash_of() { sed -n 's/.*"\([0-9a-f]\{16\}\)".*/\1/p' "$1" 2> /dev/null | head -n 1; }
while IFS=$'\t' read -r name cls cm C rule R task T b newh; do
    read -r nC nR nT <<< "$newh"
    for side in old new; do
        if [ $side = old ]; then t=$old want="$C $R $T"; else t=. want="$nC $nR $nT"; fi
        got="$(hash_of "$t/$build/math/core.h") $(hash_of "$t/$build/math/rules/$rule.h") $(hash_of "$t/$build/math/tasks/$task.h")"
        [ "$got" = "$want" ] || fail "$name: the $side build's maths hashes are $got, its key says $want (another compiler?)"
    done
done < "$tmpd/cand"

# The probes: the first run of each class, once per build, into the same path.
printf 'iters=%s eval_every=%s' "$iters" "$every" > "$tmpd/steps"
awk -F'\t' '!seen[$2]++' "$tmpd/cand" > "$tmpd/classes"
probe() { # SIDE BIN CLASS RUN
    local side=$1 bin=$2 cls=$3 name=$4 p=$tmpd/probe/$3 rc=0 extra=""
    rm -rf "$p"; mkdir -p "$p"
    grep -Eq '^curvature_every = [1-9]' "$runs/$name/run.cfg" && extra="curvature_every=$cevery"
    env -u CREDIT_RULE_PATH -u CREDIT_TASK_PATH OPENBLAS_CORETYPE="$kernel" \
        "$bin" train "$runs/$name/run.cfg" out="$p" progress=0 iters="$iters" eval_every="$every" $extra > "$p/train.log" 2>&1 || rc=$?
    echo "train $rc" > "$p/exit"
    if [ $rc = 0 ]; then
        if [ "${CERT_CURV_FINAL:-0}" = 1 ]; then
            rc=0
            # shellcheck disable=SC2086
            env -u CREDIT_RULE_PATH -u CREDIT_TASK_PATH OPENBLAS_CORETYPE="$kernel" \
                "$bin" curvature "$p" ${CERT_CURV_FINAL_ARGS:-} > "$p/curvature.log" 2>&1 || rc=$?
            echo "curvature $rc" >> "$p/exit"
        fi
        if [ "${CERT_CURV_AUTHORS:-0}" = 1 ]; then
            rc=0
            # shellcheck disable=SC2086
            env -u CREDIT_RULE_PATH -u CREDIT_TASK_PATH OPENBLAS_CORETYPE="$kernel" \
                "$bin" curvature "$p" --out=curvature_authors.tsv ${CERT_CURV_AUTHORS_ARGS:-} > "$p/curvature_authors.log" 2>&1 || rc=$?
            echo "curvature_authors $rc" >> "$p/exit"
        fi
    fi
    rm -f "$p/.lock"
    mkdir -p "$tmpd/$side"; mv "$p" "$tmpd/$side/$cls"
}
# Byte for byte, the provenance lines naming the commit or the maths hash
# aside. The first probe that differs ends it (CERT_ALL=1: every probe runs).
body() { LC_ALL=C sed -e '/^# credit .* commit /d' -e '/^# math_hash /d' "$1"; }
nprobe=$(grep -c . "$tmpd/classes")
echo "certify: $nprobe probes ($(cat "$tmpd/steps"), curvature_every=$cevery where the runs measure curvature; BLAS core $kernel), each with $commits's build and this tree's"
bad=0 nrun=0
: > "$tmpd/probes"
while IFS=$'\t' read -r name cls cm C rule R task T b newh; do
    [ $bad = 0 ] || [ "${CERT_ALL:-0}" = 1 ] || break
    probe old "$old/$root/bin/credit" "$cls" "$name"
    probe new "$root/bin/credit" "$cls" "$name"
    nrun=$((nrun + 1))
    o=$tmpd/old/$cls n=$tmpd/new/$cls what="probe $cls ($task $rule, like $name)"
    if ! cmp -s <(cd "$o" && find . -type f | LC_ALL=C sort) <(cd "$n" && find . -type f | LC_ALL=C sort); then
        echo "certify: $what: the two builds write different files" >&2; bad=$((bad + 1)); continue
    fi
    grep -q '^train [03]$' "$n/exit" && ! grep -qv ' 0$' <(grep -v '^train' "$n/exit") ||
        { echo "certify: $what failed: $(tr '\n' ' ' < "$n/exit"); $(tail -n 2 "$n/train.log" | tr '\n' ' ')" >&2; bad=$((bad + 1)); continue; }
    for f in $(cd "$n" && find . -type f | LC_ALL=C sort); do
        if ! cmp -s <(body "$o/$f") <(body "$n/$f"); then
            bad=$((bad + 1))
            echo "certify: $what: ${f#./} differs$([ $bad -le 3 ] && echo :)" >&2
            [ $bad -gt 3 ] || diff <(body "$o/$f") <(body "$n/$f") 2> /dev/null | head -n 6 >&2 || true
        fi
    done
    files=$(cd "$n" && find . -type f | wc -l)
    digest=$(cd "$n" && for f in $(find . -type f | LC_ALL=C sort); do echo "file ${f#./}"; body "$f"; done | sha256sum | cut -c1-16)
    seed=$(sed -n 's/^seed = //p' "$runs/$name/run.cfg")
    nruns=$(awk -F'\t' -v c="$cls" '$2 == c' "$tmpd/cand" | wc -l)
    printf 'probe\t%s\t%s\t%s\t%s\t%s\t%s files %s\t%s runs, first %s\n' "$cls" "$task" "$rule" "${seed:-1}" "$(grep '^train' "$n/exit" | sed 's/train 3/diverged/; s/train 0/completed/')" \
        "$files" "$digest" "$nruns" "$name" >> "$tmpd/probes"
done < "$tmpd/classes"
[ $bad = 0 ] || fail "$bad probe outputs differ between $commits and $now (in $nrun of $nprobe probes run)"

# The certificate.
mkdir -p "$runs/certificates"
cert=$runs/certificates/$commits-$now.cert
{
    echo "# certificate: the runs of profile $profile computed by commit $commits stay current at commit $now: every probe"
    echo "# below gave byte-identical outputs with both commits' builds (provenance lines naming the commit or the maths"
    echo "# hash aside). It proves the probes equal, not the full runs: README.md says what it does not cover."
    printf 'certificate\t1\n'
    printf 'profile\t%s\n' "$profile"
    printf 'old_commit\t%s\n' "$commits"
    printf 'new_commit\t%s\n' "$now"
    printf 'blas\t%s\n' "$blas"
    printf 'build\t%s\n' "${vars:-default}"
    printf 'probe_steps\t%s curvature_every=%s\n' "$(cat "$tmpd/steps")" "$cevery"
    printf 'curvature_final\t%s\n' "$([ "${CERT_CURV_FINAL:-0}" = 1 ] && echo "credit curvature${CERT_CURV_FINAL_ARGS:+ $CERT_CURV_FINAL_ARGS}" || echo none)"
    printf 'curvature_authors\t%s\n' "$([ "${CERT_CURV_AUTHORS:-0}" = 1 ] && echo "credit curvature --out=curvature_authors.tsv${CERT_CURV_AUTHORS_ARGS:+ $CERT_CURV_AUTHORS_ARGS}" || echo none)"
    awk -F'\t' '!c++ { split($10, h, " "); print "math_core\t" $4 "\t" h[1] }' "$tmpd/cand"
    awk -F'\t' '{ split($10, h, " ") } !r[$5]++ { print "math_rule\t" $5 "\t" $6 "\t" h[2] }' "$tmpd/cand" | LC_ALL=C sort
    awk -F'\t' '{ split($10, h, " ") } !t[$7]++ { print "math_task\t" $7 "\t" $8 "\t" h[3] }' "$tmpd/cand" | LC_ALL=C sort
    echo "# probe	class	task	rule	seed	status	outputs	runs of the class"
    cat "$tmpd/probes"
    printf 'digest\t%s\n' "$(sha256sum < "$tmpd/probes" | cut -c1-64)"
} > "$cert.new"
mv "$cert.new" "$cert"
echo "certify: $nprobe probes identical; $ncand runs stay current by $cert (commit it)"
