/* example.c - a complete, minimal learning rule to copy when you write your own.
 *
 *   cp rules/example.c rules/myrule.c   # rename "example" below to "myrule"
 *   make                                 # builds rules/myrule.so
 *   bin/credit train rule=myrule task=... out=results/runs/try
 *   bin/credit grad  rule=myrule task=...   # cosine with the exact gradient
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
 * The hooks are called in this order; every one but grad runs once. The kit
 * (rules/README.md): credit.h, <cblas.h>, the C library with libm, and
 * rules/trace.h; nothing else of the core is visible to a plugin.
 */
#include "credit.h"

#include <cblas.h>
#include <string.h>

/* 1. Options. Each is a config key, validated by the core like its own keys
 * (`credit plugins describe example` lists them). Values reach init in the
 * order of this table; a CHOICE arrives as its word (opt[k].s). */
enum { OPT_FEEDBACK };
static const credit_option example_options[] = {
    {"feedback", CREDIT_OPT_CHOICE, "symmetric", 0, 0, "symmetric|random", "learning signal through W_out^T or a fixed random matrix"},
};

/* 2. State. The core allocates state_size() bytes, zeroed, before init; the
 * rule never allocates. Workspaces are sized for the largest batch (B_max)
 * and live at the end of the same block. */
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

/* 3. init: carve the workspaces out of the block, draw anything fixed. Random
 * numbers come from a stream seeded by host->seed (derived from the run's
 * seed), so the same seed gives the same rule. */
static int example_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    example_state *s = state;
    s->B = (credit_real *)(s + 1);
    s->signal = s->B + (size_t)d->n * d->n_out;
    s->random_feedback = strcmp(opt[OPT_FEEDBACK].s, "random") == 0;
    if (s->random_feedback) {
        credit_rng rng;
        credit_rng_seed(&rng, host->seed, 0);
        double scale = 1.0 / sqrt((double)d->n_out);
        for (size_t k = 0; k < (size_t)d->n * d->n_out; k++) s->B[k] = scale * credit_rng_normal(&rng);
    }
    return CREDIT_OK;
}

/* 4. grad: called once per training batch, after the forward pass and the
 * loss. The trajectory holds everything (see credit_traj in core/credit.h:
 * z_prev are the presynaptic rates z_0..z_T-1, z the rates z_1..z_T); w is
 * read-only; accumulate the estimate into g->W_in and g->W_rec. W_out and b_out get
 * their exact gradient from the core, which also adds L2. Sequence sums are
 * written as one matrix product over all T*B rows, so the rule costs about
 * as much as a forward pass. */
static int example_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    (void)w;
    example_state *s = state;
    const size_t rows = (size_t)tr->T * tr->B, n = (size_t)tr->n;
    if (s->random_feedback) /* signal = dy B^T, row per (t, b) */
        CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, tr->n, tr->n_out, 1.0, tr->dy, tr->n_out, s->B,
                          tr->n_out, 0.0, s->signal, tr->n);
    else
        memcpy(s->signal, tr->L, sizeof(credit_real) * rows * n);
    for (size_t k = 0; k < rows * n; k++) s->signal[k] *= tr->psi[k];
    const credit_real c = 1.0 - tr->leak;
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, tr->n, tr->n, (int)rows, c, s->signal, tr->n, tr->z_prev, tr->n, 1.0,
                      g->W_rec, tr->n);
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, tr->n, tr->n_in, (int)rows, c, s->signal, tr->n, tr->x, tr->n_in,
                      1.0, g->W_in, tr->n_in);
    return CREDIT_OK;
}

/* 5. fini would release what init acquired; the core frees the state block
 * itself, so this rule needs none (fini = NULL). A rule whose state learns
 * (learned feedback) would add after_update, called after every optimizer
 * step, and save_size/save/load so that the state goes into checkpoints. */

/* 6. The descriptor: the common head (ABI version, size, kind, precision by
 * CREDIT_PLUGIN_HEAD; identity, flags, options), then the hooks. `name` must
 * match the file name (rules/example.so) and is what rule= selects and
 * results record. */
static const credit_rule example_rule = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
        .name = "example",
        .version = "1.0",
        .summary = "template: immediate credit (truncated BPTT, K = 1, leak path cut)",
        .citation = "template rule of this project; see rules/README.md",
        .flags = CREDIT_RULE_LOCAL,
        .options = example_options,
        .n_options = sizeof example_options / sizeof example_options[0],
    },
    .state_size = example_state_size,
    .init = example_init,
    .grad = example_grad,
};

/* 7. Export: one symbol in the .so, a uniquely named function in the test binary. */
CREDIT_RULE_EXPORT(example, example_rule)
