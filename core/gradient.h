/* gradient.h - the one place the training objective's gradient estimate is
 * assembled: training (credit_session_gradient), `credit grad`, gamma and
 * the rule's update Jacobian (credit_hessian_direction) all come here.
 *
 *   g = exact readout gradient (W_out, b_out)
 *     + the rule's W_in/W_rec estimate (CREDIT_GRAD_EXACT: BPTT's)
 *     with the W_rec diagonal zeroed (self-connections are removed)
 *     + l2 (W_in, W_rec, W_out)             (CREDIT_GRAD_NO_L2: left out)
 */
/* Guarded per side, as net.h. */
#ifdef CREDIT_F64_SIDE
#ifndef CREDIT_GRADIENT_F64_H
#define CREDIT_GRADIENT_F64_H
#define CREDIT_GRADIENT_BODY
#endif
#elif !defined(CREDIT_GRADIENT_H)
#define CREDIT_GRADIENT_H
#define CREDIT_GRADIENT_BODY
#endif
#ifdef CREDIT_GRADIENT_BODY
#undef CREDIT_GRADIENT_BODY

#include "net.h"

#ifndef CREDIT_GRAD_FLAGS /* one definition for both sides */
#define CREDIT_GRAD_FLAGS
enum { CREDIT_GRAD_EXACT = 1u << 0, CREDIT_GRAD_NO_L2 = 1u << 1 };
#endif

/* The rule whose estimate is asked for: a callback that adds the rule's
 * dL/dW_in, dL/dW_rec on the batch in f at weights w into g (the session's
 * is credit_session_grad_rule: it calls the plugin and serves its host). */
typedef struct credit_grad_rule {
    int (*grad)(void *ctx, credit_fwd *f, const credit_params *w, credit_params *g);
    void *ctx;
} credit_grad_rule;

/* After credit_forward and credit_loss on f at weights w: the estimate into
 * the flat block grad (credit_params_count(&f->d) values, overwritten).
 * *l2_term (may be NULL) gets l2/2 |W|^2 (0 with CREDIT_GRAD_NO_L2). The
 * rule's status is returned (its message set by the callback). With
 * CREDIT_GRAD_EXACT the rule is not called (r may be NULL). */
int credit_gradient(credit_fwd *f, const credit_params *w, double l2, const credit_grad_rule *r, unsigned flags, credit_real *grad,
                    double *l2_term);

/* Cosine of a and b (NaN if either is zero). */
double credit_cosine(const credit_real *a, const credit_real *b, size_t n);

#endif /* CREDIT_GRADIENT_BODY */

#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE && !defined(CREDIT_GRADIENT_F64_H)
#define CREDIT_F64_BEGIN
#include "f64.h"
#include "gradient.h"
#define CREDIT_F64_END
#include "f64.h"
#endif
