/* A rule whose init refuses, through the host's error service. */
#define BAD_OWN_INIT
#include "bad.h"
static int refuse(void *s, const credit_dims *d, const credit_value *o, const credit_host *h)
{
    (void)s; (void)o;
    return h->error(h->ctx, CREDIT_EINVAL, "refusing on purpose (n = %d)", d->n);
}
static const credit_rule desc = {.head = {BAD_HEAD("initfail")}, .state_size = size, .init = refuse, .grad = grad};
CREDIT_RULE_EXPORT(initfail, desc)
