/* hessian.c - see hessian.h.
 *
 * R-operator of the network (0-indexed arrays as in net.c: v[t] is v_{t+1},
 * z[t] is z_t with z[0] = 0, delta[t] = dL/dv[t]). For a direction
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
 * all T*B rows each, so the per-step work is what a gradient does. */
#include "hessian.h"
#include "util.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

struct credit_hessian {
    credit_session *s;
    credit_dims d; /* the session's, with B_max = the batch */
    int all, B;
    size_t dim, n_params, rec_off;
    credit_loss_kind loss;
    double l2, loss_val, l2_val;
    double *theta; /* weights at open */
    credit_params w;
    credit_fwd f;  /* base trajectory, delta kept */
    credit_fwd f2; /* trajectory at perturbed weights (credit_hessian_direction) */
    int f2_ready;
    double *p, *rowscale;  /* [TB][n_out] softmax, [TB] loss second-derivative scale */
    double *Rv, *Rz;       /* [TB][n], [T+1][B][n] */
    double *Ry, *Rdy;      /* [TB][n_out] */
    double *RL, *Rdelta;   /* [TB][n] */
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
    free(h->theta);
    free(h);
}

int credit_hessian_open(credit_hessian **out, credit_session *s, int all_params, int split, uint64_t n_examples)
{
    return credit_hessian_open_index(out, s, all_params, split, NULL, n_examples);
}

int credit_hessian_open_index(credit_hessian **out, credit_session *s, int all_params, int split, const uint64_t *examples,
                              uint64_t n_examples)
{
    *out = NULL;
    if (split < 0 || split >= CREDIT_N_SPLITS || s->info.n_examples[split] == 0)
        return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch: task %s has no %s split", s->task->head.name,
                            split == CREDIT_SPLIT_VALID ? "validation" : split == CREDIT_SPLIT_TRAIN ? "training" : "test");
    if (n_examples == 0) return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch: needs at least one example");
    if (n_examples > s->info.n_examples[split]) n_examples = s->info.n_examples[split];
    if (n_examples > (uint64_t)1 << 30) return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch of %llu examples is too large",
                                                           (unsigned long long)n_examples);
    credit_hessian *h = calloc(1, sizeof *h);
    if (!h) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    h->s = s;
    h->all = all_params != 0;
    h->B = (int)n_examples;
    h->d = s->dims;
    h->d.B_max = h->B;
    h->loss = s->info.loss;
    h->l2 = s->o.l2;
    h->n_params = s->n_params;
    h->rec_off = (size_t)h->d.n * h->d.n_in;
    h->dim = h->all ? h->n_params : (size_t)h->d.n * h->d.n;

    const size_t T = (size_t)h->d.T, B = (size_t)h->B, n = (size_t)h->d.n, n_out = (size_t)h->d.n_out, TB = T * B;
    size_t total = 5 * h->n_params                 /* theta, V, HV, theta2, grad2 */
                   + TB * n_out + TB                /* p, rowscale */
                   + TB * n + (TB + B) * n          /* Rv, Rz */
                   + 2 * TB * n_out + 2 * TB * n;   /* Ry, Rdy, RL, Rdelta */
    double *m = calloc(total, sizeof(double));
    uint64_t *index = malloc(B * sizeof *index);
    int st = CREDIT_OK;
    if (!m || !index || credit_fwd_alloc(&h->f, &h->d)) {
        free(m);
        free(index);
        credit_hessian_close(h);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a Hessian batch of %llu examples", (unsigned long long)n_examples);
    }
    h->theta = m;              m += h->n_params; /* first: free(h->theta) releases the block */
    h->V = m;                  m += h->n_params;
    h->HV = m;                 m += h->n_params;
    h->theta2 = m;             m += h->n_params;
    h->grad2 = m;              m += h->n_params;
    h->p = m;                  m += TB * n_out;
    h->rowscale = m;           m += TB;
    h->Rv = m;                 m += TB * n;
    h->Rz = m;                 m += (TB + B) * n;
    h->Ry = m;                 m += TB * n_out;
    h->Rdy = m;                m += TB * n_out;
    h->RL = m;                 m += TB * n;
    h->Rdelta = m;
    memcpy(h->theta, s->theta, sizeof(double) * h->n_params);
    h->w = credit_params_view(h->theta, &h->d);

    for (uint64_t b = 0; b < n_examples; b++) {
        index[b] = examples ? examples[b] : b;
        if (index[b] >= s->info.n_examples[split]) {
            free(index);
            credit_hessian_close(h);
            return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch: example %llu is past the end of the split (%llu examples)",
                                (unsigned long long)index[b], (unsigned long long)s->info.n_examples[split]);
        }
    }
    credit_error_clear();
    credit_plugin_enter("task", s->task->head.name, "fill");
    st = s->task->fill(s->task_state, split, index, h->B, h->f.x, h->f.target, h->f.mask);
    credit_plugin_leave();
    free(index);
    if (st) {
        if (!*credit_error_message()) CREDIT_ERROR(st, "task %s failed to fill the Hessian batch (status %d)", s->task->head.name, st);
        credit_hessian_close(h);
        return st;
    }
    credit_forward(&h->f, &h->w, h->B);
    h->loss_val = credit_loss(&h->f, h->loss, &h->w, NULL, NULL);
    h->l2_val = credit_l2(&h->w, &h->d, h->l2, NULL);
    /* delta of the base point; the gradient itself goes to scratch. */
    credit_params g = credit_params_view(h->grad2, &h->d);
    memset(h->grad2, 0, sizeof(double) * h->n_params);
    credit_traj tr = credit_fwd_traj(&h->f);
    const credit_weights wv = credit_weights_of(&h->w);
    credit_bptt(&tr, &wv, &g, h->f.delta, h->f.g);

    /* Second derivative of the loss per row: the scale of each row and the
     * softmax, as credit_loss normalises (mask total, and n_out for mse). */
    double weight = 0.0;
    for (size_t r = 0; r < TB; r++) weight += h->f.mask[r];
    double norm = weight > 0.0 ? 1.0 / weight : 0.0;
    if (h->loss == CREDIT_LOSS_MSE) norm /= (double)n_out;
    for (size_t r = 0; r < TB; r++) {
        const double mk = h->f.mask[r], *y = h->f.y + r * n_out, *q = h->f.target + r * n_out;
        double *pr = h->p + r * n_out;
        if (h->loss == CREDIT_LOSS_MSE) {
            h->rowscale[r] = 2.0 * mk * norm;
            continue;
        }
        double ymax = y[0], se = 0.0, qsum = 0.0;
        for (size_t k = 1; k < n_out; k++) ymax = y[k] > ymax ? y[k] : ymax;
        for (size_t k = 0; k < n_out; k++) se += exp(y[k] - ymax);
        double lse = ymax + log(se);
        for (size_t k = 0; k < n_out; k++) {
            pr[k] = exp(y[k] - lse);
            qsum += q[k];
        }
        h->rowscale[r] = mk * norm * qsum;
    }
    *out = h;
    return CREDIT_OK;
}

/* ------------------------------------------------------------ products */

/* The recurrence with the ReLU pattern held at psi, a linear map:
 * v_t (holding its drive on entry) += (1-a) W_rec z_{t-1} + a v_{t-1},
 * z_t = psi_t v_t, z_0 = 0. The R-pass forward (drive: R of the input to
 * v) and the frozen-pattern forward of the update direction are both this. */
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

/* HV = H V in the full layout; with !h->all only V_rec is read and only
 * HV_rec written. */
static void rpass(credit_hessian *h, const credit_params *V, credit_params *HV)
{
    const credit_fwd *f = &h->f;
    const credit_params *w = &h->w;
    const int T = h->d.T, B = h->B, n = h->d.n, n_in = h->d.n_in, n_out = h->d.n_out, TB = T * B;
    const double a = h->d.leak, c = 1.0 - a;
    const size_t step = (size_t)B * n;

    /* Forward: the V-only drive of every step in one product each. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TB, n, n, c, f->z, n, V->W_rec, n, 0.0, h->Rv, n);
    if (h->all) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TB, n, n_in, c, f->x, n_in, V->W_in, n_in, 1.0, h->Rv, n);
    frozen_recurrence(h->Rv, h->Rz, f->psi, w->W_rec, T, B, n, a);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TB, n_out, n, 1.0, h->Rz + step, n, w->W_out, n, 0.0, h->Ry, n_out);
    if (h->all) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TB, n_out, n, 1.0, f->z + step, n, V->W_out, n, 1.0, h->Ry, n_out);
        for (size_t r = 0; r < (size_t)TB; r++)
            for (int k = 0; k < n_out; k++) h->Ry[r * n_out + k] += V->b_out[k];
    }

    /* Loss: its second derivative per row. */
    for (size_t r = 0; r < (size_t)TB; r++) {
        const double sc = h->rowscale[r], *Ry = h->Ry + r * n_out, *p = h->p + r * n_out;
        double *Rdy = h->Rdy + r * n_out;
        if (sc == 0.0) {
            memset(Rdy, 0, sizeof(double) * n_out);
        } else if (h->loss == CREDIT_LOSS_MSE) {
            for (int k = 0; k < n_out; k++) Rdy[k] = sc * Ry[k];
        } else {
            double pRy = 0.0;
            for (int k = 0; k < n_out; k++) pRy += p[k] * Ry[k];
            for (int k = 0; k < n_out; k++) Rdy[k] = sc * p[k] * (Ry[k] - pRy);
        }
    }

    /* Backward: RL gathers everything but the recurrence on Rdelta. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, TB, n, n_out, 1.0, h->Rdy, n_out, w->W_out, n, 0.0, h->RL, n);
    if (h->all) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, TB, n, n_out, 1.0, f->dy, n_out, V->W_out, n, 1.0, h->RL, n);
    if (T > 1)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, TB - B, n, n, c, f->delta + step, n, V->W_rec, n, 1.0, h->RL, n);
    for (int t = T - 1; t >= 0; t--) {
        double *Rd = h->Rdelta + t * step, *RL = h->RL + t * step;
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
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, TB, c, h->Rdelta, n, f->z, n, 0.0, HV->W_rec, n);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, TB, c, f->delta, n, h->Rz, n, 1.0, HV->W_rec, n);
    if (h->l2 != 0.0) cblas_daxpy(n * n, h->l2, V->W_rec, 1, HV->W_rec, 1);
    credit_zero_diagonal(HV->W_rec, n);
    if (!h->all) return;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n_in, TB, c, h->Rdelta, n, f->x, n_in, 0.0, HV->W_in, n_in);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n, TB, 1.0, h->Rdy, n_out, f->z + step, n, 0.0, HV->W_out, n);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n, TB, 1.0, f->dy, n_out, h->Rz + step, n, 1.0, HV->W_out, n);
    if (h->l2 != 0.0) {
        cblas_daxpy(n * n_in, h->l2, V->W_in, 1, HV->W_in, 1);
        cblas_daxpy(n_out * n, h->l2, V->W_out, 1, HV->W_out, 1);
    }
    memset(HV->b_out, 0, sizeof(double) * n_out);
    for (size_t r = 0; r < (size_t)TB; r++)
        for (int k = 0; k < n_out; k++) HV->b_out[k] += h->Rdy[r * n_out + k];
}

int credit_hessian_apply(credit_hessian *h, const double *v, double *Hv)
{
    const size_t off = full_offset(h);
    memcpy(h->V + off, v, sizeof(double) * h->dim);
    credit_params Vp = credit_params_view(h->V, &h->d), HVp = credit_params_view(h->HV, &h->d);
    credit_zero_diagonal(Vp.W_rec, h->d.n);
    rpass(h, &Vp, &HVp);
    memcpy(Hv, h->HV + off, sizeof(double) * h->dim);
    return CREDIT_OK;
}

/* ------------------------------------------------------------ update direction */

/* Forward pass with psi held at the base trajectory's: z = psi * v. */
static void forward_frozen(credit_fwd *f, const credit_fwd *base, const credit_params *w)
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

int credit_hessian_direction(credit_hessian *h, const double *v, double step, unsigned flags, double *u)
{
    credit_session *s = h->s;
    const size_t TB = (size_t)h->d.T * h->B;
    if (!(flags & CREDIT_HESS_EXACT) && h->B > s->rule_dims.B_max)
        return CREDIT_ERROR(CREDIT_EINVAL, "the Hessian batch (%d examples) is larger than the rule's workspace (%d)", h->B,
                            s->rule_dims.B_max);
    if (!h->f2_ready) {
        if (credit_fwd_alloc(&h->f2, &h->d)) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a perturbed trajectory");
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
    credit_params w2 = credit_params_view(h->theta2, &h->d), g2 = credit_params_view(h->grad2, &h->d);
    if (flags & CREDIT_HESS_FREE_PATTERN) credit_forward(&h->f2, &w2, h->B);
    else forward_frozen(&h->f2, &h->f, &w2);
    credit_loss(&h->f2, h->loss, &w2, NULL, NULL);
    memset(h->grad2, 0, sizeof(double) * h->n_params);
    credit_backward_readout(&h->f2, &g2);
    if (flags & CREDIT_HESS_EXACT) {
        credit_backward_bptt(&h->f2, &w2, &g2);
    } else {
        int st = credit_session_rule_grad(s, &h->f2, &w2, &g2);
        if (st) return st;
    }
    credit_zero_diagonal(g2.W_rec, h->d.n);
    if (!(flags & CREDIT_HESS_NO_L2)) credit_l2(&w2, &h->d, h->l2, &g2);
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
    double *up, *down;
} jacobian_ctx;

static int jacobian_apply(void *ctx, const double *x, double *y)
{
    jacobian_ctx *c = ctx;
    const size_t D = c->h->dim;
    int st = credit_hessian_direction(c->h, x, c->step, c->flags, c->up);
    if (!st) st = credit_hessian_direction(c->h, x, -c->step, c->flags, c->down);
    if (st) return st;
    for (size_t i = 0; i < D; i++) y[i] = (c->up[i] - c->down[i]) / (2.0 * c->step);
    credit_hessian_project(c->h, y);
    return CREDIT_OK;
}

int credit_hessian_jacobian_eig(credit_hessian *h, int m, int nev, double step, unsigned flags, uint64_t seed, double *re,
                                double *im, double *resid, int *products)
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
    jacobian_ctx c = {.h = h, .step = step, .flags = flags, .up = scratch, .down = scratch + h->dim};
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
