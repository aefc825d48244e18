/* stats.h - what credit-stats' parts share: the run set, the claims'
 * settings, the output directory and values.tsv, in one context passed
 * around (no globals). */
#ifndef CREDIT_FIGURES_STATS_H
#define CREDIT_FIGURES_STATS_H

#include "claims.h"
#include "groups.h"

typedef struct stats_ctx {
    run_set runs;
    claim_settings cs;
    claim_table claims;  /* paper/experiments/claims.tsv (claims=) */
    group_table groups;  /* paper/experiments/groups.tsv (groups=): which group feeds which table */
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
/* gapfit.c: the gaps at equal training loss (gapfit.tsv, gapfit.md), and
 * one run's gap at a training-loss level from its evaluation rows (NaN if
 * its loss never gets down to the level; mse: the loss gap, else the error
 * gap; perturbed: against the perturbed test set). */
void stats_write_gapfit(stats_ctx *c);
void stats_write_power(stats_ctx *c);
void stats_write_endpoints(stats_ctx *c);
void stats_write_divergence(stats_ctx *c);
void stats_write_findings(stats_ctx *c);
/* discussion.c: the Discussion's generated sentences (values discussion.*; after the power table). */
void stats_write_discussion(stats_ctx *c);

#endif
