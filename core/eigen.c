/* eigen.c - see eigen.h. Moved here from hessian.c unchanged in their
 * arithmetic: the Hessian is now one operator among others. */
#include "eigen.h"
#include "util.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ Lanczos */

int credit_lanczos_alloc(credit_lanczos *L, size_t dim, int m)
{
    memset(L, 0, sizeof *L);
    L->dim = dim;
    L->m = m;
    size_t total = ((size_t)m + 1) * dim + 4 * (size_t)m + 1 + (size_t)m * m; /* Q, alpha, beta, coef, eval, S */
    double *p = calloc(total, sizeof(double));
    if (!p) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for %d Lanczos vectors of %zu", m + 1, dim);
    L->Q = p;          p += ((size_t)m + 1) * dim;
    L->alpha = p;      p += m;
    L->beta = p;       p += m;
    L->coef = p;       p += (size_t)m + 1;
    L->eval = p;       p += m;
    L->S = p;
    if (m >= 1 && !(L->tri = credit_tridiag_alloc(m))) {
        credit_lanczos_free(L);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a %d x %d tridiagonal eigenproblem", m, m);
    }
    return CREDIT_OK;
}

void credit_lanczos_free(credit_lanczos *L)
{
    credit_tridiag_free(L->tri);
    free(L->Q);
    memset(L, 0, sizeof *L);
}

static void project(const credit_linop *A, double *x)
{
    if (A->project) A->project(A->ctx, x);
}

void credit_eigen_start(const credit_linop *op, double *q, uint64_t seed, uint64_t stream, int rademacher)
{
    credit_rng rng;
    credit_rng_seed(&rng, seed, stream);
    for (size_t i = 0; i < op->dim; i++) q[i] = rademacher ? ((credit_rng_next(&rng) >> 63) ? 1.0 : -1.0) : credit_rng_normal(&rng);
    project(op, q);
    double nq = cblas_dnrm2((int)op->dim, q, 1);
    cblas_dscal((int)op->dim, 1.0 / nq, q, 1);
}

int credit_lanczos_run(const credit_linop *op, credit_lanczos *L, int k, double tol, credit_eig_info *info)
{
    const size_t D = op->dim;
    const int m = L->m;
    info->products = 0;
    info->converged = 0;
    info->error = NAN;
    L->steps = 0;
    for (int j = 0; j < m; j++) {
        double *q = L->Q + (size_t)j * D, *w = q + D;
        int st = op->apply(op->ctx, q, w);
        if (st) return st;
        info->products++;
        L->alpha[j] = cblas_ddot((int)D, q, 1, w, 1);
        /* Full reorthogonalisation against every basis vector, twice: this
         * also removes the alpha and beta terms of the three-term recurrence. */
        for (int pass = 0; pass < 2; pass++) {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, j + 1, (int)D, 1.0, L->Q, (int)D, w, 1, 0.0, L->coef, 1);
            cblas_dgemv(CblasRowMajor, CblasTrans, j + 1, (int)D, -1.0, L->Q, (int)D, L->coef, 1, 1.0, w, 1);
        }
        project(op, w);
        L->beta[j] = cblas_dnrm2((int)D, w, 1);
        L->steps = j + 1;
        int last = j + 1 == m || L->beta[j] == 0.0 || !isfinite(L->beta[j]);
        if (k > 0) {
            const int s = j + 1, kk = k < s ? k : s;
            if ((st = credit_tridiag_eig(L->tri, L->alpha, L->beta, s, L->eval, L->S))) return st;
            int conv = s >= k || (size_t)s >= op->free_dim;
            for (int i = 0; i < kk; i++) {
                double r = fabs(L->beta[j] * L->S[(size_t)j * s + i]), gap = HUGE_VAL;
                for (int l = 0; l < s; l++)
                    if (l != i && fabs(L->eval[i] - L->eval[l]) < gap) gap = fabs(L->eval[i] - L->eval[l]);
                /* One Ritz value has no gap to judge by: the residual alone. */
                double e = s > 1 && r * r / gap < r ? r * r / gap : r;
                if (i == 0) info->error = e;
                if (!(e <= tol * fabs(L->eval[i]))) conv = 0;
            }
            if (conv) info->converged = 1;
            if (conv) break;
        }
        if (last) break;
        cblas_dscal((int)D, 1.0 / L->beta[j], w, 1);
    }
    if (k == 0 && L->steps > 0) return credit_tridiag_eig(L->tri, L->alpha, L->beta, L->steps, L->eval, L->S);
    return CREDIT_OK;
}

int credit_lanczos_top(const credit_linop *op, credit_lanczos *L, int k, double tol, uint64_t seed, const double *start, double *values,
                       double *v1, credit_eig_info *info)
{
    if (k < 1) return CREDIT_ERROR(CREDIT_EINVAL, "Lanczos needs k >= 1 (got %d)", k);
    int st;
    double ns = 0.0;
    if (start) {
        memcpy(L->Q, start, sizeof(double) * op->dim);
        project(op, L->Q);
        ns = cblas_dnrm2((int)op->dim, L->Q, 1);
    }
    if (ns > 0 && isfinite(ns)) cblas_dscal((int)op->dim, 1.0 / ns, L->Q, 1);
    else credit_eigen_start(op, L->Q, seed, 1, 0); /* no usable start: the cold one */
    st = credit_lanczos_run(op, L, k, tol, info);
    for (int i = 0; i < k; i++) values[i] = !st && i < L->steps ? L->eval[i] : NAN;
    if (v1) {
        /* Ritz vector of the top value: Q' s_1. */
        memset(v1, 0, sizeof(double) * op->dim);
        if (!st && L->steps > 0) {
            for (int i = 0; i < L->steps; i++) L->coef[i] = L->S[(size_t)i * L->steps];
            cblas_dgemv(CblasRowMajor, CblasTrans, L->steps, (int)op->dim, 1.0, L->Q, (int)op->dim, L->coef, 1, 0.0, v1, 1);
            project(op, v1);
            cblas_dscal((int)op->dim, 1.0 / cblas_dnrm2((int)op->dim, v1, 1), v1, 1);
        }
    }
    return st;
}

/* ------------------------------------------------------------ Arnoldi */

int credit_arnoldi_alloc(credit_arnoldi *A, size_t dim, int m)
{
    memset(A, 0, sizeof *A);
    if (m < 1 || dim < 1) return CREDIT_ERROR(CREDIT_EINVAL, "Arnoldi needs a Krylov size >= 1 and a dimension >= 1 (got %d, %zu)", m, dim);
    A->dim = dim;
    A->m = m;
    size_t total = ((size_t)m + 1) * dim + ((size_t)m + 1) * m + (size_t)m + 1 + 4 * (size_t)m; /* Q, H, coef, re, im, resid, last */
    double *p = calloc(total, sizeof(double));
    if (!p) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for %d Arnoldi vectors of %zu", m + 1, dim);
    A->Q = p;      p += ((size_t)m + 1) * dim;
    A->H = p;      p += ((size_t)m + 1) * m;
    A->coef = p;   p += (size_t)m + 1;
    A->re = p;     p += m;
    A->im = p;     p += m;
    A->resid = p;  p += m;
    A->last = p;
    if (!(A->eig = credit_hessenberg_alloc(m))) {
        credit_arnoldi_free(A);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a %d x %d Hessenberg eigenproblem", m, m);
    }
    return CREDIT_OK;
}

void credit_arnoldi_free(credit_arnoldi *A)
{
    credit_hessenberg_free(A->eig);
    free(A->Q);
    memset(A, 0, sizeof *A);
}

int credit_arnoldi_run(credit_arnoldi *A, credit_matvec_fn apply, void *ctx)
{
    const size_t D = A->dim;
    const int m = A->m;
    A->steps = 0;
    memset(A->H, 0, sizeof(double) * ((size_t)m + 1) * m);
    for (int j = 0; j < m; j++) {
        double *q = A->Q + (size_t)j * D, *w = q + D;
        int st = apply(ctx, q, w);
        if (st) return st;
        /* Full reorthogonalisation, twice; H gathers both passes' coefficients. */
        for (int pass = 0; pass < 2; pass++) {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, j + 1, (int)D, 1.0, A->Q, (int)D, w, 1, 0.0, A->coef, 1);
            cblas_dgemv(CblasRowMajor, CblasTrans, j + 1, (int)D, -1.0, A->Q, (int)D, A->coef, 1, 1.0, w, 1);
            for (int i = 0; i <= j; i++) A->H[(size_t)i * m + j] += A->coef[i];
        }
        double beta = cblas_dnrm2((int)D, w, 1);
        if (!isfinite(beta)) return CREDIT_ERROR(CREDIT_EDIVERGED, "Arnoldi: non-finite Jacobian-vector product");
        A->H[(size_t)(j + 1) * m + j] = beta;
        A->steps = j + 1;
        if (beta == 0.0) break; /* the Krylov space is invariant: its Ritz values are exact */
        cblas_dscal((int)D, 1.0 / beta, w, 1);
    }
    const int s = A->steps;
    credit_hessenberg_ws *ws = s == m ? A->eig : credit_hessenberg_alloc(s);
    if (!ws) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a %d x %d Hessenberg eigenproblem", s, s);
    int st = credit_hessenberg_eig(ws, A->H, m, A->re, A->im, A->last);
    if (ws != A->eig) credit_hessenberg_free(ws);
    if (st) return st;
    const double h_next = A->H[(size_t)s * m + s - 1];
    for (int i = 0; i < s; i++) A->resid[i] = h_next * A->last[i];
    /* Insertion sort by descending real part, then descending imaginary part. */
    for (int i = 1; i < s; i++) {
        double re = A->re[i], im = A->im[i], r = A->resid[i];
        int k = i;
        while (k > 0 && (A->re[k - 1] < re || (A->re[k - 1] == re && A->im[k - 1] < im))) {
            A->re[k] = A->re[k - 1], A->im[k] = A->im[k - 1], A->resid[k] = A->resid[k - 1];
            k--;
        }
        A->re[k] = re, A->im[k] = im, A->resid[k] = r;
    }
    return CREDIT_OK;
}

/* J x by the central difference of the update direction along x. */
/* ------------------------------------------------------------ power iteration */

int credit_power_run(const credit_linop *op, double *work, double tol, int maxiter, uint64_t seed, int magnitude, double *lambda, double *v1,
                     credit_eig_info *info)
{
    const size_t D = op->dim;
    double *v = work, *w = v + D, lam = NAN, prev = NAN;
    int st = CREDIT_OK;
    info->products = 0;
    info->converged = 0;
    info->error = NAN;
    credit_eigen_start(op, v, seed, 1, 0);
    for (int it = 0; it < maxiter; it++) {
        if ((st = op->apply(op->ctx, v, w))) break;
        info->products++;
        const double rq = cblas_ddot((int)D, v, 1, w, 1), nw = cblas_dnrm2((int)D, w, 1);
        lam = magnitude ? nw : rq;
        /* |Hv - rq v| bounds the distance from rq to the spectrum. */
        info->error = sqrt(fmax(nw * nw - rq * rq, 0.0));
        if (!isfinite(nw)) {
            st = CREDIT_ERROR(CREDIT_EDIVERGED, "power iteration: non-finite Hessian-vector product");
            break;
        }
        if (it > 0 && fabs(lam - prev) < tol) {
            info->converged = 1;
            break;
        }
        if (nw == 0.0) break;
        prev = lam;
        if (it + 1 < maxiter) { /* else v stays the vector lam belongs to */
            memcpy(v, w, sizeof(double) * D);
            cblas_dscal((int)D, 1.0 / nw, v, 1);
        }
    }
    *lambda = st ? NAN : lam;
    if (v1) memcpy(v1, v, sizeof(double) * D);
    return st;
}

/* ------------------------------------------------------------ trace, density */

int credit_hutchinson(const credit_linop *op, double *work, int probes, uint64_t seed, double *mean, double *se)
{
    const size_t D = op->dim;
    *mean = *se = NAN;
    if (probes < 1) return CREDIT_ERROR(CREDIT_EINVAL, "Hutchinson's estimator needs at least one probe");
    double *z = work, *Hz = z + D, sum = 0.0, sumsq = 0.0;
    int st = CREDIT_OK;
    for (int p = 0; p < probes && !st; p++) {
        credit_rng rng;
        credit_rng_seed(&rng, seed, 3 + ((uint64_t)p << 8));
        for (size_t i = 0; i < D; i++) z[i] = (credit_rng_next(&rng) >> 63) ? 1.0 : -1.0;
        project(op, z);
        if ((st = op->apply(op->ctx, z, Hz))) break;
        double x = cblas_ddot((int)D, z, 1, Hz, 1);
        sum += x;
        sumsq += x * x;
    }
    if (st) return st;
    /* Sample variance via the two sums: probes are few, values of one scale. */
    double m = sum / probes;
    *mean = m;
    *se = probes > 1 ? sqrt(fmax(sumsq - probes * m * m, 0.0) / (probes - 1) / probes) : NAN;
    return CREDIT_OK;
}

int credit_slq_run(const credit_linop *op, credit_lanczos *L, int probes, int steps, uint64_t seed, double *nodes, double *weights)
{
    if (probes < 1 || steps < 1) return CREDIT_ERROR(CREDIT_EINVAL, "SLQ needs probes >= 1 and steps >= 1");
    int st = CREDIT_OK;
    for (int p = 0; p < probes && !st; p++) {
        credit_eigen_start(op, L->Q, seed, 4 + ((uint64_t)p << 8), 1);
        credit_eig_info info;
        st = credit_lanczos_run(op, L, 0, 0.0, &info);
        for (int j = 0; j < steps; j++) {
            size_t o = (size_t)p * steps + j;
            int used = !st && j < L->steps;
            nodes[o] = used ? L->eval[j] : 0.0;
            weights[o] = used ? L->S[j] * L->S[j] : 0.0; /* first component of eigenvector j */
        }
    }
    return st;
}
