/* blis_shapes.c - OpenBLAS against BLIS on the trainer's products: the dgemm
 * calls of one bptt iteration (gemm_shapes.h) at the sMNIST size and the long
 * size, one thread. Built twice by `make bench-blis`, once against each
 * library; the make recipe runs the two binaries in alternating rounds and
 * prints the medians (bench/README.md, "OpenBLAS or BLIS"). */
#define _GNU_SOURCE
#include "gemm_shapes.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef BENCH_BLIS
const char *bli_info_get_version_str(void);
const char *bli_arch_string(int id);
int bli_arch_query_id(void);
static void library(char *buf, size_t n) { snprintf(buf, n, "blis %s %s", bli_info_get_version_str(), bli_arch_string(bli_arch_query_id())); }
#else
char *openblas_get_corename(void);
char *openblas_get_config(void);
static void library(char *buf, size_t n)
{
    char v[32] = "?";
    sscanf(openblas_get_config(), "OpenBLAS %31s", v);
    snprintf(buf, n, "openblas %s %s", v, openblas_get_corename());
}
#endif

/* Process CPU time (one thread): preemption by other jobs on the shared
 * machine does not count, which wall time would. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One line per size: library, size, median GFLOP/s (CPU time) over REPS replays (after one warm-up). */
int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 7;
    if (reps < 1 || reps > 100) reps = 7;
    char lib[128];
    library(lib, sizeof lib);
    const struct { const char *name; int B, T, all; } sizes[] = {{"smnist", 256, 28, 0}, {"long", 32, 500, 1}};
    for (int i = 0; i < 2; i++) {
        gemm_shapes s;
        if (gemm_shapes_alloc(&s, sizes[i].B, sizes[i].T, 128, 28, 10, sizes[i].all, 0)) return 1;
        double t[100];
        gemm_shapes_run(&s);
        for (int r = 0; r < reps; r++) {
            double t0 = now();
            gemm_shapes_run(&s);
            t[r] = now() - t0;
        }
        qsort(t, (size_t)reps, sizeof *t, cmp);
        printf("%s\t%s\t%.2f\n", lib, sizes[i].name, gemm_shapes_flops(&s) / t[reps / 2] / 1e9);
        gemm_shapes_free(&s);
    }
    return 0;
}
