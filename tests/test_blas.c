/* test_blas.c - the OpenBLAS core selection (core/blas.h): the rule on
 * synthetic CPUs, the re-exec as bin/credit runs it, and the same gradients
 * and curvature under the selected kernels and under the generic fallback. */
#define _GNU_SOURCE
#include "test.h"
#include "blas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const credit_cpu_features sse_only = {0};
static const credit_cpu_features avx = {.avx = 1, .os_ymm = 1};
static const credit_cpu_features avx2 = {.avx = 1, .avx2 = 1, .fma = 1, .os_ymm = 1};
static const credit_cpu_features skx = {.avx = 1, .avx2 = 1, .fma = 1, .avx512f = 1, .avx512bw = 1, .avx512vl = 1, .avx512dq = 1,
                                        .os_ymm = 1, .os_zmm = 1};

static void check_select(const credit_cpu_features *f, const char *reported, int dyn, const char *user, const char *want,
                         const char *in_reason, const char *name)
{
    credit_blas_choice c = credit_blas_select(f, reported, dyn, user);
    int same = want ? c.core && strcmp(c.core, want) == 0 : c.core == NULL;
    CHECK(same && strstr(c.reason, in_reason), name, "core %s (want %s), reason '%s' (want '%s' in it)", c.core ? c.core : "none",
          want ? want : "none", c.reason, in_reason);
}

static void test_rule(void)
{
    credit_cpu_features cpl = skx, no_zmm = skx, no_ymm = avx2, knl = skx;
    cpl.avx512_bf16 = 1;
    no_zmm.os_zmm = 0;
    no_ymm.os_ymm = 0;
    knl.avx512bw = knl.avx512vl = knl.avx512dq = 0;
    check_select(&skx, "Prescott", 1, NULL, "SkylakeX", "support AVX-512 F/BW/VL/DQ", "blas rule: AVX-512 CPU on Prescott -> SkylakeX");
    check_select(&cpl, "Prescott", 1, NULL, "Cooperlake", "and BF16", "blas rule: AVX-512 + BF16 on Prescott -> Cooperlake");
    check_select(&skx, "Nehalem", 1, NULL, "SkylakeX", "OpenBLAS chose Nehalem", "blas rule: AVX-512 CPU on Nehalem -> SkylakeX");
    check_select(&skx, "Haswell", 1, NULL, "SkylakeX", "Haswell", "blas rule: AVX-512 CPU on Haswell -> SkylakeX");
    check_select(&avx2, "Core2", 1, NULL, "Haswell", "AVX2 and FMA", "blas rule: AVX2+FMA on Core2 -> Haswell");
    check_select(&avx2, "Sandybridge", 1, NULL, "Haswell", "AVX2", "blas rule: AVX2+FMA on Sandybridge -> Haswell");
    check_select(&avx2, "atom", 1, NULL, "Haswell", "atom", "blas rule: core names are case-insensitive");
    check_select(&avx, "Prescott", 1, NULL, "Sandybridge", "support AVX", "blas rule: AVX only on Prescott -> Sandybridge");
    check_select(&no_zmm, "Prescott", 1, NULL, "Haswell", "does not save zmm", "blas rule: OS lacks zmm state -> Haswell, not SkylakeX");
    check_select(&no_zmm, "Haswell", 1, NULL, NULL, "nothing better", "blas rule: OS lacks zmm state, on Haswell -> nothing");
    check_select(&no_ymm, "Prescott", 1, NULL, NULL, "SSE only", "blas rule: OS lacks ymm state -> nothing");
    check_select(&knl, "Prescott", 1, NULL, "Haswell", "AVX2", "blas rule: AVX-512F without BW/VL/DQ -> Haswell");
    check_select(&sse_only, "Prescott", 1, NULL, NULL, "SSE only", "blas rule: no AVX -> nothing");
    check_select(&skx, "SkylakeX", 1, NULL, NULL, "nothing better", "blas rule: already best (SkylakeX)");
    check_select(&cpl, "Cooperlake", 1, NULL, NULL, "nothing better", "blas rule: already best (Cooperlake)");
    check_select(&avx2, "SkylakeX", 1, NULL, NULL, "nothing better", "blas rule: never a downgrade");
    check_select(&avx2, "Zen", 1, NULL, NULL, "nothing better", "blas rule: Zen on an AVX2 CPU is kept");
    check_select(&cpl, "Zen", 1, NULL, NULL, "AMD's own kernels", "blas rule: Zen on an AVX-512 CPU is kept (measured no slower)");
    check_select(&avx, "Zen", 1, NULL, NULL, "nothing better", "blas rule: Zen on an AVX-only CPU: nothing better");
    check_select(&cpl, "Prescott", 1, "Prescott", NULL, "set by the user", "blas rule: the user's OPENBLAS_CORETYPE is never overridden");
    check_select(&cpl, "Prescott", 1, "Haswell", NULL, "OPENBLAS_CORETYPE=Haswell", "blas rule: user set it to another core: kept");
    check_select(&cpl, "Prescott", 0, NULL, NULL, "built for one core", "blas rule: not a DYNAMIC_ARCH build -> nothing");
    check_select(&cpl, "Vortex", 1, NULL, NULL, "does not rank", "blas rule: unknown reported core -> left alone");
    check_select(&cpl, NULL, 1, NULL, NULL, "does not rank", "blas rule: no reported core -> left alone");
    CHECK(credit_blas_best_core(&cpl) && strcmp(credit_blas_best_core(&cpl), "Cooperlake") == 0 && credit_blas_best_core(&sse_only) == NULL,
          "blas rule: best core of a feature set", "%s", "wrong");
}

/* "# blas openblas V core NAME (HOW...)" in TEXT: NAME into core, HOW into how. */
static int parse_blas_line(const char *text, char *core, size_t ncore, char *how, size_t nhow)
{
    const char *p = text ? strstr(text, "# blas openblas ") : NULL;
    if (!p || !(p = strstr(p, " core "))) return 0;
    p += 6;
    size_t k = strcspn(p, " \n");
    if (k >= ncore || p[k] != ' ' || p[k + 1] != '(') return 0;
    memcpy(core, p, k);
    core[k] = 0;
    p += k + 2;
    size_t h = strcspn(p, "\n");
    if (h == 0 || p[h - 1] != ')' || h >= nhow) return 0;
    memcpy(how, p, h - 1);
    how[h - 1] = 0;
    return 1;
}

static char *train_metrics(const char *env, const char *dir, char **out)
{
    char cmd[4000];
    snprintf(cmd, sizeof cmd, "env -u OPENBLAS_CORETYPE -u CREDIT_BLAS_REEXEC -u CREDIT_BLAS_TEST_REPORTED %s %s/bin/credit train "
             "task=file path=%s n=8 batch=8 iters=5 eval_every=5 progress=0 out=%s && cat %s/metrics.tsv",
             env, test_root(), test_seq_file(0), dir, dir);
    test_run(cmd, out);
    return *out;
}

static void test_process(void)
{
    char core[64], how[300], dir[600], *out = NULL;
    credit_cpu_features f = credit_cpu_detect();
    int dyn = credit_blas_dynamic_arch();

    /* No variable set: the core in the provenance is the one the rule settles on. */
    snprintf(dir, sizeof dir, "%s/blas_default", test_tmp());
    int ok = parse_blas_line(train_metrics("", dir, &out), core, sizeof core, how, sizeof how);
    credit_blas_choice c = credit_blas_select(&f, core, dyn, NULL);
    if (ok && strncmp(how, "selected by credit: OpenBLAS chose ", 35) == 0) {
        char reported[64];
        sscanf(how + 35, "%63[^;]", reported);
        credit_blas_choice first = credit_blas_select(&f, reported, dyn, NULL);
        ok = first.core && strcmp(first.core, core) == 0 && c.core == NULL;
    } else
        ok = ok && strcmp(how, "default") == 0 && c.core == NULL;
    CHECK(ok, "blas: with no variable set, bin/credit runs on the core the rule chooses (provenance)", "core %s (%s): %.600s", core, how,
          out);
    free(out);

    /* The re-exec itself, driven by pretending OpenBLAS chose Prescott. */
    snprintf(dir, sizeof dir, "%s/blas_reexec", test_tmp());
    ok = parse_blas_line(train_metrics("CREDIT_BLAS_TEST_REPORTED=Prescott", dir, &out), core, sizeof core, how, sizeof how);
    c = credit_blas_select(&f, "Prescott", dyn, NULL);
    if (c.core)
        ok = ok && strcasecmp(core, c.core) == 0 && strstr(how, "selected by credit: OpenBLAS chose Prescott;");
    else
        ok = ok && strncmp(how, "default", 7) == 0;
    CHECK(ok, "blas: re-executed with OPENBLAS_CORETYPE set when OpenBLAS chose a generic core", "want %s, got core %s (%s): %.400s",
          c.core ? c.core : "no change", core, how, out);
    free(out);

    /* What a child of a re-executed process inherits: no second exec, and the
     * setting is still credit's, unless it is not the one credit chose. */
    if (c.core) {
        char env[200];
        snprintf(env, sizeof env, "CREDIT_BLAS_REEXEC=Prescott OPENBLAS_CORETYPE=%s", c.core);
        snprintf(dir, sizeof dir, "%s/blas_inherit", test_tmp());
        ok = parse_blas_line(train_metrics(env, dir, &out), core, sizeof core, how, sizeof how);
        CHECK(ok && strcasecmp(core, c.core) == 0 && strstr(how, "selected by credit: OpenBLAS chose Prescott;"),
              "blas: a child inheriting the re-exec's environment keeps credit's core and says why", "core %s (%s)", core, how);
        free(out);
    }
    snprintf(dir, sizeof dir, "%s/blas_inherit_user", test_tmp());
    ok = parse_blas_line(train_metrics("CREDIT_BLAS_REEXEC=Prescott OPENBLAS_CORETYPE=Nehalem", dir, &out), core, sizeof core, how,
                         sizeof how);
    CHECK(ok && strcmp(core, "Nehalem") == 0 && strcmp(how, "OPENBLAS_CORETYPE set by user") == 0,
          "blas: with the guard set, a core credit would not choose counts as the user's", "core %s (%s)", core, how);
    free(out);

    snprintf(dir, sizeof dir, "%s/blas_user", test_tmp());
    ok = parse_blas_line(train_metrics("OPENBLAS_CORETYPE=Prescott CREDIT_BLAS_TEST_REPORTED=Prescott", dir, &out), core, sizeof core, how,
                         sizeof how);
    CHECK(ok && strcmp(core, "Prescott") == 0 && strcmp(how, "OPENBLAS_CORETYPE set by user") == 0,
          "blas: a user's OPENBLAS_CORETYPE is kept and named in the provenance", "core %s (%s)", core, how);
    free(out);
}

/* Every whitespace-separated token of TEXT that is a number as a whole, in
 * order (data rows and the "# loss", "# cosine" lines alike). */
static size_t numbers(const char *text, double *v, size_t cap)
{
    size_t n = 0;
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, " \t\n");
        char field[64], *q;
        if (len > 0 && len < sizeof field) {
            memcpy(field, p, len);
            field[len] = 0;
            double x = strtod(field, &q);
            if (q != field && *q == 0) {
                if (n < cap) v[n] = x;
                n++;
            }
        }
        p += len;
        if (*p) p++;
    }
    return n;
}

/* max |a - b| / max |a| over the numbers of two outputs of the same command. */
static double rel_diff(const char *a, const char *b, size_t *count)
{
    enum { CAP = 200000 };
    double *x = malloc(sizeof(double) * CAP), *y = malloc(sizeof(double) * CAP);
    size_t na = numbers(a, x, CAP), nb = numbers(b, y, CAP);
    double diff = 0.0, scale = 0.0;
    if (!x || !y || na != nb || na == 0 || na > CAP) diff = INFINITY;
    else
        for (size_t i = 0; i < na; i++) {
            if (!isfinite(x[i]) || !isfinite(y[i])) {
                if (!(isnan(x[i]) && isnan(y[i])) && x[i] != y[i]) diff = INFINITY;
                continue;
            }
            diff = fmax(diff, fabs(x[i] - y[i]));
            scale = fmax(scale, fabs(x[i]));
        }
    *count = na;
    free(x);
    free(y);
    return scale > 0 ? diff / scale : diff;
}

static void compare_kernels(const char *args, const char *what, double tol)
{
    char cmd[4000], *fallback = NULL, *chosen = NULL, core_a[64] = "", core_b[64] = "", how[300];
    const char *clean = "env -u OPENBLAS_CORETYPE -u CREDIT_BLAS_REEXEC -u CREDIT_BLAS_TEST_REPORTED";
    snprintf(cmd, sizeof cmd, "%s OPENBLAS_CORETYPE=Prescott %s/bin/credit %s", clean, test_root(), args);
    int rc = test_run(cmd, &fallback);
    snprintf(cmd, sizeof cmd, "%s %s/bin/credit %s", clean, test_root(), args);
    rc |= test_run(cmd, &chosen);
    parse_blas_line(fallback, core_a, sizeof core_a, how, sizeof how);
    parse_blas_line(chosen, core_b, sizeof core_b, how, sizeof how);
    size_t count = 0;
    double d = rc == 0 ? rel_diff(fallback, chosen, &count) : INFINITY;
    char name[300];
    snprintf(name, sizeof name, "blas: %s agrees to %g under the fallback (Prescott) and the chosen kernels", what, tol);
    CHECK(rc == 0 && count > 10 && d <= tol && strcmp(core_a, "Prescott") == 0 && *core_b, name,
          "rc %d, cores %s vs %s, %zu numbers, max rel diff %.3g: %.300s", rc, core_a, core_b, count, d, fallback);
    free(fallback);
    free(chosen);
}

static void test_kernels_agree(void)
{
    const char *seq = test_seq_file(0), *tmp = test_tmp();
    char args[2000], dir[600];
    snprintf(args, sizeof args, "grad task=file path=%s n=48 batch=64", seq);
    /* float: the kernels sum the T*B = 512 rows of a product in other
     * orders, at most 512 u = 3e-5 apart (u = 2^-24); measured 2.3e-9 */
    compare_kernels(args, "credit grad (bptt: estimate and exact gradient)", test_tol(1e-12, 3e-5));
    snprintf(args, sizeof args, "grad task=file path=%s n=48 batch=64 rule=eprop", seq);
    compare_kernels(args, "credit grad (eprop)", test_tol(1e-12, 3e-5));
    /* A short run, then its Hessian: Lanczos on exact HVPs (hessian.c). */
    snprintf(dir, sizeof dir, "%s/blas_curv", tmp);
    int rc = test_credit(NULL, "train task=file path=%s n=24 batch=32 lr=0.05 iters=60 eval_every=30 hessian_batch=32 progress=0 out=%s",
                         seq, dir);
    CHECK(rc == 0, "blas: a short run for the curvature comparison", "rc %d", rc);
    snprintf(args, sizeof args, "curvature %s", dir);
    /* float: eigenvalues and trace are double on the same weights, but gamma
     * differences the rule's float direction, whose kernel-dependent
     * rounding (u |u|) the central difference divides by 2 gamma_step =
     * 2e-4: up to about 3e-4 of gamma; measured 2.8e-6 of the largest number */
    compare_kernels(args, "credit curvature (Lanczos eigenvalues, gamma, trace)", test_tol(1e-12, 3e-4));
}

void test_blas(void)
{
    test_rule();
    test_process();
    test_kernels_agree();
}
