/* stats.h - what credit-stats' parts share: the run set, the claims'
 * settings, the output directory and values.tsv, in one context passed
 * around (no globals). */
#ifndef CREDIT_FIGURES_STATS_H
#define CREDIT_FIGURES_STATS_H

#include "claims.h"

typedef struct stats_ctx {
    run_set runs;
    claim_settings cs;
    tsv_out out;
    FILE *values;        /* values.tsv: every number the paper quotes */
    const char *profile;
    const char *note;    /* FIG_CLAIM_NOTE: the profile's sentence on what its verdicts are evidence of */
    claim_row *rows;     /* the claims, judged */
    size_t nrows;
} stats_ctx;

void stats_value(stats_ctx *c, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fragments.c: the Markdown fragments the paper includes and the claims' tables. */
void stats_write_claims(stats_ctx *c);
void stats_write_fragments(stats_ctx *c);

#endif
