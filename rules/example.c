/* example.c - a complete, minimal learning rule to copy when you write your own.
 *
 *   sed 's/example/myrule/g' rules/example.c > rules/myrule.c
 *   make                                      # builds rules/myrule.so
 *   bin/credit grad rule=myrule task=dms      # cosine with the exact gradient
 *   make rule-report RULE=myrule              # the paper's protocol (after make data)
 *
 * The rule here is "immediate credit": each unit is credited only for the
 * loss at the same step, through its own derivative, with no memory at all:
 *
 *   dW_rec[i][j] = (1-a) sum_t  s_i,t psi_i,t z_j,t-1      s_t = feedback * dy_t
 *   dW_in[i][j]  = (1-a) sum_t  s_i,t psi_i,t x_j,t
 *
 * which is truncated BPTT with K = 1 and the leak path cut as well. The
 * learning signal s_t is W_out^T dy_t (symmetric feedback, the default) or
 * B dy_t with a fixed random B (feedback=random).
 *
 * The numbered comments follow rules/README.md ("ABI v2, hook by hook"),
 * steps 1-10. The kit: credit.h (with credit_views.h, which holds
 * credit_traj and the weight views), <cblas.h>, the C library with libm, and
 * rules/trace.h; nothing else of the core is visible to a plugin.
 */
#include "credit.h"
#include "trace.h"

#include <cblas.h>
#include <string.h>

/* The options by their place in the table (step 2), and the hooks
 * (steps 4-9), declared so that the descriptor can come first. */
enum { OPT_FEEDBACK, N_OPTIONS };
static const credit_option example_options[N_OPTIONS];
static size_t example_state_size(const credit_dims *d, const credit_value *opt);
static int example_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host);
static int example_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g);

/* 1. The head: ABI version, size, kind and precision (CREDIT_PLUGIN_HEAD),
 * then the identity. `name` must match the file name (rules/example.so) and
 * is what rule= selects and results record; bump `version` when the
 * estimate changes. Then the hooks the core calls. */
static const credit_rule example_rule = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
        .name = "example",
        .version = "1.0",
        .summary = "template: immediate credit (truncated BPTT, K = 1, leak path cut)",
        .citation = "template rule of this project; see rules/README.md",
        .flags = CREDIT_RULE_LOCAL, /* step 3 */
        .options = example_options,
        .n_options = N_OPTIONS,
    },
    .state_size = example_state_size,
    .init = example_init,
    .grad = example_grad,
    /* .fini, .after_update, .save_size, .save, .load: steps 7-9, NULL here */
};

/* 2. Options. Each is a config key, validated by the core like its own keys
 * (`credit plugins describe example` lists them). Values reach init in the
 * order of this table; a CHOICE arrives as its word (opt[k].s). */
static const credit_option example_options[N_OPTIONS] = {
    {"feedback", CREDIT_OPT_CHOICE, "symmetric", 0, 0, "symmetric|random", "learning signal through W_out^T or a fixed random matrix"},
};

/* 3. Flags (in the head): CREDIT_RULE_LOCAL, a broadcast error signal times
 * local quantities. CREDIT_RULE_EXACT would claim the true gradient, which
 * the conformance suite checks against BPTT; this rule must not set it. */

/* 4. state_size: the core allocates this many bytes, zeroed, before init;
 * the rule never allocates. Workspaces are sized for the largest batch
 * (B_max) and live at the end of the same block. */
typedef struct example_state {
    int random_feedback;
    credit_real *B;      /* n x n_out random feedback (only with feedback=random) */
    credit_real *signal; /* [T][B_max][n] learning signal times psi: the "delta" of this rule */
} example_state;

static size_t example_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    size_t TB = (size_t)d->T * d->B_max;
    return sizeof(example_state) + sizeof(credit_real) * ((size_t)d->n * d->n_out + TB * d->n);
}

/* 5. init: carve the workspaces out of the block, draw anything fixed. The
 * kit's random feedback comes from stream 0 of host->seed (derived from the
 * run's seed), the B every random-feedback rule of a run shares. */
static int example_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    example_state *s = state;
    s->B = (credit_real *)(s + 1);
    s->signal = s->B + (size_t)d->n * d->n_out;
    s->random_feedback = strcmp(opt[OPT_FEEDBACK].s, "random") == 0;
    if (s->random_feedback) trace_random_feedback(s->B, d, host->seed);
    return CREDIT_OK;
}

/* 6. grad: once per training batch, after the forward pass and the loss,
 * and by the measurements at other weights (so it changes no state). The
 * trajectory (credit_traj, in credit_views.h): z_prev are the presynaptic
 * rates z_0..z_T-1, z the rates z_1..z_T, each step a B x n block; w is
 * read-only. Accumulate the estimate into g->W_in and g->W_rec; W_out and
 * b_out get their exact gradient from the core, which also adds L2. Only
 * the steps with a loss carry a signal (trace_scored_steps), and the sums
 * over them are one matrix product each, so the rule costs about a
 * forward pass. */
static int example_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    (void)w;
    example_state *s = state;
    int t0, t1;
    trace_scored_steps(tr, &t0, &t1);
    if (t1 == t0) return CREDIT_OK;
    trace_learning_signal(s->signal, tr, s->random_feedback ? s->B : NULL, t0, t1);
    trace_times_psi(s->signal, tr, t0, t1);
    const int rows = (t1 - t0) * tr->B;
    const size_t first = (size_t)t0 * tr->B;
    const credit_real c = 1.0 - tr->leak;
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, tr->n, tr->n, rows, c, s->signal + first * tr->n, tr->n,
                      tr->z_prev + first * tr->n, tr->n, 1.0, g->W_rec, tr->n);
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, tr->n, tr->n_in, rows, c, s->signal + first * tr->n, tr->n,
                      tr->x + first * tr->n_in, tr->n_in, 1.0, g->W_in, tr->n_in);
    return CREDIT_OK;
}

/* 7. fini would release what init acquired beyond the block; the core frees
 * the block itself, so this rule needs none (fini = NULL). */

/* 8. after_update (optional): called after every optimizer step of
 * training, never by measurements. A rule whose state learns (learned
 * feedback: rules/kp.c) updates it here; this one has none. */

/* 9. save_size, save, load (all three with after_update): the state that
 * changes after init, into the checkpoint, so that a resumed run continues
 * bit for bit (rules/kp.c, rules/nodepert.c). None here. */

/* 10. Export: one symbol in the .so, a uniquely named function in the test binary. */
CREDIT_RULE_EXPORT(example, example_rule)
