/* A rule whose estimate is NaN in one entry: the update makes W_rec[0][1]
 * NaN, which the ReLU hides from the loss. */
#define BAD_OWN_GRAD
#include "bad.h"
static int grad(void *s, const credit_traj *t, const credit_weights *w, credit_params *g)
{
    (void)s; (void)t; (void)w;
    g->W_rec[1] = NAN;
    return 0;
}
static const credit_rule desc = {.head = {BAD_HEAD("nangrad")}, .state_size = size, .init = init, .grad = grad};
CREDIT_RULE_EXPORT(nangrad, desc)
