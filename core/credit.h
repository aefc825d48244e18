/* credit.h - the one public header of the credit-assignment trainer.
 *
 * Rule plugins (rules/NAME.c) and task plugins (tasks/NAME.c) include this file and
 * nothing else of the core. It defines:
 *   - status codes, the option table that plugins use to declare config keys,
 *   - the trajectory a forward pass leaves for a rule to read,
 *   - the host services table the core hands to a plugin at init,
 *   - the rule and task descriptors, and the macros that export them.
 *
 * ABI rules (version 2): every descriptor starts with the common head
 * (credit_plugin_head: abi_version, struct_size, kind, precision, name, ...);
 * new fields are only ever appended, optional hooks after the required ones
 * are gated by struct_size. The loader refuses a plugin whose abi_version or
 * precision differs, whose struct_size is smaller than the required part, or
 * whose flags carry unknown bits.
 *
 * The kit: a plugin may include this file, <cblas.h>, the C standard library
 * (libm included) and, for rules, rules/trace.h. Nothing else of the core is
 * linked into bin/credit's dynamic symbol table, so a plugin calling a core
 * internal fails to load.
 *
 * Conventions: matrices are row-major W[post][pre]; time-major arrays are
 * laid out [t][b][i] so that every step is a contiguous B x n block and a
 * whole sequence is one (T*B) x n matrix for BLAS.
 */
#ifndef CREDIT_H
#define CREDIT_H

#include <stddef.h>
#include <stdint.h>
#include <math.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CREDIT_ABI_VERSION 2u

/* The floating-point type of every array crossing the ABI (credit_real) and
 * its width in bits. The build chooses: double by default, float when built
 * with -DCREDIT_PREC=32 (make PREC=32). A plugin is loaded only by a core of
 * its own precision. CREDIT_BLAS(gemm) names the BLAS routine of that type
 * (cblas_dgemm or cblas_sgemm). Macros, not typedefs, so that the double
 * build's preprocessed text, and with it every maths hash, is the one of the
 * code before single precision existed. CREDIT_F64_SIDE marks a translation
 * unit of the single-precision build compiled as the core's double side (the
 * curvature measurements' network, core/f64.h). */
#define CREDIT_PRECISION_DOUBLE 64u
#define CREDIT_PRECISION_SINGLE 32u
#if defined(CREDIT_PREC) && CREDIT_PREC == 32 && !defined(CREDIT_F64_SIDE)
#define CREDIT_PRECISION CREDIT_PRECISION_SINGLE
#define credit_real float
#define CREDIT_BLAS(name) cblas_s##name
#else
#define CREDIT_PRECISION CREDIT_PRECISION_DOUBLE
#define credit_real double
#define CREDIT_BLAS(name) cblas_d##name
#endif
/* isfinite in the build's precision: a finite double beyond FLT_MAX is an
 * inf once stored as a float (what a value read from a file is checked with). */
#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
#define credit_real_isfinite(v) isfinite((credit_real)(v))
#else
#define credit_real_isfinite(v) isfinite(v)
#endif
#if defined(CREDIT_PREC) && CREDIT_PREC != 32 && CREDIT_PREC != 64
#error "CREDIT_PREC must be 32 or 64"
#endif
#if defined(CREDIT_F64_SIDE)
#include "f64.h" /* the double side's names: credit_params -> credit_params_f64, ... */
#endif

/* ---------------------------------------------------------------- status */
typedef enum credit_status {
    CREDIT_OK = 0,
    CREDIT_EINVAL,   /* bad argument, bad config value */
    CREDIT_ENOMEM,
    CREDIT_EIO,      /* file missing, unreadable, short */
    CREDIT_EFORMAT,  /* file present but malformed or corrupt */
    CREDIT_EPLUGIN,  /* plugin could not be loaded or refused to init */
    CREDIT_EDIVERGED /* loss became NaN or Inf */
} credit_status;

/* ---------------------------------------------------------------- RNG
 * xoshiro256** (Blackman & Vigna 2018) seeded by splitmix64. Inline here so
 * that plugins draw from streams the host seeds and never touch rand().
 * Test vector (tests/test_core.c): state {1,2,3,4} gives 11520, 0,
 * 1509978240, 1215971899390074240. */
typedef struct credit_rng { uint64_t s[4]; } credit_rng;

static inline uint64_t credit_rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t credit_rng_next(credit_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = credit_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = credit_rng_rotl(s[3], 45);
    return result;
}

static inline uint64_t credit_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A stream is named by (seed, stream): different streams of one seed are
 * independent for all practical purposes, so e.g. trial i of a task split
 * can be drawn from stream (split << 32 | i) without storing anything. */
static inline void credit_rng_seed(credit_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull + 0x632be59bd9b4e019ull);
    for (int i = 0; i < 4; i++) r->s[i] = credit_splitmix64(&x);
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double credit_rng_uniform(credit_rng *r)
{
    return (double)(credit_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n) without modulo bias (Lemire's rejection). */
static inline uint64_t credit_rng_below(credit_rng *r, uint64_t n)
{
    uint64_t threshold = (0 - n) % n, x;
    do x = credit_rng_next(r); while (x < threshold);
    return x % n;
}

/* Standard normal by Box-Muller; one draw per call keeps streams simple. */
static inline double credit_rng_normal(credit_rng *r)
{
    double u1 = 1.0 - credit_rng_uniform(r); /* (0, 1] so log is finite */
    double u2 = credit_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---------------------------------------------------------------- options
 * A plugin declares its config keys in a table; the core parses, validates
 * and reports errors for them exactly as for its own keys, and hands the
 * parsed values to init in table order. */
typedef enum credit_opt_kind {
    CREDIT_OPT_INT,    /* integer in [min, max] */
    CREDIT_OPT_REAL,   /* finite real in [min, max] */
    CREDIT_OPT_CHOICE, /* one of the '|'-separated words in choices */
    CREDIT_OPT_STRING  /* any string (paths) */
} credit_opt_kind;

typedef struct credit_option {
    const char *key;
    credit_opt_kind kind;
    const char *default_value; /* as written in a config file */
    double min, max;           /* INT and REAL */
    const char *choices;       /* CHOICE: "symmetric|random" */
    const char *help;          /* one line */
} credit_option;

/* INT: i and r; REAL: r; CHOICE: s is the chosen word (compare with
 * strcmp), i is 0 and unused; STRING: s. Strings are owned by the core. */
typedef struct credit_value {
    long i;        /* INT (0 and unused for CHOICE) */
    double r;      /* REAL (also set for INT) */
    const char *s; /* the value as text: the CHOICE word, the STRING; owned by the core */
} credit_value;

/* ---------------------------------------------------------------- common head
 * Every descriptor (credit_rule, credit_task) starts with this head, so the
 * core reads names, options and flags the same way for either kind. */
typedef enum credit_plugin_kind { CREDIT_PLUGIN_RULE = 1, CREDIT_PLUGIN_TASK = 2 } credit_plugin_kind;

typedef struct credit_plugin_head {
    uint32_t abi_version; /* CREDIT_ABI_VERSION */
    uint32_t struct_size; /* sizeof the whole descriptor (credit_rule or credit_task) */
    uint32_t kind;        /* credit_plugin_kind */
    uint32_t precision;   /* CREDIT_PRECISION */
    const char *name;     /* stable, [a-z0-9_]: the file name and the config value */
    const char *version;
    const char *summary;  /* one line */
    const char *citation;
    uint32_t flags;       /* kind-specific (CREDIT_RULE_*; tasks: none yet); unknown bits are refused */
    const credit_option *options;
    uint32_t n_options;   /* no NULL entries: every key, default, help (and CHOICE list) set */
} credit_plugin_head;

/* Designated initialisers of the head's fixed fields:
 *   .head = { CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule), .name = "...", ... } */
#define CREDIT_PLUGIN_HEAD(kind_, type_) \
    .abi_version = CREDIT_ABI_VERSION, .struct_size = sizeof(type_), .kind = (kind_), .precision = CREDIT_PRECISION

/* ---------------------------------------------------------------- sizes, loss */
typedef enum credit_loss_kind {
    CREDIT_LOSS_XENT = 0, /* softmax cross-entropy; targets are distributions (one-hot) */
    CREDIT_LOSS_MSE = 1   /* mean squared error over scored steps and outputs */
} credit_loss_kind;

typedef struct credit_dims {
    int n_in, n, n_out; /* input, recurrent, output units */
    int T;              /* steps per sequence */
    int B_max;          /* largest batch grad is given: the training batch, the
                           measurements' Hessian-direction chunks; never eval_chunk */
    double leak;        /* a in v_t = a v_{t-1} + (1-a)(...) */
} credit_dims;

#include "credit_views.h"

/* ---------------------------------------------------------------- host */
typedef struct credit_host {
    uint32_t abi_version;
    uint32_t struct_size;
    void *ctx;     /* pass back to every service */
    uint64_t seed; /* this plugin's seed, derived from the run seed */
    /* Progress and notes, one line, no trailing newline needed. */
    void (*log)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    /* Report an error (names the file, key or value); returns status so a
     * hook can write `return host->error(host->ctx, CREDIT_EIO, ...)`. */
    int (*error)(void *ctx, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
    /* Zeroed memory the core owns and frees after fini; for sizes a plugin
     * learns only at init (a data file). NULL on failure. */
    void *(*alloc)(void *ctx, size_t bytes);
    /* The core's exact BPTT: accumulates dL/dW_in and dL/dW_rec of the task
     * loss for this trajectory into g (the `bptt` rule is just this call). */
    int (*bptt)(void *ctx, const credit_traj *tr, const credit_weights *w, credit_params *g);
    /* The run's initial weights (random init or the `weights` file), during a
     * rule's init only (NULL otherwise and for tasks). */
    const credit_weights *init;
    /* ---- appended in ABI 2 ---- */
    /* The task loss of the current batch (the one whose trajectory grad was
     * just given) at weights w, with xi [T][B][n] (or NULL) added inside the
     * recurrent input of every step:
     *   v_t = a v_{t-1} + (1-a) (W_rec z_{t-1} + W_in x_t + xi_t).
     * *loss: the batch loss exactly as the core computes it; per_example (B
     * values, may be NULL): each sequence's share, summing to *loss. Does not
     * change the trajectory the rule holds; only valid inside grad (returns
     * CREDIT_EINVAL elsewhere). */
    int (*forward_loss)(void *ctx, const credit_weights *w, const credit_real *xi, double *loss, credit_real *per_example);
} credit_host;

/* ---------------------------------------------------------------- rules
 * A rule turns a trajectory into an estimate of dL/dW_in and dL/dW_rec of the
 * task loss. The core adds the exact W_out/b_out gradients, the L2 term and
 * zeroes the W_rec diagonal; the rule touches only g->W_in and g->W_rec. */
enum {
    /* The estimate is the true gradient: conformance checks it equals the
     * core's BPTT to 1e-12 relative on random cases. */
    CREDIT_RULE_EXACT = 1u << 0,
    /* Uses only quantities local in space and time plus a broadcast signal
     * (printed, not checked). */
    CREDIT_RULE_LOCAL = 1u << 1,
    CREDIT_RULE_FLAGS_KNOWN = CREDIT_RULE_EXACT | CREDIT_RULE_LOCAL
};

/* The optimizer step just taken, for after_update. */
typedef struct credit_update {
    long iter;                  /* iterations completed, this step included (1 after the first) */
    double lr;                  /* learning rate of this step */
    double l2;                  /* the run's L2 coefficient */
    const credit_weights *w;    /* weights after the step */
    const credit_weights *step; /* the step taken: w_after - w_before, every matrix */
    const credit_traj *tr;      /* the trajectory of this step's batch (at w_before) */
} credit_update;

typedef struct credit_rule {
    credit_plugin_head head; /* kind CREDIT_PLUGIN_RULE, struct_size sizeof(credit_rule) */
    /* Bytes of state (workspaces included) for these sizes; the core
     * allocates them zeroed before init. No allocation in the other hooks. */
    size_t (*state_size)(const credit_dims *d, const credit_value *opt);
    int (*init)(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host);
    /* Accumulate the estimate into g->W_in and g->W_rec (the core zeroes g). */
    int (*grad)(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g);
    void (*fini)(void *state); /* may be NULL */
    /* ---- optional: present when head.struct_size covers them, may be NULL ---- */
    /* After every optimizer step: the step just taken. The rule may update its
     * own state (e.g. learned feedback). Called once per training iteration,
     * never by measurements. */
    int (*after_update)(void *state, const credit_update *u);
    /* Plugin state into the checkpoint: bytes of saved state (fixed after
     * init), write them, read them back (bytes = what save_size said when
     * written). All three or none; required when after_update is set (the
     * state would not survive a resume otherwise). */
    size_t (*save_size)(const void *state);
    int (*save)(const void *state, void *buf);
    int (*load)(void *state, const void *buf, size_t bytes);
} credit_rule;

/* ---------------------------------------------------------------- tasks */
enum { CREDIT_SPLIT_TRAIN, CREDIT_SPLIT_VALID, CREDIT_SPLIT_TEST, CREDIT_SPLIT_TEST_PERTURBED, CREDIT_N_SPLITS };

typedef struct credit_task_info {
    int n_in, n_out, T;
    credit_loss_kind loss;
    uint64_t n_examples[CREDIT_N_SPLITS]; /* 0: split absent */
} credit_task_info;

typedef struct credit_task {
    credit_plugin_head head; /* kind CREDIT_PLUGIN_TASK, struct_size sizeof(credit_task), flags 0 */
    size_t (*state_size)(const credit_value *opt);
    /* Read data or set up generators, fill *info. Large data goes through
     * host->alloc. */
    int (*init)(void *state, const credit_value *opt, const credit_host *host, credit_task_info *info);
    /* Fill B examples of a split, named by index (deterministic in the index):
     * x [T][B][n_in], target [T][B][n_out], mask [T][B] (weight of each step
     * in the loss, 0 = unscored). Every array is fully written. */
    int (*fill)(void *state, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask);
    void (*fini)(void *state); /* may be NULL */
} credit_task;

/* ---------------------------------------------------------------- export
 * Built as a shared object (-DCREDIT_BUILD_SO) a plugin exports exactly one
 * symbol, credit_rule_entry or credit_task_entry. Built into the test binary
 * the same file defines credit_rule_entry_<id> instead, so many plugins link
 * together without clashing. */
#define CREDIT_RULE_SYMBOL "credit_rule_entry"
#define CREDIT_TASK_SYMBOL "credit_task_entry"
#ifdef CREDIT_BUILD_SO
#define CREDIT_RULE_EXPORT(id, desc) \
    __attribute__((visibility("default"))) const credit_rule *credit_rule_entry(void); \
    const credit_rule *credit_rule_entry(void) { return &(desc); }
#define CREDIT_TASK_EXPORT(id, desc) \
    __attribute__((visibility("default"))) const credit_task *credit_task_entry(void); \
    const credit_task *credit_task_entry(void) { return &(desc); }
#else
#define CREDIT_RULE_EXPORT(id, desc) \
    const credit_rule *credit_rule_entry_##id(void); \
    const credit_rule *credit_rule_entry_##id(void) { return &(desc); }
#define CREDIT_TASK_EXPORT(id, desc) \
    const credit_task *credit_task_entry_##id(void); \
    const credit_task *credit_task_entry_##id(void) { return &(desc); }
#endif

#ifdef __cplusplus
}
#endif
#endif /* CREDIT_H */
