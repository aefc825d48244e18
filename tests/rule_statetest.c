/* rule_statetest.c - a tiny stateful rule for the conformance tests (not a
 * rule anyone trains with): learned feedback in the style of Kolen-Pollack.
 * Its feedback matrix F (n x n_out, from the rule's seed) gives the signal
 * s_t = (F dy_t) o psi_t of an immediate-credit estimate, and after every
 * update F <- (1 - decay) F + step(W_out)^T, so F carries the whole history
 * of steps: a resume that lost it would go another way. It also counts the
 * updates it saw and refuses one out of order (once per iteration, never
 * twice, none missed across a resume). F and the workspace are credit_real,
 * as the arrays it is handed (doubles, or floats in the single-precision
 * build); the saved state is the count then F's n x n_out values. */
#include "credit.h"

#include <cblas.h>
#include <string.h>

/* Set by tests/test_conformance.c: load keeps the count but not F, to show
 * the resume check fails when a rule's state is lost. */
int statetest_forget_on_load;

enum { OPT_DECAY };
static const credit_option statetest_options[] = {
    {"decay", CREDIT_OPT_REAL, "0.1", 0, 1, NULL, "feedback decay per update"},
};

typedef struct statetest_state {
    int n, n_out;
    double decay;
    long updates; /* after_update calls so far: saved */
    credit_real *F;   /* n x n_out: saved */
    credit_real *sig; /* [T][B_max][n] workspace */
} statetest_state;

static size_t statetest_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    return sizeof(statetest_state) + sizeof(credit_real) * ((size_t)d->n * d->n_out + (size_t)d->T * d->B_max * d->n);
}

static int statetest_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    statetest_state *s = state;
    s->n = d->n;
    s->n_out = d->n_out;
    s->decay = opt[OPT_DECAY].r;
    s->F = (credit_real *)(s + 1);
    s->sig = s->F + (size_t)d->n * d->n_out;
    credit_rng rng;
    credit_rng_seed(&rng, host->seed, 0);
    for (size_t k = 0; k < (size_t)d->n * d->n_out; k++) s->F[k] = credit_rng_normal(&rng) / sqrt((double)d->n_out);
    return CREDIT_OK;
}

static int statetest_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    (void)w;
    statetest_state *s = state;
    const int rows = tr->T * tr->B, n = tr->n;
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, tr->n_out, 1.0, tr->dy, tr->n_out, s->F, tr->n_out, 0.0, s->sig, n);
    for (size_t k = 0; k < (size_t)rows * n; k++) s->sig[k] *= tr->psi[k];
    const double c = 1.0 - tr->leak;
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, c, s->sig, n, tr->z_prev, n, 1.0, g->W_rec, n);
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, tr->n_in, rows, c, s->sig, n, tr->x, tr->n_in, 1.0, g->W_in, tr->n_in);
    return CREDIT_OK;
}

static int statetest_after_update(void *state, const credit_update *u)
{
    statetest_state *s = state;
    if (u->iter != s->updates + 1) return CREDIT_EINVAL; /* a call missed or repeated */
    s->updates = u->iter;
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < s->n_out; k++)
            s->F[(size_t)i * s->n_out + k] = (1.0 - s->decay) * s->F[(size_t)i * s->n_out + k] + u->step->W_out[(size_t)k * s->n + i];
    return CREDIT_OK;
}

static size_t statetest_save_size(const void *state)
{
    const statetest_state *s = state;
    return sizeof s->updates + sizeof(credit_real) * (size_t)s->n * s->n_out;
}

static int statetest_save(const void *state, void *buf)
{
    const statetest_state *s = state;
    memcpy(buf, &s->updates, sizeof s->updates);
    memcpy((char *)buf + sizeof s->updates, s->F, sizeof(credit_real) * (size_t)s->n * s->n_out);
    return CREDIT_OK;
}

static int statetest_load(void *state, const void *buf, size_t bytes)
{
    statetest_state *s = state;
    if (bytes != statetest_save_size(s)) return CREDIT_EFORMAT;
    memcpy(&s->updates, buf, sizeof s->updates);
    if (statetest_forget_on_load) return CREDIT_OK; /* F stays as init drew it */
    memcpy(s->F, (const char *)buf + sizeof s->updates, sizeof(credit_real) * (size_t)s->n * s->n_out);
    return CREDIT_OK;
}

static const credit_rule statetest_rule = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
        .name = "statetest",
        .version = "1.0",
        .summary = "test rule: learned feedback updated after every step (conformance of stateful rules)",
        .citation = "tests/rule_statetest.c of this project",
        .options = statetest_options,
        .n_options = sizeof statetest_options / sizeof statetest_options[0],
    },
    .state_size = statetest_state_size,
    .init = statetest_init,
    .grad = statetest_grad,
    .after_update = statetest_after_update,
    .save_size = statetest_save_size,
    .save = statetest_save,
    .load = statetest_load,
};

CREDIT_RULE_EXPORT(statetest, statetest_rule)
