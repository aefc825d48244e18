/* power.c - credit-stats' tables about the design rather than the claims
 * (issue 26): the power each primary endpoint had, the two endpoints side
 * by side (last iterate and plateau mean), and the diverged runs per rule.
 *
 * power.md / power.tsv: for each primary endpoint, the observed effect, the
 * SDs and finite runs behind it, the power the design had at the smallest
 * effect of interest (one-sided, at alpha / m: the first step of Holm's
 * correction over m primaries, its strictest level), the minimum effect
 * detectable with 80% power there, and the runs per rule that 80% power at
 * the smallest effect of interest would need. Two-sample rows use the
 * Welch standard error with the observed SDs; other rows scale their
 * standard error with 1/sqrt(runs). Equivalence-type rows (a band) give the
 * power of the equivalence test when the truth sits at the band's centre.
 * The formulas are checked against a simulation in tests/test_stats.c. */
#define _POSIX_C_SOURCE 200809L
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define POWER_TARGET 0.8
#define POWER_MAX_N 100000

static int two_sample(const claim_spec *sp) { return sp->kind == K_VS_REF || sp->kind == K_AT_LEVEL; }

/* Runs per rule for POWER_TARGET at effect h with SDs sa, sb (Welch). */
static double needed_two(double h, double sa, double sb, double alpha)
{
    for (double n = 2; n <= POWER_MAX_N; n++) {
        double se = sqrt((sa * sa + sb * sb) / n);
        if (stat_power(h, se, stat_welch_df(sa, n, sb, n), alpha) >= POWER_TARGET) return n;
    }
    return INFINITY;
}

void stats_write_power(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const claim_settings *cs = &c->cs;
    size_t m = 0;
    for (size_t i = 0; i < c->nrows; i++) m += c->rows[i].primary != 0;
    double alpha = m ? cs->alpha / (double)m : cs->alpha;
    FILE *tsv = tsv_open(&c->out, "power.tsv"), *md = tsv_open(&c->out, "power.md");
    fprintf(tsv, "claim\ttask\trule\ttest_set\tquantity\tn_rule\tn_ref\teffect\tsd_rule\tsd_ref\tsesoi\talpha\tpower\tmde\tneeded_per_rule\n");
    char b[8][32];
    fprintf(md, "Power of each primary endpoint at its smallest effect of interest, one-sided at alpha / %zu = %s (the first step of "
                "Holm's correction, its strictest level), from the observed SDs.\n\n",
            m, tsv_fmt3(alpha, b[0]));
    fprintf(md, "| claim | task | rule | test set | quantity | runs (rule / %s) | effect | SD (rule / %s) | smallest effect of interest | power "
                "| detectable with 80%% power | runs per rule for 80%% power |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
            cs->reference, cs->reference);
    double *a = stats_calloc(s->n, sizeof *a), *bb = stats_calloc(s->n, sizeof *bb);
    for (size_t i = 0; i < c->nrows; i++) {
        claim_row *r = &c->rows[i];
        if (!r->primary) continue;
        const claim_spec *sp = r->spec;
        double sa = NAN, sb = NAN, power, mde = NAN, needed, h, eff, lo, hi;
        claims_shown(r, &eff, &lo, &hi);
        size_t nr = r->n_rule, nf = r->n_ref;
        if (sp->test == TEST_DIRECTION) {
            h = r->band_hi;
            if (two_sample(sp) && r->untestable == 0) {
                size_t na, nb = claims_samples(s, cs, r, r->group, a, &na, bb);
                stat_summary xa = stat_describe(a, na), xb = stat_describe(bb, nb);
                sa = xa.sd, sb = xb.sd;
            }
            power = stat_power(h, r->e.se, r->e.df, alpha);
            mde = stat_mde(r->e.se, r->e.df, alpha, POWER_TARGET);
            if (isfinite(sa) && isfinite(sb)) needed = needed_two(h, sa, sb, alpha);
            else {
                double need_se = h / (stat_t_quantile(alpha, INFINITY) + stat_t_quantile(1 - POWER_TARGET, INFINITY));
                needed = ceil((double)r->e.n * pow(r->e.se / need_se, 2));
            }
        } else {
            h = (r->band_hi - r->band_lo) / 2;
            power = stat_power_tost(h, r->e.se, r->e.df, alpha);
            /* TOST at the centre: P(|Z| < h/se - q) = 0.8 needs h/se = q_alpha + q_0.1 */
            double need_se = h / (stat_t_quantile(alpha, INFINITY) + stat_t_quantile((1 - POWER_TARGET) / 2, INFINITY));
            needed = ceil((double)r->e.n * pow(r->e.se / need_se, 2));
        }
        if (!isfinite(r->e.se)) needed = NAN;
        r->power = power, r->mde = mde; /* for the findings */
        fprintf(tsv, "%s\t%s\t%s\t%s\t%s\t%zu\t%zu", sp->id, r->task, r->rule, sp->test_set, run_field_name[sp->quantity], nr, nf);
        const double v[8] = {eff, sa, sb, h, alpha, power, mde, needed};
        for (int k = 0; k < 8; k++) fputc('\t', tsv), tsv_pnum(tsv, v[k]);
        fputc('\n', tsv);
        char runs[64], sds[96], need[64];
        if (two_sample(sp)) snprintf(runs, sizeof runs, "%zu / %zu", nr, nf);
        else snprintf(runs, sizeof runs, "%zu", r->e.n);
        if (isfinite(sa)) snprintf(sds, sizeof sds, "%s / %s", tsv_fmt3(sa, b[1]), tsv_fmt3(sb, b[2]));
        else snprintf(sds, sizeof sds, "–");
        if (!isfinite(needed)) snprintf(need, sizeof need, "–");
        else if (two_sample(sp)) snprintf(need, sizeof need, "%.0f", needed);
        else snprintf(need, sizeof need, "%.0f in all", needed);
        fprintf(md, "| %s | %s | %s | %s | %s | %s | %s | %s | %s%s | %s | %s | %s |\n", sp->id, r->task, r->rule, sp->test_set,
                run_field_name[sp->quantity], runs, tsv_fmt3(eff, b[3]), sds, sp->test == TEST_BAND ? "±" : "", tsv_fmt3(h, b[4]),
                tsv_fmt3(power, b[5]), sp->test == TEST_BAND ? "–" : tsv_fmt3(mde, b[6]), need);
        char key[160];
        snprintf(key, sizeof key, "power.%s.%s.%s.%s", sp->id, r->task, r->rule, run_field_name[sp->quantity]);
        size_t kl = strlen(key);
        strcpy(key + kl, ".power"), stats_value(c, key, "%s", tsv_fmt3(power, b[0]));
        strcpy(key + kl, ".mde"), stats_value(c, key, "%s", tsv_fmt3(mde, b[0]));
        strcpy(key + kl, ".needed"), stats_value(c, key, "%s", need);
    }
    stats_value(c, "power.alpha", "%s", tsv_fmt3(alpha, b[0]));
    stats_value(c, "power.m", "%zu", m);
    free(a), free(bb);
    tsv_close(&c->out, tsv);
    tsv_close(&c->out, md);
}

/* The last iterate and the plateau mean of the error gaps and lambda_max,
 * per rule, and the comparison with the reference under each. */
void stats_write_endpoints(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *tasks[64], *rules[64], *ref = c->cs.reference;
    int plateau = !strcmp(c->cs.endpoint, "plateau");
    double *a = stats_calloc(s->n, sizeof *a), *b = stats_calloc(s->n, sizeof *b);
    char b1[32], b2[32], b3[32], b4[32], key[160];
    FILE *md = tsv_open(&c->out, "endpoints.md");
    fprintf(md, "The verdicts of this profile use the **%s** (FIG_CLAIM_ENDPOINT=%s); the other column is %s. Plateau: the mean over the "
                "evaluations in the last %s of training.\n\n",
            plateau ? "plateau mean" : "last iterate", c->cs.endpoint, plateau ? "a description" : "post hoc for this profile (a description, not a verdict)",
            tsv_fmt3(c->cs.endpoint_window, b1));
    fprintf(md, "| task | rule | quantity | finite runs | last iterate (mean ± SD) | plateau mean (mean ± SD) | rule minus %s, last iterate "
                "[95%% CI] | the same, plateau mean |\n|---|---|---|---|---|---|---|---|\n",
            ref);
    size_t nt = runs_distinct(s, c->groups.main, NULL, RUN_TASK, tasks, 64);
    const int pair[3][2] = {{F_PGAP_ACC_LAST, F_PGAP_ACC_PLATEAU}, {F_GAP_ACC_LAST, F_GAP_ACC_PLATEAU}, {F_LOG_LAMBDA_LAST, F_LOG_LAMBDA_PLATEAU}};
    const char *qname[3] = {"error gap, perturbed", "error gap, clean", "log lambda_max (W_rec)"};
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, c->groups.main, tasks[t], RUN_RULE, rules, 64);
        for (int k = 0; k < 3; k++)
            for (size_t q = 0; q < nr; q++) {
                double shown[2];
                fprintf(md, "| %s | %s | %s |", tasks[t], rules[q], qname[k]);
                for (int e = 0; e < 2; e++) {
                    size_t n = runs_pick(s, c->groups.main, tasks[t], rules[q], NAN, pair[k][e], a, NULL);
                    stat_summary m = stat_describe(a, n);
                    if (e == 0) fprintf(md, m.n < n ? " %zu of %zu |" : " %zu |", m.n, n);
                    fprintf(md, m.n ? " %s ± %s |" : " – |", tsv_fmt3(m.mean, b1), tsv_fmt3(m.sd, b2));
                    shown[e] = m.mean;
                }
                for (int e = 0; e < 2; e++) {
                    if (!strcmp(rules[q], ref)) {
                        fprintf(md, " – |");
                        continue;
                    }
                    size_t na = runs_pick(s, c->groups.main, tasks[t], rules[q], NAN, pair[k][e], a, NULL);
                    size_t nb = runs_pick(s, c->groups.main, tasks[t], ref, NAN, pair[k][e], b, NULL);
                    stat_estimate w = stat_estimate_welch(a, na, b, nb);
                    if (!isfinite(w.lo)) {
                        fprintf(md, " – |");
                        continue;
                    }
                    fprintf(md, " %s [%s, %s] |", tsv_fmt3(w.effect, b1), tsv_fmt3(w.lo, b3), tsv_fmt3(w.hi, b4));
                    snprintf(key, sizeof key, "endpoint.%s.%s.%s.%s", tasks[t], rules[q], run_field_name[pair[k][e]], "effect");
                    stats_value(c, key, "%s [%s, %s]", tsv_fmt3(w.effect, b1), tsv_fmt3(w.lo, b3), tsv_fmt3(w.hi, b4));
                }
                fputc('\n', md);
                for (int e = 0; e < 2; e++) {
                    snprintf(key, sizeof key, "endpoint.%s.%s.%s", tasks[t], rules[q], run_field_name[pair[k][e]]);
                    stats_value(c, key, "%s", tsv_fmt3(shown[e], b1));
                }
            }
    }
    tsv_close(&c->out, md);
    free(a), free(b);
}

/* Diverged runs per group, task and rule, with the iterations they stopped at. */
void stats_write_divergence(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *groups[16], *tasks[64], *rules[64];
    char key[160];
    FILE *md = tsv_open(&c->out, "divergence.md");
    fprintf(md, "| experiment | task | rule | runs | diverged | at iteration |\n|---|---|---|---|---|---|\n");
    size_t ng = runs_distinct(s, NULL, NULL, RUN_GROUP, groups, 16);
    for (size_t g = 0; g < ng; g++) {
        size_t nt = runs_distinct(s, groups[g], NULL, RUN_TASK, tasks, 64);
        for (size_t t = 0; t < nt; t++) {
            size_t nr = runs_distinct(s, groups[g], tasks[t], RUN_RULE, rules, 64);
            for (size_t q = 0; q < nr; q++) {
                size_t n = 0, div = 0;
                char at[512] = "";
                for (size_t i = 0; i < s->n; i++) {
                    const run *r = &s->run[i];
                    if (strcmp(r->group, groups[g]) || strcmp(r->task, tasks[t]) || strcmp(r->rule, rules[q])) continue;
                    n++;
                    if (!(r->f[F_DIVERGED] > 0)) continue;
                    div++;
                    size_t l = strlen(at);
                    snprintf(at + l, sizeof at - l, "%s%.0f (seed %ld)", l ? ", " : "", r->f[F_DIVERGED_AT], r->seed);
                }
                fprintf(md, "| %s | %s | %s | %zu | %zu | %s |\n", groups[g], tasks[t], rules[q], n, div, div ? at : "–");
                snprintf(key, sizeof key, "diverged.%s.%s.%s", groups[g], tasks[t], rules[q]);
                stats_value(c, key, "%zu of %zu", div, n);
            }
        }
    }
    tsv_close(&c->out, md);
}

/* findings.md: what this rendering found, in sentences generated from the
 * rows (the paper's first section; after stats_write_power, whose power
 * and detectable effect it quotes): accuracy first, every primary endpoint
 * with its effect, interval, verdict and power, what a perturbed gap
 * measures where a rule's clean gap is negative, and the diverged runs. */
void stats_write_findings(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const claim_settings *cs = &c->cs;
    const char *tasks[64], *rules[64], *ref = cs->reference;
    char b1[32], b2[32], b3[32], b4[32], b5[32];
    double *a = stats_calloc(s->n, sizeof *a);
    FILE *md = tsv_open(&c->out, "findings.md");
    size_t nt = runs_distinct(s, c->groups.main, NULL, RUN_TASK, tasks, 64);
    int plateau = !strcmp(cs->endpoint, "plateau");
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, c->groups.main, tasks[t], RUN_RULE, rules, 64);
        /* accuracy first: training error (loss for an MSE task) per rule, diverged runs named */
        int acc = 0;
        for (size_t i = 0; i < s->n; i++) acc |= !strcmp(s->run[i].task, tasks[t]) && isfinite(s->run[i].f[F_TRAIN_ACC]);
        fprintf(md, "- **%s, accuracy first.** Training %s at the end (%s, mean over seeds):", tasks[t], acc ? "error" : "loss",
                plateau ? "plateau mean" : "last iterate");
        double lo = INFINITY, hi = -INFINITY;
        for (size_t q = 0; q < nr; q++) {
            size_t n = runs_pick(s, c->groups.main, tasks[t], rules[q], NAN, acc ? F_TRAIN_ERR : F_TRAIN_LOSS, a, NULL);
            stat_summary m = stat_describe(a, n);
            if (m.n == 0) fprintf(md, "%s %s: all %zu runs diverged", q ? ";" : "", rules[q], n);
            else {
                fprintf(md, "%s %s %s", q ? ";" : "", rules[q], tsv_fmt3(m.mean, b1));
                if (m.n < n) fprintf(md, " (%zu of %zu runs diverged)", n - m.n, n);
                if (m.mean < lo) lo = m.mean;
                if (m.mean > hi) hi = m.mean;
            }
        }
        if (hi > 2 * lo) fprintf(md, ". The rules are not at comparable fits (a factor %s apart): a smaller gap can mean only that a rule learned less, "
                                     "which the matched comparisons (1l, 1t) address.\n", tsv_fmt3(hi / lo, b1));
        else fprintf(md, ". The rules reach comparable fits (within a factor 2).\n");
    }
    for (size_t i = 0; i < c->nrows; i++) {
        const claim_row *r = &c->rows[i];
        if (!r->primary) continue;
        double eff, lo, hi;
        claims_shown(r, &eff, &lo, &hi);
        fprintf(md, "- **Claim %s** (%s, %s%s%s, %s%s%s): ", r->spec->id, r->task, r->rule, r->spec->kind == K_VS_REF || r->spec->kind == K_AT_LEVEL ? " minus " : "",
                r->spec->kind == K_VS_REF || r->spec->kind == K_AT_LEVEL ? ref : "", r->spec->prediction,
                strcmp(r->spec->test_set, "-") ? ", " : "", strcmp(r->spec->test_set, "-") ? r->spec->test_set : "");
        if (r->untestable || isnan(eff)) fprintf(md, "**%s**: %s.", r->verdict, r->reason);
        else {
            fprintf(md, "%s [%s, %s]: **%s** (Holm-adjusted p %s for, %s against)", tsv_fmt3(eff, b1), tsv_fmt3(lo, b2), tsv_fmt3(hi, b3), r->verdict,
                    tsv_fmtp(r->p_for_adj, b4), tsv_fmtp(r->p_against_adj, b5));
            if (r->reason[0] && strncmp(r->reason, "not testable", 12)) fprintf(md, "; %s", r->reason);
            fprintf(md, ".");
        }
        if (r->spec->test == TEST_DIRECTION && isfinite(r->e.se))
            fprintf(md, " The design had power %s at the smallest effect of interest (%s) and detects %s with 80%% power (`tables/power.md`).",
                    tsv_fmt3(r->power, b1), tsv_fmt3(r->band_hi, b2), tsv_fmt3(r->mde, b3));
        fputc('\n', md);
    }
    /* what a perturbed gap measures: a rule whose clean gap is negative does not overfit */
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, c->groups.main, tasks[t], RUN_RULE, rules, 64);
        for (size_t q = 0; q < nr; q++) {
            stat_summary g = stat_describe(a, runs_pick(s, c->groups.main, tasks[t], rules[q], NAN, F_GAP_ACC, a, NULL));
            stat_summary p = stat_describe(a, runs_pick(s, c->groups.main, tasks[t], rules[q], NAN, F_PGAP_ACC, a, NULL));
            if (!(g.n && g.mean < 0 && p.mean > 0)) continue;
            fprintf(md, "- **What the perturbed gap measures (%s, %s).** Its clean error gap is negative (%s: test error below training error), "
                        "so its perturbed gap (%s) is sensitivity to input noise, a lack of robustness, not overfitting.\n",
                    tasks[t], rules[q], tsv_fmt3(g.mean, b1), tsv_fmt3(p.mean, b2));
        }
    }
    if (!plateau) {
        for (size_t t = 0; t < nt; t++) {
            size_t nr = runs_distinct(s, c->groups.main, tasks[t], RUN_RULE, rules, 64);
            for (size_t q = 0; q < nr; q++) {
                if (!strcmp(rules[q], ref)) continue;
                double *b = stats_calloc(s->n, sizeof *b);
                size_t na = runs_pick(s, c->groups.main, tasks[t], rules[q], NAN, F_PGAP_ACC_PLATEAU, a, NULL);
                size_t nb = runs_pick(s, c->groups.main, tasks[t], ref, NAN, F_PGAP_ACC_PLATEAU, b, NULL);
                stat_estimate w = stat_estimate_welch(a, na, b, nb);
                free(b);
                if (!isfinite(w.lo)) continue;
                fprintf(md, "- **On the plateau endpoint** (post hoc here: chosen after these runs were seen), %s's perturbed error gap minus %s's is "
                            "%s [%s, %s] on %s; only new runs can confirm it (`tables/endpoints.md`).\n",
                        rules[q], ref, tsv_fmt3(w.effect, b1), tsv_fmt3(w.lo, b2), tsv_fmt3(w.hi, b3), tasks[t]);
            }
        }
    }
    free(a);
    tsv_close(&c->out, md);
}
