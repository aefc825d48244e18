/* curvature.h - the paper's curvature measurement (top Hessian eigenvalues of
 * the true training loss) and the theorem's quantities (science.md sections
 * 5-6), during training (curvature_every) and on a saved run (`credit
 * curvature RUN_DIR`). Both write the same columns:
 *
 *   iter        training iteration of the weights (updates applied so far)
 *   lambda_max  top (largest algebraic) eigenvalue of the Hessian, signed
 *               (hessian_method=power: the signed Rayleigh quotient)
 *   gamma       v1' J v1 / lambda_max: J v1 the central difference of the
 *               rule's update direction (task loss + L2) along the unit top
 *               eigenvector v1, step gamma_step
 *   cosine      cosine between the rule's estimate and the exact gradient of
 *               the task loss (no L2, as `credit grad`), over the Hessian's
 *               parameters (W_rec off-diagonal, or all)
 *   eta         learning rate of the step that led to iter (step iter-1; boost schedule included)
 *   bound_gd    2 / eta           (gradient descent's stability ceiling)
 *   bound_rule  2 / (eta gamma)   (the rule's; inf or negative if gamma <= 0)
 *   lambda_2 .. lambda_k   next eigenvalues, descending (nan if not found,
 *               and with hessian_method=power)
 *   hvps        Hessian-vector products of the eigensolver
 *   converged   1 if the eigensolver met its stopping rule
 *   lambda_err  its estimated absolute error of lambda_max
 *   vjv         v1' J v1
 *   cosine_l2   the cosine with the L2 gradient added to both
 *   grad_norm   |exact task-loss gradient|, rule_norm |rule's estimate|
 *   hess_loss   task loss of the Hessian batch, hess_l2 the L2 term
 *   hess_examples  examples in the Hessian batch
 *   trace, trace_se  Hutchinson's trace and its standard error (nan when
 *               hessian_trace_probes = 0)
 * and, only when jacobian_k > 0, the rule's own edge (science.md section 6):
 *   mu_re, mu_im  the Ritz value of largest real part of the rule's update
 *               Jacobian J (J v the same central difference as gamma's, Arnoldi
 *               with Krylov size jacobian_k from Lanczos's start vector; of a
 *               conjugate pair the one with mu_im > 0)
 *   rule_edge   eta mu_re / 2  (1 at the edge of stability)
 *   margin      max |1 - eta mu| over the jacobian_nev leading Ritz values
 *               (< 1: the update map is stable along them)
 * Numbers are %.17g; nan and inf are written as such. Lines starting with
 * '#' are provenance.
 *
 * The Hessian batch is the first hessian_batch examples of hessian_split.
 */
#ifndef CREDIT_CURVATURE_H
#define CREDIT_CURVATURE_H

#include "hessian.h"
#include "session.h"
#include <stdio.h>

/* The curvature keys (curvature.c's own table, registered with the core's as
 * credit_curvature_module), parsed once per run. */
/* gamma_step's default, per precision. The difference is of the rule's
 * update direction, computed in the training precision: in single precision
 * its rounding (about 1e-7 of it) grows as 1/step. Measured on an sMNIST
 * e-prop network (n 64, 200 iterations; gamma's relative error against
 * double at 1e-5): float at 1e-5 2e-4, at 1e-4 7e-6, at 1e-3 2e-5 (there the
 * truncation, the same in double). */
#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
#define CREDIT_GAMMA_STEP_DEFAULT "1e-4"
#else
#define CREDIT_GAMMA_STEP_DEFAULT "1e-5"
#endif

typedef struct credit_curv_opts {
    long every, batch, k, maxiter, power_maxiter, trace_probes;
    long density_probes, density_steps, density_points, jacobian_k, jacobian_nev;
    int all, split, power, free_pattern;
    int fresh, abs, warm, authors; /* hessian_fresh, hessian_abs, hessian_warm, hessian_protocol=authors */
    double tol, power_tol, gamma_step, density_sigma, traj_tol;
} credit_curv_opts;
/* The session's curvature keys, parsed (the authors' protocol applied). */
void credit_curv_opts_get(const credit_session *s, credit_curv_opts *o);

/* A Hessian workspace on the session's weights and the examples
 * index[0..n_examples-1] of a split (index NULL: the first n_examples;
 * fewer if the split is smaller); an index past the split's end is an error. */
int credit_curvature_hessian(credit_hessian **h, credit_session *s, int all_params, int split, const uint64_t *index,
                             uint64_t n_examples);

/* A single-precision build's session holds float weights: credit_hessian_set
 * takes them too, and widens them into the workspace's double copy (the
 * measurements stay in double). */
#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
#define credit_hessian_set(h, w)                                                                                       \
    _Generic((w), credit_params *: credit_hessian_set_float, const credit_params *: credit_hessian_set_float,           \
             default: credit_hessian_set)(h, w)
#endif

typedef struct credit_curv_row {
    long iter;
    double lambda_max, gamma, cosine, eta, bound_gd, bound_rule;
    int k;
    double *lambda; /* k values, lambda[0] = lambda_max */
    int hvps, converged, examples;
    double lambda_err, vjv, cosine_l2, grad_norm, rule_norm, hess_loss, hess_l2, trace, trace_se;
    int jacobian; /* the four columns below are written */
    double mu_re, mu_im, rule_edge, margin;
} credit_curv_row;

/* Measure the session's current weights as iteration iter. row->lambda is
 * allocated; release with credit_curv_row_free. */
int credit_curvature_measure(credit_session *s, long iter, credit_curv_row *row);
void credit_curv_row_free(credit_curv_row *row);
void credit_curvature_header(FILE *fp, int k, int jacobian);
/* The settings line ("# curvature: ...") a reader needs beside the provenance. */
void credit_curvature_settings(FILE *fp, const credit_curv_opts *o);
/* Seed of every start vector and probe: the run's seed, its own stream. */
uint64_t credit_curvature_seed(const credit_session *s);
void credit_curvature_print(FILE *fp, const credit_curv_row *row);

/* Training (core/train.c): track is called at the top of every iteration k
 * of a run that started (or resumed) at k0. It creates RUN_DIR/
 * curvature.tsv.part at k0 = 0 and appends a row at k % curvature_every == 0
 * and at k == iters. resume, before a resumed run's first iteration k0,
 * checks that the file holds exactly the rows before k0 and cuts off any
 * later ones. finish adds a row at the last k if there is none (a run
 * stopped early) unless the run diverged. commit (after the final
 * checkpoint, and again when a killed run's end is repaired) checks the rows
 * of the finished run and renames the file to curvature.tsv, unless that was
 * done already. All do nothing when curvature_every = 0. o: the run's
 * curvature keys (credit_curv_opts_get, once per run). */
int credit_curvature_track(credit_session *s, const credit_curv_opts *o, const char *dir, long k, long k0);
int credit_curvature_resume(credit_session *s, const credit_curv_opts *o, const char *dir, long k0);
int credit_curvature_finish(credit_session *s, const credit_curv_opts *o, const char *dir, long k, int diverged);
int credit_curvature_commit(credit_session *s, const credit_curv_opts *o, const char *dir, long k, int diverged);

#endif
