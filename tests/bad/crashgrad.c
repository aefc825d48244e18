/* A rule whose grad hook crashes (SIGSEGV), for the crash attribution. */
#include "credit.h"
#include <signal.h>
static size_t size(const credit_dims *d, const credit_value *o) { (void)d; (void)o; return 1; }
static int init(void *s, const credit_dims *d, const credit_value *o, const credit_host *h) { (void)s; (void)d; (void)o; (void)h; return 0; }
static int grad(void *s, const credit_traj *t, const credit_params *w, credit_params *g)
{
    (void)s; (void)t; (void)w; (void)g;
    raise(SIGSEGV);
    return 0;
}
static const credit_rule desc = {.abi_version = CREDIT_ABI_VERSION, .struct_size = sizeof(credit_rule), .name = "crashgrad",
                                 .version = "0", .summary = "bad", .citation = "none", .state_size = size, .init = init, .grad = grad};
CREDIT_RULE_EXPORT(crashgrad, desc)
