/* A rule with save and save_size but no load. */
#include "bad.h"
static size_t bytes(const void *s) { (void)s; return 1; }
static int save(const void *s, void *buf) { *(char *)buf = *(const char *)s; return 0; }
static const credit_rule desc = {.head = {BAD_HEAD("halfsave")}, .state_size = size, .init = init, .grad = grad, .save_size = bytes,
                                 .save = save};
CREDIT_RULE_EXPORT(halfsave, desc)
