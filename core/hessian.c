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
    credit_params_f64 w;
    credit_fwd_f64 f;  /* the batch and its base trajectory, delta kept */
    credit_fwd_f64 f2; /* trajectory at perturbed weights (credit_hessian_direction) */
    int f2_ready;
    credit_rpass_f64 r;
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
    credit_zero_diagonal_f64(v + rec_offset(h), h->d.n);
}

void credit_hessian_close(credit_hessian *h)
{
    if (!h) return;
    credit_fwd_free_f64(&h->f);
    credit_fwd_free_f64(&h->f2);
    credit_rpass_free_f64(&h->r);
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
    h->n_params = credit_params_count_f64(d);
    h->rec_off = (size_t)h->d.n * h->d.n_in;
    h->dim = h->all ? h->n_params : (size_t)h->d.n * h->d.n;
    double *m = calloc(5 * h->n_params, sizeof(double)); /* theta, V, HV, theta2, grad2 */
    h->theta = m; /* first: free(h->theta) releases the block */
    if (!m || credit_fwd_alloc_f64(&h->f, &h->d) || credit_rpass_alloc_f64(&h->r, &h->d)) {
        credit_hessian_close(h);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a Hessian batch of %d examples", B);
    }
    m += h->n_params;
    h->V = m;                  m += h->n_params;
    h->HV = m;                 m += h->n_params;
    h->theta2 = m;             m += h->n_params;
    h->grad2 = m;
    h->w = credit_params_view_f64(h->theta, &h->d);
    *out = h;
    return CREDIT_OK;
}

credit_fwd_f64 *credit_hessian_input(credit_hessian *h) { return &h->f; }

void credit_hessian_set(credit_hessian *h, const credit_params_f64 *w)
{
    const credit_params_f64 dst = h->w;
    const size_t sizes[4] = {(size_t)h->d.n * h->d.n_in, (size_t)h->d.n * h->d.n, (size_t)h->d.n_out * h->d.n, (size_t)h->d.n_out};
    const double *from[4] = {w->W_in, w->W_rec, w->W_out, w->b_out};
    double *to[4] = {dst.W_in, dst.W_rec, dst.W_out, dst.b_out};
    for (int b = 0; b < 4; b++) memcpy(to[b], from[b], sizeof(double) * sizes[b]);
    credit_forward_f64(&h->f, &h->w, h->B);
    h->loss_val = credit_loss_f64(&h->f, h->loss, &h->w, NULL, NULL);
    h->l2_val = credit_l2_f64(&h->w, &h->d, h->l2, NULL);
    /* delta of the base point; the gradient itself goes to scratch. */
    credit_params_f64 g = credit_params_view_f64(h->grad2, &h->d);
    memset(h->grad2, 0, sizeof(double) * h->n_params);
    credit_backward_bptt_f64(&h->f, &h->w, &g);
    credit_rpass_prepare_f64(&h->r, &h->f, h->loss);
    h->f2_ready = 0; /* its copy of the batch is refreshed on next use */
    h->ready = 1;
}

int credit_hessian_apply(credit_hessian *h, const double *v, double *Hv)
{
    if (!h->ready) return CREDIT_ERROR(CREDIT_EINVAL, "Hessian product before credit_hessian_set");
    const size_t off = full_offset(h);
    memcpy(h->V + off, v, sizeof(double) * h->dim);
    credit_params_f64 Vp = credit_params_view_f64(h->V, &h->d), HVp = credit_params_view_f64(h->HV, &h->d);
    credit_zero_diagonal_f64(Vp.W_rec, h->d.n);
    credit_rpass_apply_f64(&h->r, &h->f, &h->w, h->l2, h->all, &Vp, &HVp);
    memcpy(Hv, h->HV + off, sizeof(double) * h->dim);
    return CREDIT_OK;
}

/* ------------------------------------------------------------ update direction */

int credit_hessian_direction(credit_hessian *h, const double *v, double step, unsigned flags, const credit_grad_rule_f64 *rule, double *u)
{
    const size_t TB = (size_t)h->d.T * h->B;
    if (!h->ready) return CREDIT_ERROR(CREDIT_EINVAL, "update direction before credit_hessian_set");
    if (!h->f2_ready) {
        if (!h->f2.x && credit_fwd_alloc_f64(&h->f2, &h->d)) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a perturbed trajectory");
        memcpy(h->f2.x, h->f.x, sizeof(double) * TB * h->d.n_in);
        memcpy(h->f2.target, h->f.target, sizeof(double) * TB * h->d.n_out);
        memcpy(h->f2.mask, h->f.mask, sizeof(double) * TB);
        h->f2_ready = 1;
    }
    memcpy(h->theta2, h->theta, sizeof(double) * h->n_params);
    if (v && step != 0.0) {
        double *dst = h->theta2 + full_offset(h);
        for (size_t i = 0; i < h->dim; i++) dst[i] += step * v[i];
        credit_zero_diagonal_f64(h->theta2 + h->rec_off, h->d.n);
    }
    credit_params_f64 w2 = credit_params_view_f64(h->theta2, &h->d);
    if (flags & CREDIT_HESS_FREE_PATTERN) credit_forward_f64(&h->f2, &w2, h->B);
    else credit_forward_frozen_f64(&h->f2, &h->f, &w2);
    credit_loss_f64(&h->f2, h->loss, &w2, NULL, NULL);
    int st = credit_gradient_f64(&h->f2, &w2, h->l2, rule, flags & (CREDIT_GRAD_EXACT | CREDIT_GRAD_NO_L2), h->grad2, NULL);
    if (st) return st;
    memcpy(u, h->grad2 + full_offset(h), sizeof(double) * h->dim);
    return CREDIT_OK;
}

/* ------------------------------------------------------------ estimators */

static int hessian_apply_cb(void *ctx, const double *x, double *y) { return credit_hessian_apply(ctx, x, y); }
static void hessian_project_cb(void *ctx, double *x) { credit_hessian_project(ctx, x); }

/* The Hessian as core/eigen.c's operator. */
static credit_linop hessian_op(credit_hessian *h)
{
    return (credit_linop){h->dim, credit_hessian_free_dim(h), hessian_apply_cb, hessian_project_cb, h};
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
    const credit_linop op = hessian_op(h);
    int m = (size_t)maxiter < op.free_dim ? maxiter : (int)op.free_dim;
    credit_lanczos L;
    int st = credit_lanczos_alloc(&L, h->dim, m);
    if (st) return st;
    st = credit_lanczos_top(&op, &L, k, tol, seed, start, values, v1, info);
    credit_lanczos_free(&L);
    return st;
}

int credit_hessian_power(credit_hessian *h, double tol, int maxiter, uint64_t seed, double *lambda, double *v1,
                         credit_eig_info *info)
{
    return credit_hessian_power_est(h, tol, maxiter, seed, 0, lambda, v1, info);
}

int credit_hessian_power_est(credit_hessian *h, double tol, int maxiter, uint64_t seed, int magnitude, double *lambda, double *v1,
                             credit_eig_info *info)
{
    double *work = malloc(2 * h->dim * sizeof(double));
    if (!work) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    const credit_linop op = hessian_op(h);
    int st = credit_power_run(&op, work, tol, maxiter, seed, magnitude, lambda, v1, info);
    free(work);
    return st;
}

int credit_hessian_trace(credit_hessian *h, int probes, uint64_t seed, double *mean, double *se)
{
    double *work = malloc(2 * h->dim * sizeof(double));
    if (!work) {
        *mean = *se = NAN;
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    }
    const credit_linop op = hessian_op(h);
    int st = credit_hutchinson(&op, work, probes, seed, mean, se);
    free(work);
    return st;
}

int credit_hessian_slq(credit_hessian *h, int probes, int steps, uint64_t seed, double *nodes, double *weights)
{
    if (probes < 1 || steps < 1) return CREDIT_ERROR(CREDIT_EINVAL, "SLQ needs probes >= 1 and steps >= 1");
    const credit_linop op = hessian_op(h);
    int m = (size_t)steps < op.free_dim ? steps : (int)op.free_dim;
    credit_lanczos L;
    int st = credit_lanczos_alloc(&L, h->dim, m);
    if (st) return st;
    st = credit_slq_run(&op, &L, probes, steps, seed, nodes, weights);
    credit_lanczos_free(&L);
    return st;
}

/* ------------------------------------------------------------ the rule's update Jacobian */

/* J x by the central difference of the update direction along x. */
typedef struct jacobian_ctx {
    credit_hessian *h;
    double step;
    unsigned flags;
    const credit_grad_rule_f64 *rule;
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

int credit_hessian_jacobian_eig(credit_hessian *h, int m, int nev, double step, unsigned flags, const credit_grad_rule_f64 *rule,
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
    const credit_linop op = hessian_op(h);
    credit_eigen_start(&op, A.Q, seed, 1, 0);
    st = credit_arnoldi_run(&A, jacobian_apply, &c);
    if (!st) {
        *products = A.steps;
        for (int i = 0; i < nev && i < A.steps; i++) re[i] = A.re[i], im[i] = A.im[i], resid[i] = A.resid[i];
    }
    free(scratch);
    credit_arnoldi_free(&A);
    return st;
}

#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
/* curvature.h: float weights of a single-precision session, widened. */
void credit_hessian_set_float(credit_hessian *h, const credit_params *w)
{
    const size_t sizes[4] = {(size_t)h->d.n * h->d.n_in, (size_t)h->d.n * h->d.n, (size_t)h->d.n_out * h->d.n, (size_t)h->d.n_out};
    const float *from[4] = {w->W_in, w->W_rec, w->W_out, w->b_out};
    double *to[4] = {h->theta2, h->theta2 + sizes[0], h->theta2 + sizes[0] + sizes[1], h->theta2 + sizes[0] + sizes[1] + sizes[2]};
    for (int b = 0; b < 4; b++)
        for (size_t i = 0; i < sizes[b]; i++) to[b][i] = from[b][i];
    /* theta2 is scratch of credit_hessian_direction, free until set returns. */
    const credit_params_f64 wide = credit_params_view_f64(h->theta2, &h->d);
    credit_hessian_set(h, &wide);
}
#endif
