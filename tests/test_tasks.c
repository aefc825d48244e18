/* test_tasks.c - the paper's three tasks (tasks/smnist.c, patgen.c, dms.c):
 * the IDX reader on good and malformed files, each task's shapes, masks,
 * targets, splits and determinism against what tasks/README.md documents,
 * and `credit sample`. The conformance suite covers the rest. */
#define _GNU_SOURCE
#include "test.h"
#include "mkmnist.h"
#include "util.h"
#include "../tasks/idx.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ the shared synthetic MNIST */

const char *test_mnist_dir(void)
{
    static char dir[400];
    if (*dir) return dir;
    snprintf(dir, sizeof dir, "%s/mnist", test_tmp());
    if (mkdir(dir, 0755) != 0 || mkmnist_write(dir, TEST_MNIST_TRAIN, TEST_MNIST_TEST, 7) != 0) fprintf(stderr, "cannot write %s\n", dir);
    return dir;
}

/* ------------------------------------------------------------ a host for the IDX reader */

static char host_msg[2048];
static void *host_blocks[64];
static int host_n;

static int fake_error(void *ctx, int status, const char *fmt, ...)
{
    (void)ctx;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(host_msg, sizeof host_msg, fmt, ap);
    va_end(ap);
    return status;
}

static void *fake_alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    if (host_n == 64) return NULL;
    return host_blocks[host_n++] = calloc(1, bytes);
}

static void fake_free(void)
{
    while (host_n) free(host_blocks[--host_n]);
}

static const credit_host fake_host = {CREDIT_ABI_VERSION, sizeof(credit_host), NULL, 0, NULL, fake_error, fake_alloc, NULL, NULL, NULL};

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* An IDX file: magic, the header words given, then `bytes` data bytes i*7. */
static const char *idx_file(const char *name, uint32_t magic, const uint32_t *dims, int ndims, size_t bytes, const unsigned char *data)
{
    static char path[32][400];
    static int slot;
    char *p = path[slot++ % 32];
    snprintf(p, 400, "%s/idx_%s", test_tmp(), name);
    unsigned char head[20];
    put32(head, magic);
    for (int k = 0; k < ndims; k++) put32(head + 4 + 4 * k, dims[k]);
    FILE *fp = fopen(p, "wb");
    fwrite(head, 1, 4 + 4 * (size_t)ndims, fp);
    for (size_t k = 0; k < bytes; k++) fputc(data ? data[k] : (int)((k * 7) & 0xff), fp);
    fclose(fp);
    return p;
}

static void check_message(const char *label, int st, int want_st, const char *want)
{
    CHECK(st == want_st && strcmp(host_msg, want) == 0, label, "status %d (want %d), message '%s', want '%s'", st, want_st, host_msg, want);
}

static void test_idx(void)
{
    const uint32_t img3[3] = {3, 2, 3}, lab3[1] = {3}, lab2[1] = {2};
    const unsigned char labels_ok[3] = {4, 0, 9}, labels_bad[3] = {4, 10, 9};
    idx_data im, lb;
    char want[1200];

    const char *ip = idx_file("images", IDX_MAGIC_IMAGES, img3, 3, 18, NULL);
    const char *lp = idx_file("labels", IDX_MAGIC_LABELS, lab3, 1, 3, labels_ok);
    int st = idx_read_pair(ip, lp, 10, &fake_host, &im, &lb);
    CHECK(st == 0 && im.count == 3 && im.rows == 2 && im.cols == 3 && lb.count == 3 && im.data[5] == 35 && im.data[17] == (17 * 7 & 0xff) &&
              lb.data[2] == 9,
          "idx: a valid images/labels pair is read with its sizes and bytes", "status %d: %s", st, host_msg);
    fake_free();

    const char *bad = idx_file("magic", 0x00000903u, img3, 3, 18, NULL);
    st = idx_read(bad, IDX_MAGIC_IMAGES, &fake_host, &im);
    snprintf(want, sizeof want, "%s: magic number 0x00000903 is not an IDX file of unsigned bytes (expected 0x00000803 for images)", bad);
    check_message("idx: wrong magic number (element type) is refused", st, CREDIT_EFORMAT, want);
    fake_free();

    bad = idx_file("ndim", 0x00000802u, img3, 2, 18, NULL);
    st = idx_read(bad, IDX_MAGIC_IMAGES, &fake_host, &im);
    snprintf(want, sizeof want, "%s: 2 dimensions, expected 3 for images (magic 0x00000802, expected 0x00000803)", bad);
    check_message("idx: wrong dimension count is refused", st, CREDIT_EFORMAT, want);
    fake_free();

    bad = idx_file("lab_ndim", 0x00000803u, img3, 3, 18, NULL);
    st = idx_read(bad, IDX_MAGIC_LABELS, &fake_host, &lb);
    snprintf(want, sizeof want, "%s: 3 dimensions, expected 1 for labels (magic 0x00000803, expected 0x00000801)", bad);
    check_message("idx: an images file given as labels is refused", st, CREDIT_EFORMAT, want);
    fake_free();

    bad = idx_file("trunc", IDX_MAGIC_IMAGES, img3, 3, 12, NULL);
    st = idx_read(bad, IDX_MAGIC_IMAGES, &fake_host, &im);
    snprintf(want, sizeof want, "%s: truncated: 28 bytes, the header (3 x 2 x 3) needs 34", bad);
    check_message("idx: truncated data is refused", st, CREDIT_EFORMAT, want);
    fake_free();

    bad = idx_file("long", IDX_MAGIC_IMAGES, img3, 3, 19, NULL);
    st = idx_read(bad, IDX_MAGIC_IMAGES, &fake_host, &im);
    snprintf(want, sizeof want, "%s: trailing bytes: 35 bytes, the header (3 x 2 x 3) needs 34", bad);
    check_message("idx: trailing bytes are refused", st, CREDIT_EFORMAT, want);
    fake_free();

    bad = idx_file("head", IDX_MAGIC_IMAGES, img3, 1, 0, NULL);
    st = idx_read(bad, IDX_MAGIC_IMAGES, &fake_host, &im);
    snprintf(want, sizeof want, "%s: truncated: 8 bytes, the IDX header of images is 16", bad);
    check_message("idx: a truncated header is refused", st, CREDIT_EFORMAT, want);
    fake_free();

    const uint32_t img_zero[3] = {3, 0, 3};
    bad = idx_file("zero", IDX_MAGIC_IMAGES, img_zero, 3, 0, NULL);
    st = idx_read(bad, IDX_MAGIC_IMAGES, &fake_host, &im);
    snprintf(want, sizeof want, "%s: image size 0 x 3 is outside 1..4096", bad);
    check_message("idx: an empty image size is refused", st, CREDIT_EFORMAT, want);
    fake_free();

    const unsigned char gz[4] = {0x1f, 0x8b, 8, 0};
    bad = idx_file("gz", 0x1f8b0800u, NULL, 0, 4, gz);
    st = idx_read(bad, IDX_MAGIC_IMAGES, &fake_host, &im);
    snprintf(want, sizeof want, "%s: gzip-compressed, not an IDX file (gunzip it; make data does)", bad);
    check_message("idx: a gzip file is recognised", st, CREDIT_EFORMAT, want);
    fake_free();

    bad = idx_file("labels_range", IDX_MAGIC_LABELS, lab3, 1, 3, labels_bad);
    st = idx_read_pair(ip, bad, 10, &fake_host, &im, &lb);
    snprintf(want, sizeof want, "%s: label 10 of example 1 is outside 0..9", bad);
    check_message("idx: a label out of range is refused", st, CREDIT_EFORMAT, want);
    fake_free();

    bad = idx_file("labels_two", IDX_MAGIC_LABELS, lab2, 1, 2, labels_ok);
    st = idx_read_pair(ip, bad, 10, &fake_host, &im, &lb);
    snprintf(want, sizeof want, "%s holds 3 images but %s holds 2 labels", ip, bad);
    check_message("idx: image and label counts that disagree are refused", st, CREDIT_EFORMAT, want);
    fake_free();

    char missing[500];
    snprintf(missing, sizeof missing, "%s/no_such_file", test_tmp());
    st = idx_read(missing, IDX_MAGIC_IMAGES, &fake_host, &im);
    snprintf(want, sizeof want, "cannot open IDX images file %s: No such file or directory", missing);
    check_message("idx: a missing file is named", st, CREDIT_EIO, want);
    fake_free();
}

/* ------------------------------------------------------------ filling through a session */

/* The task's arrays in the build's precision (float in PREC=32). */
typedef struct batch { int T, n_in, n_out, B; credit_real *x, *target, *mask; } batch;

static int fill(credit_session *s, int split, uint64_t first, int B, batch *out)
{
    const credit_task_info *in = &s->info;
    *out = (batch){in->T, in->n_in, in->n_out, B, NULL, NULL, NULL};
    out->x = malloc(sizeof(credit_real) * in->T * B * (in->n_in + in->n_out + 1));
    out->target = out->x + (size_t)in->T * B * in->n_in;
    out->mask = out->target + (size_t)in->T * B * in->n_out;
    uint64_t *idx = malloc(sizeof *idx * B);
    for (int b = 0; b < B; b++) idx[b] = first + (uint64_t)b;
    int st = s->task->fill(s->task_state, split, idx, B, out->x, out->target, out->mask);
    free(idx);
    return st;
}

static credit_real *X(const batch *b, int t, int i) { return b->x + ((size_t)t * b->B + i) * b->n_in; }
static credit_real *Y(const batch *b, int t, int i) { return b->target + ((size_t)t * b->B + i) * b->n_out; }
static double M(const batch *b, int t, int i) { return b->mask[(size_t)t * b->B + i]; }

/* Trial i of a and trial j of b have the same inputs at every step. */
static int same_inputs(const batch *a, int i, const batch *b, int j)
{
    for (int t = 0; t < a->T; t++)
        if (memcmp(X(a, t, i), X(b, t, j), sizeof(credit_real) * a->n_in) != 0) return 0;
    return 1;
}

/* No trial of a has the inputs of a trial of b. */
static int disjoint(const batch *a, const batch *b)
{
    for (int i = 0; i < a->B; i++)
        for (int j = 0; j < b->B; j++)
            if (same_inputs(a, i, b, j)) return 0;
    return 1;
}

static int open_task(credit_session *s, const char *task, const char *const *extra)
{
    const char *kv[24] = {task, "n=4", "batch=4", "progress=0"};
    int n = 4;
    for (; extra && *extra; extra++) kv[n++] = *extra;
    kv[n] = NULL;
    return test_session(s, kv);
}

/* ------------------------------------------------------------ smnist */

static void test_smnist(void)
{
    char dirkv[500];
    snprintf(dirkv, sizeof dirkv, "data_dir=%s", test_mnist_dir());
    const char *base[] = {dirkv, "valid_size=100", NULL};
    credit_session s;
    int st = open_task(&s, "task=smnist", base);
    if (!CHECK(st == 0, "smnist: opens the synthetic MNIST", "%s", credit_error_message())) { credit_session_close(&s); return; }
    const credit_task_info *in = &s.info;
    const int n_fit = TEST_MNIST_TRAIN - 100;
    CHECK(in->T == 28 && in->n_in == 28 && in->n_out == 10 && in->loss == CREDIT_LOSS_XENT &&
              in->n_examples[CREDIT_SPLIT_TRAIN] == (uint64_t)n_fit && in->n_examples[CREDIT_SPLIT_VALID] == 100 &&
              in->n_examples[CREDIT_SPLIT_TEST] == TEST_MNIST_TEST && in->n_examples[CREDIT_SPLIT_TEST_PERTURBED] == TEST_MNIST_TEST,
          "smnist: T 28, 28 inputs, 10 classes, xent; train = first count-valid_size, valid = the rest, test = t10k", "T %d n_in %d train %llu",
          in->T, in->n_in, (unsigned long long)in->n_examples[0]);

    /* The files themselves, to compare with. */
    char ip[600], lp[600], tip[600], tlp[600];
    snprintf(ip, sizeof ip, "%s/train-images-idx3-ubyte", test_mnist_dir());
    snprintf(lp, sizeof lp, "%s/train-labels-idx1-ubyte", test_mnist_dir());
    snprintf(tip, sizeof tip, "%s/t10k-images-idx3-ubyte", test_mnist_dir());
    snprintf(tlp, sizeof tlp, "%s/t10k-labels-idx1-ubyte", test_mnist_dir());
    idx_data im, lb, tim, tlb;
    st = idx_read_pair(ip, lp, 10, &fake_host, &im, &lb);
    st |= idx_read_pair(tip, tlp, 10, &fake_host, &tim, &tlb);
    CHECK(st == 0, "smnist: the synthetic files read back", "%s", host_msg);

    /* Example i of a split is image (first + i) of its file, row t at step t,
     * pixels / 255 (rounded once to the build's precision), the one-hot
     * label at every step, scored at the last. */
    const struct { int split, B; uint64_t first; const idx_data *img, *lab; const char *name; } cases[] = {
        {CREDIT_SPLIT_TRAIN, n_fit, 0, &im, &lb, "train = images 0..count-valid_size-1"},
        {CREDIT_SPLIT_VALID, 100, (uint64_t)n_fit, &im, &lb, "valid = the last valid_size images of the training file"},
        {CREDIT_SPLIT_TEST, TEST_MNIST_TEST, 0, &tim, &tlb, "test = the test file"},
    };
    batch clean = {0};
    for (int c = 0; c < 3; c++) {
        batch b;
        int ok = fill(&s, cases[c].split, 0, cases[c].B, &b) == 0;
        for (int i = 0; i < b.B && ok; i++) {
            const uint8_t *pix = cases[c].img->data + (cases[c].first + i) * 784;
            int label = cases[c].lab->data[cases[c].first + i];
            for (int t = 0; t < 28; t++) {
                for (int k = 0; k < 28; k++) ok &= X(&b, t, i)[k] == (credit_real)(pix[t * 28 + k] / 255.0);
                for (int k = 0; k < 10; k++) ok &= Y(&b, t, i)[k] == (k == label);
                ok &= M(&b, t, i) == (t == 27);
            }
        }
        char label[200];
        snprintf(label, sizeof label, "smnist: %s; rows as steps, pixels/255, one-hot label, mask on the last step", cases[c].name);
        CHECK(ok, label, "%s", "mismatch");
        if (cases[c].split == CREDIT_SPLIT_TEST) clean = b;
        else free(b.x);
    }

    /* Perturbed test: the test images plus N(0, 0.2^2) noise, clipped. For a
     * black pixel the mean of max(0, 0.2 Z) is 0.2 / sqrt(2 pi). */
    batch noisy, again;
    st = fill(&s, CREDIT_SPLIT_TEST_PERTURBED, 0, TEST_MNIST_TEST, &noisy);
    st |= fill(&s, CREDIT_SPLIT_TEST_PERTURBED, 0, TEST_MNIST_TEST, &again);
    double sum0 = 0, n0 = 0;
    int in_range = 1, labels_kept = 1;
    for (int i = 0; i < TEST_MNIST_TEST; i++)
        for (int t = 0; t < 28; t++) {
            for (int k = 0; k < 28; k++) {
                double v = X(&noisy, t, i)[k];
                in_range &= v >= 0 && v <= 1;
                if (X(&clean, t, i)[k] == 0) sum0 += v, n0++;
            }
            labels_kept &= memcmp(Y(&noisy, t, i), Y(&clean, t, i), sizeof(credit_real) * 10) == 0 && M(&noisy, t, i) == M(&clean, t, i);
        }
    double mean0 = sum0 / n0, want0 = 0.2 / sqrt(2 * M_PI);
    CHECK(!st && in_range && labels_kept && fabs(mean0 - want0) < 0.05 * want0 &&
              memcmp(noisy.x, again.x, sizeof(credit_real) * 28 * 28 * TEST_MNIST_TEST) == 0,
          "smnist: perturbed test = test images + N(0, 0.2^2), clipped to [0,1], fixed per example", "range %d, black-pixel mean %g (want %g)",
          in_range, mean0, want0);
    CHECK(disjoint(&clean, &noisy), "smnist: every perturbed test image differs from its clean one", "%s", "identical image");
    free(noisy.x);
    free(again.x);
    credit_session_close(&s);

    /* train_size: a sorted subsample of the training split by data_seed,
     * the same whatever the run seed. Found by matching pixels. */
    uint32_t pick[3][40];
    const char *seeds[3][2] = {{"data_seed=1", "seed=1"}, {"data_seed=1", "seed=9"}, {"data_seed=2", "seed=1"}};
    int ok = 1;
    for (int v = 0; v < 3; v++) {
        const char *kv[] = {dirkv, "valid_size=100", "train_size=40", seeds[v][0], seeds[v][1], NULL};
        batch b = {0};
        st = open_task(&s, "task=smnist", kv);
        ok &= !st && s.info.n_examples[CREDIT_SPLIT_TRAIN] == 40 && fill(&s, CREDIT_SPLIT_TRAIN, 0, 40, &b) == 0;
        for (int i = 0; i < 40 && ok; i++) {
            pick[v][i] = UINT32_MAX;
            for (uint32_t k = 0; k < im.count; k++) {
                int match = 1;
                for (int p = 0; p < 784 && match; p++) match = X(&b, p / 28, i)[p % 28] == (credit_real)(im.data[(size_t)k * 784 + p] / 255.0);
                if (match) { pick[v][i] = k; break; }
            }
            ok &= pick[v][i] < (uint32_t)n_fit && (i == 0 || pick[v][i] > pick[v][i - 1]);
        }
        free(b.x);
        credit_session_close(&s);
    }
    CHECK(ok && memcmp(pick[0], pick[1], sizeof pick[0]) == 0 && memcmp(pick[0], pick[2], sizeof pick[0]) != 0,
          "smnist: train_size draws distinct training-split images by data_seed, not by the run seed", "ok %d", ok);
    free(clean.x);
    fake_free();

    /* Sizes that do not fit are refused with the file named. */
    const char *too_valid[] = {dirkv, "valid_size=600", NULL}, *too_train[] = {dirkv, "valid_size=100", "train_size=501", NULL};
    st = open_task(&s, "task=smnist", too_valid);
    char want[1200];
    snprintf(want, sizeof want, "task smnist: valid_size = 600 leaves no training images in %s (600 images)", ip);
    CHECK(st == CREDIT_EINVAL && strcmp(credit_error_message(), want) == 0, "smnist: valid_size as large as the file is refused", "%s",
          credit_error_message());
    credit_session_close(&s);
    st = open_task(&s, "task=smnist", too_train);
    snprintf(want, sizeof want, "task smnist: train_size = 501, but the training split of %s has 500 images (valid_size = 100)", ip);
    CHECK(st == CREDIT_EINVAL && strcmp(credit_error_message(), want) == 0, "smnist: train_size beyond the training split is refused", "%s",
          credit_error_message());
    credit_session_close(&s);

    /* The file names some mirrors use (a dot before idx3) are found too; a
     * directory without the files names the usual one. */
    char alt[500], cmd[2000], altkv[600];
    snprintf(alt, sizeof alt, "%s/mnist_dotted", test_tmp());
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && cd %s && for f in train-images-idx3 train-labels-idx1 t10k-images-idx3 t10k-labels-idx1; do "
             "cp ../mnist/$f-ubyte $(echo $f | sed 's/-idx/.idx/')-ubyte; done",
             alt, alt);
    snprintf(altkv, sizeof altkv, "data_dir=%s", alt);
    const char *dotted[] = {altkv, "valid_size=100", NULL};
    st = system(cmd) != 0;
    if (!st) st = open_task(&s, "task=smnist", dotted);
    CHECK(st == 0 && s.info.n_examples[CREDIT_SPLIT_TEST] == TEST_MNIST_TEST, "smnist: train-images.idx3-ubyte names are accepted", "%s",
          credit_error_message());
    credit_session_close(&s);
    snprintf(altkv, sizeof altkv, "data_dir=%s/nowhere", test_tmp());
    st = open_task(&s, "task=smnist", dotted);
    snprintf(want, sizeof want, "task smnist: cannot open IDX images file %s/nowhere/train-images-idx3-ubyte: No such file or directory", test_tmp());
    CHECK(st == CREDIT_EIO && strcmp(credit_error_message(), want) == 0, "smnist: a missing data_dir names the file it looked for", "%s",
          credit_error_message());
    credit_session_close(&s);
}

/* ------------------------------------------------------------ patgen */

/* Energy of y (one output over T steps) at DFT bin m. */
static double dft_power(const batch *b, int i, int o, int m)
{
    double re = 0, im = 0;
    for (int t = 0; t < b->T; t++) {
        double y = Y(b, t, i)[o], a = 2 * M_PI * m * t / b->T;
        re += y * cos(a), im += y * sin(a);
    }
    return re * re + im * im;
}

/* Float: patgen stores each target rounded to float and divides it by the
 * peak in float, two roundings of u = 2^-24 each: |peak - 1| <= 2u = 1.2e-7
 * (measured 6.0e-8 = u), and a rounding noise e_t with |e_t| <= 2u |y_t|,
 * whose power (Parseval: <= T sum e^2 <= 4 u^2 T sum y^2) against the
 * kept bins' (T/2) sum y^2 is at most 8 u^2 = 2.8e-14 (measured 1.9e-15). */
#define PATGEN_PEAK_TOL test_tol(1e-12, 1.2e-7)
#define PATGEN_LEAK_TOL test_tol(1e-20, 3e-14)
static void test_patgen(void)
{
    credit_session s, s2;
    int st = open_task(&s, "task=patgen", NULL);
    if (!CHECK(st == 0, "patgen: opens with its defaults", "%s", credit_error_message())) { credit_session_close(&s); return; }
    const credit_task_info *in = &s.info;
    CHECK(in->T == 50 && in->n_in == 20 && in->n_out == 1 && in->loss == CREDIT_LOSS_MSE && in->n_examples[0] == 64 &&
              in->n_examples[1] == 128 && in->n_examples[2] == 512 && in->n_examples[3] == 512,
          "patgen: defaults T 50, 20 inputs, 1 output, MSE, 64/128/512/512 trials", "T %d n_in %d", in->T, in->n_in);
    batch tr, te, pt;
    st = fill(&s, CREDIT_SPLIT_TRAIN, 0, 64, &tr) | fill(&s, CREDIT_SPLIT_TEST, 0, 512, &te) | fill(&s, CREDIT_SPLIT_TEST_PERTURBED, 0, 512, &pt);
    /* Targets: trial i shows pattern i mod 4; each pattern a sum of sines
     * with 1, 2, 3 and 5 cycles per trial (periods T, T/2, T/3, T/5), no
     * other frequency, peak |y| = 1; the four differ; mask 1 everywhere. */
    int ok = !st, masks = 1;
    double worst_peak = 0, worst_leak = 0; /* |peak - 1| and other / kept, for the message */
    for (int i = 0; i < 64 && ok; i++) {
        double peak = 0, other = 0, kept = 0;
        for (int t = 0; t < 50; t++) {
            peak = fmax(peak, fabs(Y(&tr, t, i)[0]));
            masks &= M(&tr, t, i) == 1.0;
            ok &= Y(&tr, t, i)[0] == Y(&te, t, i % 4)[0];
        }
        for (int m = 0; m <= 25; m++) *(m == 1 || m == 2 || m == 3 || m == 5 ? &kept : &other) += dft_power(&tr, i, 0, m);
        worst_peak = fmax(worst_peak, fabs(peak - 1)), worst_leak = fmax(worst_leak, other / kept);
        ok &= fabs(peak - 1) < PATGEN_PEAK_TOL && other < PATGEN_LEAK_TOL * kept;
        if (i < 4)
            for (int j = 0; j < i; j++) ok &= Y(&tr, 7, i)[0] != Y(&tr, 7, j)[0];
    }
    CHECK(ok && masks, "patgen: K = 4 targets, sums of sines of periods T, T/2, T/3, T/5 scaled to max |y| = 1, MSE on every step",
          "ok %d masks %d, |peak - 1| %.3g, other/kept power %.3g", ok, masks, worst_peak, worst_leak);

    /* Inputs: the frozen cue of the pattern (noise_sd = 0 shows it) plus
     * N(0, noise_sd^2), fresh per trial. */
    const char *quiet_kv[] = {"noise_sd=0", "ptest_noise_sd=0", NULL};
    batch cue;
    st = open_task(&s2, "task=patgen", quiet_kv) || fill(&s2, CREDIT_SPLIT_TEST, 0, 8, &cue);
    double d_tr = 0, d_pt = 0, n_tr = 0, n_pt = 0;
    int frozen = !st && same_inputs(&cue, 0, &cue, 4) && !same_inputs(&cue, 0, &cue, 1);
    for (int t = 0; t < 50; t++)
        for (int k = 0; k < 20; k++) {
            for (int i = 0; i < 64; i++, n_tr++) d_tr += pow(X(&tr, t, i)[k] - X(&cue, t, i % 4)[k], 2);
            for (int i = 0; i < 512; i++, n_pt++) d_pt += pow(X(&pt, t, i)[k] - X(&cue, t, i % 4)[k], 2);
        }
    d_tr = sqrt(d_tr / n_tr), d_pt = sqrt(d_pt / n_pt);
    CHECK(frozen && fabs(d_tr - 0.3) < 0.015 && fabs(d_pt - 0.5) < 0.01,
          "patgen: input = frozen cue of the pattern + noise of sd noise_sd (0.3), ptest_noise_sd (0.5) in the perturbed split",
          "frozen %d, noise sd %g and %g", frozen, d_tr, d_pt);
    free(cue.x);
    credit_session_close(&s2);

    CHECK(disjoint(&tr, &te) && disjoint(&tr, &pt) && disjoint(&te, &pt), "patgen: train, test and perturbed test trials are all different",
          "%s", "a trial repeats");

    /* The data depend on data_seed only; sizes follow the options. */
    const char *run_seed[] = {"seed=5", NULL}, *data_seed[] = {"data_seed=2", NULL};
    batch b2 = {0};
    st = open_task(&s2, "task=patgen", run_seed) || fill(&s2, CREDIT_SPLIT_TRAIN, 0, 64, &b2);
    CHECK(!st && memcmp(b2.x, tr.x, sizeof(credit_real) * 50 * 64 * 21) == 0, "patgen: the run seed leaves the data alone", "%s", "differs");
    free(b2.x);
    credit_session_close(&s2);
    st = open_task(&s2, "task=patgen", data_seed) || fill(&s2, CREDIT_SPLIT_TRAIN, 0, 64, &b2);
    CHECK(!st && Y(&b2, 3, 0)[0] != Y(&tr, 3, 0)[0] && !same_inputs(&b2, 0, &tr, 0), "patgen: data_seed draws other patterns and trials", "%s",
          "same");
    free(b2.x);
    credit_session_close(&s2);
    const char *sizes[] = {"steps=30", "inputs=5", "outputs=2", "patterns=3", "train_size=9", "valid_size=0", "test_size=7",
                           "cue_sd=0", "noise_sd=0", NULL};
    st = open_task(&s2, "task=patgen", sizes) || fill(&s2, CREDIT_SPLIT_TRAIN, 0, 9, &b2);
    ok = !st && s2.info.T == 30 && s2.info.n_in == 5 && s2.info.n_out == 2 && s2.info.n_examples[0] == 9 && s2.info.n_examples[1] == 0 &&
         s2.info.n_examples[2] == 7;
    for (int o = 0; o < 2 && ok; o++) ok &= Y(&b2, 4, 0)[o] == Y(&b2, 4, 3)[o] && Y(&b2, 4, 0)[o] != Y(&b2, 4, 2)[o];
    for (int k = 0; k < 30 * 9 * 5 && ok; k++) ok &= b2.x[k] == 0; /* cue_sd = noise_sd = 0: silent inputs */
    CHECK(ok, "patgen: steps, inputs, outputs, patterns, cue_sd and split sizes are options", "%s", credit_error_message());
    free(b2.x);
    credit_session_close(&s2);
    free(tr.x);
    free(te.x);
    free(pt.x);
    credit_session_close(&s);
}

/* ------------------------------------------------------------ dms */

static void test_dms(void)
{
    const char *quiet_kv[] = {"noise_sd=0", "stimuli=4", NULL};
    credit_session s;
    int st = open_task(&s, "task=dms", quiet_kv);
    if (!CHECK(st == 0, "dms: opens", "%s", credit_error_message())) { credit_session_close(&s); return; }
    const credit_task_info *in = &s.info;
    CHECK(in->T == 22 && in->n_in == 5 && in->n_out == 2 && in->loss == CREDIT_LOSS_XENT && in->n_examples[0] == 256 &&
              in->n_examples[1] == 128 && in->n_examples[2] == 512,
          "dms: T = 3+3+10+3+3 steps, 1 + stimuli inputs, 2 outputs, xent, 256/128/512 trials", "T %d n_in %d", in->T, in->n_in);
    /* Without noise the structure is exact: fixation cue until the decision,
     * sample during 3..5, test during 16..18, decision 19..21 scored. */
    batch b;
    st = fill(&s, CREDIT_SPLIT_TEST, 0, 512, &b);
    int ok = !st, matches = 0;
    for (int i = 0; i < 512 && ok; i++) {
        int sample = -1, probe = -1, match = Y(&b, 0, i)[0] == 1;
        for (int t = 0; t < 22; t++) {
            const credit_real *x = X(&b, t, i);
            int period = t < 3 ? 0 : t < 6 ? 1 : t < 16 ? 2 : t < 19 ? 3 : 4;
            ok &= x[0] == (period < 4) && M(&b, t, i) == (period == 4);
            ok &= Y(&b, t, i)[0] == match && Y(&b, t, i)[1] == !match;
            for (int k = 1; k < 5; k++) {
                if (x[k] == 0) continue;
                ok &= x[k] == 1 && (period == 1 || period == 3);
                int *which = period == 1 ? &sample : &probe;
                ok &= *which < 0 || *which == k;
                *which = k;
            }
        }
        ok &= sample > 0 && probe > 0 && match == (sample == probe);
        matches += match;
    }
    CHECK(ok && matches > 256 - 40 && matches < 256 + 40,
          "dms: fixation cue, one-hot sample and test stimuli in their periods, target match iff equal, scored on the decision steps",
          "ok %d, %d of 512 match", ok, matches);
    free(b.x);
    credit_session_close(&s);

    const char *periods[] = {"t_fixation=0", "t_sample=2", "t_delay=0", "t_test=1", "t_decision=4", NULL};
    st = open_task(&s, "task=dms", periods) || fill(&s, CREDIT_SPLIT_TRAIN, 0, 4, &b);
    double scored = 0;
    for (int t = 0; t < 7 && !st; t++) scored += M(&b, t, 0) * (t >= 3);
    CHECK(!st && s.info.T == 7 && s.info.n_in == 3 && scored == 4, "dms: every period length is an option (0 allowed for fixation and delay)",
          "T %d", s.info.T);
    free(b.x);
    credit_session_close(&s);

    /* Noise: sd noise_sd on every channel; train, test and perturbed test
     * trials all differ. */
    batch tr, te, pt;
    if (!CHECK(open_task(&s, "task=dms", NULL) == 0, "dms: opens with its defaults", "%s", credit_error_message())) {
        credit_session_close(&s);
        return;
    }
    st = fill(&s, CREDIT_SPLIT_TRAIN, 0, 256, &tr) | fill(&s, CREDIT_SPLIT_TEST, 0, 512, &te) | fill(&s, CREDIT_SPLIT_TEST_PERTURBED, 0, 512, &pt);
    double ss = 0, n = 0, pss = 0, pn = 0;
    for (int i = 0; i < 256 && !st; i++)
        for (int t = 6; t < 16; t++) /* the delay: fixation cue only */
            for (int k = 0; k < 3; k++) ss += pow(X(&tr, t, i)[k] - (k == 0), 2), n++;
    for (int i = 0; i < 512 && !st; i++)
        for (int t = 6; t < 16; t++)
            for (int k = 0; k < 3; k++) pss += pow(X(&pt, t, i)[k] - (k == 0), 2), pn++;
    double sd = sqrt(ss / n), psd = sqrt(pss / pn);
    CHECK(!st && fabs(sd - 0.3) < 0.015 && fabs(psd - 0.5) < 0.015, "dms: input noise sd noise_sd (0.3), ptest_noise_sd (0.5) when perturbed",
          "sd %g, perturbed %g", sd, psd);
    CHECK(disjoint(&tr, &te) && disjoint(&tr, &pt) && disjoint(&te, &pt), "dms: train, test and perturbed test trials are all different", "%s",
          "a trial repeats");
    free(tr.x);
    free(te.x);
    free(pt.x);
    credit_session_close(&s);
}

/* ------------------------------------------------------------ credit sample */

static int count_lines(const char *text, int *comments)
{
    int rows = 0;
    *comments = 0;
    for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) (*p == '#' ? (*comments)++ : rows++);
    return rows;
}

static void test_sample(void)
{
    char credit[600], cmd[3000], *out;
    snprintf(credit, sizeof credit, "%s/bin/credit", test_root());

    snprintf(cmd, sizeof cmd, "%s sample dms trials=2 first=3 split=test", credit);
    int rc = test_run(cmd, &out), comments;
    int rows = count_lines(out, &comments);
    /* Row 1 of the table is trial 3, step 0: compare with the task's fill. */
    const char *head = strstr(out, "trial\tt\tmask\tx0\tx1\tx2\ttarget0\ttarget1\n");
    int ok = rc == 0 && head && rows == 1 + 2 * 22 && comments >= 5 && strstr(out, "# task dms 1.0") &&
             strstr(out, "# sample: test split, trials 3..4 of 512; T 22, n_in 3, n_out 2, loss xent");
    if (ok) {
        credit_session s;
        batch b;
        ok = open_task(&s, "task=dms", NULL) == 0 && fill(&s, CREDIT_SPLIT_TEST, 3, 1, &b) == 0;
        char *p = strchr(head, '\n') + 1, *end;
        ok &= strtol(p, &end, 10) == 3 && strtol(end, &end, 10) == 0 && strtod(end, &end) == M(&b, 0, 0);
        for (int k = 0; k < 3; k++) ok &= strtod(end, &end) == X(&b, 0, 0)[k];
        for (int k = 0; k < 2; k++) ok &= strtod(end, &end) == Y(&b, 0, 0)[k];
        ok &= *end == '\n';
        if (ok) free(b.x);
        credit_session_close(&s);
    }
    CHECK(ok, "credit sample dms: provenance, header, one row per trial and step, the task's own values", "rc %d:\n%s", rc, out);
    free(out);

    /* With weights=FILE the readout is added; a CONFIG file sets the task. */
    char cfg[600], weights[600];
    snprintf(cfg, sizeof cfg, "%s/sample_patgen.cfg", test_tmp());
    snprintf(weights, sizeof weights, "%s/sample_weights.tsv", test_tmp());
    FILE *fp = fopen(cfg, "w");
    fprintf(fp, "task = patgen\nsteps = 10\ninputs = 3\nn = 5\n");
    fclose(fp);
    snprintf(cmd, sizeof cmd, "%s train %s iters=2 batch=4 eval_every=1 progress=0 out=%s/sample_run >/dev/null && cp %s/sample_run/weights.tsv %s",
             credit, cfg, test_tmp(), test_tmp(), weights);
    rc = test_run(cmd, NULL);
    snprintf(cmd, sizeof cmd, "%s sample %s weights=%s trials=1", credit, cfg, weights);
    rc |= test_run(cmd, &out);
    rows = count_lines(out, &comments);
    CHECK(rc == 0 && rows == 1 + 10 && strstr(out, "trial\tt\tmask\tx0\tx1\tx2\ttarget0\tout0\n") && strstr(out, "# task patgen"),
          "credit sample CONFIG weights=FILE: the config's task, with the network's readout", "rc %d:\n%s", rc, out);
    free(out);

    snprintf(cmd, sizeof cmd, "%s sample smnist data_dir=%s valid_size=100 split=test_perturbed trials=1", credit, test_mnist_dir());
    rc = test_run(cmd, &out);
    rows = count_lines(out, &comments);
    CHECK(rc == 0 && rows == 1 + 28 && strstr(out, "test_perturbed split, trials 0..0 of 200"), "credit sample smnist: the perturbed test split",
          "rc %d:\n%s", rc, out);
    free(out);

    const struct { const char *args, *want; } bad[] = {
        {"dms trials=0", "credit: command line: trials = '0' must be a whole number in 1..100000"},
        {"dms split=tests", "credit: command line: split = 'tests' is not one of train, valid, test, test_perturbed"},
        {"dms first=510 trials=3 split=test", "credit: task dms: trials 510..512 asked for, but its test split has 512"},
        {"nosuchtask", "nosuchtask"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        snprintf(cmd, sizeof cmd, "%s sample %s", credit, bad[k].args);
        rc = test_run(cmd, &out);
        char label[200];
        snprintf(label, sizeof label, "credit sample %s: refused with a message", bad[k].args);
        CHECK(rc == 1 && strstr(out, bad[k].want), label, "rc %d: %s", rc, out);
        free(out);
    }
    snprintf(cmd, sizeof cmd, "%s sample --help", credit);
    rc = test_run(cmd, &out);
    CHECK(rc == 0 && strstr(out, "usage: credit sample") && strstr(out, "trials=N"), "credit sample --help", "rc %d", rc);
    free(out);
}

void test_tasks(void)
{
    test_idx();
    test_smnist();
    test_patgen();
    test_dms();
    test_sample();
}
