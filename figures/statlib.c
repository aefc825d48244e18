/* statlib.c - see statlib.h. */
#include "statlib.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const stat_test NO_TEST = {NAN, NAN, NAN, NAN, NAN, 0};

/* Copies the finite values of x into a new array; *m gets their count. */
static double *finite_copy(const double *x, size_t n, size_t *m)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    *m = 0;
    if (!c) return NULL;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) c[(*m)++] = x[i];
    return c;
}

/* Pairs where both values are finite. */
static size_t finite_pairs(const double *x, const double *y, size_t n, double **cx, double **cy)
{
    size_t m = 0;
    *cx = malloc((n ? n : 1) * sizeof **cx);
    *cy = malloc((n ? n : 1) * sizeof **cy);
    if (!*cx || !*cy) return 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            (*cx)[m] = x[i];
            (*cy)[m++] = y[i];
        }
    return m;
}

stat_summary stat_describe(const double *x, size_t n)
{
    stat_summary s = {0, NAN, NAN, NAN, NAN, NAN, NAN};
    size_t m;
    double *c = finite_copy(x, n, &m);
    s.n = m;
    if (c && m > 0) {
        gsl_sort(c, 1, m);
        s.mean = gsl_stats_mean(c, 1, m);
        s.min = c[0];
        s.max = c[m - 1];
        s.median = gsl_stats_median_from_sorted_data(c, 1, m);
        if (m > 1) {
            s.sd = gsl_stats_sd_m(c, 1, m, s.mean);
            s.sem = s.sd / sqrt((double)m);
        }
    }
    free(c);
    return s;
}

static stat_test t_result(double t, double df)
{
    stat_test r = {t, df, NAN, NAN, NAN, 0};
    if (!isfinite(t) || !(df > 0)) return r;
    r.p_greater = gsl_cdf_tdist_Q(t, df);
    r.p_less = gsl_cdf_tdist_P(t, df);
    r.p_two = 2 * gsl_cdf_tdist_Q(fabs(t), df);
    return r;
}

stat_test stat_welch(const double *x, size_t nx, const double *y, size_t ny)
{
    stat_summary a = stat_describe(x, nx), b = stat_describe(y, ny);
    if (a.n < 2 || b.n < 2) return NO_TEST;
    double va = a.sd * a.sd / (double)a.n, vb = b.sd * b.sd / (double)b.n;
    double se2 = va + vb;
    if (!(se2 > 0)) return NO_TEST;
    double df = se2 * se2 / (va * va / (double)(a.n - 1) + vb * vb / (double)(b.n - 1));
    return t_result((a.mean - b.mean) / sqrt(se2), df);
}

stat_test stat_paired_t(const double *x, const double *y, size_t n)
{
    double *cx, *cy;
    size_t m = finite_pairs(x, y, n, &cx, &cy);
    stat_test r = NO_TEST;
    if (m >= 2) {
        for (size_t i = 0; i < m; i++) cx[i] -= cy[i];
        stat_summary d = stat_describe(cx, m);
        if (d.sem > 0) r = t_result(d.mean / d.sem, (double)(m - 1));
    }
    free(cx);
    free(cy);
    return r;
}

/* Sorts indices by value (qsort with a context through a file-scope pointer
 * is not re-entrant; the arrays are small, so an insertion sort will do). */
double stat_rank(const double *x, size_t n, double *r)
{
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    double ties = 0;
    if (!idx) return NAN;
    for (size_t i = 0; i < n; i++) idx[i] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && x[idx[j - 1]] > x[idx[j]]; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) j++;
        double avg = (double)(i + j) / 2.0 + 1.0, t = (double)(j - i + 1);
        for (size_t k = i; k <= j; k++) r[idx[k]] = avg;
        ties += t * t * t - t;
        i = j + 1;
    }
    free(idx);
    return ties;
}

/* Number of arrangements with U <= u for sample sizes m, n: the recursion
 * c(u; m, n) = c(u - n; m - 1, n) + c(u; m, n - 1) on frequencies. Returns
 * the distribution of U as probabilities in f[0..m*n]. */
static double *mwu_exact_pmf(size_t m, size_t n)
{
    size_t top = m * n;
    /* f[j][u] for samples (i, j) built up over i: keep one row per j. */
    double *cur = calloc((n + 1) * (top + 1), sizeof *cur), *nxt = calloc((n + 1) * (top + 1), sizeof *nxt);
    if (!cur || !nxt) {
        free(cur);
        free(nxt);
        return NULL;
    }
    /* i = 0: U is 0 with one arrangement for every j. */
    for (size_t j = 0; j <= n; j++) cur[j * (top + 1)] = 1;
    for (size_t i = 1; i <= m; i++) {
        memset(nxt, 0, (n + 1) * (top + 1) * sizeof *nxt);
        nxt[0] = 1; /* j = 0 */
        for (size_t j = 1; j <= n; j++)
            for (size_t u = 0; u <= i * j; u++) {
                /* largest value is from x (adds j to U) or from y */
                double a = u >= j ? cur[j * (top + 1) + u - j] : 0;
                double b = nxt[(j - 1) * (top + 1) + u];
                nxt[j * (top + 1) + u] = a + b;
            }
        double *t = cur;
        cur = nxt;
        nxt = t;
    }
    double *pmf = malloc((top + 1) * sizeof *pmf), total = 0;
    if (pmf) {
        for (size_t u = 0; u <= top; u++) total += cur[n * (top + 1) + u];
        for (size_t u = 0; u <= top; u++) pmf[u] = cur[n * (top + 1) + u] / total;
    }
    free(cur);
    free(nxt);
    return pmf;
}

stat_test stat_mann_whitney(const double *x, size_t nx_in, const double *y, size_t ny_in)
{
    size_t nx, ny;
    double *a = finite_copy(x, nx_in, &nx), *b = finite_copy(y, ny_in, &ny);
    stat_test r = NO_TEST;
    size_t N = nx + ny;
    double *all = malloc((N ? N : 1) * sizeof *all), *rk = malloc((N ? N : 1) * sizeof *rk);
    if (!a || !b || !all || !rk || nx < 1 || ny < 1) goto done;
    memcpy(all, a, nx * sizeof *a);
    memcpy(all + nx, b, ny * sizeof *b);
    double ties = stat_rank(all, N, rk), w = 0;
    for (size_t i = 0; i < nx; i++) w += rk[i];
    double U = w - (double)nx * (double)(nx + 1) / 2;
    r.stat = U;
    if (nx < 50 && ny < 50 && ties == 0) {
        double *pmf = mwu_exact_pmf(nx, ny);
        if (!pmf) goto done;
        size_t u = (size_t)llround(U), top = nx * ny;
        double le = 0, ge = 0;
        for (size_t k = 0; k <= top; k++) {
            if (k <= u) le += pmf[k];
            if (k >= u) ge += pmf[k];
        }
        free(pmf);
        r.exact = 1;
        r.p_greater = fmin(ge, 1);
        r.p_less = fmin(le, 1);
        r.p_two = fmin(1, 2 * fmin(le, ge));
    } else {
        double mu = (double)nx * (double)ny / 2, Nd = (double)N;
        double sigma = sqrt((double)nx * (double)ny / 12 * ((Nd + 1) - ties / (Nd * (Nd - 1))));
        if (!(sigma > 0)) goto done;
        double z = U - mu;
        r.p_greater = gsl_cdf_ugaussian_Q((z - 0.5) / sigma);
        r.p_less = gsl_cdf_ugaussian_P((z + 0.5) / sigma);
        double zt = (z - (z > 0 ? 0.5 : z < 0 ? -0.5 : 0)) / sigma;
        r.p_two = fmin(1, 2 * gsl_cdf_ugaussian_Q(fabs(zt)));
    }
done:
    free(a);
    free(b);
    free(all);
    free(rk);
    return r;
}

stat_test stat_brown_forsythe(const double *x, size_t nx_in, const double *y, size_t ny_in)
{
    size_t nx, ny;
    double *a = finite_copy(x, nx_in, &nx), *b = finite_copy(y, ny_in, &ny);
    stat_test r = NO_TEST;
    if (a && b && nx >= 2 && ny >= 2) {
        stat_summary sa = stat_describe(a, nx), sb = stat_describe(b, ny);
        for (size_t i = 0; i < nx; i++) a[i] = fabs(a[i] - sa.median);
        for (size_t i = 0; i < ny; i++) b[i] = fabs(b[i] - sb.median);
        stat_summary da = stat_describe(a, nx), db = stat_describe(b, ny);
        double df = (double)(nx + ny - 2);
        double pooled = ((double)(nx - 1) * da.sd * da.sd + (double)(ny - 1) * db.sd * db.sd) / df;
        double se = sqrt(pooled * (1.0 / (double)nx + 1.0 / (double)ny));
        if (se > 0) {
            r = t_result((da.mean - db.mean) / se, df);
            r.stat = r.stat * r.stat; /* F(1, df) = t^2; p_two is the F test's */
        }
    }
    free(a);
    free(b);
    return r;
}

stat_test stat_pearson(const double *x, const double *y, size_t n)
{
    double *cx, *cy;
    size_t m = finite_pairs(x, y, n, &cx, &cy);
    stat_test r = NO_TEST;
    if (m >= 3) {
        double rho = gsl_stats_correlation(cx, 1, cy, 1, m);
        if (isfinite(rho)) {
            double df = (double)(m - 2);
            r = fabs(rho) < 1 ? t_result(rho * sqrt(df / (1 - rho * rho)), df) : t_result(rho > 0 ? INFINITY : -INFINITY, df);
            if (fabs(rho) >= 1) {
                r.p_greater = rho > 0 ? 0 : 1;
                r.p_less = rho > 0 ? 1 : 0;
                r.p_two = 0;
            }
            r.stat = rho;
        }
    }
    free(cx);
    free(cy);
    return r;
}

/* Heap's algorithm over permutations of 1..n: counts S = sum (i - p_i)^2
 * <= s and >= s. */
static void spearman_exact(size_t n, double s, double *le, double *ge)
{
    int p[9], c[9] = {0};
    size_t count = 0, n_le = 0, n_ge = 0;
    for (size_t i = 0; i < n; i++) p[i] = (int)i;
#define SCORE()                                                                  \
    do {                                                                         \
        long S = 0;                                                              \
        for (size_t k = 0; k < n; k++) S += (long)(p[k] - (int)k) * (p[k] - (int)k); \
        count++;                                                                 \
        n_le += (double)S <= s + 1e-9;                                           \
        n_ge += (double)S >= s - 1e-9;                                           \
    } while (0)
    SCORE();
    for (size_t i = 1; i < n;) {
        if (c[i] < (int)i) {
            size_t j = i % 2 ? (size_t)c[i] : 0;
            int t = p[j];
            p[j] = p[i];
            p[i] = t;
            SCORE();
            c[i]++;
            i = 1;
        } else {
            c[i++] = 0;
        }
    }
#undef SCORE
    *le = (double)n_le / (double)count;
    *ge = (double)n_ge / (double)count;
}

stat_test stat_spearman(const double *x, const double *y, size_t n)
{
    double *cx, *cy;
    size_t m = finite_pairs(x, y, n, &cx, &cy);
    stat_test r = NO_TEST;
    double *rx = malloc((m ? m : 1) * sizeof *rx), *ry = malloc((m ? m : 1) * sizeof *ry);
    if (m >= 3 && rx && ry) {
        double tx = stat_rank(cx, m, rx), ty = stat_rank(cy, m, ry);
        double rho = gsl_stats_correlation(rx, 1, ry, 1, m);
        if (isfinite(rho)) {
            if (m <= 9 && tx == 0 && ty == 0) {
                double S = 0, md = (double)m;
                for (size_t i = 0; i < m; i++) S += (rx[i] - ry[i]) * (rx[i] - ry[i]);
                double le, ge;
                spearman_exact(m, S, &le, &ge);
                /* small S = positive correlation */
                r = (stat_test){rho, md - 2, le, ge, fmin(1, 2 * fmin(le, ge)), 1};
            } else {
                double df = (double)(m - 2);
                r = fabs(rho) < 1 ? t_result(rho * sqrt(df / (1 - rho * rho)), df) : NO_TEST;
                if (fabs(rho) >= 1) r = (stat_test){rho, df, rho > 0 ? 0 : 1, rho > 0 ? 1 : 0, 0, 0};
                r.stat = rho;
            }
        }
    }
    free(rx);
    free(ry);
    free(cx);
    free(cy);
    return r;
}

stat_line stat_linfit(const double *x, const double *y, size_t n)
{
    double *cx, *cy;
    size_t m = finite_pairs(x, y, n, &cx, &cy);
    stat_line l = {NAN, NAN, NAN, NAN, m};
    if (m >= 2) {
        double c0, c1, cov00, cov01, cov11, sumsq;
        if (gsl_fit_linear(cx, 1, cy, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) == 0) {
            l.intercept = c0;
            l.slope = c1;
            /* gsl's covariance is scaled by the residual variance sumsq/(m-2) */
            l.se_slope = m > 2 ? sqrt(cov11) : NAN;
            l.se_intercept = m > 2 ? sqrt(cov00) : NAN;
        }
    }
    free(cx);
    free(cy);
    return l;
}

double stat_t_quantile(double p, double df) { return !(df > 0) ? NAN : isinf(df) ? gsl_cdf_ugaussian_Qinv(p) : gsl_cdf_tdist_Qinv(p, df); }

const char *stat_verdict(double p_for, double p_against, double alpha)
{
    int for_ = isfinite(p_for) && p_for < alpha, against = isfinite(p_against) && p_against < alpha;
    if (for_ && against) return "negligible";
    if (against) return "contradicted";
    if (for_) return "reproduced";
    return "inconclusive";
}

/* The estimate's reference distribution: upper quantile and upper tail. */
static double ref_quantile(double p, double df) { return isinf(df) ? gsl_cdf_ugaussian_Qinv(p) : gsl_cdf_tdist_Qinv(p, df); }
static double ref_upper(double z, double df) { return isinf(df) ? gsl_cdf_ugaussian_Q(z) : gsl_cdf_tdist_Q(z, df); }

double stat_power(double effect, double se, double df, double alpha)
{
    if (!(se > 0 && df > 0 && alpha > 0 && alpha < 1) || isnan(effect)) return NAN;
    /* the noncentral t approximated by the central one shifted by effect / se */
    return ref_upper(ref_quantile(alpha, df) - effect / se, df);
}

double stat_mde(double se, double df, double alpha, double power)
{
    if (!(se > 0 && df > 0 && alpha > 0 && alpha < 1 && power > 0 && power < 1)) return NAN;
    return (ref_quantile(alpha, df) + ref_quantile(1 - power, df)) * se;
}

double stat_power_tost(double half, double se, double df, double alpha)
{
    if (!(se > 0 && df > 0 && half > 0 && alpha > 0 && alpha < 1)) return NAN;
    double z = half / se - ref_quantile(alpha, df);
    return z > 0 ? 1 - 2 * ref_upper(z, df) : 0;
}

double stat_welch_df(double sa, double na, double sb, double nb)
{
    double va = sa * sa / na, vb = sb * sb / nb;
    return (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
}

stat_estimate stat_estimate_log_sd_ratio(const double *x, size_t nx_in, const double *y, size_t ny_in)
{
    stat_summary a = stat_describe(x, nx_in), b = stat_describe(y, ny_in);
    if (a.n < 3 || b.n < 3 || !(a.sd > 0 && b.sd > 0)) return stat_estimate_make(NAN, NAN, NAN, a.n + b.n);
    /* for normal data log s has variance about 1/(2(n-1)) */
    double se = sqrt(0.5 / (double)(a.n - 1) + 0.5 / (double)(b.n - 1));
    return stat_estimate_make(log(a.sd / b.sd), se, INFINITY, a.n + b.n);
}

/* Upper tail of the estimate's reference distribution. */
static double tail_upper(double z, double df)
{
    if (isnan(z)) return NAN;
    return isinf(df) ? gsl_cdf_ugaussian_Q(z) : gsl_cdf_tdist_Q(z, df);
}

stat_estimate stat_estimate_make(double effect, double se, double df, size_t n)
{
    stat_estimate e = {effect, se, df, NAN, NAN, n};
    /* a standard error at rounding level (identical values) is no information */
    if (isfinite(effect) && se > 1e-12 * fabs(effect) && isfinite(se) && df > 0) {
        double q = isinf(df) ? gsl_cdf_ugaussian_Qinv(0.025) : gsl_cdf_tdist_Qinv(0.025, df);
        e.lo = effect - q * se;
        e.hi = effect + q * se;
    } else {
        e.se = NAN;
    }
    return e;
}

stat_estimate stat_estimate_welch(const double *x, size_t nx, const double *y, size_t ny)
{
    stat_summary a = stat_describe(x, nx), b = stat_describe(y, ny);
    if (a.n < 2 || b.n < 2) return stat_estimate_make(a.mean - b.mean, NAN, NAN, a.n + b.n);
    double va = a.sd * a.sd / (double)a.n, vb = b.sd * b.sd / (double)b.n, se2 = va + vb;
    double df = se2 > 0 ? se2 * se2 / (va * va / (double)(a.n - 1) + vb * vb / (double)(b.n - 1)) : NAN;
    return stat_estimate_make(a.mean - b.mean, sqrt(se2), df, a.n + b.n);
}

stat_estimate stat_estimate_mean(const double *x, size_t n)
{
    stat_summary s = stat_describe(x, n);
    return stat_estimate_make(s.mean, s.sem, (double)s.n - 1, s.n);
}

stat_estimate stat_estimate_spread(const double *x, size_t nx_in, const double *y, size_t ny_in)
{
    size_t nx, ny;
    double *a = finite_copy(x, nx_in, &nx), *b = finite_copy(y, ny_in, &ny);
    stat_estimate e = stat_estimate_make(NAN, NAN, NAN, nx + ny);
    if (a && b && nx >= 3 && ny >= 3 /* two values deviate equally from their median: no spread to compare */) {
        stat_summary sa = stat_describe(a, nx), sb = stat_describe(b, ny);
        for (size_t i = 0; i < nx; i++) a[i] = fabs(a[i] - sa.median);
        for (size_t i = 0; i < ny; i++) b[i] = fabs(b[i] - sb.median);
        stat_summary da = stat_describe(a, nx), db = stat_describe(b, ny);
        double df = (double)(nx + ny - 2);
        double pooled = ((double)(nx - 1) * da.sd * da.sd + (double)(ny - 1) * db.sd * db.sd) / df;
        e = stat_estimate_make(da.mean - db.mean, sqrt(pooled * (1.0 / (double)nx + 1.0 / (double)ny)), df, nx + ny);
    }
    free(a);
    free(b);
    return e;
}

stat_estimate stat_estimate_slope(const double *x, const double *y, size_t n)
{
    stat_line l = stat_linfit(x, y, n);
    return stat_estimate_make(l.slope, l.se_slope, (double)l.n - 2, l.n);
}

stat_estimate stat_estimate_fisher_z(const double *x, const double *y, size_t n)
{
    double *cx, *cy;
    size_t m = finite_pairs(x, y, n, &cx, &cy);
    stat_estimate e = stat_estimate_make(NAN, NAN, NAN, m);
    if (m >= 4) {
        double r = gsl_stats_correlation(cx, 1, cy, 1, m);
        if (fabs(r) < 1) e = stat_estimate_make(atanh(r), 1 / sqrt((double)m - 3), INFINITY, m);
    }
    free(cx);
    free(cy);
    return e;
}

stat_estimate stat_estimate_regression(const double *X, const double *y, size_t n, size_t p, size_t k)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = isfinite(y[i]);
        for (size_t j = 0; j < p; j++) ok &= isfinite(X[i * p + j]);
        m += ok;
    }
    stat_estimate e = stat_estimate_make(NAN, NAN, NAN, m);
    if (k >= p || m <= p) return e;
    gsl_matrix *A = gsl_matrix_alloc(m, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *b = gsl_vector_alloc(m), *c = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(m, p);
    if (A && cov && b && c && w) {
        size_t r = 0;
        for (size_t i = 0; i < n; i++) {
            int ok = isfinite(y[i]);
            for (size_t j = 0; j < p; j++) ok &= isfinite(X[i * p + j]);
            if (!ok) continue;
            for (size_t j = 0; j < p; j++) gsl_matrix_set(A, r, j, X[i * p + j]);
            gsl_vector_set(b, r++, y[i]);
        }
        double chisq;
        size_t rank;
        /* tol 1e-12: a rank-deficient design (a collinear covariate) gives no estimate */
        if (gsl_multifit_linear_tsvd(A, b, 1e-12, c, cov, &chisq, &rank, w) == 0 && rank == p) {
            /* GSL's cov is already scaled by the residual variance chisq / (m - rank) */
            e = stat_estimate_make(gsl_vector_get(c, k), sqrt(gsl_matrix_get(cov, k, k)), (double)(m - p), m);
        }
    }
    gsl_multifit_linear_free(w);
    gsl_matrix_free(A);
    gsl_matrix_free(cov);
    gsl_vector_free(b);
    gsl_vector_free(c);
    return e;
}

double stat_p_beyond(stat_estimate e, double value, int direction)
{
    double z = (e.effect - value) / e.se;
    return direction > 0 ? tail_upper(z, e.df) : tail_upper(-z, e.df);
}

double stat_p_inside(stat_estimate e, double lo, double hi)
{
    double a = stat_p_beyond(e, lo, +1), b = stat_p_beyond(e, hi, -1);
    return isnan(a) || isnan(b) ? NAN : fmax(a, b);
}

double stat_p_outside(stat_estimate e, double lo, double hi)
{
    double a = stat_p_beyond(e, lo, -1), b = stat_p_beyond(e, hi, +1);
    return isnan(a) || isnan(b) ? NAN : fmin(a, b);
}

void stat_holm(const double *p, size_t m, double *adjusted)
{
    size_t *idx = malloc((m ? m : 1) * sizeof *idx);
    if (!idx) {
        for (size_t i = 0; i < m; i++) adjusted[i] = NAN;
        return;
    }
    /* ascending p (NaN as 1), stable */
    for (size_t i = 0; i < m; i++) idx[i] = i;
    for (size_t i = 1; i < m; i++)
        for (size_t j = i; j > 0; j--) {
            double a = isnan(p[idx[j - 1]]) ? 1 : p[idx[j - 1]], b = isnan(p[idx[j]]) ? 1 : p[idx[j]];
            if (a <= b) break;
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    double run = 0;
    for (size_t i = 0; i < m; i++) {
        double q = isnan(p[idx[i]]) ? 1 : p[idx[i]];
        run = fmax(run, fmin(1, (double)(m - i) * q));
        adjusted[idx[i]] = isnan(p[idx[i]]) ? NAN : run;
    }
    free(idx);
}
