/* mkmnist.h - a synthetic data set in MNIST's four-file IDX format, for the
 * tests and the pipeline's smoke profile (tests/mkmnist.c). */
#ifndef CREDIT_MKMNIST_H
#define CREDIT_MKMNIST_H

#include <stdint.h>

/* Writes DIR/train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte: 28 x 28 images whose
 * class c is a bright bar near row 3 + 2c, jittered, over sparse noise.
 * Deterministic in seed. Returns 0, or -1 with a message on stderr. */
int mkmnist_write(const char *dir, uint32_t n_train, uint32_t n_test, uint64_t seed);

/* The synthetic set the test suite shares (written once into its scratch
 * directory by tests/test_tasks.c): 600 training images, 200 test images. */
const char *test_mnist_dir(void);
#define TEST_MNIST_TRAIN 600
#define TEST_MNIST_TEST 200

#endif
