/* A rule built for the other precision than the host's (single for the
 * double build, double for PREC=32). */
#define OTHER_PRECISION (CREDIT_PRECISION == CREDIT_PRECISION_DOUBLE ? CREDIT_PRECISION_SINGLE : CREDIT_PRECISION_DOUBLE)
#include "bad.h"
static const credit_rule desc = {.head = {.abi_version = CREDIT_ABI_VERSION, .struct_size = sizeof(credit_rule), .kind = CREDIT_PLUGIN_RULE, .precision = OTHER_PRECISION, BAD_TEXT("precision")}, .state_size = size, .init = init, .grad = grad};
CREDIT_RULE_EXPORT(precision, desc)
