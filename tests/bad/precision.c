/* A rule built for single precision (issue 15's build), loaded by a double host. */
#include "bad.h"
static const credit_rule desc = {.head = {.abi_version = CREDIT_ABI_VERSION, .struct_size = sizeof(credit_rule), .kind = CREDIT_PLUGIN_RULE, .precision = 32, BAD_TEXT("precision")}, .state_size = size, .init = init, .grad = grad};
CREDIT_RULE_EXPORT(precision, desc)
