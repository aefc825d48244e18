/* curv_tridiag.c - the small symmetric tridiagonal eigenproblems of Lanczos
 * and the Hessenberg ones of Arnoldi,
 * by GSL. Apart from eigen.c because GSL's cblas header and OpenBLAS's
 * declare the same names. */
#include "eigen.h"
#include "util.h"

#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <stdlib.h>

/* The tridiagonal eigenproblems of one Lanczos run, every size up to m on
 * one workspace of size m: GSL's solver works on the leading s x s views
 * (the same arithmetic as on matrices of their own, checked bit for bit). */
struct credit_tridiag_ws {
    int m;
    gsl_matrix *A, *E;
    gsl_vector *ev;
    gsl_eigen_symmv_workspace *w;
};

void credit_tridiag_free(credit_tridiag_ws *ws)
{
    if (!ws) return;
    if (ws->w) gsl_eigen_symmv_free(ws->w);
    gsl_vector_free(ws->ev);
    gsl_matrix_free(ws->E);
    gsl_matrix_free(ws->A);
    free(ws);
}

credit_tridiag_ws *credit_tridiag_alloc(int m)
{
    credit_tridiag_ws *ws = calloc(1, sizeof *ws);
    if (!ws || m < 1) {
        free(ws);
        return NULL;
    }
    ws->m = m;
    ws->A = gsl_matrix_alloc((size_t)m, (size_t)m);
    ws->E = gsl_matrix_alloc((size_t)m, (size_t)m);
    ws->ev = gsl_vector_alloc((size_t)m);
    ws->w = gsl_eigen_symmv_alloc((size_t)m);
    if (!ws->A || !ws->E || !ws->ev || !ws->w) {
        credit_tridiag_free(ws);
        return NULL;
    }
    return ws;
}

int credit_tridiag_eig(credit_tridiag_ws *ws, const double *alpha, const double *beta, int m, double *eval, double *S)
{
    for (int i = 0; i < m; i++)
        if (!isfinite(alpha[i]) || (i + 1 < m && !isfinite(beta[i])))
            return CREDIT_ERROR(CREDIT_EDIVERGED, "Lanczos: non-finite Hessian-vector product");
    if (m < 1 || m > ws->m) return CREDIT_ERROR(CREDIT_EINVAL, "a %d x %d tridiagonal eigenproblem on a workspace of %d", m, m, ws->m);
    gsl_matrix_view Av = gsl_matrix_submatrix(ws->A, 0, 0, (size_t)m, (size_t)m), Ev = gsl_matrix_submatrix(ws->E, 0, 0, (size_t)m, (size_t)m);
    gsl_vector_view evv = gsl_vector_subvector(ws->ev, 0, (size_t)m);
    gsl_matrix *A = &Av.matrix, *E = &Ev.matrix;
    gsl_vector *ev = &evv.vector;
    gsl_matrix_set_zero(A);
    for (int i = 0; i < m; i++) {
        gsl_matrix_set(A, (size_t)i, (size_t)i, alpha[i]);
        if (i + 1 < m) {
            gsl_matrix_set(A, (size_t)i, (size_t)i + 1, beta[i]);
            gsl_matrix_set(A, (size_t)i + 1, (size_t)i, beta[i]);
        }
    }
    if (gsl_eigen_symmv(A, ev, E, ws->w) || gsl_eigen_symmv_sort(ev, E, GSL_EIGEN_SORT_VAL_DESC))
        return CREDIT_ERROR(CREDIT_EDIVERGED, "Lanczos: the tridiagonal eigensolver failed");
    for (int i = 0; i < m; i++) {
        eval[i] = gsl_vector_get(ev, (size_t)i);
        for (int j = 0; j < m; j++) S[(size_t)i * m + j] = gsl_matrix_get(E, (size_t)i, (size_t)j);
    }
    return CREDIT_OK;
}

/* The small nonsymmetric eigenproblem of Arnoldi, on a workspace of one
 * size allocated once. GSL's error handler is off inside the solve: a
 * failure is a status, not an abort. */
struct credit_hessenberg_ws {
    int n;
    gsl_matrix *A;
    gsl_vector_complex *ev;
    gsl_matrix_complex *E;
    gsl_eigen_nonsymmv_workspace *w;
};

void credit_hessenberg_free(credit_hessenberg_ws *ws)
{
    if (!ws) return;
    if (ws->w) gsl_eigen_nonsymmv_free(ws->w);
    gsl_matrix_complex_free(ws->E);
    gsl_vector_complex_free(ws->ev);
    gsl_matrix_free(ws->A);
    free(ws);
}

credit_hessenberg_ws *credit_hessenberg_alloc(int n)
{
    credit_hessenberg_ws *ws = calloc(1, sizeof *ws);
    if (!ws || n < 1) {
        free(ws);
        return NULL;
    }
    ws->n = n;
    ws->A = gsl_matrix_alloc((size_t)n, (size_t)n);
    ws->ev = gsl_vector_complex_alloc((size_t)n);
    ws->E = gsl_matrix_complex_alloc((size_t)n, (size_t)n);
    ws->w = gsl_eigen_nonsymmv_alloc((size_t)n);
    if (!ws->A || !ws->ev || !ws->E || !ws->w) {
        credit_hessenberg_free(ws);
        return NULL;
    }
    return ws;
}

int credit_hessenberg_eig(credit_hessenberg_ws *ws, const double *H, int ld, double *re, double *im, double *last)
{
    const int s = ws->n;
    for (int i = 0; i < s; i++)
        for (int j = 0; j < s; j++)
            if (!isfinite(H[(size_t)i * ld + j])) return CREDIT_ERROR(CREDIT_EDIVERGED, "Arnoldi: non-finite Jacobian-vector product");
    for (int i = 0; i < s; i++)
        for (int j = 0; j < s; j++) gsl_matrix_set(ws->A, (size_t)i, (size_t)j, H[(size_t)i * ld + j]);
    gsl_error_handler_t *handler = gsl_set_error_handler_off();
    int bad = gsl_eigen_nonsymmv(ws->A, ws->ev, ws->E, ws->w);
    gsl_set_error_handler(handler);
    if (bad) return CREDIT_ERROR(CREDIT_EDIVERGED, "Arnoldi: the Hessenberg eigensolver failed (GSL status %d)", bad);
    for (int i = 0; i < s; i++) {
        gsl_complex z = gsl_vector_complex_get(ws->ev, (size_t)i);
        re[i] = GSL_REAL(z);
        im[i] = GSL_IMAG(z);
        last[i] = gsl_complex_abs(gsl_matrix_complex_get(ws->E, (size_t)s - 1, (size_t)i));
    }
    return CREDIT_OK;
}
