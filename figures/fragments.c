/* fragments.c - credit-stats' Markdown for the paper and the claims'
 * tables (claims.tsv for `make verify`, claims.md, the per-claim summary). */
#define _POSIX_C_SOURCE 200809L
#include "stats.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void stats_value(stats_ctx *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(c->values, "%s\t", key);
    vfprintf(c->values, fmt, ap);
    fputc('\n', c->values);
    va_end(ap);
}

static void compared_with(const claim_row *r, char *buf, size_t len)
{
    char b1[32], b2[32];
    if (r->spec->test == TEST_DIRECTION) {
        double h = r->band_hi;
        if (r->spec->kind == K_CORR) h = tanh(h);
        snprintf(buf, len, "%s 0 (no effect: within ±%s)", r->spec->direction > 0 ? ">" : "<", tsv_fmt3(h, b1));
    } else {
        snprintf(buf, len, "inside [%s, %s]", tsv_fmt3(r->band_lo, b1), tsv_fmt3(r->band_hi, b2));
    }
}

void stats_write_claims(stats_ctx *c)
{
    FILE *tsv = tsv_open(&c->out, "claims.tsv"), *md = tsv_open(&c->out, "claims.md");
    fprintf(tsv, "claim\tprimary\ttask\trule\ttest_set\tquantity\tprediction\tcompared_with\tn\teffect\tci_low\tci_high\tp_for\tp_for_holm\t"
                 "p_against\tp_against_holm\tverdict\treason\tcontext\n");
    fprintf(md, "| claim | primary | task | rule | test set | prediction | n | effect [95%% CI] | compared with | p for | p against | verdict | training / note |\n");
    fprintf(md, "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    char b1[32], b2[32], b3[32], b4[32], b5[32], cmp[128];
    for (size_t i = 0; i < c->nrows; i++) {
        const claim_row *r = &c->rows[i];
        double eff, lo, hi;
        claims_shown(r, &eff, &lo, &hi);
        compared_with(r, cmp, sizeof cmp);
        const char *q = run_field_name[r->spec->quantity], *note = r->reason[0] ? r->reason : r->context;
        fprintf(tsv, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%zu", r->spec->id, r->primary ? "primary" : "secondary", r->task, r->rule,
                r->spec->test_set, q, r->spec->prediction, cmp, r->e.n);
        const double v[7] = {eff, lo, hi, r->p_for, r->p_for_adj, r->p_against, r->p_against_adj};
        for (int k = 0; k < 7; k++) fputc('\t', tsv), tsv_pnum(tsv, v[k]);
        fprintf(tsv, "\t%s\t%s\t%s\n", r->verdict, r->reason, r->context);
        fprintf(md, "| %s | %s | %s | %s | %s | %s (%s) | %zu | %s [%s, %s] | %s | %s%s | %s%s | **%s** | %s |\n", r->spec->id,
                r->primary ? "yes" : "no", r->task, r->rule, r->spec->test_set, r->spec->prediction, q, r->e.n, tsv_fmt3(eff, b1),
                tsv_fmt3(lo, b2), tsv_fmt3(hi, b3), cmp, tsv_fmtp(r->p_for_adj, b4), r->primary ? " (Holm)" : "",
                tsv_fmtp(r->p_against_adj, b5), r->primary ? " (Holm)" : "", r->verdict, note);
    }
    tsv_close(&c->out, tsv);
    tsv_close(&c->out, md);

    /* Per claim: the verdict counts, the primary endpoints' verdicts and the protocol. */
    FILE *sum = tsv_open(&c->out, "claims_summary.md");
    fprintf(sum, "| claim | the paper (or our reconstruction) says | judged on | reproduced | contradicted | negligible | inconclusive | of which not measured | primary endpoints |\n");
    fprintf(sum, "|---|---|---|---|---|---|---|---|---|\n");
    int prim[4] = {0};
    for (size_t i = 0; i < c->nrows; i++) {
        const char *id = c->rows[i].spec->id;
        size_t j = 0;
        while (j < i && strcmp(c->rows[j].spec->id, id)) j++;
        if (j < i) continue; /* one line per claim id, at its first row */
        int n[4] = {0}, absent = 0;
        char primaries[512] = "", protocols[256] = "", key[64];
        for (size_t k = i; k < c->nrows; k++) {
            const claim_row *r = &c->rows[k];
            if (strcmp(r->spec->id, id)) continue;
            int v = !strcmp(r->verdict, "reproduced") ? 0 : !strcmp(r->verdict, "contradicted") ? 1 : !strcmp(r->verdict, "negligible") ? 2 : 3;
            n[v]++;
            absent += !strncmp(r->reason, "not measured", 12);
            if (!strstr(protocols, r->spec->protocol))
                snprintf(protocols + strlen(protocols), sizeof protocols - strlen(protocols), "%s%s", protocols[0] ? "; " : "", r->spec->protocol);
            if (r->primary) {
                prim[v]++;
                snprintf(primaries + strlen(primaries), sizeof primaries - strlen(primaries), "%s%s %s %s: %s", primaries[0] ? "; " : "",
                         r->task, r->rule, run_field_name[r->spec->quantity], r->verdict);
            }
        }
        fprintf(sum, "| %s | %s | %s | %d | %d | %d | %d | %d | %s |\n", id, c->rows[i].spec->says, protocols, n[0], n[1], n[2], n[3], absent,
                primaries[0] ? primaries : "–");
        const char *names[4] = {"reproduced", "contradicted", "negligible", "inconclusive"};
        for (int v = 0; v < 4; v++) snprintf(key, sizeof key, "claim.%s.%s", id, names[v]), stats_value(c, key, "%d", n[v]);
        snprintf(key, sizeof key, "claim.%s.not_measured", id), stats_value(c, key, "%d", absent);
        snprintf(key, sizeof key, "claim.%s.total", id), stats_value(c, key, "%d", n[0] + n[1] + n[2] + n[3]);
    }
    tsv_close(&c->out, sum);
    stats_value(c, "claims.primary.reproduced", "%d", prim[0]);
    stats_value(c, "claims.primary.contradicted", "%d", prim[1]);
    stats_value(c, "claims.primary.negligible", "%d", prim[2]);
    stats_value(c, "claims.primary.inconclusive", "%d", prim[3]);
    stats_value(c, "claims.primary.total", "%d", prim[0] + prim[1] + prim[2] + prim[3]);
    stats_value(c, "claims.rows", "%zu", c->nrows);

    /* The settings the verdicts used, as declared in the profile. */
    const claim_settings *cs = &c->cs;
    stats_value(c, "claims.reference", "%s", cs->reference);
    stats_value(c, "claims.primary", "%s", cs->primary);
    stats_value(c, "claims.matched_loss_group", "%s", cs->matched_loss);
    stats_value(c, "claims.remedy_group", "%s", cs->remedy);
    stats_value(c, "claims.endpoint", "%s", !strcmp(cs->endpoint, "plateau") ? "plateau" : "last-iterate");
    const struct { const char *key; double v; } num[] = {
        {"claims.sesoi_gap_acc", cs->sesoi_gap_acc}, {"claims.sesoi_gap_loss", cs->sesoi_gap_loss}, {"claims.sesoi_gap_mse", cs->sesoi_gap_mse},
        {"claims.sesoi_log_lambda", cs->sesoi_log_lambda}, {"claims.sesoi_slope", cs->sesoi_slope}, {"claims.sesoi_r", cs->sesoi_r},
        {"claims.band_lo", cs->band_lo}, {"claims.band_hi", cs->band_hi}, {"claims.near", cs->near},
        {"claims.plateau", cs->plateau}, {"claims.settle", cs->settle}, {"claims.endpoint_window", cs->endpoint_window},
        {"claims.sesoi_log_sd", cs->sesoi_log_sd}, {"claims.sesoi_log_sd_ratio", exp(cs->sesoi_log_sd)}};
    for (size_t k = 0; k < sizeof num / sizeof *num; k++) stats_value(c, num[k].key, "%s", tsv_fmt3(num[k].v, b1));
}

/* " mean ± spread |" or " – |" for no values. */
static void cell(FILE *fp, const double *a, size_t n, int sem)
{
    char b1[32], b2[32];
    stat_summary s = stat_describe(a, n);
    if (s.n == 0) fprintf(fp, " – |");
    else fprintf(fp, " %s ± %s |", tsv_fmt3(s.mean, b1), tsv_fmt3(sem ? s.sem : s.sd, b2));
}

static void summary_head(FILE *fp, const char *what)
{
    fprintf(fp, "| task | %s | runs | train error | test error | error gap | error gap (perturbed) | train loss | loss gap | loss gap (perturbed) | final lambda_max | gamma |\n", what);
    fprintf(fp, "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
}

/* One row of the summary tables: the runs of (group, task, rule, x; NaN:
 * any x), their diverged count, then mean ± SD of training error beside
 * every gap, lambda_max and gamma. a: scratch of the run count. */
static void summary_row(FILE *fp, const run_set *s, const char *group, const char *task, const char *rule, double x, const char *label,
                        double *a)
{
    static const int cols[9] = {F_TRAIN_ERR, F_TEST_ACC, F_GAP_ACC, F_PGAP_ACC, F_TRAIN_LOSS, F_GAP_LOSS, F_PGAP_LOSS, F_LAMBDA, F_GAMMA};
    size_t n = runs_pick(s, group, task, rule, x, F_DIVERGED, a, NULL), div = 0;
    for (size_t i = 0; i < n; i++) div += a[i] > 0;
    if (div) fprintf(fp, "| %s | %s | %zu (%zu diverged) |", task, label, n, div);
    else fprintf(fp, "| %s | %s | %zu |", task, label, n);
    for (int k = 0; k < 9; k++) {
        n = runs_pick(s, group, task, rule, x, cols[k], a, NULL);
        if (cols[k] == F_TEST_ACC)
            for (size_t i = 0; i < n; i++) a[i] = 1 - a[i]; /* test error */
        cell(fp, a, n, 0);
    }
    fputc('\n', fp);
}

void stats_write_fragments(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *tasks[64], *rules[64];
    char b1[32], key[256];
    double *a = stats_calloc(s->n, sizeof *a);
    size_t nt = runs_distinct(s, c->groups.main, NULL, RUN_TASK, tasks, 64);

    /* The main comparison, one row per task and rule: training error beside every gap. */
    FILE *fp = tsv_open(&c->out, "summary.md");
    summary_head(fp, "rule");
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, c->groups.main, tasks[t], RUN_RULE, rules, 64);
        for (size_t q = 0; q < nr; q++) summary_row(fp, s, c->groups.main, tasks[t], rules[q], NAN, rules[q], a);
    }
    tsv_close(&c->out, fp);

    /* The feedback scale of a random-feedback rule: Murray's (x = 0) against
     * W_out's initial norm (x = 1), the same seeds. */
    fp = tsv_open(&c->out, "feedback.md");
    const char *ft[64];
    size_t nft = runs_distinct(s, c->groups.feedback, NULL, RUN_TASK, ft, 64);
    if (nft == 0) fprintf(fp, "The profile has no feedback-scale runs (group `%s`, FIG_FB_TASKS).\n", c->groups.feedback);
    else summary_head(fp, "rule, feedback scale");
    for (size_t t = 0; t < nft; t++) {
        size_t nr = runs_distinct(s, c->groups.feedback, ft[t], RUN_RULE, rules, 64);
        for (size_t q = 0; q < nr; q++)
            for (int x = 0; x < 2; x++) {
                snprintf(key, sizeof key, "%s, %s", rules[q], x ? "B scaled to W_out's initial norm" : "B ~ N(0, 1/n_out) (Murray)");
                summary_row(fp, s, c->groups.feedback, ft[t], rules[q], x, key, a);
            }
    }
    tsv_close(&c->out, fp);

    /* Which tasks can test claims 4-5 (science.md section 4): the theorem's
     * mechanism acts only where the reference rule reaches its edge of
     * stability, so a task where it ends below the 5b band says so. The
     * level is eta lambda_max / 2 at the end over all parameters where
     * measured (curvature_final.tsv), else over W_rec at the plateau. */
    fp = tsv_open(&c->out, "edge.md");
    fprintf(fp, "| task | %s's eta lambda_max / 2 at the end | runs | measured over | can it test claims 4-5? |\n|---|---|---|---|---|\n",
            c->cs.reference);
    for (size_t t = 0; t < nt; t++) {
        size_t n = runs_pick(s, c->groups.main, tasks[t], c->cs.reference, NAN, F_LEVEL_ALL, a, NULL);
        const char *over = "all parameters";
        if (n == 0) n = runs_pick(s, c->groups.main, tasks[t], c->cs.reference, NAN, F_LEVEL, a, NULL), over = "W_rec (plateau)";
        stat_summary m = stat_describe(a, n);
        char b2[32];
        fprintf(fp, "| %s |", tasks[t]);
        cell(fp, a, n, 0);
        fprintf(fp, " %zu | %s |", m.n, over);
        if (m.n == 0) fprintf(fp, " not measured |\n");
        else if (m.mean < c->cs.band_lo)
            fprintf(fp, " no: %s ends at %s of its edge, below the band [%s, %s] of claim 5b, where the edge does not hold the curvature |\n",
                    c->cs.reference, tsv_fmt3(m.mean, b1), tsv_fmt3(c->cs.band_lo, key), tsv_fmt3(c->cs.band_hi, b2));
        else fprintf(fp, " yes: %s reaches its edge (level %s) |\n", c->cs.reference, tsv_fmt3(m.mean, b1));
    }
    tsv_close(&c->out, fp);

    /* Settings of each task as run (from the first reference run's resolved config). */
    fp = tsv_open(&c->out, "settings.md");
    fprintf(fp, "| task | units | iterations | batch | learning rate | l2 | leak | optimizer | seeds | task options |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t t = 0; t < nt; t++) {
        const run *r = NULL;
        for (size_t i = 0; i < s->n && !r; i++)
            if (!strcmp(s->run[i].group, c->groups.main) && !strcmp(s->run[i].task, tasks[t])) r = &s->run[i];
        size_t n = runs_pick(s, c->groups.main, tasks[t], c->cs.reference, NAN, F_LR, a, NULL);
        const char *keys[] = {"n", "iters", "batch", "lr", "l2", "leak", "optimizer", "seed"};
        fprintf(fp, "| %s |", tasks[t]);
        for (size_t k = 0; k < 7; k++) {
            const char *v = run_config(r, keys[k]);
            fprintf(fp, " %s |", v ? v : "–");
        }
        fprintf(fp, " %zu |", n);
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            const char *v = run_config(r, keys[k]);
            snprintf(key, sizeof key, "setting.%s.%s", tasks[t], keys[k]);
            stats_value(c, key, "%s", v ? v : "–");
        }
        int first = 1;
        for (size_t i = 0; i < r->nkey; i++)
            if (!strcmp(r->section[i], "task")) {
                fprintf(fp, "%s%s=%s", first ? " " : ", ", r->key[i], r->val[i]);
                first = 0;
            }
        fprintf(fp, " |\n");
    }
    tsv_close(&c->out, fp);

    /* The matched-accuracy group: each rule stopped at a common training accuracy. */
    fp = tsv_open(&c->out, "matched.md");
    const char *mt[64];
    size_t nmt = runs_distinct(s, c->groups.matched, NULL, RUN_TASK, mt, 64);
    double target = NAN;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->run[i].group, c->groups.matched)) target = s->run[i].x;
    stats_value(c, "matched.target", "%s", isfinite(target) ? tsv_fmt3(target, b1) : "none");
    if (nmt == 0) fprintf(fp, "*No matched-accuracy runs in this profile.*\n");
    else {
        fprintf(fp, "| task | rule | runs | reached the target | iterations | train error | test error | error gap | error gap (perturbed) | loss gap (perturbed) | final lambda_max |\n");
        fprintf(fp, "|---|---|---|---|---|---|---|---|---|---|---|\n");
    }
    size_t reached_all = 0, n_all = 0;
    for (size_t t = 0; t < nmt; t++) {
        size_t nr = runs_distinct(s, c->groups.matched, mt[t], RUN_RULE, rules, 64);
        for (size_t q = 0; q < nr; q++) {
            size_t n = 0, reached = 0, div = 0;
            for (size_t i = 0; i < s->n; i++) {
                const run *r = &s->run[i];
                if (strcmp(r->group, c->groups.matched) || strcmp(r->task, mt[t]) || strcmp(r->rule, rules[q])) continue;
                n++;
                reached += !strcmp(r->status, "target_reached");
                div += r->f[F_DIVERGED] > 0;
            }
            reached_all += reached, n_all += n;
            fprintf(fp, "| %s | %s | %zu%s | %zu of %zu |", mt[t], rules[q], n, div ? " (some diverged)" : "", reached, n);
            const int mc[7] = {F_ITERS, F_TRAIN_ERR, F_TEST_ACC, F_GAP_ACC, F_PGAP_ACC, F_PGAP_LOSS, F_LAMBDA};
            for (int k = 0; k < 7; k++) {
                size_t m = runs_pick(s, c->groups.matched, mt[t], rules[q], NAN, mc[k], a, NULL);
                if (mc[k] == F_TEST_ACC)
                    for (size_t i = 0; i < m; i++) a[i] = 1 - a[i];
                cell(fp, a, m, 0);
            }
            fputc('\n', fp);
        }
    }
    stats_value(c, "matched.reached", "%zu", reached_all);
    stats_value(c, "matched.runs", "%zu", n_all);
    /* the same in words, so that a profile without the group renders no "none" or "0 of 0" */
    if (nmt == 0 || !isfinite(target)) {
        stats_value(c, "matched.accuracy", "this profile has no such runs (group `%s`), so rows 1m, 2m and 4m are not measured", c->groups.matched);
        stats_value(c, "matched.accuracy_target", "not run in this profile");
    } else {
        stats_value(c, "matched.accuracy", "every run stopped at the first evaluation where its training accuracy reaches %s (core key `stop_train_acc`); "
                    "%zu of %zu runs reached it (a run that never does trains to the end and is kept, with its error shown)", tsv_fmt3(target, b1), reached_all, n_all);
        stats_value(c, "matched.accuracy_target", "%s", tsv_fmt3(target, b1));
    }
    tsv_close(&c->out, fp);

    /* Sweeps as tables (groups.tsv's role sweep: lr, tbptt K, remedy c, boost), each x named as the table names it. */
    fp = tsv_open(&c->out, "sweeps.md");
    const char *const *groups = c->groups.sweep, *const *xname = c->groups.sweep_x;
    fprintf(fp, "| experiment | task | rule | x | runs | final lambda_max | eta lambda_max / 2 (plateau) | rho (plateau) | gamma | train error | error gap (perturbed) | loss gap (perturbed) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t g = 0; g < c->groups.nsweep; g++) {
        const char *gt[64];
        size_t ngt = runs_distinct(s, groups[g], NULL, RUN_TASK, gt, 64);
        for (size_t t = 0; t < ngt; t++) {
            size_t nr = runs_distinct(s, groups[g], gt[t], RUN_RULE, rules, 64);
            for (size_t q = 0; q < nr; q++) {
                double xs[256];
                size_t nx = runs_xs(s, groups[g], gt[t], rules[q], xs, 256);
                for (size_t xi = 0; xi < nx; xi++) {
                    const int fs[7] = {F_LAMBDA, F_LEVEL, F_RHO, F_GAMMA, F_TRAIN_ERR, F_PGAP_ACC, F_PGAP_LOSS};
                    size_t n = runs_pick(s, groups[g], gt[t], rules[q], xs[xi], F_LR, a, NULL);
                    fprintf(fp, "| %s | %s | %s | %s = %s | %zu |", groups[g], gt[t], rules[q], xname[g], tsv_fmt3(xs[xi], b1), n);
                    for (int k = 0; k < 7; k++) cell(fp, a, runs_pick(s, groups[g], gt[t], rules[q], xs[xi], fs[k], a, NULL), 1);
                    fputc('\n', fp);
                }
            }
        }
    }
    tsv_close(&c->out, fp);
    free(a);
}
