/* rflo.c - random-feedback local online learning (Murray 2019).
 *
 * A fixed random matrix B carries the output error back; the trace filters
 * the product of the postsynaptic derivative and the presynaptic rate:
 *
 *   p_ij,t = a p_ij,t-1 + (1-a) psi_i,t z_j,t-1      (x_j,t for W_in), p_ij,0 = 0
 *   dW_ij  = sum_t s_i,t p_ij,t                      s_t = B dy_t  (or W_out^T dy_t)
 *
 * B ~ N(0, 1/n_out), n x n_out, drawn once from stream 0 of the rule's seed;
 * feedback_scale = wout rescales it to |B|_F = |W_out(0)|_F (science.md
 * section 3: Murray's scale is 2-2.6x W_out's at init).
 * Murray puts the leak on the rate, our network on the state; the trace is
 * transplanted unchanged (science.md section 3).
 *
 * Fast form: swapping the two sums, sum_t s_t sum_{u<=t} a^{t-u} (...)_u
 * = sum_u (sum_{t>=u} a^{t-u} s_t) (...)_u, so the learning signal is
 * filtered BACKWARD once, S_t = s_t + a S_{t+1} (O(T B n)), and
 * dW_rec = (1-a) (psi o S)^T Zprev is one gemm over the rows where S can be
 * non-zero: up to the last scored step (from the first one when a = 0).
 * tests/test_rules.c checks this against the per-synapse recursion above.
 */
#include "credit.h"
#include "trace.h"

enum { OPT_FEEDBACK, OPT_FEEDBACK_SCALE };
static const credit_option rflo_options[] = {
    {"feedback", CREDIT_OPT_CHOICE, "random", 0, 0, "random|symmetric",
     "learning signal B dy with fixed B ~ N(0, 1/n_out) from the rule's seed (random) or W_out^T dy (symmetric)"},
    {"feedback_scale", CREDIT_OPT_CHOICE, "murray", 0, 0, "murray|wout",
     "random B as drawn, N(0, 1/n_out) (Murray 2019), or rescaled so |B|_F = |W_out|_F of the initial weights"},
};

typedef struct rflo_state {
    int random_feedback;
    credit_real *B;   /* n x n_out random feedback (feedback=random) */
    credit_real *sig; /* [T][B_max][n] backward-filtered signal, then times psi */
} rflo_state;

static size_t rflo_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    return sizeof(rflo_state) + sizeof(credit_real) * ((size_t)d->n * d->n_out + (size_t)d->T * d->B_max * d->n);
}

static int rflo_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    rflo_state *s = state;
    s->B = (credit_real *)(s + 1);
    s->sig = s->B + (size_t)d->n * d->n_out;
    s->random_feedback = strcmp(opt[OPT_FEEDBACK].s, "random") == 0;
    if (!s->random_feedback) return CREDIT_OK;
    trace_random_feedback(s->B, d, host->seed);
    if (strcmp(opt[OPT_FEEDBACK_SCALE].s, "wout") == 0) return trace_feedback_scale_wout(s->B, d, host);
    return CREDIT_OK;
}

static int rflo_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    (void)w;
    rflo_state *s = state;
    int t0, t1;
    trace_scored_steps(tr, &t0, &t1);
    if (t0 == t1) return CREDIT_OK;
    const int n = tr->n;
    const size_t step = (size_t)tr->B * n;
    const credit_real a = tr->leak;
    const int u0 = a != 0.0 ? 0 : t0; /* the backward filter reaches every earlier step */
    trace_learning_signal(s->sig, tr, s->random_feedback ? s->B : NULL, t0, t1);
    memset(s->sig + (size_t)u0 * step, 0, sizeof(credit_real) * (size_t)(t0 - u0) * step);
    if (a != 0.0)
        for (int t = t1 - 2; t >= u0; t--) {
            credit_real *cur = s->sig + t * step;
            const credit_real *next = cur + step;
            for (size_t k = 0; k < step; k++) cur[k] += a * next[k];
        }
    trace_times_psi(s->sig, tr, u0, t1);
    const int rows = (t1 - u0) * tr->B;
    const size_t first = (size_t)u0 * tr->B;
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, 1.0 - a, s->sig + first * n, n, tr->z_prev + first * n, n, 1.0,
                      g->W_rec, n);
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, tr->n_in, rows, 1.0 - a, s->sig + first * n, n,
                      tr->x + first * tr->n_in, tr->n_in, 1.0, g->W_in, tr->n_in);
    return CREDIT_OK;
}

static const credit_rule rflo_rule = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
        .name = "rflo",
        .version = "1.0",
        .summary = "RFLO: random feedback times a trace of postsynaptic derivative x presynaptic rate",
        .citation = "Murray 2019, Local online learning in recurrent networks with random feedback, eLife 8:e43299",
        .flags = CREDIT_RULE_LOCAL,
        .options = rflo_options,
        .n_options = sizeof rflo_options / sizeof rflo_options[0],
    },
    .state_size = rflo_state_size,
    .init = rflo_init,
    .grad = rflo_grad,
};

CREDIT_RULE_EXPORT(rflo, rflo_rule)
