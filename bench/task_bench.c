/* task_bench.c - the synthetic task `make bench` times (not a research task).
 *
 * A fixed set of random sequences, stored at init like smnist's images, so a
 * batch costs a copy and the timings measure the trainer, not a generator:
 *   loss=xent_last  inputs U(0,1), a random class scored at the last step
 *                   (the shape of row-wise sequential MNIST);
 *   loss=mse_all    inputs U(0,1), N(0, 0.25) targets scored at every step
 *                   (the shape of pattern generation).
 * Built into build/bench/tasks/, outside tasks/, so the research pipeline and
 * the conformance suite never see it. */
#include "credit.h"

#include <string.h>

enum { OPT_LOSS, OPT_T, OPT_N_IN, OPT_N_OUT, OPT_N_EXAMPLES };
static const credit_option bench_options[] = {
    {"loss", CREDIT_OPT_CHOICE, "xent_last", 0, 0, "xent_last|mse_all", "cross-entropy at the last step, or MSE at every step"},
    {"T", CREDIT_OPT_INT, "28", 1, 100000, NULL, "steps per sequence"},
    {"n_in", CREDIT_OPT_INT, "28", 1, 100000, NULL, "input channels"},
    {"n_out", CREDIT_OPT_INT, "10", 1, 100000, NULL, "outputs (classes)"},
    {"n_examples", CREDIT_OPT_INT, "1024", 1, 1e7, NULL, "sequences in every split"},
};

typedef struct bench_state {
    int mse, T, n_in, n_out;
    uint64_t n;
    credit_real *x;      /* [example][t][n_in] */
    credit_real *target; /* [example][t][n_out] (mse) */
    int *label;     /* [example] (xent) */
} bench_state;

static size_t bench_state_size(const credit_value *opt)
{
    (void)opt;
    return sizeof(bench_state);
}

static int bench_init(void *state, const credit_value *opt, const credit_host *host, credit_task_info *info)
{
    bench_state *s = state;
    s->mse = strcmp(opt[OPT_LOSS].s, "mse_all") == 0;
    s->T = (int)opt[OPT_T].i;
    s->n_in = (int)opt[OPT_N_IN].i;
    s->n_out = (int)opt[OPT_N_OUT].i;
    s->n = (uint64_t)opt[OPT_N_EXAMPLES].i;
    size_t steps = (size_t)s->n * s->T;
    s->x = host->alloc(host->ctx, sizeof(credit_real) * steps * s->n_in);
    s->target = s->mse ? host->alloc(host->ctx, sizeof(credit_real) * steps * s->n_out) : NULL;
    s->label = host->alloc(host->ctx, sizeof(int) * s->n);
    if (!s->x || !s->label || (s->mse && !s->target)) return host->error(host->ctx, CREDIT_ENOMEM, "out of memory for the data");
    credit_rng rng;
    credit_rng_seed(&rng, host->seed, 0);
    for (size_t k = 0; k < steps * s->n_in; k++) s->x[k] = credit_rng_uniform(&rng);
    for (uint64_t e = 0; e < s->n; e++) s->label[e] = (int)credit_rng_below(&rng, (uint64_t)s->n_out);
    if (s->mse)
        for (size_t k = 0; k < steps * s->n_out; k++) s->target[k] = 0.5 * credit_rng_normal(&rng);
    info->n_in = s->n_in;
    info->n_out = s->n_out;
    info->T = s->T;
    info->loss = s->mse ? CREDIT_LOSS_MSE : CREDIT_LOSS_XENT;
    /* Every split is the same set: the bench trains and never evaluates. */
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) info->n_examples[sp] = s->n;
    return CREDIT_OK;
}

static int bench_fill(void *state, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask)
{
    (void)split;
    const bench_state *s = state;
    const int T = s->T, n_in = s->n_in, n_out = s->n_out;
    for (int b = 0; b < B; b++) {
        const uint64_t e = index[b];
        for (int t = 0; t < T; t++) {
            size_t r = (size_t)t * B + b, src = (size_t)e * T + t;
            memcpy(x + r * n_in, s->x + src * n_in, sizeof(credit_real) * n_in);
            if (s->mse) {
                memcpy(target + r * n_out, s->target + src * n_out, sizeof(credit_real) * n_out);
                mask[r] = 1.0;
            } else {
                for (int k = 0; k < n_out; k++) target[r * n_out + k] = t == T - 1 && k == s->label[e];
                mask[r] = t == T - 1;
            }
        }
    }
    return CREDIT_OK;
}

static const credit_task bench_task = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_TASK, credit_task),
        .name = "bench",
        .version = "1.0",
        .summary = "synthetic sequences of the benchmark sizes (make bench only)",
        .citation = "benchmark task of this project; see bench/README.md",
        .options = bench_options,
        .n_options = sizeof bench_options / sizeof bench_options[0],
    },
    .state_size = bench_state_size,
    .init = bench_init,
    .fill = bench_fill,
};

CREDIT_TASK_EXPORT(bench, bench_task)
