/* test_crash.c - the crash-point test, in the spirit of SQLite's: a small run
 * with every kind of output (checkpoints, curvature rows, the end sequence)
 * is killed at each of its write, rename, fsync, truncate and remove points
 * in turn (CREDIT_CRASH_AT=N, core/util.c), resumed with resume=1 and with
 * resume=auto, and each resumed directory must equal an uninterrupted run's
 * byte for byte, file for file. The same for `credit curvature RUN_DIR`.
 * Then a full disk and a failing disk (strace's fault injection, the second
 * hostile test's method): ENOSPC on a write, EIO on an fsync or a rename
 * must end the run with exit 1 naming the errno, leave no metrics.tsv (or,
 * when the last directory fsync fails after it, the complete one), and
 * resume=auto must end byte-identical.
 *
 * `make test` runs a quick subset (every few points, the first and the last);
 * CREDIT_TEST_FULL=1 (`make test-crash-full`, run by CI) every point. */
#define _GNU_SOURCE
#include "test.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Shell command (printf-style); its exit status ($? of the last command,
 * 128 + signal after a kill) and output. */
static int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(char **out, const char *fmt, ...)
{
    char args[6000], cmd[6200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "{ %s; echo \"exit=$?\"; }", args);
    char *text = NULL;
    test_run(cmd, &text);
    int rc = -1;
    char *at = text ? strstr(text, "exit=") : NULL;
    for (char *next; at && (next = strstr(at + 1, "exit="));) at = next;
    if (at) rc = atoi(at + 5);
    if (out) *out = text;
    else free(text);
    return rc;
}

/* The point after k in a sweep of 1..n: every point with CREDIT_TEST_FULL=1,
 * otherwise about 12 spread over them, always the first and the last. */
static long next_point(long k, long n)
{
    const char *full = getenv("CREDIT_TEST_FULL");
    long step = (full && !strcmp(full, "1")) || n <= 12 ? 1 : n / 12;
    return k < n && k + step > n ? n : k + step;
}

/* LeakSanitizer cannot run under ptrace (it fails the process at exit):
 * off under strace in the SAN build; ASan and UBSan stay on. */
#define NO_LSAN "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "

/* A full or failing disk: the syscall's nth call (within trace=SYSCALL) fails
 * with errno ERR (strace -e inject). Each must be an exit 1 that names the
 * error, leave no metrics.tsv (a failed fsync of the directory after its
 * rename may leave the complete one: the error is still reported), and
 * resume=auto must then end byte-identical to ref. Returns the points tried. */
static long fault_sweep(const char *sc, const char *err, const char *msg, const char *args, const char *run, const char *ref)
{
    char *out = NULL;
    /* count the calls of an uninterrupted run */
    int rc = sh(&out, "rm -rf %s; " NO_LSAN "strace -f -qq -o %s.trace -e trace=%s %s/bin/credit train %s > /dev/null 2>&1; grep -c '%s(' %s.trace", run, run, sc,
                test_root(), args, sc, run);
    long n = out ? strtol(out, NULL, 10) : 0, tried = 0, wrong = 0, unresumed = 0, first_bad = 0;
    free(out);
    if (rc != 0 || n <= 0) {
        CHECK(0, "fault injection: the calls of a run counted", "exit %d, %ld calls of %s", rc, n, sc);
        return 0;
    }
    for (long k = 1; k <= n; k = next_point(k, n)) {
        tried++;
        rc = sh(&out, "rm -rf %s; " NO_LSAN "strace -f -qq -o /dev/null -e trace=%s -e inject=%s:error=%s:when=%ld %s/bin/credit train %s; "
                      "echo \"credit=$?\"; [ ! -e %s/metrics.tsv ] || cmp -s %s/metrics.tsv %s/metrics.tsv",
                run, sc, sc, err, k, test_root(), args, run, run, ref);
        const char *at = out ? strstr(out, "credit=") : NULL;
        int ok = at && atoi(at + 7) == 1 && strstr(out, msg);
        if (!ok && !first_bad) fprintf(stderr, "fault %s %s at %ld: %.300s\n", sc, err, k, out ? out : "");
        free(out);
        int r2 = sh(NULL, "%s/bin/credit train %s resume=auto > /dev/null 2>&1 && diff -r %s %s", test_root(), args, ref, run);
        wrong += !ok || rc != 0;
        unresumed += r2 != 0;
        if ((!ok || rc || r2) && !first_bad) first_bad = k;
    }
    char name[200];
    snprintf(name, sizeof name, "fault injection: %s failing with %s at any call: a clear exit 1, no incomplete metrics.tsv, resume=auto byte-identical", sc, err);
    CHECK(wrong == 0 && unresumed == 0, name, "%ld of %ld points not refused cleanly, %ld not resumed (first: call %ld of %s)", wrong, tried,
          unresumed, first_bad, sc);
    sh(NULL, "rm -f %s.trace", run);
    return tried;
}

static long points_of(const char *out)
{
    const char *at = out ? strstr(out, "credit: crash points ") : NULL;
    return at ? strtol(at + 21, NULL, 10) : -1;
}

void test_crash(void)
{
    const char *tmp = test_tmp(), *root = test_root();
    char run[600], ref[600], ref_train[600], args[1500];
    snprintf(run, sizeof run, "%s/crash_run", tmp);
    snprintf(ref, sizeof ref, "%s/crash_ref", tmp);
    snprintf(ref_train, sizeof ref_train, "%s/crash_ref_train", tmp);
    snprintf(args, sizeof args,
             "task=file path=%s n=4 batch=8 lr=0.05 iters=6 eval_every=2 checkpoint_every=2 curvature_every=4 hessian_batch=8 "
             "hessian_k=2 hessian_maxiter=12 progress=0 out=%s",
             test_seq_file(0), run);
    const char *full = getenv("CREDIT_TEST_FULL");
    printf("# crash and fault sweeps: %s\n", full && !strcmp(full, "1") ? "every point (CREDIT_TEST_FULL=1)" : "about 12 points each (every point: make test-crash-full)");
    const char *curv_args = "hessian_batch=8 hessian_k=2 hessian_maxiter=12 hessian_density=2 hessian_density_steps=4 "
                            "hessian_density_points=8 progress=0";

    /* The uninterrupted run, counting its points; then its curvature. */
    char *out;
    int rc = sh(&out, "rm -rf %s %s; CREDIT_CRASH_AT=1000000000 %s/bin/credit train %s", run, ref, root, args);
    long n_train = points_of(out);
    free(out);
    rc |= sh(NULL, "rm -rf %s; cp -a %s %s", ref_train, run, ref_train);
    rc |= sh(&out, "CREDIT_CRASH_AT=1000000000 %s/bin/credit curvature %s %s > /dev/null", root, run, curv_args);
    long n_curv = points_of(out);
    free(out);
    rc |= sh(NULL, "mv %s %s", run, ref);
    /* Every file of the run is written through the helpers: at least 5 per
     * atomic file, and the curve and curvature appends. */
    CHECK(rc == 0 && n_train > 40 && n_curv >= 15, "crash points: the reference run and its curvature pass them and count them",
          "exit %d, %ld training points, %ld curvature points", rc, n_train, n_curv);
    if (rc || n_train <= 0 || n_curv <= 0) return;

    long not_killed = 0, bad1 = 0, bad_auto = 0, first_bad = 0;
    for (long n = 1; n <= n_train; n = next_point(n, n_train)) {
        rc = sh(NULL, "rm -rf %s %s.copy; CREDIT_CRASH_AT=%ld %s/bin/credit train %s 2>/dev/null", run, run, n, root, args);
        if (rc != 128 + 9) not_killed++;
        sh(NULL, "[ -d %s ] && cp -a %s %s.copy", run, run, run);
        int r1 = sh(NULL, "%s/bin/credit train %s resume=1 && diff -r %s %s", root, args, ref_train, run);
        int r2 = sh(NULL, "rm -rf %s; [ -d %s.copy ] && mv %s.copy %s; %s/bin/credit train %s resume=auto 2>/dev/null && diff -r %s %s", run,
                    run, run, run, root, args, ref_train, run);
        bad1 += r1 != 0;
        bad_auto += r2 != 0;
        if ((r1 || r2) && !first_bad) first_bad = n;
    }
    CHECK(not_killed == 0, "crash points: the run was killed at every point", "%ld of %ld points were not reached", not_killed, n_train);
    CHECK(bad1 == 0, "crash points: killed at any point, resume=1 ends byte-identical to the uninterrupted run",
          "%ld of %ld points differ (first: CREDIT_CRASH_AT=%ld)", bad1, n_train, first_bad);
    CHECK(bad_auto == 0, "crash points: killed at any point, resume=auto ends byte-identical to the uninterrupted run",
          "%ld of %ld points differ (first: CREDIT_CRASH_AT=%ld)", bad_auto, n_train, first_bad);

    /* credit curvature RUN_DIR: killed anywhere, a rerun gives the same files. */
    not_killed = bad1 = first_bad = 0;
    for (long n = 1; n <= n_curv; n = next_point(n, n_curv)) {
        rc = sh(NULL, "rm -rf %s; cp -a %s %s; rm -f %s/curvature_final.tsv %s/curvature_density.tsv %s/curvature_slq.tsv; "
                      "CREDIT_CRASH_AT=%ld %s/bin/credit curvature %s %s > /dev/null 2>&1",
                run, ref, run, run, run, run, n, root, run, curv_args);
        if (rc != 128 + 9) not_killed++;
        int r = sh(NULL, "%s/bin/credit curvature %s %s > /dev/null && diff -r %s %s", root, run, curv_args, ref, run);
        bad1 += r != 0;
        if (r && !first_bad) first_bad = n;
    }
    CHECK(not_killed == 0 && bad1 == 0, "crash points: credit curvature killed at any point, rerun, ends byte-identical",
          "%ld of %ld points not reached, %ld differ (first: CREDIT_CRASH_AT=%ld)", not_killed, n_curv, bad1, first_bad);

    if (sh(NULL, "command -v strace > /dev/null") != 0) {
        test_skip("fault injection: ENOSPC on writes, EIO on fsync and rename", "no strace here (make test-crash-full installs it)");
    } else {
        fault_sweep("write", "ENOSPC", "No space left on device", args, run, ref_train);
        fault_sweep("fsync", "EIO", "Input/output error", args, run, ref_train);
        fault_sweep("rename", "EIO", "Input/output error", args, run, ref_train);
    }
    sh(NULL, "rm -rf %s %s %s", run, ref, ref_train);
}
