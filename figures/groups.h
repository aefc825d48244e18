/* groups.h - the experiment groups as credit-stats reads them
 * (paper/experiments/groups.tsv; figures/README.md, "The experiment
 * design"): each group's name, what its x is, and which parts of the
 * statistics it feeds (its roles), so that no table names a group. */
#ifndef CREDIT_FIGURES_GROUPS_H
#define CREDIT_FIGURES_GROUPS_H

#include "tsv.h"

enum { GROUPS_MAX = 32 };

typedef struct group_table {
    tsv_table file; /* the names below point into it */
    /* the group of each role exactly one group plays */
    const char *main;     /* main: every rule at the task's eta (claims, summaries, trajectories, gap fits, power) */
    const char *slope;    /* slope: the learning-rate sweep whose log-log slopes theorem.tsv fits */
    const char *matched;  /* matched: stopped at a common training accuracy (matched.md, tests.tsv) */
    const char *feedback; /* feedback: a random-feedback rule's feedback scale (feedback.md) */
    /* sweep: a sweeps.md section, its x named; trend: sweeps.tsv's Spearman against x */
    const char *sweep[GROUPS_MAX], *sweep_x[GROUPS_MAX], *trend[GROUPS_MAX];
    size_t nsweep, ntrend;
} group_table;

/* Reads the table; dies naming the file and line of an unknown role, or a
 * single role that no group or two groups play. */
void groups_read(group_table *g, const char *path);
void groups_free(group_table *g);

#endif
