/* A task that declares 2^62 test examples: evaluation would never end. */
#include "credit.h"
#include <string.h>
static size_t size(const credit_value *o) { (void)o; return 1; }
static int init(void *s, const credit_value *o, const credit_host *h, credit_task_info *info)
{
    (void)s; (void)o; (void)h;
    memset(info, 0, sizeof *info);
    info->n_in = 1;
    info->n_out = 1;
    info->T = 2;
    info->loss = CREDIT_LOSS_MSE;
    info->n_examples[CREDIT_SPLIT_TRAIN] = 4;
    info->n_examples[CREDIT_SPLIT_TEST] = (uint64_t)1 << 62;
    return 0;
}
static int fill(void *s, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask)
{
    (void)s; (void)split; (void)index;
    for (int i = 0; i < 2 * B; i++) x[i] = target[i] = mask[i] = 1.0;
    return 0;
}
static const credit_task desc = {.head = {CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_TASK, credit_task), .name = "hugetask", .version = "0",
                                          .summary = "bad", .citation = "none"},
                                 .state_size = size, .init = init, .fill = fill};
CREDIT_TASK_EXPORT(hugetask, desc)
