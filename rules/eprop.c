/* eprop.c - e-prop (Bellec et al. 2020), the authors' "three-factor" rule.
 *
 * The gradient through z_{t-1} in the recurrent input is cut; the leak path
 * is kept. Online, every synapse carries an eligibility trace
 *
 *   eps_j,t = a eps_j,t-1 + (1-a) z_j,t-1        (x_j,t for W_in), eps_j,0 = 0
 *   e_ij,t  = psi_i,t eps_j,t
 *   dW_ij   = sum_t s_i,t e_ij,t                  s_t = W_out^T dy_t  (or B dy_t)
 *
 * eps depends on the presynaptic unit only, so the sequence sum is one
 * matrix product: filter z and x forward in time once (O(T B n)), then
 * dW_rec = (s o psi)^T Eps over the rows of the scored steps (one gemm, as
 * in BPTT's last step; rows with no loss carry no signal). The filter is kept
 * unscaled and (1-a) goes into the product; with a = 0 the filter is the
 * identity and the trajectory is used directly (rules/trace.h).
 * tests/test_rules.c checks this against the per-synapse recursion above.
 */
#include "credit.h"
#include "trace.h"

enum { OPT_FEEDBACK };
static const credit_option eprop_options[] = {
    {"feedback", CREDIT_OPT_CHOICE, "symmetric", 0, 0, "symmetric|random",
     "learning signal W_out^T dy (symmetric) or B dy with fixed B ~ N(0, 1/n_out) from the rule's seed"},
};

typedef struct eprop_state {
    int random_feedback;
    credit_real *B;     /* n x n_out random feedback (feedback=random) */
    credit_real *sig;   /* [T][B_max][n]    s o psi                    */
    credit_real *eps_z; /* [T][B_max][n]    filtered z_{t-1}, unscaled */
    credit_real *eps_x; /* [T][B_max][n_in] filtered x_t, unscaled     */
} eprop_state;

static size_t eprop_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    size_t TB = (size_t)d->T * d->B_max;
    return sizeof(eprop_state) + sizeof(credit_real) * ((size_t)d->n * d->n_out + TB * (2 * (size_t)d->n + d->n_in));
}

static int eprop_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    eprop_state *s = state;
    size_t TB = (size_t)d->T * d->B_max;
    s->B = (credit_real *)(s + 1);
    s->sig = s->B + (size_t)d->n * d->n_out;
    s->eps_z = s->sig + TB * d->n;
    s->eps_x = s->eps_z + TB * d->n;
    s->random_feedback = strcmp(opt[OPT_FEEDBACK].s, "random") == 0;
    if (s->random_feedback) trace_random_feedback(s->B, d, host->seed);
    return CREDIT_OK;
}

static int eprop_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    (void)w;
    eprop_state *s = state;
    int t0, t1;
    trace_scored_steps(tr, &t0, &t1);
    if (t0 == t1) return CREDIT_OK;
    trace_learning_signal(s->sig, tr, s->random_feedback ? s->B : NULL, t0, t1);
    trace_times_psi(s->sig, tr, t0, t1);
    trace_eprop_product(tr, s->sig, s->eps_z, s->eps_x, t0, t1, g);
    return CREDIT_OK;
}

static const credit_rule eprop_rule = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
        .name = "eprop",
        .version = "1.0",
        .summary = "e-prop: eligibility traces of the presynaptic rate times a broadcast learning signal",
        .citation = "Bellec et al. 2020, A solution to the learning dilemma for recurrent networks of spiking neurons, Nat Commun 11:3625",
        .flags = CREDIT_RULE_LOCAL,
        .options = eprop_options,
        .n_options = sizeof eprop_options / sizeof eprop_options[0],
    },
    .state_size = eprop_state_size,
    .init = eprop_init,
    .grad = eprop_grad,
};

CREDIT_RULE_EXPORT(eprop, eprop_rule)
