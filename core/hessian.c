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
    size_t dim, n_params, off; /* a vector is the layout's [off, off + dim) */
    size_t held;               /* its held diagonal entries: not parameters */
    credit_loss_kind loss;
    double l2, loss_val, l2_val;
    double *theta; /* weights of credit_hessian_set */
    CREDIT_F64(credit_params) w;
    CREDIT_F64(credit_fwd) f;  /* the batch and its base trajectory, delta kept */
    CREDIT_F64(credit_fwd) f2; /* trajectory at perturbed weights (credit_hessian_direction) */
    int f2_ready;
    CREDIT_F64(credit_rpass) r;
    double *V, *HV;        /* [n_params] directions in the full layout */
    double *theta2, *grad2;
};

size_t credit_hessian_dim(const credit_hessian *h) { return h->dim; }
size_t credit_hessian_free_dim(const credit_hessian *h) { return h->dim - h->held; }
int credit_hessian_batch_size(const credit_hessian *h) { return h->B; }
double credit_hessian_loss(const credit_hessian *h) { return h->loss_val; }
double credit_hessian_l2(const credit_hessian *h) { return h->l2_val; }

size_t credit_hessian_layout(const credit_dims *d, int all, size_t *offset)
{
    size_t off = all ? 0 : credit_block_offset(d, CREDIT_BLOCK_W_rec);
    if (offset) *offset = off;
    return all ? credit_params_count(d) : credit_block_size(d, CREDIT_BLOCK_W_rec);
}

/* 1 if block b is held at zero on its diagonal (CREDIT_PARAM_NO_DIAG) and
 * lies in the vectors; *at: its offset there. */
static int held_block(const credit_hessian *h, int b, size_t *at)
{
    const size_t off = credit_block_offset(&h->d, b);
    *at = off - h->off;
    return (credit_blocks[b].flags & CREDIT_PARAM_NO_DIAG) && off >= h->off && off < h->off + h->dim;
}

static void zero_diagonals(const credit_hessian *h, double *v)
{
    size_t at;
    for (int b = 0; b < CREDIT_N_BLOCKS; b++)
        if (held_block(h, b, &at)) CREDIT_F64(credit_zero_diagonal)(v + at, credit_block_rows(&h->d, b));
}

void credit_hessian_project(const credit_hessian *h, double *v) { zero_diagonals(h, v); }

void credit_hessian_close(credit_hessian *h)
{
    if (!h) return;
    CREDIT_F64(credit_fwd_free)(&h->f);
    CREDIT_F64(credit_fwd_free)(&h->f2);
    CREDIT_F64(credit_rpass_free)(&h->r);
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
    h->dim = credit_hessian_layout(d, h->all, &h->off);
    size_t at;
    for (int b = 0; b < CREDIT_N_BLOCKS; b++)
        if (held_block(h, b, &at)) h->held += (size_t)credit_block_rows(d, b);
    double *m = calloc(5 * h->n_params, sizeof(double)); /* theta, V, HV, theta2, grad2 */
    h->theta = m; /* first: free(h->theta) releases the block */
    if (!m || CREDIT_F64(credit_fwd_alloc)(&h->f, &h->d) || CREDIT_F64(credit_rpass_alloc)(&h->r, &h->d)) {
        credit_hessian_close(h);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a Hessian batch of %d examples", B);
    }
    m += h->n_params;
    h->V = m;                  m += h->n_params;
    h->HV = m;                 m += h->n_params;
    h->theta2 = m;             m += h->n_params;
    h->grad2 = m;
    h->w = CREDIT_F64(credit_params_view)(h->theta, &h->d);
    *out = h;
    return CREDIT_OK;
}

CREDIT_F64(credit_fwd) *credit_hessian_input(credit_hessian *h) { return &h->f; }

void credit_hessian_set(credit_hessian *h, const CREDIT_F64(credit_params) *w)
{
    for (int b = 0; b < CREDIT_N_BLOCKS; b++)
        memcpy(CREDIT_F64(credit_params_block)(&h->w, b), CREDIT_F64(credit_params_block)(w, b),
               sizeof(double) * credit_block_size(&h->d, b));
    CREDIT_F64(credit_forward)(&h->f, &h->w, h->B);
    h->loss_val = CREDIT_F64(credit_loss)(&h->f, h->loss, &h->w, NULL, NULL);
    h->l2_val = CREDIT_F64(credit_l2)(&h->w, &h->d, h->l2, NULL);
    /* delta of the base point; the gradient itself goes to scratch. */
    CREDIT_F64(credit_params) g = CREDIT_F64(credit_params_view)(h->grad2, &h->d);
    memset(h->grad2, 0, sizeof(double) * h->n_params);
    CREDIT_F64(credit_backward_bptt)(&h->f, &h->w, &g);
    CREDIT_F64(credit_rpass_prepare)(&h->r, &h->f, h->loss);
    h->f2_ready = 0; /* its copy of the batch is refreshed on next use */
    h->ready = 1;
}

int credit_hessian_apply(credit_hessian *h, const double *v, double *Hv)
{
    if (!h->ready) return CREDIT_ERROR(CREDIT_EINVAL, "Hessian product before credit_hessian_set");
    memcpy(h->V + h->off, v, sizeof(double) * h->dim);
    CREDIT_F64(credit_params) Vp = CREDIT_F64(credit_params_view)(h->V, &h->d), HVp = CREDIT_F64(credit_params_view)(h->HV, &h->d);
    zero_diagonals(h, h->V + h->off);
    CREDIT_F64(credit_rpass_apply)(&h->r, &h->f, &h->w, h->l2, h->all, &Vp, &HVp);
    memcpy(Hv, h->HV + h->off, sizeof(double) * h->dim);
    return CREDIT_OK;
}

/* ------------------------------------------------------------ update direction */

int credit_hessian_direction(credit_hessian *h, const double *v, double step, unsigned flags, const CREDIT_F64(credit_grad_rule) *rule,
                             double *u)
{
    const size_t TB = (size_t)h->d.T * h->B;
    if (!h->ready) return CREDIT_ERROR(CREDIT_EINVAL, "update direction before credit_hessian_set");
    if (!h->f2_ready) {
        if (!h->f2.x && CREDIT_F64(credit_fwd_alloc)(&h->f2, &h->d))
            return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a perturbed trajectory");
        memcpy(h->f2.x, h->f.x, sizeof(double) * TB * h->d.n_in);
        memcpy(h->f2.target, h->f.target, sizeof(double) * TB * h->d.n_out);
        memcpy(h->f2.mask, h->f.mask, sizeof(double) * TB);
        h->f2_ready = 1;
    }
    memcpy(h->theta2, h->theta, sizeof(double) * h->n_params);
    if (v && step != 0.0) {
        double *dst = h->theta2 + h->off;
        for (size_t i = 0; i < h->dim; i++) dst[i] += step * v[i];
        zero_diagonals(h, dst);
    }
    CREDIT_F64(credit_params) w2 = CREDIT_F64(credit_params_view)(h->theta2, &h->d);
    if (flags & CREDIT_HESS_FREE_PATTERN) CREDIT_F64(credit_forward)(&h->f2, &w2, h->B);
    else CREDIT_F64(credit_forward_frozen)(&h->f2, &h->f, &w2);
    CREDIT_F64(credit_loss)(&h->f2, h->loss, &w2, NULL, NULL);
    int st = CREDIT_F64(credit_gradient)(&h->f2, &w2, h->l2, rule, flags & (CREDIT_GRAD_EXACT | CREDIT_GRAD_NO_L2), h->grad2, NULL);
    if (st) return st;
    memcpy(u, h->grad2 + h->off, sizeof(double) * h->dim);
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
    const CREDIT_F64(credit_grad_rule) *rule;
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

int credit_hessian_jacobian_eig(credit_hessian *h, int m, int nev, double step, unsigned flags, const CREDIT_F64(credit_grad_rule) *rule,
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
    for (int b = 0; b < CREDIT_N_BLOCKS; b++) {
        const float *from = credit_params_block(w, b);
        double *to = h->theta2 + credit_block_offset(&h->d, b);
        for (size_t i = 0; i < credit_block_size(&h->d, b); i++) to[i] = from[i];
    }
    /* theta2 is scratch of credit_hessian_direction, free until set returns. */
    const CREDIT_F64(credit_params) wide = CREDIT_F64(credit_params_view)(h->theta2, &h->d);
    credit_hessian_set(h, &wide);
}
#endif
