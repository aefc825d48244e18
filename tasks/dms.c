/* dms.c - delayed match-to-sample (tasks/README.md).
 *
 * Periods as neurogym's DelayMatchSample [ref]: fixation, sample, delay,
 * test, decision, each a whole number of steps. Input channel 0 is the
 * fixation cue (1 until the decision period, then 0: the go signal);
 * channels 1..S carry the stimuli, one-hot: stimulus s lights channel 1+s
 * during the sample period and the test stimulus during the test period.
 * Every channel gets fresh N(0, noise_sd^2) noise at every step. Two
 * outputs, match and non-match; cross-entropy on the decision steps (mask 1
 * each), the one-hot answer written at every step [ours]. Trial i of a split
 * draws its stimuli and noise from a stream named by (split, i) under
 * data_seed; the training set is that fixed finite set of trials [ours].
 */
#include "credit.h"

enum { P_FIX, P_SAMPLE, P_DELAY, P_TEST, P_DECISION, N_PERIODS };
enum { OPT_PERIODS = 0, OPT_STIMULI = N_PERIODS, OPT_MATCH, OPT_NOISE, OPT_PTEST_NOISE, OPT_TRAIN, OPT_VALID, OPT_TEST, OPT_SEED };
static const credit_option dms_options[] = {
    {"t_fixation", CREDIT_OPT_INT, "3", 0, 100000, NULL, "steps of fixation before the sample"},
    {"t_sample", CREDIT_OPT_INT, "3", 1, 100000, NULL, "steps the sample stimulus is shown"},
    {"t_delay", CREDIT_OPT_INT, "10", 0, 100000, NULL, "steps of delay between sample and test stimulus"},
    {"t_test", CREDIT_OPT_INT, "3", 1, 100000, NULL, "steps the test stimulus is shown"},
    {"t_decision", CREDIT_OPT_INT, "3", 1, 100000, NULL, "steps of the decision period, each scored"},
    {"stimuli", CREDIT_OPT_INT, "2", 2, 10000, NULL, "distinct stimuli, one input channel each (2: neurogym's two-choice ring)"},
    {"match_prob", CREDIT_OPT_REAL, "0.5", 0, 1, NULL, "probability that the test stimulus matches the sample"},
    {"noise_sd", CREDIT_OPT_REAL, "0.3", 0, 100, NULL, "sd of the fresh Gaussian noise on every input channel and step"},
    {"ptest_noise_sd", CREDIT_OPT_REAL, "0.5", 0, 100, NULL, "input noise sd of the perturbed test split"},
    {"train_size", CREDIT_OPT_INT, "256", 1, 1e8, NULL, "trials in the fixed training set"},
    {"valid_size", CREDIT_OPT_INT, "128", 0, 1e8, NULL, "trials in the validation split"},
    {"test_size", CREDIT_OPT_INT, "512", 1, 1e8, NULL, "trials in the test split and in the perturbed test split"},
    {"data_seed", CREDIT_OPT_INT, "1", 0, 4294967295.0, NULL, "seed of every trial's stimuli and noise (independent of the run seed)"},
};

#define STREAM_SPLIT(split) ((uint64_t)((split) + 1) << 40)

typedef struct dms_state {
    credit_task_info info;
    int start[N_PERIODS + 1]; /* first step of each period; start[N_PERIODS] = T */
    int S;
    double match_prob, noise[CREDIT_N_SPLITS];
    uint64_t seed;
} dms_state;

static size_t dms_state_size(const credit_value *opt)
{
    (void)opt;
    return sizeof(dms_state);
}

static int dms_init(void *state, const credit_value *opt, const credit_host *host, credit_task_info *info)
{
    dms_state *s = state;
    (void)host;
    s->start[0] = 0;
    for (int p = 0; p < N_PERIODS; p++) s->start[p + 1] = s->start[p] + (int)opt[OPT_PERIODS + p].i;
    s->S = (int)opt[OPT_STIMULI].i;
    s->match_prob = opt[OPT_MATCH].r;
    s->noise[CREDIT_SPLIT_TRAIN] = s->noise[CREDIT_SPLIT_VALID] = s->noise[CREDIT_SPLIT_TEST] = opt[OPT_NOISE].r;
    s->noise[CREDIT_SPLIT_TEST_PERTURBED] = opt[OPT_PTEST_NOISE].r;
    s->seed = (uint64_t)opt[OPT_SEED].i;
    s->info = (credit_task_info){.n_in = 1 + s->S, .n_out = 2, .T = s->start[N_PERIODS], .loss = CREDIT_LOSS_XENT};
    s->info.n_examples[CREDIT_SPLIT_TRAIN] = (uint64_t)opt[OPT_TRAIN].i;
    s->info.n_examples[CREDIT_SPLIT_VALID] = (uint64_t)opt[OPT_VALID].i;
    s->info.n_examples[CREDIT_SPLIT_TEST] = s->info.n_examples[CREDIT_SPLIT_TEST_PERTURBED] = (uint64_t)opt[OPT_TEST].i;
    *info = s->info;
    return CREDIT_OK;
}

static int dms_fill(void *state, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask)
{
    const dms_state *s = state;
    const int T = s->info.T, n_in = s->info.n_in;
    if (split < 0 || split >= CREDIT_N_SPLITS) return CREDIT_EINVAL;
    for (int b = 0; b < B; b++) {
        const uint64_t i = index[b];
        if (i >= s->info.n_examples[split]) return CREDIT_EINVAL;
        credit_rng rng;
        credit_rng_seed(&rng, s->seed, STREAM_SPLIT(split) | i);
        const int sample = (int)credit_rng_below(&rng, (uint64_t)s->S);
        const int match = credit_rng_uniform(&rng) < s->match_prob;
        /* A non-match test is one of the other S - 1 stimuli, uniformly. */
        int probe = match ? sample : (sample + 1 + (int)credit_rng_below(&rng, (uint64_t)s->S - 1)) % s->S;
        for (int t = 0, p = 0; t < T; t++) {
            while (t >= s->start[p + 1]) p++;
            const size_t row = (size_t)t * B + b;
            credit_real *xr = x + row * n_in;
            for (int c = 0; c < n_in; c++) xr[c] = s->noise[split] * credit_rng_normal(&rng);
            if (p != P_DECISION) xr[0] += 1.0;
            if (p == P_SAMPLE) xr[1 + sample] += 1.0;
            if (p == P_TEST) xr[1 + probe] += 1.0;
            target[row * 2] = match;
            target[row * 2 + 1] = !match;
            mask[row] = p == P_DECISION;
        }
    }
    return CREDIT_OK;
}

static const credit_task dms_task = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_TASK, credit_task),
        .name = "dms",
        .version = "1.0",
        .summary = "delayed match-to-sample: sample, delay, test stimulus, then match or non-match",
        .citation = "periods after neurogym DelayMatchSample (Molano-Mazon et al. 2022, arXiv 2209.07806); trial sets: this project",
        .options = dms_options,
        .n_options = sizeof dms_options / sizeof dms_options[0],
    },
    .state_size = dms_state_size,
    .init = dms_init,
    .fill = dms_fill,
};

CREDIT_TASK_EXPORT(dms, dms_task)
