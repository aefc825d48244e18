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

/* An effect with its standard error and the reference distribution of
 * (effect - value) / se: Student's t on df degrees of freedom, or the
 * standard normal when df is infinite (Fisher's z of a correlation). The
 * 95% interval is effect +- q * se. n: the observations behind it. */
typedef struct stat_estimate {
    double effect, se, df, lo, hi;
    size_t n;
} stat_estimate;

/* Builds an estimate (and its 95% interval) from effect, se and df. */
stat_estimate stat_estimate_make(double effect, double se, double df, size_t n);
/* Difference of means x - y, Welch's standard error and df. */
stat_estimate stat_estimate_welch(const double *x, size_t nx, const double *y, size_t ny);
/* Mean of x (NaNs skipped) with its t interval. */
stat_estimate stat_estimate_mean(const double *x, size_t n);
/* Brown-Forsythe as an effect: mean absolute deviation from the median of
 * x minus that of y, with the pooled-variance t standard error (its t^2 is
 * stat_brown_forsythe's F). */
stat_estimate stat_estimate_spread(const double *x, size_t nx, const double *y, size_t ny);
/* Least-squares slope of y on x with its t(n-2) interval. */
stat_estimate stat_estimate_slope(const double *x, const double *y, size_t n);
/* Pearson r on Fisher's z scale: effect atanh(r), se 1/sqrt(n-3), normal. */
stat_estimate stat_estimate_fisher_z(const double *x, const double *y, size_t n);
/* Multiple regression y = X b (X row-major, n x p, NaN rows dropped; GSL
 * multifit): the estimate of coefficient k, t on n - p df. Columns of X
 * that are constant over the kept rows are the caller's to avoid. */
stat_estimate stat_estimate_regression(const double *X, const double *y, size_t n, size_t p, size_t k);

/* One-sided p-value that the true effect exceeds `value` (direction +1) or
 * falls below it (direction -1). */
double stat_p_beyond(stat_estimate e, double value, int direction);
/* Equivalence (TOST): p-value that the effect lies inside [lo, hi], the
 * larger of the two one-sided p-values. */
double stat_p_inside(stat_estimate e, double lo, double hi);
/* Minimal effect: p-value that the effect lies outside [lo, hi], the
 * smaller of the one-sided tests effect < lo and effect > hi. */
double stat_p_outside(stat_estimate e, double lo, double hi);

/* Holm's step-down adjustment of m p-values (NaN counts as 1, so an
 * endpoint that was not measured still takes its share of alpha; its own
 * adjusted value stays NaN). */
void stat_holm(const double *p, size_t m, double *adjusted);

/* A claim's verdict from the p-value of its prediction and the p-value
 * against it (both already adjusted where they must be): "negligible" when
 * both are below alpha (an effect in the predicted direction, significantly
 * smaller than the smallest effect of interest), else "contradicted" when
 * p_against < alpha, "reproduced" when p_for < alpha, else "inconclusive"
 * (also when neither is finite). */
const char *stat_verdict(double p_for, double p_against, double alpha);

/* Log of the ratio of standard deviations, log(sd(x) / sd(y)), with the
 * normal-theory standard error sqrt(1/(2(nx-1)) + 1/(2(ny-1))) (claim 2). */
stat_estimate stat_estimate_log_sd_ratio(const double *x, size_t nx, const double *y, size_t ny);

/* Power of a one-sided test at level alpha of an estimate with standard
 * error se on df degrees of freedom (infinite: normal) when the true effect
 * is `effect`: the noncentral t approximated by a shifted central t. */
double stat_power(double effect, double se, double df, double alpha);
/* The smallest effect detected with the given power: (q_alpha + q_(1-power)) se. */
double stat_mde(double se, double df, double alpha, double power);
/* Power of the equivalence test (TOST) inside +-half when the true effect
 * sits at the centre: P(|T| < half/se - q_alpha). */
double stat_power_tost(double half, double se, double df, double alpha);
/* Welch-Satterthwaite degrees of freedom for SDs sa, sb and sizes na, nb. */
double stat_welch_df(double sa, double na, double sb, double nb);

/* Upper quantile of Student's t (for confidence intervals); the normal's when df is infinite. */
double stat_t_quantile(double p, double df);

#endif
