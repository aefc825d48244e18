/* params.h - the parameter table: the one list of the network's weight
 * blocks (name, shape, L2 membership, which blocks a rule estimates), in the
 * order they lie in the flat parameter block. Weights files, checkpoints,
 * the gradient assembly, the L2 term, the Hessian's parameter selection and
 * `credit grad` loop over it; only the maths (net.c, net_r.c) and the plugin
 * ABI's views (credit_views.h: credit_weights, credit_params) name blocks.
 *
 * A new block is one line of CREDIT_PARAM_BLOCKS and one member of each view
 * (an ABI change); the static checks in params.c refuse a table and views
 * that disagree. The table knows no precision: net.h maps it onto the views
 * of either side (credit_params_block, ...). */
#ifndef CREDIT_PARAMS_H
#define CREDIT_PARAMS_H

#include "credit.h"

/* X(name, rows, cols, flags) per block, in layout order: a rows x cols
 * row-major matrix (W[post][pre]), rows and cols named by a credit_dims
 * field or `one`. The rule's blocks come first: a rule's estimate is one
 * prefix of the layout (`credit grad`'s cosine over them). */
#define CREDIT_PARAM_BLOCKS(X)                                                  \
    X(W_in, n, n_in, CREDIT_PARAM_RULE | CREDIT_PARAM_L2)                      \
    X(W_rec, n, n, CREDIT_PARAM_RULE | CREDIT_PARAM_L2 | CREDIT_PARAM_NO_DIAG) \
    X(W_out, n_out, n, CREDIT_PARAM_L2)                                        \
    X(b_out, n_out, one, 0)

enum {
    CREDIT_PARAM_RULE = 1u << 0,   /* a rule estimates it; the core adds the exact gradient of the others */
    CREDIT_PARAM_L2 = 1u << 1,     /* in the L2 penalty l2/2 |W|^2 */
    CREDIT_PARAM_NO_DIAG = 1u << 2 /* square, diagonal held at 0 (self-connections are removed) */
};

/* Block indices: CREDIT_BLOCK_W_in, ... */
enum {
#define CREDIT_BLOCK_INDEX(name, rows, cols, flags) CREDIT_BLOCK_##name,
    CREDIT_PARAM_BLOCKS(CREDIT_BLOCK_INDEX)
#undef CREDIT_BLOCK_INDEX
    CREDIT_N_BLOCKS
};

/* A shape's side: a field of credit_dims, or 1. */
enum { CREDIT_DIM_one, CREDIT_DIM_n_in, CREDIT_DIM_n, CREDIT_DIM_n_out };

typedef struct credit_block {
    const char *name;   /* weights.tsv, `credit grad` */
    int rows, cols;     /* CREDIT_DIM_* */
    unsigned flags;     /* CREDIT_PARAM_* */
    size_t member;      /* offsetof the block's pointer in credit_params and in credit_weights */
} credit_block;
extern const credit_block credit_blocks[CREDIT_N_BLOCKS];

int credit_block_rows(const credit_dims *d, int b);
int credit_block_cols(const credit_dims *d, int b);
size_t credit_block_size(const credit_dims *d, int b);
/* Offset of block b in the flat parameter block. */
size_t credit_block_offset(const credit_dims *d, int b);
/* Length of the flat block (every parameter, the held diagonal included). */
size_t credit_params_count(const credit_dims *d);
/* The block called name, or -1. */
int credit_block_find(const char *name);
/* The names of the blocks carrying all of flags (0: every block), joined
 * by sep into buf (truncated to size). */
const char *credit_block_names(unsigned flags, const char *sep, char *buf, size_t size);
/* The blocks carrying all of flags, which must be one run of the layout
 * (CREDIT_PARAM_RULE: the rule's prefix): their offset into *offset, and
 * their length returned. */
size_t credit_block_span(const credit_dims *d, unsigned flags, size_t *offset);

#endif
