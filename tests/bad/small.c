/* A rule whose descriptor is smaller than this host's required part. */
#include "bad.h"
static const credit_rule desc = {.head = {.abi_version = CREDIT_ABI_VERSION, .struct_size = 16, .kind = CREDIT_PLUGIN_RULE, .precision = CREDIT_PRECISION, BAD_TEXT("small")}, .state_size = size, .init = init, .grad = grad};
CREDIT_RULE_EXPORT(small, desc)
