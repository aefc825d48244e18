/* gapfit.c - credit-stats' generalization gap at equal training loss
 * (issue 14): the final gaps compare rules at different fits (the bio rules
 * underfit), so the same gaps are also read along training, at training
 * losses every rule reaches.
 *
 * A run's evaluation rows (curve.tsv; on the eval_subsample subsamples where
 * the profile sets one) give its training loss and gaps along training. At a
 * level L, its gap is interpolated linearly in the training loss between the
 * two evaluations around the first one whose loss is at most L; a run that
 * never gets down to L has no value there. The levels of a task: GAPFIT_N
 * levels evenly spaced in log loss from lo to hi, where lo is the largest,
 * over the rules, of the rule's mean lowest training loss (the lowest level
 * every rule reaches on average) and hi the smallest, over the rules, of the
 * mean training loss at the first evaluation after iteration 0. Diverged runs
 * are left out, as everywhere. Gaps: train minus test accuracy (error gap)
 * for a classification task, test minus train loss for an MSE task; clean
 * and perturbed test set.
 *
 * gapfit.tsv: task rule level n gap_mean gap_sem pgap_mean pgap_sem, one
 * block per (task, rule) for gnuplot (n: the runs that reach the level);
 * gapfit.md: the lowest level's row per rule, for the paper. A rule whose
 * runs all diverged has no rows. */
#define _POSIX_C_SOURCE 200809L
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GAPFIT_N 6

/* curve.tsv's evaluation columns in run_series (runs.c) */
enum { EV_TRAIN_LOSS, EV_TEST_LOSS, EV_TRAIN_ACC, EV_TEST_ACC, EV_PTEST_LOSS, EV_PTEST_ACC };

/* The gap of evaluation row j: perturbed = 1 for the perturbed test set. */
static double row_gap(const run_series *e, size_t j, int mse, int perturbed)
{
    if (mse) return e->v[perturbed ? EV_PTEST_LOSS : EV_TEST_LOSS][j] - e->v[EV_TRAIN_LOSS][j];
    return e->v[EV_TRAIN_ACC][j] - e->v[perturbed ? EV_PTEST_ACC : EV_TEST_ACC][j];
}

double gapfit_at(const run_series *e, double level, int mse, int perturbed)
{
    for (size_t j = 0; j < e->n; j++) {
        double l = e->v[EV_TRAIN_LOSS][j];
        if (!isfinite(l) || l > level) continue;
        if (j == 0) return row_gap(e, 0, mse, perturbed);
        double lp = e->v[EV_TRAIN_LOSS][j - 1];
        if (!isfinite(lp) || lp == l) return row_gap(e, j, mse, perturbed);
        double t = (lp - level) / (lp - l); /* in [0, 1]: lp > level >= l */
        double g0 = row_gap(e, j - 1, mse, perturbed), g1 = row_gap(e, j, mse, perturbed);
        return g0 + t * (g1 - g0);
    }
    return NAN;
}

static int counts(const run *r, const char *group, const char *task, const char *rule)
{
    return !strcmp(r->group, group) && !strcmp(r->task, task) && !strcmp(r->rule, rule) && !(r->f[F_DIVERGED] > 0) && r->curve.n > 1;
}

/* The task's levels (ascending); 0 when the rules share no range of losses. */
static int task_levels(const run_set *s, const char *group, const char *task, const char **rules, size_t nr, double *level)
{
    double lo = -INFINITY, hi = INFINITY;
    for (size_t q = 0; q < nr; q++) {
        double min_sum = 0, first_sum = 0;
        size_t n = 0;
        for (size_t i = 0; i < s->n; i++) {
            const run *r = &s->run[i];
            if (!counts(r, group, task, rules[q])) continue;
            double m = INFINITY;
            for (size_t j = 0; j < r->curve.n; j++)
                if (r->curve.v[EV_TRAIN_LOSS][j] < m) m = r->curve.v[EV_TRAIN_LOSS][j];
            min_sum += m, first_sum += r->curve.v[EV_TRAIN_LOSS][1], n++;
        }
        if (n == 0) continue;
        if (min_sum / n > lo) lo = min_sum / n;
        if (first_sum / n < hi) hi = first_sum / n;
    }
    if (!(isfinite(lo) && isfinite(hi) && lo > 0 && hi > lo)) return 0;
    for (int k = 0; k < GAPFIT_N; k++) level[k] = exp(log(lo) + (log(hi) - log(lo)) * k / (GAPFIT_N - 1));
    level[0] = lo, level[GAPFIT_N - 1] = hi; /* exactly, not via exp(log()) */
    return GAPFIT_N;
}

void stats_write_gapfit(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *tasks[64], *rules[64];
    size_t nt = runs_distinct(s, c->groups.main, NULL, RUN_TASK, tasks, 64);
    double *clean = stats_calloc(s->n, sizeof *clean), *pert = stats_calloc(s->n, sizeof *pert);
    FILE *fp = tsv_open(&c->out, "gapfit.tsv"), *md = tsv_open(&c->out, "gapfit.md");
    fprintf(fp, "task\trule\tlevel\tn\tgap_mean\tgap_sem\tpgap_mean\tpgap_sem\n");
    /* the levels first: the table is one level, the figure all of them */
    char b1[32], b2[32], b3[32];
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, c->groups.main, tasks[t], RUN_RULE, rules, 64);
        double level[GAPFIT_N];
        if (task_levels(s, c->groups.main, tasks[t], rules, nr, level))
            fprintf(md, "%s: levels from %s to %s (training loss).%s", tasks[t], tsv_fmt3(level[0], b1), tsv_fmt3(level[GAPFIT_N - 1], b2),
                    t + 1 < nt ? " " : "\n\n");
        else
            fprintf(md, "%s: the rules share no range of training losses.%s", tasks[t], t + 1 < nt ? " " : "\n\n");
    }
    fprintf(md, "| task | rule | training loss | runs | gap, clean test set | gap, perturbed test set |\n|---|---|---|---|---|---|\n");
    int any = 0;
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, c->groups.main, tasks[t], RUN_RULE, rules, 64);
        double level[GAPFIT_N];
        int nl = task_levels(s, c->groups.main, tasks[t], rules, nr, level);
        int mse = 1;
        for (size_t i = 0; i < s->n; i++)
            if (!strcmp(s->run[i].task, tasks[t]) && isfinite(s->run[i].f[F_TRAIN_ACC])) mse = 0;
        for (size_t q = 0; q < nr && nl; q++) {
            size_t runs = 0; /* a rule whose runs all diverged has no row */
            for (size_t i = 0; i < s->n; i++) runs += counts(&s->run[i], c->groups.main, tasks[t], rules[q]);
            if (!runs) continue;
            for (int k = 0; k < nl; k++) {
                size_t n = 0;
                for (size_t i = 0; i < s->n; i++) {
                    const run *r = &s->run[i];
                    if (!counts(r, c->groups.main, tasks[t], rules[q])) continue;
                    double g = gapfit_at(&r->curve, level[k], mse, 0);
                    if (!isfinite(g)) continue;
                    clean[n] = g, pert[n] = gapfit_at(&r->curve, level[k], mse, 1), n++;
                }
                stat_summary a = stat_describe(clean, n), p = stat_describe(pert, n);
                fprintf(fp, "%s\t%s\t", tasks[t], rules[q]);
                tsv_pnum(fp, level[k]);
                fprintf(fp, "\t%zu\t", n);
                tsv_pnum(fp, a.mean), fputc('\t', fp), tsv_pnum(fp, a.sem), fputc('\t', fp);
                tsv_pnum(fp, p.mean), fputc('\t', fp), tsv_pnum(fp, p.sem), fputc('\n', fp);
                if (k == 0) {
                    fprintf(md, "| %s | %s | %s | %zu | %s", tasks[t], rules[q], tsv_fmt3(level[k], b1), n, tsv_fmt3(a.mean, b2));
                    fprintf(md, " ± %s | ", tsv_fmt3(a.sem, b3));
                    fprintf(md, "%s ± %s |\n", tsv_fmt3(p.mean, b1), tsv_fmt3(p.sem, b2));
                    any = 1;
                }
            }
            fputs("\n\n", fp); /* gnuplot index blocks */
        }
        if (nl) {
            char key[160];
            snprintf(key, sizeof key, "gapfit.%s.lo", tasks[t]);
            stats_value(c, key, "%s", tsv_fmt3(level[0], b1));
            snprintf(key, sizeof key, "gapfit.%s.hi", tasks[t]);
            stats_value(c, key, "%s", tsv_fmt3(level[nl - 1], b1));
        }
    }
    if (!any) fprintf(md, "| (no task whose rules share a range of training losses) | | | | | |\n");
    tsv_close(&c->out, fp);
    tsv_close(&c->out, md);
    free(clean);
    free(pert);
}
