/* stats.c - credit-stats: raw runs -> the pipeline's tables.
 *
 *   credit-stats MANIFEST OUTDIR claims=TABLE groups=TABLE [alpha=0.05] [profile=NAME] [FIG_CLAIM_NAME=value ...]
 *
 * MANIFEST (written by mk/figures.mk): a header row, then one row per run and
 * experiment group: group task rule seed x dir. x is the group's variable:
 * the learning rate (main, lr), K (tbptt), the factor c (remedy), the boost
 * factor (boost). A run may be listed in several groups. TABLE is the claims
 * table (paper/experiments/claims.tsv: one row per claim and quantity, the
 * group it is judged on, how), groups= the groups table (groups.tsv: which
 * group feeds which table). FIG_CLAIM_* are the
 * profile's claim settings (reference rule, primary endpoints, smallest
 * effects of interest, bands; claims.h), declared before the runs.
 *
 * Parts: tsv.c (reading and writing tables), runs.c (the run model),
 * claims.c (the claims as a table and their verdicts), fragments.c (the
 * paper's Markdown), gapfit.c (the gaps at equal training loss), power.c
 * (power, the two endpoints, divergence), this file (the descriptive tables and main). Output is
 * a function of the inputs only: no dates, fixed formats; every table's
 * header names the commits and math hashes of the runs it came from.
 */
#define _POSIX_C_SOURCE 200809L
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ tables */

static void write_runs(stats_ctx *c)
{
    const run_set *s = &c->runs;
    FILE *fp = tsv_open(&c->out, "runs.tsv");
    fprintf(fp, "group\ttask\trule\tseed\tx\tstatus");
    for (int k = 0; k < NF; k++) fprintf(fp, "\t%s", run_field_name[k]);
    fprintf(fp, "\tdir\n");
    for (size_t i = 0; i < s->n; i++) {
        const run *r = &s->run[i];
        fprintf(fp, "%s\t%s\t%s\t%ld\t", r->group, r->task, r->rule, r->seed);
        tsv_pnum(fp, r->x);
        fprintf(fp, "\t%s", r->status);
        for (int k = 0; k < NF; k++) fputc('\t', fp), tsv_pnum(fp, r->f[k]);
        fprintf(fp, "\t%s\n", r->dir);
    }
    tsv_close(&c->out, fp);
}

static void write_summary(stats_ctx *c)
{
    const run_set *s = &c->runs;
    FILE *fp = tsv_open(&c->out, "summary.tsv");
    fprintf(fp, "group\ttask\trule\tx\tquantity\tn\tmean\tsd\tsem\tmin\tmedian\tmax\n");
    const char *groups[16], *tasks[64], *rules[64];
    size_t ng = runs_distinct(s, NULL, NULL, RUN_GROUP, groups, 16);
    double *buf = stats_calloc(s->n, sizeof *buf), xs[256];
    char b1[32], b2[32], key[256];
    for (size_t g = 0; g < ng; g++) {
        size_t nt = runs_distinct(s, groups[g], NULL, RUN_TASK, tasks, 64);
        for (size_t t = 0; t < nt; t++) {
            size_t nr = runs_distinct(s, groups[g], tasks[t], RUN_RULE, rules, 64);
            for (size_t q = 0; q < nr; q++) {
                size_t nx = runs_xs(s, groups[g], tasks[t], rules[q], xs, 256);
                for (size_t xi = 0; xi < nx; xi++)
                    for (int k = 0; k < NF; k++) {
                        stat_summary m = stat_describe(buf, runs_pick(s, groups[g], tasks[t], rules[q], xs[xi], k, buf, NULL));
                        fprintf(fp, "%s\t%s\t%s\t", groups[g], tasks[t], rules[q]);
                        tsv_pnum(fp, xs[xi]);
                        fprintf(fp, "\t%s\t%zu", run_field_name[k], m.n);
                        const double v[6] = {m.mean, m.sd, m.sem, m.min, m.median, m.max};
                        for (int j = 0; j < 6; j++) fputc('\t', fp), tsv_pnum(fp, v[j]);
                        fputc('\n', fp);
                        if (!strcmp(groups[g], c->groups.main) || !strcmp(groups[g], c->groups.matched)) {
                            snprintf(key, sizeof key, "%s.%s.%s.%s", groups[g], tasks[t], rules[q], run_field_name[k]);
                            stats_value(c, key, "%s ± %s", tsv_fmt3(m.mean, b1), tsv_fmt3(m.sem, b2));
                        }
                    }
            }
        }
    }
    free(buf);
    tsv_close(&c->out, fp);
}

/* Rule against the reference in the main and matched groups: every test, for reference. */
static void write_tests(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *ref = c->cs.reference, *tasks[64], *rules[64];
    FILE *fp = tsv_open(&c->out, "tests.tsv");
    fprintf(fp, "group\ttask\trule\tquantity\ttest\tstatistic\tdf\tp_greater\tp_two\tn_rule\tn_ref\tmean_rule\tmean_ref\tsd_rule\tsd_ref\n");
    double *a = stats_calloc(s->n, sizeof *a), *b = stats_calloc(s->n, sizeof *b);
    const int qs[6] = {F_GAP_ACC, F_PGAP_ACC, F_GAP_LOSS, F_PGAP_LOSS, F_LAMBDA, F_LOG_LAMBDA};
    const char *groups[2] = {c->groups.main, c->groups.matched};
    for (int g = 0; g < 2; g++) {
        size_t nt = runs_distinct(s, groups[g], NULL, RUN_TASK, tasks, 64);
        for (size_t t = 0; t < nt; t++) {
            size_t nr = runs_distinct(s, groups[g], tasks[t], RUN_RULE, rules, 64);
            for (size_t q = 0; q < nr; q++) {
                if (!strcmp(rules[q], ref)) continue;
                for (int k = 0; k < 6; k++) {
                    size_t na = runs_pick(s, groups[g], tasks[t], rules[q], NAN, qs[k], a, NULL);
                    size_t nb = runs_pick(s, groups[g], tasks[t], ref, NAN, qs[k], b, NULL);
                    stat_summary sa = stat_describe(a, na), sb = stat_describe(b, nb);
                    if (sa.n == 0 && sb.n == 0) continue; /* e.g. accuracy of an MSE task */
                    const stat_test tt[3] = {stat_welch(a, na, b, nb), stat_mann_whitney(a, na, b, nb), stat_brown_forsythe(a, na, b, nb)};
                    const char *tn[3] = {"welch", "mann_whitney", "brown_forsythe"};
                    for (int j = 0; j < 3; j++) {
                        fprintf(fp, "%s\t%s\t%s\t%s\t%s", groups[g], tasks[t], rules[q], run_field_name[qs[k]], tn[j]);
                        const double v[10] = {tt[j].stat, tt[j].df, tt[j].p_greater, tt[j].p_two, (double)sa.n, (double)sb.n,
                                              sa.mean, sb.mean, sa.sd, sb.sd};
                        for (int m = 0; m < 10; m++) fputc('\t', fp), tsv_pnum(fp, v[m]);
                        fputc('\n', fp);
                    }
                }
            }
        }
    }
    free(a), free(b);
    tsv_close(&c->out, fp);
}

/* Gap against lambda_max: the pooled correlation over all main runs of a
 * task (a description: it mixes rules), and within each rule (claim 3). */
static void write_corr(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *tasks[64], *rules[64];
    double *a = stats_calloc(s->n, sizeof *a), *b = stats_calloc(s->n, sizeof *b);
    char b1[32], key[256];
    FILE *fp = tsv_open(&c->out, "corr.tsv");
    fprintf(fp, "task\trule\tgap\tn\tpearson_r\tpearson_p_greater\tpearson_p_two\tspearman_rho\tspearman_p_greater\tspearman_exact\tslope\tintercept\tse_slope\n");
    size_t nt = runs_distinct(s, c->groups.main, NULL, RUN_TASK, tasks, 64);
    const int gq[4] = {F_GAP_ACC, F_PGAP_ACC, F_GAP_LOSS, F_PGAP_LOSS};
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, c->groups.main, tasks[t], RUN_RULE, rules, 64);
        for (size_t q = 0; q <= nr; q++) {
            const char *rule = q == 0 ? NULL : rules[q - 1];
            for (int k = 0; k < 4; k++) {
                size_t n = runs_pick(s, c->groups.main, tasks[t], rule, NAN, F_LAMBDA, a, NULL);
                runs_pick(s, c->groups.main, tasks[t], rule, NAN, gq[k], b, NULL);
                if (stat_describe(b, n).n == 0) continue;
                stat_test pr = stat_pearson(a, b, n), sp = stat_spearman(a, b, n);
                stat_line l = stat_linfit(a, b, n);
                fprintf(fp, "%s\t%s\t%s\t%zu", tasks[t], rule ? rule : "pooled", run_field_name[gq[k]], l.n);
                const double v[9] = {pr.stat, pr.p_greater, pr.p_two, sp.stat, sp.p_greater, sp.exact, l.slope, l.intercept, l.se_slope};
                for (int m = 0; m < 9; m++) fputc('\t', fp), tsv_pnum(fp, v[m]);
                fputc('\n', fp);
                if (rule) continue;
                snprintf(key, sizeof key, "corr.%s.%s.", tasks[t], run_field_name[gq[k]]);
                size_t kl = strlen(key);
                strcpy(key + kl, "r"), stats_value(c, key, "%s", tsv_fmt3(pr.stat, b1));
                strcpy(key + kl, "p"), stats_value(c, key, "%s", tsv_fmtp(pr.p_greater, b1));
                strcpy(key + kl, "rho"), stats_value(c, key, "%s", tsv_fmt3(sp.stat, b1));
                strcpy(key + kl, "n"), stats_value(c, key, "%zu", l.n);
                strcpy(key + kl, "slope"), stats_value(c, key, "%.6g", l.slope);
                strcpy(key + kl, "intercept"), stats_value(c, key, "%.6g", l.intercept);
            }
        }
    }
    tsv_close(&c->out, fp);
    free(a), free(b);
}

/* The learning-rate sweep: log-log slope of final lambda_max against eta per rule. */
static void write_theorem(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *tasks[64], *rules[64];
    double *a = stats_calloc(s->n, sizeof *a), *xs = stats_calloc(s->n, sizeof *xs);
    char b1[32], key[256];
    FILE *fp = tsv_open(&c->out, "theorem.tsv");
    fprintf(fp, "task\trule\tn\tslope\tse_slope\tci_low\tci_high\tintercept\n");
    size_t nt = runs_distinct(s, c->groups.slope, NULL, RUN_TASK, tasks, 64);
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, c->groups.slope, tasks[t], RUN_RULE, rules, 64);
        for (size_t q = 0; q < nr; q++) {
            size_t n = runs_pick(s, c->groups.slope, tasks[t], rules[q], NAN, F_LOG_LAMBDA, a, xs);
            for (size_t i = 0; i < n; i++) xs[i] = log(xs[i]);
            stat_line l = stat_linfit(xs, a, n);
            stat_estimate e = stat_estimate_slope(xs, a, n);
            fprintf(fp, "%s\t%s\t%zu", tasks[t], rules[q], l.n);
            const double v[5] = {l.slope, l.se_slope, e.lo, e.hi, l.intercept};
            for (int k = 0; k < 5; k++) fputc('\t', fp), tsv_pnum(fp, v[k]);
            fputc('\n', fp);
            snprintf(key, sizeof key, "lr.%s.%s.slope", tasks[t], rules[q]);
            stats_value(c, key, "%s", tsv_fmt3(l.slope, b1));
        }
    }
    tsv_close(&c->out, fp);
    free(a), free(xs);
}

/* The sweeps of groups.tsv's role trend (truncation, remedy): Spearman of lambda_max and the gaps against x. */
static void write_sweeps(stats_ctx *c)
{
    const run_set *s = &c->runs;
    const char *tasks[64], *rules[64];
    double *a = stats_calloc(s->n, sizeof *a), *xs = stats_calloc(s->n, sizeof *xs);
    FILE *fp = tsv_open(&c->out, "sweeps.tsv");
    fprintf(fp, "group\ttask\trule\tquantity\tn\tspearman_rho\tp_less\tpearson_r\n");
    const char *const *groups = c->groups.trend;
    const int fs[5] = {F_LAMBDA, F_GAP_ACC, F_PGAP_ACC, F_GAP_LOSS, F_PGAP_LOSS};
    for (size_t g = 0; g < c->groups.ntrend; g++) {
        size_t nt = runs_distinct(s, groups[g], NULL, RUN_TASK, tasks, 64);
        for (size_t t = 0; t < nt; t++) {
            size_t nr = runs_distinct(s, groups[g], tasks[t], RUN_RULE, rules, 64);
            for (size_t q = 0; q < nr; q++)
                for (int k = 0; k < 5; k++) {
                    size_t n = runs_pick(s, groups[g], tasks[t], rules[q], NAN, fs[k], a, xs);
                    if (stat_describe(a, n).n == 0) continue;
                    stat_test sp = stat_spearman(xs, a, n), pr = stat_pearson(xs, a, n);
                    fprintf(fp, "%s\t%s\t%s\t%s\t%zu\t", groups[g], tasks[t], rules[q], run_field_name[fs[k]], n);
                    tsv_pnum(fp, sp.stat), fputc('\t', fp), tsv_pnum(fp, sp.p_less), fputc('\t', fp), tsv_pnum(fp, pr.stat), fputc('\n', fp);
                }
        }
    }
    tsv_close(&c->out, fp);
    free(a), free(xs);
}

/* ------------------------------------------------------------ trajectories */

/* Value k of a run's series at row j: curve.tsv columns, or from
 * curvature.tsv lambda_max, gamma, or the theorem's rho, eta lambda / 2 and
 * the rule's own edge. */
enum traj_kind { TRAJ_CURVE, TRAJ_CURV, TRAJ_RHO };
static const run_series *traj_series(const run *r, enum traj_kind kind) { return kind == TRAJ_CURVE ? &r->curve : &r->curv; }
static double traj_value(const run_series *s, enum traj_kind kind, int k, size_t j)
{
    if (kind != TRAJ_RHO) return s->v[k][j];
    double eta = s->v[C_ETA][j], lam = s->v[C_LAMBDA][j];
    return k == 0 ? eta * lam * s->v[C_GAMMA][j] / 2 : k == 1 ? eta * lam / 2 : s->v[C_RULE_EDGE][j];
}

/* Mean and SEM over the runs of (group, task, rule) at each iteration;
 * for curvature also the geometric mean of lambda_max and exp(mean -+ SEM)
 * of its log over the positive values, what Figure 4 draws on its log axis
 * (the tests use log lambda_max). */
static void write_traj(stats_ctx *c, FILE *fp, const char *group, enum traj_kind kind, int nv)
{
    const run_set *s = &c->runs;
    const char *tasks[64], *rules[64];
    size_t nt = runs_distinct(s, group, NULL, RUN_TASK, tasks, 64);
    double *buf = stats_calloc(s->n, sizeof *buf), *logs = stats_calloc(s->n, sizeof *logs);
    for (size_t t = 0; t < nt; t++) {
        size_t nr = runs_distinct(s, group, tasks[t], RUN_RULE, rules, 64);
        for (size_t q = 0; q < nr; q++) {
            /* iterations of the longest run; runs that stopped early drop out
             * of the later means; diverged runs are left out altogether */
            const run_series *longest = NULL;
            double lr = NAN;
            for (size_t i = 0; i < s->n; i++)
                if (!strcmp(s->run[i].group, group) && !strcmp(s->run[i].task, tasks[t]) && !strcmp(s->run[i].rule, rules[q])) {
                    const run_series *ser = traj_series(&s->run[i], kind);
                    lr = s->run[i].f[F_LR];
                    if (ser->n && (!longest || ser->n > longest->n)) longest = ser;
                }
            if (!longest) continue;
            for (size_t j = 0; j < longest->n; j++) {
                fprintf(fp, "%s\t%s\t", tasks[t], rules[q]);
                tsv_pnum(fp, longest->iter[j]);
                size_t nlog = 0;
                for (int v = 0; v < nv; v++) {
                    size_t n = 0;
                    for (size_t i = 0; i < s->n; i++) {
                        const run *r = &s->run[i];
                        if (strcmp(r->group, group) || strcmp(r->task, tasks[t]) || strcmp(r->rule, rules[q])) continue;
                        if (r->f[F_DIVERGED] > 0) continue; /* as in every other statistic */
                        const run_series *ser = traj_series(r, kind);
                        for (size_t k = 0; k < ser->n; k++)
                            if (ser->iter[k] == longest->iter[j]) buf[n++] = traj_value(ser, kind, v, k);
                    }
                    stat_summary m = stat_describe(buf, n);
                    if (v == 0) fprintf(fp, "\t%zu", m.n);
                    fputc('\t', fp), tsv_pnum(fp, m.mean), fputc('\t', fp), tsv_pnum(fp, m.sem);
                    if (kind == TRAJ_CURV && v == C_LAMBDA)
                        for (size_t k = 0; k < n; k++)
                            if (buf[k] > 0 && isfinite(buf[k])) logs[nlog++] = log(buf[k]);
                }
                if (kind == TRAJ_CURV) {
                    fputc('\t', fp), tsv_pnum(fp, 2 / lr);
                    stat_summary g = stat_describe(logs, nlog);
                    double se = nlog > 1 ? g.sem : 0;
                    fputc('\t', fp), tsv_pnum(fp, exp(g.mean)), fputc('\t', fp), tsv_pnum(fp, exp(g.mean - se));
                    fputc('\t', fp), tsv_pnum(fp, exp(g.mean + se));
                }
                fputc('\n', fp);
            }
            fputs("\n\n", fp); /* gnuplot index blocks */
        }
    }
    free(buf), free(logs);
}

static void write_trajectories(stats_ctx *c)
{
    FILE *fp = tsv_open(&c->out, "traj.tsv");
    fprintf(fp, "task\trule\titer\tn\tlambda_mean\tlambda_sem\tgamma_mean\tgamma_sem\tbound_gd\tlambda_geo\tlambda_geo_lo\tlambda_geo_hi\n");
    write_traj(c, fp, c->groups.main, TRAJ_CURV, 2);
    tsv_close(&c->out, fp);
    fp = tsv_open(&c->out, "curves.tsv");
    fprintf(fp, "task\trule\titer\tn\ttrain_loss\ttrain_loss_sem\ttest_loss\ttest_loss_sem\ttrain_acc\ttrain_acc_sem\ttest_acc\ttest_acc_sem\tptest_loss\tptest_loss_sem\tptest_acc\tptest_acc_sem\n");
    write_traj(c, fp, c->groups.main, TRAJ_CURVE, 6);
    tsv_close(&c->out, fp);
    /* the theorem along training (figure 7): rho, eta lambda / 2 and the rule's own edge */
    fp = tsv_open(&c->out, "rho.tsv");
    fprintf(fp, "task\trule\titer\tn\trho_mean\trho_sem\tlevel_mean\tlevel_sem\tedge_mean\tedge_sem\n");
    write_traj(c, fp, c->groups.main, TRAJ_RHO, 3);
    tsv_close(&c->out, fp);
}

/* ------------------------------------------------------------ main */

static void judge_claims(stats_ctx *c)
{
    size_t cap = 0;
    for (size_t k = 0; k < c->claims.n; k++) claims_evaluate(&c->runs, &c->cs, &c->claims.row[k], &c->rows, &c->nrows, &cap);
    claims_judge(c->rows, c->nrows, &c->cs);
}

int main(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: credit-stats MANIFEST OUTDIR claims=TABLE groups=TABLE [alpha=0.05] [profile=NAME] [FIG_CLAIM_NAME=value ...]\n"
                        "Reads the runs a manifest lists and writes the pipeline's tables into OUTDIR.\n");
        return argc < 3 ? 2 : 0;
    }
    stats_ctx c = {.profile = "", .note = ""};
    c.cs.alpha = 0.05;
    const char *claims = NULL, *groups = NULL;
    for (int i = 3; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        char name[64];
        if (!eq || (size_t)(eq - argv[i]) >= sizeof name) stats_die("argument '%s' is not NAME=value", argv[i]);
        snprintf(name, sizeof name, "%.*s", (int)(eq - argv[i]), argv[i]);
        const char *v = eq + 1;
        if (!strcmp(name, "alpha")) c.cs.alpha = tsv_num(v);
        else if (!strcmp(name, "profile")) c.profile = v;
        else if (!strcmp(name, "claims")) claims = v;
        else if (!strcmp(name, "groups")) groups = v;
        else if (!strcmp(name, "FIG_CLAIM_NOTE")) c.note = v;
        else if (claims_setting(&c.cs, name, v)) stats_die("unknown argument '%s' (claims=, groups=, alpha=, profile=, FIG_CLAIM_*=)", argv[i]);
    }
    if (!claims) stats_die("no claims= table (paper/experiments/claims.tsv)");
    claims_read(&c.claims, claims);
    if (!groups) stats_die("no groups= table (paper/experiments/groups.tsv)");
    groups_read(&c.groups, groups);
    c.cs.main_group = c.groups.main;
    if (!(c.cs.alpha > 0 && c.cs.alpha < 1)) stats_die("alpha must be in (0,1)");
    claims_settings_check(&c.cs);
    c.out.dir = argv[2];
    const run_opts ro = {.plateau = c.cs.plateau, .window = c.cs.endpoint_window, .use_plateau = !strcmp(c.cs.endpoint, "plateau")};
    runs_read(&c.runs, argv[1], &ro);
    if (c.runs.n == 0) stats_die("%s lists no runs", argv[1]);
    char *prov = runs_provenance(&c.runs);
    c.out.provenance = prov;

    c.values = tsv_open(&c.out, "values.tsv");
    fprintf(c.values, "key\tvalue\n");
    char b[32];
    stats_value(&c, "profile", "%s", c.profile);
    stats_value(&c, "profile.note", "%s", c.note);
    stats_value(&c, "alpha", "%s", tsv_fmt3(c.cs.alpha, b));
    size_t distinct = 0, diverged = 0;
    for (size_t i = 0; i < c.runs.n; i++)
        if (!runs_repeated(&c.runs, i)) distinct++, diverged += c.runs.run[i].f[F_DIVERGED] > 0;
    stats_value(&c, "runs.total", "%zu", distinct);
    stats_value(&c, "runs.diverged", "%zu", diverged);

    write_runs(&c);
    write_summary(&c);
    write_tests(&c);
    write_corr(&c);
    write_theorem(&c);
    write_sweeps(&c);
    write_trajectories(&c);
    stats_write_gapfit(&c);
    judge_claims(&c);
    stats_write_claims(&c);
    stats_write_power(&c);
    stats_write_endpoints(&c);
    stats_write_divergence(&c);
    stats_write_findings(&c);
    stats_write_discussion(&c);
    stats_write_fragments(&c);
    tsv_close(&c.out, c.values);
    free(c.rows);
    claims_free(&c.claims);
    groups_free(&c.groups);
    free(prov);
    runs_free(&c.runs);
    return 0;
}
