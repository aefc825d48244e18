/* statlib.h - the statistics of the figures pipeline, on GSL.
 *
 * Every test returns its statistic and p-values; "greater" p-values are for
 * the one-sided alternative that the FIRST sample is larger (or the
 * correlation positive), because the paper's claims are one-sided
 * (bio rule > BPTT). NaN comes back when a sample is too small. References
 * for each formula: tests/test_stats.c checks them against published
 * examples (R's documentation, which follows Hollander & Wolfe) and
 * hand-worked ones.
 */
#ifndef CREDIT_STATLIB_H
#define CREDIT_STATLIB_H

#include <stddef.h>

typedef struct stat_summary {
    size_t n;
    double mean, sd, sem, min, median, max; /* sd: n-1 denominator */
} stat_summary;

/* NaNs in x are skipped (a diverged run has no curvature). */
stat_summary stat_describe(const double *x, size_t n);

typedef struct stat_test {
    double stat;      /* t, U, F, r or rho */
    double df;        /* degrees of freedom (t, Welch); F: numerator df 1, this is the denominator df */
    double p_greater; /* one-sided: first sample larger / correlation positive */
    double p_less;    /* one-sided, the other direction */
    double p_two;     /* two-sided */
    int exact;        /* 1: exact distribution (Mann-Whitney, Spearman), 0: approximation */
} stat_test;

/* Welch's unequal-variance t-test of mean(x) - mean(y). */
stat_test stat_welch(const double *x, size_t nx, const double *y, size_t ny);
/* Paired t-test of mean(x - y). */
stat_test stat_paired_t(const double *x, const double *y, size_t n);
/* Mann-Whitney U (Wilcoxon rank-sum); stat is U of x = W - nx(nx+1)/2.
 * Exact when both samples have < 50 values and there are no ties, else the
 * normal approximation with tie and continuity corrections (as R does). */
stat_test stat_mann_whitney(const double *x, size_t nx, const double *y, size_t ny);
/* Brown-Forsythe: Levene's test on absolute deviations from the group
 * medians. stat is F(1, nx+ny-2); p_greater: x more variable (from the
 * equivalent pooled t on the deviations, t^2 = F); p_two is the F test. */
stat_test stat_brown_forsythe(const double *x, size_t nx, const double *y, size_t ny);
/* Pearson r with the t(n-2) test. */
stat_test stat_pearson(const double *x, const double *y, size_t n);
/* Spearman rho (average ranks for ties). Exact permutation distribution of
 * S = sum d^2 for n <= 9 without ties (as R), else the t(n-2) approximation. */
stat_test stat_spearman(const double *x, const double *y, size_t n);

typedef struct stat_line {
    double slope, intercept, se_slope, se_intercept;
    size_t n;
} stat_line;
/* Least squares y = intercept + slope x. */
stat_line stat_linfit(const double *x, const double *y, size_t n);

/* Average ranks (1-based) of x into r; returns sum over tie groups of t^3 - t. */
double stat_rank(const double *x, size_t n, double *r);

/* The claims' verdict from a one-sided p-value: below alpha "reproduced";
 * otherwise "not reproduced" when the estimate points the other way and
 * "inconclusive" when it points the predicted way (or p is not finite). */
const char *stat_verdict(double p_one_sided, int right_direction, double alpha);

/* Upper quantile of Student's t (for confidence intervals). */
double stat_t_quantile(double p, double df);

#endif
