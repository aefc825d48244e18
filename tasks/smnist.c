/* smnist.c - sequential MNIST, one image row per step (tasks/README.md).
 *
 * T = rows (28), n_in = cols (28), 10 classes, cross-entropy on the last step
 * only, pixels / 255 [code]. Splits as the authors' code: train = the first
 * (count - valid_size) images of the official training file, valid = its last
 * valid_size (5,000), test = the official test file; train_size subsamples the
 * training split with the data_seed stream, so the data set does not change
 * with the run seed. The perturbed test split is the test split with N(0,
 * ptest_noise_sd^2) pixel noise, clipped to [0, 1], fixed per example.
 * Images stay bytes in host memory; fill scales them.
 */
#define _POSIX_C_SOURCE 200809L /* stat (idx.h) */
#include "credit.h"
#include "idx.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_DATA_DIR, OPT_VALID_SIZE, OPT_TRAIN_SIZE, OPT_DATA_SEED, OPT_PTEST_NOISE };
static const credit_option smnist_options[] = {
    {"data_dir", CREDIT_OPT_STRING, "data/mnist", 0, 0, NULL,
     "directory of the four MNIST IDX files, uncompressed (make data fetches them)"},
    {"valid_size", CREDIT_OPT_INT, "5000", 0, 1e7, NULL,
     "validation split: the last valid_size images of the training file (authors: 5000; the rest is the training split)"},
    {"train_size", CREDIT_OPT_INT, "0", 0, 1e7, NULL, "training examples drawn (by data_seed) from the training split; 0 = all"},
    {"data_seed", CREDIT_OPT_INT, "1", 0, 4294967295.0, NULL,
     "seed of the train_size subsample and the perturbed-test noise (independent of the run seed)"},
    {"ptest_noise_sd", CREDIT_OPT_REAL, "0.2", 0, 100, NULL,
     "perturbed test split: sd of the Gaussian pixel noise, result clipped to [0,1] (authors' noisy test branch: 0.2)"},
};

enum { CLASSES = 10 };
/* Stream names under data_seed; the noise streams add the example index. */
#define STREAM_SUBSAMPLE (1ull << 40)
#define STREAM_PTEST (2ull << 40)

typedef struct smnist_state {
    credit_task_info info;
    idx_data train_img, train_lab, test_img, test_lab;
    uint32_t n_fit;       /* images of the training file before the validation block */
    uint32_t *train_map;  /* training example -> image, when subsampled */
    uint64_t data_seed;
    double noise_sd;
} smnist_state;

static size_t smnist_state_size(const credit_value *opt)
{
    (void)opt;
    return sizeof(smnist_state);
}

/* The usual name (train-images-idx3-ubyte), else the variant with a dot
 * some mirrors use (train-images.idx3-ubyte); errors name the usual one. */
static void find_file(char *path, size_t len, const char *dir, const char *stem, const char *kind)
{
    snprintf(path, len, "%s/%s-%s", dir, stem, kind);
    FILE *fp = fopen(path, "rb");
    if (fp) { fclose(fp); return; }
    snprintf(path, len, "%s/%s.%s", dir, stem, kind);
    if ((fp = fopen(path, "rb"))) { fclose(fp); return; }
    snprintf(path, len, "%s/%s-%s", dir, stem, kind);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int smnist_init(void *state, const credit_value *opt, const credit_host *host, credit_task_info *info)
{
    smnist_state *s = state;
    const char *dir = opt[OPT_DATA_DIR].s;
    char p[4][4200];
    find_file(p[0], sizeof p[0], dir, "train-images", "idx3-ubyte");
    find_file(p[1], sizeof p[1], dir, "train-labels", "idx1-ubyte");
    find_file(p[2], sizeof p[2], dir, "t10k-images", "idx3-ubyte");
    find_file(p[3], sizeof p[3], dir, "t10k-labels", "idx1-ubyte");
    int st = idx_read_pair(p[0], p[1], CLASSES, host, &s->train_img, &s->train_lab);
    if (!st) st = idx_read_pair(p[2], p[3], CLASSES, host, &s->test_img, &s->test_lab);
    if (st) return st;
    if (s->train_img.rows != s->test_img.rows || s->train_img.cols != s->test_img.cols)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s has %u x %u images but %s has %u x %u", p[0], s->train_img.rows,
                           s->train_img.cols, p[2], s->test_img.rows, s->test_img.cols);

    const uint64_t valid = (uint64_t)opt[OPT_VALID_SIZE].i, want = (uint64_t)opt[OPT_TRAIN_SIZE].i;
    if (valid >= s->train_img.count)
        return host->error(host->ctx, CREDIT_EINVAL, "valid_size = %llu leaves no training images in %s (%u images)",
                           (unsigned long long)valid, p[0], s->train_img.count);
    s->n_fit = s->train_img.count - (uint32_t)valid;
    if (want > s->n_fit)
        return host->error(host->ctx, CREDIT_EINVAL, "train_size = %llu, but the training split of %s has %u images (valid_size = %llu)",
                           (unsigned long long)want, p[0], s->n_fit, (unsigned long long)valid);
    s->data_seed = (uint64_t)opt[OPT_DATA_SEED].i;
    s->noise_sd = opt[OPT_PTEST_NOISE].r;
    uint64_t n_train = want ? want : s->n_fit;
    if (want && want < s->n_fit) {
        /* Partial Fisher-Yates: the first `want` of a seeded shuffle, sorted
         * so that example order follows the file. */
        uint32_t *all = host->alloc(host->ctx, sizeof(uint32_t) * s->n_fit);
        if (!all) return host->error(host->ctx, CREDIT_ENOMEM, "out of memory for the training subsample");
        for (uint32_t i = 0; i < s->n_fit; i++) all[i] = i;
        credit_rng rng;
        credit_rng_seed(&rng, s->data_seed, STREAM_SUBSAMPLE);
        for (uint64_t i = 0; i < want; i++) {
            uint64_t j = i + credit_rng_below(&rng, s->n_fit - i);
            uint32_t t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        qsort(all, (size_t)want, sizeof *all, cmp_u32);
        s->train_map = all;
    }
    s->info = (credit_task_info){.n_in = (int)s->train_img.cols, .n_out = CLASSES, .T = (int)s->train_img.rows, .loss = CREDIT_LOSS_XENT};
    s->info.n_examples[CREDIT_SPLIT_TRAIN] = n_train;
    s->info.n_examples[CREDIT_SPLIT_VALID] = valid;
    s->info.n_examples[CREDIT_SPLIT_TEST] = s->test_img.count;
    s->info.n_examples[CREDIT_SPLIT_TEST_PERTURBED] = s->test_img.count;
    *info = s->info;
    return CREDIT_OK;
}

static int smnist_fill(void *state, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask)
{
    const smnist_state *s = state;
    const int T = s->info.T, n_in = s->info.n_in;
    if (split < 0 || split >= CREDIT_N_SPLITS) return CREDIT_EINVAL;
    const int test = split == CREDIT_SPLIT_TEST || split == CREDIT_SPLIT_TEST_PERTURBED;
    const idx_data *img = test ? &s->test_img : &s->train_img, *lab = test ? &s->test_lab : &s->train_lab;
    for (int b = 0; b < B; b++) {
        const uint64_t i = index[b];
        if (i >= s->info.n_examples[split]) return CREDIT_EINVAL;
        uint64_t k = i;
        if (split == CREDIT_SPLIT_TRAIN && s->train_map) k = s->train_map[i];
        else if (split == CREDIT_SPLIT_VALID) k = s->n_fit + i;
        const uint8_t *pix = img->data + k * (uint64_t)T * n_in;
        const int label = lab->data[k];
        credit_rng rng;
        const int noisy = split == CREDIT_SPLIT_TEST_PERTURBED;
        if (noisy) credit_rng_seed(&rng, s->data_seed, STREAM_PTEST | i);
        for (int t = 0; t < T; t++) {
            const size_t row = (size_t)t * B + b;
            credit_real *xr = x + row * n_in, *tr = target + row * CLASSES;
            for (int c = 0; c < n_in; c++) {
                double v = pix[(size_t)t * n_in + c] / 255.0;
                if (noisy) {
                    v += s->noise_sd * credit_rng_normal(&rng);
                    v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
                }
                xr[c] = v;
            }
            /* The one-hot label at every step; only the last is scored. */
            for (int c = 0; c < CLASSES; c++) tr[c] = c == label;
            mask[row] = t == T - 1;
        }
    }
    return CREDIT_OK;
}

static const credit_task smnist_task = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_TASK, credit_task),
        .name = "smnist",
        .version = "1.0",
        .summary = "sequential MNIST: one 28-pixel row per step, class at the last step",
        .citation = "LeCun et al. 1998 (MNIST); row-wise as in Liu et al. NeurIPS 2022 (github.com/Helena-Yuhan-Liu/BiolHessRNN)",
        .options = smnist_options,
        .n_options = sizeof smnist_options / sizeof smnist_options[0],
    },
    .state_size = smnist_state_size,
    .init = smnist_init,
    .fill = smnist_fill,
};

CREDIT_TASK_EXPORT(smnist, smnist_task)
