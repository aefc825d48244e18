/* mdgl.c - multidigraph learning (Liu et al. 2021): e-prop plus one step of
 * non-local credit through the recurrent weights.
 *
 *   L'_t  = L_t + (1-a) W_rec^T (psi_t+1 o L_t+1)     L_T+1 = 0
 *   dW_ij = sum_t L'_i,t e_ij,t                        e_ij,t the e-prop trace
 *
 * L_t = W_out^T dy_t (or B dy_t with feedback=random). Online, the second
 * term is the modulatory signal neuron l sends at step t+1 through W_li to
 * synapse ij with its trace of step t. Liu's rate-network code uses the exact
 * W_rec (the default here, and the only choice: the spiking PNAS version
 * averages W_rec over E/I cell types, which this network does not have).
 *
 * Fast form: the non-local term of every step at once is one gemm, then
 * the e-prop fast form (forward filter of z and x, one gemm each), over
 * the scored steps and the step before each (rules/trace.h).
 * tests/test_rules.c checks it against the online sums.
 */
#include "credit.h"
#include "trace.h"

enum { OPT_FEEDBACK };
static const credit_option mdgl_options[] = {
    {"feedback", CREDIT_OPT_CHOICE, "symmetric", 0, 0, "symmetric|random",
     "readout feedback W_out^T dy (symmetric) or B dy with fixed B ~ N(0, 1/n_out) from the rule's seed; W_rec is exact"},
};

typedef struct mdgl_state {
    int random_feedback;
    credit_real *B;     /* n x n_out random feedback (feedback=random) */
    credit_real *h;     /* [T][B_max][n]    psi o L                    */
    credit_real *sig;   /* [T][B_max][n]    psi o L'                   */
    credit_real *eps_z; /* [T][B_max][n]    filtered z_{t-1}, unscaled */
    credit_real *eps_x; /* [T][B_max][n_in] filtered x_t, unscaled     */
} mdgl_state;

static size_t mdgl_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    size_t TB = (size_t)d->T * d->B_max;
    return sizeof(mdgl_state) + sizeof(credit_real) * ((size_t)d->n * d->n_out + TB * (3 * (size_t)d->n + d->n_in));
}

static int mdgl_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    mdgl_state *s = state;
    size_t TB = (size_t)d->T * d->B_max;
    s->B = (credit_real *)(s + 1);
    s->h = s->B + (size_t)d->n * d->n_out;
    s->sig = s->h + TB * d->n;
    s->eps_z = s->sig + TB * d->n;
    s->eps_x = s->eps_z + TB * d->n;
    s->random_feedback = strcmp(opt[OPT_FEEDBACK].s, "random") == 0;
    if (s->random_feedback) trace_random_feedback(s->B, d, host->seed);
    return CREDIT_OK;
}

static int mdgl_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    mdgl_state *s = state;
    int t0, t1;
    trace_scored_steps(tr, &t0, &t1);
    if (t0 == t1) return CREDIT_OK;
    const int n = tr->n, u0 = t0 > 0 ? t0 - 1 : 0; /* L' reaches one step before the first loss */
    const size_t step = (size_t)tr->B * n;
    trace_learning_signal(s->sig, tr, s->random_feedback ? s->B : NULL, t0, t1);
    for (size_t k = (size_t)t0 * step; k < (size_t)t1 * step; k++) s->h[k] = tr->psi[k] * s->sig[k];
    memset(s->sig + (size_t)u0 * step, 0, sizeof(credit_real) * (size_t)(t0 - u0) * step);
    /* L'_t += (1-a) W_rec^T h_{t+1} for t in [u0, t1-1): row-major, row (t, b) of h_{t+1} W_rec. */
    if (t1 - 1 > u0)
        CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasNoTrans, (t1 - 1 - u0) * tr->B, n, n, 1.0 - tr->leak,
                          s->h + (size_t)(u0 + 1) * step, n, w->W_rec, n, 1.0, s->sig + (size_t)u0 * step, n);
    trace_times_psi(s->sig, tr, u0, t1);
    trace_eprop_product(tr, s->sig, s->eps_z, s->eps_x, u0, t1, g);
    return CREDIT_OK;
}

static const credit_rule mdgl_rule = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
        .name = "mdgl",
        .version = "1.0",
        .summary = "MDGL: e-prop plus one step of credit through the recurrent weights",
        .citation = "Liu et al. 2021, Cell-type-specific neuromodulation guides synaptic credit assignment in a spiking neural network, PNAS 118(51):e2111821118",
        .flags = 0, /* the W_rec^T term carries other neurons' signals through specific weights */
        .options = mdgl_options,
        .n_options = sizeof mdgl_options / sizeof mdgl_options[0],
    },
    .state_size = mdgl_state_size,
    .init = mdgl_init,
    .grad = mdgl_grad,
};

CREDIT_RULE_EXPORT(mdgl, mdgl_rule)
