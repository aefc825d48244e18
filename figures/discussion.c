/* discussion.c - the paper's Discussion in sentences generated from the
 * judged rows (values discussion.*, one per paragraph), so that it speaks
 * of this rendering's results in every profile; the paper's template keeps
 * only the reasoning, which holds whatever the runs say. A claim the
 * profile does not measure is said to be so, never rendered as "0 of 0". */
#define _POSIX_C_SOURCE 200809L
#include "stats.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing sentence. */
typedef struct text {
    char s[4096];
    size_t n;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...)
{
    if (t->n >= sizeof t->s - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
    va_end(ap);
    if (k > 0) t->n += (size_t)k < sizeof t->s - t->n ? (size_t)k : sizeof t->s - 1 - t->n;
}

static const char *what(const claim_row *r)
{
    switch (r->spec->quantity) {
    case F_GAP_ACC: case F_PGAP_ACC: case F_GAP_ACC_PLATEAU: case F_PGAP_ACC_PLATEAU: return "error gap";
    case F_GAP_LOSS: case F_PGAP_LOSS: return "loss gap";
    case F_LOG_LAMBDA: return "log lambda_max";
    case F_LEVEL: return "eta lambda_max / 2 over W_rec";
    case F_LEVEL_ALL: return "eta lambda_max / 2 over all parameters";
    case F_RHO: return "rho";
    case F_EDGE: return "own edge";
    default: return run_field_name[r->spec->quantity];
    }
}

/* "eprop minus bptt, perturbed error gap 0.0459 [0.00993, 0.082], reproduced"
 * (who: 0 leaves the rule out; a regression row is over all rules) */
static void row_phrase(text *t, const claim_row *r, const char *ref, int who, int verdict)
{
    char b1[32], b2[32], b3[32];
    double eff, lo, hi;
    claims_shown(r, &eff, &lo, &hi);
    const char *ts = strcmp(r->spec->test_set, "-") ? r->spec->test_set : "", *sp = *ts ? " " : "";
    if (r->spec->kind == K_REGRESSION) put(t, "the %s%s%s per unit log lambda_max over all runs", ts, sp, what(r));
    else {
        int two = r->spec->kind == K_VS_REF || r->spec->kind == K_AT_LEVEL;
        if (two) put(t, "%s minus %s, ", r->rule, ref);
        else if (r->spec->kind == K_SPREAD) put(t, "log SD ratio %s / %s, ", r->rule, ref);
        else if (who) put(t, "%s's ", r->rule);
        put(t, "%s%s%s%s", r->spec->kind == K_CORR ? "r of " : "", ts, sp, what(r));
        if (r->spec->kind == K_CORR) put(t, " with log lambda_max");
    }
    if (isfinite(eff)) put(t, " %s [%s, %s]", tsv_fmt3(eff, b1), tsv_fmt3(lo, b2), tsv_fmt3(hi, b3));
    if (verdict) put(t, ", %s", r->verdict);
}

static int is(const claim_row *r, const char *id, const char *task) { return !strcmp(r->spec->id, id) && (!task || !strcmp(r->task, task)); }
static int not_measured(const claim_row *r) { return r->untestable && !strncmp(r->reason, "not measured", 12); }

/* "12 rows: 4 contradicted, 8 undecided" / "not measured in this profile" */
static void tally(text *t, const stats_ctx *c, const char *id, const char *task)
{
    size_t n = 0, rep = 0, con = 0, neg = 0, nm = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        const claim_row *r = &c->rows[i];
        if (!is(r, id, task)) continue;
        n++, nm += not_measured(r);
        rep += !strcmp(r->verdict, "reproduced"), con += !strcmp(r->verdict, "contradicted"), neg += !strcmp(r->verdict, "negligible");
    }
    if (n == 0 || nm == n) { put(t, "not measured in this profile"); return; }
    size_t und = n - rep - con - neg;
    put(t, "%zu row%s: ", n, n == 1 ? "" : "s");
    int k = 0;
    if (rep) put(t, "%zu reproduced", rep), k++;
    if (con) put(t, "%s%zu contradicted", k++ ? ", " : "", con);
    if (neg) put(t, "%s%zu negligible", k++ ? ", " : "", neg);
    if (und) put(t, "%s%zu undecided", k++ ? ", " : "", und);
    if (nm) put(t, ", %zu of them not measured", nm);
}

/* The decided rows of claim id on task, each as a phrase; returns how many. */
static size_t decided(text *t, const stats_ctx *c, const char *id, const char *task)
{
    size_t k = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        const claim_row *r = &c->rows[i];
        if (!is(r, id, task) || !strcmp(r->verdict, "inconclusive")) continue;
        put(t, "%s", k++ ? "; " : "");
        row_phrase(t, r, c->cs.reference, 1, 1);
    }
    return k;
}

/* tally() of claim id, then its decided rows: "...; decided: ..." */
static void tally_decided(text *t, const stats_ctx *c, const char *id)
{
    text d = {.n = 0};
    tally(t, c, id, NULL);
    if (decided(&d, c, id, NULL)) put(t, "; decided: %s", d.s);
}

/* The primary endpoints' verdicts, and the rules no row could judge. */
static void verdicts(stats_ctx *c)
{
    const run_set *s = &c->runs;
    text t = {.n = 0};
    const char *names[] = {"reproduced", "contradicted", "negligible", "inconclusive"};
    size_t np = 0, nt_n = 0;
    double pmax = -1;
    for (size_t i = 0; i < c->nrows; i++) np += c->rows[i].primary;
    if (np == 0) put(&t, "This profile declares no primary endpoint: every row is a description.");
    else {
        put(&t, "Of this rendering's %zu primary endpoints,", np);
        int shown = 0; /* verdicts listed so far: the separator goes between them */
        for (int v = 0; v < 4; v++) {
            size_t k = 0;
            for (size_t i = 0; i < c->nrows; i++) {
                const claim_row *r = &c->rows[i];
                if (!r->primary || strcmp(r->verdict, names[v])) continue;
                if (!k++) put(&t, "%s %s:", shown++ ? ";" : "", v == 3 ? "undecided" : names[v]);
                put(&t, "%s claim %s (%s, %s)", k > 1 ? "," : "", r->spec->id, r->task, r->rule);
                if (v == 3) {
                    nt_n += !strncmp(r->reason, "not testable", 12);
                    if (isfinite(r->power) && r->power > pmax && r->spec->test == TEST_DIRECTION) pmax = r->power;
                }
            }
        }
        put(&t, ".");
        if (nt_n) {
            char b[32];
            put(&t, " %zu of the undecided ones could not have been decided at this number of runs", nt_n);
            if (pmax >= 0) put(&t, " (power at most %s at the smallest effect of interest, `tables/power.md`)", tsv_fmt3(pmax, b));
            put(&t, ": they are no evidence of absence.");
        }
    }
    /* a rule whose every main run diverged has no row to judge */
    const char *tasks[64], *rules[64];
    double *a = stats_calloc(s->n, sizeof *a);
    size_t nt = runs_distinct(s, c->groups.main, NULL, RUN_TASK, tasks, 64);
    for (size_t ti = 0; ti < nt; ti++) {
        size_t nr = runs_distinct(s, c->groups.main, tasks[ti], RUN_RULE, rules, 64);
        for (size_t q = 0; q < nr; q++) {
            size_t n = runs_pick(s, c->groups.main, tasks[ti], rules[q], NAN, F_DIVERGED, a, NULL), div = 0;
            for (size_t i = 0; i < n; i++) div += a[i] > 0;
            if (n == 0 || div < n) continue;
            put(&t, " No row of %s on %s can be judged: all %zu of its runs diverged", rules[q], tasks[ti], n);
            size_t nf = runs_pick(s, c->groups.feedback, tasks[ti], rules[q], NAN, F_DIVERGED, a, NULL), fdiv = 0;
            for (size_t i = 0; i < nf; i++) fdiv += a[i] > 0;
            if (nf) put(&t, "; in the group `%s` (its feedback scale changed, everything else equal) %zu of %zu diverged.", c->groups.feedback, fdiv, nf);
            else put(&t, " (this profile has no feedback-scale runs to tell whether its feedback's scale is why).");
        }
    }
    free(a);
    stats_value(c, "discussion.verdicts", "%s", t.s);
}

/* What the gaps say given how well each rule fitted, and the matched rows. */
static void fit(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *ref = c->cs.reference, *tasks[64], *rules[64];
    char b1[32], b2[32];
    text t = {.n = 0};
    double *a = stats_calloc(s->n, sizeof *a);
    size_t nt = runs_distinct(s, c->groups.main, NULL, RUN_TASK, tasks, 64);
    for (size_t ti = 0; ti < nt; ti++) {
        stat_summary m0 = stat_describe(a, runs_pick(s, c->groups.main, tasks[ti], ref, NAN, F_TRAIN_ERR, a, NULL));
        if (!(m0.n > 0 && isfinite(m0.mean))) continue; /* an MSE task, or no reference: no error to compare */
        size_t nr = runs_distinct(s, c->groups.main, tasks[ti], RUN_RULE, rules, 64), under = 0;
        text u = {.n = 0};
        for (size_t q = 0; q < nr; q++) {
            if (!strcmp(rules[q], ref)) continue;
            stat_summary m = stat_describe(a, runs_pick(s, c->groups.main, tasks[ti], rules[q], NAN, F_TRAIN_ERR, a, NULL));
            if (!(m.n > 0 && m.mean > 2 * m0.mean)) continue; /* the factor findings.md calls "not comparable" */
            put(&u, "%s%s %s", under++ ? ", " : "", rules[q], tsv_fmt3(m.mean, b1));
        }
        if (under) {
            put(&t, "%sOn %s the bio rules underfit: training error %s against %s's %s.", t.n ? " " : "", tasks[ti], u.s, ref, tsv_fmt3(m0.mean, b2));
            text k = {.n = 0};
            size_t con = 0;
            for (size_t i = 0; i < c->nrows; i++) {
                const claim_row *r = &c->rows[i];
                if (is(r, "1", tasks[ti]) && r->spec->quantity == F_GAP_ACC && !strcmp(r->verdict, "contradicted")) put(&k, "%s%s", con++ ? " and " : "", r->rule);
            }
            if (con) put(&t, " The clean error gaps of %s are smaller than %s's (claim 1 contradicted there): at this fit that says they learned less, not that they generalize better.", k.s, ref);
        } else put(&t, "%sOn %s the rules reach comparable training errors (within a factor 2 of %s's %s), so their gaps compare like with like.", t.n ? " " : "", tasks[ti],
                   ref, tsv_fmt3(m0.mean, b2));
    }
    put(&t, "%sAt equal fit along training (rows 1t): ", t.n ? " " : "");
    tally_decided(&t, c, "1t");
    put(&t, ". At matched training loss (rows 1l): ");
    tally_decided(&t, c, "1l");
    put(&t, ". At matched training accuracy (rows 1m): ");
    tally(&t, c, "1m", NULL);
    put(&t, ".");
    free(a);
    stats_value(c, "discussion.fit", "%s", t.s);
}

/* Claim 3 within rules and in the regression. */
static void curvature(stats_ctx *c)
{
    text t = {.n = 0};
    put(&t, "Within rules (rows 3): ");
    tally_decided(&t, c, "3");
    put(&t, ". Over all runs with rule and training loss as covariates (rows 3r): ");
    tally_decided(&t, c, "3r");
    put(&t, ".");
    stats_value(c, "discussion.curvature", "%s", t.s);
}

/* The leak each task ran at (the identities hold at 0) and the truncation sweep. */
static void rules_axis(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *tasks[64];
    text t = {.n = 0};
    size_t nt = runs_distinct(s, c->groups.main, NULL, RUN_TASK, tasks, 64);
    for (size_t ti = 0; ti < nt; ti++) {
        const char *leak = NULL;
        for (size_t i = 0; i < s->n && !leak; i++)
            if (!strcmp(s->run[i].group, c->groups.main) && !strcmp(s->run[i].task, tasks[ti])) leak = run_config(&s->run[i], "leak");
        if (!leak) continue;
        int zero = strtod(leak, NULL) == 0;
        put(&t, "%s%s runs at leak %s%s", t.n ? "; " : "This rendering's ", tasks[ti], leak, zero ? " (the identities exact)" : " (the rules differ through their traces)");
    }
    put(&t, "%s. Whether curvature follows the truncation K (claim 5d): ", t.n ? "" : "This rendering has no main runs");
    tally(&t, c, "5d", NULL);
    put(&t, ".");
    stats_value(c, "discussion.rules", "%s", t.s);
}

/* The theorem's rows in words: BPTT's edge, the 1/eta slopes, each rule's level. */
static void theorem(stats_ctx *c)
{
    const char *ref = c->cs.reference;
    char b[32];
    text t = {.n = 0}, d = {.n = 0};
    size_t k = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        const claim_row *r = &c->rows[i];
        if (!is(r, "5b", NULL) || not_measured(r)) continue;
        if (!k++) put(&t, "Where %s settles (5b): ", ref);
        else put(&t, "; ");
        put(&t, "on %s its ", r->task);
        row_phrase(&t, r, ref, 0, 1);
    }
    put(&t, "%s", k ? "." : "");
    k = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        const claim_row *r = &c->rows[i];
        if (!is(r, "5e", NULL) || not_measured(r)) continue;
        double eff, lo, hi;
        claims_shown(r, &eff, &lo, &hi);
        if (!k++) put(&t, "%sThe slope of log final lambda_max on log eta (5e): ", t.n ? " " : "");
        else put(&t, "; ");
        put(&t, "%s on %s %s", r->rule, r->task, tsv_fmt3(eff, b));
        put(&t, " [%s, ", tsv_fmt3(lo, b));
        put(&t, "%s], %s", tsv_fmt3(hi, b), r->verdict);
        if (strcmp(r->rule, ref) && !strcmp(r->verdict, "contradicted")) put(&d, "%s%s on %s", d.n ? ", " : "", r->rule, r->task);
    }
    if (k) put(&t, ".");
    else put(&t, "%sThe 1/eta scaling (5e) is not measured in this profile.", t.n ? " " : "");
    if (d.n) put(&t, " So at this protocol the curvature of %s is not set by a stability edge the way the reconstruction predicts (or its runs had not reached a plateau).", d.s);
    /* each bio rule's level against the reference's, as a factor */
    k = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        const claim_row *r = &c->rows[i];
        if (!is(r, "5c", NULL) || r->spec->kind != K_NEAR_REF || !isfinite(r->e.effect)) continue;
        if (!k++) put(&t, " Each bio rule's level as a multiple of %s's eta lambda_max / 2 (5c, a ratio of geometric means; the prediction: within a factor %s): ", ref,
                      tsv_fmt3(c->cs.near, b));
        else put(&t, "; ");
        put(&t, "%s's %s on %s %s", r->rule, what(r), r->task, tsv_fmt3(exp(r->e.effect), b));
        put(&t, " [%s, ", tsv_fmt3(exp(r->e.lo), b));
        put(&t, "%s], %s", tsv_fmt3(exp(r->e.hi), b), r->verdict);
    }
    if (k) put(&t, ".");
    if (t.n == 0) put(&t, "The theorem's rows are not measured in this profile.");
    stats_value(c, "discussion.theorem", "%s", t.s);
}

void stats_write_discussion(stats_ctx *c)
{
    /* claim.ID.summary: each claim's verdicts in words, for the paper's running text */
    for (size_t i = 0; i < c->nrows; i++) {
        size_t j = 0;
        while (j < i && strcmp(c->rows[j].spec->id, c->rows[i].spec->id)) j++;
        if (j < i) continue;
        text t = {.n = 0};
        char key[64];
        tally(&t, c, c->rows[i].spec->id, NULL);
        snprintf(key, sizeof key, "claim.%s.summary", c->rows[i].spec->id);
        stats_value(c, key, "%s", t.s);
    }
    verdicts(c);
    fit(c);
    curvature(c);
    rules_axis(c);
    theorem(c);
}
