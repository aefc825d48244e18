# certmap.awk - a run's maths hashes after the certificates of its runs
# directory (figures/certify.sh writes them; README.md, "Runs, maths hashes
# and the committed raw runs"):
#
#   awk -v cls=CLASS -v cfg=RUN_CFG [-v commit=C] [-v key=KEY] -f certmap.awk CERT... RUN_CFG [KEY]
#
# RUN_CFG is the key a run was trained with (NAME/run.cfg), CLASS its probe
# class (certify.sh class). A certificate applies when it lists the class and
# the run's (core, rule, task) hashes are exactly its old ones; it maps them
# to its new ones and names its new commit. Certificates apply one after the
# other, each at most once, until none does. Prints "CORE RULE TASK COMMIT
# CERT..." (the certificates used); with key=KEY, "certified CERT..." when
# RUN_CFG with the mapped hashes is KEY line for line, else "stale".
FILENAME == cfg {
    line[++nl] = $0
    if ($1 == "#" && $2 == "math_core") C = $3
    if ($1 == "#" && $2 == "math_rule") { rule = $3; R = $4 }
    if ($1 == "#" && $2 == "math_task") { task = $3; T = $4 }
    next
}
key != "" && FILENAME == key { kl[++nk] = $0; next }
FNR == 1 { file[++n] = FILENAME }
{ split($0, f, "\t") }
f[1] == "math_core" { co[n] = f[2]; cn[n] = f[3] }
f[1] == "math_rule" { ro[n, f[2]] = f[3]; rn[n, f[2]] = f[4] }
f[1] == "math_task" { to[n, f[2]] = f[3]; tn[n, f[2]] = f[4] }
f[1] == "probe" { pr[n, f[2]] = 1 }
f[1] == "new_commit" { nc[n] = f[2] }
END {
    used = ""
    for (step = 0; step < n; step++) {
        hit = 0
        for (k = 1; k <= n && !hit; k++)
            if (!(k in done) && co[k] == C && ((k, rule) in ro) && ro[k, rule] == R && ((k, task) in to) && to[k, task] == T && ((k, cls) in pr)) {
                C = cn[k]; R = rn[k, rule]; T = tn[k, task]; commit = nc[k]; used = used " " file[k]; done[k] = 1; hit = 1
            }
        if (!hit) break
    }
    if (key == "") { print C, R, T, (commit == "" ? "unknown" : commit) used; exit }
    same = used != "" && nk == nl
    for (i = 1; i <= nl && same; i++) {
        l = line[i]
        if (l ~ /^# math_core /) l = "# math_core " C
        else if (l ~ /^# math_rule /) l = "# math_rule " rule " " R
        else if (l ~ /^# math_task /) l = "# math_task " task " " T
        same = l == kl[i]
    }
    print (same ? "certified" used : "stale")
}
