/* curv_tridiag.c - the small symmetric tridiagonal eigenproblems of Lanczos,
 * by GSL. Apart from hessian.c because GSL's cblas header and OpenBLAS's
 * declare the same names. */
#include "hessian.h"
#include "util.h"

#include <gsl/gsl_eigen.h>

int credit_tridiag_eig(const double *alpha, const double *beta, int m, double *eval, double *S)
{
    for (int i = 0; i < m; i++)
        if (!isfinite(alpha[i]) || (i + 1 < m && !isfinite(beta[i])))
            return CREDIT_ERROR(CREDIT_EDIVERGED, "Lanczos: non-finite Hessian-vector product");
    gsl_matrix *A = gsl_matrix_calloc((size_t)m, (size_t)m), *E = gsl_matrix_alloc((size_t)m, (size_t)m);
    gsl_vector *ev = gsl_vector_alloc((size_t)m);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc((size_t)m);
    int st = CREDIT_OK;
    if (!A || !E || !ev || !ws) {
        st = CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a %d x %d tridiagonal eigenproblem", m, m);
    } else {
        for (int i = 0; i < m; i++) {
            gsl_matrix_set(A, (size_t)i, (size_t)i, alpha[i]);
            if (i + 1 < m) {
                gsl_matrix_set(A, (size_t)i, (size_t)i + 1, beta[i]);
                gsl_matrix_set(A, (size_t)i + 1, (size_t)i, beta[i]);
            }
        }
        if (gsl_eigen_symmv(A, ev, E, ws) || gsl_eigen_symmv_sort(ev, E, GSL_EIGEN_SORT_VAL_DESC))
            st = CREDIT_ERROR(CREDIT_EDIVERGED, "Lanczos: the tridiagonal eigensolver failed");
        for (int i = 0; i < m && !st; i++) {
            eval[i] = gsl_vector_get(ev, (size_t)i);
            for (int j = 0; j < m; j++) S[(size_t)i * m + j] = gsl_matrix_get(E, (size_t)i, (size_t)j);
        }
    }
    if (ws) gsl_eigen_symmv_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(E);
    gsl_matrix_free(A);
    return st;
}

