/* bptt.c - backpropagation through time: the exact gradient.
 *
 * The core owns the one BPTT implementation (it is also the reference every
 * other rule and every curvature measurement is compared with); this plugin
 * makes it selectable as rule=bptt through the host's bptt service. */
#include "credit.h"

typedef struct bptt_state { const credit_host *host; } bptt_state;

static size_t bptt_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)d; (void)opt;
    return sizeof(bptt_state);
}

static int bptt_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    (void)d; (void)opt;
    ((bptt_state *)state)->host = host;
    return CREDIT_OK;
}

static int bptt_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    const credit_host *host = ((bptt_state *)state)->host;
    return host->bptt(host->ctx, tr, w, g);
}

static const credit_rule bptt_rule = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
        .name = "bptt",
        .version = "1.0",
        .summary = "backpropagation through time: the exact gradient",
        .citation = "Werbos 1990, Backpropagation through time: what it does and how to do it, Proc. IEEE 78(10)",
        .flags = CREDIT_RULE_EXACT,
    },
    .state_size = bptt_state_size,
    .init = bptt_init,
    .grad = bptt_grad,
};

CREDIT_RULE_EXPORT(bptt, bptt_rule)
