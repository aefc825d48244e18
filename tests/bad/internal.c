/* A rule that calls a core internal (credit_error_set, not part of the ABI):
 * bin/credit exports nothing, so it must fail to load with dlopen's message. */
#define BAD_OWN_INIT
#include "bad.h"
int credit_error_set(const char *file, int line, int status, const char *fmt, ...);
static int init(void *s, const credit_dims *d, const credit_value *o, const credit_host *h)
{
    (void)s; (void)d; (void)o; (void)h;
    return credit_error_set(__FILE__, __LINE__, CREDIT_EINVAL, "reached into the core");
}
static const credit_rule desc = {.head = {BAD_HEAD("internal")}, .state_size = size, .init = init, .grad = grad};
CREDIT_RULE_EXPORT(internal, desc)
