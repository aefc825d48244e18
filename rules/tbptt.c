/* tbptt.c - truncated backpropagation through time [ours].
 *
 * BPTT's error, split by loss time tau and by the number j of hops through
 * W_rec it has taken; the leak path does not count as a hop. Steps u <= tau:
 *
 *   d^tau,0_tau = psi_tau o L_tau,    d^tau,j_tau = 0 for j > 0
 *   d^tau,j_u   = psi_u o ((1-a) W_rec^T d^tau,j-1_u+1) + a d^tau,j_u+1
 *   dW_rec      = (1-a) sum_tau sum_u sum_{j<K} d^tau,j_u z_u-1^T       (x_u for W_in)
 *
 * Summed over j this is BPTT's delta_u, so K >= T (at most T-1 hops) is BPTT
 * at any leak; K = 1 keeps d^tau,0_u = a^(tau-u) psi_tau o L_tau, which is
 * e-prop's eligibility trace with symmetric feedback; at a = 0 a hop is a
 * step back, K = 2 is MDGL, and the rule is the classic window of K steps.
 *
 * Fast form: by linearity only the hop budget matters, not tau. One
 * backward sweep carries E^r_u = sum over tau of the errors that may still
 * take r hops (r = K-1-j), a stack of B x n blocks:
 *   E^r_u = psi_u o ((1-a) W_rec^T E^r+1_u+1) + a E^r_u+1,  E^K-1 gains psi_u o L_u;
 * the hop of budget 0 is dropped. At step u (0-based) at most u hops remain,
 * so every block with r >= u is never cut again: those merge into one block
 * that follows BPTT's own recursion (K >= T: that block alone, BPTT's sweep).
 * All blocks of one step are propagated by one gemm per run of adjacent
 * live blocks; a block is live once a signal reached it (with a = 0 the leak
 * does not keep it, so a loss time's error sits in one block per step).
 * D_u = sum of the blocks, then dW_rec = (1-a) D^T Zprev is one gemm over
 * all T*B rows. A step with dy = 0 in the whole batch adds no signal.
 *
 * Cost, in B x n x n products of the sweep (BPTT: T - 1), K <= T:
 *   a = 0, loss on the last step only (smnist)   K - 1               about K/T of BPTT's
 *   a = 0 and loss on every step, or any a > 0   (T - K + 1)(K - 1)  about K times BPTT's for
 *                                                K << T, up to T/4 times near K = T/2; K = T is BPTT's
 * (with a > 0 the leak keeps every budget alive back to step 1, whatever the
 * loss mask). The products of one step are one gemm of live*B rows, faster
 * per flop than BPTT's, so the wall time grows less than this count.
 * tests/test_rules.c checks it against a literal per-loss-time backprop
 * with a hop counter.
 */
#include "credit.h"

#include <cblas.h>
#include <string.h>

enum { OPT_K };
static const credit_option tbptt_options[] = {
    {"K", CREDIT_OPT_INT, "10", 1, 1e9, NULL,
     "truncation: hops through W_rec each loss time's error may take, plus one (K = 1 is eprop, K >= T is bptt; the leak path is kept)"},
};

typedef struct tbptt_state {
    int K;             /* min(K, T): the same estimate (at most T-1 hops) */
    int *live;         /* [K+1] block r holds a signal; block K is the merged one */
    credit_real *E;    /* [K+1][B_max][n] blocks by remaining hop budget, merged last */
    credit_real *P;    /* [K+1][B_max][n] (1-a) E W_rec of the step before */
    credit_real *D;    /* [T][B_max][n] sum of the blocks at each step */
} tbptt_state;

static int tbptt_budget(const credit_dims *d, const credit_value *opt)
{
    return opt[OPT_K].i < d->T ? (int)opt[OPT_K].i : d->T;
}

static size_t tbptt_state_size(const credit_dims *d, const credit_value *opt)
{
    size_t slots = (size_t)tbptt_budget(d, opt) + 1, blk = (size_t)d->B_max * d->n;
    return sizeof(tbptt_state) + sizeof(credit_real) * (2 * slots * blk + (size_t)d->T * blk) + sizeof(int) * slots;
}

static int tbptt_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    (void)host;
    tbptt_state *s = state;
    size_t blk = (size_t)d->B_max * d->n;
    s->K = tbptt_budget(d, opt);
    s->E = (credit_real *)(s + 1);
    s->P = s->E + (size_t)(s->K + 1) * blk;
    s->D = s->P + (size_t)(s->K + 1) * blk;
    s->live = (int *)(s->D + (size_t)d->T * blk);
    return CREDIT_OK;
}

static int scored(const credit_real *dy, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (dy[k] != 0.0) return 1;
    return 0;
}

/* o = psi o p (+ a o_old when keep). */
static void hop_in(credit_real *o, const credit_real *psi, const credit_real *p, credit_real a, int keep, size_t len)
{
    if (keep)
        for (size_t k = 0; k < len; k++) o[k] = psi[k] * p[k] + a * o[k];
    else
        for (size_t k = 0; k < len; k++) o[k] = psi[k] * p[k];
}

static int tbptt_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    tbptt_state *s = state;
    const int T = tr->T, n = tr->n, B = tr->B, rows = T * B, K = s->K, M = K;
    const size_t blk = (size_t)B * n;
    const credit_real a = tr->leak, c = 1.0 - a;
    credit_real *E = s->E, *P = s->P;
    int *live = s->live;
    memset(live, 0, sizeof(int) * (K + 1));

    for (int u = T - 1; u >= 0; u--) {
        const credit_real *psi = tr->psi + u * blk;
        if (u < T - 1) { /* carry the blocks from step u+1 to u */
            /* Products of every live block that can still hop (r >= 1, merged), one gemm per run. */
            for (int r = 1; r <= M;) {
                if (!live[r]) { r++; continue; }
                int end = r;
                while (end + 1 <= M && live[end + 1]) end++;
                CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasNoTrans, (end - r + 1) * B, n, n, c, E + r * blk, n, w->W_rec, n, 0.0,
                                  P + r * blk, n);
                r = end + 1;
            }
            /* Budget r receives the hop of r+1 and keeps its own leak; ascending r reads E^r+1 after. */
            for (int r = 0; r < K; r++) {
                int keep = live[r] && a != 0.0, in = r + 1 < K && live[r + 1];
                if (in) hop_in(E + r * blk, psi, P + (r + 1) * blk, a, keep, blk);
                else if (keep) CREDIT_BLAS(scal)((int)blk, a, E + r * blk, 1);
                live[r] = in || keep;
            }
            if (live[M]) hop_in(E + M * blk, psi, P + M * blk, a, 1, blk);
        }
        /* Budgets r >= u are never cut again: into the merged block. */
        for (int r = u; r < K; r++) {
            if (!live[r]) continue;
            credit_real *m = E + M * blk, *f = E + r * blk;
            if (live[M]) for (size_t k = 0; k < blk; k++) m[k] += f[k];
            else memcpy(m, f, sizeof(credit_real) * blk);
            live[M] = 1;
            live[r] = 0;
        }
        if (scored(tr->dy + (size_t)u * B * tr->n_out, (size_t)B * tr->n_out)) {
            const int r = K - 1 >= u ? M : K - 1;
            const credit_real *L = tr->L + u * blk;
            credit_real *o = E + r * blk;
            if (live[r]) for (size_t k = 0; k < blk; k++) o[k] += psi[k] * L[k];
            else for (size_t k = 0; k < blk; k++) o[k] = psi[k] * L[k];
            live[r] = 1;
        }
        credit_real *D = s->D + u * blk;
        int first = 1;
        for (int r = 0; r <= M; r++) {
            if (!live[r]) continue;
            const credit_real *f = E + r * blk;
            if (first) memcpy(D, f, sizeof(credit_real) * blk);
            else for (size_t k = 0; k < blk; k++) D[k] += f[k];
            first = 0;
        }
        if (first) memset(D, 0, sizeof(credit_real) * blk);
    }
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, c, s->D, n, tr->z_prev, n, 1.0, g->W_rec, n);
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, tr->n_in, rows, c, s->D, n, tr->x, tr->n_in, 1.0, g->W_in,
                      tr->n_in);
    return CREDIT_OK;
}

static const credit_rule tbptt_rule = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
        .name = "tbptt",
        .version = "2.0",
        .summary = "truncated BPTT: each loss time's error takes at most K-1 hops back through W_rec; the leak path is kept",
        .citation = "Williams & Peng 1990, An efficient gradient-based algorithm for on-line training of recurrent network trajectories, Neural Comput 2(4)",
        .options = tbptt_options,
        .n_options = sizeof tbptt_options / sizeof tbptt_options[0],
    },
    .state_size = tbptt_state_size,
    .init = tbptt_init,
    .grad = tbptt_grad,
};

CREDIT_RULE_EXPORT(tbptt, tbptt_rule)
