/* A rule whose state changes after every update (after_update) but cannot
 * be saved: a resume would silently lose it. */
#include "bad.h"
static int after(void *s, const credit_update *u) { (void)u; ++*(char *)s; return 0; }
static const credit_rule desc = {.head = {BAD_HEAD("nosave")}, .state_size = size, .init = init, .grad = grad, .after_update = after};
CREDIT_RULE_EXPORT(nosave, desc)
