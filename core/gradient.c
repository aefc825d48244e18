/* gradient.c - see gradient.h. */
#include "gradient.h"
#include "util.h"

#include <cblas.h>
#include <string.h>

int credit_gradient(credit_fwd *f, const credit_params *w, double l2, const credit_grad_rule *r, unsigned flags, credit_real *grad,
                    double *l2_term)
{
    credit_params g = credit_params_view(grad, &f->d);
    memset(grad, 0, sizeof(credit_real) * credit_params_count(&f->d));
    credit_backward_readout(f, &g);
    if (flags & CREDIT_GRAD_EXACT) {
        credit_backward_bptt(f, w, &g);
    } else {
        int st = r->grad(r->ctx, f, w, &g);
        if (st) return st;
    }
    for (int b = 0; b < CREDIT_N_BLOCKS; b++)
        if (credit_blocks[b].flags & CREDIT_PARAM_NO_DIAG) credit_zero_diagonal(credit_params_block(&g, b), credit_block_rows(&f->d, b));
    double term = flags & CREDIT_GRAD_NO_L2 ? 0.0 : credit_l2(w, &f->d, l2, &g);
    if (l2_term) *l2_term = term;
    return CREDIT_OK;
}

double credit_cosine(const credit_real *a, const credit_real *b, size_t n)
{
    double ab = CREDIT_BLAS(dot)((int)n, a, 1, b, 1), aa = CREDIT_BLAS(dot)((int)n, a, 1, a, 1), bb = CREDIT_BLAS(dot)((int)n, b, 1, b, 1);
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : NAN;
}
