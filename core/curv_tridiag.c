/* curv_tridiag.c - the small symmetric tridiagonal eigenproblems of Lanczos
 * and the Hessenberg ones of Arnoldi,
 * by GSL. Apart from hessian.c because GSL's cblas header and OpenBLAS's
 * declare the same names. */
#include "hessian.h"
#include "util.h"

#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>

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


/* The small nonsymmetric eigenproblem of Arnoldi: eigenvalues of the s x s
 * upper Hessenberg matrix (row-major, leading dimension ld) and the modulus
 * of the last component of each unit eigenvector, for the Ritz residuals.
 * GSL's error handler is off inside: a failure is a status, not an abort. */
int credit_hessenberg_eig(const double *H, int ld, int s, double *re, double *im, double *last)
{
    for (int i = 0; i < s; i++)
        for (int j = 0; j < s; j++)
            if (!isfinite(H[(size_t)i * ld + j])) return CREDIT_ERROR(CREDIT_EDIVERGED, "Arnoldi: non-finite Jacobian-vector product");
    gsl_matrix *A = gsl_matrix_alloc((size_t)s, (size_t)s);
    gsl_vector_complex *ev = gsl_vector_complex_alloc((size_t)s);
    gsl_matrix_complex *E = gsl_matrix_complex_alloc((size_t)s, (size_t)s);
    gsl_eigen_nonsymmv_workspace *ws = gsl_eigen_nonsymmv_alloc((size_t)s);
    int st = CREDIT_OK;
    if (!A || !ev || !E || !ws) {
        st = CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a %d x %d Hessenberg eigenproblem", s, s);
    } else {
        for (int i = 0; i < s; i++)
            for (int j = 0; j < s; j++) gsl_matrix_set(A, (size_t)i, (size_t)j, H[(size_t)i * ld + j]);
        gsl_error_handler_t *handler = gsl_set_error_handler_off();
        int bad = gsl_eigen_nonsymmv(A, ev, E, ws);
        gsl_set_error_handler(handler);
        if (bad) st = CREDIT_ERROR(CREDIT_EDIVERGED, "Arnoldi: the Hessenberg eigensolver failed (GSL status %d)", bad);
        for (int i = 0; i < s && !st; i++) {
            gsl_complex z = gsl_vector_complex_get(ev, (size_t)i);
            re[i] = GSL_REAL(z);
            im[i] = GSL_IMAG(z);
            last[i] = gsl_complex_abs(gsl_matrix_complex_get(E, (size_t)s - 1, (size_t)i));
        }
    }
    if (ws) gsl_eigen_nonsymmv_free(ws);
    gsl_matrix_complex_free(E);
    gsl_vector_complex_free(ev);
    gsl_matrix_free(A);
    return st;
}
