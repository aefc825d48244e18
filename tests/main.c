/* main.c - runs every suite; the plugins are linked in statically (a list
 * the Makefile generates from the sources in rules/ and tasks/), so a new plugin is
 * covered by the conformance suite the day it is added. */
#define _GNU_SOURCE
#include "test.h"
#include "blas.h"
#include "plugin.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#define CREDIT_STATIC_RULE(id) const credit_rule *credit_rule_entry_##id(void);
#define CREDIT_STATIC_TASK(id) const credit_task *credit_task_entry_##id(void);
#include "static_plugins.h"
#undef CREDIT_STATIC_RULE
#undef CREDIT_STATIC_TASK

const credit_static_plugin test_static_plugins[] = {
#define CREDIT_STATIC_RULE(id) {CREDIT_KIND_RULE, #id, credit_rule_entry_##id, NULL},
#define CREDIT_STATIC_TASK(id) {CREDIT_KIND_TASK, #id, NULL, credit_task_entry_##id},
#include "static_plugins.h"
};
const size_t test_static_count = sizeof test_static_plugins / sizeof test_static_plugins[0];

int test_passed, test_failed, test_skipped;

void test_skip(const char *name, const char *fmt, ...)
{
    test_skipped++;
    printf("skip %s: ", name);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

int test_check(int cond, const char *name, const char *fmt, ...)
{
    if (cond) {
        test_passed++;
        printf("ok   %s\n", name);
    } else {
        test_failed++;
        printf("FAIL %s: ", name);
        va_list ap;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
    }
    fflush(stdout);
    return cond;
}

const char *test_root(void) { const char *r = getenv("CREDIT_ROOT"); return r ? r : "."; }
const char *test_build(void) { const char *b = getenv("CREDIT_BUILD"); return b ? b : "build"; }

static char tmpdir[256];
const char *test_tmp(void) { return tmpdir; }

/* Seconds since an arbitrary start (monotonic). */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CREDIT_TEST_TIMES=S: name every shell command of the tests that took more
 * than S seconds (where the suites' time goes). */
static void report_slow(const char *cmd, double seconds)
{
    const char *env = getenv("CREDIT_TEST_TIMES");
    if (env && seconds > atof(env)) printf("# slow %.1f s: %.160s\n", seconds, cmd);
}

int test_run(const char *cmd, char **out)
{
    char full[8192];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    double t0 = now_s();
    FILE *p = popen(full, "r");
    if (!p) return -1;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0;) {
        n += got;
        if (cap - n < 2) buf = realloc(buf, cap *= 2);
    }
    int status = pclose(p);
    report_slow(cmd, now_s() - t0);
    if (buf) buf[n] = 0;
    if (out) *out = buf;
    else free(buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int test_credit(char **out, const char *fmt, ...)
{
    char args[4096], cmd[4700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s/bin/credit %s", test_root(), args);
    return test_run(cmd, out);
}

int test_train_killed(const char *args, const char *dir)
{
    char cmd[8192], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "%s/bin/credit train %s out=%s & pid=$!; "
             "for i in $(seq 1000); do [ -f %s/checkpoint.bin ] && break; sleep 0.005; done; sleep 0.05; kill -9 $pid; wait $pid; "
             "[ -f %s/metrics.tsv ] && echo FINISHED_BEFORE_KILL; exit 0",
             test_root(), args, dir, dir, dir);
    test_run(cmd, &out);
    int killed = out && strstr(out, "FINISHED_BEFORE_KILL") == NULL;
    free(out);
    return killed;
}

char *test_slurp(const char *dir, const char *file)
{
    char path[1200], *text = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (credit_read_file(path, &text, NULL)) return NULL;
    return text;
}

char *test_body(const char *text)
{
    if (!text) return calloc(1, 1);
    char *out = calloc(strlen(text) + 1, 1), *o = out;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
        if (*line != '#') memcpy(o, line, n), o += n;
        line += n;
    }
    return out;
}

const char *test_last_line(const char *text)
{
    size_t n = strlen(text);
    if (n && text[n - 1] == '\n') n--;
    while (n && text[n - 1] != '\n') n--;
    return text + n;
}

void test_host_log(void *ctx, const char *fmt, ...) { (void)ctx; (void)fmt; }
int test_host_error(void *ctx, int status, const char *fmt, ...)
{
    (void)ctx;
    va_list ap;
    va_start(ap, fmt);
    credit_error_setv(__FILE__, __LINE__, status, fmt, ap);
    va_end(ap);
    return status;
}
void *test_host_alloc(void *ctx, size_t bytes) { (void)ctx; (void)bytes; return NULL; }
int test_host_no_bptt(void *ctx, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    (void)ctx; (void)tr; (void)w; (void)g;
    return CREDIT_EINVAL;
}

double test_rel_err(const double *a, const double *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t k = 0; k < n; k++) num += (a[k] - b[k]) * (a[k] - b[k]), den += b[k] * b[k];
    return den > 0 ? sqrt(num / den) : (num > 0 ? INFINITY : 0);
}

double test_rel_err_real(const credit_real *a, const credit_real *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t k = 0; k < n; k++) num += ((double)a[k] - b[k]) * ((double)a[k] - b[k]), den += (double)b[k] * b[k];
    return den > 0 ? sqrt(num / den) : (num > 0 ? INFINITY : 0);
}

void test_widen_into(double *dst, const credit_real *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

double *test_widen(const credit_real *src, size_t n)
{
    double *dst = src ? malloc(sizeof(double) * (n ? n : 1)) : NULL;
    if (dst) test_widen_into(dst, src, n);
    return dst;
}

credit_real *test_random_feedback(int n, int n_out, uint64_t seed)
{
    credit_real *Bf = malloc(sizeof(credit_real) * n * n_out);
    credit_rng rng;
    credit_rng_seed(&rng, seed, 0);
    for (int k = 0; k < n * n_out; k++) Bf[k] = credit_rng_normal(&rng) / sqrt((double)n_out);
    return Bf;
}

int test_files_equal(const char *a, const char *b)
{
    char *da, *db;
    size_t na, nb;
    if (credit_read_file(a, &da, &na)) return 0;
    if (credit_read_file(b, &db, &nb)) { free(da); return 0; }
    int eq = na == nb && memcmp(da, db, na) == 0;
    free(da);
    free(db);
    return eq;
}

int test_session(credit_session *s, const char *const *kv)
{
    credit_config cfg = {0};
    int st = CREDIT_OK;
    for (; *kv && !st; kv++) st = credit_config_assign(&cfg, *kv);
    if (!st) st = credit_session_open(s, &cfg);
    credit_config_free(&cfg);
    return st;
}

const char *test_seq_file(int mse)
{
    static char paths[2][300];
    char *path = paths[mse];
    if (*path) return path;
    snprintf(path, 300, "%s/seq_%s.txt", tmpdir, mse ? "mse" : "xent");
    FILE *fp = fopen(path, "w");
    const int T = 8, n_in = 2;
    fprintf(fp, "credit-sequences 1\n# test data\nn_in %d\nn_out 2\nT %d\nloss %s\n", n_in, T, mse ? "mse" : "xent");
    const char *splits[4] = {"train", "valid", "test", "test_perturbed"};
    int counts[4] = {64, 16, 32, 32};
    credit_rng rng;
    credit_rng_seed(&rng, 12345, 0);
    for (int sp = 0; sp < 4; sp++)
        for (int q = 0; q < counts[sp]; q++) {
            double x[8][2], sum = 0;
            for (int t = 0; t < T; t++) {
                x[t][0] = t < T / 2 ? credit_rng_normal(&rng) * (sp == 3 ? 1.5 : 1.0) : 0.0;
                x[t][1] = t == T - 1; /* a "go" cue */
                sum += x[t][0];
            }
            for (int t = 0; t < T; t++) {
                int last = t == T - 1;
                double t0 = mse ? (last ? (sum > 0) - (sum <= 0) : 0.0) : (sum > 0), t1 = mse ? 0.0 : (sum <= 0);
                if (mse && !last) t0 = 0;
                fprintf(fp, "%s %d %d %d %.17g %.17g %g %g\n", splits[sp], q, t, mse ? 1 : last, x[t][0], x[t][1], t0, t1);
            }
        }
    fclose(fp);
    return path;
}

/* name is one of the comma-separated names in list. */
static int name_listed(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p; p = strchr(p, ',')) {
        if (*p == ',') p++;
        if (strncmp(p, name, len) == 0 && (p[len] == ',' || !p[len])) return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    credit_blas_init(argv); /* as bin/credit does: may re-execute with OPENBLAS_CORETYPE set */
    snprintf(tmpdir, sizeof tmpdir, "/tmp/credit-test-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    credit_plugins_use_static(test_static_plugins, test_static_count);
    printf("# precision: %s\n", TEST_F32 ? "float32 (PREC=32; curvature in double)" : "float64");
    /* CREDIT_TEST_ONLY=core,rules runs only those suites (by name, without test_). */
    const char *only = getenv("CREDIT_TEST_ONLY");
    const struct { const char *name; void (*run)(void); } suites[] = {
        {"core", test_core}, {"gradcheck", test_gradcheck}, {"conformance", test_conformance}, {"plugins", test_plugins},
        {"cli", test_cli}, {"rules", test_rules}, {"rules2", test_rules2}, {"tasks", test_tasks}, {"curvature", test_curvature},
        {"blas", test_blas}, {"protocol", test_protocol}, {"stats", test_stats}, {"pipeline", test_pipeline},
        {"paper", test_paper_numbers}, {"figures", test_figures},
        {"reliability", test_reliability}, {"crash", test_crash}, {"certify", test_certify}, {"defects2", test_defects2}, {"report", test_report},
        {"design", test_design},
    };
    for (size_t i = 0; i < sizeof suites / sizeof *suites; i++) {
        if (!suites[i].run || (only && !name_listed(only, suites[i].name))) continue;
        /* Each suite's wall time, so that CI's budget shows where it goes. */
        double t0 = now_s();
        suites[i].run();
        printf("# suite %s: %.1f s\n", suites[i].name, now_s() - t0);
        fflush(stdout);
    }
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (!test_failed && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed, test_skipped);
    return test_failed ? 1 : 0;
}
