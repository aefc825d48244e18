/* kp.c - learned feedback, Kolen-Pollack style (Kolen & Pollack 1994;
 * Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019).
 *
 * The estimate is e-prop's (rules/eprop.c) with the learning signal B dy_t:
 *
 *   eps_j,t = a eps_j,t-1 + (1-a) z_j,t-1   (x_j,t for W_in);  dW_ij = sum_t (B dy_t)_i psi_i,t eps_j,t
 *
 * but B (n x n_out) is learned. It starts as the random feedback of
 * rules/trace.h (feedback_scale = wout: rescaled to |W_out(0)|_F, as rflo's
 * option), and after every optimizer step it receives the transpose of
 * the update W_out received, with its own weight decay lambda (`decay`):
 *
 *   B <- B - eta (G_out^T + lambda B)
 *
 * where G_out is the task-loss gradient of W_out. The rule recovers it from
 * the step just taken: under SGD, step = -eta (G_out + l2 W_before) with
 * W_before = W_after - step, so G_out = -step / eta - l2 W_before, and the
 * update above is, written without the division,
 *
 *   B <- B + step^T + eta l2 W_before^T - eta lambda B.
 *
 * Each B_ik changes by what W_out_ki changed by (hidden rate z_i times output
 * error dy_k, a local product at that synapse) apart from the decay, which
 * is KP's point: D = B - W_out^T obeys
 *
 *   D <- (1 - eta lambda) D + eta (l2 - lambda) W_before^T,
 *
 * so with lambda = l2 the random part of B decays by (1 - eta lambda) per
 * step and B comes to equal W_out^T (symmetric feedback); with lambda != l2 B
 * tends to (l2 / lambda) W_out^T where W_out changes slowly (lambda = 0: no
 * alignment at all). Under Adam the same formula reads -step / eta - l2 W_before
 * as G_out, which is then Adam's preconditioned direction minus the L2 share,
 * not the task gradient; the identity for D holds unchanged (it uses only
 * step), so B still follows W_out's actual steps and the decay contracts D.
 * At lr = 0 nothing moves and B is left as it is.
 *
 * decay defaults to 0.01, the authors' sMNIST l2: at their settings B and
 * W_out decay alike (KP's condition) and the contraction 1 - eta lambda =
 * 1 - 1e-4 per step aligns B within the 16,000 iterations of the bio rules'
 * runs (1 / (eta lambda) = 10,000 iterations).
 *
 * B changes after init, so it is saved into and loaded from the checkpoint
 * (n x n_out credit_real values, row-major: doubles, or floats in the
 * single-precision build). tests/test_rules2.c checks the estimate
 * against the per-synapse recursion and after_update against the formula.
 */
#include "credit.h"
#include "trace.h"

#include <string.h>

enum { OPT_DECAY, OPT_FEEDBACK_SCALE };
static const credit_option kp_options[] = {
    {"decay", CREDIT_OPT_REAL, "0.01", 0, 1e6, NULL,
     "weight decay lambda of the learned feedback B: B <- B - lr (G_out^T + lambda B); lambda = l2 makes B - W_out^T contract"},
    {"feedback_scale", CREDIT_OPT_CHOICE, "murray", 0, 0, "murray|wout",
     "initial B as drawn, N(0, 1/n_out) (Murray 2019), or rescaled so |B|_F = |W_out|_F of the initial weights (rflo's option)"},
};

typedef struct kp_state {
    const credit_host *host;
    double decay;
    int n, n_out;
    credit_real *B;     /* n x n_out learned feedback */
    credit_real *sig;   /* [T][B_max][n]    B dy o psi                 */
    credit_real *eps_z; /* [T][B_max][n]    filtered z_{t-1}, unscaled */
    credit_real *eps_x; /* [T][B_max][n_in] filtered x_t, unscaled     */
} kp_state;

static size_t kp_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    size_t TB = (size_t)d->T * d->B_max;
    return sizeof(kp_state) + sizeof(credit_real) * ((size_t)d->n * d->n_out + TB * (2 * (size_t)d->n + d->n_in));
}

static int kp_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    kp_state *s = state;
    size_t TB = (size_t)d->T * d->B_max;
    s->host = host;
    s->decay = opt[OPT_DECAY].r;
    s->n = d->n;
    s->n_out = d->n_out;
    s->B = (credit_real *)(s + 1);
    s->sig = s->B + (size_t)d->n * d->n_out;
    s->eps_z = s->sig + TB * d->n;
    s->eps_x = s->eps_z + TB * d->n;
    trace_random_feedback(s->B, d, host->seed);
    if (strcmp(opt[OPT_FEEDBACK_SCALE].s, "wout") == 0) return trace_feedback_scale_wout(s->B, d, host);
    return CREDIT_OK;
}

static int kp_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    (void)w;
    kp_state *s = state;
    int t0, t1;
    trace_scored_steps(tr, &t0, &t1);
    if (t0 == t1) return CREDIT_OK;
    trace_learning_signal(s->sig, tr, s->B, t0, t1);
    trace_times_psi(s->sig, tr, t0, t1);
    trace_eprop_product(tr, s->sig, s->eps_z, s->eps_x, t0, t1, g);
    return CREDIT_OK;
}

static int kp_after_update(void *state, const credit_update *u)
{
    kp_state *s = state;
    const int n = s->n, n_out = s->n_out;
    const double eta = u->lr, keep = 1.0 - eta * s->decay;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n_out; k++) {
            const credit_real step = u->step->W_out[(size_t)k * n + i], before = u->w->W_out[(size_t)k * n + i] - step;
            credit_real *b = &s->B[(size_t)i * n_out + k];
            *b = keep * *b + step + eta * u->l2 * before;
        }
    return CREDIT_OK;
}

static size_t kp_save_size(const void *state)
{
    const kp_state *s = state;
    return sizeof(credit_real) * (size_t)s->n * s->n_out;
}

static int kp_save(const void *state, void *buf)
{
    const kp_state *s = state;
    memcpy(buf, s->B, kp_save_size(s));
    return CREDIT_OK;
}

static int kp_load(void *state, const void *buf, size_t bytes)
{
    kp_state *s = state;
    if (bytes != kp_save_size(s))
        return s->host->error(s->host->ctx, CREDIT_EFORMAT, "kp: saved state of %zu bytes, expected %zu (B is %d x %d)", bytes,
                              kp_save_size(s), s->n, s->n_out);
    memcpy(s->B, buf, bytes);
    return CREDIT_OK;
}

static const credit_rule kp_rule = {
    .head = {CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
             .name = "kp",
             .version = "1.0",
             .summary = "Kolen-Pollack: e-prop traces with a feedback matrix B learned by W_out's own update plus decay",
             .citation = "Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019, Deep learning without weight transport, NeurIPS 32; "
                         "Kolen & Pollack 1994, Backpropagation without weight transport, IEEE ICNN",
             .flags = CREDIT_RULE_LOCAL,
             .options = kp_options,
             .n_options = sizeof kp_options / sizeof kp_options[0]},
    .state_size = kp_state_size,
    .init = kp_init,
    .grad = kp_grad,
    .after_update = kp_after_update,
    .save_size = kp_save_size,
    .save = kp_save,
    .load = kp_load,
};

CREDIT_RULE_EXPORT(kp, kp_rule)
