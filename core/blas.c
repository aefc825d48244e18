/* blas.c - choosing OpenBLAS's kernels before the first BLAS call (blas.h). */
#define _GNU_SOURCE
#include "blas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* OpenBLAS's own extensions (its cblas.h clashes with GSL's, see curv_tridiag.c). */
char *openblas_get_corename(void);
char *openblas_get_config(void);

#define GUARD "CREDIT_BLAS_REEXEC"

/* ------------------------------------------------------------ features */

#if defined(__x86_64__) || defined(__i386__)
static unsigned long long xgetbv0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif

credit_cpu_features credit_cpu_detect(void)
{
    credit_cpu_features f = {0};
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    int osxsave = (c >> 27) & 1;
    f.avx = (c >> 28) & 1;
    f.fma = (c >> 12) & 1;
    if (osxsave) {
        unsigned long long xcr0 = xgetbv0();
        f.os_ymm = (xcr0 & 0x6) == 0x6;    /* SSE, AVX */
        f.os_zmm = (xcr0 & 0xe6) == 0xe6;  /* and opmask, ZMM_Hi256, Hi16_ZMM */
    }
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f.avx2 = (b >> 5) & 1;
        f.avx512f = (b >> 16) & 1;
        f.avx512dq = (b >> 17) & 1;
        f.avx512bw = (b >> 30) & 1;
        f.avx512vl = (b >> 31) & 1;
        if (a >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            f.avx512_bf16 = (a >> 5) & 1;
        }
    }
#endif
    return f;
}

/* ------------------------------------------------------------ the rule */

/* OpenBLAS 0.3.21's x86-64 cores (the names its OPENBLAS_CORETYPE accepts,
 * checked one by one), by the widest instructions their kernels use; and
 * SapphireRapids, which later versions report (0.3.21 ignores that name). */
enum { LEVEL_SSE, LEVEL_AVX, LEVEL_AVX2, LEVEL_AVX512, LEVEL_AVX512_BF16 };
static const struct {
    const char *name;
    int level;
} cores[] = {
    {"Prescott", LEVEL_SSE},     {"Core2", LEVEL_SSE},       {"Penryn", LEVEL_SSE},         {"Dunnington", LEVEL_SSE},
    {"Nehalem", LEVEL_SSE},      {"Atom", LEVEL_SSE},        {"Opteron", LEVEL_SSE},        {"Barcelona", LEVEL_SSE},
    {"Nano", LEVEL_SSE},         {"Bobcat", LEVEL_SSE},      {"Sandybridge", LEVEL_AVX},    {"Bulldozer", LEVEL_AVX},
    {"Piledriver", LEVEL_AVX},   {"Steamroller", LEVEL_AVX}, {"Haswell", LEVEL_AVX2},       {"Zen", LEVEL_AVX2},
    {"Excavator", LEVEL_AVX2},   {"SkylakeX", LEVEL_AVX512}, {"Cooperlake", LEVEL_AVX512_BF16},
    {"SapphireRapids", LEVEL_AVX512_BF16},
};
static const char *level_core[] = {NULL, "Sandybridge", "Haswell", "SkylakeX", "Cooperlake"};
static const char *level_what[] = {"SSE only", "AVX", "AVX2 and FMA", "AVX-512 F/BW/VL/DQ", "AVX-512 F/BW/VL/DQ and BF16"};

static int core_level(const char *name)
{
    for (size_t i = 0; name && i < sizeof cores / sizeof *cores; i++)
        if (strcasecmp(cores[i].name, name) == 0) return cores[i].level;
    return -1;
}

static int features_level(const credit_cpu_features *f)
{
    if (!f->os_ymm) return LEVEL_SSE;
    if (f->avx512f && f->avx512bw && f->avx512vl && f->avx512dq && f->avx2 && f->fma && f->os_zmm)
        /* Cooperlake is SkylakeX plus bf16 kernels (sbgemm only); OpenBLAS checks bf16 itself too. */
        return f->avx512_bf16 ? LEVEL_AVX512_BF16 : LEVEL_AVX512;
    if (f->avx2 && f->fma) return LEVEL_AVX2;
    return f->avx ? LEVEL_AVX : LEVEL_SSE;
}

const char *credit_blas_best_core(const credit_cpu_features *f) { return level_core[features_level(f)]; }

credit_blas_choice credit_blas_select(const credit_cpu_features *f, const char *reported, int dynamic_arch, const char *user)
{
    credit_blas_choice c = {NULL, ""};
    int have = core_level(reported), can = features_level(f);
    const char *cpu_note = f->avx512f && !f->os_zmm && f->os_ymm ? " (the OS does not save zmm state)" : "";
    if (user && *user)
        snprintf(c.reason, sizeof c.reason, "OPENBLAS_CORETYPE=%s set by the user", user);
    else if (!dynamic_arch)
        snprintf(c.reason, sizeof c.reason, "OpenBLAS is built for one core; OPENBLAS_CORETYPE would be ignored");
    else if (have < 0)
        snprintf(c.reason, sizeof c.reason, "OpenBLAS chose %s, a core credit does not rank; left alone", reported ? reported : "(none)");
    else if (can >= LEVEL_AVX512 && strcasecmp(reported, "Zen") == 0)
        /* OpenBLAS's choice for AMD: on an AVX-512 Zen 4 its AVX2 kernels ran
         * the trainer's dgemm calls as fast as SkylakeX's (bench/README.md). */
        snprintf(c.reason, sizeof c.reason, "OpenBLAS chose Zen (AMD's own kernels); kept on an AVX-512 CPU");
    else if (can <= have)
        snprintf(c.reason, sizeof c.reason, "OpenBLAS chose %s; CPU and OS support %s%s: nothing better", reported, level_what[can],
                 cpu_note);
    else {
        c.core = level_core[can];
        snprintf(c.reason, sizeof c.reason, "OpenBLAS chose %s; CPU and OS support %s%s", reported, level_what[can], cpu_note);
    }
    return c;
}

/* ------------------------------------------------------------ the process */

static struct {
    int done;
    enum { HOW_DEFAULT, HOW_SELECTED, HOW_USER } how;
    char note[240];
    char line[400];
} state;

const char *credit_blas_corename(void)
{
    const char *name = openblas_get_corename();
    return name ? name : "unknown";
}

int credit_blas_dynamic_arch(void)
{
    const char *cfg = openblas_get_config();
    return cfg && strstr(cfg, "DYNAMIC_ARCH") != NULL;
}

static int under_valgrind(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre && strstr(pre, "vgpreload") != NULL;
}

/* argv NULL: classify only (a library caller that did not run credit_blas_init). */
static void blas_start(char **argv)
{
    state.done = 1;
    const char *user = getenv("OPENBLAS_CORETYPE"), *guard = getenv(GUARD);
    credit_cpu_features f = credit_cpu_detect();
    int dyn = credit_blas_dynamic_arch();
    if (guard) { /* re-executed already (here or by a parent process): never again */
        credit_blas_choice c = credit_blas_select(&f, guard, dyn, NULL);
        if (user && c.core && strcasecmp(user, c.core) == 0) {
            state.how = HOW_SELECTED;
            snprintf(state.note, sizeof state.note, "%s", c.reason);
        } else
            state.how = user ? HOW_USER : HOW_DEFAULT;
        return;
    }
    if (user && *user) {
        state.how = HOW_USER;
        return;
    }
    /* CREDIT_BLAS_TEST_REPORTED stands in for the core OpenBLAS reports, so the
     * tests can drive the re-exec on a machine where OpenBLAS chooses well. */
    const char *reported = getenv("CREDIT_BLAS_TEST_REPORTED");
    if (!reported || !*reported) reported = credit_blas_corename();
    credit_blas_choice c = credit_blas_select(&f, reported, dyn, NULL);
    state.how = HOW_DEFAULT;
    if (!c.core || !argv) return;
    if (under_valgrind()) {
        snprintf(state.note, sizeof state.note, "not re-executed under valgrind for %s", c.core);
        return;
    }
    if (setenv("OPENBLAS_CORETYPE", c.core, 1) == 0 && setenv(GUARD, reported, 1) == 0) {
        fflush(NULL);
        execv("/proc/self/exe", argv);
    }
    fprintf(stderr, "credit: warning: could not re-execute with OPENBLAS_CORETYPE=%s (%s); running on OpenBLAS's %s kernels\n",
            c.core, c.reason, reported);
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv(GUARD);
    snprintf(state.note, sizeof state.note, "re-exec for %s failed", c.core);
}

void credit_blas_init(char **argv) { blas_start(argv); }

const char *credit_blas_describe(void)
{
    if (!state.done) blas_start(NULL);
    char version[32] = "unknown";
    const char *cfg = openblas_get_config();
    if (cfg) sscanf(cfg, "OpenBLAS %31s", version);
    const char *core = credit_blas_corename();
    if (state.how == HOW_SELECTED)
        snprintf(state.line, sizeof state.line, "openblas %s core %s (selected by credit: %s)", version, core, state.note);
    else if (state.how == HOW_USER)
        snprintf(state.line, sizeof state.line, "openblas %s core %s (OPENBLAS_CORETYPE set by user)", version, core);
    else if (*state.note)
        snprintf(state.line, sizeof state.line, "openblas %s core %s (default; %s)", version, core, state.note);
    else
        snprintf(state.line, sizeof state.line, "openblas %s core %s (default)", version, core);
    return state.line;
}
