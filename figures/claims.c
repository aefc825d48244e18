/* claims.c - see claims.h. */
#define _POSIX_C_SOURCE 200809L
#include "claims.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NO_ALL "not measured: no curvature_final.tsv over all parameters (FIG_CURVATURE_FINAL=1, FIG_CURV_FINAL_ARGS=hessian_params=all)"
#define NO_EDGE "not measured: curvature.tsv has no rule_edge column (the update Jacobian was not measured)"
#define NO_CURV "not measured: no curvature rows"

/* ------------------------------------------------------------ the table */

static const char *const kind_name[] = {"vs_ref", "spread", "corr", "regression", "rule_mean", "ref_mean", "near_ref", "slope_x", "slope_field", "at_level"};
static const char *const test_name[] = {"direction", "band"};
static const char *const margin_name[] = {"gap_acc", "gap_loss", "log_lambda", "slope_zero", "slope_minus_one", "slope_one", "r", "edge", "near", "settle", "log_sd"};
/* absent: what a row says when its quantity was not measured at all */
static const char *const absent_name[] = {"-", "curvature", "all_parameters", "rule_edge"};
static const char *const absent_reason[] = {NULL, NO_CURV, NO_ALL, NO_EDGE};

/* Field `col` of row i: its index in names[n], or dies naming the choices. */
static int pick_name(const tsv_table *f, size_t i, const char *col, const char *const *names, size_t n)
{
    const char *v = f->row[i][tsv_col(f, col)];
    for (size_t k = 0; k < n; k++)
        if (!strcmp(v, names[k])) return (int)k;
    char choices[512] = "";
    for (size_t k = 0; k < n; k++) snprintf(choices + strlen(choices), sizeof choices - strlen(choices), "%s%s", k ? " " : "", names[k]);
    stats_die("%s:%zu: %s '%s': want one of %s", f->path, f->line[i], col, v, choices);
}

void claims_read(claim_table *t, const char *path)
{
    static const char *const cols[] = {"claim", "says", "group", "quantity", "regressor", "kind", "test", "direction", "margin", "test_set", "prediction", "protocol", "absent"};
    memset(t, 0, sizeof *t);
    tsv_table *f = &t->file;
    if (tsv_read(f, path)) stats_die("%s: no claims table", path);
    for (size_t k = 0; k < sizeof cols / sizeof *cols; k++)
        if (tsv_col(f, cols[k]) < 0) stats_die("%s: no column '%s'", path, cols[k]);
    if (f->nrow == 0) stats_die("%s: no claim rows", path);
    t->row = stats_calloc(f->nrow, sizeof *t->row);
    t->n = f->nrow;
    for (size_t i = 0; i < f->nrow; i++) {
        claim_spec *sp = &t->row[i];
        char **v = f->row[i];
        sp->id = v[tsv_col(f, "claim")];
        sp->group = v[tsv_col(f, "group")];
        sp->quantity = pick_name(f, i, "quantity", run_field_name, NF);
        sp->xfield = strcmp(v[tsv_col(f, "regressor")], "-") ? pick_name(f, i, "regressor", run_field_name, NF) : -1;
        sp->kind = (enum claim_kind)pick_name(f, i, "kind", kind_name, sizeof kind_name / sizeof *kind_name);
        sp->test = (enum claim_test)pick_name(f, i, "test", test_name, sizeof test_name / sizeof *test_name);
        sp->margin = (enum claim_margin)pick_name(f, i, "margin", margin_name, sizeof margin_name / sizeof *margin_name);
        const char *d = v[tsv_col(f, "direction")];
        sp->direction = !strcmp(d, "+1") ? 1 : !strcmp(d, "-1") ? -1 : 0;
        if (sp->direction == 0 && strcmp(d, "0")) stats_die("%s:%zu: direction '%s': want +1, -1 or 0", path, f->line[i], d);
        if ((sp->test == TEST_DIRECTION) != (sp->direction != 0))
            stats_die("%s:%zu: direction '%s': a direction test wants +1 or -1, a band test 0", path, f->line[i], d);
        if ((sp->kind == K_SLOPE_FIELD || sp->kind == K_CORR || sp->kind == K_REGRESSION) != (sp->xfield >= 0))
            stats_die("%s:%zu: regressor '%s': kinds corr, regression and slope_field have one, the others '-'", path, f->line[i],
                      v[tsv_col(f, "regressor")]);
        sp->test_set = v[tsv_col(f, "test_set")];
        sp->prediction = v[tsv_col(f, "prediction")];
        sp->protocol = v[tsv_col(f, "protocol")];
        sp->absent = absent_reason[pick_name(f, i, "absent", absent_name, sizeof absent_name / sizeof *absent_name)];
        /* a claim's sentence is written once, on its first row */
        const char *says = v[tsv_col(f, "says")];
        size_t j = 0;
        while (j < i && strcmp(t->row[j].id, sp->id)) j++;
        if (j < i && strcmp(says, "-")) stats_die("%s:%zu: says: claim %s says it on its first row (line %zu); later rows have '-'", path, f->line[i], sp->id, f->line[j]);
        if (j == i && !strcmp(says, "-")) stats_die("%s:%zu: says: the first row of claim %s says what the paper says", path, f->line[i], sp->id);
        sp->says = j < i ? t->row[j].says : says;
    }
}

void claims_free(claim_table *t)
{
    free(t->row);
    tsv_free(&t->file);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------ settings */

static const struct { const char *name; size_t off; int text; } setting_fields[] = {
    {"FIG_CLAIM_REFERENCE", offsetof(claim_settings, reference), 1},
    {"FIG_CLAIM_PRIMARY", offsetof(claim_settings, primary), 1},
    {"FIG_CLAIM_MATCHED_LOSS_GROUP", offsetof(claim_settings, matched_loss), 1},
    {"FIG_CLAIM_REMEDY_GROUP", offsetof(claim_settings, remedy), 1},
    {"FIG_CLAIM_SESOI_GAP_ACC", offsetof(claim_settings, sesoi_gap_acc), 0},
    {"FIG_CLAIM_SESOI_GAP_LOSS", offsetof(claim_settings, sesoi_gap_loss), 0},
    {"FIG_CLAIM_SESOI_GAP_MSE", offsetof(claim_settings, sesoi_gap_mse), 0},
    {"FIG_CLAIM_SESOI_LOG_LAMBDA", offsetof(claim_settings, sesoi_log_lambda), 0},
    {"FIG_CLAIM_SESOI_SLOPE", offsetof(claim_settings, sesoi_slope), 0},
    {"FIG_CLAIM_SESOI_R", offsetof(claim_settings, sesoi_r), 0},
    {"FIG_CLAIM_NEAR", offsetof(claim_settings, near), 0},
    {"FIG_CLAIM_PLATEAU", offsetof(claim_settings, plateau), 0},
    {"FIG_CLAIM_SETTLE", offsetof(claim_settings, settle), 0},
    {"FIG_CLAIM_ENDPOINT", offsetof(claim_settings, endpoint), 1},
    {"FIG_CLAIM_ENDPOINT_WINDOW", offsetof(claim_settings, endpoint_window), 0},
    {"FIG_CLAIM_SESOI_LOG_SD", offsetof(claim_settings, sesoi_log_sd), 0},
};

int claims_setting(claim_settings *cs, const char *name, const char *value)
{
    if (!strcmp(name, "FIG_CLAIM_EDGE_BAND")) {
        char *end;
        cs->band_lo = strtod(value, &end);
        cs->band_hi = strtod(end, &end);
        while (*end == ' ') end++;
        if (*end || !(cs->band_lo > 0 && cs->band_hi > cs->band_lo))
            stats_die("FIG_CLAIM_EDGE_BAND='%s': want two numbers 0 < low < high", value);
        return 0;
    }
    for (size_t i = 0; i < sizeof setting_fields / sizeof *setting_fields; i++) {
        if (strcmp(name, setting_fields[i].name)) continue;
        char *p = (char *)cs + setting_fields[i].off;
        if (setting_fields[i].text) {
            if (!strcmp(name, "FIG_CLAIM_ENDPOINT") && strcmp(value, "last") && strcmp(value, "plateau"))
                stats_die("%s='%s': want last (the last iterate) or plateau (the mean over the last FIG_CLAIM_ENDPOINT_WINDOW of training)", name, value);
            memcpy(p, &value, sizeof value);
            return 0;
        }
        char *end;
        double v = strtod(value, &end);
        if (end == value || *end || !(v > 0)) stats_die("%s='%s': want a positive number", name, value);
        if ((!strcmp(name, "FIG_CLAIM_PLATEAU") || !strcmp(name, "FIG_CLAIM_ENDPOINT_WINDOW")) && !(v <= 1))
            stats_die("%s='%s': a fraction of training, at most 1", name, value);
        if (!strcmp(name, "FIG_CLAIM_NEAR") && !(v > 1)) stats_die("%s='%s': a factor above 1", name, value);
        if (!strcmp(name, "FIG_CLAIM_SESOI_R") && !(v < 1)) stats_die("%s='%s': a correlation below 1", name, value);
        memcpy(p, &v, sizeof v);
        return 0;
    }
    return -1;
}

void claims_settings_check(const claim_settings *cs)
{
    for (size_t i = 0; i < sizeof setting_fields / sizeof *setting_fields; i++) {
        const char *p = (const char *)cs + setting_fields[i].off;
        const char *text;
        double v;
        memcpy(&text, p, sizeof text);
        memcpy(&v, p, sizeof v);
        if (setting_fields[i].text ? !text || !*text : !(v > 0))
            stats_die("the profile does not set %s (paper/experiments/PROFILE.mk declares the claims' settings before the runs)",
                      setting_fields[i].name);
    }
    if (!(cs->band_hi > cs->band_lo && cs->band_lo > 0)) stats_die("the profile does not set FIG_CLAIM_EDGE_BAND");
}

/* ------------------------------------------------------------ primary endpoints */

static int field_match(const char *pat, size_t len, const char *v) { return (len == 1 && *pat == '*') || (strlen(v) == len && !strncmp(pat, v, len)); }

int claims_is_primary(const char *patterns, const char *id, const char *task, const char *rule, const char *quantity)
{
    const char *field[4] = {id, task, rule, quantity};
    for (const char *p = patterns; p && *p;) {
        p += strspn(p, " \t");
        size_t wl = strcspn(p, " \t");
        if (!wl) break;
        const char *q = p;
        int ok = 1, k = 0;
        for (; k < 4 && q < p + wl; k++) {
            size_t fl = strcspn(q, ":");
            if (q + fl > p + wl) fl = (size_t)(p + wl - q);
            ok &= field_match(q, fl, field[k]);
            q += fl + (q + fl < p + wl);
        }
        if (ok && k == 4) return 1;
        p += wl;
    }
    return 0;
}

/* ------------------------------------------------------------ evaluation */

/* mse: the task has no accuracy (its loss is a mean squared error, not nats) */
static void margin(const claim_settings *cs, enum claim_margin m, int mse, double *lo, double *hi)
{
    double h = NAN, c = 0;
    switch (m) {
    case M_GAP_ACC: h = cs->sesoi_gap_acc; break;
    case M_GAP_LOSS: h = mse ? cs->sesoi_gap_mse : cs->sesoi_gap_loss; break;
    case M_LOG_LAMBDA: h = cs->sesoi_log_lambda; break;
    case M_SLOPE_ZERO: h = cs->sesoi_slope; break;
    case M_SLOPE_MINUS_ONE: h = cs->sesoi_slope, c = -1; break;
    case M_SLOPE_ONE: h = cs->sesoi_slope, c = 1; break;
    case M_R: h = atanh(cs->sesoi_r); break;
    case M_NEAR: h = log(cs->near); break;
    case M_SETTLE: h = cs->settle; break;
    case M_LOG_SD: h = cs->sesoi_log_sd; break;
    case M_EDGE: *lo = cs->band_lo, *hi = cs->band_hi; return;
    }
    *lo = c - h;
    *hi = c + h;
}

/* The groups of a spec, with the profile's names for "@..." ones. */
static const char *group_name(const claim_settings *cs, const char *g, size_t len, char *buf, size_t cap)
{
    if (len == 13 && !strncmp(g, "@matched_loss", 13)) return cs->matched_loss;
    if (len == 7 && !strncmp(g, "@remedy", 7)) return cs->remedy;
    snprintf(buf, cap, "%.*s", (int)len, g);
    return buf;
}

static int in_groups(const claim_settings *cs, const char *groups, const char *g)
{
    for (const char *p = groups; *p;) {
        size_t l = strcspn(p, ",");
        char buf[64];
        if (!strcmp(group_name(cs, p, l, buf, sizeof buf), g)) return 1;
        p += l + (p[l] == ',');
    }
    return 0;
}

/* Values of field f (and of field xf, or log x when xf < 0) of the runs of
 * (groups, task, rule), each directory once. Returns the count. */
static size_t collect(const run_set *s, const claim_settings *cs, const char *groups, const char *task, const char *rule, int f, int xf,
                      double *y, double *x)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        if (!in_groups(cs, groups, r->group) || (task && strcmp(r->task, task)) || (rule && strcmp(r->rule, rule))) continue;
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = in_groups(cs, groups, s->run[j].group) && !strcmp(s->run[j].dir, r->dir) && !strcmp(s->run[j].task, r->task);
        if (dup) continue;
        y[n] = r->f[f];
        if (x) x[n] = xf >= 0 ? r->f[xf] : r->x > 0 ? log(r->x) : NAN;
        n++;
    }
    return n;
}

static size_t finite_count(const double *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += isfinite(v[i]) != 0;
    return m;
}

static claim_row *new_row(claim_row **rows, size_t *n, size_t *cap, const claim_spec *spec, const char *task, const char *rule)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *rows = stats_realloc(*rows, *cap * sizeof **rows);
    }
    claim_row *r = &(*rows)[(*n)++];
    memset(r, 0, sizeof *r);
    r->spec = spec;
    snprintf(r->task, sizeof r->task, "%s", task);
    snprintf(r->rule, sizeof r->rule, "%s", rule);
    r->e = stat_estimate_make(NAN, NAN, NAN, 0);
    r->p_for = r->p_against = NAN;
    return r;
}

/* Does the task have an accuracy (a classification task)? */
static int has_accuracy(const run_set *s, const char *task)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->run[i].task, task) && isfinite(s->run[i].f[F_TRAIN_ACC])) return 1;
    return 0;
}

static int is_accuracy(int f) { return f == F_GAP_ACC || f == F_PGAP_ACC; }
static int is_gap(int f) { return f >= F_GAP_LOSS && f <= F_PGAP_ACC; }

/* Training error (loss for a task without accuracy) beside a gap. */
static void train_context(const run_set *s, const char *group, const char *task, const char *rule, const char *ref, char *ctx, size_t len)
{
    double *a = stats_calloc(s->n, sizeof *a), *b = stats_calloc(s->n, sizeof *b);
    char b1[32], b2[32];
    int err = finite_count(a, runs_pick(s, group, task, rule, NAN, F_TRAIN_ERR, a, NULL)) > 0;
    int f = err ? F_TRAIN_ERR : F_TRAIN_LOSS;
    stat_summary sa = stat_describe(a, runs_pick(s, group, task, rule, NAN, f, a, NULL));
    if (ref && strcmp(rule, ref)) {
        stat_summary sb = stat_describe(b, runs_pick(s, group, task, ref, NAN, f, b, NULL));
        snprintf(ctx, len, "train %s %s vs %s %s", err ? "error" : "loss", tsv_fmt3(sa.mean, b1), ref, tsv_fmt3(sb.mean, b2));
    } else {
        snprintf(ctx, len, "train %s %s", err ? "error" : "loss", tsv_fmt3(sa.mean, b1));
    }
    free(a);
    free(b);
}

static void log_all(double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) v[i] = v[i] > 0 ? log(v[i]) : NAN;
}

/* The design of claim 3r: 1, log lambda_max, train loss, one column per rule after the first. */
static stat_estimate regression(const run_set *s, const claim_settings *cs, const claim_spec *spec, const char *task)
{
    /* A rule without one finite run (all diverged) has no column: an
     * all-zero indicator would make the design singular. */
    const char *rules[64];
    size_t nr = 0;
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        if (!in_groups(cs, spec->group, r->group) || strcmp(r->task, task)) continue;
        if (!isfinite(r->f[spec->quantity]) || !isfinite(r->f[spec->xfield]) || !isfinite(r->f[F_TRAIN_LOSS])) continue;
        size_t k = 0;
        while (k < nr && strcmp(rules[k], r->rule)) k++;
        if (k == nr && nr < 64) rules[nr++] = r->rule;
    }
    size_t p = 3 + (nr ? nr - 1 : 0);
    double *X = stats_calloc(s->n * p, sizeof *X), *y = stats_calloc(s->n, sizeof *y), *tmp = stats_calloc(s->n, sizeof *tmp);
    size_t n = 0;
    for (size_t q = 0; q < nr; q++) {
        size_t m = collect(s, cs, spec->group, task, rules[q], spec->quantity, spec->xfield, y + n, tmp);
        double *loss = stats_calloc(m ? m : 1, sizeof *loss);
        collect(s, cs, spec->group, task, rules[q], F_TRAIN_LOSS, -1, loss, NULL);
        for (size_t i = 0; i < m; i++) {
            double *row = X + (n + i) * p;
            row[0] = 1, row[1] = tmp[i], row[2] = loss[i];
            for (size_t k = 1; k < nr; k++) row[2 + k] = q == k;
        }
        free(loss);
        n += m;
    }
    stat_estimate e = stat_estimate_regression(X, y, n, p, 1);
    free(X), free(y), free(tmp);
    return e;
}

/* The training loss every run of both rules (diverged ones aside) gets down
 * to: the largest of their lowest evaluated losses (claim 1t). */
static double shared_level(const run_set *s, const char *group, const char *task, const char *rule, const char *ref)
{
    double level = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        if (strcmp(r->group, group) || strcmp(r->task, task) || (strcmp(r->rule, rule) && strcmp(r->rule, ref))) continue;
        if (r->f[F_DIVERGED] > 0 || r->curve.n == 0) continue;
        double low = INFINITY;
        for (size_t j = 0; j < r->curve.n; j++)
            if (r->curve.v[0][j] < low) low = r->curve.v[0][j]; /* v[0]: train_loss */
        if (low > level) level = low;
    }
    return isfinite(level) ? level : NAN;
}

/* Each run's gap at the row's level, or NaN. */
static size_t pick_at_level(const run_set *s, const char *group, const char *task, const char *rule, int quantity, double level, double *out)
{
    int mse = !has_accuracy(s, task), perturbed = quantity == F_PGAP_ACC || quantity == F_PGAP_LOSS;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        if (strcmp(r->group, group) || strcmp(r->task, task) || strcmp(r->rule, rule)) continue;
        out[n++] = r->f[F_DIVERGED] > 0 ? NAN : gapfit_at(&r->curve, level, mse, perturbed);
    }
    return n;
}

size_t claims_samples(const run_set *s, const claim_settings *cs, claim_row *row, const char *group, double *a, size_t *na, double *b)
{
    const claim_spec *sp = row->spec;
    const char *task = row->task, *rule = row->rule, *ref = cs->reference;
    size_t nb;
    if (sp->kind == K_AT_LEVEL) {
        row->level = shared_level(s, group, task, rule, ref);
        *na = pick_at_level(s, group, task, rule, sp->quantity, row->level, a);
        nb = pick_at_level(s, group, task, ref, sp->quantity, row->level, b);
    } else {
        *na = runs_pick(s, group, task, rule, NAN, sp->quantity, a, NULL);
        nb = runs_pick(s, group, task, ref, NAN, sp->kind == K_NEAR_REF ? F_LEVEL : sp->quantity, b, NULL);
    }
    row->runs_rule = *na, row->runs_ref = nb;
    return nb;
}

static void estimate_row(const run_set *s, const claim_settings *cs, claim_row *row, const char *group)
{
    const claim_spec *sp = row->spec;
    const char *task = row->task, *rule = row->rule, *ref = cs->reference;
    double *a = stats_calloc(s->n, sizeof *a), *b = stats_calloc(s->n, sizeof *b), *x = stats_calloc(s->n, sizeof *x);
    size_t na, nb;
    int measured = 1;
    switch (sp->kind) {
    case K_VS_REF:
    case K_SPREAD:
    case K_AT_LEVEL:
        nb = claims_samples(s, cs, row, group, a, &na, b);
        row->n_rule = finite_count(a, na), row->n_ref = finite_count(b, nb);
        measured = row->n_rule + row->n_ref > 0;
        if (nb == 0) snprintf(row->reason, sizeof row->reason, "no runs of the reference rule %s in group %s", ref, group);
        row->e = sp->kind == K_SPREAD ? stat_estimate_log_sd_ratio(a, na, b, nb) : stat_estimate_welch(a, na, b, nb);
        break;
    case K_NEAR_REF:
        nb = claims_samples(s, cs, row, group, a, &na, b);
        log_all(a, na), log_all(b, nb);
        row->n_rule = finite_count(a, na), row->n_ref = finite_count(b, nb);
        measured = row->n_rule > 0;
        row->e = stat_estimate_welch(a, na, b, nb);
        break;
    case K_RULE_MEAN:
    case K_REF_MEAN:
        na = runs_pick(s, group, task, rule, NAN, sp->quantity, a, NULL);
        row->runs_rule = na, row->n_rule = finite_count(a, na);
        measured = row->n_rule > 0;
        row->e = stat_estimate_mean(a, na);
        break;
    case K_CORR:
    case K_SLOPE_X:
    case K_SLOPE_FIELD:
        na = collect(s, cs, sp->kind == K_CORR ? sp->group : group, task, rule, sp->quantity, sp->kind == K_SLOPE_X ? -1 : sp->xfield, a, x);
        row->runs_rule = na, row->n_rule = finite_count(a, na);
        measured = row->n_rule > 0;
        row->e = sp->kind == K_CORR ? stat_estimate_fisher_z(x, a, na) : stat_estimate_slope(x, a, na);
        break;
    case K_REGRESSION:
        na = collect(s, cs, sp->group, task, NULL, sp->quantity, sp->xfield, a, x);
        row->runs_rule = na, row->n_rule = finite_count(a, na);
        measured = row->n_rule > 0 && finite_count(x, na) > 0;
        row->e = regression(s, cs, sp, task);
        break;
    }
    if (!measured && !row->reason[0]) snprintf(row->reason, sizeof row->reason, "%s", sp->absent ? sp->absent : "not measured");
    if (is_gap(sp->quantity)) {
        int two = sp->kind == K_VS_REF || sp->kind == K_SPREAD || sp->kind == K_AT_LEVEL;
        train_context(s, group, task, rule, two ? ref : NULL, row->context, sizeof row->context);
        if (sp->kind == K_AT_LEVEL && isfinite(row->level)) {
            char b1[32];
            size_t l = strlen(row->context);
            snprintf(row->context + l, sizeof row->context - l, "; gaps read at training loss %s", tsv_fmt3(row->level, b1));
        }
    }
    margin(cs, sp->margin, !has_accuracy(s, task), &row->band_lo, &row->band_hi);
    if (sp->test == TEST_DIRECTION) {
        row->p_for = stat_p_beyond(row->e, 0, sp->direction);
        double opposite = stat_p_beyond(row->e, 0, -sp->direction), none = stat_p_inside(row->e, row->band_lo, row->band_hi);
        row->p_against = isnan(opposite) || isnan(none) ? NAN : fmin(opposite, none);
    } else {
        row->p_for = stat_p_inside(row->e, row->band_lo, row->band_hi);
        row->p_against = stat_p_outside(row->e, row->band_lo, row->band_hi);
    }
    free(a), free(b), free(x);
}

void claims_evaluate(const run_set *s, const claim_settings *cs, const claim_spec *spec, claim_row **rows, size_t *n, size_t *cap)
{
    /* the spec's first group names the tasks and rules (claim 3: main and the sweeps) */
    char buf[64];
    const char *group = group_name(cs, spec->group, strcspn(spec->group, ","), buf, sizeof buf);
    const char *tasks[64], *rules[64];
    size_t nt = runs_distinct(s, group, NULL, RUN_TASK, tasks, 64);
    int absent = nt == 0;
    const char *from = absent ? cs->main_group : group; /* a group the profile lacks: rows "not measured" for the main comparison's tasks and rules */
    if (absent) nt = runs_distinct(s, from, NULL, RUN_TASK, tasks, 64);
    if (nt == 0) {
        claim_row *r = new_row(rows, n, cap, spec, "-", "-");
        snprintf(r->reason, sizeof r->reason, "not measured: no runs in group %s in this profile", group);
        r->untestable = 1;
        return;
    }
    for (size_t t = 0; t < nt; t++) {
        if (is_accuracy(spec->quantity) && !has_accuracy(s, tasks[t])) continue; /* an MSE task has no error gap */
        size_t nr = runs_distinct(s, from, tasks[t], RUN_RULE, rules, 64);
        int vs_ref = spec->kind == K_VS_REF || spec->kind == K_SPREAD || spec->kind == K_NEAR_REF || spec->kind == K_AT_LEVEL;
        int one = spec->kind == K_REGRESSION, ref_only = spec->kind == K_REF_MEAN;
        /* 5c's slope across seeds needs gamma != 1: the reference (gamma = 1) has no offset to scale with */
        int skip_ref = vs_ref || (spec->kind == K_SLOPE_FIELD && spec->xfield == F_LOG_INV_ETA_GAMMA) || (absent && !strcmp(spec->group, "@remedy"));
        for (size_t q = 0; q < (one ? 1 : nr); q++) {
            const char *rule = one ? "all" : rules[q];
            if (!one && ((skip_ref && !strcmp(rule, cs->reference)) || (ref_only && strcmp(rule, cs->reference)))) continue;
            claim_row *r = new_row(rows, n, cap, spec, tasks[t], rule);
            snprintf(r->group, sizeof r->group, "%s", group);
            if (absent) {
                snprintf(r->reason, sizeof r->reason, "not measured: no runs in group %s in this profile", group);
                margin(cs, spec->margin, !has_accuracy(s, tasks[t]), &r->band_lo, &r->band_hi);
            } else {
                estimate_row(s, cs, r, group);
            }
            r->untestable = r->reason[0] != 0;
        }
    }
}

/* Why a row has no test: the finite runs of each side, named. */
static void too_few(claim_row *r, const char *ref)
{
    const claim_spec *sp = r->spec;
    int two = sp->kind == K_VS_REF || sp->kind == K_SPREAD || sp->kind == K_AT_LEVEL || sp->kind == K_NEAR_REF;
    int n = snprintf(r->reason, sizeof r->reason, "too few finite runs for a test: %s %zu of %zu", r->rule, r->n_rule, r->runs_rule);
    if (r->runs_rule > r->n_rule) n += snprintf(r->reason + n, sizeof r->reason - (size_t)n, " (%zu diverged or not measured)", r->runs_rule - r->n_rule);
    if (two) snprintf(r->reason + n, sizeof r->reason - (size_t)n, ", %s %zu of %zu", ref, r->n_ref, r->runs_ref);
}

/* An undecided one-sided row whose design could not have decided it: the
 * one-sided 95% bound is wider than the smallest effect of interest, so no
 * outcome could show "no effect", and an effect of that size is detected
 * at most half the time. */
static void not_testable(claim_row *r, const claim_settings *cs)
{
    double h = r->band_hi, q = isinf(r->e.df) ? 1.6448536269514722 : stat_t_quantile(cs->alpha, r->e.df);
    if (!(isfinite(r->e.se) && q * r->e.se >= h)) return;
    char b1[32], b2[32];
    snprintf(r->reason, sizeof r->reason, "not testable at this n: the one-sided bound is +-%s, wider than the smallest effect of interest %s",
             tsv_fmt3(q * r->e.se, b1), tsv_fmt3(h, b2));
}

void claims_judge(claim_row *rows, size_t n, const claim_settings *cs)
{
    double *pf = stats_calloc(n, sizeof *pf), *pa = stats_calloc(n, sizeof *pa), *af = stats_calloc(n, sizeof *af),
           *aa = stats_calloc(n, sizeof *aa);
    size_t *idx = stats_calloc(n, sizeof *idx), m = 0;
    for (size_t i = 0; i < n; i++) {
        claim_row *r = &rows[i];
        r->primary = claims_is_primary(cs->primary, r->spec->id, r->task, r->rule, run_field_name[r->spec->quantity]);
        r->p_for_adj = r->p_for;
        r->p_against_adj = r->p_against;
        if (r->primary) idx[m] = i, pf[m] = r->p_for, pa[m] = r->p_against, m++;
    }
    /* Holm over the primary endpoints, for the prediction and (as strictly) against it */
    stat_holm(pf, m, af);
    stat_holm(pa, m, aa);
    for (size_t k = 0; k < m; k++) rows[idx[k]].p_for_adj = af[k], rows[idx[k]].p_against_adj = aa[k];
    for (size_t i = 0; i < n; i++) {
        claim_row *r = &rows[i];
        if (r->untestable) {
            r->verdict = "inconclusive";
            continue;
        }
        r->verdict = stat_verdict(r->p_for_adj, r->p_against_adj, cs->alpha);
        r->reason[0] = 0;
        if (isnan(r->p_for)) too_few(r, cs->reference);
        else if (!strcmp(r->verdict, "negligible"))
            snprintf(r->reason, sizeof r->reason, "significant in the predicted direction, but smaller than the smallest effect of interest");
        else if (!strcmp(r->verdict, "inconclusive") && r->spec->test == TEST_DIRECTION) not_testable(r, cs);
    }
    free(pf), free(pa), free(af), free(aa), free(idx);
}

void claims_shown(const claim_row *r, double *effect, double *lo, double *hi)
{
    int z = r->spec->kind == K_CORR;
    *effect = z ? tanh(r->e.effect) : r->e.effect;
    *lo = z ? tanh(r->e.lo) : r->e.lo;
    *hi = z ? tanh(r->e.hi) : r->e.hi;
}
