/* tbptt.c - truncated backpropagation through time [ours].
 *
 * The error of each loss time tau flows back through K steps, counting the
 * loss step itself (K = 1: that step alone), along both the recurrent and
 * the leak paths, exactly as in BPTT:
 *
 *   d^tau_tau = psi_tau o L_tau
 *   d^tau_u   = psi_u o ((1-a) W_rec^T d^tau_u+1) + a d^tau_u+1     tau-K < u < tau
 *   dW_rec    = (1-a) sum_tau sum_u d^tau_u z_u-1^T                  (x_u for W_in)
 *
 * K >= T is BPTT. Fast form: one backward sweep over time carrying every
 * open window tau (those with tau - u < K) as a stack of B x n blocks, all
 * propagated by ONE dgemm per step; D_u = sum_tau d^tau_u, then
 * dW_rec = (1-a) D^T Zprev is one dgemm over all T*B rows. Two savings keep
 * the cost down: a step with dy = 0 in the whole batch opens no window, and
 * windows that reach back to step 1 (tau <= K) never close, so by linearity
 * they are merged into one block (K >= T: a single block, BPTT's sweep).
 *
 * Cost, in B x n x n products of the backward sweep (BPTT: T - 1), K <= T:
 *   loss on the last step only (smnist)  K - 1              about K/T of BPTT's
 *   loss on every step                   (T - K + 1)(K - 1)  about K times BPTT's for
 *                                        K << T, up to T/4 times near K = T/2; K = T is BPTT's
 * (the products of one step are one dgemm of open*B rows, faster per flop
 * than BPTT's, so the wall time grows less than this count).
 * tests/test_rules.c checks it against a literal per-loss-time backprop.
 */
#include "credit.h"

#include <cblas.h>
#include <string.h>

enum { OPT_K };
static const credit_option tbptt_options[] = {
    {"K", CREDIT_OPT_INT, "10", 1, 1e9, NULL,
     "truncation: steps each loss time's error flows back, counting the loss step (K >= T is bptt)"},
};

typedef struct tbptt_state {
    long K;
    int slots;        /* min(K, T): most windows open at once */
    int *tau;         /* [slots] loss time of each open window, oldest first */
    double *stack[2]; /* [slots][B_max][n] each: open windows, and the next step's */
    double *D;        /* [T][B_max][n] sum of the windows at each step */
} tbptt_state;

static int tbptt_slots(const credit_dims *d, const credit_value *opt)
{
    return opt[OPT_K].i < d->T ? (int)opt[OPT_K].i : d->T;
}

static size_t tbptt_state_size(const credit_dims *d, const credit_value *opt)
{
    size_t slots = (size_t)tbptt_slots(d, opt), blk = (size_t)d->B_max * d->n;
    return sizeof(tbptt_state) + sizeof(double) * (2 * slots * blk + (size_t)d->T * blk) + sizeof(int) * slots;
}

static int tbptt_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    (void)host;
    tbptt_state *s = state;
    size_t blk = (size_t)d->B_max * d->n;
    s->K = opt[OPT_K].i;
    s->slots = tbptt_slots(d, opt);
    s->stack[0] = (double *)(s + 1);
    s->stack[1] = s->stack[0] + (size_t)s->slots * blk;
    s->D = s->stack[1] + (size_t)s->slots * blk;
    s->tau = (int *)(s->D + (size_t)d->T * blk);
    return CREDIT_OK;
}

static int scored(const double *dy, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (dy[k] != 0.0) return 1;
    return 0;
}

static int tbptt_grad(void *state, const credit_traj *tr, const credit_params *w, credit_params *g)
{
    tbptt_state *s = state;
    const int T = tr->T, n = tr->n, B = tr->B, rows = T * B;
    const size_t blk = (size_t)B * n;
    const double a = tr->leak, c = 1.0 - a;
    double *cur = s->stack[0], *nxt = s->stack[1];
    int open = 0; /* windows in cur, ordered by decreasing tau: the first closes first */

    for (int u = T - 1; u >= 0; u--) {
        const double *psi = tr->psi + u * blk;
        if (open > 0) { /* carry the windows from step u+1 to u */
            int drop = 0;
            while (drop < open && s->tau[drop] - u >= s->K) drop++;
            open -= drop;
            memmove(s->tau, s->tau + drop, sizeof(int) * open);
            const double *from = cur + drop * blk;
            if (open > 0) {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, open * B, n, n, c, from, n, w->W_rec, n, 0.0, nxt, n);
                for (int q = 0; q < open; q++) {
                    double *o = nxt + q * blk;
                    const double *f = from + q * blk;
                    for (size_t k = 0; k < blk; k++) o[k] = psi[k] * o[k] + a * f[k];
                }
            }
            double *swap = cur;
            cur = nxt;
            nxt = swap;
        }
        if (scored(tr->dy + (size_t)u * B * tr->n_out, (size_t)B * tr->n_out)) {
            const double *L = tr->L + u * blk;
            /* 0-based here: windows with tau < K stay open down to step 1. If
             * the newest open one has tau < K, so has this one (u < tau): add into it. */
            int merge = open > 0 && s->tau[open - 1] < s->K;
            double *o = cur + (size_t)(merge ? open - 1 : open) * blk;
            if (merge)
                for (size_t k = 0; k < blk; k++) o[k] += psi[k] * L[k];
            else {
                for (size_t k = 0; k < blk; k++) o[k] = psi[k] * L[k];
                s->tau[open++] = u;
            }
        }
        double *D = s->D + u * blk;
        if (open == 0) memset(D, 0, sizeof(double) * blk);
        else memcpy(D, cur, sizeof(double) * blk);
        for (int q = 1; q < open; q++) {
            const double *f = cur + q * blk;
            for (size_t k = 0; k < blk; k++) D[k] += f[k];
        }
    }
    /* z rows 0..T*B-1 are z_0..z_{T-1}: the presynaptic rates of steps 1..T. */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, c, s->D, n, tr->z, n, 1.0, g->W_rec, n);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, tr->n_in, rows, c, s->D, n, tr->x, tr->n_in, 1.0, g->W_in,
                tr->n_in);
    return CREDIT_OK;
}

static const credit_rule tbptt_rule = {
    .abi_version = CREDIT_ABI_VERSION,
    .struct_size = sizeof(credit_rule),
    .name = "tbptt",
    .version = "1.0",
    .summary = "truncated BPTT: each loss time's error flows back K steps (recurrent and leak paths)",
    .citation = "Williams & Peng 1990, An efficient gradient-based algorithm for on-line training of recurrent network trajectories, Neural Comput 2(4)",
    .flags = 0,
    .options = tbptt_options,
    .n_options = sizeof tbptt_options / sizeof tbptt_options[0],
    .state_size = tbptt_state_size,
    .init = tbptt_init,
    .grad = tbptt_grad,
};

CREDIT_RULE_EXPORT(tbptt, tbptt_rule)
