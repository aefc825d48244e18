/* claims.h - the paper's claims as data: one table of claim rows drives one
 * loop that computes each row's effect with its 95% interval, the p-value
 * of the paper's prediction and the p-value against it, Holm's correction
 * over the pre-registered primary endpoints, and the verdict (science.md,
 * "Verdicts"): reproduced, contradicted, negligible or inconclusive. */
#ifndef CREDIT_FIGURES_CLAIMS_H
#define CREDIT_FIGURES_CLAIMS_H

#include "runs.h"
#include "statlib.h"

/* What the profile declares before the runs (paper/experiments/PROFILE.mk,
 * FIG_CLAIM_* variables; credit-stats gets them as NAME=value arguments). */
typedef struct claim_settings {
    const char *reference;     /* the rule the others are compared with (bptt) */
    double alpha;
    const char *primary;       /* primary endpoints: words id:task:rule:quantity, '*' matches anything */
    const char *matched_loss;  /* the group stopped at a matched training loss */
    const char *remedy;        /* the remedy's group */
    const char *main_group;    /* the main comparison's group (groups.tsv, role main): a claim whose group the profile lacks is "not measured" for its tasks and rules */
    double sesoi_gap_acc, sesoi_gap_loss, sesoi_gap_mse, sesoi_log_lambda, sesoi_slope, sesoi_r; /* gap_loss in nats, gap_mse for MSE tasks */
    double band_lo, band_hi;   /* 5b: eta lambda_max / 2 at BPTT's plateau */
    double near;               /* 5c: a factor: "near" BPTT's level */
    double plateau;            /* fraction of training that is the plateau */
    const char *endpoint;      /* "last": the last iterate; "plateau": the mean over the last endpoint_window of training */
    double endpoint_window;
    double sesoi_log_sd;       /* claim 2: the smallest log SD ratio of interest */
    double settle;             /* |log drift| over the plateau that still counts as settled */
} claim_settings;

/* How a row's effect is estimated. */
enum claim_kind {
    K_VS_REF,       /* mean(rule) - mean(reference), Welch */
    K_SPREAD,       /* log(SD of the rule / SD of the reference) */
    K_CORR,         /* Pearson r (Fisher z) of the quantity and log lambda_max across a rule's runs */
    K_REGRESSION,   /* coefficient of log lambda_max: quantity ~ log lambda_max + train_loss + rule */
    K_RULE_MEAN,    /* mean over a rule's runs */
    K_REF_MEAN,     /* mean over the reference rule's runs */
    K_NEAR_REF,     /* mean log(rule's quantity) - mean log(reference's edge_level) */
    K_SLOPE_X,      /* slope of the quantity on log x (eta, K or c) across a group's runs */
    K_SLOPE_FIELD,  /* slope of the quantity on another field across a rule's runs */
    K_AT_LEVEL      /* rule - reference of the gap at the lowest training loss every run of both reaches (Welch) */
};
/* TEST_DIRECTION: the paper predicts effect > 0 (direction +1) or < 0;
 * against it: the opposite one-sided test, or equivalence within +-SESOI.
 * TEST_BAND: the paper predicts the effect inside a band; against it: the
 * minimal-effect test that it lies outside. */
enum claim_test { TEST_DIRECTION, TEST_BAND };
/* The SESOI or band of a row. */
enum claim_margin { M_GAP_ACC, M_GAP_LOSS, M_LOG_LAMBDA, M_SLOPE_ZERO, M_SLOPE_MINUS_ONE, M_SLOPE_ONE, M_R, M_EDGE, M_NEAR, M_SETTLE, M_LOG_SD };

/* One row of the claims table (paper/experiments/claims.tsv). */
typedef struct claim_spec {
    const char *id;
    const char *says;      /* what the paper (or our reconstruction) says: the claim's first row's */
    const char *group;     /* experiment group(s), comma-separated; "@matched_loss", "@remedy": the profile's */
    int quantity;          /* enum run_field */
    int xfield;            /* K_CORR, K_REGRESSION, K_SLOPE_FIELD: the regressor (enum run_field); -1 for the other kinds */
    enum claim_kind kind;
    enum claim_test test;
    int direction;
    enum claim_margin margin;
    const char *test_set;  /* clean, perturbed or - */
    const char *prediction;
    const char *protocol;  /* where it is judged, for the summary */
    const char *absent;    /* the reason when the quantity was not measured at all */
} claim_spec;

/* The claims in the paper's order: the rows of paper/experiments/claims.tsv,
 * whose fields point into the file as read. */
typedef struct claim_table {
    claim_spec *row;
    size_t n;
    tsv_table file;
} claim_table;

/* Reads the table; dies naming the file, line and column of a bad field. */
void claims_read(claim_table *t, const char *path);
void claims_free(claim_table *t);

typedef struct claim_row {
    const claim_spec *spec;
    char task[64], rule[64];
    char group[64];                /* the experiment group it was judged on */
    stat_estimate e;
    double band_lo, band_hi;       /* the interval the test compares e with */
    double p_for, p_against;       /* raw one-sided / equivalence p-values */
    double p_for_adj, p_against_adj; /* Holm-adjusted for primaries, raw otherwise */
    int primary;
    int untestable;                /* no test possible (not measured, no reference runs): inconclusive */
    const char *verdict;
    char reason[200];              /* why a row is inconclusive without a test ("not measured: ...") */
    char context[200];             /* training error beside every gap */
    double level;                  /* K_AT_LEVEL: the training loss the gaps are read at */
    double power, mde;             /* primary rows: power at the SESOI and the 80%-power effect (power.c) */
    size_t n_rule, n_ref;          /* finite values behind the estimate: the row's rule, the reference (two-sample rows) */
    size_t runs_rule, runs_ref;    /* runs (diverged ones too) */
} claim_row;

/* Rows of `spec` over the runs (appended to *rows, *n, growing *cap). */
void claims_evaluate(const run_set *s, const claim_settings *cs, const claim_spec *spec, claim_row **rows, size_t *n, size_t *cap);
/* The two samples behind a two-sample row (rule's into a, the reference's
 * into b; NaN for a diverged or unmeasured run); returns b's count. */
size_t claims_samples(const run_set *s, const claim_settings *cs, claim_row *row, const char *group, double *a, size_t *na, double *b);
/* Marks the primary endpoints, applies Holm over them and sets every verdict. */
void claims_judge(claim_row *rows, size_t n, const claim_settings *cs);
/* "id:task:rule:quantity" matches a primary pattern (words, '*' = any field). */
int claims_is_primary(const char *patterns, const char *id, const char *task, const char *rule, const char *quantity);
/* Sets a FIG_CLAIM_* name=value; returns 0, or -1 for an unknown name. Dies on a bad value. */
int claims_setting(claim_settings *cs, const char *name, const char *value);
/* Dies naming the first setting the profile did not give. */
void claims_settings_check(const claim_settings *cs);
/* The displayed effect and interval (r for a Fisher-z row). */
void claims_shown(const claim_row *r, double *effect, double *lo, double *hi);

#endif
