/* A rule that sets a flag bit this host does not know. */
#include "bad.h"
static const credit_rule desc = {.head = {BAD_HEAD("badflags"), .flags = CREDIT_RULE_LOCAL | (1u << 7)}, .state_size = size, .init = init,
                                 .grad = grad};
CREDIT_RULE_EXPORT(badflags, desc)
