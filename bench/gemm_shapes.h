/* gemm_shapes.h - the matrix products of one bptt training iteration
 * (core/net.c: credit_forward, credit_loss, credit_backward_readout,
 * credit_bptt), replayed alone on scratch buffers: the rate the machine's
 * gemm reaches on exactly the trainer's shapes and transposes. Used by
 * bench.c (dgemm and sgemm, every round) and blis_shapes.c (OpenBLAS
 * against BLIS). Keep in step with net.c. */
#ifndef BENCH_GEMM_SHAPES_H
#define BENCH_GEMM_SHAPES_H

#include <cblas.h>
#include <stdlib.h>

typedef struct gemm_shapes {
    int B, T, n, n_in, n_out, scored_all; /* scored_all: loss on every step (else the last one) */
    void *x, *w_in, *w_rec, *w_out, *v, *z, *y, *dy, *delta, *g_rec, *g_in, *g_out;
    int single;
} gemm_shapes;

#define GEMM_WGRAD_ROWS 512 /* net.c's WGRAD_ROWS */

/* Flops of one replay (2 M N K per product). */
static inline double gemm_shapes_flops(const gemm_shapes *s)
{
    const double B = s->B, T = s->T, n = s->n, ni = s->n_in, no = s->n_out, sc = s->scored_all ? T : 1;
    return 2.0 * (T * B * n * ni + (T - 1) * B * n * n + T * B * no * n) /* forward */
           + 2.0 * (sc * B * n * no * 2)                                  /* L = dy W_out, dW_out */
           + 2.0 * ((T - 1) * B * n * n + (T - 1) * B * n * n + T * B * n * ni); /* deltas, dW_rec, dW_in */
}

static inline int gemm_shapes_alloc(gemm_shapes *s, int B, int T, int n, int n_in, int n_out, int scored_all, int single)
{
    const size_t TB = (size_t)T * B, e = single ? sizeof(float) : sizeof(double);
    *s = (gemm_shapes){.B = B, .T = T, .n = n, .n_in = n_in, .n_out = n_out, .scored_all = scored_all, .single = single};
    void **p[] = {&s->x, &s->w_in, &s->w_rec, &s->w_out, &s->v, &s->z, &s->y, &s->dy, &s->delta, &s->g_rec, &s->g_in, &s->g_out};
    size_t len[] = {TB * n_in, (size_t)n * n_in, (size_t)n * n, (size_t)n_out * n, TB * n, (TB + B) * n, TB * n_out, TB * n_out,
                    TB * n, (size_t)n * n, (size_t)n * n_in, (size_t)n_out * n};
    for (int i = 0; i < 12; i++) {
        *p[i] = malloc(e * len[i]);
        if (!*p[i]) return -1;
        for (size_t k = 0; k < len[i]; k++) {
            double val = 0.01 * (double)((k * 7 + (size_t)i) % 13) - 0.06;
            if (single) ((float *)*p[i])[k] = (float)val;
            else ((double *)*p[i])[k] = val;
        }
    }
    return 0;
}

static inline void gemm_shapes_free(gemm_shapes *s)
{
    void *p[] = {s->x, s->w_in, s->w_rec, s->w_out, s->v, s->z, s->y, s->dy, s->delta, s->g_rec, s->g_in, s->g_out};
    for (int i = 0; i < 12; i++) free(p[i]);
}

/* One product C = alpha op(A) op(B) + beta C, row-major, in the replay's precision. */
static inline void gemm_shapes_mm(const gemm_shapes *s, int ta, int tb, int M, int N, int K, const void *A, int lda, const void *Bm,
                                  int ldb, double beta, void *C, int ldc)
{
    if (s->single)
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 0.5f, A, lda, Bm, ldb,
                    (float)beta, C, ldc);
    else
        cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 0.5, A, lda, Bm, ldb,
                    beta, C, ldc);
}

/* The products of one iteration, in net.c's order. */
static inline void gemm_shapes_run(const gemm_shapes *s)
{
    const int B = s->B, T = s->T, n = s->n, ni = s->n_in, no = s->n_out;
    const size_t e = s->single ? sizeof(float) : sizeof(double), step = (size_t)B * n;
    char *x = s->x, *v = s->v, *z = s->z, *y = s->y, *dy = s->dy, *delta = s->delta;
#define AT(p, k) ((p) + (size_t)(k) * e)
    for (int t = 0; t < T; t++) {
        gemm_shapes_mm(s, 0, 1, B, n, ni, AT(x, (size_t)t * B * ni), ni, s->w_in, ni, 0.0, AT(v, t * step), n);
        if (t > 0) gemm_shapes_mm(s, 0, 1, B, n, n, AT(z, t * step), n, s->w_rec, n, 1.0, AT(v, t * step), n);
        gemm_shapes_mm(s, 0, 1, B, no, n, AT(z, (t + 1) * step), n, s->w_out, n, 1.0, AT(y, (size_t)t * B * no), no);
    }
    const int t0 = s->scored_all ? 0 : T - 1, rows = (T - t0) * B;
    gemm_shapes_mm(s, 0, 0, rows, n, no, AT(dy, (size_t)t0 * B * no), no, s->w_out, n, 0.0, AT(delta, t0 * step), n);
    gemm_shapes_mm(s, 1, 0, no, n, rows, AT(dy, (size_t)t0 * B * no), no, AT(z, (t0 + 1) * step), n, 1.0, s->g_out, n);
    const int chunk = B >= GEMM_WGRAD_ROWS ? 1 : GEMM_WGRAD_ROWS / B;
    int hi = T;
    for (int t = T - 1; t >= 0; t--) {
        /* beta 1 here (net.c: 0, then the elementwise finish): keeps the
         * replayed deltas from decaying into denormals over T steps */
        if (t < T - 1) gemm_shapes_mm(s, 0, 0, B, n, n, AT(delta, (t + 1) * step), n, s->w_rec, n, 1.0, AT(delta, t * step), n);
        if (hi - t < chunk && t > 0) continue;
        const int lo = t > 0 ? t : 1;
        if (hi > lo) gemm_shapes_mm(s, 1, 0, n, n, (hi - lo) * B, AT(delta, lo * step), n, AT(z, lo * step), n, 1.0, s->g_rec, n);
        gemm_shapes_mm(s, 1, 0, n, ni, (hi - t) * B, AT(delta, t * step), n, AT(x, (size_t)t * B * ni), ni, 1.0, s->g_in, ni);
        hi = t;
    }
#undef AT
}

#endif
