/* A rule whose option table has an entry with a NULL key. */
#include "bad.h"
static const credit_option opts[] = {{NULL, CREDIT_OPT_INT, "3", 0, 10, NULL, "k"}};
static const credit_rule desc = {.head = {BAD_HEAD("optnull"), .options = opts, .n_options = 1}, .state_size = size, .init = init,
                                 .grad = grad};
CREDIT_RULE_EXPORT(optnull, desc)
