/* The entry symbol is data, not a function: calling it would crash. */
#include "credit.h"
__attribute__((visibility("default"))) const char credit_rule_entry[64] = "not code";
