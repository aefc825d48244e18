/* eigen.h - the iterative eigen- and trace-estimators, against a
 * matrix-vector callback: Lanczos, power iteration, Hutchinson's trace,
 * stochastic Lanczos quadrature and Arnoldi. The caller owns every
 * workspace (Krylov basis, vectors) and allocates it once; the solvers
 * allocate nothing (but Arnoldi after an exact breakdown, whose smaller
 * Hessenberg matrix needs a GSL workspace of its own size). core/hessian.c runs them on the Hessian, core/curvature.c
 * Arnoldi on the rule's update Jacobian. */
#ifndef CREDIT_EIGEN_H
#define CREDIT_EIGEN_H

#include "credit.h"
#include <stddef.h>

/* y = A x (x and y of length dim, not aliased); a non-zero return stops the
 * solver and is returned. */
typedef int (*credit_matvec_fn)(void *ctx, const double *x, double *y);

/* A linear operator on vectors of length dim of which free_dim coordinates
 * are free: project (may be NULL: all are) zeroes the others. Every vector
 * a solver draws or returns is projected. */
typedef struct credit_linop {
    size_t dim, free_dim;
    credit_matvec_fn apply;
    void (*project)(void *ctx, double *x);
    void *ctx;
} credit_linop;

/* What an iterative estimator reports. */
typedef struct credit_eig_info {
    int products;  /* matrix-vector products used */
    int converged; /* the stopping rule was met (not just the iteration cap) */
    double error;  /* estimated absolute error of the top eigenvalue */
} credit_eig_info;

/* A unit vector in q from (seed, stream): normal (start vectors) or
 * Rademacher (probes) entries on the free coordinates. */
void credit_eigen_start(const credit_linop *op, double *q, uint64_t seed, uint64_t stream, int rademacher);

/* Lanczos with full reorthogonalisation (twice, classical Gram-Schmidt);
 * the tridiagonal eigenproblem by GSL. Workspace of at most m steps. */
typedef struct credit_tridiag_ws credit_tridiag_ws;
typedef struct credit_lanczos {
    size_t dim;
    int m;                /* most steps */
    double *Q;            /* (m+1) x dim orthonormal basis */
    double *alpha, *beta; /* m each */
    double *coef;         /* m + 1 reorthogonalisation coefficients */
    double *eval, *S;     /* m, m x m Ritz pairs of the last check */
    credit_tridiag_ws *tri; /* their eigenproblems, up to m x m */
    int steps;            /* taken */
} credit_lanczos;
int credit_lanczos_alloc(credit_lanczos *L, size_t dim, int m);
void credit_lanczos_free(credit_lanczos *L);
/* From the unit vector in L->Q. With k > 0 it checks the k top Ritz values
 * after each step and stops once every one of the k has estimated error
 * min(r, r^2/gap) <= tol * |value| (r the Ritz residual, gap the distance to
 * the nearest other Ritz value); with k = 0 it takes L->m steps. It stops
 * as well when the Krylov space is exhausted. */
int credit_lanczos_run(const credit_linop *op, credit_lanczos *L, int k, double tol, credit_eig_info *info);
/* The k largest (algebraic) eigenvalues, descending, into values (NaN where
 * the Krylov space holds fewer), from start (projected and normalised;
 * NULL, zero or non-finite: credit_eigen_start's normal vector of stream
 * (seed, 1)); v1 (may be NULL): the unit top Ritz vector. */
int credit_lanczos_top(const credit_linop *op, credit_lanczos *L, int k, double tol, uint64_t seed, const double *start, double *values,
                       double *v1, credit_eig_info *info);
/* Power iteration, the authors' protocol: v <- Av / |Av| from the normal
 * start of stream (seed, 1) until the estimate moves by less than tol
 * (absolute) or maxiter products. The estimate is the signed Rayleigh
 * quotient v'Av, or with magnitude = 1 |Av| (the authors': |lambda| of the
 * dominant eigenvalue at convergence); info->error is |Av - (v'Av) v|.
 * work: 2 dim. v1 (may be NULL): the last iterate. */
int credit_power_run(const credit_linop *op, double *work, double tol, int maxiter, uint64_t seed, int magnitude, double *lambda, double *v1,
                     credit_eig_info *info);
/* Hutchinson: trace = E[z'Az] over Rademacher z on the free coordinates;
 * mean and standard error of `probes` samples (se NaN if 1). work: 2 dim. */
int credit_hutchinson(const credit_linop *op, double *work, int probes, uint64_t seed, double *mean, double *se);
/* Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017): for each of
 * `probes` Rademacher vectors, L->m Lanczos steps (fewer if the space is
 * exhausted); nodes[p*steps + j] and weights[p*steps + j] are the Ritz values
 * and squared first components (weight 0 in unused slots, steps >= L->m). */
int credit_slq_run(const credit_linop *op, credit_lanczos *L, int probes, int steps, uint64_t seed, double *nodes, double *weights);

/* Arnoldi, for the nonsymmetric update Jacobian J of a rule (science.md
 * section 6). The solver runs against a product callback y = A x (x and y
 * of length dim, not aliased; a non-zero return stops it and is returned) on
 * a workspace the caller allocates once, GSL's Hessenberg eigensolver's
 * included: a run allocates nothing (but after an exact breakdown, whose
 * smaller Hessenberg matrix needs a workspace of its own size). */
typedef struct credit_hessenberg_ws credit_hessenberg_ws;
typedef struct credit_arnoldi {
    size_t dim;
    int m;          /* Krylov size: most products */
    int steps;      /* taken: m, or fewer when the Krylov space became invariant */
    double *Q;      /* (m+1) x dim orthonormal basis; the caller puts the unit start vector in row 0 */
    double *H;      /* (m+1) x m upper Hessenberg Q' A Q, row-major */
    double *coef;   /* m + 1 */
    double *re, *im; /* steps Ritz values, by descending real part (of a conjugate pair, +im first) */
    double *resid;  /* steps residual norms |A x - mu x| of the unit Ritz vectors (h_steps+1,steps |last component|) */
    double *last;   /* steps scratch */
    credit_hessenberg_ws *eig; /* GSL's nonsymmetric eigensolver, m x m */
} credit_arnoldi;
int credit_arnoldi_alloc(credit_arnoldi *A, size_t dim, int m);
void credit_arnoldi_free(credit_arnoldi *A);
/* m steps from Q[0], full reorthogonalisation (classical Gram-Schmidt,
 * twice), then the Ritz values and residuals. Stops early only on an exact
 * breakdown (h_j+1,j = 0). CREDIT_EDIVERGED on a non-finite product. */
int credit_arnoldi_run(credit_arnoldi *A, credit_matvec_fn apply, void *ctx);
/* GSL's nonsymmetric eigensolver on an n x n workspace (NULL: out of
 * memory), and the eigenvalues of the n x n upper Hessenberg H (row-major,
 * leading dimension ld) with |last component| of each unit eigenvector, in
 * GSL's order. (core/curv_tridiag.c) */
credit_hessenberg_ws *credit_hessenberg_alloc(int n);
void credit_hessenberg_free(credit_hessenberg_ws *ws);
int credit_hessenberg_eig(credit_hessenberg_ws *ws, const double *H, int ld, double *re, double *im, double *last);

/* Eigenpairs of the m x m symmetric tridiagonal matrix with diagonal alpha
 * and off-diagonal beta (m - 1), by GSL, on a workspace for sizes up to its
 * own (credit_tridiag_alloc; NULL: out of memory): eval descending, S[i*m + j]
 * component i of eigenvector j. (core/curv_tridiag.c) */
credit_tridiag_ws *credit_tridiag_alloc(int m);
void credit_tridiag_free(credit_tridiag_ws *ws);
int credit_tridiag_eig(credit_tridiag_ws *ws, const double *alpha, const double *beta, int m, double *eval, double *S);

#endif
