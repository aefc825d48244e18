/* net.c - forward pass, loss and exact gradients of the rate network. */
#include "net.h"

#include <cblas.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

credit_params credit_params_view(credit_real *block, const credit_dims *d)
{
    credit_params p;
    for (int b = 0; b < CREDIT_N_BLOCKS; b++) *credit_params_slot(&p, b) = block + credit_block_offset(d, b);
    return p;
}

void credit_zero_diagonal(credit_real *W, int n)
{
    for (int i = 0; i < n; i++) W[(size_t)i * n + i] = 0.0;
}

void credit_params_init(credit_real *block, const credit_dims *d, double rec_var, credit_rng *rng)
{
    credit_params p = credit_params_view(block, d);
    double s_in = sqrt(2.0 / d->n_in), s_rec = sqrt(rec_var / d->n);
    double lim = sqrt(6.0 / (d->n + d->n_out));
    for (size_t k = 0; k < (size_t)d->n * d->n_in; k++) p.W_in[k] = s_in * credit_rng_normal(rng);
    for (size_t k = 0; k < (size_t)d->n * d->n; k++) p.W_rec[k] = s_rec * credit_rng_normal(rng);
    credit_zero_diagonal(p.W_rec, d->n);
    for (size_t k = 0; k < (size_t)d->n_out * d->n; k++) p.W_out[k] = lim * (2.0 * credit_rng_uniform(rng) - 1.0);
    memset(p.b_out, 0, sizeof(credit_real) * (size_t)d->n_out);
}

int credit_fwd_alloc(credit_fwd *f, const credit_dims *d)
{
    memset(f, 0, sizeof *f);
    f->d = *d;
    size_t TB = (size_t)d->T * d->B_max, B = (size_t)d->B_max;
    size_t n = (size_t)d->n, total = TB * d->n_in + TB * d->n_out + TB   /* x, target, mask */
                                     + TB * n + (TB + B) * n + TB * n     /* v, z, psi */
                                     + TB * d->n_out * 2 + TB * n         /* y, dy, L */
                                     + TB * n;                            /* delta */
    credit_real *p = calloc(total, sizeof(credit_real));
    if (!p) return CREDIT_ENOMEM;
    f->x = p;          p += TB * d->n_in;
    f->target = p;     p += TB * d->n_out;
    f->mask = p;       p += TB;
    f->v = p;          p += TB * n;
    f->z = p;          p += (TB + B) * n;
    f->psi = p;        p += TB * n;
    f->y = p;          p += TB * d->n_out;
    f->dy = p;         p += TB * d->n_out;
    f->L = p;          p += TB * n;
    f->delta = p;
    return CREDIT_OK;
}

void credit_fwd_free(credit_fwd *f)
{
    free(f->x);
    memset(f, 0, sizeof *f);
}

/* Arrays are [t][b][i] with the batch size of the forward pass, so a step's
 * block is B*n long; f->z has one more step in front (z_0 = 0): the
 * trajectory's z_prev starts there, its z one step later. */
credit_traj credit_fwd_traj(const credit_fwd *f)
{
    credit_traj t = {
        .B = f->B, .T = f->d.T, .n_in = f->d.n_in, .n = f->d.n, .n_out = f->d.n_out, .leak = f->d.leak,
        .x = f->x, .z_prev = f->z, .z = f->z + (size_t)f->B * f->d.n, .v = f->v, .psi = f->psi, .y = f->y, .dy = f->dy, .L = f->L,
    };
    return t;
}

/* Elementwise kernels. GCC 12 at -O2 leaves these loops scalar (its
 * "very cheap" vectorizer refuses loops that need an epilogue); vectorized
 * they cost half (bench/README.md). The arithmetic is the same (no FMA
 * contraction, as the Makefile asks), so results are bit-identical to the
 * scalar loops. */
#if defined(__GNUC__) && !defined(__clang__)
#define CREDIT_VECTORIZE __attribute__((optimize("tree-vectorize", "fp-contract=off")))
#else
#define CREDIT_VECTORIZE
#endif

/* v += a v_prev (a != 0), then z = relu(v), psi = 1[v > 0]. */
CREDIT_VECTORIZE static void relu_step(credit_real *restrict v, const credit_real *restrict v_prev, credit_real a, credit_real *restrict z,
                                       credit_real *restrict psi, size_t n)
{
    if (v_prev)
        for (size_t k = 0; k < n; k++) v[k] += a * v_prev[k];
    for (size_t k = 0; k < n; k++) {
        credit_real x = v[k];
        z[k] = x > 0.0 ? x : 0.0;
        psi[k] = x > 0.0 ? 1.0 : 0.0;
    }
}

/* delta = psi (L + delta) + a next: delta holds (1-a) W_rec^T delta_{t+1} on entry. */
CREDIT_VECTORIZE static void delta_step(credit_real *restrict delta, const credit_real *restrict psi, const credit_real *restrict L,
                                        const credit_real *restrict next, credit_real a, size_t n)
{
    if (a != 0.0)
        for (size_t k = 0; k < n; k++) delta[k] = psi[k] * (L[k] + delta[k]) + a * next[k];
    else
        for (size_t k = 0; k < n; k++) delta[k] = psi[k] * (L[k] + delta[k]);
}

CREDIT_VECTORIZE static void mul_into(credit_real *restrict out, const credit_real *restrict psi, const credit_real *restrict L, size_t n)
{
    for (size_t k = 0; k < n; k++) out[k] = psi[k] * L[k];
}

/* 1 if a[0..n) are all exactly zero. */
static int all_zero(const credit_real *a, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (a[k] != 0.0) return 0;
    return 1;
}

/* Step by step, so that each step's block (B x n, a quarter megabyte at
 * B = 256) is produced and consumed while it sits in cache: the input drive,
 * the recurrent drive, the nonlinearity and the readout of step t all touch
 * v_t and z_t back to back. One product over all T*B rows for the input drive
 * and the readout was measured slower: it streams v and z through memory twice. */
void credit_forward(credit_fwd *f, const credit_params *w, int B)
{
    const int T = f->d.T, n = f->d.n, n_in = f->d.n_in, n_out = f->d.n_out;
    const credit_real a = f->d.leak, c = 1.0 - a;
    const size_t step = (size_t)B * n, ystep = (size_t)B * n_out;
    f->B = B;

    memset(f->z, 0, sizeof(credit_real) * step);
    for (int t = 0; t < T; t++) {
        credit_real *v = f->v + t * step, *z = f->z + (t + 1) * step, *psi = f->psi + t * step, *y = f->y + t * ystep;
        CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasTrans, B, n, n_in, c, f->x + (size_t)t * B * n_in, n_in, w->W_in, n_in,
                    0.0, v, n);
        if (t > 0) /* z_0 = 0 contributes nothing */
            CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasTrans, B, n, n, c, z - step, n, w->W_rec, n, 1.0, v, n);
        if (f->xi) /* the host's forward_loss service: noise inside the recurrent input */
            for (size_t k = 0; k < step; k++) v[k] += c * f->xi[t * step + k];
        relu_step(v, t > 0 && a != 0.0 ? v - step : NULL, a, z, psi, step);
        for (int b = 0; b < B; b++) memcpy(y + (size_t)b * n_out, w->b_out, sizeof(credit_real) * n_out);
        CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasTrans, B, n_out, n, 1.0, z, n, w->W_out, n, 1.0, y, n_out);
    }
}

static int argmax(const credit_real *v, int n)
{
    int best = 0;
    for (int k = 1; k < n; k++)
        if (v[k] > v[best]) best = k;
    return best;
}

double credit_loss_norm(const credit_real *mask, size_t rows, credit_loss_kind kind, int n_out, double *weight_out)
{
    double weight = 0.0;
    for (size_t r = 0; r < rows; r++) weight += mask[r];
    double norm = weight > 0.0 ? 1.0 / weight : 0.0;
    if (kind == CREDIT_LOSS_MSE) norm /= n_out;
    if (weight_out) *weight_out = weight;
    return norm;
}

double credit_logsumexp(const credit_real *y, int n)
{
    double ymax = y[argmax(y, n)], se = 0.0;
    for (int k = 0; k < n; k++) se += exp(y[k] - ymax);
    return ymax + log(se);
}

double credit_loss(credit_fwd *f, credit_loss_kind kind, const credit_params *w, double *correct, double *scored)
{
    const int T = f->d.T, B = f->B, n_out = f->d.n_out, n = f->d.n;
    const size_t rows = (size_t)T * B;
    double total = 0.0, weight, hits = 0.0;
    const double norm = credit_loss_norm(f->mask, rows, kind, n_out, &weight);
    if (f->per_example) memset(f->per_example, 0, sizeof(credit_real) * B);

    for (size_t r = 0; r < rows; r++) {
        const credit_real m = f->mask[r], *y = f->y + r * n_out, *q = f->target + r * n_out;
        credit_real *dy = f->dy + r * n_out;
        if (m == 0.0) {
            memset(dy, 0, sizeof(credit_real) * n_out);
            continue;
        }
        if (kind == CREDIT_LOSS_MSE) {
            double s = 0.0;
            for (int k = 0; k < n_out; k++) {
                double e = y[k] - q[k];
                s += e * e;
                dy[k] = 2.0 * m * norm * e;
            }
            total += m * s;
            if (f->per_example) f->per_example[r % B] += m * s * norm;
        } else {
            /* log-softmax with the max subtracted; gradient (sum q) p - q. */
            double lse = credit_logsumexp(y, n_out), qsum = 0.0, cross = 0.0;
            for (int k = 0; k < n_out; k++) {
                qsum += q[k];
                cross -= q[k] * (y[k] - lse);
            }
            for (int k = 0; k < n_out; k++) dy[k] = m * norm * (qsum * exp(y[k] - lse) - q[k]);
            total += m * cross;
            if (f->per_example) f->per_example[r % B] += m * cross * norm;
            hits += m * (argmax(y, n_out) == argmax(q, n_out));
        }
    }
    if (correct) *correct = kind == CREDIT_LOSS_MSE ? NAN : hits;
    if (scored) *scored = weight;
    /* Learning signal of symmetric feedback: L = dy W_out, row per (t, b).
     * Runs of steps where some row is scored get one product each, the other
     * steps zeros: sMNIST scores 1 step in 28. */
    const size_t step = (size_t)B * n, ystep = (size_t)B * n_out;
    for (int t = 0; t < T;) {
        int t1 = t;
        while (t1 < T && !all_zero(f->dy + t1 * ystep, ystep)) t1++;
        if (t1 > t) {
            CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasNoTrans, (t1 - t) * B, n, n_out, 1.0, f->dy + t * ystep, n_out, w->W_out,
                        n, 0.0, f->L + t * step, n);
            t = t1;
        } else {
            memset(f->L + t * step, 0, sizeof(credit_real) * step);
            t++;
        }
    }
    return total * norm;
}

/* Over the runs of steps where dy is not all zero (adding the zero rows'
 * products would change nothing). */
void credit_backward_readout(const credit_fwd *f, credit_params *g)
{
    const int T = f->d.T, B = f->B, n = f->d.n, n_out = f->d.n_out;
    const size_t step = (size_t)B * n, ystep = (size_t)B * n_out;
    for (int t = 0; t < T;) {
        int t1 = t;
        while (t1 < T && !all_zero(f->dy + t1 * ystep, ystep)) t1++;
        if (t1 == t) {
            t++;
            continue;
        }
        CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n, (t1 - t) * B, 1.0, f->dy + t * ystep, n_out,
                    f->z + (t + 1) * step, n, 1.0, g->W_out, n);
        for (size_t r = (size_t)t * B; r < (size_t)t1 * B; r++)
            for (int k = 0; k < n_out; k++) g->b_out[k] += f->dy[r * n_out + k];
        t = t1;
    }
}

/* delta_t = dL/dv_t = psi_t * (L_t + (1-a) W_rec^T delta_{t+1}) + a delta_{t+1},
 * then dW_rec = (1-a) sum_t delta_t z_{t-1}^T and dW_in = (1-a) sum_t delta_t x_t^T.
 * The recurrent product is written straight into delta_t and finished in
 * place (no copy of L per step). The weight gradients are one product per
 * chunk of about WGRAD_ROWS rows, taken as soon as the chunk's deltas exist,
 * while they are still in cache: measured ~5% faster per iteration than one
 * product over all T*B rows after the sweep, which reads delta back from memory. */
#define WGRAD_ROWS 512
void credit_bptt(const credit_traj *tr, const credit_weights *w, credit_params *g, credit_real *delta_ws)
{
    const int T = tr->T, B = tr->B, n = tr->n, n_in = tr->n_in;
    const credit_real a = tr->leak, c = 1.0 - a;
    const size_t step = (size_t)B * n;
    const int chunk = B >= WGRAD_ROWS ? 1 : WGRAD_ROWS / B;
    int hi = T; /* steps [t, hi) have their delta but are not yet in the weight gradients */
    for (int t = T - 1; t >= 0; t--) {
        credit_real *delta = delta_ws + t * step;
        const credit_real *L = tr->L + t * step, *psi = tr->psi + t * step;
        if (t == T - 1) {
            mul_into(delta, psi, L, step);
        } else {
            const credit_real *next = delta + step;
            CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n, n, c, next, n, w->W_rec, n, 0.0, delta, n);
            delta_step(delta, psi, L, next, a, step);
        }
        if (hi - t < chunk && t > 0) continue;
        const int lo = t > 0 ? t : 1; /* z_0 = 0: step 0 adds nothing to dW_rec */
        if (hi > lo)
            CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, (hi - lo) * B, c, delta_ws + lo * step, n,
                        tr->z_prev + lo * step, n, 1.0, g->W_rec, n);
        CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, n_in, (hi - t) * B, c, delta, n, tr->x + (size_t)t * B * n_in,
                    n_in, 1.0, g->W_in, n_in);
        hi = t;
    }
}

void credit_backward_bptt(credit_fwd *f, const credit_params *w, credit_params *g)
{
    credit_traj tr = credit_fwd_traj(f);
    credit_weights wv = credit_weights_of(w);
    credit_bptt(&tr, &wv, g, f->delta);
}

double credit_l2(const credit_params *w, const credit_dims *d, double l2, credit_params *g)
{
    if (l2 == 0.0) return 0.0;
    double sum = 0.0;
    for (int b = 0; b < CREDIT_N_BLOCKS; b++) {
        if (!(credit_blocks[b].flags & CREDIT_PARAM_L2)) continue;
        const int size = (int)credit_block_size(d, b);
        const credit_real *block = credit_params_block(w, b);
        sum += CREDIT_BLAS(dot)(size, block, 1, block, 1);
        if (g) CREDIT_BLAS(axpy)(size, l2, block, 1, credit_params_block(g, b), 1);
    }
    return 0.5 * l2 * sum;
}
