/* hessian.h - exact Hessian-vector products of the true (BPTT) training loss,
 * and the eigen- and trace-estimators built on them.
 *
 * The loss is the task loss on a fixed batch plus L2 = l2/2 (|W_in|^2 +
 * |W_rec|^2 + |W_out|^2), whatever rule trained the network. Products are
 * exact: forward-over-reverse (the R-operator, core/net_r.c) through the
 * forward pass, the loss and the BPTT backward pass. ReLU makes psi
 * piecewise constant, so its R-derivative is 0 (the Hessian almost everywhere).
 *
 * Vectors live in the parameter layout: with all_params = 0 an n x n W_rec
 * matrix (row-major, W[post][pre]); with all_params = 1 the whole flat block
 * (W_in, W_rec, W_out, b_out, see net.h). The W_rec diagonal is not a
 * parameter: apply ignores it in v and writes 0 there in Hv, and every
 * vector this module draws or returns has it at 0.
 *
 * The workspace knows no session: the caller fills its batch
 * (credit_hessian_input) and hands it the weights (credit_hessian_set), and
 * the rule for credit_hessian_direction. core/curvature.c's
 * credit_curvature_hessian does all three from a session.
 */
#ifndef CREDIT_HESSIAN_H
#define CREDIT_HESSIAN_H

#include "eigen.h"
#include "gradient.h"

typedef struct credit_hessian credit_hessian;

/* A workspace for a batch of B sequences of network d (d->B_max is
 * ignored), the loss kind of the task, L2 coefficient l2. */
int credit_hessian_open(credit_hessian **h, const credit_dims *d, int B, int all_params, credit_loss_kind loss, double l2);
/* The batch to fill: x, target and mask of B sequences (layout of CREDIT_F64(credit_fwd)). */
CREDIT_F64(credit_fwd) *credit_hessian_input(credit_hessian *h);
/* The weights (copied): forward pass, loss and BPTT on the batch. Products
 * and directions need it first; called again, it moves the base point. */
void credit_hessian_set(credit_hessian *h, const CREDIT_F64(credit_params) *w);
#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
/* The same from float weights (a single-precision session's), widened;
 * curvature.h makes credit_hessian_set take either. */
void credit_hessian_set_float(credit_hessian *h, const credit_params *w);
#endif
/* Where the vectors lie in the parameter layout (params.h): all = 0, the
 * W_rec block alone (what the R-pass computes without `all`); all = 1, the
 * whole layout. Offset into *offset (may be NULL); length returned. */
size_t credit_hessian_layout(const credit_dims *d, int all, size_t *offset);
/* Length of the vectors (n*n or the parameter count). */
size_t credit_hessian_dim(const credit_hessian *h);
/* One exact product Hv (v and Hv may not alias). */
int credit_hessian_apply(credit_hessian *h, const double *v, double *Hv);
void credit_hessian_close(credit_hessian *h);

/* Coordinates that are parameters (dim minus the n diagonal entries). */
size_t credit_hessian_free_dim(const credit_hessian *h);
/* Zero the non-parameter coordinates of v. */
void credit_hessian_project(const credit_hessian *h, double *v);
/* Examples in the batch, and its task loss and L2 term at the weights of set. */
int credit_hessian_batch_size(const credit_hessian *h);
double credit_hessian_loss(const credit_hessian *h);
double credit_hessian_l2(const credit_hessian *h);

/* The update direction a training step would take on this batch, in the
 * Hessian's layout, at weights w + step * v (v may be NULL: step 0): the
 * estimate of CREDIT_F64(credit_gradient) (flags CREDIT_GRAD_EXACT, CREDIT_GRAD_NO_L2)
 * from rule. By default the ReLU pattern psi is held at the one of the
 * weights of set (CREDIT_HESS_FREE_PATTERN recomputes it): a difference
 * quotient of this map then measures the almost-everywhere derivative, the
 * one the Hessian is, rather than the jumps of psi it would cross. */
enum { CREDIT_HESS_FREE_PATTERN = 1u << 2 };
int credit_hessian_direction(credit_hessian *h, const double *v, double step, unsigned flags, const CREDIT_F64(credit_grad_rule) *rule,
                             double *u);

/* The estimators of core/eigen.c on the Hessian (workspaces allocated here). */
/* Lanczos with full reorthogonalisation (twice, classical Gram-Schmidt);
 * the tridiagonal eigenproblem by GSL. values[0..k-1]: the k largest
 * (algebraic) eigenvalues, descending, NaN where the Krylov space holds
 * fewer; v1 (may be NULL): the unit top eigenvector. Stops once every one of
 * the k has estimated error min(r, r^2/gap) <= tol * |value| (r the Ritz
 * residual, gap the distance to the nearest other Ritz value), after maxiter
 * products, or when the Krylov space is exhausted. Start vector: normal
 * entries from stream (seed, 1). */
int credit_hessian_lanczos(credit_hessian *h, int k, double tol, int maxiter, uint64_t seed, double *values, double *v1,
                           credit_eig_info *info);
/* Lanczos from the vector start (projected and normalised; NULL, zero or
 * non-finite: the random start above), e.g. the previous checkpoint's v1. */
int credit_hessian_lanczos_from(credit_hessian *h, int k, double tol, int maxiter, uint64_t seed, const double *start, double *values,
                                double *v1, credit_eig_info *info);
/* Power iteration, the authors' protocol: v <- Hv / |Hv| until the estimate
 * moves by less than tol (absolute) or maxiter products. The estimate is
 * the signed Rayleigh quotient v'Hv (the authors report |Hv|): it converges
 * to the eigenvalue of largest magnitude, which is lambda_max unless the
 * most negative eigenvalue is larger in magnitude. */
int credit_hessian_power(credit_hessian *h, double tol, int maxiter, uint64_t seed, double *lambda, double *v1,
                         credit_eig_info *info);
/* The same with magnitude = 1: the estimate (stopping rule and *lambda) is
 * |Hv|, as the authors' code has it: |lambda| of the dominant eigenvalue at
 * convergence. info->error stays |Hv - (v'Hv) v|. */
int credit_hessian_power_est(credit_hessian *h, double tol, int maxiter, uint64_t seed, int magnitude, double *lambda, double *v1,
                             credit_eig_info *info);
/* Hutchinson: trace = E[z'Hz] over Rademacher z on the parameter
 * coordinates; mean and standard error of `probes` samples (se NaN if 1). */
int credit_hessian_trace(credit_hessian *h, int probes, uint64_t seed, double *mean, double *se);
/* Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017): for each of
 * `probes` Rademacher vectors, `steps` Lanczos steps (fewer if the space is
 * exhausted); nodes[p*steps + j] and weights[p*steps + j] are the Ritz values
 * and squared first components (weight 0 in unused slots). The spectral
 * density is (1/probes) sum w delta(x - node) over all slots. */
int credit_hessian_slq(credit_hessian *h, int probes, int steps, uint64_t seed, double *nodes, double *weights);

/* Leading Ritz values of the rule's update Jacobian J = d(direction)/dW at
 * the weights of set: J v = (u(+step v) - u(-step v)) / (2 step) with u =
 * credit_hessian_direction(flags) (for rule bptt with the frozen pattern,
 * J is the Hessian). Krylov size m (capped at the free dimension), start
 * vector that of credit_hessian_lanczos (stream (seed, 1)), so that for
 * J = H the two see the same Krylov space. re, im, resid: the first nev
 * Ritz values by descending real part and their residuals, NaN past the
 * steps taken; *products: J-vector products (each two rule gradients). */
int credit_hessian_jacobian_eig(credit_hessian *h, int m, int nev, double step, unsigned flags, const CREDIT_F64(credit_grad_rule) *rule,
                                uint64_t seed, double *re, double *im, double *resid, int *products);

#endif
