/* params.c - see params.h. */
#include "params.h"

#include <stdio.h>
#include <string.h>

/* The table and the ABI's views must agree: every block is a member of both
 * views at the same offset, and the views hold nothing else. */
#define CREDIT_BLOCK_CHECK(name, rows, cols, flags)                                                  \
    _Static_assert(offsetof(credit_params, name) == offsetof(credit_weights, name), "views differ: " #name);
CREDIT_PARAM_BLOCKS(CREDIT_BLOCK_CHECK)
#undef CREDIT_BLOCK_CHECK
_Static_assert(sizeof(credit_params) == CREDIT_N_BLOCKS * sizeof(credit_real *), "credit_params has a member the table lacks");
_Static_assert(sizeof(credit_weights) == CREDIT_N_BLOCKS * sizeof(const credit_real *), "credit_weights has a member the table lacks");

const credit_block credit_blocks[CREDIT_N_BLOCKS] = {
#define CREDIT_BLOCK_ROW(name, rows, cols, flags) {#name, CREDIT_DIM_##rows, CREDIT_DIM_##cols, (flags), offsetof(credit_params, name)},
    CREDIT_PARAM_BLOCKS(CREDIT_BLOCK_ROW)
#undef CREDIT_BLOCK_ROW
};

static int dim(const credit_dims *d, int side)
{
    switch (side) {
    case CREDIT_DIM_n_in: return d->n_in;
    case CREDIT_DIM_n: return d->n;
    case CREDIT_DIM_n_out: return d->n_out;
    default: return 1;
    }
}

int credit_block_rows(const credit_dims *d, int b) { return dim(d, credit_blocks[b].rows); }
int credit_block_cols(const credit_dims *d, int b) { return dim(d, credit_blocks[b].cols); }
size_t credit_block_size(const credit_dims *d, int b) { return (size_t)credit_block_rows(d, b) * credit_block_cols(d, b); }

size_t credit_block_offset(const credit_dims *d, int b)
{
    size_t off = 0;
    for (int k = 0; k < b; k++) off += credit_block_size(d, k);
    return off;
}

size_t credit_params_count(const credit_dims *d) { return credit_block_offset(d, CREDIT_N_BLOCKS); }

int credit_block_find(const char *name)
{
    for (int b = 0; b < CREDIT_N_BLOCKS; b++)
        if (strcmp(name, credit_blocks[b].name) == 0) return b;
    return -1;
}

const char *credit_block_names(unsigned flags, const char *sep, char *buf, size_t size)
{
    size_t used = 0;
    if (size) buf[0] = 0;
    for (int b = 0; b < CREDIT_N_BLOCKS && used + 1 < size; b++) {
        if ((credit_blocks[b].flags & flags) != flags) continue;
        int k = snprintf(buf + used, size - used, "%s%s", used ? sep : "", credit_blocks[b].name);
        if (k < 0) break;
        used += (size_t)k;
    }
    return buf;
}

size_t credit_block_span(const credit_dims *d, unsigned flags, size_t *offset)
{
    size_t len = 0;
    int found = 0;
    *offset = 0;
    for (int b = 0; b < CREDIT_N_BLOCKS; b++) {
        if ((credit_blocks[b].flags & flags) != flags) continue;
        if (!found++) *offset = credit_block_offset(d, b);
        len += credit_block_size(d, b);
    }
    return len;
}
