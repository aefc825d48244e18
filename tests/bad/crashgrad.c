/* A rule whose grad hook crashes (SIGSEGV), for the crash attribution. */
#define BAD_OWN_GRAD
#include "bad.h"
#include <signal.h>
static int grad(void *s, const credit_traj *t, const credit_weights *w, credit_params *g)
{
    (void)s; (void)t; (void)w; (void)g;
    raise(SIGSEGV);
    return 0;
}
static const credit_rule desc = {.head = {BAD_HEAD("crashgrad")}, .state_size = size, .init = init, .grad = grad};
CREDIT_RULE_EXPORT(crashgrad, desc)
