/* net_r.c - the R-operator of the network (Pearlmutter 1994), beside
 * net.c's forward and backward: forward-over-reverse through the forward
 * pass, the loss and BPTT. 0-indexed arrays as in net.c: v[t] is v_{t+1},
 * z[t] is z_t with z[0] = 0, delta[t] = dL/dv[t]. For a direction
 * V = (V_in, V_rec, V_out, V_b):
 *   Rv[t]     = a Rv[t-1] + c (W_rec Rz[t] + V_rec z[t] + V_in x[t])     c = 1 - a
 *   Rz[t+1]   = psi[t] Rv[t]
 *   Ry[t]     = W_out Rz[t+1] + V_out z[t+1] + V_b
 *   Rdy[t]    = s (diag(p) - p p') Ry[t]  (xent, s = mask norm sum(q)),  s Ry[t] (mse, s = 2 mask norm)
 *   RL[t]     = W_out' Rdy[t] + V_out' dy[t]
 *   Rdelta[t] = psi[t] (RL[t] + c W_rec' Rdelta[t+1] + c V_rec' delta[t+1]) + a Rdelta[t+1]
 *   H V       = c sum_t (Rdelta[t] z[t]' + delta[t] Rz[t]')         (W_rec)
 *               c sum_t Rdelta[t] x[t]',  sum_t (Rdy[t] z[t+1]' + dy[t] Rz[t+1]'),  sum_t Rdy[t]
 *               + l2 V (not on b_out).
 * The terms in V alone (V_rec z, V_in x, V_rec' delta) are one product over
 * all T*B rows each, so the per-step work is what a gradient does. ReLU
 * makes psi piecewise constant, so its R-derivative is 0. */
#include "net.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

int credit_rpass_alloc(credit_rpass *r, const credit_dims *d)
{
    memset(r, 0, sizeof *r);
    const size_t TB = (size_t)d->T * d->B_max, B = (size_t)d->B_max, n = (size_t)d->n, n_out = (size_t)d->n_out;
    size_t total = TB * n_out + TB                /* p, rowscale */
                   + TB * n + (TB + B) * n        /* Rv, Rz */
                   + 2 * TB * n_out + 2 * TB * n; /* Ry, Rdy, RL, Rdelta */
    double *m = calloc(total, sizeof(double));
    if (!m) return CREDIT_ENOMEM;
    r->p = m;                  m += TB * n_out; /* first: free(r->p) releases the block */
    r->rowscale = m;           m += TB;
    r->Rv = m;                 m += TB * n;
    r->Rz = m;                 m += (TB + B) * n;
    r->Ry = m;                 m += TB * n_out;
    r->Rdy = m;                m += TB * n_out;
    r->RL = m;                 m += TB * n;
    r->Rdelta = m;
    return CREDIT_OK;
}

void credit_rpass_free(credit_rpass *r)
{
    free(r->p);
    memset(r, 0, sizeof *r);
}

/* Second derivative of the loss per row: the scale of each row and the
 * softmax, normalised as credit_loss does (the same helpers). */
void credit_rpass_prepare(credit_rpass *R, const credit_fwd *f, credit_loss_kind kind)
{
    const size_t TB = (size_t)f->d.T * f->B, n_out = (size_t)f->d.n_out;
    R->loss = kind;
    const double norm = credit_loss_norm(f->mask, TB, kind, f->d.n_out, NULL);
    for (size_t r = 0; r < TB; r++) {
        const double mk = f->mask[r], *y = f->y + r * n_out, *q = f->target + r * n_out;
        double *pr = R->p + r * n_out;
        if (kind == CREDIT_LOSS_MSE) {
            R->rowscale[r] = 2.0 * mk * norm;
            continue;
        }
        double lse = credit_logsumexp(y, f->d.n_out), qsum = 0.0;
        for (size_t k = 0; k < n_out; k++) {
            pr[k] = exp(y[k] - lse);
            qsum += q[k];
        }
        R->rowscale[r] = mk * norm * qsum;
    }
}

/* The recurrence with the ReLU pattern held at psi, a linear map:
 * v_t (holding its drive on entry) += (1-a) W_rec z_{t-1} + a v_{t-1},
 * z_t = psi_t v_t, z_0 = 0. The R-pass forward (drive: R of the input to
 * v) and credit_forward_frozen are both this. */
static void frozen_recurrence(double *v, double *z, const double *psi, const double *W_rec, int T, int B, int n, double a)
{
    const size_t step = (size_t)B * n;
    memset(z, 0, sizeof(double) * step);
    for (int t = 0; t < T; t++) {
        double *vt = v + t * step, *zt = z + (t + 1) * step;
        const double *pt = psi + t * step;
        if (t > 0) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, n, n, 1.0 - a, z + t * step, n, W_rec, n, 1.0, vt, n);
            if (a != 0.0) cblas_daxpy((int)step, a, vt - step, 1, vt, 1);
        }
        for (size_t k = 0; k < step; k++) zt[k] = pt[k] * vt[k];
    }
}

/* See net.h. */
void credit_rpass_apply(credit_rpass *R, const credit_fwd *f, const credit_params *w, double l2, int all, const credit_params *V,
                        credit_params *HV)
{
    const int T = f->d.T, B = f->B, n = f->d.n, n_in = f->d.n_in, n_out = f->d.n_out, TB = T * B;
    const double a = f->d.leak, c = 1.0 - a;
    const size_t step = (size_t)B * n;

    /* Forward: the V-only drive of every step in one product each. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TB, n, n, c, f->z, n, V->W_rec, n, 0.0, R->Rv, n);
    if (all) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TB, n, n_in, c, f->x, n_in, V->W_in, n_in, 1.0, R->Rv, n);
    frozen_recurrence(R->Rv, R->Rz, f->psi, w->W_rec, T, B, n, a);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TB, n_out, n, 1.0, R->Rz + step, n, w->W_out, n, 0.0, R->Ry, n_out);
    if (all) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TB, n_out, n, 1.0, f->z + step, n, V->W_out, n, 1.0, R->Ry, n_out);
        for (size_t r = 0; r < (size_t)TB; r++)
            for (int k = 0; k < n_out; k++) R->Ry[r * n_out + k] += V->b_out[k];
    }

    /* Loss: its second derivative per row. */
    for (size_t r = 0; r < (size_t)TB; r++) {
        const double sc = R->rowscale[r], *Ry = R->Ry + r * n_out, *p = R->p + r * n_out;
        double *Rdy = R->Rdy + r * n_out;
        if (sc == 0.0) {
            memset(Rdy, 0, sizeof(double) * n_out);
        } else if (R->loss == CREDIT_LOSS_MSE) {
            for (int k = 0; k < n_out; k++) Rdy[k] = sc * Ry[k];
        } else {
            double pRy = 0.0;
            for (int k = 0; k < n_out; k++) pRy += p[k] * Ry[k];
            for (int k = 0; k < n_out; k++) Rdy[k] = sc * p[k] * (Ry[k] - pRy);
        }
    }

    /* Backward: RL gathers everything but the recurrence on Rdelta. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, TB, n, n_out, 1.0, R->Rdy, n_out, w->W_out, n, 0.0, R->RL, n);
    if (all) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, TB, n, n_out, 1.0, f->dy, n_out, V->W_out, n, 1.0, R->RL, n);
    if (T > 1)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, TB - B, n, n, c, f->delta + step, n, V->W_rec, n, 1.0, R->RL, n);
    for (int t = T - 1; t >= 0; t--) {
        double *Rd = R->Rdelta + t * step, *RL = R->RL + t * step;
        const double *psi = f->psi + t * step;
        if (t == T - 1) {
            for (size_t k = 0; k < step; k++) Rd[k] = psi[k] * RL[k];
            continue;
        }
        const double *next = Rd + step;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n, n, c, next, n, w->W_rec, n, 1.0, RL, n);
        for (size_t k = 0; k < step; k++) Rd[k] = psi[k] * RL[k] + a * next[k];
    }

    /* Products into the Hessian blocks. */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, TB, c, R->Rdelta, n, f->z, n, 0.0, HV->W_rec, n);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, TB, c, f->delta, n, R->Rz, n, 1.0, HV->W_rec, n);
    if (l2 != 0.0) cblas_daxpy(n * n, l2, V->W_rec, 1, HV->W_rec, 1);
    credit_zero_diagonal(HV->W_rec, n);
    if (!all) return;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n_in, TB, c, R->Rdelta, n, f->x, n_in, 0.0, HV->W_in, n_in);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n, TB, 1.0, R->Rdy, n_out, f->z + step, n, 0.0, HV->W_out, n);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n, TB, 1.0, f->dy, n_out, R->Rz + step, n, 1.0, HV->W_out, n);
    if (l2 != 0.0) {
        cblas_daxpy(n * n_in, l2, V->W_in, 1, HV->W_in, 1);
        cblas_daxpy(n_out * n, l2, V->W_out, 1, HV->W_out, 1);
    }
    memset(HV->b_out, 0, sizeof(double) * n_out);
    for (size_t r = 0; r < (size_t)TB; r++)
        for (int k = 0; k < n_out; k++) HV->b_out[k] += R->Rdy[r * n_out + k];
}

/* Forward pass with psi held at the base trajectory's: z = psi * v. */
void credit_forward_frozen(credit_fwd *f, const credit_fwd *base, const credit_params *w)
{
    const int T = f->d.T, B = base->B, n = f->d.n, n_in = f->d.n_in, n_out = f->d.n_out;
    const double a = f->d.leak, c = 1.0 - a;
    const size_t step = (size_t)B * n;
    f->B = B;
    memcpy(f->psi, base->psi, sizeof(double) * T * step);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T * B, n, n_in, c, f->x, n_in, w->W_in, n_in, 0.0, f->v, n);
    frozen_recurrence(f->v, f->z, f->psi, w->W_rec, T, B, n, a);
    for (size_t r = 0; r < (size_t)T * B; r++) memcpy(f->y + r * n_out, w->b_out, sizeof(double) * n_out);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T * B, n_out, n, 1.0, f->z + step, n, w->W_out, n, 1.0, f->y, n_out);
}

