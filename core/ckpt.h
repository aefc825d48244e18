/* ckpt.h - what a run writes to disk and reads back: checkpoints (weights,
 * optimizer state and the rule's own state) and weights as TSV (its blocks
 * are params.h's table), with the one table of split names every output
 * uses. */
#ifndef CREDIT_CKPT_H
#define CREDIT_CKPT_H

#include "session.h"

/* A split's two spellings: the word a user types (credit sample split=) and
 * the prefix of its columns and keys in curve.tsv and metrics.tsv. */
typedef struct credit_split_name { const char *name, *column; } credit_split_name;
extern const credit_split_name credit_splits[CREDIT_N_SPLITS];

#define CREDIT_CKPT_MAGIC "CREDITCK"
/* 3: the rule's saved state (save_size bytes) after the optimizer moments. */
#define CREDIT_CKPT_VERSION 3u

/* The run a checkpoint belongs to: still running (rows of iterations before
 * `iteration` in the curve), or finished (every row, and the status). */
enum { CREDIT_CKPT_RUNNING = 0, CREDIT_CKPT_COMPLETED, CREDIT_CKPT_TARGET, CREDIT_CKPT_DIVERGED };

typedef struct credit_ckpt_info {
    long iteration;
    uint64_t curve_offset; /* bytes of curve.tsv.part that belong to iterations < iteration (finished: all of it) */
    int status;            /* CREDIT_CKPT_* */
} credit_ckpt_info;

int credit_ckpt_write(const credit_session *s, const char *path, const credit_ckpt_info *info);
/* Reads into s (parameters, optimizer state, the rule's state through its
 * load hook) after checking magic, version, size, checksum, config hash, the
 * size of the rule's state and the range of every field (iteration in
 * 0..iters, finite parameters unless the run diverged). */
int credit_ckpt_read(credit_session *s, const char *path, credit_ckpt_info *info);

/* 1 if every value is finite. */
int credit_params_finite(const credit_real *theta, size_t n);
/* A checkpoint says which precision trained it through its config hash: the
 * single-precision build stores the hash tagged (xor a constant), so neither
 * build resumes or measures the other's checkpoint (its weights would be
 * rounded, or a float run continued in double). In the double build both
 * macros leave the code's text as it was. */
#define CREDIT_CKPT_PREC32_TAG 0x5052454333320000ull /* "PREC32" */
#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
#define credit_ckpt_config_hash(hash) ((hash) ^ CREDIT_CKPT_PREC32_TAG)
#define CREDIT_CKPT_HASH_NOTE                                                                                                     \
    "; this build trains in single precision (PREC=32) and tags its checkpoints' config hash, so a checkpoint of the double "    \
    "build is refused (use that build, or train afresh)"
#else
#define credit_ckpt_config_hash(hash) hash
#define CREDIT_CKPT_HASH_NOTE
#endif
/* The checkpoint's blocks (theta and the Adam moments) are doubles in either
 * build. In the double build these are the calls ckpt.c always made; the
 * single-precision build (PREC=32) widens its float blocks on write and
 * narrows on read, with the same arguments (sizes in doubles), so that the
 * double build's text, and its maths hash, stays as it was. */
#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
uint64_t credit_ckpt_hash_block(const float *x, size_t bytes, uint64_t sum); /* FNV-1a of x widened to doubles */
size_t credit_ckpt_write_block(const float *x, size_t size, size_t n, FILE *fp); /* n doubles */
int credit_ckpt_finite_block(const double *x, size_t n);
void credit_ckpt_read_block(float *dst, const double *src, size_t bytes);
#else
#define credit_ckpt_hash_block credit_fnv1a
#define credit_ckpt_write_block fwrite
#define credit_ckpt_finite_block credit_params_finite
#define credit_ckpt_read_block memcpy
#endif

/* Weights as TSV: name row col value, %.17g, block by block in layout order. */
int credit_weights_write(const credit_session *s, const char *path);
int credit_weights_read(credit_session *s, const char *path);

#endif
