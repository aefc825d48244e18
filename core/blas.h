/* blas.h - which OpenBLAS kernels the program runs on, chosen before the
 * first BLAS call, and recorded in every output's provenance.
 *
 * Debian's OpenBLAS is a DYNAMIC_ARCH build: when the library loads it picks
 * a core (a kernel set) from the CPU, or takes OPENBLAS_CORETYPE from the
 * environment. On CPUs it does not recognise it falls back to a generic core
 * (Prescott, SSE3), 3x slower on AVX-512 machines. credit_blas_init() checks
 * the core against the CPU's and OS's features and, when a better one
 * applies, sets OPENBLAS_CORETYPE and re-executes the program once. */
#ifndef CREDIT_BLAS_H
#define CREDIT_BLAS_H

#include <stddef.h>

/* What the CPU can run and the OS saves on a context switch (xgetbv). */
typedef struct {
    int avx, avx2, fma;
    int avx512f, avx512bw, avx512vl, avx512dq, avx512_bf16;
    int os_ymm; /* XCR0: SSE and AVX state */
    int os_zmm; /* XCR0: AVX-512 opmask and zmm state as well */
} credit_cpu_features;

/* The verdict of credit_blas_select: core is NULL when OpenBLAS is left alone. */
typedef struct {
    const char *core;
    char reason[200];
} credit_blas_choice;

/* This CPU's features (all zero off x86-64). */
credit_cpu_features credit_cpu_detect(void);

/* The pure selection rule. reported: the core OpenBLAS chose (or NULL);
 * dynamic_arch: whether OpenBLAS reads OPENBLAS_CORETYPE at all; user: the
 * user's OPENBLAS_CORETYPE or NULL. A user's setting is never overridden; an
 * unknown reported core is left alone, and so is Zen (AMD's kernels, no
 * slower than SkylakeX's on Zen 4); otherwise the best core the CPU and OS
 * support is chosen when it is better than the reported one. */
credit_blas_choice credit_blas_select(const credit_cpu_features *f, const char *reported, int dynamic_arch, const char *user);

/* The best core name the features allow (NULL: nothing beyond SSE). */
const char *credit_blas_best_core(const credit_cpu_features *f);

/* Call first in main(), before any BLAS call: may re-execute the program
 * (execv /proc/self/exe, same argv) with OPENBLAS_CORETYPE set; the guard
 * CREDIT_BLAS_REEXEC (holding the core OpenBLAS chose before) makes it once.
 * Not under valgrind (the new image would run outside it). If the exec fails,
 * prints one warning and continues on the reported core. */
void credit_blas_init(char **argv);

/* "openblas 0.3.21 core Haswell (default)" and the like, for `# blas ...`. */
const char *credit_blas_describe(void);

/* The running OpenBLAS's core name, and whether it is a DYNAMIC_ARCH build. */
const char *credit_blas_corename(void);
int credit_blas_dynamic_arch(void);

#endif
