/* runs.c - see runs.h. */
#define _POSIX_C_SOURCE 200809L
#include "runs.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const run_field_name[NF] = {
    "train_loss", "train_acc", "test_loss", "test_acc", "ptest_loss", "ptest_acc",
    "gap_loss", "gap_acc", "pgap_loss", "pgap_acc",
    "lambda_max", "gamma", "bound_gd", "bound_rule", "lambda_max_initial", "lambda_over_gd", "lambda_over_rule",
    "lr", "iterations", "diverged",
    "log_lambda_max", "log_inv_eta_gamma", "lambda_growth", "lambda_drift", "edge_level", "edge_level_all",
    "rho", "rho_growth", "rho_drift", "rule_edge", "margin", "train_err",
    "gap_acc_last", "pgap_acc_last", "log_lambda_max_last", "gap_acc_plateau", "pgap_acc_plateau", "log_lambda_max_plateau",
    "pgap_acc_plateau_se", "endpoint_evals", "diverged_at"};

static const char *const curv_col[NC] = {"lambda_max", "gamma", "eta", "bound_gd", "bound_rule", "rule_edge", "margin"};
enum { CURV_REQUIRED = 5 }; /* the first five; the rule's own edge is optional */

/* A word of letters, digits and '_' (a config key, or a rule's or task's name). */
static int is_word(const char *w)
{
    if (!*w) return 0;
    for (; *w; w++)
        if (!(isalnum((unsigned char)*w) || *w == '_')) return 0;
    return 1;
}

/* config.txt in the one form the core writes it (credit_session_write_config;
 * `credit config` prints the same): '#' provenance lines, then the body from
 * the line "# core" on, which holds only section lines "# core", "# rule
 * NAME", "# task NAME" and "key = value" lines. A section is known by its
 * place and exact form, never by a comment's words; any other line in the
 * body, or a repeated key, is damage, named with its line. */
void runs_read_config(run *r, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) stats_die("%s: %s (the run is incomplete)", path, strerror(errno));
    char *line = NULL, section[8] = "", name[2][128] = {"", ""};
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int newline = 1;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        newline = len > 0 && line[len - 1] == '\n';
        if (newline) line[--len] = 0;
        if (!strcmp(line, "# core")) {
            if (!strcmp(section, "core") || *name[0] || *name[1]) stats_die("%s:%zu: a second '# core' section", path, lineno);
            strcpy(section, "core");
            continue;
        }
        if (!*section) {
            if (line[0] != '#') stats_die("%s:%zu: '%s' before the '# core' line that opens the config", path, lineno, line);
            continue; /* provenance */
        }
        int k = !strncmp(line, "# rule ", 7) ? 0 : !strncmp(line, "# task ", 7) ? 1 : -1;
        if (k >= 0) {
            if (!is_word(line + 7) || strlen(line + 7) >= sizeof name[k] || *name[k] || (k == 0 && *name[1]))
                stats_die("%s:%zu: '%s' is not a section line in its place ('# core', then '# rule NAME', then '# task NAME')", path, lineno,
                          line);
            strcpy(name[k], line + 7);
            snprintf(section, sizeof section, "%s", k ? "task" : "rule");
            continue;
        }
        char *eq = strstr(line, " = ");
        if (eq) *eq = 0;
        if (!eq || !is_word(line)) stats_die("%s:%zu: '%s%s' is not a 'key = value' line", path, lineno, line, eq ? " = ..." : "");
        if (run_config(r, line)) stats_die("%s:%zu: key '%s' a second time", path, lineno, line);
        r->key = stats_realloc(r->key, (r->nkey + 1) * sizeof *r->key);
        r->val = stats_realloc(r->val, (r->nkey + 1) * sizeof *r->val);
        r->section = stats_realloc(r->section, (r->nkey + 1) * sizeof *r->section);
        r->key[r->nkey] = stats_strdup(line);
        r->val[r->nkey] = stats_strdup(eq + 3);
        r->section[r->nkey++] = stats_strdup(section);
    }
    if (ferror(fp)) stats_die("%s: %s", path, strerror(errno));
    free(line);
    fclose(fp);
    if (!newline) stats_die("%s:%zu: no newline at the end of the file (cut short?)", path, lineno);
    if (!*section) stats_die("%s: no '# core' line: not a config.txt the trainer wrote", path);
    /* the sections are the run's rule's and task's */
    const char *const keys[2] = {"rule", "task"};
    for (int k = 0; k < 2; k++) {
        const char *v = run_config(r, keys[k]);
        if (*name[k] && (!v || strcmp(v, name[k])))
            stats_die("%s: a '# %s %s' section, but %s = %s", path, keys[k], name[k], keys[k], v ? v : "(absent)");
    }
}

const char *run_config(const run *r, const char *key)
{
    for (size_t i = 0; i < r->nkey; i++)
        if (strcmp(r->key[i], key) == 0) return r->val[i];
    return NULL;
}

/* Columns by name; the first `required` must exist, the others are NaN when absent. */
static void read_series(run_series *s, const tsv_table *t, const char *path, const char *const *cols, int ncols, int required,
                        const char *need_col)
{
    memset(s, 0, sizeof *s);
    int ci = tsv_col(t, "iter"), cj[NC], need = need_col ? tsv_col(t, need_col) : -1;
    if (ci < 0) stats_die("%s: no 'iter' column", path);
    for (int k = 0; k < ncols; k++)
        if ((cj[k] = tsv_col(t, cols[k])) < 0 && k < required) stats_die("%s: no '%s' column", path, cols[k]);
    s->iter = stats_calloc(t->nrow, sizeof(double));
    for (int k = 0; k < ncols; k++) s->v[k] = stats_calloc(t->nrow, sizeof(double));
    for (size_t i = 0; i < t->nrow; i++) {
        if (need >= 0 && !isfinite(tsv_field_num(t, i, need))) continue; /* not an evaluation row */
        s->iter[s->n] = tsv_field_num(t, i, ci);
        for (int k = 0; k < ncols; k++) s->v[k][s->n] = cj[k] >= 0 ? tsv_field_num(t, i, cj[k]) : NAN;
        s->n++;
    }
}

static void series_free(run_series *s)
{
    free(s->iter);
    for (int k = 0; k < NC; k++) free(s->v[k]);
    memset(s, 0, sizeof *s);
}

/* The word after `key` in a provenance line "# ... key WORD", or NULL. */
static char *provenance_word(const tsv_table *t, const char *lead, const char *key)
{
    for (size_t i = 0; i < t->ncomment; i++) {
        const char *c = t->comment[i];
        if (strncmp(c, lead, strlen(lead))) continue;
        const char *k = strstr(c, key);
        if (!k) continue;
        k += strlen(key);
        while (*k == ' ') k++;
        size_t n = strcspn(k, " \t");
        if (!n) continue;
        char *w = stats_calloc(n + 1, 1);
        memcpy(w, k, n);
        return w;
    }
    return NULL;
}

int runs_final_over_all(const run *r)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/curvature_final.args", r->dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        stats_die("%s: %s: which parameters %s/curvature_final.tsv measured is unknown (the pipeline writes the measurement's "
                  "arguments there)", path, strerror(errno), r->dir);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, fp);
    if (len > 0 && line[len - 1] == '\n') line[--len] = 0;
    char *extra = NULL;
    size_t xcap = 0;
    if (len < 0 || strncmp(line, "args", 4) || (line[4] && line[4] != ' ') || getline(&extra, &xcap, fp) >= 0)
        stats_die("%s: expected one line 'args KEY=VALUE ...' (the arguments of credit curvature)", path);
    free(extra);
    fclose(fp);
    /* credit curvature's own hessian_params= overrides the run's config.txt */
    const char *v = NULL;
    for (char *w = strtok(line + 4, " "); w; w = strtok(NULL, " ")) {
        if (strncmp(w, "hessian_params=", 15)) continue;
        if (v && strcmp(v, w + 15)) stats_die("%s: hessian_params is given twice, as %s and as %s", path, v, w + 15);
        v = w + 15;
    }
    char cfg[4200];
    snprintf(cfg, sizeof cfg, "%s/config.txt", r->dir);
    const char *from = v ? path : cfg;
    if (!v && !(v = run_config(r, "hessian_params"))) stats_die("%s: no hessian_params, and %s does not give one", cfg, path);
    int all = !strcmp(v, "all");
    if (!all && strcmp(v, "rec")) stats_die("%s: hessian_params = %s: expected rec or all", from, v);
    free(line);
    return all;
}

static void read_run(run *r, const run_opts *o)
{
    char path[4096];
    tsv_table m;
    snprintf(path, sizeof path, "%s/metrics.tsv", r->dir);
    if (tsv_read(&m, path)) stats_die("%s: missing: the run has not finished (make figures runs it)", path);
    for (int k = 0; k < NF; k++) r->f[k] = NAN;
    r->commit = provenance_word(&m, "# credit ", "commit");
    r->math_hash = provenance_word(&m, "# math_hash", "# math_hash");
    if (m.ncol != 2) stats_die("%s: expected key<TAB>value rows", path);
    /* Every key the tables read must be there: a missing one is a damaged
     * file, never a NaN that the statistics would quietly leave out. */
    int seen[NF] = {0};
    for (size_t i = 0; i < m.nrow; i++) {
        const char *key = m.row[i][0], *v = m.row[i][1];
        if (!strcmp(key, "status")) r->status = stats_strdup(v);
        if (!strcmp(key, "iterations")) r->f[F_ITERS] = tsv_field_num(&m, i, 1), seen[F_ITERS] = 1;
        for (int k = F_TRAIN_LOSS; k <= F_PGAP_ACC; k++)
            if (!strcmp(key, run_field_name[k])) r->f[k] = tsv_field_num(&m, i, 1), seen[k] = 1;
    }
    tsv_free(&m);
    if (!r->status) stats_die("%s: no 'status' row", path);
    if (strcmp(r->status, "completed") && strcmp(r->status, "diverged") && strcmp(r->status, "target_reached"))
        stats_die("%s: status '%s' is not completed, diverged or target_reached", path, r->status);
    for (int k = F_TRAIN_LOSS; k <= F_ITERS; k++)
        if (!seen[k] && (k <= F_PGAP_ACC || k == F_ITERS)) stats_die("%s: no '%s' row (a damaged file)", path, run_field_name[k]);
    r->f[F_DIVERGED] = !strcmp(r->status, "diverged");
    snprintf(path, sizeof path, "%s/config.txt", r->dir);
    runs_read_config(r, path);
    const char *lr = run_config(r, "lr"), *ce = run_config(r, "curvature_every");
    double every = 0;
    if (!lr) stats_die("%s/config.txt: no lr", r->dir);
    if (tsv_parse_num(lr, &r->f[F_LR])) stats_die("%s/config.txt: lr '%s' is not a number", r->dir, lr);
    if (ce && tsv_parse_num(ce, &every)) stats_die("%s/config.txt: curvature_every '%s' is not a number", r->dir, ce);

    static const char *const curve_cols[6] = {"train_loss", "test_loss", "train_acc", "test_acc", "ptest_loss", "ptest_acc"};
    tsv_table t;
    snprintf(path, sizeof path, "%s/curve.tsv", r->dir);
    if (tsv_read(&t, path)) stats_die("%s: missing (metrics.tsv says the run finished)", path);
    read_series(&r->curve, &t, path, curve_cols, 6, 6, "train_loss");
    /* The trainer's last row is the final iteration's: fewer rows is a file cut short. */
    double last_iter = t.nrow ? tsv_field_num(&t, t.nrow - 1, tsv_col(&t, "iter")) : NAN;
    if (last_iter != r->f[F_ITERS])
        stats_die("%s: ends at iteration %g, metrics.tsv says %g (cut short?)", path, t.nrow ? last_iter : -1.0, r->f[F_ITERS]);
    tsv_free(&t);
    snprintf(path, sizeof path, "%s/curvature.tsv", r->dir);
    if (!tsv_read(&t, path)) read_series(&r->curv, &t, path, curv_col, NC, CURV_REQUIRED, NULL), tsv_free(&t);
    else if (every > 0) stats_die("%s: missing (config.txt has curvature_every = %s)", path, ce);
    if (every > 0 && !r->curv.n && !r->f[F_DIVERGED]) stats_die("%s: no rows (the run was measured every %s iterations)", path, ce);

    /* The final checkpoint's curvature: over W_rec it is the final lambda_max;
     * over all parameters (hessian_params=all) it is 5b's second measurement
     * and the final W_rec value is curvature.tsv's last row. */
    run_series fin = {0};
    int all = 0;
    snprintf(path, sizeof path, "%s/curvature_final.tsv", r->dir);
    if (!tsv_read(&t, path)) {
        all = runs_final_over_all(r);
        read_series(&fin, &t, path, curv_col, NC, CURV_REQUIRED, NULL);
        /* measured on the final checkpoint: one of an unfinished run that a
         * resume then finished is another run's curvature (N8) */
        char *at = provenance_word(&t, "# run_config_hash", "iteration");
        double it = NAN;
        if (at && (tsv_parse_num(at, &it) || it != r->f[F_ITERS]))
            stats_die("%s: measured at iteration %s, but the run ended at %g (measure it again: credit curvature %s)", path, at,
                      r->f[F_ITERS], r->dir);
        free(at);
        tsv_free(&t);
        /* only a diverged run's has no row (the pipeline writes a header) */
        if (!fin.n && !r->f[F_DIVERGED]) stats_die("%s: no rows, and the run did not diverge", path);
    } else {
        /* measured once (its arguments recorded after it): the file's loss is damage */
        char args[4200];
        snprintf(args, sizeof args, "%s/curvature_final.args", r->dir);
        if (!access(args, F_OK)) stats_die("%s: missing, but %s says it was measured", path, args);
    }
    const run_series *src = fin.n && !all ? &fin : r->curv.n ? &r->curv : NULL;
    if (src && !r->f[F_DIVERGED]) {
        size_t last = src->n - 1;
        r->f[F_LAMBDA] = src->v[C_LAMBDA][last];
        r->f[F_GAMMA] = src->v[C_GAMMA][last];
        r->f[F_BOUND_GD] = src->v[C_BOUND_GD][last];
        r->f[F_BOUND_RULE] = src->v[C_BOUND_RULE][last];
    }
    if (all && fin.n && !r->f[F_DIVERGED]) r->f[F_LEVEL_ALL] = fin.v[C_ETA][fin.n - 1] * fin.v[C_LAMBDA][fin.n - 1] / 2;
    series_free(&fin);
    runs_endpoint(r, o);
    runs_derive(r, o->plateau);
}

/* curve.tsv's evaluation columns in run_series (read_run's curve_cols) */
enum { EV_TRAIN_LOSS, EV_TEST_LOSS, EV_TRAIN_ACC, EV_TEST_ACC, EV_PTEST_LOSS, EV_PTEST_ACC };

/* First row of a series at or after (1 - window) of its last row's iteration. */
static size_t window_start(const run_series *s, double window)
{
    double from = (1 - window) * s->iter[s->n - 1];
    size_t p = 0;
    while (p + 1 < s->n && s->iter[p] < from) p++;
    return p;
}

void runs_endpoint(run *r, const run_opts *o)
{
    double *f = r->f;
    f[F_DIVERGED_AT] = f[F_DIVERGED] > 0 ? f[F_ITERS] : NAN;
    f[F_GAP_ACC_LAST] = f[F_GAP_ACC], f[F_PGAP_ACC_LAST] = f[F_PGAP_ACC];
    f[F_LOG_LAMBDA_LAST] = f[F_LAMBDA] > 0 ? log(f[F_LAMBDA]) : NAN;
    const int plateau_fields[5] = {F_GAP_ACC_PLATEAU, F_PGAP_ACC_PLATEAU, F_LOG_LAMBDA_PLATEAU, F_PGAP_ACC_PLATEAU_SE, F_ENDPOINT_EVALS};
    for (int k = 0; k < 5; k++) f[plateau_fields[k]] = NAN;
    if (f[F_DIVERGED] > 0) return;
    /* The window's mean of every evaluated quantity, each gap computed per evaluation first. */
    const run_series *e = &r->curve;
    double mean[NF];
    for (int k = 0; k < NF; k++) mean[k] = NAN;
    if (e->n) {
        size_t p = window_start(e, o->window), m = e->n - p;
        /* field = column a minus column b (b < 0: none) */
        static const struct { int field, a, b; } q[] = {
            {F_TRAIN_LOSS, EV_TRAIN_LOSS, -1}, {F_TRAIN_ACC, EV_TRAIN_ACC, -1}, {F_TEST_LOSS, EV_TEST_LOSS, -1},
            {F_TEST_ACC, EV_TEST_ACC, -1},     {F_PTEST_LOSS, EV_PTEST_LOSS, -1}, {F_PTEST_ACC, EV_PTEST_ACC, -1},
            {F_GAP_LOSS, EV_TEST_LOSS, EV_TRAIN_LOSS}, {F_PGAP_LOSS, EV_PTEST_LOSS, EV_TRAIN_LOSS},
            {F_GAP_ACC, EV_TRAIN_ACC, EV_TEST_ACC},   {F_PGAP_ACC, EV_TRAIN_ACC, EV_PTEST_ACC}};
        for (size_t k = 0; k < sizeof q / sizeof *q; k++) {
            double sum = 0;
            for (size_t j = p; j < e->n; j++) sum += e->v[q[k].a][j] - (q[k].b >= 0 ? e->v[q[k].b][j] : 0);
            mean[q[k].field] = sum / (double)m;
        }
        double ss = 0;
        for (size_t j = p; j < e->n; j++) {
            double d = e->v[EV_TRAIN_ACC][j] - e->v[EV_PTEST_ACC][j] - mean[F_PGAP_ACC];
            ss += d * d;
        }
        f[F_PGAP_ACC_PLATEAU_SE] = m > 1 ? sqrt(ss / (double)(m - 1) / (double)m) : NAN;
        f[F_GAP_ACC_PLATEAU] = mean[F_GAP_ACC], f[F_PGAP_ACC_PLATEAU] = mean[F_PGAP_ACC];
        f[F_ENDPOINT_EVALS] = (double)m;
    }
    /* lambda_max: the geometric mean of the window's curvature rows (W_rec) */
    const run_series *c = &r->curv;
    if (c->n) {
        size_t p = window_start(c, o->window), m = 0;
        double sum = 0;
        for (size_t j = p; j < c->n; j++)
            if (c->v[C_LAMBDA][j] > 0) sum += log(c->v[C_LAMBDA][j]), m++;
        f[F_LOG_LAMBDA_PLATEAU] = m ? sum / (double)m : NAN;
    }
    /* A run stopped at a target (matched groups) is judged where it stopped. */
    if (!o->use_plateau || strcmp(r->status, "completed")) return;
    if (!e->n) stats_die("%s/curve.tsv: no evaluation rows, so no plateau endpoint (FIG_CLAIM_ENDPOINT=plateau)", r->dir);
    for (int k = F_TRAIN_LOSS; k <= F_PGAP_ACC; k++) f[k] = mean[k];
    if (isfinite(f[F_LOG_LAMBDA_PLATEAU])) f[F_LAMBDA] = exp(f[F_LOG_LAMBDA_PLATEAU]);
}

static double safe_log(double v) { return v > 0 ? log(v) : NAN; }

void runs_derive(run *r, double plateau)
{
    const run_series *c = &r->curv;
    r->f[F_LAMBDA0] = c->n ? c->v[C_LAMBDA][0] : NAN;
    r->f[F_LAMBDA_GD] = r->f[F_LAMBDA] / r->f[F_BOUND_GD];
    r->f[F_LAMBDA_RULE] = r->f[F_LAMBDA] / r->f[F_BOUND_RULE];
    r->f[F_LOG_LAMBDA] = safe_log(r->f[F_LAMBDA]);
    r->f[F_LOG_INV_ETA_GAMMA] = safe_log(1 / (r->f[F_LR] * r->f[F_GAMMA]));
    r->f[F_TRAIN_ERR] = 1 - r->f[F_TRAIN_ACC];
    const int derived[] = {F_LAMBDA_GROWTH, F_LAMBDA_DRIFT, F_LEVEL, F_RHO, F_RHO_GROWTH, F_RHO_DRIFT, F_EDGE, F_MARGIN};
    for (size_t k = 0; k < sizeof derived / sizeof *derived; k++) r->f[derived[k]] = NAN;
    if (r->f[F_DIVERGED] > 0 || c->n == 0) return;
    /* the plateau: rows at or after (1 - plateau) of the last row's iteration */
    size_t p0 = window_start(c, plateau);
    double sum[5] = {0};
    size_t cnt[5] = {0};
    for (size_t i = p0; i < c->n; i++) {
        double eta = c->v[C_ETA][i], lam = c->v[C_LAMBDA][i];
        const double v[5] = {lam, eta * lam / 2, eta * lam * c->v[C_GAMMA][i] / 2, c->v[C_RULE_EDGE][i], c->v[C_MARGIN][i]};
        for (int k = 0; k < 5; k++)
            if (isfinite(v[k])) sum[k] += v[k], cnt[k]++;
    }
    double mean[5];
    for (int k = 0; k < 5; k++) mean[k] = cnt[k] ? sum[k] / (double)cnt[k] : NAN;
    size_t last = c->n - 1;
    /* Growth is measured from the lowest row before the plateau, not the
     * first: the authors' initialization starts far above 2/eta and falls
     * in the early catapult before any sharpening (science.md "Verdicts"). */
    double lam_min = c->v[C_LAMBDA][0], rho0 = c->v[C_ETA][0] * c->v[C_LAMBDA][0] * c->v[C_GAMMA][0] / 2;
    for (size_t i = 1; i < p0; i++) {
        double lam = c->v[C_LAMBDA][i], rho = c->v[C_ETA][i] * lam * c->v[C_GAMMA][i] / 2;
        if (lam < lam_min) lam_min = lam;
        if (rho < rho0) rho0 = rho;
    }
    double rho_p0 = c->v[C_ETA][p0] * c->v[C_LAMBDA][p0] * c->v[C_GAMMA][p0] / 2;
    double rho_last = c->v[C_ETA][last] * c->v[C_LAMBDA][last] * c->v[C_GAMMA][last] / 2;
    r->f[F_LAMBDA_GROWTH] = safe_log(mean[0] / lam_min);
    r->f[F_LEVEL] = mean[1];
    r->f[F_RHO] = mean[2];
    r->f[F_RHO_GROWTH] = safe_log(mean[2] / rho0);
    r->f[F_EDGE] = mean[3];
    r->f[F_MARGIN] = mean[4];
    if (last > p0) { /* a drift needs two plateau rows */
        r->f[F_LAMBDA_DRIFT] = safe_log(c->v[C_LAMBDA][last] / c->v[C_LAMBDA][p0]);
        r->f[F_RHO_DRIFT] = safe_log(rho_last / rho_p0);
    }
}

int runs_repeated(const run_set *s, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!strcmp(s->run[j].dir, s->run[i].dir)) return 1;
    return 0;
}

void runs_read(run_set *s, const char *path, const run_opts *o)
{
    memset(s, 0, sizeof *s);
    tsv_table *t = &s->manifest;
    if (tsv_read(t, path)) stats_die("%s: missing", path);
    const char *cols[6] = {"group", "task", "rule", "seed", "x", "dir"};
    int c[6];
    for (int k = 0; k < 6; k++)
        if ((c[k] = tsv_col(t, cols[k])) < 0) stats_die("%s: no '%s' column", path, cols[k]);
    s->run = stats_calloc(t->nrow, sizeof *s->run);
    for (size_t i = 0; i < t->nrow; i++) {
        run *r = &s->run[s->n++];
        r->group = t->row[i][c[0]];
        r->task = t->row[i][c[1]];
        r->rule = t->row[i][c[2]];
        r->seed = atol(t->row[i][c[3]]);
        r->x = tsv_num(t->row[i][c[4]]);
        r->dir = t->row[i][c[5]];
        /* the same directory in another group: share what was read */
        size_t j = 0;
        while (j < i && strcmp(s->run[j].dir, r->dir)) j++;
        if (j < i) {
            const run *first = &s->run[j];
            memcpy(r->f, first->f, sizeof r->f);
            r->status = first->status, r->curv = first->curv, r->curve = first->curve;
            r->key = first->key, r->val = first->val, r->section = first->section, r->nkey = first->nkey;
            r->commit = first->commit, r->math_hash = first->math_hash;
        } else {
            r->owner = 1;
            read_run(r, o);
        }
    }
}

void runs_free(run_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        run *r = &s->run[i];
        if (!r->owner) continue;
        free(r->status);
        free(r->commit);
        free(r->math_hash);
        series_free(&r->curv);
        series_free(&r->curve);
        for (size_t k = 0; k < r->nkey; k++) free(r->key[k]), free(r->val[k]), free(r->section[k]);
        free(r->key), free(r->val), free(r->section);
    }
    free(s->run);
    tsv_free(&s->manifest);
    memset(s, 0, sizeof *s);
}

/* Appends w to a space-separated set of words unless it is there. */
static void add_word(char **set, const char *w)
{
    size_t n = strlen(w), len = *set ? strlen(*set) : 0;
    for (const char *p = *set; p && (p = strstr(p, w)); p += n)
        if ((p == *set || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return;
    *set = stats_realloc(*set, len + n + 2);
    if (len) (*set)[len++] = ' ';
    memcpy(*set + len, w, n + 1);
}

char *runs_provenance(const run_set *s)
{
    char *commits = NULL, *hashes = NULL;
    size_t no_commit = 0, no_hash = 0, runs = 0;
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        if (!r->owner) continue;
        runs++;
        if (r->commit) add_word(&commits, r->commit);
        else no_commit++;
        if (r->math_hash) add_word(&hashes, r->math_hash);
        else no_hash++;
    }
    size_t cap = 256 + (commits ? strlen(commits) : 0) + (hashes ? strlen(hashes) : 0);
    char *out = stats_calloc(cap, 1);
    int n = snprintf(out, cap, "# runs %zu; commits %s", runs, commits ? commits : "unknown");
    if (no_commit && commits) n += snprintf(out + n, cap - (size_t)n, " (and %zu unknown)", no_commit);
    n += snprintf(out + n, cap - (size_t)n, "\n# math_hash %s", hashes ? hashes : "unknown");
    if (no_hash && hashes) n += snprintf(out + n, cap - (size_t)n, " (and %zu unknown)", no_hash);
    snprintf(out + n, cap - (size_t)n, "\n");
    free(commits);
    free(hashes);
    return out;
}

size_t runs_distinct(const run_set *s, const char *group, const char *task, enum run_attr a, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        if ((group && strcmp(r->group, group)) || (task && strcmp(r->task, task))) continue;
        const char *v = a == RUN_GROUP ? r->group : a == RUN_TASK ? r->task : r->rule;
        size_t k = 0;
        while (k < n && strcmp(out[k], v)) k++;
        if (k == n && n < cap) out[n++] = v;
    }
    return n;
}

size_t runs_xs(const run_set *s, const char *group, const char *task, const char *rule, double *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        if (strcmp(r->group, group) || strcmp(r->task, task) || (rule && strcmp(r->rule, rule))) continue;
        size_t k = 0;
        while (k < n && out[k] != r->x) k++;
        if (k == n && n < cap) out[n++] = r->x;
    }
    for (size_t a = 1; a < n; a++) /* ascending */
        for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
            double t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

size_t runs_pick(const run_set *s, const char *group, const char *task, const char *rule, double x, int f, double *out, double *xs)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        if ((group && strcmp(r->group, group)) || (task && strcmp(r->task, task)) || (rule && strcmp(r->rule, rule))) continue;
        if (!isnan(x) && r->x != x) continue;
        if (xs) xs[n] = r->x;
        out[n++] = r->f[f];
    }
    return n;
}
