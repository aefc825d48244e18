/* mkmnist.c - a synthetic MNIST-format data set (see mkmnist.h). Linked into
 * the test binary; built with -DMKMNIST_MAIN it is also the tool
 * $(BUILD)/mkmnist that mk/data.mk builds for the smoke profile:
 *
 *   mkmnist DIR [N_TRAIN [N_TEST [SEED]]]     (defaults 6000 1000 1)
 */
#include "mkmnist.h"
#include "credit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SIDE = 28, CLASSES = 10 };

static void put_be32(FILE *fp, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
    fwrite(b, 1, 4, fp);
}

/* One image of class c: a bar 2 rows high, 12-16 columns long, near row
 * 3 + 2c (one row of jitter), and about 15% of pixels of noise below 100. */
static void draw(unsigned char *img, int c, credit_rng *r)
{
    for (int k = 0; k < SIDE * SIDE; k++) img[k] = credit_rng_uniform(r) < 0.15 ? (unsigned char)credit_rng_below(r, 100) : 0;
    int row = 3 + 2 * c + (int)credit_rng_below(r, 3) - 1;
    int c0 = 4 + (int)credit_rng_below(r, 6), len = 12 + (int)credit_rng_below(r, 5);
    for (int y = row; y < row + 2; y++)
        for (int x = c0; x < c0 + len && x < SIDE; x++) img[y * SIDE + x] = (unsigned char)(200 + credit_rng_below(r, 56));
}

static int write_pair(const char *dir, const char *prefix, uint32_t n, uint64_t seed, uint64_t stream)
{
    char ipath[4200], lpath[4200];
    snprintf(ipath, sizeof ipath, "%s/%s-images-idx3-ubyte", dir, prefix);
    snprintf(lpath, sizeof lpath, "%s/%s-labels-idx1-ubyte", dir, prefix);
    FILE *fi = fopen(ipath, "wb"), *fl = fopen(lpath, "wb");
    if (!fi || !fl) {
        fprintf(stderr, "mkmnist: cannot write %s: %s\n", fi ? lpath : ipath, strerror(errno));
        if (fi) fclose(fi);
        if (fl) fclose(fl);
        return -1;
    }
    put_be32(fi, 0x00000803u), put_be32(fi, n), put_be32(fi, SIDE), put_be32(fi, SIDE);
    put_be32(fl, 0x00000801u), put_be32(fl, n);
    unsigned char img[SIDE * SIDE];
    credit_rng r;
    credit_rng_seed(&r, seed, stream);
    for (uint32_t i = 0; i < n; i++) {
        unsigned char label = (unsigned char)credit_rng_below(&r, CLASSES);
        draw(img, label, &r);
        fwrite(img, 1, sizeof img, fi);
        fputc(label, fl);
    }
    int bad = ferror(fi) | ferror(fl);
    bad |= fclose(fi) != 0;
    bad |= fclose(fl) != 0;
    if (bad) fprintf(stderr, "mkmnist: write to %s failed\n", dir);
    return bad ? -1 : 0;
}

int mkmnist_write(const char *dir, uint32_t n_train, uint32_t n_test, uint64_t seed)
{
    if (write_pair(dir, "train", n_train, seed, 1)) return -1;
    return write_pair(dir, "t10k", n_test, seed, 2);
}

#ifdef MKMNIST_MAIN
int main(int argc, char **argv)
{
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: mkmnist DIR [N_TRAIN [N_TEST [SEED]]]   (defaults 6000 1000 1)\n");
        return 2;
    }
    uint32_t n_train = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 6000;
    uint32_t n_test = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 1000;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    return mkmnist_write(argv[1], n_train, n_test, seed) ? 1 : 0;
}
#endif
