/* A rule built against ABI version 1: its own copy of the v1 descriptor
 * (abi_version, struct_size, then the name; no common head). */
#include "credit.h"
typedef struct v1_rule {
    uint32_t abi_version, struct_size;
    const char *name, *version, *summary, *citation;
    uint32_t flags;
    const credit_option *options;
    uint32_t n_options;
    void *state_size, *init, *grad, *fini;
} v1_rule;
static const v1_rule desc = {.abi_version = 1, .struct_size = sizeof(v1_rule), .name = "oldabi", .version = "0", .summary = "bad",
                             .citation = "none"};
__attribute__((visibility("default"))) const v1_rule *credit_rule_entry(void);
const v1_rule *credit_rule_entry(void) { return &desc; }
