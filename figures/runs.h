/* runs.h - the run model of credit-stats: the manifest's rows, each run's
 * final metrics, its curvature along training and what the claims derive
 * from it (plateau levels of the theorem's quantities). */
#ifndef CREDIT_FIGURES_RUNS_H
#define CREDIT_FIGURES_RUNS_H

#include "tsv.h"

#include <stddef.h>

/* A run's numbers. The first block is metrics.tsv and the final curvature;
 * the second is derived from curvature.tsv over the plateau (the last
 * `plateau` fraction of training). */
enum run_field {
    F_TRAIN_LOSS, F_TRAIN_ACC, F_TEST_LOSS, F_TEST_ACC, F_PTEST_LOSS, F_PTEST_ACC,
    F_GAP_LOSS, F_GAP_ACC, F_PGAP_LOSS, F_PGAP_ACC,
    F_LAMBDA, F_GAMMA, F_BOUND_GD, F_BOUND_RULE, F_LAMBDA0, F_LAMBDA_GD, F_LAMBDA_RULE,
    F_LR, F_ITERS, F_DIVERGED,
    F_LOG_LAMBDA,     /* log of the final lambda_max (W_rec) */
    F_LOG_INV_ETA_GAMMA, /* log(1 / (eta gamma)) at the end, the theorem's offset */
    F_LAMBDA_GROWTH,  /* log(plateau lambda_max / first lambda_max) */
    F_LAMBDA_DRIFT,   /* log(last / first plateau lambda_max): 0 when it settled */
    F_LEVEL,          /* eta lambda_max / 2 over the plateau (W_rec): 1 at gradient descent's edge */
    F_LEVEL_ALL,      /* eta lambda_max / 2 at the end over all parameters (curvature_final.tsv, hessian_params=all) */
    F_RHO,            /* rho = eta lambda_max gamma / 2 over the plateau */
    F_RHO_GROWTH,     /* log(plateau rho / first rho) */
    F_RHO_DRIFT,      /* log(last / first plateau rho) */
    F_EDGE,           /* the rule's own edge eta Re(mu) / 2 over the plateau (curvature.tsv rule_edge) */
    F_MARGIN,         /* |1 - eta mu| over the plateau */
    F_TRAIN_ERR,      /* 1 - train_acc */
    /* The two endpoints side by side (CONFIRM.md), whichever one the
     * profile's verdicts use (FIG_CLAIM_ENDPOINT): the last iterate
     * (metrics.tsv) and the plateau mean over the last `window` of training. */
    F_GAP_ACC_LAST, F_PGAP_ACC_LAST, F_LOG_LAMBDA_LAST,
    F_GAP_ACC_PLATEAU, F_PGAP_ACC_PLATEAU, F_LOG_LAMBDA_PLATEAU,
    F_PGAP_ACC_PLATEAU_SE, /* SD of the window's perturbed error gaps / sqrt(their number) */
    F_ENDPOINT_EVALS,      /* evaluations in the window */
    F_DIVERGED_AT,         /* the iteration a diverged run stopped at (NaN: it did not diverge) */
    NF
};

/* How runs_read turns a run's files into its numbers. */
typedef struct run_opts {
    double plateau;   /* fraction of training whose curvature rows are the theorem's plateau */
    double window;    /* fraction of training the plateau endpoint averages over */
    int use_plateau;  /* 1: the gaps, accuracies, losses and lambda_max are plateau means */
} run_opts;
extern const char *const run_field_name[NF];

/* Columns of curvature.tsv a run may have (rule_edge, margin: when the
 * trainer measured the update Jacobian; NaN otherwise). */
enum { C_LAMBDA, C_GAMMA, C_ETA, C_BOUND_GD, C_BOUND_RULE, C_RULE_EDGE, C_MARGIN, NC };

typedef struct run_series {
    size_t n;
    double *iter, *v[NC];
} run_series;

typedef struct run {
    char *group, *task, *rule, *dir, *status;
    long seed;
    double x;
    double f[NF];
    run_series curv;  /* curvature.tsv */
    run_series curve; /* evaluation rows of curve.tsv: v[0..5] train_loss test_loss train_acc test_acc ptest_loss ptest_acc */
    char **key, **val, **section; /* config.txt */
    size_t nkey;
    int owner;                    /* 0: shares the strings above with an earlier row of the same directory */
    char *commit, *math_hash;     /* metrics.tsv provenance (NULL: absent) */
} run;

typedef struct run_set {
    run *run;
    size_t n;
    tsv_table manifest;
} run_set;

/* Reads the manifest and every run it lists (a missing metrics.tsv is an
 * error: the results are incomplete). */
void runs_read(run_set *s, const char *manifest, const run_opts *o);
void runs_free(run_set *s);
/* The endpoint fields of a run from its metrics (the last iterate) and its
 * evaluation and curvature series; with o->use_plateau the final metrics
 * and lambda_max become the plateau means. Call before runs_derive. */
void runs_endpoint(run *r, const run_opts *o);
/* Fills the derived fields of a run from f[] and its curvature series. */
void runs_derive(run *r, double plateau);
/* The gap of a run at training loss `level`, interpolated along its
 * evaluations (figures/gapfit.c); NaN when the run never gets down to it. */
double gapfit_at(const run_series *e, double level, int mse, int perturbed);
/* The provenance lines of the runs' outputs: their commits and math hashes. */
char *runs_provenance(const run_set *s);

const char *run_config(const run *r, const char *key);
/* Reads a run's config.txt (the form the core writes: provenance lines,
 * then from '# core' on the sections and key = value lines) into
 * key/val/section; damage is fatal, naming the file and line. */
void runs_read_config(run *r, const char *path);
/* 1 when the run's curvature_final.tsv is over all parameters: its
 * curvature_final.args' hessian_params=, else config.txt's (read first);
 * a missing, contradictory or unknown value is fatal, naming the file. */
int runs_final_over_all(const run *r);
/* Distinct values (in manifest order) of a run's group, task or rule among
 * the runs of group/task (NULL: any). Returns the count. */
enum run_attr { RUN_GROUP, RUN_TASK, RUN_RULE };
size_t runs_distinct(const run_set *s, const char *group, const char *task, enum run_attr a, const char **out, size_t cap);
/* Distinct x of (group, task, rule), ascending. */
size_t runs_xs(const run_set *s, const char *group, const char *task, const char *rule, double *out, size_t cap);
/* Field f of the runs that match (NULL: any; x NaN: any x); xs gets their x. */
size_t runs_pick(const run_set *s, const char *group, const char *task, const char *rule, double x, int f, double *out, double *xs);
/* 1 when run i's directory appeared earlier in the manifest. */
int runs_repeated(const run_set *s, size_t i);

#endif
