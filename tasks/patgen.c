/* patgen.c - pattern generation (tasks/README.md).
 *
 * K target time series, each the e-prop target [ref]: a sum of 4 sines with
 * periods T, T/2, T/3, T/5, amplitudes U(0.5, 2) and phases U(0, 2pi),
 * scaled to max |y| = 1, one per output. Pattern k is selected by its own
 * frozen input, a N(0, cue_sd^2) value per step and channel (e-prop's frozen
 * input noise, as rates) [ours]. A trial is (k, frozen input k + fresh
 * N(0, noise_sd^2) noise, target k); MSE on every step. The training set is
 * a fixed finite set of such trials, the test set fresh ones: trial i of a
 * split draws its noise from a stream named by (split, i) under data_seed,
 * and k = i mod K keeps the splits balanced [ours].
 */
#include "credit.h"

#include <string.h>

enum { OPT_STEPS, OPT_INPUTS, OPT_OUTPUTS, OPT_PATTERNS, OPT_CUE, OPT_NOISE, OPT_PTEST_NOISE, OPT_TRAIN, OPT_VALID, OPT_TEST, OPT_SEED };
static const credit_option patgen_options[] = {
    {"steps", CREDIT_OPT_INT, "50", 5, 100000, NULL, "T, steps per trial; the sines' periods are T, T/2, T/3, T/5"},
    {"inputs", CREDIT_OPT_INT, "20", 1, 100000, NULL, "input channels carrying the frozen pattern cue"},
    {"outputs", CREDIT_OPT_INT, "1", 1, 1000, NULL, "output channels, each its own sum of sines"},
    {"patterns", CREDIT_OPT_INT, "4", 1, 100000, NULL, "K, target patterns, each selected by its own frozen input"},
    {"cue_sd", CREDIT_OPT_REAL, "1", 0, 100, NULL, "sd of the frozen cue values (the input's scale)"},
    {"noise_sd", CREDIT_OPT_REAL, "0.3", 0, 100, NULL, "sd of the fresh Gaussian input noise of every trial"},
    {"ptest_noise_sd", CREDIT_OPT_REAL, "0.5", 0, 100, NULL, "input noise sd of the perturbed test split"},
    {"train_size", CREDIT_OPT_INT, "64", 1, 1e8, NULL, "trials in the fixed training set"},
    {"valid_size", CREDIT_OPT_INT, "128", 0, 1e8, NULL, "trials in the validation split"},
    {"test_size", CREDIT_OPT_INT, "512", 1, 1e8, NULL, "trials in the test split and in the perturbed test split"},
    {"data_seed", CREDIT_OPT_INT, "1", 0, 4294967295.0, NULL,
     "seed of the patterns and of every trial's noise (independent of the run seed)"},
};

#define STREAM_PATTERNS (15ull << 40)
#define STREAM_SPLIT(split) ((uint64_t)((split) + 1) << 40)

typedef struct patgen_state {
    credit_task_info info;
    int K;
    double noise[CREDIT_N_SPLITS];
    uint64_t seed;
    credit_real *cue;    /* [K][T][n_in]  frozen inputs  */
    credit_real *target; /* [K][T][n_out] target series */
} patgen_state;

static size_t patgen_state_size(const credit_value *opt)
{
    (void)opt;
    return sizeof(patgen_state);
}

static int patgen_init(void *state, const credit_value *opt, const credit_host *host, credit_task_info *info)
{
    patgen_state *s = state;
    const int T = (int)opt[OPT_STEPS].i, n_in = (int)opt[OPT_INPUTS].i, n_out = (int)opt[OPT_OUTPUTS].i;
    s->K = (int)opt[OPT_PATTERNS].i;
    s->seed = (uint64_t)opt[OPT_SEED].i;
    s->noise[CREDIT_SPLIT_TRAIN] = s->noise[CREDIT_SPLIT_VALID] = s->noise[CREDIT_SPLIT_TEST] = opt[OPT_NOISE].r;
    s->noise[CREDIT_SPLIT_TEST_PERTURBED] = opt[OPT_PTEST_NOISE].r;
    s->cue = host->alloc(host->ctx, sizeof(credit_real) * s->K * T * n_in);
    s->target = host->alloc(host->ctx, sizeof(credit_real) * s->K * T * n_out);
    if (!s->cue || !s->target) return host->error(host->ctx, CREDIT_ENOMEM, "out of memory for %d patterns", s->K);

    credit_rng rng;
    credit_rng_seed(&rng, s->seed, STREAM_PATTERNS);
    const double two_pi = 6.283185307179586, periods[4] = {T, T / 2.0, T / 3.0, T / 5.0};
    for (int k = 0; k < s->K; k++) {
        for (int o = 0; o < n_out; o++) {
            double amp[4], phase[4], peak = 0;
            for (int j = 0; j < 4; j++) amp[j] = 0.5 + 1.5 * credit_rng_uniform(&rng), phase[j] = two_pi * credit_rng_uniform(&rng);
            credit_real *y = s->target + (size_t)k * T * n_out + o;
            for (int t = 0; t < T; t++) {
                double v = 0;
                for (int j = 0; j < 4; j++) v += amp[j] * sin(two_pi * t / periods[j] + phase[j]);
                y[(size_t)t * n_out] = v;
                peak = fabs(v) > peak ? fabs(v) : peak;
            }
            for (int t = 0; t < T; t++) y[(size_t)t * n_out] /= peak; /* peak > 0: the 4 sines never cancel at every step */
        }
        credit_real *c = s->cue + (size_t)k * T * n_in;
        for (int m = 0; m < T * n_in; m++) c[m] = opt[OPT_CUE].r * credit_rng_normal(&rng);
    }
    s->info = (credit_task_info){.n_in = n_in, .n_out = n_out, .T = T, .loss = CREDIT_LOSS_MSE};
    s->info.n_examples[CREDIT_SPLIT_TRAIN] = (uint64_t)opt[OPT_TRAIN].i;
    s->info.n_examples[CREDIT_SPLIT_VALID] = (uint64_t)opt[OPT_VALID].i;
    s->info.n_examples[CREDIT_SPLIT_TEST] = s->info.n_examples[CREDIT_SPLIT_TEST_PERTURBED] = (uint64_t)opt[OPT_TEST].i;
    *info = s->info;
    return CREDIT_OK;
}

static int patgen_fill(void *state, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask)
{
    const patgen_state *s = state;
    const int T = s->info.T, n_in = s->info.n_in, n_out = s->info.n_out;
    if (split < 0 || split >= CREDIT_N_SPLITS) return CREDIT_EINVAL;
    for (int b = 0; b < B; b++) {
        const uint64_t i = index[b];
        if (i >= s->info.n_examples[split]) return CREDIT_EINVAL;
        const int k = (int)(i % (uint64_t)s->K);
        credit_rng rng;
        credit_rng_seed(&rng, s->seed, STREAM_SPLIT(split) | i);
        for (int t = 0; t < T; t++) {
            const size_t row = (size_t)t * B + b;
            const credit_real *cue = s->cue + ((size_t)k * T + t) * n_in;
            for (int c = 0; c < n_in; c++) x[row * n_in + c] = cue[c] + s->noise[split] * credit_rng_normal(&rng);
            memcpy(target + row * n_out, s->target + ((size_t)k * T + t) * n_out, sizeof(credit_real) * n_out);
            mask[row] = 1.0;
        }
    }
    return CREDIT_OK;
}

static const credit_task patgen_task = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_TASK, credit_task),
        .name = "patgen",
        .version = "1.0",
        .summary = "pattern generation: K sum-of-sines targets, each cued by its own frozen noisy input, MSE",
        .citation = "target after Bellec et al. 2020 (e-prop), Nat. Commun. 11:3625; K cued patterns: this project",
        .options = patgen_options,
        .n_options = sizeof patgen_options / sizeof patgen_options[0],
    },
    .state_size = patgen_state_size,
    .init = patgen_init,
    .fill = patgen_fill,
};

CREDIT_TASK_EXPORT(patgen, patgen_task)
