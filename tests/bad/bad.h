/* bad.h - what the deliberately broken rules share: do-nothing hooks and the
 * descriptor head of a rule named NAME (each file breaks one thing). */
#include "credit.h"
static size_t size(const credit_dims *d, const credit_value *o) { (void)d; (void)o; return 1; }
#ifndef BAD_OWN_INIT
static int init(void *s, const credit_dims *d, const credit_value *o, const credit_host *h) { (void)s; (void)d; (void)o; (void)h; return 0; }
#endif
#ifndef BAD_OWN_GRAD
static int grad(void *s, const credit_traj *t, const credit_weights *w, credit_params *g) { (void)s; (void)t; (void)w; (void)g; return 0; }
#endif
#define BAD_TEXT(name_) .name = name_, .version = "0", .summary = "bad", .citation = "none"
#define BAD_HEAD(name_) CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule), BAD_TEXT(name_)
