/* stats.c - credit-stats: raw runs -> the pipeline's tables.
 *
 *   credit-stats MANIFEST OUTDIR [alpha=0.05] [tol=0.1] [profile=NAME]
 *
 * MANIFEST (written by mk/figures.mk): a header row, then one row per run and
 * experiment group: group task rule seed x dir. x is the group's variable:
 * the learning rate (main, lr), K (tbptt), the factor c (remedy), the boost
 * factor (boost). A run may be listed in several groups.
 *
 * Reads each DIR/metrics.tsv (required: a missing one is an error: the
 * results are incomplete), DIR/config.txt, DIR/curve.tsv, and the curvature
 * files when present (DIR/curvature_final.tsv, else the last row of
 * DIR/curvature.tsv). Writes TSV tables, Markdown fragments for the paper,
 * values.tsv (every number the paper quotes) and claims.tsv (the verdicts).
 * Output is a function of the inputs only: no dates, fixed formats.
 */
#define _POSIX_C_SOURCE 200809L
#include "statlib.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ small utils */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("credit-stats: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) die("out of memory");
    return p;
}

static char *xstrdup(const char *s) { return strcpy(xcalloc(strlen(s) + 1, 1), s); }

/* A TSV file: '#' lines skipped, the first other line is the header. */
typedef struct table {
    char **head;
    size_t ncol;
    char ***row; /* row[i][j] */
    size_t nrow;
} table;

static size_t split_tabs(char *line, char ***out)
{
    size_t n = 1;
    for (char *p = line; *p; p++) n += *p == '\t';
    char **f = xcalloc(n, sizeof *f);
    size_t k = 0;
    for (char *p = line;;) {
        f[k++] = p;
        char *t = strchr(p, '\t');
        if (!t) break;
        *t = 0;
        p = t + 1;
    }
    *out = f;
    return n;
}

/* Returns 0 on success, -1 if the file does not exist; dies on a malformed one. */
static int table_read(table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno == ENOENT) return -1;
        die("%s: %s", path, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (line[0] == '#' || len == 0) continue;
        char **f;
        size_t n = split_tabs(xstrdup(line), &f);
        if (!t->head) {
            t->head = f;
            t->ncol = n;
            continue;
        }
        if (n != t->ncol) die("%s: a row has %zu fields, the header %zu", path, n, t->ncol);
        t->row = xrealloc(t->row, (t->nrow + 1) * sizeof *t->row);
        t->row[t->nrow++] = f;
    }
    free(line);
    fclose(fp);
    if (!t->head) die("%s: no header row", path);
    return 0;
}

/* A table from table_read: field 0 of each row owns the row's line. */
static void table_free(table *t)
{
    if (t->head) free(t->head[0]);
    free(t->head);
    for (size_t i = 0; i < t->nrow; i++) {
        free(t->row[i][0]);
        free(t->row[i]);
    }
    free(t->row);
    memset(t, 0, sizeof *t);
}

static int table_col(const table *t, const char *name)
{
    for (size_t j = 0; t->head && j < t->ncol; j++)
        if (strcmp(t->head[j], name) == 0) return (int)j;
    return -1;
}

static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end == s ? NAN : v;
}

/* ------------------------------------------------------------ runs */

enum field {
    F_TRAIN_LOSS, F_TRAIN_ACC, F_TEST_LOSS, F_TEST_ACC, F_PTEST_LOSS, F_PTEST_ACC,
    F_GAP_LOSS, F_GAP_ACC, F_PGAP_LOSS, F_PGAP_ACC,
    F_LAMBDA, F_GAMMA, F_BOUND_GD, F_BOUND_RULE, F_LAMBDA0, F_LAMBDA_GD, F_LAMBDA_RULE,
    F_LR, F_ITERS, F_DIVERGED, NF
};
static const char *field_name[NF] = {
    "train_loss", "train_acc", "test_loss", "test_acc", "ptest_loss", "ptest_acc",
    "gap_loss", "gap_acc", "pgap_loss", "pgap_acc",
    "lambda_max", "gamma", "bound_gd", "bound_rule", "lambda_max_initial", "lambda_over_gd", "lambda_over_rule",
    "lr", "iterations", "diverged"};

typedef struct series { size_t n; double *iter, *v[6]; } series;

static void series_free(series *s)
{
    free(s->iter);
    for (int k = 0; k < 6; k++) free(s->v[k]);
    memset(s, 0, sizeof *s);
}

typedef struct run {
    char *group, *task, *rule, *dir, *status;
    long seed;
    double x;
    double f[NF];
    series curv;  /* iter, lambda_max */
    series curve; /* evaluation rows: iter, train_loss, test_loss, train_acc, test_acc, ptest_loss, ptest_acc */
    table config; /* key, value (parsed from config.txt) */
} run;

static run *runs;
static size_t nruns;
static double alpha = 0.05, tol = 0.1;
static const char *profile = "";
static const char *outdir;

static void read_config(run *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.txt", r->dir);
    FILE *fp = fopen(path, "r");
    if (!fp) die("%s: %s (the run is incomplete)", path, strerror(errno));
    table *t = &r->config;
    t->ncol = 3;
    char *line = NULL, section[64] = "core";
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (line[0] == '#') {
            /* "# core", "# rule NAME", "# task NAME" open sections */
            if (!strncmp(line, "# core", 6) || ((!strncmp(line, "# rule ", 7) || !strncmp(line, "# task ", 7)) && !strchr(line + 7, ' ')))
                snprintf(section, sizeof section, "%.4s", line + 2);
            continue;
        }
        char *eq = strstr(line, " = ");
        if (!eq) continue;
        *eq = 0;
        t->row = xrealloc(t->row, (t->nrow + 1) * sizeof *t->row);
        char **f = xcalloc(3, sizeof *f);
        f[0] = xstrdup(line);
        f[1] = xstrdup(eq + 3);
        f[2] = xstrdup(section);
        t->row[t->nrow++] = f;
    }
    free(line);
    fclose(fp);
}

static const char *config_get(const run *r, const char *key)
{
    for (size_t i = 0; i < r->config.nrow; i++)
        if (strcmp(r->config.row[i][0], key) == 0) return r->config.row[i][1];
    return NULL;
}

static void read_series(series *s, const char *path, const char *const *cols, int ncols, const char *need_col)
{
    table t;
    memset(s, 0, sizeof *s);
    if (table_read(&t, path)) return;
    int ci = table_col(&t, "iter"), cj[6], need = need_col ? table_col(&t, need_col) : -1;
    if (ci < 0) die("%s: no 'iter' column", path);
    for (int k = 0; k < ncols; k++)
        if ((cj[k] = table_col(&t, cols[k])) < 0) die("%s: no '%s' column", path, cols[k]);
    s->iter = xcalloc(t.nrow, sizeof(double));
    for (int k = 0; k < ncols; k++) s->v[k] = xcalloc(t.nrow, sizeof(double));
    for (size_t i = 0; i < t.nrow; i++) {
        if (need >= 0 && !isfinite(num(t.row[i][need]))) continue; /* not an evaluation row */
        s->iter[s->n] = num(t.row[i][ci]);
        for (int k = 0; k < ncols; k++) s->v[k][s->n] = num(t.row[i][cj[k]]);
        s->n++;
    }
    table_free(&t);
}

static void read_run(run *r)
{
    char path[4096];
    table m;
    snprintf(path, sizeof path, "%s/metrics.tsv", r->dir);
    if (table_read(&m, path)) die("%s: missing: the run has not finished (make figures runs it)", path);
    for (int k = 0; k < NF; k++) r->f[k] = NAN;
    r->status = "missing";
    for (size_t i = 0; i < m.nrow; i++) {
        if (m.ncol < 2) die("%s: expected key<TAB>value rows", path);
        const char *key = m.row[i][0], *val = m.row[i][1];
        if (!strcmp(key, "status")) r->status = xstrdup(val);
        if (!strcmp(key, "iterations")) r->f[F_ITERS] = num(val);
        for (int k = F_TRAIN_LOSS; k <= F_PGAP_ACC; k++)
            if (!strcmp(key, field_name[k])) r->f[k] = num(val);
    }
    table_free(&m);
    if (!strcmp(r->status, "missing")) die("%s: no status row", path);
    r->f[F_DIVERGED] = !strcmp(r->status, "diverged");
    read_config(r);
    const char *lr = config_get(r, "lr");
    if (!lr) die("%s/config.txt: no lr", r->dir);
    r->f[F_LR] = num(lr);

    static const char *curve_cols[6] = {"train_loss", "test_loss", "train_acc", "test_acc", "ptest_loss", "ptest_acc"};
    snprintf(path, sizeof path, "%s/curve.tsv", r->dir);
    read_series(&r->curve, path, curve_cols, 6, "train_loss");

    static const char *curv_cols[5] = {"lambda_max", "gamma", "eta", "bound_gd", "bound_rule"};
    snprintf(path, sizeof path, "%s/curvature.tsv", r->dir);
    read_series(&r->curv, path, curv_cols, 5, NULL);
    series fin;
    snprintf(path, sizeof path, "%s/curvature_final.tsv", r->dir);
    read_series(&fin, path, curv_cols, 5, NULL);
    const series *src = fin.n ? &fin : r->curv.n ? &r->curv : NULL;
    if (src && !r->f[F_DIVERGED]) {
        size_t last = src->n - 1;
        r->f[F_LAMBDA] = src->v[0][last];
        r->f[F_GAMMA] = src->v[1][last];
        r->f[F_BOUND_GD] = src->v[3][last];
        r->f[F_BOUND_RULE] = src->v[4][last];
    }
    if (r->curv.n) r->f[F_LAMBDA0] = r->curv.v[0][0];
    series_free(&fin);
    r->f[F_LAMBDA_GD] = r->f[F_LAMBDA] / r->f[F_BOUND_GD];
    r->f[F_LAMBDA_RULE] = r->f[F_LAMBDA] / r->f[F_BOUND_RULE];
}

static table manifest;
static int shared_dir(size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!strcmp(runs[j].dir, runs[i].dir)) return 1;
    return 0;
}

static void free_runs(void)
{
    for (size_t i = 0; i < nruns; i++) {
        run *r = &runs[i];
        if (shared_dir(i)) continue;
        free(r->status);
        series_free(&r->curv);
        series_free(&r->curve);
        for (size_t k = 0; k < r->config.nrow; k++) {
            for (int j = 0; j < 3; j++) free(r->config.row[k][j]);
            free(r->config.row[k]);
        }
        free(r->config.row);
    }
    free(runs);
    table_free(&manifest);
}

static void read_manifest(const char *path)
{
    table t;
    if (table_read(&t, path)) die("%s: missing", path);
    const char *cols[6] = {"group", "task", "rule", "seed", "x", "dir"};
    int c[6];
    for (int k = 0; k < 6; k++)
        if ((c[k] = table_col(&t, cols[k])) < 0) die("%s: no '%s' column", path, cols[k]);
    runs = xcalloc(t.nrow, sizeof *runs);
    for (size_t i = 0; i < t.nrow; i++) {
        run *r = &runs[nruns++];
        r->group = t.row[i][c[0]];
        r->task = t.row[i][c[1]];
        r->rule = t.row[i][c[2]];
        r->seed = atol(t.row[i][c[3]]);
        r->x = num(t.row[i][c[4]]);
        r->dir = t.row[i][c[5]];
        /* the same directory in another group: share what was read */
        size_t j = 0;
        while (j < i && strcmp(runs[j].dir, r->dir)) j++;
        if (j < i) {
            memcpy(r->f, runs[j].f, sizeof r->f);
            r->status = runs[j].status;
            r->curv = runs[j].curv;
            r->curve = runs[j].curve;
            r->config = runs[j].config;
        } else {
            read_run(r);
        }
    }
    manifest = t;
}

/* ------------------------------------------------------------ selection */

/* Distinct values of a string attribute in a group (NULL group: all), in manifest order. */
static size_t distinct(const char *group, const char *task, size_t off, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < nruns; i++) {
        const run *r = &runs[i];
        if ((group && strcmp(r->group, group)) || (task && strcmp(r->task, task))) continue;
        const char *v = *(const char *const *)((const char *)r + off);
        size_t k = 0;
        while (k < n && strcmp(out[k], v)) k++;
        if (k == n && n < cap) out[n++] = v;
    }
    return n;
}
#define TASKS_OF(group, out) distinct(group, NULL, offsetof(run, task), out, 64)
#define RULES_OF(group, task, out) distinct(group, task, offsetof(run, rule), out, 64)

static size_t xs_of(const char *group, const char *task, const char *rule, double *out)
{
    size_t n = 0;
    for (size_t i = 0; i < nruns; i++) {
        const run *r = &runs[i];
        if (strcmp(r->group, group) || strcmp(r->task, task) || (rule && strcmp(r->rule, rule))) continue;
        size_t k = 0;
        while (k < n && out[k] != r->x) k++;
        if (k == n && n < 256) out[n++] = r->x;
    }
    /* ascending */
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
            double t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

/* Values of field f for the runs that match (NULL matches anything; x NaN matches any x). */
static size_t pick(const char *group, const char *task, const char *rule, double x, int f, double *out, double *xs)
{
    size_t n = 0;
    for (size_t i = 0; i < nruns; i++) {
        const run *r = &runs[i];
        if ((group && strcmp(r->group, group)) || (task && strcmp(r->task, task)) || (rule && strcmp(r->rule, rule))) continue;
        if (!isnan(x) && r->x != x) continue;
        if (xs) xs[n] = r->x;
        out[n++] = r->f[f];
    }
    return n;
}

static int is_reference(const char *rule) { return !strcmp(rule, "bptt"); }

/* ------------------------------------------------------------ output */

/* Tables are written to NAME.tmp and renamed when closed, so a killed run
 * never leaves a half-written table that looks complete. */
static struct { FILE *fp; char path[4096]; } open_tables[16];

static FILE *out_open(const char *name)
{
    size_t slot = 0;
    while (slot < sizeof open_tables / sizeof *open_tables && open_tables[slot].fp) slot++;
    if (slot == sizeof open_tables / sizeof *open_tables) die("too many tables open at once");
    char tmp[4200];
    snprintf(open_tables[slot].path, sizeof open_tables[slot].path, "%s/%s", outdir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", open_tables[slot].path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) die("%s: %s", tmp, strerror(errno));
    open_tables[slot].fp = fp;
    if (strstr(name, ".tsv")) fprintf(fp, "# %s: made by credit-stats (figures/stats.c) from the run directories in the manifest\n", name);
    return fp;
}

static void out_close(FILE *fp)
{
    size_t slot = 0;
    while (slot < sizeof open_tables / sizeof *open_tables && open_tables[slot].fp != fp) slot++;
    if (slot == sizeof open_tables / sizeof *open_tables) die("closing a table that is not open");
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", open_tables[slot].path);
    if (ferror(fp) | fclose(fp)) die("write error in %s", tmp);
    if (rename(tmp, open_tables[slot].path) != 0) die("cannot rename %s: %s", tmp, strerror(errno));
    open_tables[slot].fp = NULL;
}

/* Numbers: %.6g in tables; the paper gets 3 significant digits. */
static void pnum(FILE *fp, double v) { isfinite(v) ? fprintf(fp, "%.6g", v) : fprintf(fp, "nan"); }
static const char *fmt3(double v, char *buf)
{
    if (!isfinite(v)) return strcpy(buf, "n/a");
    if (v != 0 && fabs(v) < 1e-3) snprintf(buf, 32, "%.2e", v);
    else snprintf(buf, 32, "%.3g", v);
    return buf;
}
static const char *fmtp(double p, char *buf)
{
    if (!isfinite(p)) return strcpy(buf, "n/a");
    if (p < 1e-4) return strcpy(buf, "<1e-4");
    snprintf(buf, 32, "%.3g", p);
    return buf;
}

static FILE *values_fp;
static void value(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void value(const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(values_fp, "%s\t", key);
    vfprintf(values_fp, fmt, ap);
    fputc('\n', values_fp);
    va_end(ap);
}

/* ------------------------------------------------------------ tables */

static void write_runs(void)
{
    FILE *fp = out_open("runs.tsv");
    fprintf(fp, "group\ttask\trule\tseed\tx\tstatus");
    for (int k = 0; k < NF; k++) fprintf(fp, "\t%s", field_name[k]);
    fprintf(fp, "\tdir\n");
    for (size_t i = 0; i < nruns; i++) {
        const run *r = &runs[i];
        fprintf(fp, "%s\t%s\t%s\t%ld\t", r->group, r->task, r->rule, r->seed);
        pnum(fp, r->x);
        fprintf(fp, "\t%s", r->status);
        for (int k = 0; k < NF; k++) {
            fputc('\t', fp);
            pnum(fp, r->f[k]);
        }
        fprintf(fp, "\t%s\n", r->dir);
    }
    out_close(fp);
}

static void write_summary(void)
{
    FILE *fp = out_open("summary.tsv");
    fprintf(fp, "group\ttask\trule\tx\tquantity\tn\tmean\tsd\tsem\tmin\tmedian\tmax\n");
    const char *groups[16], *tasks[64], *rules[64];
    size_t ng = distinct(NULL, NULL, offsetof(run, group), groups, 16);
    double *buf = xcalloc(nruns, sizeof *buf), xs[256];
    for (size_t g = 0; g < ng; g++) {
        size_t nt = TASKS_OF(groups[g], tasks);
        for (size_t t = 0; t < nt; t++) {
            size_t nr = RULES_OF(groups[g], tasks[t], rules);
            for (size_t q = 0; q < nr; q++) {
                size_t nx = xs_of(groups[g], tasks[t], rules[q], xs);
                for (size_t xi = 0; xi < nx; xi++)
                    for (int k = 0; k < NF; k++) {
                        size_t n = pick(groups[g], tasks[t], rules[q], xs[xi], k, buf, NULL);
                        stat_summary s = stat_describe(buf, n);
                        fprintf(fp, "%s\t%s\t%s\t", groups[g], tasks[t], rules[q]);
                        pnum(fp, xs[xi]);
                        fprintf(fp, "\t%s\t%zu", field_name[k], s.n);
                        double v[6] = {s.mean, s.sd, s.sem, s.min, s.median, s.max};
                        for (int j = 0; j < 6; j++) {
                            fputc('\t', fp);
                            pnum(fp, v[j]);
                        }
                        fputc('\n', fp);
                        if (!strcmp(groups[g], "main") || !strcmp(groups[g], "matched")) {
                            char key[256];
                            snprintf(key, sizeof key, "%s.%s.%s.%s", groups[g], tasks[t], rules[q], field_name[k]);
                            char b1[32], b2[32];
                            value(key, "%s ± %s", fmt3(s.mean, b1), fmt3(s.sem, b2));
                        }
                    }
            }
        }
    }
    free(buf);
    out_close(fp);
}

/* ------------------------------------------------------------ claims */

typedef struct claim_count { int rep, notrep, inc; } claim_count;
/* 1m, 2m, 4m: claims 1, 2 and 4 on the matched group (every rule stopped at
 * the same training accuracy), the check against "it only learned less". */
#define NCLAIMS 12
static claim_count counts[16];
static const char *claim_ids[16] = {"1", "2", "3", "4", "5a", "5b", "5c", "5d", "6", "1m", "2m", "4m"};
static FILE *claims_fp, *claims_md;

static int claim_index(const char *id)
{
    for (int i = 0; i < NCLAIMS; i++)
        if (!strcmp(claim_ids[i], id)) return i;
    die("unknown claim id %s", id);
}

static const char *verdict(double p, int right_direction) { return stat_verdict(p, right_direction, alpha); }

static void claim_row(const char *id, const char *task, const char *rule, const char *testset, const char *quantity,
                      const char *statistic, double p, const char *v, const char *context)
{
    claim_count *c = &counts[claim_index(id)];
    if (!strcmp(v, "reproduced")) c->rep++;
    else if (!strcmp(v, "not reproduced")) c->notrep++;
    else c->inc++;
    char b[32];
    fprintf(claims_fp, "%s\t%s\t%s\t%s\t%s\t%s\t", id, task, rule, testset, quantity, statistic);
    pnum(claims_fp, p);
    fprintf(claims_fp, "\t%s\t%s\n", v, context);
    fprintf(claims_md, "| %s | %s | %s | %s | %s | %s | %s | **%s** | %s |\n", id, task, rule, testset, quantity, statistic,
            fmtp(p, b), v, context);
}

static void train_acc_context(const char *group, const char *task, const char *rule, char *ctx, size_t len)
{
    double *a = xcalloc(nruns, sizeof *a), *b = xcalloc(nruns, sizeof *b);
    stat_summary sa = stat_describe(a, pick(group, task, rule, NAN, F_TRAIN_ACC, a, NULL));
    stat_summary sb = stat_describe(b, pick(group, task, "bptt", NAN, F_TRAIN_ACC, b, NULL));
    char b1[32], b2[32];
    if (isfinite(sa.mean)) snprintf(ctx, len, "train acc %s vs bptt %s", fmt3(sa.mean, b1), fmt3(sb.mean, b2));
    else {
        stat_summary la = stat_describe(a, pick(group, task, rule, NAN, F_TRAIN_LOSS, a, NULL));
        stat_summary lb = stat_describe(b, pick(group, task, "bptt", NAN, F_TRAIN_LOSS, b, NULL));
        snprintf(ctx, len, "train loss %s vs bptt %s", fmt3(la.mean, b1), fmt3(lb.mean, b2));
    }
    free(a);
    free(b);
}

/* Bio rule against BPTT in one group: the main comparison (gi = 0: claims
 * 1, 2, 4) or the matched-accuracy group (gi = 1: 1m, 2m, 4m, judged last). */
static FILE *tests_fp;
static void compare_group(int gi)
{
    FILE *fp = tests_fp;
    const char *tasks[64], *rules[64];
    size_t nt;
    double *a = xcalloc(nruns, sizeof *a), *b = xcalloc(nruns, sizeof *b);
    const int qs[5] = {F_GAP_LOSS, F_PGAP_LOSS, F_GAP_ACC, F_PGAP_ACC, F_LAMBDA};
    char stat[256], ctx[256], b1[32], b2[32], b3[32], b4[32], b5[32];
    const char *grp = gi ? "matched" : "main", *c1 = gi ? "1m" : "1", *c2 = gi ? "2m" : "2", *c4 = gi ? "4m" : "4";
    nt = TASKS_OF(grp, tasks);
    for (size_t t = 0; t < nt; t++) {
        size_t nr = RULES_OF(grp, tasks[t], rules);
        size_t nb = 0;
        for (size_t q = 0; q < nr; q++) {
            if (is_reference(rules[q])) continue;
            train_acc_context(grp, tasks[t], rules[q], ctx, sizeof ctx);
            for (int k = 0; k < 5; k++) {
                size_t na = pick(grp, tasks[t], rules[q], NAN, qs[k], a, NULL);
                nb = pick(grp, tasks[t], "bptt", NAN, qs[k], b, NULL);
                stat_summary sa = stat_describe(a, na), sb = stat_describe(b, nb);
                if (sa.n == 0 && sb.n == 0) continue; /* e.g. accuracy of an MSE task */
                stat_test w = stat_welch(a, na, b, nb), u = stat_mann_whitney(a, na, b, nb);
                stat_test bf = stat_brown_forsythe(a, na, b, nb);
                const stat_test *tt[3] = {&w, &u, &bf};
                const char *tn[3] = {"welch", "mann_whitney", "brown_forsythe"};
                for (int j = 0; j < 3; j++) {
                    fprintf(fp, "%s\t%s\t%s\t%s\t%s\t", grp, tasks[t], rules[q], field_name[qs[k]], tn[j]);
                    double v[3] = {tt[j]->stat, tt[j]->df, tt[j]->p_greater};
                    for (int m = 0; m < 3; m++) {
                        pnum(fp, v[m]);
                        fputc('\t', fp);
                    }
                    pnum(fp, tt[j]->p_two);
                    fprintf(fp, "\t%zu\t%zu\t", sa.n, sb.n);
                    double v2[4] = {sa.mean, sb.mean, sa.sd, sb.sd};
                    for (int m = 0; m < 4; m++) {
                        pnum(fp, v2[m]);
                        fputc(m < 3 ? '\t' : '\n', fp);
                    }
                    char key[256];
                    snprintf(key, sizeof key, "%stest.%s.%s.%s.%s.p", gi ? "matched." : "", tasks[t], rules[q], field_name[qs[k]], tn[j]);
                    value(key, "%s", fmtp(tt[j]->p_greater, b1));
                }
                /* Claims 1, 2 (gaps in loss) and 4 (curvature). */
                int loss_gap = qs[k] == F_GAP_LOSS || qs[k] == F_PGAP_LOSS;
                const char *set = qs[k] == F_PGAP_LOSS || qs[k] == F_PGAP_ACC ? "perturbed" : "clean";
                if (loss_gap) {
                    snprintf(stat, sizeof stat, "mean %s vs %s; Welch t=%s; MWU U=%s (p=%s)", fmt3(sa.mean, b1), fmt3(sb.mean, b2),
                             fmt3(w.stat, b3), fmt3(u.stat, b4), fmtp(u.p_greater, b5));
                    claim_row(c1, tasks[t], rules[q], set, "gap (test-train loss) larger", stat, w.p_greater,
                              verdict(w.p_greater, sa.mean > sb.mean), ctx);
                    snprintf(stat, sizeof stat, "SD %s vs %s; Brown-Forsythe F=%s", fmt3(sa.sd, b1), fmt3(sb.sd, b2), fmt3(bf.stat, b3));
                    claim_row(c2, tasks[t], rules[q], set, "gap more variable across seeds", stat, bf.p_greater,
                              verdict(bf.p_greater, bf.p_greater < 0.5), ctx); /* direction of the test's own statistic */
                }
                if (qs[k] == F_LAMBDA) {
                    snprintf(stat, sizeof stat, "mean %s vs %s; Welch t=%s; MWU p=%s", fmt3(sa.mean, b1), fmt3(sb.mean, b2),
                             fmt3(w.stat, b3), fmtp(u.p_greater, b4));
                    claim_row(c4, tasks[t], rules[q], "-", "final lambda_max larger", stat, w.p_greater,
                              verdict(w.p_greater, sa.mean > sb.mean), ctx);
                }
            }
        }
        (void)nb;
    }
    free(a);
    free(b);
}

static void write_tests_and_claims(void)
{
    tests_fp = out_open("tests.tsv");
    fprintf(tests_fp, "group\ttask\trule\tquantity\ttest\tstatistic\tdf\tp_greater\tp_two\tn_rule\tn_bptt\tmean_rule\tmean_bptt\tsd_rule\tsd_bptt\n");
    compare_group(0);
    const char *tasks[64], *rules[64];
    double *a = xcalloc(nruns, sizeof *a), *b = xcalloc(nruns, sizeof *b), *c = xcalloc(nruns, sizeof *c);
    char stat[256], b1[32], b2[32], b3[32];

    /* Claim 3: gap against lambda_max over all runs of a task. */
    size_t nt = TASKS_OF("main", tasks);
    FILE *fp = out_open("corr.tsv");
    fprintf(fp, "task\tgap\tn\tpearson_r\tpearson_p_greater\tpearson_p_two\tspearman_rho\tspearman_p_greater\tspearman_exact\tslope\tintercept\tse_slope\n");
    const int gq[4] = {F_GAP_LOSS, F_PGAP_LOSS, F_GAP_ACC, F_PGAP_ACC};
    for (size_t t = 0; t < nt; t++)
        for (int k = 0; k < 4; k++) {
            size_t n = pick("main", tasks[t], NULL, NAN, F_LAMBDA, a, NULL);
            pick("main", tasks[t], NULL, NAN, gq[k], b, NULL);
            stat_summary sb = stat_describe(b, n);
            if (sb.n == 0) continue;
            stat_test pr = stat_pearson(a, b, n), sp = stat_spearman(a, b, n);
            stat_line l = stat_linfit(a, b, n);
            fprintf(fp, "%s\t%s\t%zu", tasks[t], field_name[gq[k]], l.n);
            double v[11] = {pr.stat, pr.p_greater, pr.p_two, sp.stat, sp.p_greater, sp.exact, l.slope, l.intercept, l.se_slope};
            for (int m = 0; m < 9; m++) {
                fputc('\t', fp);
                pnum(fp, v[m]);
            }
            fputc('\n', fp);
            char key[256];
            snprintf(key, sizeof key, "corr.%s.%s.", tasks[t], field_name[gq[k]]);
            size_t kl = strlen(key);
            strcpy(key + kl, "r"), value(key, "%s", fmt3(pr.stat, b1));
            strcpy(key + kl, "p"), value(key, "%s", fmtp(pr.p_greater, b1));
            strcpy(key + kl, "rho"), value(key, "%s", fmt3(sp.stat, b1));
            strcpy(key + kl, "n"), value(key, "%zu", l.n);
            strcpy(key + kl, "slope"), value(key, "%.6g", l.slope);
            strcpy(key + kl, "intercept"), value(key, "%.6g", l.intercept);
            if (gq[k] == F_GAP_LOSS || gq[k] == F_PGAP_LOSS) {
                snprintf(stat, sizeof stat, "n=%zu; Pearson r=%s; Spearman rho=%s (p=%s)", l.n, fmt3(pr.stat, b1), fmt3(sp.stat, b2),
                         fmtp(sp.p_greater, b3));
                claim_row("3", tasks[t], "all", gq[k] == F_GAP_LOSS ? "clean" : "perturbed", "gap rises with lambda_max", stat,
                          pr.p_greater, verdict(pr.p_greater, pr.stat > 0), "");
            }
        }
    out_close(fp);

    /* 5a: lambda_max grows during training (final against the first measurement, paired by run). */
    for (size_t t = 0; t < nt; t++) {
        size_t nr = RULES_OF("main", tasks[t], rules);
        for (size_t q = 0; q < nr; q++) {
            size_t n = pick("main", tasks[t], rules[q], NAN, F_LAMBDA, a, NULL);
            pick("main", tasks[t], rules[q], NAN, F_LAMBDA0, b, NULL);
            stat_test pt = stat_paired_t(a, b, n);
            stat_summary sa = stat_describe(a, n), sb = stat_describe(b, n);
            snprintf(stat, sizeof stat, "lambda_max %s -> %s; paired t=%s", fmt3(sb.mean, b1), fmt3(sa.mean, b2), fmt3(pt.stat, b3));
            claim_row("5a", tasks[t], rules[q], "-", "lambda_max grows during training", stat, pt.p_greater,
                      verdict(pt.p_greater, sa.mean > sb.mean), "");
        }
    }
    /* 5c: bio rules stay under 2/(eta gamma): the share of runs within tol. */
    for (size_t t = 0; t < nt; t++) {
        size_t nr = RULES_OF("main", tasks[t], rules);
        for (size_t q = 0; q < nr; q++) {
            if (is_reference(rules[q])) continue;
            size_t n = pick("main", tasks[t], rules[q], NAN, F_LAMBDA_RULE, a, NULL), in = 0, m = 0;
            /* A run with gamma <= 0 has no finite positive ceiling: it is left out
             * rather than counted as under it. */
            for (size_t i = 0; i < n; i++)
                if (isfinite(a[i]) && a[i] > 0) m++, in += a[i] <= 1 + tol;
            stat_summary s = stat_describe(a, n);
            snprintf(stat, sizeof stat, "%zu of %zu runs; lambda_max / bound: mean %s, max %s", in, m, fmt3(s.mean, b1), fmt3(s.max, b2));
            claim_row("5c", tasks[t], rules[q], "-", "lambda_max <= 2/(eta gamma)", stat, NAN,
                      m == 0 ? "inconclusive" : in == m ? "reproduced" : "not reproduced", "");
        }
    }
    free(a);
    free(b);
    free(c);
}

/* The learning-rate sweep (5b), the tbptt sweep (5d) and the remedy (6). */
static void write_sweeps(void)
{
    const char *tasks[64], *rules[64];
    double *a = xcalloc(nruns, sizeof *a), *b = xcalloc(nruns, sizeof *b), *xs = xcalloc(nruns, sizeof *xs);
    char stat[256], b1[32], b2[32], b3[32];
    FILE *fp = out_open("theorem.tsv");
    fprintf(fp, "task\trule\tn\tslope\tse_slope\tci_low\tci_high\tintercept\truns_within_gd\truns_within_rule\tmax_lambda_over_gd\n");
    size_t nt = TASKS_OF("lr", tasks);
    for (size_t t = 0; t < nt; t++) {
        size_t nr = RULES_OF("lr", tasks[t], rules);
        for (size_t q = 0; q < nr; q++) {
            size_t n = pick("lr", tasks[t], rules[q], NAN, F_LAMBDA, a, xs);
            for (size_t i = 0; i < n; i++) a[i] = a[i] > 0 ? log(a[i]) : NAN, xs[i] = log(xs[i]);
            stat_line l = stat_linfit(xs, a, n);
            double h = l.n > 2 ? stat_t_quantile(0.025, (double)l.n - 2) * l.se_slope : NAN;
            pick("lr", tasks[t], rules[q], NAN, F_LAMBDA_GD, a, NULL);
            pick("lr", tasks[t], rules[q], NAN, F_LAMBDA_RULE, b, NULL);
            size_t in_gd = 0, in_rule = 0, m = 0;
            double mx = NAN;
            for (size_t i = 0; i < n; i++)
                if (isfinite(a[i])) {
                    m++;
                    in_gd += a[i] <= 1 + tol;
                    in_rule += b[i] <= 1 + tol;
                    mx = isnan(mx) || a[i] > mx ? a[i] : mx;
                }
            fprintf(fp, "%s\t%s\t%zu", tasks[t], rules[q], l.n);
            double v[5] = {l.slope, l.se_slope, l.slope - h, l.slope + h, l.intercept};
            for (int k = 0; k < 5; k++) fputc('\t', fp), pnum(fp, v[k]);
            fprintf(fp, "\t%zu\t%zu\t", in_gd, in_rule);
            pnum(fp, mx);
            fputc('\n', fp);
            char key[256];
            snprintf(key, sizeof key, "lr.%s.%s.slope", tasks[t], rules[q]);
            value(key, "%s", fmt3(l.slope, b1));
            if (!is_reference(rules[q])) continue;
            /* 5b: BPTT under 2/eta, and lambda_max ~ 1/eta (log-log slope -1). */
            snprintf(stat, sizeof stat, "%zu of %zu runs within %s of 2/eta; max lambda eta/2 = %s", in_gd, m, fmt3(tol, b1), fmt3(mx, b2));
            claim_row("5b", tasks[t], rules[q], "-", "lambda_max <= ~2/eta", stat, NAN,
                      m == 0 ? "inconclusive" : in_gd == m ? "reproduced" : "not reproduced", "");
            int has = isfinite(h);
            snprintf(stat, sizeof stat, "log-log slope %s, 95%% CI [%s, %s]", fmt3(l.slope, b1), fmt3(l.slope - h, b2), fmt3(l.slope + h, b3));
            const char *v5 = !has ? "inconclusive" : (l.slope - h <= -1 && -1 <= l.slope + h && l.slope + h < 0) ? "reproduced"
                                   : (l.slope - h > -1 || l.slope + h < -1) ? "not reproduced" : "inconclusive";
            claim_row("5b", tasks[t], rules[q], "-", "lambda_max scales like 1/eta (slope -1)", stat, NAN, v5, "");
        }
    }
    out_close(fp);

    /* 5d: curvature falls as K grows (Spearman over all tbptt runs). */
    fp = out_open("sweeps.tsv");
    fprintf(fp, "group\ttask\trule\tquantity\tn\tspearman_rho\tp_less\tpearson_r\n");
    const char *groups[2] = {"tbptt", "remedy"};
    for (int g = 0; g < 2; g++) {
        nt = TASKS_OF(groups[g], tasks);
        for (size_t t = 0; t < nt; t++) {
            size_t nr = RULES_OF(groups[g], tasks[t], rules);
            for (size_t q = 0; q < (g == 0 ? 1 : nr); q++) {
                const char *rule = g == 0 ? NULL : rules[q];
                const int fs[3] = {F_LAMBDA, F_GAP_LOSS, F_PGAP_LOSS};
                for (int k = 0; k < (g == 0 ? 1 : 3); k++) {
                    size_t n = pick(groups[g], tasks[t], rule, NAN, fs[k], a, xs);
                    stat_test sp = stat_spearman(xs, a, n), pr = stat_pearson(xs, a, n);
                    fprintf(fp, "%s\t%s\t%s\t%s\t%zu\t", groups[g], tasks[t], rule ? rule : "tbptt", field_name[fs[k]], n);
                    pnum(fp, sp.stat), fputc('\t', fp), pnum(fp, sp.p_less), fputc('\t', fp), pnum(fp, pr.stat), fputc('\n', fp);
                    snprintf(stat, sizeof stat, "n=%zu; Spearman rho=%s", n, fmt3(sp.stat, b1));
                    if (g == 0)
                        claim_row("5d", tasks[t], "tbptt", "-", "lambda_max falls as K grows", stat, sp.p_less,
                                  verdict(sp.p_less, sp.stat < 0), "");
                    else
                        claim_row("6", tasks[t], rule, k == 2 ? "perturbed" : k == 1 ? "clean" : "-",
                                  k == 0 ? "lambda_max falls with lr factor c" : "gap falls with lr factor c", stat, sp.p_less,
                                  verdict(sp.p_less, sp.stat < 0), "");
                }
            }
        }
    }
    /* 6, boost: a late learning-rate boost against the same rule at c = 1. */
    nt = TASKS_OF("boost", tasks);
    for (size_t t = 0; t < nt; t++) {
        size_t nr = RULES_OF("boost", tasks[t], rules);
        for (size_t q = 0; q < nr; q++) {
            const int fs[2] = {F_LAMBDA, F_GAP_LOSS};
            for (int k = 0; k < 2; k++) {
                size_t na = pick("boost", tasks[t], rules[q], NAN, fs[k], a, NULL);
                size_t nb = pick("remedy", tasks[t], rules[q], 1.0, fs[k], b, NULL);
                stat_test w = stat_welch(a, na, b, nb);
                stat_summary sa = stat_describe(a, na), sb = stat_describe(b, nb);
                snprintf(stat, sizeof stat, "mean %s vs %s (c=1); Welch t=%s", fmt3(sa.mean, b1), fmt3(sb.mean, b2), fmt3(w.stat, b3));
                claim_row("6", tasks[t], rules[q], k ? "clean" : "-", k ? "boost lowers the gap" : "boost lowers lambda_max", stat,
                          w.p_less, verdict(w.p_less, sa.mean < sb.mean), "");
            }
        }
    }
    out_close(fp);
    free(a);
    free(b);
    free(xs);
}

/* ------------------------------------------------------------ trajectories */

/* Mean and SEM over the runs of (group, task, rule) at each iteration of a series. */
static void write_traj(FILE *fp, const char *group, int which, int nv)
{
    const char *tasks[64], *rules[64];
    size_t nt = TASKS_OF(group, tasks);
    double *buf = xcalloc(nruns, sizeof *buf);
    for (size_t t = 0; t < nt; t++) {
        size_t nr = RULES_OF(group, tasks[t], rules);
        for (size_t q = 0; q < nr; q++) {
            /* iterations of the longest run; runs that stopped early (reached
             * stop_train_acc) drop out of the later means; diverged runs are
             * left out altogether */
            const series *ref = NULL;
            double lr = NAN;
            for (size_t i = 0; i < nruns; i++)
                if (!strcmp(runs[i].group, group) && !strcmp(runs[i].task, tasks[t]) && !strcmp(runs[i].rule, rules[q])) {
                    const series *s = which ? &runs[i].curv : &runs[i].curve;
                    lr = runs[i].f[F_LR];
                    if (s->n && (!ref || s->n > ref->n)) ref = s;
                }
            if (!ref) continue;
            for (size_t j = 0; j < ref->n; j++) {
                fprintf(fp, "%s\t%s\t", tasks[t], rules[q]);
                pnum(fp, ref->iter[j]);
                for (int v = 0; v < nv; v++) {
                    size_t n = 0;
                    for (size_t i = 0; i < nruns; i++) {
                        const run *r = &runs[i];
                        if (strcmp(r->group, group) || strcmp(r->task, tasks[t]) || strcmp(r->rule, rules[q])) continue;
                        if (r->f[F_DIVERGED] > 0) continue; /* as in every other statistic */
                        const series *s = which ? &r->curv : &r->curve;
                        for (size_t k = 0; k < s->n; k++)
                            if (s->iter[k] == ref->iter[j]) buf[n++] = s->v[v][k];
                    }
                    stat_summary s = stat_describe(buf, n);
                    if (v == 0) fprintf(fp, "\t%zu", s.n);
                    fputc('\t', fp), pnum(fp, s.mean), fputc('\t', fp), pnum(fp, s.sem);
                }
                if (which) fputc('\t', fp), pnum(fp, 2 / lr);
                fputc('\n', fp);
            }
            fputs("\n\n", fp); /* gnuplot index blocks */
        }
    }
    free(buf);
}

static void write_trajectories(void)
{
    FILE *fp = out_open("traj.tsv");
    fprintf(fp, "task\trule\titer\tn\tlambda_mean\tlambda_sem\tgamma_mean\tgamma_sem\tbound_gd\n");
    write_traj(fp, "main", 1, 2);
    out_close(fp);
    fp = out_open("curves.tsv");
    fprintf(fp, "task\trule\titer\tn\ttrain_loss\ttrain_loss_sem\ttest_loss\ttest_loss_sem\ttrain_acc\ttrain_acc_sem\ttest_acc\ttest_acc_sem\tptest_loss\tptest_loss_sem\tptest_acc\tptest_acc_sem\n");
    write_traj(fp, "main", 0, 6);
    out_close(fp);
}

/* ------------------------------------------------------------ paper fragments */

static void write_fragments(void)
{
    const char *tasks[64], *rules[64];
    char b1[32], b2[32];
    double *a = xcalloc(nruns, sizeof *a);
    size_t nt = TASKS_OF("main", tasks);

    /* The main comparison, one row per task and rule. */
    FILE *fp = out_open("summary.md");
    fprintf(fp, "| task | rule | runs | train acc | test acc | gap (loss) | gap (loss, perturbed) | gap (acc) | gap (acc, perturbed) | final lambda_max | gamma |\n");
    fprintf(fp, "|---|---|---|---|---|---|---|---|---|---|---|\n");
    const int cols[9] = {F_TRAIN_ACC, F_TEST_ACC, F_GAP_LOSS, F_PGAP_LOSS, F_GAP_ACC, F_PGAP_ACC, F_LAMBDA, F_GAMMA};
    for (size_t t = 0; t < nt; t++) {
        size_t nr = RULES_OF("main", tasks[t], rules);
        for (size_t q = 0; q < nr; q++) {
            size_t n = pick("main", tasks[t], rules[q], NAN, F_DIVERGED, a, NULL), div = 0;
            for (size_t i = 0; i < n; i++) div += a[i] > 0;
            if (div) fprintf(fp, "| %s | %s | %zu (%zu diverged) |", tasks[t], rules[q], n, div);
            else fprintf(fp, "| %s | %s | %zu |", tasks[t], rules[q], n);
            for (int k = 0; k < 8; k++) {
                stat_summary s = stat_describe(a, pick("main", tasks[t], rules[q], NAN, cols[k], a, NULL));
                if (s.n == 0) fprintf(fp, " – |");
                else fprintf(fp, " %s ± %s |", fmt3(s.mean, b1), fmt3(s.sd, b2));
            }
            fputc('\n', fp);
        }
    }
    out_close(fp);

    /* Settings of each task as run (from the first BPTT run's resolved config). */
    fp = out_open("settings.md");
    fprintf(fp, "| task | units | iterations | batch | learning rate | l2 | leak | optimizer | seeds | task options |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t t = 0; t < nt; t++) {
        const run *r = NULL;
        for (size_t i = 0; i < nruns && !r; i++)
            if (!strcmp(runs[i].group, "main") && !strcmp(runs[i].task, tasks[t])) r = &runs[i];
        size_t n = pick("main", tasks[t], "bptt", NAN, F_LR, a, NULL);
        fprintf(fp, "| %s | %s | %s | %s | %s | %s | %s | %s | %zu |", tasks[t], config_get(r, "n"), config_get(r, "iters"),
                config_get(r, "batch"), config_get(r, "lr"), config_get(r, "l2"), config_get(r, "leak"), config_get(r, "optimizer"), n);
        const char *keys[] = {"n", "iters", "batch", "lr", "l2", "leak", "optimizer", "seed"};
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            char key[256];
            snprintf(key, sizeof key, "setting.%s.%s", tasks[t], keys[k]);
            value(key, "%s", config_get(r, keys[k]));
        }
        int first = 1;
        for (size_t i = 0; i < r->config.nrow; i++)
            if (!strcmp(r->config.row[i][2], "task")) {
                fprintf(fp, "%s%s=%s", first ? " " : ", ", r->config.row[i][0], r->config.row[i][1]);
                first = 0;
            }
        fprintf(fp, " |\n");
    }
    out_close(fp);

    /* The matched-accuracy group: each rule stopped at a common training accuracy. */
    fp = out_open("matched.md");
    const char *mt[64];
    size_t nmt = TASKS_OF("matched", mt);
    double target = NAN;
    for (size_t i = 0; i < nruns; i++)
        if (!strcmp(runs[i].group, "matched")) target = runs[i].x;
    value("matched.target", "%s", isfinite(target) ? fmt3(target, b1) : "none");
    if (nmt == 0) fprintf(fp, "*No matched-accuracy runs in this profile.*\n");
    else {
        fprintf(fp, "| task | rule | runs | reached the target | iterations | train acc | test acc | gap (loss) | gap (loss, perturbed) | gap (acc) | final lambda_max |\n");
        fprintf(fp, "|---|---|---|---|---|---|---|---|---|---|---|\n");
    }
    size_t reached_all = 0, n_all = 0;
    for (size_t t = 0; t < nmt; t++) {
        size_t nr = RULES_OF("matched", mt[t], rules);
        for (size_t q = 0; q < nr; q++) {
            size_t n = 0, reached = 0, div = 0;
            for (size_t i = 0; i < nruns; i++) {
                const run *r = &runs[i];
                if (strcmp(r->group, "matched") || strcmp(r->task, mt[t]) || strcmp(r->rule, rules[q])) continue;
                n++;
                reached += !strcmp(r->status, "target_reached");
                div += r->f[F_DIVERGED] > 0;
            }
            reached_all += reached, n_all += n;
            fprintf(fp, "| %s | %s | %zu%s | %zu of %zu |", mt[t], rules[q], n, div ? " (some diverged)" : "", reached, n);
            const int mc[7] = {F_ITERS, F_TRAIN_ACC, F_TEST_ACC, F_GAP_LOSS, F_PGAP_LOSS, F_GAP_ACC, F_LAMBDA};
            for (int k = 0; k < 7; k++) {
                stat_summary s = stat_describe(a, pick("matched", mt[t], rules[q], NAN, mc[k], a, NULL));
                if (s.n == 0) fprintf(fp, " – |");
                else fprintf(fp, " %s ± %s |", fmt3(s.mean, b1), fmt3(s.sd, b2));
            }
            fputc('\n', fp);
        }
    }
    value("matched.reached", "%zu", reached_all);
    value("matched.runs", "%zu", n_all);
    out_close(fp);

    /* Sweeps as tables: lr, tbptt K, remedy c, boost. */
    fp = out_open("sweeps.md");
    const char *groups[4] = {"lr", "tbptt", "remedy", "boost"}, *xname[4] = {"eta", "K", "c", "boost factor"};
    fprintf(fp, "| experiment | task | rule | x | runs | final lambda_max | lambda_max eta / 2 | gamma | gap (loss) | gap (loss, perturbed) | train acc |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int g = 0; g < 4; g++) {
        const char *gt[64];
        size_t ngt = TASKS_OF(groups[g], gt);
        for (size_t t = 0; t < ngt; t++) {
            size_t nr = RULES_OF(groups[g], gt[t], rules);
            for (size_t q = 0; q < nr; q++) {
                double xs[256];
                size_t nx = xs_of(groups[g], gt[t], rules[q], xs);
                for (size_t xi = 0; xi < nx; xi++) {
                    const int fs[6] = {F_LAMBDA, F_LAMBDA_GD, F_GAMMA, F_GAP_LOSS, F_PGAP_LOSS, F_TRAIN_ACC};
                    size_t n = pick(groups[g], gt[t], rules[q], xs[xi], F_LR, a, NULL);
                    fprintf(fp, "| %s | %s | %s | %s = %s | %zu |", groups[g], gt[t], rules[q], xname[g], fmt3(xs[xi], b1), n);
                    for (int k = 0; k < 6; k++) {
                        stat_summary s = stat_describe(a, pick(groups[g], gt[t], rules[q], xs[xi], fs[k], a, NULL));
                        if (s.n == 0) fprintf(fp, " – |");
                        else fprintf(fp, " %s ± %s |", fmt3(s.mean, b1), fmt3(s.sem, b2));
                    }
                    fputc('\n', fp);
                }
            }
        }
    }
    out_close(fp);
    free(a);
}

static void write_claim_counts(void)
{
    int total_rep = 0, total = 0;
    for (int i = 0; i < NCLAIMS; i++) {
        claim_count *c = &counts[i];
        int n = c->rep + c->notrep + c->inc;
        char key[64];
        snprintf(key, sizeof key, "claim.%s.reproduced", claim_ids[i]), value(key, "%d", c->rep);
        snprintf(key, sizeof key, "claim.%s.not_reproduced", claim_ids[i]), value(key, "%d", c->notrep);
        snprintf(key, sizeof key, "claim.%s.inconclusive", claim_ids[i]), value(key, "%d", c->inc);
        snprintf(key, sizeof key, "claim.%s.total", claim_ids[i]), value(key, "%d", n);
        total_rep += c->rep;
        total += n;
    }
    value("claims.reproduced", "%d", total_rep);
    value("claims.total", "%d", total);
}

int main(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: credit-stats MANIFEST OUTDIR [alpha=0.05] [tol=0.1] [profile=NAME]\n"
                        "Reads the runs a manifest lists and writes the pipeline's tables into OUTDIR.\n");
        return argc < 3 ? 2 : 0;
    }
    for (int i = 3; i < argc; i++) {
        if (!strncmp(argv[i], "alpha=", 6)) alpha = num(argv[i] + 6);
        else if (!strncmp(argv[i], "tol=", 4)) tol = num(argv[i] + 4);
        else if (!strncmp(argv[i], "profile=", 8)) profile = argv[i] + 8;
        else die("unknown argument '%s' (alpha=, tol=, profile=)", argv[i]);
    }
    if (!(alpha > 0 && alpha < 1) || !(tol >= 0)) die("alpha must be in (0,1) and tol >= 0");
    outdir = argv[2];
    read_manifest(argv[1]);
    if (nruns == 0) die("%s lists no runs", argv[1]);

    values_fp = out_open("values.tsv");
    fprintf(values_fp, "key\tvalue\n");
    char b[32];
    value("profile", "%s", profile);
    value("alpha", "%s", fmt3(alpha, b));
    value("tol", "%s", fmt3(tol, b));
    value("tol_percent", "%s", fmt3(100 * tol, b));
    size_t distinct_runs = 0, diverged = 0;
    for (size_t i = 0; i < nruns; i++) {
        size_t j = 0;
        while (j < i && strcmp(runs[j].dir, runs[i].dir)) j++;
        if (j == i) distinct_runs++, diverged += runs[i].f[F_DIVERGED] > 0;
    }
    value("runs.total", "%zu", distinct_runs);
    value("runs.diverged", "%zu", diverged);

    claims_fp = out_open("claims.tsv");
    fprintf(claims_fp, "claim\ttask\trule\ttest_set\tprediction\tstatistic\tp\tverdict\tcontext\n");
    claims_md = out_open("claims.md");
    fprintf(claims_md, "| claim | task | rule | test set | prediction | statistic | p (one-sided) | verdict | context |\n");
    fprintf(claims_md, "|---|---|---|---|---|---|---|---|---|\n");

    write_runs();
    write_summary();
    write_tests_and_claims();
    write_sweeps();
    compare_group(1);
    out_close(tests_fp);
    write_trajectories();
    write_fragments();
    write_claim_counts();
    out_close(claims_fp);
    out_close(claims_md);
    out_close(values_fp);
    free_runs();
    return 0;
}
