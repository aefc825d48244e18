/* bench.c - `make bench`: our trainer against a PyTorch reference of the same
 * network and loss, every rule against bptt, one Hessian-vector product
 * against one gradient, achieved GFLOP/s against the same products alone
 * (dgemm and sgemm, gemm_shapes.h), peak memory. PyTorch runs in float64 and
 * in float32 (its default); ours in this build's precision (make bench runs
 * the double build's and the single-precision build's, PREC=32).
 *
 * Timings are medians over rounds; every comparison is the median of ratios
 * taken within one round (ours and PyTorch's iterations interleave, PyTorch
 * served by a child process over a pipe), so a load change on the shared
 * machine moves both sides of a ratio alike. See bench/README.md.
 *
 *   bench [--quick] [--out FILE] [--python PY] [--torch SCRIPT] [--work DIR]
 *   bench --peak SIZE        (internal: a short bptt run whose peak RSS the parent reads)
 *   bench --profile SIZE RULE ITERS   (iterations only, for perf and callgrind)
 *
 * Plugins come from $CREDIT_RULE_PATH and $CREDIT_TASK_PATH (the make recipe
 * points the latter at the synthetic task in build/bench/tasks). */
#define _GNU_SOURCE
#include "blas.h"
#include "gemm_shapes.h"
#include "net.h"
#include "plugin.h"
#include "session.h"
#include "util.h"

#if __has_include("curvature.h")
#include "curvature.h"
#define BENCH_HESSIAN 1
#else
#define BENCH_HESSIAN 0
#endif

#include <cblas.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CREDIT_COMMIT
#define CREDIT_COMMIT "unknown"
#endif

/* ------------------------------------------------------------ sizes */

typedef struct bsize {
    const char *name;
    int B, T, n, n_in, n_out;
    const char *loss; /* the bench task's loss option */
    double leak;
    int rounds, quick_rounds;
    int warm; /* timed back-to-back iterations per sample, after the cold one */
    double vs_torch64, vs_torch32; /* targets (issue 15): bptt time over torch's, float64 and float32 */
} bsize;

/* sMNIST: the authors' network (no leak), scored at the last step. Long: the
 * same author's longer tasks (tau = 100 steps, a = exp(-1/100)), scored at
 * every step as in pattern generation. */
static const bsize sizes[] = {
    {"smnist", 256, 28, 128, 28, 10, "xent_last", 0.0, 15, 3, 3, 0.8, 0.9},
    {"long", 32, 500, 128, 28, 10, "mse_all", 0.99004983374916811, 11, 3, 2, 0.7, 0.7},
};
enum { N_SIZES = sizeof sizes / sizeof sizes[0] };
enum { MAX_RULES = 32, MAX_ROUNDS = 64 };
static const double L2 = 0.01, LR = 0.01;

static const bsize *size_named(const char *name)
{
    for (int i = 0; i < N_SIZES; i++)
        if (strcmp(sizes[i].name, name) == 0) return &sizes[i];
    return NULL;
}

/* Process CPU time beside wall time: on a shared machine other jobs stretch
 * wall time by preemption, which CPU time does not see (both are reported). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct sample { double wall, cpu; } sample;

static double bptt_flops(const bsize *z) { return 6.0 * z->B * z->T * ((double)z->n * z->n + (double)z->n * z->n_in); }

/* ------------------------------------------------------------ small helpers */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void die_credit(const char *what)
{
    die("%s: %s", what, *credit_error_message() ? credit_error_message() : "unknown error");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_ROUNDS];
    int m = 0;
    for (int i = 0; i < n; i++)
        if (v[i] == v[i]) s[m++] = v[i]; /* NaN: a measurement that did not happen */
    if (m == 0) return NAN;
    qsort(s, (size_t)m, sizeof *s, cmp_double);
    return m % 2 ? s[m / 2] : 0.5 * (s[m / 2 - 1] + s[m / 2]);
}

/* Median of the wall (which = 0) or CPU (1) times, and of their ratios a/b
 * taken round by round. */
static double med(const sample *x, int n, int which)
{
    double v[MAX_ROUNDS];
    for (int i = 0; i < n; i++) v[i] = which ? x[i].cpu : x[i].wall;
    return median(v, n);
}

static double med_ratio(const sample *a, const sample *b, int n, int which)
{
    double v[MAX_ROUNDS];
    for (int i = 0; i < n; i++) v[i] = which ? a[i].cpu / b[i].cpu : a[i].wall / b[i].wall;
    return median(v, n);
}

static void cfg_set(credit_config *c, const char *key, const char *fmt, ...)
{
    char val[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof val, fmt, ap);
    va_end(ap);
    if (credit_config_set(c, key, val, "bench")) die_credit("config");
}

static int open_session(credit_session *s, const bsize *z, const char *rule)
{
    credit_config cfg = {0};
    memset(s, 0, sizeof *s);
    cfg_set(&cfg, "rule", "%s", rule);
    cfg_set(&cfg, "task", "bench");
    cfg_set(&cfg, "n", "%d", z->n);
    cfg_set(&cfg, "batch", "%d", z->B);
    cfg_set(&cfg, "eval_chunk", "%d", z->B); /* B_max = B: no larger workspace than training needs */
    cfg_set(&cfg, "leak", "%.17g", z->leak);
    cfg_set(&cfg, "l2", "%g", L2);
    cfg_set(&cfg, "lr", "%g", LR);
    cfg_set(&cfg, "threads", "1");
    cfg_set(&cfg, "progress", "0");
    cfg_set(&cfg, "T", "%d", z->T);
    cfg_set(&cfg, "n_in", "%d", z->n_in);
    cfg_set(&cfg, "n_out", "%d", z->n_out);
    cfg_set(&cfg, "loss", "%s", z->loss);
    cfg_set(&cfg, "n_examples", "%d", 4 * z->B);
    int st = credit_session_open(s, &cfg);
    credit_config_free(&cfg);
    return st;
}

/* One training iteration exactly as credit_train does it. */
static void iterate(credit_session *s, long k)
{
    double loss, l2;
    const int B = (int)s->o.batch;
    credit_session_batch_index(s, k, s->index, B);
    if (credit_session_batch(s, CREDIT_SPLIT_TRAIN, s->index, B, &loss, NULL, NULL)) die_credit("batch");
    if (credit_session_gradient(s, 0, &l2)) die_credit("gradient");
    credit_session_update(s, credit_session_lr(s, k));
}

/* One exact gradient on a fixed batch (what an HVP is compared with). */
static void exact_gradient(credit_session *s)
{
    double loss, l2;
    const int B = (int)s->o.batch;
    for (int b = 0; b < B; b++) s->index[b] = (uint64_t)b;
    if (credit_session_batch(s, CREDIT_SPLIT_TRAIN, s->index, B, &loss, NULL, NULL)) die_credit("batch");
    if (credit_session_gradient(s, 1, &l2)) die_credit("gradient");
}

/* ------------------------------------------------------------ the PyTorch child */

typedef struct torch_proc {
    pid_t pid;
    FILE *to, *from;
} torch_proc;

static int torch_start(torch_proc *p, const char *python, const char *script)
{
    int in[2], out[2];
    if (pipe(in) || pipe(out)) return -1;
    p->pid = fork();
    if (p->pid < 0) return -1;
    if (p->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        execl(python, python, script, "serve", (char *)NULL);
        fprintf(stderr, "bench: cannot run %s: %s\n", python, strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    p->to = fdopen(in[1], "w");
    p->from = fdopen(out[0], "r");
    return p->to && p->from ? 0 : -1;
}

/* Send one command line, return the one answer line (static buffer). */
static const char *torch_ask(torch_proc *p, const char *fmt, ...)
{
    static char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->to, fmt, ap);
    va_end(ap);
    fputc('\n', p->to);
    fflush(p->to);
    if (!fgets(line, sizeof line, p->from)) die("the PyTorch reference exited (see its message above)");
    line[strcspn(line, "\n")] = 0;
    if (strncmp(line, "error", 5) == 0) die("PyTorch reference: %s", line);
    return line;
}

static void torch_stop(torch_proc *p)
{
    if (!p->pid) return;
    fputs("quit\n", p->to);
    fclose(p->to);
    fclose(p->from);
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
}

/* ------------------------------------------------------------ gradient dump for the reference check */

/* Our precision: make bench builds this file twice (build/ and build-f32/). */
#define OURS_DTYPE (CREDIT_PRECISION == CREDIT_PRECISION_SINGLE ? "f32" : "f64")
#define OURS_NAME (CREDIT_PRECISION == CREDIT_PRECISION_SINGLE ? "float32" : "float64")
/* Our gradient against torch's float64 one on the same (float-valued, in
 * single precision) weights and batch: double agrees to rounding; float
 * carries its own rounding through T steps and sums of T*B terms. */
#define GRAD_TOL (CREDIT_PRECISION == CREDIT_PRECISION_SINGLE ? 1e-4 : 1e-10)

/* The dump holds doubles whatever our precision (widened, exactly). */
static void write_real(const credit_real *x, size_t n, FILE *fp)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        fwrite(&v, sizeof v, 1, fp);
    }
}

/* Layout read by torch_ref.py's check command: magic, sizes, weights, the
 * batch, and our gradients (bptt; eprop when that rule is present). */
static void dump_gradients(const char *path, credit_session *sb, credit_session *se, const bsize *z)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) die("cannot write %s: %s", path, strerror(errno));
    exact_gradient(sb);
    const credit_fwd *f = &sb->fwd;
    const size_t TB = (size_t)z->T * z->B, np = sb->n_params;
    int32_t head[8] = {z->B, z->T, z->n, z->n_in, z->n_out, sb->info.loss == CREDIT_LOSS_MSE, se != NULL, 0};
    double real[2] = {z->leak, L2};
    fwrite("CRBENCH1", 1, 8, fp);
    fwrite(head, sizeof head, 1, fp);
    fwrite(real, sizeof real, 1, fp);
    write_real(sb->theta, np, fp);
    write_real(f->x, TB * z->n_in, fp);
    write_real(f->target, TB * z->n_out, fp);
    write_real(f->mask, TB, fp);
    write_real(sb->grad, np, fp);
    if (se) {
        memcpy(se->theta, sb->theta, sizeof(credit_real) * np);
        double loss, l2;
        for (int b = 0; b < z->B; b++) se->index[b] = (uint64_t)b;
        if (credit_session_batch(se, CREDIT_SPLIT_TRAIN, se->index, z->B, &loss, NULL, NULL)) die_credit("batch");
        if (credit_session_gradient(se, 0, &l2)) die_credit("gradient");
        write_real(se->grad, np, fp);
    }
    if (fclose(fp)) die("write to %s failed", path);
}

/* ------------------------------------------------------------ dgemm on this machine */

static double dgemm_gflops(int M, int N, int K, int reps, double *cpu_gflops)
{
    /* Small products repeat inside one sample, so a sample lasts ~10 ms. */
    const int inner = (int)(3e8 / (2.0 * M * N * K)) + 1;
    double *A = malloc(sizeof(double) * (size_t)M * K), *Bm = malloc(sizeof(double) * (size_t)K * N),
           *C = calloc((size_t)M * N, sizeof(double));
    if (!A || !Bm || !C) die("out of memory");
    for (size_t i = 0; i < (size_t)M * K; i++) A[i] = (double)(i % 7) * 0.1;
    for (size_t i = 0; i < (size_t)K * N; i++) Bm[i] = (double)(i % 5) * 0.1;
    sample t[MAX_ROUNDS];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0, A, K, Bm, N, 0.0, C, N); /* warm */
    for (int r = 0; r < reps; r++) {
        double w0 = credit_now(), c0 = cpu_now();
        for (int i = 0; i < inner; i++) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0, A, K, Bm, N, 0.0, C, N);
        t[r] = (sample){credit_now() - w0, cpu_now() - c0};
    }
    free(A); free(Bm); free(C);
    double flops = 2.0 * M * N * K * inner;
    *cpu_gflops = flops / med(t, reps, 1) / 1e9;
    return flops / med(t, reps, 0) / 1e9;
}

/* ------------------------------------------------------------ peak memory */

/* Peak resident memory of a process, VmHWM: unlike getrusage's ru_maxrss
 * it starts afresh at exec, so it does not inherit the parent's size. */
static long vm_hwm_kb(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (fp && fgets(line, sizeof line, fp))
        if (sscanf(line, "VmHWM: %ld", &kb) == 1) break;
    if (fp) fclose(fp);
    return kb;
}

/* A fresh process (this program, --peak) runs a few bptt iterations and
 * prints its VmHWM. */
static double peak_rss_mib(const char *self, const char *size)
{
    char cmd[4400], line[128];
    snprintf(cmd, sizeof cmd, "'%s' --peak %s", self, size);
    FILE *p = popen(cmd, "r");
    long kb = -1;
    if (!p || !fgets(line, sizeof line, p) || sscanf(line, "%ld", &kb) != 1 || pclose(p) != 0 || kb < 0)
        die("the peak-memory run at size %s failed", size);
    return kb / 1024.0;
}

static int peak_child(const char *name)
{
    const bsize *z = size_named(name);
    if (!z) die("unknown size %s", name);
    credit_session s;
    if (open_session(&s, z, "bptt")) die_credit("session");
    for (long k = 0; k < 3; k++) iterate(&s, k);
    credit_session_close(&s);
    printf("%ld\n", vm_hwm_kb());
    return 0;
}

/* For perf and callgrind: ITERS training iterations of one rule, nothing else. */
static int profile_child(const char *name, const char *rule, long iters)
{
    const bsize *z = size_named(name);
    if (!z) die("unknown size %s", name);
    credit_session s;
    if (open_session(&s, z, rule)) die_credit("session");
    iterate(&s, 0); /* warm */
    double t0 = credit_now(), c0 = cpu_now();
    for (long k = 1; k <= iters; k++) iterate(&s, k);
    printf("%s %s: %.4f s per iteration (cpu %.4f s)\n", name, rule, (credit_now() - t0) / (double)iters,
           (cpu_now() - c0) / (double)iters);
    credit_session_close(&s);
    return 0;
}

/* ------------------------------------------------------------ the table */

typedef struct row {
    char quantity[64], size[16], unit[16], target[24], status[40];
    double value, cpu; /* cpu: the same from CPU time, NaN where it does not apply */
} row;

static row rows[256];
static int n_rows;

/* A target is judged on value (wall time); cpu is shown beside it. */
static void add_row2(const char *quantity, const char *size, double value, double cpu_value, const char *unit,
                     const char *target, double limit)
{
    row *r = &rows[n_rows++];
    r->cpu = cpu_value;
    snprintf(r->quantity, sizeof r->quantity, "%s", quantity);
    snprintf(r->size, sizeof r->size, "%s", size);
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    snprintf(r->target, sizeof r->target, "%s", target ? target : "");
    r->value = value;
    if (!target) snprintf(r->status, sizeof r->status, "%s", "");
    else if (value != value) snprintf(r->status, sizeof r->status, "not measured");
    else if (target[0] == '>' ? value >= limit : value <= limit) snprintf(r->status, sizeof r->status, "met");
    else if (target[0] == '>') snprintf(r->status, sizeof r->status, "missed by %.0f%%", 100.0 * (1.0 - value / limit));
    else snprintf(r->status, sizeof r->status, "missed by %.0f%%", 100.0 * (value / limit - 1.0));
    char cpu[32] = "-";
    if (cpu_value == cpu_value) snprintf(cpu, sizeof cpu, "%.4g", cpu_value);
    printf("%-30s %-6s %10.4g %10s  %-8s %-8s %s\n", r->quantity, r->size, r->value, cpu, r->unit, r->target, r->status);
    fflush(stdout);
}

static void add_row(const char *quantity, const char *size, double value, const char *unit, const char *target, double limit)
{
    add_row2(quantity, size, value, NAN, unit, target, limit);
}

static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *fp = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (fp && fgets(line, sizeof line, fp))
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c += 1 + (c[1] == ' ');
                c[strcspn(c, "\n")] = 0;
                snprintf(buf, len, "%s", c);
            }
            break;
        }
    if (fp) fclose(fp);
}

static void loadavg(char *buf, size_t len)
{
    snprintf(buf, len, "?");
    FILE *fp = fopen("/proc/loadavg", "r");
    if (fp && fgets(buf, (int)len, fp)) buf[strcspn(buf, "\n")] = 0;
    if (fp) fclose(fp);
}

static void write_tsv(const char *path, const char *provenance)
{
    credit_afile a;
    if (credit_afile_open(&a, path)) die_credit("results");
    fputs(provenance, a.fp);
    fprintf(a.fp, "quantity\tsize\tvalue\tcpu\tunit\ttarget\tstatus\n");
    for (int i = 0; i < n_rows; i++)
        fprintf(a.fp, "%s\t%s\t%.6g\t%.6g\t%s\t%s\t%s\n", rows[i].quantity, rows[i].size, rows[i].value, rows[i].cpu,
                rows[i].unit, rows[i].target, rows[i].status);
    if (credit_afile_commit(&a)) die_credit("results");
}

/* ------------------------------------------------------------ one size */

static void bench_size(const bsize *z, int quick, torch_proc *py, const char *work)
{
    /* Every rule present, bptt first. */
    char **names;
    size_t n_names;
    if (credit_plugin_names(CREDIT_KIND_RULE, &names, &n_names)) die_credit("rule list");
    const char *rule[MAX_RULES];
    credit_session *sess = calloc(MAX_RULES, sizeof *sess);
    int n_rules = 0, i_eprop = -1;
    rule[n_rules++] = "bptt";
    for (size_t i = 0; i < n_names && n_rules < MAX_RULES; i++)
        if (strcmp(names[i], "bptt") != 0) rule[n_rules++] = names[i];
    int ok[MAX_RULES];
    for (int r = 0; r < n_rules; r++) {
        ok[r] = open_session(&sess[r], z, rule[r]) == CREDIT_OK;
        if (!ok[r]) fprintf(stderr, "bench: rule %s skipped: %s\n", rule[r], credit_error_message());
        if (ok[r] && strcmp(rule[r], "eprop") == 0) i_eprop = r;
    }
    if (!ok[0]) die_credit("bptt session");

    /* Same network, same loss: the reference's gradients against ours. */
    char dump[4200];
    snprintf(dump, sizeof dump, "%s/grad_%s.bin", work, z->name);
    dump_gradients(dump, &sess[0], i_eprop >= 0 ? &sess[i_eprop] : NULL, z);
    double rel_bptt = NAN, rel_eprop = NAN;
    if (sscanf(torch_ask(py, "check %s", dump), "%lf %lf", &rel_bptt, &rel_eprop) < 1) die("bad answer to check");
    remove(dump);
    torch_ask(py, "open %s %d %d %d %d %d %s %.17g %g %g %d", z->name, z->B, z->T, z->n, z->n_in, z->n_out, z->loss, z->leak,
              L2, LR, 4 * z->B);

    /* Warm-up: page in workspaces, let BLAS allocate its buffers. */
    for (int r = 0; r < n_rules; r++)
        if (ok[r])
            for (long k = 0; k < 2; k++) iterate(&sess[r], k);

    /* A round gives every contestant one sample: a "cold" iteration right
     * after the others ran (caches hold their data), then z->warm timed
     * back-to-back iterations, as in a training run ("warm", their mean). */
    const int rounds = quick ? z->quick_rounds : z->rounds;
    /* PyTorch's contestants: bptt and eprop in float64, then in float32. */
    enum { TORCH_N = 4 };
    static const char *torch_rule[TORCH_N] = {"bptt", "eprop", "bptt", "eprop"}, *torch_dtype[TORCH_N] = {"f64", "f64", "f32", "f32"};
    static sample t[MAX_RULES][MAX_ROUNDS], tt[TORCH_N][MAX_ROUNDS], tc[MAX_RULES][MAX_ROUNDS], ttc[TORCH_N][MAX_ROUNDS];
    long k_iter = 2;
    /* The machine's dgemm rate, measured in every round too, so achieved
     * GFLOP/s compares with it at the same moment (the host's speed drifts):
     * a square product, and the products of one bptt iteration alone
     * (gemm_shapes.h) in double and in single precision. */
    const int P = 1024;
    double *pa = calloc((size_t)3 * P * P, sizeof(double));
    if (!pa) die("out of memory");
    for (size_t i = 0; i < (size_t)2 * P * P; i++) pa[i] = (double)(i % 7) * 0.1;
    gemm_shapes gs[2];
    for (int k = 0; k < 2; k++) {
        if (gemm_shapes_alloc(&gs[k], z->B, z->T, z->n, z->n_in, z->n_out, strcmp(z->loss, "mse_all") == 0, k)) die("out of memory");
        gemm_shapes_run(&gs[k]); /* warm */
    }
    static sample tp[MAX_ROUNDS], tg[2][MAX_ROUNDS];
    for (int q = 0; q < rounds; q++) {
        double pw = credit_now(), pc = cpu_now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, P, P, P, 1.0, pa, P, pa + P * P, P, 0.0, pa + 2 * P * P, P);
        tp[q] = (sample){credit_now() - pw, cpu_now() - pc};
        for (int k = 0; k < 2; k++) {
            double gw = credit_now(), gc = cpu_now();
            gemm_shapes_run(&gs[k]);
            tg[k][q] = (sample){credit_now() - gw, cpu_now() - gc};
        }
        for (int r = 0; r < n_rules; r++) {
            t[r][q] = tc[r][q] = (sample){NAN, NAN};
            if (!ok[r]) continue;
            double w0 = credit_now(), c0 = cpu_now();
            iterate(&sess[r], k_iter++);
            double w1 = credit_now(), c1 = cpu_now();
            for (int i = 0; i < z->warm; i++) iterate(&sess[r], k_iter++);
            tc[r][q] = (sample){w1 - w0, c1 - c0};
            t[r][q] = (sample){(credit_now() - w1) / z->warm, (cpu_now() - c1) / z->warm};
        }
        for (int k = 0; k < TORCH_N; k++)
            if (sscanf(torch_ask(py, "time %s %d %s", torch_rule[k], z->warm, torch_dtype[k]), "%lf %lf %lf %lf", &ttc[k][q].wall,
                       &ttc[k][q].cpu, &tt[k][q].wall, &tt[k][q].cpu) != 4)
                die("bad answer to time");
        if (isatty(2)) fprintf(stderr, "\r%s: round %d/%d", z->name, q + 1, rounds);
    }
    if (isatty(2)) fprintf(stderr, "\r%*s\r", 40, "");

    char q[64], tgt[24];
    add_row2("iter_s bptt", z->name, med(t[0], rounds, 0), med(t[0], rounds, 1), "s", NULL, 0);
    for (int k = 0; k < TORCH_N; k += 2) {
        snprintf(q, sizeof q, "iter_s torch_bptt %s", torch_dtype[k]);
        add_row2(q, z->name, med(tt[k], rounds, 0), med(tt[k], rounds, 1), "s", NULL, 0);
    }
    /* The targets compare like with like: ours against torch in our precision. */
    for (int k = 0; k < TORCH_N; k += 2) {
        int same = strcmp(torch_dtype[k], OURS_DTYPE) == 0;
        double limit = k ? z->vs_torch32 : z->vs_torch64;
        snprintf(q, sizeof q, "bptt/torch_bptt %s", torch_dtype[k]);
        snprintf(tgt, sizeof tgt, "<= %g", limit);
        add_row2(q, z->name, med_ratio(t[0], tt[k], rounds, 0), med_ratio(t[0], tt[k], rounds, 1), "ratio", same ? tgt : NULL,
                 same ? limit : 0);
    }
    add_row2("iter_s bptt (cold)", z->name, med(tc[0], rounds, 0), med(tc[0], rounds, 1), "s", NULL, 0);
    for (int k = 0; k < TORCH_N; k += 2) {
        snprintf(q, sizeof q, "bptt/torch_bptt %s (cold)", torch_dtype[k]);
        add_row2(q, z->name, med_ratio(tc[0], ttc[k], rounds, 0), med_ratio(tc[0], ttc[k], rounds, 1), "ratio", NULL, 0);
    }
    if (i_eprop >= 0) add_row2("iter_s eprop", z->name, med(t[i_eprop], rounds, 0), med(t[i_eprop], rounds, 1), "s", NULL, 0);
    for (int k = 1; k < TORCH_N; k += 2) {
        snprintf(q, sizeof q, "iter_s torch_eprop %s", torch_dtype[k]);
        add_row2(q, z->name, med(tt[k], rounds, 0), med(tt[k], rounds, 1), "s", NULL, 0);
    }
    for (int k = 1; k < TORCH_N && i_eprop >= 0; k += 2) {
        snprintf(q, sizeof q, "eprop/torch_eprop %s", torch_dtype[k]);
        add_row2(q, z->name, med_ratio(t[i_eprop], tt[k], rounds, 0), med_ratio(t[i_eprop], tt[k], rounds, 1), "ratio", NULL, 0);
    }
    for (int r = 1; r < n_rules; r++) {
        if (!ok[r]) continue;
        snprintf(q, sizeof q, "%s/bptt", rule[r]);
        add_row2(q, z->name, med_ratio(t[r], t[0], rounds, 0), med_ratio(t[r], t[0], rounds, 1), "ratio", "<= 1.2", 1.2);
    }
    snprintf(tgt, sizeof tgt, "<= %g", GRAD_TOL);
    add_row("gradient vs torch f64: bptt", z->name, rel_bptt, "rel.err", tgt, GRAD_TOL);
    if (i_eprop >= 0) add_row("gradient vs torch f64: eprop", z->name, rel_eprop, "rel.err", tgt, GRAD_TOL);
    add_row2("bptt GFLOP/s", z->name, bptt_flops(z) / med(t[0], rounds, 0) / 1e9, bptt_flops(z) / med(t[0], rounds, 1) / 1e9,
             "GFLOP/s", NULL, 0);
    /* The iteration against its own products alone: the time they need over
     * the time the whole iteration takes (= achieved GFLOP/s of those flops
     * over the rate the products reach alone), round by round. */
    const double gflop = gemm_shapes_flops(&gs[0]) / 1e9;
    for (int k = 0; k < 2; k++) {
        snprintf(q, sizeof q, "%s bptt products GFLOP/s", k ? "sgemm" : "dgemm");
        add_row2(q, z->name, gflop / med(tg[k], rounds, 0), gflop / med(tg[k], rounds, 1), "GFLOP/s", NULL, 0);
    }
    const int ours_k = CREDIT_PRECISION == CREDIT_PRECISION_SINGLE; /* gs[1]: the sgemm shapes */
    add_row2(ours_k ? "bptt rate / sgemm products" : "bptt rate / dgemm products", z->name, med_ratio(tg[ours_k], t[0], rounds, 0),
             med_ratio(tg[ours_k], t[0], rounds, 1), "ratio", ">= 0.75", 0.75);
    add_row2("torch f64 rate / dgemm prod.", z->name, med_ratio(tg[0], tt[0], rounds, 0), med_ratio(tg[0], tt[0], rounds, 1), "ratio",
             NULL, 0);
    add_row2("torch f32 rate / sgemm prod.", z->name, med_ratio(tg[1], tt[2], rounds, 0), med_ratio(tg[1], tt[2], rounds, 1), "ratio",
             NULL, 0);
    for (int k = 0; k < 2; k++) gemm_shapes_free(&gs[k]);
    add_row2("dgemm 1024^3 GFLOP/s (rounds)", z->name, 2.0 * P * P * P / med(tp, rounds, 0) / 1e9,
             2.0 * P * P * P / med(tp, rounds, 1) / 1e9, "GFLOP/s", NULL, 0);
    /* achieved / dgemm = (flops / t_bptt) / (flops_dgemm / t_dgemm), round by round */
    for (int k = 0; k < rounds; k++) {
        tp[k].wall *= bptt_flops(z) / (2.0 * P * P * P);
        tp[k].cpu *= bptt_flops(z) / (2.0 * P * P * P);
    }
    add_row2("bptt GFLOP/s / dgemm GFLOP/s", z->name, med_ratio(tp, t[0], rounds, 0), med_ratio(tp, t[0], rounds, 1), "ratio",
             NULL, 0);
    free(pa);

#if BENCH_HESSIAN
    /* One HVP against one exact gradient (forward, loss, BPTT) on the same
     * batch of B examples: W_rec only (the curvature default), and all
     * parameters. */
    for (int all = 0; all < 2; all++) {
        credit_hessian *h;
        if (credit_curvature_hessian(&h, &sess[0], all, CREDIT_SPLIT_TRAIN, NULL, (uint64_t)z->B)) die_credit("hessian");
        size_t dim = credit_hessian_dim(h);
        double *v = malloc(2 * sizeof(double) * dim);
        if (!v) die("out of memory");
        credit_rng rng;
        credit_rng_seed(&rng, 7, 7);
        for (size_t k = 0; k < dim; k++) v[k] = credit_rng_normal(&rng);
        sample th[MAX_ROUNDS], tgr[MAX_ROUNDS];
        if (credit_hessian_apply(h, v, v + dim)) die_credit("hessian apply");
        exact_gradient(&sess[0]);
        for (int k = 0; k < rounds; k++) {
            double w0 = credit_now(), c0 = cpu_now();
            if (credit_hessian_apply(h, v, v + dim)) die_credit("hessian apply");
            double w1 = credit_now(), c1 = cpu_now();
            exact_gradient(&sess[0]);
            th[k] = (sample){w1 - w0, c1 - c0};
            tgr[k] = (sample){credit_now() - w1, cpu_now() - c1};
        }
        snprintf(q, sizeof q, "hvp/gradient (%s)", all ? "all params" : "W_rec");
        add_row2(q, z->name, med_ratio(th, tgr, rounds, 0), med_ratio(th, tgr, rounds, 1), "ratio", "<= 2", 2.0);
        free(v);
        credit_hessian_close(h);
    }
#else
    add_row("hvp/gradient (core/hessian.h absent)", z->name, NAN, "ratio", "<= 2", 2.0);
#endif

    for (int r = 0; r < n_rules; r++) credit_session_close(&sess[r]); /* closable even if open failed */
    free(sess);
    credit_plugin_names_free(names, n_names);
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    credit_blas_init(argv); /* may re-execute with OPENBLAS_CORETYPE set: before any BLAS call */
    const char *out = "results/bench.tsv", *python = "/usr/bin/python3", *script = "bench/torch_ref.py", *work = "build/bench";
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--peak") == 0 && i + 1 < argc) return peak_child(argv[i + 1]);
        else if (strcmp(argv[i], "--profile") == 0 && i + 3 < argc) return profile_child(argv[i + 1], argv[i + 2], atol(argv[i + 3]));
        else if (strcmp(argv[i], "--quick") == 0) quick = 1;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(argv[i], "--python") == 0 && i + 1 < argc) python = argv[++i];
        else if (strcmp(argv[i], "--torch") == 0 && i + 1 < argc) script = argv[++i];
        else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc) work = argv[++i];
        else die("usage: bench [--quick] [--out FILE] [--python PY] [--torch SCRIPT] [--work DIR]");
    }
    openblas_set_num_threads(1);
    signal(SIGPIPE, SIG_IGN);

    char cpu[256], load0[128], load1[128], date[64];
    cpu_model(cpu, sizeof cpu);
    loadavg(load0, sizeof load0);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    torch_proc py = {0};
    if (torch_start(&py, python, script)) die("cannot start %s %s", python, script);
    const char *torch_version = torch_ask(&py, "version");
    char tv[128], tblas[256];
    snprintf(tv, sizeof tv, "%s", torch_version);
    snprintf(tblas, sizeof tblas, "%s", torch_ask(&py, "blas"));

    printf("# make bench: %s, 1 thread, commit %s; ours %s, torch %s float64 and float32\n", cpu, CREDIT_COMMIT, OURS_NAME, tv);
    printf("# blas (ours) %s\n# blas (torch) %s\n", credit_blas_describe(), tblas);
    printf("%-30s %-6s %10s %10s  %-8s %-8s %s\n", "quantity", "size", "wall", "cpu", "unit", "target", "status");
    for (int i = 0; i < N_SIZES; i++) bench_size(&sizes[i], quick, &py, work);

    /* Machine limits: a square dgemm (the achievable peak), the shape of the
     * weight-gradient products (128 x 128 x B*T) and of one step of the
     * recurrence (B x 128 x 128). */
    const int reps = quick ? 3 : 9;
    double gw, gc;
    gw = dgemm_gflops(1024, 1024, 1024, reps, &gc);
    add_row2("dgemm 1024^3 GFLOP/s", "-", gw, gc, "GFLOP/s", NULL, 0);
    for (int i = 0; i < N_SIZES; i++) {
        const bsize *z = &sizes[i];
        char q[64];
        snprintf(q, sizeof q, "dgemm %dx%dx%d GFLOP/s", z->n, z->n, z->B * z->T);
        gw = dgemm_gflops(z->n, z->n, z->B * z->T, reps, &gc);
        add_row2(q, z->name, gw, gc, "GFLOP/s", NULL, 0);
        snprintf(q, sizeof q, "dgemm %dx%dx%d GFLOP/s", z->B, z->n, z->n);
        gw = dgemm_gflops(z->B, z->n, z->n, reps, &gc);
        add_row2(q, z->name, gw, gc, "GFLOP/s", NULL, 0);
    }
    for (int i = 0; i < N_SIZES; i++) {
        const bsize *z = &sizes[i];
        /* The forward workspace credit_fwd_alloc sizes (net.c): x, target,
         * mask, v, z (T+1 steps), psi, y, dy, L, delta, g. */
        double TB = (double)z->T * z->B;
        double traj = 8.0 * (TB * (z->n_in + 3.0 * z->n_out + 1) + (5 * TB + 2.0 * z->B) * z->n);
        add_row("trajectory (credit_fwd)", z->name, traj / 1048576.0, "MiB", NULL, 0);
        add_row("peak RSS bptt run", z->name, peak_rss_mib(argv[0], z->name), "MiB", NULL, 0);
        double base = NAN, peak_kb = NAN;
        if (sscanf(torch_ask(&py, "peak %s %d %d %d %d %d %s %.17g %g %g %d", z->name, z->B, z->T, z->n, z->n_in, z->n_out,
                             z->loss, z->leak, L2, LR, 4 * z->B),
                   "%lf %lf", &peak_kb, &base) != 2)
            die("bad answer to peak");
        add_row("peak RSS torch bptt run", z->name, peak_kb / 1024.0, "MiB", NULL, 0);
        add_row("  of which import torch", z->name, base / 1024.0, "MiB", NULL, 0);
    }
    torch_stop(&py);
    loadavg(load1, sizeof load1);

    char prov[2048];
    snprintf(prov, sizeof prov,
             "# make bench (bench/bench.c, bench/torch_ref.py)\n# commit %s\n# date %s\n# machine %s, %ld cores online\n"
             "# threads 1 (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)); ours %s, torch float64 and float32\n"
             "# blas %s\n# openblas config %s\n# torch %s, blas %s\n"
             "# loadavg before %s\n# loadavg after %s\n# rounds %s\n",
             CREDIT_COMMIT, date, cpu, sysconf(_SC_NPROCESSORS_ONLN), OURS_NAME, credit_blas_describe(), openblas_get_config(), tv, tblas, load0,
             load1, quick ? "quick" : "full");
    printf("# loadavg before: %s; after: %s\n", load0, load1);
    write_tsv(out, prov);
    printf("# written to %s\n", out);
    return 0;
}
