/* test_defects2.c - the second hostile test's defects (issue 22) that live
 * outside the pipeline test: the raw-run reader's numbers (N2), closed
 * standard fds (N4), a RESULTS path with a blank (N5), a build without the
 * Debian packages, credit curvature's --out after a key, a dangling plugin
 * file. The damaged reference (N2, N8) and the full-disk figures (N3) are in
 * tests/test_pipeline.c, the crash and fault sweeps in tests/test_crash.c. */
#define _GNU_SOURCE
#include "test.h"
#include "../figures/tsv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the trainer writes is a number; a prefix, blanks, hex or words it
 * never writes are not. */
static void test_numbers(void)
{
    const char *good[] = {"0.96789999999999998", "-3", "1e-05", "2.5807476e+10", "6.7078194e+198", "0", "10000", "nan", "-nan", "inf", "-inf"};
    const char *bad[] = {"0.96789999999999998junk", "", " 1", "1 ", "0x1p3", "infinity", "nanx", "1.5.2e", "e", "-", "abc", "1,5"};
    int ok = 1;
    double v;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (tsv_parse_num(good[i], &v)) ok = CHECK(0, "N2: the reader takes every number the trainer writes", "'%s' refused", good[i]);
    if (ok) CHECK(1, "N2: the reader takes every number the trainer writes", "%s", "");
    ok = 1;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (!tsv_parse_num(bad[i], &v)) ok = CHECK(0, "N2: the reader refuses a field that is not wholly a number", "'%s' taken as %g", bad[i], v);
    if (ok) CHECK(1, "N2: the reader refuses a field that is not wholly a number", "%s", "");
    CHECK(tsv_parse_num("-inf", &v) == 0 && isinf(v) && v < 0 && tsv_parse_num("nan", &v) == 0 && isnan(v) && isnan(tsv_num("1junk")),
          "N2: nan and -inf read as themselves; tsv_num of junk is NaN, not its prefix", "%g", v);
}

/* `credit train ... >&- 2>&-`: the output files must not take fds 1 and 2
 * (with stdin closed too, the first file took fd 0 and nothing showed). */
static void test_closed_fds(const char *tmp)
{
    const char *args = "task=dms n=8 batch=8 train_size=16 valid_size=8 test_size=16 iters=50 eval_every=10";
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "{ T=%s; rm -rf $T/fd_open $T/fd_closed && %s/bin/credit train %s out=$T/fd_open > /dev/null 2>&1 && "
             "%s/bin/credit train %s out=$T/fd_closed >&- 2>&-; echo rc=$?; cmp $T/fd_open/curve.tsv $T/fd_closed/curve.tsv && "
             "cmp $T/fd_open/metrics.tsv $T/fd_closed/metrics.tsv && cmp $T/fd_open/checkpoint.bin $T/fd_closed/checkpoint.bin && echo SAME; }",
             tmp, test_root(), args, test_root(), args);
    test_run(cmd, &out);
    CHECK(out && strstr(out, "rc=0") && strstr(out, "SAME"), "N4: with stdout and stderr closed, the run's files are those of a normal run",
          "%.600s", out ? out : "");
    free(out);
    /* the progress line (progress=1, the default) is nowhere in the files */
    snprintf(cmd, sizeof cmd, "! grep -l 'it/s' %s/fd_closed/*.tsv", tmp);
    CHECK(test_run(cmd, &out) == 0, "N4: no progress line in curve.tsv or metrics.tsv", "%.300s", out ? out : "");
    free(out);
}

/* `credit curvature RUN key=v --out=NAME`: --out anywhere after RUN_DIR. */
static void test_curvature_out(const char *tmp)
{
    char *out = NULL, dir[600], path[800];
    snprintf(dir, sizeof dir, "%s/fd_open", tmp);
    int rc = test_credit(&out, "curvature %s hessian_k=2 --out=late.tsv", dir);
    snprintf(path, sizeof path, "%s/late.tsv", dir);
    CHECK(rc == 0 && access(path, F_OK) == 0, "messages: credit curvature takes --out after a key", "exit %d: %.400s", rc, out ? out : "");
    free(out);
    rc = test_credit(&out, "curvature %s --out=curvature_density.tsv", dir);
    CHECK(rc == 2 && out && strstr(out, "curvature_density.tsv") && strstr(out, "hessian_density"),
          "messages: credit curvature refuses --out=curvature_density.tsv (hessian_density's output)", "exit %d: %.400s", rc, out ? out : "");
    free(out);
}

/* make with a RESULTS that holds a blank refuses before running anything:
 * clean-runs once removed the part before the blank. */
static void test_results_blank(const char *tmp)
{
    char cmd[3000], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "{ mkdir -p %s/n5keep && echo sentinel > %s/n5keep/keep.txt && "
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory clean-runs PROFILE=smoke 'RESULTS=%s/n5keep n5stray'; echo rc=$?; "
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory figures PROFILE=smoke 'RESULTS=%s/n5keep n5stray'; echo rc=$?; "
             "[ -f %s/n5keep/keep.txt ] && echo KEPT; [ -e n5stray ] && echo STRAY; }",
             tmp, tmp, tmp, tmp, tmp);
    test_run(cmd, &out);
    CHECK(out && !strstr(out, "rc=0") && strstr(out, "KEPT") && !strstr(out, "STRAY") && strstr(out, "without blanks"),
          "N5: a RESULTS path with a blank is refused by clean-runs and figures; nothing is removed or created", "%.800s", out ? out : "");
    free(out);
}

/* A first `make` on a machine without the Debian packages names make deps
 * instead of failing in the compiler (a compiler that finds no system
 * header stands in for the missing packages). */
static void test_no_packages(const char *tmp)
{
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "{ rm -rf %s/nodeps && mkdir -p %s/nodeps && cp -r Makefile mk core rules tasks figures tests %s/nodeps/ && "
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -C %s/nodeps 'CC=cc -nostdinc'; echo rc=$?; }",
             tmp, tmp, tmp, tmp);
    test_run(cmd, &out);
    CHECK(out && !strstr(out, "rc=0") && strstr(out, "make deps") && strstr(out, "apt-get") && !strstr(out, "error:"),
          "set-up: make without the packages' headers stops naming make deps, before any compiler error", "%.800s", out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s/nodeps", tmp);
    test_run(cmd, NULL);
}

/* A dangling link named X.so on the plugin path is no rule to offer. */
static void test_dangling_plugin(const char *tmp)
{
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd, "{ mkdir -p %s/dangling && ln -sf %s/nowhere.so %s/dangling/dangling.so && mkdir -p %s/dangling/dir.so && "
             "CREDIT_RULE_PATH=%s/dangling %s/bin/credit train rule=nosuch task=dms; }", tmp, tmp, tmp, tmp, tmp, test_root());
    int rc = test_run(cmd, &out);
    CHECK(rc == 1 && out && strstr(out, "unknown rule 'nosuch'") && strstr(out, "bptt") && !strstr(out, "dangling,") && !strstr(out, "dir,"),
          "messages: a dangling X.so or a directory named X.so on CREDIT_RULE_PATH is not listed as a rule", "exit %d: %.500s", rc, out ? out : "");
    free(out);
}

void test_defects2(void)
{
    const char *tmp = test_tmp();
    test_numbers();
    test_closed_fds(tmp);
    test_curvature_out(tmp);
    test_results_blank(tmp);
    test_no_packages(tmp);
    test_dangling_plugin(tmp);
}
