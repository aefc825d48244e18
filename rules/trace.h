/* trace.h - what the eligibility-trace rules (eprop, rflo, mdgl) share.
 *
 * Static inline because every rule is a shared object of its own. The rules
 * differ in their learning signal and in which side of the sequence sum they
 * filter; the pieces below are the same in each. */
#ifndef CREDIT_RULES_TRACE_H
#define CREDIT_RULES_TRACE_H

#include "credit.h"

#include <cblas.h>
#include <string.h>

/* Fixed random feedback B (n x n_out, row-major), B_ij ~ N(0, 1/n_out),
 * from stream 0 of the rule's seed: the rules of one run that use random
 * feedback see the same B. */
static inline void trace_random_feedback(credit_real *B, const credit_dims *d, uint64_t seed)
{
    credit_rng rng;
    credit_rng_seed(&rng, seed, 0);
    const double scale = 1.0 / sqrt((double)d->n_out);
    for (size_t k = 0; k < (size_t)d->n * d->n_out; k++) B[k] = scale * credit_rng_normal(&rng);
}

/* feedback_scale = wout: B rescaled so |B|_F = |W_out(0)|_F. B stands where
 * W_out^T stands in the exact learning signal, so it gets the same size;
 * Murray's N(0, 1/n_out) is 2-2.6x W_out's at init (science.md section 3). */
static inline int trace_feedback_scale_wout(credit_real *B, const credit_dims *d, const credit_host *host)
{
    if (host->struct_size < offsetof(credit_host, init) + sizeof host->init || !host->init)
        return host->error(host->ctx, CREDIT_EPLUGIN, "feedback_scale = wout needs the initial weights, which this host does not give");
    const int nb = d->n * d->n_out;
    const double wout = CREDIT_BLAS(nrm2)(nb, host->init->W_out, 1), b = CREDIT_BLAS(nrm2)(nb, B, 1);
    CREDIT_BLAS(scal)(nb, wout / b, B, 1);
    return CREDIT_OK;
}

/* Steps [*t0, *t1) span every step whose dy is non-zero somewhere in the
 * batch (t0 = t1 = 0 if none). Outside it the learning signal is zero, so
 * the products skip those rows: sMNIST scores one step in 28. */
static inline void trace_scored_steps(const credit_traj *tr, int *t0, int *t1)
{
    const size_t step = (size_t)tr->B * tr->n_out;
    *t0 = *t1 = 0;
    for (int t = 0; t < tr->T; t++) {
        const credit_real *dy = tr->dy + t * step;
        size_t k = 0;
        while (k < step && dy[k] == 0.0) k++;
        if (k == step) continue;
        if (*t1 == 0) *t0 = t;
        *t1 = t + 1;
    }
}

/* Learning-signal rows of steps [t0, t1): W_out^T dy_t (tr->L) when B is
 * NULL, else B dy_t. */
static inline void trace_learning_signal(credit_real *s, const credit_traj *tr, const credit_real *B, int t0, int t1)
{
    const int n = tr->n, rows = (t1 - t0) * tr->B;
    const size_t first = (size_t)t0 * tr->B;
    if (B)
        CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, tr->n_out, 1.0, tr->dy + first * tr->n_out, tr->n_out, B,
                          tr->n_out, 0.0, s + first * n, n);
    else
        memcpy(s + first * n, tr->L + first * n, sizeof(credit_real) * rows * n);
}

/* out_t = a out_{t-1} + in_t for t in [0, t1), over [T][B][m] arrays (step = B m). */
static inline void trace_filter_forward(credit_real *out, const credit_real *in, int t1, size_t step, credit_real a)
{
    memcpy(out, in, sizeof(credit_real) * step);
    for (int t = 1; t < t1; t++) {
        credit_real *o = out + t * step;
        const credit_real *prev = o - step, *src = in + t * step;
        for (size_t k = 0; k < step; k++) o[k] = a * prev[k] + src[k];
    }
}

/* The e-prop product over steps [t0, t1): dW_rec += (1-a) sig^T eps(z_{t-1}),
 * dW_in += (1-a) sig^T eps(x_t), where eps is the presynaptic eligibility:
 * the rates and inputs filtered forward with the leak (unscaled; (1-a) goes
 * into the product), or the trajectory itself when a = 0. eps_z [T][B][n]
 * and eps_x [T][B][n_in] are workspaces. */
static inline void trace_eprop_product(const credit_traj *tr, const credit_real *sig, credit_real *eps_z, credit_real *eps_x, int t0, int t1,
                                       credit_params *g)
{
    const int n = tr->n, n_in = tr->n_in, rows = (t1 - t0) * tr->B;
    const size_t first = (size_t)t0 * tr->B;
    const credit_real a = tr->leak;
    const credit_real *ez = tr->z_prev, *ex = tr->x;
    if (a != 0.0) {
        trace_filter_forward(eps_z, tr->z_prev, t1, (size_t)tr->B * n, a);
        trace_filter_forward(eps_x, tr->x, t1, (size_t)tr->B * n_in, a);
        ez = eps_z;
        ex = eps_x;
    }
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, 1.0 - a, sig + first * n, n, ez + first * n, n, 1.0,
                      g->W_rec, n);
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, n_in, rows, 1.0 - a, sig + first * n, n, ex + first * n_in, n_in,
                      1.0, g->W_in, n_in);
}

/* sig *= psi over the rows of steps [t0, t1). */
static inline void trace_times_psi(credit_real *sig, const credit_traj *tr, int t0, int t1)
{
    const size_t first = (size_t)t0 * tr->B * tr->n, last = (size_t)t1 * tr->B * tr->n;
    for (size_t k = first; k < last; k++) sig[k] *= tr->psi[k];
}

#endif
