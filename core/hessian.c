/* hessian.c - see hessian.h. The R-pass itself is net.c's neighbour,
 * core/net_r.c; this module holds a batch, its base trajectory and the
 * parameter layout of the Hessian's vectors. */
#include "hessian.h"
#include "util.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

struct credit_hessian {
    credit_dims d; /* with B_max = the batch */
    int all, B, ready;
    size_t dim, n_params, rec_off;
    credit_loss_kind loss;
    double l2, loss_val, l2_val;
    double *theta; /* weights of credit_hessian_set */
    credit_params w;
    credit_fwd f;  /* the batch and its base trajectory, delta kept */
    credit_fwd f2; /* trajectory at perturbed weights (credit_hessian_direction) */
    int f2_ready;
    credit_rpass r;
    double *V, *HV;        /* [n_params] directions in the full layout */
    double *theta2, *grad2;
};

size_t credit_hessian_dim(const credit_hessian *h) { return h->dim; }
size_t credit_hessian_free_dim(const credit_hessian *h) { return h->dim - (size_t)h->d.n; }
int credit_hessian_batch_size(const credit_hessian *h) { return h->B; }
double credit_hessian_loss(const credit_hessian *h) { return h->loss_val; }
double credit_hessian_l2(const credit_hessian *h) { return h->l2_val; }

/* Offset of the W_rec block inside a Hessian vector, and of a Hessian
 * vector inside the full parameter layout. */
static size_t rec_offset(const credit_hessian *h) { return h->all ? h->rec_off : 0; }
static size_t full_offset(const credit_hessian *h) { return h->all ? 0 : h->rec_off; }

void credit_hessian_project(const credit_hessian *h, double *v)
{
    credit_zero_diagonal(v + rec_offset(h), h->d.n);
}

void credit_hessian_close(credit_hessian *h)
{
    if (!h) return;
    credit_fwd_free(&h->f);
    credit_fwd_free(&h->f2);
    credit_rpass_free(&h->r);
    free(h->theta);
    free(h);
}

int credit_hessian_open(credit_hessian **out, const credit_dims *d, int B, int all_params, credit_loss_kind loss, double l2)
{
    *out = NULL;
    if (B < 1) return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch: needs at least one example");
    credit_hessian *h = calloc(1, sizeof *h);
    if (!h) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    h->all = all_params != 0;
    h->B = B;
    h->d = *d;
    h->d.B_max = B;
    h->loss = loss;
    h->l2 = l2;
    h->n_params = credit_params_count(d);
    h->rec_off = (size_t)h->d.n * h->d.n_in;
    h->dim = h->all ? h->n_params : (size_t)h->d.n * h->d.n;
    double *m = calloc(5 * h->n_params, sizeof(double)); /* theta, V, HV, theta2, grad2 */
    h->theta = m; /* first: free(h->theta) releases the block */
    if (!m || credit_fwd_alloc(&h->f, &h->d) || credit_rpass_alloc(&h->r, &h->d)) {
        credit_hessian_close(h);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a Hessian batch of %d examples", B);
    }
    m += h->n_params;
    h->V = m;                  m += h->n_params;
    h->HV = m;                 m += h->n_params;
    h->theta2 = m;             m += h->n_params;
    h->grad2 = m;
    h->w = credit_params_view(h->theta, &h->d);
    *out = h;
    return CREDIT_OK;
}

credit_fwd *credit_hessian_input(credit_hessian *h) { return &h->f; }

void credit_hessian_set(credit_hessian *h, const credit_params *w)
{
    const credit_params dst = h->w;
    const size_t sizes[4] = {(size_t)h->d.n * h->d.n_in, (size_t)h->d.n * h->d.n, (size_t)h->d.n_out * h->d.n, (size_t)h->d.n_out};
    const double *from[4] = {w->W_in, w->W_rec, w->W_out, w->b_out};
    double *to[4] = {dst.W_in, dst.W_rec, dst.W_out, dst.b_out};
    for (int b = 0; b < 4; b++) memcpy(to[b], from[b], sizeof(double) * sizes[b]);
    credit_forward(&h->f, &h->w, h->B);
    h->loss_val = credit_loss(&h->f, h->loss, &h->w, NULL, NULL);
    h->l2_val = credit_l2(&h->w, &h->d, h->l2, NULL);
    /* delta of the base point; the gradient itself goes to scratch. */
    credit_params g = credit_params_view(h->grad2, &h->d);
    memset(h->grad2, 0, sizeof(double) * h->n_params);
    credit_backward_bptt(&h->f, &h->w, &g);
    credit_rpass_prepare(&h->r, &h->f, h->loss);
    h->f2_ready = 0; /* its copy of the batch is refreshed on next use */
    h->ready = 1;
}

int credit_hessian_apply(credit_hessian *h, const double *v, double *Hv)
{
    if (!h->ready) return CREDIT_ERROR(CREDIT_EINVAL, "Hessian product before credit_hessian_set");
    const size_t off = full_offset(h);
    memcpy(h->V + off, v, sizeof(double) * h->dim);
    credit_params Vp = credit_params_view(h->V, &h->d), HVp = credit_params_view(h->HV, &h->d);
    credit_zero_diagonal(Vp.W_rec, h->d.n);
    credit_rpass_apply(&h->r, &h->f, &h->w, h->l2, h->all, &Vp, &HVp);
    memcpy(Hv, h->HV + off, sizeof(double) * h->dim);
    return CREDIT_OK;
}

/* ------------------------------------------------------------ update direction */

int credit_hessian_direction(credit_hessian *h, const double *v, double step, unsigned flags, const credit_grad_rule *rule, double *u)
{
    const size_t TB = (size_t)h->d.T * h->B;
    if (!h->ready) return CREDIT_ERROR(CREDIT_EINVAL, "update direction before credit_hessian_set");
    if (!h->f2_ready) {
        if (!h->f2.x && credit_fwd_alloc(&h->f2, &h->d)) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a perturbed trajectory");
        memcpy(h->f2.x, h->f.x, sizeof(double) * TB * h->d.n_in);
        memcpy(h->f2.target, h->f.target, sizeof(double) * TB * h->d.n_out);
        memcpy(h->f2.mask, h->f.mask, sizeof(double) * TB);
        h->f2_ready = 1;
    }
    memcpy(h->theta2, h->theta, sizeof(double) * h->n_params);
    if (v && step != 0.0) {
        double *dst = h->theta2 + full_offset(h);
        for (size_t i = 0; i < h->dim; i++) dst[i] += step * v[i];
        credit_zero_diagonal(h->theta2 + h->rec_off, h->d.n);
    }
    credit_params w2 = credit_params_view(h->theta2, &h->d);
    if (flags & CREDIT_HESS_FREE_PATTERN) credit_forward(&h->f2, &w2, h->B);
    else credit_forward_frozen(&h->f2, &h->f, &w2);
    credit_loss(&h->f2, h->loss, &w2, NULL, NULL);
    int st = credit_gradient(&h->f2, &w2, h->l2, rule, flags & (CREDIT_GRAD_EXACT | CREDIT_GRAD_NO_L2), h->grad2, NULL);
    if (st) return st;
    memcpy(u, h->grad2 + full_offset(h), sizeof(double) * h->dim);
    return CREDIT_OK;
}

/* ------------------------------------------------------------ Lanczos */

typedef struct lanczos_run {
    int m;                /* most steps */
    double *Q;            /* (m+1) x dim orthonormal basis */
    double *alpha, *beta; /* m each */
    double *coef;         /* m + 1 reorthogonalisation coefficients */
    double *eval, *S;     /* m, m x m Ritz pairs of the last check */
    int steps;            /* taken */
} lanczos_run;

static int lanczos_alloc(lanczos_run *L, size_t dim, int m)
{
    memset(L, 0, sizeof *L);
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
    return CREDIT_OK;
}

static void lanczos_free(lanczos_run *L) { free(L->Q); }

/* Unit vector in Q[0] from (seed, stream): normal (start vectors) or
 * Rademacher (probes) entries on the parameter coordinates. */
static void random_unit(const credit_hessian *h, double *q, uint64_t seed, uint64_t stream, int rademacher)
{
    credit_rng rng;
    credit_rng_seed(&rng, seed, stream);
    for (size_t i = 0; i < h->dim; i++) q[i] = rademacher ? ((credit_rng_next(&rng) >> 63) ? 1.0 : -1.0) : credit_rng_normal(&rng);
    credit_hessian_project(h, q);
    double nq = cblas_dnrm2((int)h->dim, q, 1);
    cblas_dscal((int)h->dim, 1.0 / nq, q, 1);
}

/* Lanczos from the unit vector in L->Q. With k > 0 it checks the k top Ritz
 * values after each step and stops when their error estimates are below
 * tol relative (see hessian.h); with k = 0 it takes L->m steps. */
static int lanczos_iterate(credit_hessian *h, lanczos_run *L, int k, double tol, credit_eig_info *info)
{
    const size_t D = h->dim;
    const int m = L->m;
    info->products = 0;
    info->converged = 0;
    info->error = NAN;
    L->steps = 0;
    for (int j = 0; j < m; j++) {
        double *q = L->Q + (size_t)j * D, *w = q + D;
        int st = credit_hessian_apply(h, q, w);
        if (st) return st;
        info->products++;
        L->alpha[j] = cblas_ddot((int)D, q, 1, w, 1);
        /* Full reorthogonalisation against every basis vector, twice: this
         * also removes the alpha and beta terms of the three-term recurrence. */
        for (int pass = 0; pass < 2; pass++) {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, j + 1, (int)D, 1.0, L->Q, (int)D, w, 1, 0.0, L->coef, 1);
            cblas_dgemv(CblasRowMajor, CblasTrans, j + 1, (int)D, -1.0, L->Q, (int)D, L->coef, 1, 1.0, w, 1);
        }
        credit_hessian_project(h, w);
        L->beta[j] = cblas_dnrm2((int)D, w, 1);
        L->steps = j + 1;
        int last = j + 1 == m || L->beta[j] == 0.0 || !isfinite(L->beta[j]);
        if (k > 0) {
            const int s = j + 1, kk = k < s ? k : s;
            if ((st = credit_tridiag_eig(L->alpha, L->beta, s, L->eval, L->S))) return st;
            int conv = s >= k || (size_t)s >= credit_hessian_free_dim(h);
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
    if (k == 0 && L->steps > 0) return credit_tridiag_eig(L->alpha, L->beta, L->steps, L->eval, L->S);
    return CREDIT_OK;
}

int credit_hessian_lanczos(credit_hessian *h, int k, double tol, int maxiter, uint64_t seed, double *values, double *v1,
                           credit_eig_info *info)
{
    return credit_hessian_lanczos_from(h, k, tol, maxiter, seed, NULL, values, v1, info);
}

int credit_hessian_lanczos_from(credit_hessian *h, int k, double tol, int maxiter, uint64_t seed, const double *start, double *values,
                                double *v1, credit_eig_info *info)
{
    if (k < 1 || maxiter < 1) return CREDIT_ERROR(CREDIT_EINVAL, "Lanczos needs k >= 1 and maxiter >= 1 (got %d, %d)", k, maxiter);
    size_t free_dim = credit_hessian_free_dim(h);
    int m = (size_t)maxiter < free_dim ? maxiter : (int)free_dim;
    lanczos_run L;
    int st = lanczos_alloc(&L, h->dim, m);
    if (st) return st;
    double ns = 0.0;
    if (start) {
        memcpy(L.Q, start, sizeof(double) * h->dim);
        credit_hessian_project(h, L.Q);
        ns = cblas_dnrm2((int)h->dim, L.Q, 1);
    }
    if (ns > 0 && isfinite(ns)) cblas_dscal((int)h->dim, 1.0 / ns, L.Q, 1);
    else random_unit(h, L.Q, seed, 1, 0); /* no usable start: the cold one */
    st = lanczos_iterate(h, &L, k, tol, info);
    for (int i = 0; i < k; i++) values[i] = !st && i < L.steps ? L.eval[i] : NAN;
    if (v1) {
        /* Ritz vector of the top value: Q' s_1. */
        memset(v1, 0, sizeof(double) * h->dim);
        if (!st && L.steps > 0) {
            for (int i = 0; i < L.steps; i++) L.coef[i] = L.S[(size_t)i * L.steps];
            cblas_dgemv(CblasRowMajor, CblasTrans, L.steps, (int)h->dim, 1.0, L.Q, (int)h->dim, L.coef, 1, 0.0, v1, 1);
            credit_hessian_project(h, v1);
            cblas_dscal((int)h->dim, 1.0 / cblas_dnrm2((int)h->dim, v1, 1), v1, 1);
        }
    }
    lanczos_free(&L);
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
typedef struct jacobian_ctx {
    credit_hessian *h;
    double step;
    unsigned flags;
    const credit_grad_rule *rule;
    double *up, *down;
} jacobian_ctx;

static int jacobian_apply(void *ctx, const double *x, double *y)
{
    jacobian_ctx *c = ctx;
    const size_t D = c->h->dim;
    int st = credit_hessian_direction(c->h, x, c->step, c->flags, c->rule, c->up);
    if (!st) st = credit_hessian_direction(c->h, x, -c->step, c->flags, c->rule, c->down);
    if (st) return st;
    for (size_t i = 0; i < D; i++) y[i] = (c->up[i] - c->down[i]) / (2.0 * c->step);
    credit_hessian_project(c->h, y);
    return CREDIT_OK;
}

int credit_hessian_jacobian_eig(credit_hessian *h, int m, int nev, double step, unsigned flags, const credit_grad_rule *rule,
                                uint64_t seed, double *re, double *im, double *resid, int *products)
{
    for (int i = 0; i < nev; i++) re[i] = im[i] = resid[i] = NAN;
    *products = 0;
    if (m < 1 || nev < 1 || !(step > 0)) return CREDIT_ERROR(CREDIT_EINVAL, "Jacobian Arnoldi needs m >= 1, nev >= 1 and step > 0");
    size_t free_dim = credit_hessian_free_dim(h);
    if ((size_t)m > free_dim) m = (int)free_dim;
    credit_arnoldi A;
    int st = credit_arnoldi_alloc(&A, h->dim, m);
    if (st) return st;
    double *scratch = malloc(2 * h->dim * sizeof(double));
    if (!scratch) {
        credit_arnoldi_free(&A);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    }
    jacobian_ctx c = {.h = h, .step = step, .flags = flags, .rule = rule, .up = scratch, .down = scratch + h->dim};
    random_unit(h, A.Q, seed, 1, 0);
    st = credit_arnoldi_run(&A, jacobian_apply, &c);
    if (!st) {
        *products = A.steps;
        for (int i = 0; i < nev && i < A.steps; i++) re[i] = A.re[i], im[i] = A.im[i], resid[i] = A.resid[i];
    }
    free(scratch);
    credit_arnoldi_free(&A);
    return st;
}

/* ------------------------------------------------------------ power iteration */

int credit_hessian_power(credit_hessian *h, double tol, int maxiter, uint64_t seed, double *lambda, double *v1,
                         credit_eig_info *info)
{
    return credit_hessian_power_est(h, tol, maxiter, seed, 0, lambda, v1, info);
}

int credit_hessian_power_est(credit_hessian *h, double tol, int maxiter, uint64_t seed, int magnitude, double *lambda, double *v1,
                             credit_eig_info *info)
{
    const size_t D = h->dim;
    double *v = malloc(2 * D * sizeof(double));
    if (!v) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    double *w = v + D, lam = NAN, prev = NAN;
    int st = CREDIT_OK;
    info->products = 0;
    info->converged = 0;
    info->error = NAN;
    random_unit(h, v, seed, 1, 0);
    for (int it = 0; it < maxiter; it++) {
        if ((st = credit_hessian_apply(h, v, w))) break;
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
    free(v);
    return st;
}

/* ------------------------------------------------------------ trace, density */

int credit_hessian_trace(credit_hessian *h, int probes, uint64_t seed, double *mean, double *se)
{
    const size_t D = h->dim;
    *mean = *se = NAN;
    if (probes < 1) return CREDIT_ERROR(CREDIT_EINVAL, "Hutchinson's estimator needs at least one probe");
    double *z = malloc(2 * D * sizeof(double));
    if (!z) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    double *Hz = z + D, sum = 0.0, sumsq = 0.0;
    int st = CREDIT_OK;
    for (int p = 0; p < probes && !st; p++) {
        credit_rng rng;
        credit_rng_seed(&rng, seed, 3 + ((uint64_t)p << 8));
        for (size_t i = 0; i < D; i++) z[i] = (credit_rng_next(&rng) >> 63) ? 1.0 : -1.0;
        credit_hessian_project(h, z);
        if ((st = credit_hessian_apply(h, z, Hz))) break;
        double x = cblas_ddot((int)D, z, 1, Hz, 1);
        sum += x;
        sumsq += x * x;
    }
    free(z);
    if (st) return st;
    /* Sample variance via the two sums: probes are few, values of one scale. */
    double m = sum / probes;
    *mean = m;
    *se = probes > 1 ? sqrt(fmax(sumsq - probes * m * m, 0.0) / (probes - 1) / probes) : NAN;
    return CREDIT_OK;
}

int credit_hessian_slq(credit_hessian *h, int probes, int steps, uint64_t seed, double *nodes, double *weights)
{
    if (probes < 1 || steps < 1) return CREDIT_ERROR(CREDIT_EINVAL, "SLQ needs probes >= 1 and steps >= 1");
    size_t free_dim = credit_hessian_free_dim(h);
    int m = (size_t)steps < free_dim ? steps : (int)free_dim;
    lanczos_run L;
    int st = lanczos_alloc(&L, h->dim, m);
    if (st) return st;
    for (int p = 0; p < probes && !st; p++) {
        random_unit(h, L.Q, seed, 4 + ((uint64_t)p << 8), 1);
        credit_eig_info info;
        st = lanczos_iterate(h, &L, 0, 0.0, &info);
        for (int j = 0; j < steps; j++) {
            size_t o = (size_t)p * steps + j;
            int used = !st && j < L.steps;
            nodes[o] = used ? L.eval[j] : 0.0;
            weights[o] = used ? L.S[j] * L.S[j] : 0.0; /* first component of eigenvector j */
        }
    }
    lanczos_free(&L);
    return st;
}
