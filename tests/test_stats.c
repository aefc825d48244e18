/* test_stats.c - the pipeline's statistics (figures/statlib.c) against
 * reference values computed independently of this code: the examples of
 * R's documentation (printed values, to their printed precision) and
 * small cases worked by hand in the comments. */
#include "test.h"

#include <string.h>
#include "../figures/statlib.h"
#include "../figures/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void test_claims(void);

static int near(double got, double want, double tol) { return fabs(got - want) <= tol; }

#define NEAR(got, want, tol, name) CHECK(near((got), (want), (tol)), name, "got %.10g, want %.10g (tol %g)", (double)(got), (double)(want), (double)(tol))

/* R's `sleep` data (Student 1908): extra hours of sleep, two drugs, same 10 patients. */
static const double sleep1[10] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
static const double sleep2[10] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

/* The gap at a training-loss level (figures/gapfit.c), worked by hand.
 * Evaluation rows (train_loss, test_loss, train_acc, test_acc, ptest_loss,
 * ptest_acc): the loss falls 2.0, 1.5, 1.7, 1.0, so it first reaches 1.6 at
 * row 1 (the rise at row 2 does not count) and 1.25 at row 3. */
static void test_gapfit(void)
{
    double iter[4] = {0, 1, 2, 3};
    double trl[4] = {2.0, 1.5, 1.7, 1.0}, tel[4] = {2.1, 1.7, 1.8, 1.4}, tra[4] = {0.2, 0.5, 0.45, 0.8}, tea[4] = {0.2, 0.4, 0.4, 0.6},
           ptl[4] = {2.2, 1.9, 2.0, 1.8}, pta[4] = {0.1, 0.3, 0.3, 0.5};
    run_series e = {.n = 4, .iter = iter, .v = {trl, tel, tra, tea, ptl, pta}};
    /* level 1.6: between rows 0 and 1, t = (2.0 - 1.6) / (2.0 - 1.5) = 0.8;
     * error gap 0 + 0.8 (0.1 - 0) = 0.08; perturbed 0.1 + 0.8 (0.2 - 0.1) = 0.18 */
    NEAR(gapfit_at(&e, 1.6, 0, 0), 0.08, 1e-12, "gapfit: error gap interpolated at the first crossing of the level");
    NEAR(gapfit_at(&e, 1.6, 0, 1), 0.18, 1e-12, "gapfit: perturbed error gap at the same point");
    /* level 1.25: between rows 2 and 3 (1.7 -> 1.0), t = 0.45 / 0.7; loss gap
     * 0.1 + t (0.4 - 0.1) */
    NEAR(gapfit_at(&e, 1.25, 1, 0), 0.1 + 0.45 / 0.7 * 0.3, 1e-12, "gapfit: loss gap (MSE) interpolated after a rise of the loss");
    NEAR(gapfit_at(&e, 1.0, 0, 0), 0.2, 1e-12, "gapfit: a level met exactly is that row's gap");
    NEAR(gapfit_at(&e, 2.5, 0, 0), 0.0, 1e-12, "gapfit: a level above the first row is the first row's gap");
    CHECK(isnan(gapfit_at(&e, 0.9, 0, 0)), "gapfit: a level the run never reaches has no value", "%g", gapfit_at(&e, 0.9, 0, 0));
}

/* A small deterministic normal generator for the simulations below (xorshift64* and Box-Muller). */
static double sim_normal(uint64_t *st)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        *st ^= *st >> 12, *st ^= *st << 25, *st ^= *st >> 27;
        u[k] = ((double)((*st * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

/* The power table's formulas against simulation (issue 26): Welch's
 * one-sided test of normal samples with the exploratory runs' SDs, at
 * Holm's strictest level; the log SD ratio's standard error. */
static void test_power(void)
{
    uint64_t st = 0x9e3779b97f4a7c15ULL;
    const double sa = 0.0237, sb = 0.0147, alpha = 0.05 / 3;
    const int reps = 4000;
    const struct { int n; double effect; } cases[3] = {{8, 0.02}, {32, 0.015}, {16, 0}};
    double x[64], y[64];
    for (int c = 0; c < 3; c++) {
        int n = cases[c].n, hits = 0;
        for (int k = 0; k < reps; k++) {
            for (int i = 0; i < n; i++) x[i] = cases[c].effect + sa * sim_normal(&st), y[i] = sb * sim_normal(&st);
            hits += stat_welch(x, (size_t)n, y, (size_t)n).p_greater < alpha;
        }
        double se = sqrt((sa * sa + sb * sb) / n), want = stat_power(cases[c].effect, se, stat_welch_df(sa, n, sb, n), alpha);
        double got = (double)hits / reps, tol = 4 * sqrt(want * (1 - want) / reps) + 0.01;
        CHECK(fabs(got - want) < tol, "power: Welch's one-sided power matches a simulation", "n %d effect %g: formula %g, simulated %g (tol %g)", n,
              cases[c].effect, want, got, tol);
    }
    double se32 = sqrt((sa * sa + sb * sb) / 32);
    double mde = stat_mde(se32, stat_welch_df(sa, 32, sb, 32), alpha, 0.8);
    CHECK(fabs(stat_power(mde, se32, stat_welch_df(sa, 32, sb, 32), alpha) - 0.8) < 1e-9, "power: the detectable effect has exactly the target power",
          "mde %g", mde);
    /* log SD ratio: its SE against the SD of simulated log ratios */
    double sum = 0, sum2 = 0;
    for (int k = 0; k < reps; k++) {
        for (int i = 0; i < 16; i++) x[i] = 2 * sim_normal(&st), y[i] = sim_normal(&st);
        stat_estimate e = stat_estimate_log_sd_ratio(x, 16, y, 16);
        sum += e.effect, sum2 += e.effect * e.effect;
    }
    double mean = sum / reps, sd = sqrt(sum2 / reps - mean * mean), want_se = sqrt(1.0 / 15);
    CHECK(fabs(mean - log(2)) < 0.03 && fabs(sd / want_se - 1) < 0.06, "claim 2: the log SD ratio and its standard error match a simulation",
          "mean %g (log 2 = %g), sd %g vs se %g", mean, log(2), sd, want_se);
    /* equivalence power at the centre of the band */
    double hits = 0, half = 0.25, se = 0.1;
    for (int k = 0; k < reps; k++) {
        double est = se * sim_normal(&st);
        hits += stat_p_inside(stat_estimate_make(est, se, INFINITY, 10), -half, half) < alpha;
    }
    double tost = stat_power_tost(half, se, INFINITY, alpha);
    CHECK(fabs(hits / reps - tost) < 4 * sqrt(tost * (1 - tost) / reps) + 0.01, "power: the equivalence test's power matches a simulation",
          "formula %g simulated %g", tost, hits / reps);
}

/* Figure 2's box plots (figures/quartiles.awk) against R: quantile() of
 * the sleep data's first group (type 7, R's default) prints -1.6, -0.175,
 * 0.35, 1.7, 3.7; with 12 added, 1.5 box lengths above the box reach 4.5125
 * only, so the upper whisker stops at 3.7 and 12 is an outlier. A nan and
 * another group are skipped. */
static void test_quartiles(void)
{
    char path[700], cmd[1600], *out = NULL;
    snprintf(path, sizeof path, "%s/quartiles_runs.tsv", test_tmp());
    FILE *fp = fopen(path, "w");
    if (!fp) { CHECK(0, "quartiles: a runs table", "%s", path); return; }
    fprintf(fp, "# provenance\ngroup\ttask\trule\tseed\tgap\n");
    for (int i = 0; i < 10; i++) fprintf(fp, "main\tsmnist\ta\t%d\t%.17g\n", i + 1, sleep1[i]);
    fprintf(fp, "main\tsmnist\ta\t11\tnan\nlr\tsmnist\ta\t1\t100\n");
    for (int i = 0; i < 10; i++) fprintf(fp, "main\tsmnist\tb\t%d\t%.17g\n", i + 1, sleep1[i]);
    fprintf(fp, "main\tsmnist\tb\t11\t12\n");
    fclose(fp);
    snprintf(cmd, sizeof cmd, "awk -f figures/quartiles.awk -v g=main -v t=smnist -v q=gap -v rules='a b' %s", path);
    int rc = test_run(cmd, &out);
    double a[6] = {0}, b[6] = {0};
    int na = 0, nb = 0, got = 0;
    if (!rc && out) {
        char *l2 = strchr(out, '\n');
        if (l2) got = sscanf(l2 + 1, "%*d\ta\t%d\t%lf\t%lf\t%lf\t%lf\t%lf\n%*d\tb\t%d\t%lf\t%lf\t%lf\t%lf\t%lf", &na, &a[0], &a[1], &a[2], &a[3], &a[4], &nb,
                             &b[0], &b[1], &b[2], &b[3], &b[4]);
    }
    CHECK(got == 12 && na == 10 && near(a[0], -0.175, 1e-9) && near(a[1], 0.35, 1e-9) && near(a[2], 1.7, 1e-9) && near(a[3], -1.6, 1e-9) &&
              near(a[4], 3.7, 1e-9),
          "quartiles: Figure 2's box is R's quantile() (type 7) of the seeds, whiskers at the extreme seeds within 1.5 box lengths", "%.400s",
          out ? out : "");
    /* 11 values: h = 10 p + 1 gives -0.15, 0.7 and 2.7 */
    CHECK(got == 12 && nb == 11 && near(b[0], -0.15, 1e-9) && near(b[1], 0.7, 1e-9) && near(b[2], 2.7, 1e-9) && near(b[4], 3.7, 1e-9),
          "quartiles: an outlier (12) is outside the whisker, which stops at the last seed within 1.5 box lengths", "%.400s", out ? out : "");
    free(out);
}

void test_stats(void)
{
    test_gapfit();
    test_quartiles();
    test_power();
    /* The claims' verdicts: the p against the prediction decides
     * "contradicted", the prediction's p "reproduced", anything else (no p)
     * is inconclusive. */
    CHECK(!strcmp(stat_verdict(0.01, 0.9, 0.05), "reproduced"), "verdict: p_for < alpha reproduces", "%s", stat_verdict(0.01, 0.9, 0.05));
    CHECK(!strcmp(stat_verdict(0.05, 0.5, 0.05), "inconclusive"), "verdict: p_for = alpha, p_against large is inconclusive", "%s",
          stat_verdict(0.05, 0.5, 0.05));
    CHECK(!strcmp(stat_verdict(0.7, 0.01, 0.05), "contradicted"), "verdict: p_against < alpha contradicts", "%s", stat_verdict(0.7, 0.01, 0.05));
    CHECK(!strcmp(stat_verdict(0.01, 0.01, 0.05), "negligible"), "verdict: significant but inside the smallest effect of interest is negligible",
          "%s", stat_verdict(0.01, 0.01, 0.05));
    CHECK(!strcmp(stat_verdict(NAN, NAN, 0.05), "inconclusive") && !strcmp(stat_verdict(NAN, 0.5, 0.05), "inconclusive"),
          "verdict: no p-value (too few runs) is inconclusive", "%s", stat_verdict(NAN, NAN, 0.05));

    /* Holm, hand-worked (R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02):
     * sorted 0.005 0.01 0.03 0.04 times 4 3 2 1 = 0.02 0.03 0.06 0.04, then the running max. */
    const double hp[4] = {0.01, 0.04, 0.03, 0.005}, hw[4] = {0.03, 0.06, 0.06, 0.02};
    double ha[4];
    stat_holm(hp, 4, ha);
    int holm_ok = 1;
    for (int i = 0; i < 4; i++) holm_ok &= near(ha[i], hw[i], 1e-12);
    CHECK(holm_ok, "holm: adjusted p-values (hand-worked, = R p.adjust)", "%g %g %g %g", ha[0], ha[1], ha[2], ha[3]);
    /* An unmeasured endpoint (NaN) takes its share: {0.01, NaN} -> 0.02, NaN; capped at 1. */
    const double hn[3] = {0.01, NAN, 0.6};
    double hb[3];
    stat_holm(hn, 3, hb);
    CHECK(near(hb[0], 0.03, 1e-12) && isnan(hb[1]) && near(hb[2], 1, 1e-12), "holm: NaN counts as an endpoint, values capped at 1",
          "%g %g %g", hb[0], hb[1], hb[2]);

    /* Estimates and the one-sided, equivalence and minimal-effect tests on R's
     * sleep data: mean difference 0.75 - 2.33 = -1.58, Welch t = -1.8608 on
     * 17.776 df (R), so se = 1.58 / 1.8608. */
    stat_estimate e = stat_estimate_welch(sleep1, 10, sleep2, 10);
    NEAR(e.effect, -1.58, 1e-12, "estimate: Welch difference of means (R sleep)");
    NEAR(e.se, 1.58 / 1.8608, 5e-5, "estimate: Welch standard error");
    NEAR(e.df, 17.776, 5e-4, "estimate: Welch df");
    /* R: t.test(extra ~ group, data = sleep) 95 percent CI -3.3654832 0.2054832 */
    NEAR(e.lo, -3.3654832, 5e-6, "estimate: 95% interval, low (R)");
    NEAR(e.hi, 0.2054832, 5e-6, "estimate: 95% interval, high (R)");
    NEAR(stat_p_beyond(e, 0, -1), 0.07939 / 2, 5e-6, "p beyond: one-sided less = half R's two-sided p");
    /* TOST within +-3: t = (-1.58 + 3) / se = 1.672, whose upper tail on ~17.8 df lies between the
     * t-table's 0.10 (1.33) and 0.05 (1.734 at 18 df); within +-4: t = 2.850, between 0.01 (2.552)
     * and 0.005 (2.878). */
    double pt3 = stat_p_inside(e, -3, 3), pt4 = stat_p_inside(e, -4, 4);
    CHECK(pt3 > 0.05 && pt3 < 0.10, "tost: +-3 not equivalent at 0.05 (t-table)", "p %g", pt3);
    CHECK(pt4 > 0.005 && pt4 < 0.01, "tost: +-4 equivalent at 0.01 (t-table)", "p %g", pt4);
    /* Outside [0, 5]: the test "effect < 0" is R's one-sided p. */
    NEAR(stat_p_outside(e, 0, 5), 0.07939 / 2, 5e-6, "minimal effect: outside a band is the nearer one-sided test");
    /* Normal scale, hand-worked: effect 0, se 1, band +-1.644854: p = 0.05 exactly. */
    stat_estimate z = stat_estimate_make(0, 1, INFINITY, 100);
    NEAR(stat_p_inside(z, -1.6448536, 1.6448536), 0.05, 1e-7, "tost: normal, band at the 95% quantile gives 0.05");
    NEAR(z.hi, 1.959964, 1e-6, "estimate: normal 95% interval");

    /* Fisher z of R's cor.test example: r = 0.5711816, n = 9: z = atanh(r), se = 1/sqrt(6);
     * R's 95 percent CI for rho: -0.1497426 0.8955795. */
    e = stat_estimate_fisher_z((const double[]){44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1},
                               (const double[]){2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8}, 9);
    NEAR(tanh(e.effect), 0.5711816, 5e-8, "fisher z: r");
    NEAR(tanh(e.lo), -0.1497426, 5e-7, "fisher z: interval low (R cor.test)");
    NEAR(tanh(e.hi), 0.8955795, 5e-7, "fisher z: interval high (R cor.test)");

    /* Regression through GSL multifit on [1, x] equals the hand-worked line below; an
     * added covariate orthogonal to both (centred, x-independent) leaves the slope. */
    {
        const double x[5] = {1, 2, 3, 4, 5}, y[5] = {2, 4, 5, 4, 5};
        double X[10];
        for (int i = 0; i < 5; i++) X[2 * i] = 1, X[2 * i + 1] = x[i];
        stat_estimate b = stat_estimate_regression(X, y, 5, 2, 1);
        NEAR(b.effect, 0.6, 1e-12, "regression: slope (hand-worked line)");
        NEAR(b.se, sqrt(0.08), 1e-12, "regression: se (residual variance scaled once)");
        CHECK(b.df == 3, "regression: df n - p", "%g", b.df);
        /* y = 1 + 2 x1 - 3 x2 exactly (+ small exact residuals orthogonal to the design): coefficient 2 */
        const double x1[6] = {0, 1, 2, 3, 4, 5}, x2[6] = {1, 0, 1, 0, 1, 0}, r[6] = {0.1, -0.1, -0.1, 0.1, 0, 0};
        double X3[18], y3[6];
        for (int i = 0; i < 6; i++) X3[3 * i] = 1, X3[3 * i + 1] = x1[i], X3[3 * i + 2] = x2[i], y3[i] = 1 + 2 * x1[i] - 3 * x2[i] + r[i];
        b = stat_estimate_regression(X3, y3, 6, 3, 1);
        CHECK(fabs(b.effect - 2) < 0.05 && b.se > 0 && b.se < 0.1, "regression: two covariates recover the coefficient", "%g se %g", b.effect, b.se);
        /* collinear columns: no estimate */
        for (int i = 0; i < 6; i++) X3[3 * i + 2] = 2 * x1[i];
        b = stat_estimate_regression(X3, y3, 6, 3, 1);
        CHECK(isnan(b.se), "regression: a collinear design gives no estimate", "se %g", b.se);
    }

    /* Hand-worked: 2 4 4 4 5 5 7 9: mean 5, sum of squares 32, sd sqrt(32/7),
     * sem sd/sqrt(8), median (4+5)/2. A NaN is skipped. */
    const double d[9] = {2, 4, 4, 4, 5, NAN, 5, 7, 9};
    stat_summary s = stat_describe(d, 9);
    CHECK(s.n == 8, "describe: NaN skipped, n = 8", "n %zu", s.n);
    NEAR(s.mean, 5, 1e-12, "describe: mean");
    NEAR(s.sd, sqrt(32.0 / 7), 1e-12, "describe: sd (n-1)");
    NEAR(s.sem, sqrt(32.0 / 7) / sqrt(8), 1e-12, "describe: sem");
    NEAR(s.median, 4.5, 1e-12, "describe: median");
    CHECK(s.min == 2 && s.max == 9, "describe: min, max", "%g %g", s.min, s.max);

    /* R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p-value = 0.07939. */
    stat_test t = stat_welch(sleep1, 10, sleep2, 10);
    NEAR(t.stat, -1.8608, 5e-5, "welch: t (R sleep example)");
    NEAR(t.df, 17.776, 5e-4, "welch: df");
    NEAR(t.p_two, 0.07939, 5e-6, "welch: two-sided p");
    NEAR(t.p_less, 0.07939 / 2, 5e-6, "welch: one-sided p (less)");
    NEAR(t.p_greater, 1 - 0.07939 / 2, 5e-6, "welch: one-sided p (greater)");

    /* R: t.test(sleep1, sleep2, paired = TRUE): t = -4.0621, df = 9, p-value = 0.002833. */
    t = stat_paired_t(sleep1, sleep2, 10);
    NEAR(t.stat, -4.0621, 5e-5, "paired t: t (R sleep example)");
    CHECK(t.df == 9, "paired t: df", "%g", t.df);
    NEAR(t.p_two, 0.002833, 5e-7, "paired t: two-sided p");

    /* R ?wilcox.test (Hollander & Wolfe 1973, p. 69): x permeability at 12-26 weeks,
     * y at term; wilcox.test(x, y, alternative = "g"): W = 35, p-value = 0.1272 (exact). */
    const double hx[10] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    const double hy[5] = {1.15, 0.88, 0.90, 0.74, 1.21};
    t = stat_mann_whitney(hx, 10, hy, 5);
    CHECK(t.stat == 35 && t.exact, "mann-whitney: U = 35, exact (R example)", "U %g exact %d", t.stat, t.exact);
    NEAR(t.p_greater, 0.1272, 5e-5, "mann-whitney: exact one-sided p");
    /* Hand-worked exact case: x = {3, 4}, y = {1, 2}: U = 4, the largest of the
     * C(4,2) = 6 equally likely arrangements: P(U >= 4) = 1/6. */
    const double ex[2] = {3, 4}, ey[2] = {1, 2};
    t = stat_mann_whitney(ex, 2, ey, 2);
    NEAR(t.p_greater, 1.0 / 6, 1e-12, "mann-whitney: exact p = 1/6 (hand-worked)");
    NEAR(t.p_two, 2.0 / 6, 1e-12, "mann-whitney: exact two-sided p = 1/3");
    /* Hand-worked with ties: x = {1, 2, 2}, y = {2, 3, 4}. Pooled ranks:
     * 1 -> 1, the three 2s -> 3, 3 -> 5, 4 -> 6. W = 1 + 3 + 3 = 7, U = 7 - 6 = 1.
     * Tie term sum(t^3 - t) = 24. sigma^2 = 9/12 * (7 - 24/30) = 4.65.
     * greater: z = (1 - 4.5 - 0.5)/sqrt(4.65) = -1.854956; P(Z > z) = Phi(1.854956)
     * (standard normal table: Phi(1.85) = 0.96784, Phi(1.86) = 0.96856). */
    const double tx[3] = {1, 2, 2}, ty[3] = {2, 3, 4};
    t = stat_mann_whitney(tx, 3, ty, 3);
    CHECK(t.stat == 1 && !t.exact, "mann-whitney: ties -> normal approximation, U = 1", "U %g exact %d", t.stat, t.exact);
    CHECK(t.p_greater > 0.96784 && t.p_greater < 0.96856, "mann-whitney: tie-corrected p between table values", "p %g", t.p_greater);
    NEAR(t.p_greater, 0.96784 + 0.4956 * (0.96856 - 0.96784), 2e-5, "mann-whitney: tie-corrected p (table, interpolated)");

    /* Brown-Forsythe, hand-worked: a = 1..5 (median 3), b = 1,4,7,10,13 (median 7).
     * |deviations|: a 2 1 0 1 2 (mean 1.2, SS 2.8), b 6 3 0 3 6 (mean 3.6, SS 25.2).
     * Grand mean 2.4; SS_between = 5 (1.2^2 + 1.2^2) = 14.4; SS_within = 28.
     * F = 14.4 / (28 / 8) = 4.1142857 on (1, 8) df. b is the more variable: the
     * one-sided p is P(t_8 > sqrt(F) = 2.0284), between the t-table's
     * 0.025 (2.306) and 0.05 (1.860). */
    const double ba[5] = {1, 2, 3, 4, 5}, bb[5] = {1, 4, 7, 10, 13};
    t = stat_brown_forsythe(bb, 5, ba, 5);
    NEAR(t.stat, 14.4 / 3.5, 1e-12, "brown-forsythe: F (hand-worked)");
    CHECK(t.df == 8, "brown-forsythe: df 8", "%g", t.df);
    CHECK(t.p_greater > 0.025 && t.p_greater < 0.05, "brown-forsythe: one-sided p between t-table values", "%g", t.p_greater);
    NEAR(t.p_two, 2 * t.p_greater, 1e-12, "brown-forsythe: F p = two one-sided t tails");
    stat_test t2 = stat_brown_forsythe(ba, 5, bb, 5);
    NEAR(t2.p_greater, 1 - t.p_greater, 1e-12, "brown-forsythe: direction");

    /* R ?cor.test (Hollander & Wolfe 1973, p. 187): x, y below.
     * pearson: t = 1.8411, df = 7, p-value = 0.1082, cor 0.5711816;
     * spearman: S = 48, p-value = 0.0968 (exact), rho 0.6. */
    const double cx[9] = {44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1};
    const double cy[9] = {2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8};
    t = stat_pearson(cx, cy, 9);
    NEAR(t.stat, 0.5711816, 5e-8, "pearson: r (R example)");
    NEAR(t.p_two, 0.1082, 5e-5, "pearson: two-sided p");
    NEAR(t.p_greater, 0.1082 / 2, 5e-5, "pearson: one-sided p");
    t = stat_spearman(cx, cy, 9);
    NEAR(t.stat, 0.6, 1e-12, "spearman: rho (R example)");
    CHECK(t.exact, "spearman: exact for n = 9 without ties", "exact %d", t.exact);
    NEAR(t.p_two, 0.0968, 5e-5, "spearman: exact two-sided p");
    /* Hand-worked: n = 3, perfectly increasing: S = 0, only the identity of 3! = 6
     * permutations reaches it: P = 1/6. */
    const double r3[3] = {1, 2, 3};
    t = stat_spearman(r3, r3, 3);
    NEAR(t.p_greater, 1.0 / 6, 1e-12, "spearman: exact p = 1/6 (hand-worked)");
    /* Ties: average ranks; rho of (1,2,2,3) with itself is 1. */
    const double tie4[4] = {1, 2, 2, 3};
    double rk[4];
    double tt = stat_rank(tie4, 4, rk);
    CHECK(rk[0] == 1 && rk[1] == 2.5 && rk[2] == 2.5 && rk[3] == 4 && tt == 6, "rank: average ranks and tie term",
          "%g %g %g %g tie %g", rk[0], rk[1], rk[2], rk[3], tt);

    /* Hand-worked least squares: x = 1..5, y = 2 4 5 4 5: Sxx = 10, Sxy = 6,
     * slope 0.6, intercept 4 - 0.6 * 3 = 2.2; residuals -0.8 0.6 1 -0.6 -0.2,
     * SSE 2.4, s^2 = 0.8, se(slope) = sqrt(0.8 / 10). */
    const double lx[5] = {1, 2, 3, 4, 5}, ly[5] = {2, 4, 5, 4, 5};
    stat_line l = stat_linfit(lx, ly, 5);
    NEAR(l.slope, 0.6, 1e-12, "linfit: slope (hand-worked)");
    NEAR(l.intercept, 2.2, 1e-12, "linfit: intercept");
    NEAR(l.se_slope, sqrt(0.08), 1e-12, "linfit: se of slope");

    /* t-table: the 97.5% quantile of t_8 is 2.306. */
    NEAR(stat_t_quantile(0.025, 8), 2.306, 5e-4, "t quantile (t-table)");

    /* Too small samples give NaN, never a verdict. */
    t = stat_welch(sleep1, 1, sleep2, 10);
    CHECK(isnan(t.p_greater), "welch: n = 1 gives NaN", "%g", t.p_greater);

    test_claims(); /* the verdict logic of every claim row (tests/test_claims.c) */
}
