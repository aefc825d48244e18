/* test_curvature.c - Hessian-vector products against finite differences of
 * the exact gradient and against each other as a dense matrix; Lanczos,
 * power iteration, Hutchinson and SLQ against GSL's full eigendecomposition
 * of that matrix; gamma and the cosine against independent computations from
 * the session's own gradient; and the curvature files of `credit train` and
 * `credit curvature`, resumed runs included. */
#define _GNU_SOURCE
#include "test.h"
#include "curvature.h"
#include "hessian.h"
#include "net.h"
#include "util.h"

#include <gsl/gsl_eigen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ tiny sessions */

/* A session on the test sequence file (T 8, 2 inputs, 2 outputs), batch and
 * Hessian batch B; extra key=value pairs after the fixed ones. */
static int open_tiny(credit_session *s, const char *rule, int mse, double leak, int n, int B, const char *extra)
{
    char kv[12][300];
    const char *list[13];
    int m = 0;
    snprintf(kv[m++], 300, "task=file");
    snprintf(kv[m++], 300, "path=%s", test_seq_file(mse));
    snprintf(kv[m++], 300, "rule=%s", rule);
    snprintf(kv[m++], 300, "n=%d", n);
    snprintf(kv[m++], 300, "leak=%.17g", leak);
    snprintf(kv[m++], 300, "batch=%d", B);
    snprintf(kv[m++], 300, "hessian_batch=%d", B);
    snprintf(kv[m++], 300, "l2=0.01");
    snprintf(kv[m++], 300, "seed=%d", 3 + n + (int)(10 * leak) + mse);
    snprintf(kv[m++], 300, "progress=0");
    for (int i = 0; i < m; i++) list[i] = kv[i];
    /* extra: one more pair, or several separated by spaces */
    char more[600] = "";
    if (extra) snprintf(more, sizeof more, "%s", extra);
    const char *words[8];
    int nw = 0;
    for (char *tok = strtok(more, " "); tok && nw < 8; tok = strtok(NULL, " ")) words[nw++] = tok;
    const char *all[24];
    int na = 0;
    for (int i = 0; i < m; i++) all[na++] = list[i];
    for (int i = 0; i < nw; i++) all[na++] = words[i];
    all[na] = NULL;
    int st = test_session(s, all);
    if (!st) {
        /* Off the initial point: a non-zero bias and slightly moved weights. */
        credit_rng rng;
        credit_rng_seed(&rng, 99, (uint64_t)n);
        for (size_t i = 0; i < s->n_params; i++) s->theta[i] += 0.05 * credit_rng_normal(&rng);
        credit_zero_diagonal(s->w.W_rec, s->dims.n); /* the session's weights, in its own precision */
    }
    return st;
}

/* The exact objective's gradient by net.c alone, on the first B training
 * examples: the reference the Hessian is differenced from. */
typedef struct ref {
    credit_session *s;
    credit_dims d;
    CREDIT_F64(credit_fwd) f;
    double *theta, *grad;
    CREDIT_F64(credit_params) w, g;
} ref;

/* Opens the Hessian of a tiny session on its first B training examples;
 * on failure records it and closes the session. */
static int hessian_opens(credit_hessian **h, credit_session *s, int all, int B)
{
    int st = credit_curvature_hessian(h, s, all, CREDIT_SPLIT_TRAIN, NULL, (uint64_t)B);
    if (CHECK(st == CREDIT_OK, all ? "hessian opens (all params)" : "hessian opens (W_rec)", "%s", credit_error_message())) return 1;
    credit_session_close(s);
    return 0;
}

static void ref_open(ref *r, credit_session *s, int B)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    r->d = s->dims;
    r->d.B_max = B;
    CREDIT_F64(credit_fwd_alloc)(&r->f, &r->d);
    r->theta = calloc(2 * s->n_params, sizeof(double));
    r->grad = r->theta + s->n_params;
    r->w = CREDIT_F64(credit_params_view)(r->theta, &r->d);
    r->g = CREDIT_F64(credit_params_view)(r->grad, &r->d);
    uint64_t *idx = calloc((size_t)B, sizeof *idx);
    for (int b = 0; b < B; b++) idx[b] = (uint64_t)b;
    credit_session_fill_f64(s, CREDIT_SPLIT_TRAIN, idx, B, r->f.x, r->f.target, r->f.mask); /* the task's batch, in double */
    free(idx);
}

static void ref_close(ref *r)
{
    CREDIT_F64(credit_fwd_free)(&r->f);
    free(r->theta);
}

/* Gradient (task + L2) at theta into out; returns how many psi differ from base_psi (if given). */
static long ref_grad(ref *r, const double *theta, double *out, const double *base_psi)
{
    const size_t np = r->s->n_params;
    memcpy(r->theta, theta, sizeof(double) * np);
    CREDIT_F64(credit_forward)(&r->f, &r->w, r->d.B_max);
    CREDIT_F64(credit_loss)(&r->f, r->s->info.loss, &r->w, NULL, NULL);
    memset(r->grad, 0, sizeof(double) * np);
    CREDIT_F64(credit_backward_readout)(&r->f, &r->g);
    CREDIT_F64(credit_backward_bptt)(&r->f, &r->w, &r->g);
    CREDIT_F64(credit_zero_diagonal)(r->g.W_rec, r->d.n);
    CREDIT_F64(credit_l2)(&r->w, &r->d, r->s->o.l2, &r->g);
    memcpy(out, r->grad, sizeof(double) * np);
    long flips = 0;
    size_t cells = (size_t)r->d.T * r->d.B_max * r->d.n;
    if (base_psi)
        for (size_t k = 0; k < cells; k++) flips += r->f.psi[k] != base_psi[k];
    return flips;
}

/* Coordinates of a Hessian vector that are parameters, and where each sits
 * in the full parameter block. */
typedef struct coords {
    size_t D, F, *free_idx, *full_idx;
} coords;

static void coords_make(coords *c, const credit_session *s, const credit_hessian *h, int all)
{
    const size_t n = (size_t)s->dims.n, rec_full = (size_t)(s->w.W_rec - s->theta);
    c->D = credit_hessian_dim(h);
    c->free_idx = calloc(c->D, sizeof(size_t));
    c->full_idx = calloc(c->D, sizeof(size_t));
    c->F = 0;
    for (size_t i = 0; i < c->D; i++) {
        size_t full = all ? i : rec_full + i;
        int diag = full >= rec_full && full < rec_full + n * n && (full - rec_full) / n == (full - rec_full) % n;
        if (diag) continue;
        c->free_idx[c->F] = i;
        c->full_idx[c->F++] = full;
    }
}

static void coords_free(coords *c)
{
    free(c->free_idx);
    free(c->full_idx);
}

/* F x F dense Hessian from one product per column. */
static double *dense_from_products(credit_hessian *h, const coords *c)
{
    double *H = calloc(c->F * c->F, sizeof(double)), *e = calloc(c->D, sizeof(double)), *col = calloc(c->D, sizeof(double));
    for (size_t b = 0; b < c->F; b++) {
        e[c->free_idx[b]] = 1.0;
        credit_hessian_apply(h, e, col);
        e[c->free_idx[b]] = 0.0;
        for (size_t a = 0; a < c->F; a++) H[a * c->F + b] = col[c->free_idx[a]];
    }
    free(e);
    free(col);
    return H;
}

/* Eigenvalues (descending) and eigenvectors (columns of U, F x F) of the
 * symmetrised dense matrix, by GSL. */
static void dense_eigen(const double *H, size_t F, double *eval, double *U)
{
    gsl_matrix *A = gsl_matrix_alloc(F, F), *E = gsl_matrix_alloc(F, F);
    gsl_vector *ev = gsl_vector_alloc(F);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(F);
    for (size_t i = 0; i < F; i++)
        for (size_t j = 0; j < F; j++) gsl_matrix_set(A, i, j, 0.5 * (H[i * F + j] + H[j * F + i]));
    gsl_eigen_symmv(A, ev, E, ws);
    gsl_eigen_symmv_sort(ev, E, GSL_EIGEN_SORT_VAL_DESC);
    for (size_t i = 0; i < F; i++) {
        eval[i] = gsl_vector_get(ev, i);
        if (U)
            for (size_t j = 0; j < F; j++) U[i * F + j] = gsl_matrix_get(E, i, j);
    }
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(E);
    gsl_matrix_free(A);
}

/* ------------------------------------------------------------ products */

static void test_products(int mse, double leak, int all)
{
    char name[200], tag[80];
    snprintf(tag, sizeof tag, "%s, leak %.1f, %s", mse ? "mse" : "xent", leak, all ? "all params" : "W_rec");
    credit_session s;
    const int B = 6;
    if (!CHECK(open_tiny(&s, "bptt", mse, leak, 5, B, NULL) == CREDIT_OK, "hessian: tiny session opens", "%s", credit_error_message())) {
        credit_session_close(&s);
        return;
    }
    credit_hessian *h;
    if (!hessian_opens(&h, &s, all, B)) return;
    coords c;
    coords_make(&c, &s, h, all);
    ref r;
    ref_open(&r, &s, B);
    const size_t np = s.n_params, cells = (size_t)s.dims.T * B * s.dims.n;
    double *base = malloc(sizeof(double) * np), *gp = malloc(sizeof(double) * np), *gm = malloc(sizeof(double) * np);
    double *theta = malloc(sizeof(double) * np), *psi0 = malloc(sizeof(double) * cells);
    double *theta0 = test_widen(s.theta, np); /* the weights the Hessian was set at (credit_hessian_set widens them too) */
    ref_grad(&r, theta0, base, NULL);
    memcpy(psi0, r.f.psi, sizeof(double) * cells);

    /* Dense Hessian by central differences of the exact gradient, column by column. */
    const double eps = 1e-6;
    double *Hfd = calloc(c.F * c.F, sizeof(double));
    long flips = 0;
    for (size_t b = 0; b < c.F; b++) {
        memcpy(theta, theta0, sizeof(double) * np);
        theta[c.full_idx[b]] += eps;
        flips += ref_grad(&r, theta, gp, psi0);
        theta[c.full_idx[b]] -= 2 * eps;
        flips += ref_grad(&r, theta, gm, psi0);
        for (size_t a = 0; a < c.F; a++) Hfd[a * c.F + b] = (gp[c.full_idx[a]] - gm[c.full_idx[a]]) / (2 * eps);
    }
    double *Hd = dense_from_products(h, &c);
    snprintf(name, sizeof name, "Hessian columns = finite differences of the exact gradient (%s)", tag);
    double err = test_rel_err(Hd, Hfd, c.F * c.F);
    CHECK(err <= 1e-7 && flips == 0, name, "relative error %.3g, %ld ReLU flips in the differences", err, flips);

    double asym = 0, size = 0;
    for (size_t a = 0; a < c.F; a++)
        for (size_t b = 0; b < c.F; b++) asym = fmax(asym, fabs(Hd[a * c.F + b] - Hd[b * c.F + a])), size = fmax(size, fabs(Hd[a * c.F + b]));
    snprintf(name, sizeof name, "Hessian from products is symmetric (%s)", tag);
    CHECK(asym <= 1e-12 * size, name, "max asymmetry %.3g of max entry %.3g", asym, size);

    /* A random direction: one product against the dense matrix and against a
     * directional difference of the gradient. */
    credit_rng rng;
    credit_rng_seed(&rng, 5, 5);
    double *v = calloc(c.D, sizeof(double)), *Hv = calloc(c.D, sizeof(double)), *Hdv = calloc(c.F, sizeof(double)),
           *fd = calloc(c.F, sizeof(double)), *Hvf = calloc(c.F, sizeof(double));
    for (size_t i = 0; i < c.D; i++) v[i] = credit_rng_normal(&rng); /* diagonal entries too: they must be ignored */
    credit_hessian_apply(h, v, Hv);
    memcpy(theta, theta0, sizeof(double) * np);
    for (size_t a = 0; a < c.F; a++) theta[c.full_idx[a]] += eps * v[c.free_idx[a]];
    flips = ref_grad(&r, theta, gp, psi0);
    memcpy(theta, theta0, sizeof(double) * np);
    for (size_t a = 0; a < c.F; a++) theta[c.full_idx[a]] -= eps * v[c.free_idx[a]];
    flips += ref_grad(&r, theta, gm, psi0);
    for (size_t a = 0; a < c.F; a++) {
        fd[a] = (gp[c.full_idx[a]] - gm[c.full_idx[a]]) / (2 * eps);
        Hvf[a] = Hv[c.free_idx[a]];
        for (size_t b = 0; b < c.F; b++) Hdv[a] += Hd[a * c.F + b] * v[c.free_idx[b]];
    }
    snprintf(name, sizeof name, "Hv = directional difference of the exact gradient (%s)", tag);
    err = test_rel_err(Hvf, fd, c.F);
    CHECK(err <= 1e-7 && flips == 0, name, "relative error %.3g, %ld ReLU flips", err, flips);
    double diag_out = 0;
    size_t rec0 = all ? (size_t)(s.w.W_rec - s.theta) : 0;
    for (int i = 0; i < s.dims.n; i++) diag_out += fabs(Hv[rec0 + (size_t)i * s.dims.n + i]);
    snprintf(name, sizeof name, "Hv = dense Hessian times v, diagonal of v ignored and of Hv zero (%s)", tag);
    err = test_rel_err(Hvf, Hdv, c.F);
    CHECK(err <= 1e-12 && diag_out == 0, name, "relative error %.3g, |diagonal| %.3g", err, diag_out);

    free(v); free(Hv); free(Hdv); free(fd); free(Hvf);
    free(Hd); free(Hfd); free(base); free(gp); free(gm); free(theta); free(theta0); free(psi0);
    ref_close(&r);
    coords_free(&c);
    credit_hessian_close(h);
    credit_session_close(&s);
}

/* ------------------------------------------------------------ eigenvalues, trace, density */

static void test_spectrum(int all)
{
    char name[200];
    const char *tag = all ? "all params" : "W_rec";
    credit_session s;
    const int B = 12, K = 4;
    if (!CHECK(open_tiny(&s, "bptt", 0, 0.3, 8, B, NULL) == CREDIT_OK, "spectrum: tiny session opens", "%s", credit_error_message())) {
        credit_session_close(&s);
        return;
    }
    credit_hessian *h;
    if (!hessian_opens(&h, &s, all, B)) return;
    coords c;
    coords_make(&c, &s, h, all);
    double *Hd = dense_from_products(h, &c), *ev = calloc(c.F, sizeof(double)), *U = calloc(c.F * c.F, sizeof(double));
    dense_eigen(Hd, c.F, ev, U);
    double values[K], *v1 = calloc(c.D, sizeof(double));
    credit_eig_info info;

    /* Run to the end of the Krylov space: the tridiagonal then has H's spectrum. */
    credit_hessian_lanczos(h, K, 1e-15, (int)c.F, 11, values, v1, &info);
    double top = fabs(values[0] - ev[0]) / fabs(ev[0]), worst = 0;
    for (int i = 0; i < K; i++) worst = fmax(worst, fabs(values[i] - ev[i]) / fabs(ev[i]));
    double overlap = 0;
    for (size_t a = 0; a < c.F; a++) overlap += v1[c.free_idx[a]] * U[a * c.F];
    snprintf(name, sizeof name, "Lanczos = GSL's dense eigenvalues: top to 1e-8, top %d to 1e-6 (%s)", K, tag);
    CHECK(top <= 1e-8 && worst <= 1e-6, name, "top %.17g vs %.17g (rel %.3g), worst of top %d rel %.3g", values[0], ev[0], top, K, worst);
    snprintf(name, sizeof name, "Lanczos top eigenvector = GSL's (%s)", tag);
    CHECK(fabs(fabs(overlap) - 1) <= 1e-8, name, "|<v1, u1>| = %.17g", fabs(overlap));

    /* The default stopping rule: what it claims, in fewer products than the dimension. */
    credit_hessian_lanczos(h, K, 1e-6, 200, 11, values, v1, &info);
    worst = 0;
    for (int i = 0; i < K; i++) worst = fmax(worst, fabs(values[i] - ev[i]) / fabs(ev[i]));
    snprintf(name, sizeof name, "Lanczos stopping at tol 1e-6 meets it on the top %d (%s)", K, tag);
    CHECK(info.converged && worst <= 1e-6 && (size_t)info.products < c.F, name, "converged %d after %d of %zu products, worst rel %.3g",
          info.converged, info.products, c.F, worst);
    snprintf(name, sizeof name, "Lanczos error estimate bounds the top eigenvalue's error (%s)", tag);
    CHECK(fabs(values[0] - ev[0]) <= fmax(info.error, 1e-13 * fabs(ev[0])), name, "error %.3g, estimate %.3g", fabs(values[0] - ev[0]),
          info.error);

    /* Power iteration converges at the rate (lambda_2 / lambda_1)^2 per product:
     * this network must have the gap for 500 products to reach 1e-8. */
    double ratio = 0;
    for (size_t i = 1; i < c.F; i++) ratio = fmax(ratio, fabs(ev[i]) / fabs(ev[0]));
    snprintf(name, sizeof name, "power fixture: lambda_max dominates with a gap (%s)", tag);
    CHECK(ratio < 0.9 && ev[0] > 0, name, "max |lambda_i| / lambda_max = %.4g", ratio);
    double lam;
    credit_hessian_power(h, 1e-12 * fabs(ev[0]), 500, 11, &lam, v1, &info);
    snprintf(name, sizeof name, "power iteration = GSL's top eigenvalue to 1e-8 (%s)", tag);
    CHECK(info.converged && fabs(lam - ev[0]) <= 1e-8 * fabs(ev[0]), name, "%.17g vs %.17g after %d products", lam, ev[0], info.products);
    credit_hessian_power(h, 1e-6, 500, 11, &lam, v1, &info);
    snprintf(name, sizeof name, "power iteration, authors' protocol (1e-6 absolute, 500): within its residual (%s)", tag);
    CHECK(info.converged && fabs(lam - ev[0]) <= info.error, name, "%.17g vs %.17g, residual %.3g, %d products", lam, ev[0], info.error,
          info.products);

    /* Hutchinson: the dense trace within 4 standard errors, and the standard
     * error near its Rademacher value sqrt(2 sum_{i != j} H_ij^2 / probes). */
    const int probes = 400;
    double trace = 0, off2 = 0, mean, se;
    for (size_t a = 0; a < c.F; a++) {
        trace += Hd[a * c.F + a];
        for (size_t b = 0; b < c.F; b++)
            if (a != b) off2 += Hd[a * c.F + b] * Hd[a * c.F + b];
    }
    credit_hessian_trace(h, probes, 11, &mean, &se);
    double se_theory = sqrt(2 * off2 / probes);
    snprintf(name, sizeof name, "Hutchinson trace = dense trace within 4 standard errors (%s)", tag);
    CHECK(fabs(mean - trace) < 4 * se, name, "%.6g vs %.6g, se %.3g", mean, trace, se);
    snprintf(name, sizeof name, "Hutchinson standard error near its theoretical value (%s)", tag);
    CHECK(se > 0.75 * se_theory && se < 1.25 * se_theory, name, "se %.4g, theory %.4g", se, se_theory);

    /* SLQ with as many steps as parameters: every node is an eigenvalue,
     * every probe's weights sum to 1, and the first moment estimates the trace. */
    const int P = 30, S = (int)c.F;
    double *nodes = calloc((size_t)P * S, sizeof(double)), *weights = calloc((size_t)P * S, sizeof(double));
    credit_hessian_slq(h, P, S, 11, nodes, weights);
    double node_err = 0, wsum_err = 0, m1 = 0, m1sq = 0;
    for (int p = 0; p < P; p++) {
        double wsum = 0, mom = 0;
        for (int j = 0; j < S; j++) {
            double x = nodes[(size_t)p * S + j], w = weights[(size_t)p * S + j], near = HUGE_VAL;
            wsum += w;
            mom += w * x;
            if (w < 1e-20) continue;
            for (size_t i = 0; i < c.F; i++) near = fmin(near, fabs(x - ev[i]));
            node_err = fmax(node_err, near / fabs(ev[0]));
        }
        wsum_err = fmax(wsum_err, fabs(wsum - 1));
        m1 += mom * c.F / P;
        m1sq += mom * c.F * mom * c.F / P;
    }
    double slq_se = sqrt(fmax(m1sq - m1 * m1, 0) / (P - 1));
    snprintf(name, sizeof name, "SLQ: nodes are eigenvalues, weights sum to 1 (%s)", tag);
    CHECK(node_err <= 1e-8 && wsum_err <= 1e-12, name, "node error %.3g (relative to lambda_max), weight sum error %.3g", node_err, wsum_err);
    snprintf(name, sizeof name, "SLQ trace = dense trace within 4 standard errors (%s)", tag);
    CHECK(fabs(m1 - trace) < 4 * slq_se, name, "%.6g vs %.6g, se %.3g", m1, trace, slq_se);

    free(nodes); free(weights);
    free(Hd); free(ev); free(U); free(v1);
    coords_free(&c);
    credit_hessian_close(h);
    credit_session_close(&s);
}

/* ------------------------------------------------------------ gamma and the cosine */

/* The rule's update (task + L2, as training takes it) at theta, through the
 * session's own batch and gradient: independent of hessian.c. It runs in the
 * session's precision: theta is rounded to it (float in PREC=32), out is the
 * gradient widened. */
static long session_update(credit_session *s, const double *theta, int B, double *out, const double *base_psi)
{
    for (size_t i = 0; i < s->n_params; i++) s->theta[i] = (credit_real)theta[i];
    for (int b = 0; b < B; b++) s->index[b] = (uint64_t)b;
    double loss;
    credit_session_batch(s, CREDIT_SPLIT_TRAIN, s->index, B, &loss, NULL, NULL);
    credit_session_gradient(s, 0, NULL);
    test_widen_into(out, s->grad, s->n_params);
    long flips = 0;
    if (base_psi)
        for (size_t k = 0; k < (size_t)s->dims.T * B * s->dims.n; k++) flips += s->fwd.psi[k] != base_psi[k];
    return flips;
}

/* Single precision (PREC=32): gamma and J are central differences of the
 * rule's direction u, which the rule computes in float (from w + h v and
 * the trajectory rounded to float): the difference carries a rounding
 * error of scale 2^-24 |u| / h, i.e. 2^-24 |u| / (h lambda_max) in gamma
 * (measured 0.16 to 1.7 times that). With the double build's gamma_step
 * 1e-5 gamma is only good to ~1e-3 on these fixtures (measured 1.6e-3 on
 * bptt, where gamma = 1 exactly; hence the float build's default 1e-4). Their truncation is small (bptt's gamma off by
 * 4e-5 only at h = 1e-2), so these tests take h = 3e-3 ~ (2^-24)^(1/3),
 * which balances the two: bptt's gamma within 5.5e-6 of 1, example's
 * within 7e-7 (W_rec) and 1.7e-7 (all) of the double build's. The double
 * build keeps the default (the key is not passed). */
#define GAMMA_STEP32 " gamma_step=3e-3"
/* The independent reference differences the session's own float gradient:
 * its step must be large against the float gradient's rounding, 2^-24 |g|,
 * and small enough that no ReLU flips (checked: at 1e-2 six flip). With
 * 3e-3 its gamma is within 3.4e-6 of the double build's (bptt: of 1). */
#define THEOREM_EPS32 3e-3

static void test_theorem(const char *rule, int all)
{
    char name[200], tag[80], extra[200];
    snprintf(tag, sizeof tag, "%s, %s", rule, all ? "all params" : "W_rec");
    snprintf(extra, sizeof extra, "hessian_tol=1e-14 hessian_maxiter=1000 hessian_k=2 hessian_params=%s%s", all ? "all" : "rec",
             TEST_F32 ? GAMMA_STEP32 : "");
    credit_session s;
    const int B = 10;
    if (!CHECK(open_tiny(&s, rule, 0, 0.5, 6, B, extra) == CREDIT_OK, "theorem: tiny session opens", "%s", credit_error_message())) {
        credit_session_close(&s);
        return;
    }
    credit_curv_row row;
    int st = credit_curvature_measure(&s, 0, &row);
    snprintf(name, sizeof name, "curvature row measured (%s)", tag);
    CHECK(st == CREDIT_OK && row.converged, name, "status %d, converged %d: %s", st, row.converged, credit_error_message());

    credit_hessian *h;
    if (!hessian_opens(&h, &s, all, B)) return;
    coords c;
    coords_make(&c, &s, h, all);
    double *Hd = dense_from_products(h, &c), *ev = calloc(c.F, sizeof(double)), *U = calloc(c.F * c.F, sizeof(double));
    dense_eigen(Hd, c.F, ev, U);
    snprintf(name, sizeof name, "curvature row: lambda_max = GSL's (%s)", tag);
    CHECK(fabs(row.lambda_max - ev[0]) <= 1e-8 * fabs(ev[0]) && fabs(row.lambda[1] - ev[1]) <= 1e-6 * fabs(ev[1]), name,
          "%.17g vs %.17g, lambda_2 %.17g vs %.17g", row.lambda_max, ev[0], row.lambda[1], ev[1]);

    /* Independent J: central differences of the session's update, one column
     * per parameter (the ReLU pattern must not flip), then u1' J u1. */
    const size_t np = s.n_params, cells = (size_t)s.dims.T * B * s.dims.n;
    double *theta0 = test_widen(s.theta, np), *theta = malloc(sizeof(double) * np), *gp = malloc(sizeof(double) * np),
           *gm = malloc(sizeof(double) * np), *psi0 = malloc(sizeof(double) * cells);
    session_update(&s, theta0, B, gp, NULL);
    test_widen_into(psi0, s.fwd.psi, cells);
    const double eps = TEST_F32 ? THEOREM_EPS32 : 1e-6;
    double ujU = 0;
    long flips = 0;
    for (size_t b = 0; b < c.F; b++) {
        const size_t i = c.full_idx[b];
        memcpy(theta, theta0, sizeof(double) * np);
        theta[i] += eps;
        flips += session_update(&s, theta, B, gp, psi0);
        const double hi = s.theta[i]; /* theta0 + eps as the session holds it */
        theta[i] -= 2 * eps;
        flips += session_update(&s, theta, B, gm, psi0);
        /* In float the step taken is the rounded one: hi - lo, exact in double. */
        const double step2 = TEST_F32 ? hi - (double)s.theta[i] : 2 * eps;
        for (size_t a = 0; a < c.F; a++) ujU += U[a * c.F] * (gp[c.full_idx[a]] - gm[c.full_idx[a]]) / step2 * U[b * c.F];
    }
    double gamma_ref = ujU / ev[0];
    /* Float: both are float differences at steps ~3e-3, each good to ~1e-5
     * (rounding 2^-24 |w| / h, truncation h^2); measured |difference| 8.9e-6
     * (bptt), 1.1e-6 and 2.4e-6 (example). */
    const double gamma_tol = test_tol(1e-6, 5e-5);
    snprintf(name, sizeof name, "gamma = u1' J u1 / lambda_max with a dense finite-difference J (%s)", tag);
    CHECK(fabs(row.gamma - gamma_ref) <= gamma_tol * fmax(1, fabs(gamma_ref)) && flips == 0, name,
          "gamma %.12g, reference %.12g, |difference| %.3g (%ld flips)", row.gamma, gamma_ref, fabs(row.gamma - gamma_ref), flips);

    /* Independent cosine: the rule's and BPTT's task-loss gradients as `credit grad` takes them. */
    for (size_t i = 0; i < np; i++) s.theta[i] = (credit_real)theta0[i]; /* exact: theta0 was widened from them */
    for (int b = 0; b < B; b++) s.index[b] = (uint64_t)b;
    double loss;
    credit_session_batch(&s, CREDIT_SPLIT_TRAIN, s.index, B, &loss, NULL, NULL);
    credit_session_gradient(&s, CREDIT_GRAD_NO_L2, NULL);
    test_widen_into(gp, s.grad, np);
    credit_session_gradient(&s, CREDIT_GRAD_EXACT | CREDIT_GRAD_NO_L2, NULL);
    test_widen_into(gm, s.grad, np);
    double ab = 0, aa = 0, bb = 0;
    for (size_t a = 0; a < c.F; a++) {
        size_t i = c.full_idx[a];
        ab += gp[i] * gm[i], aa += gp[i] * gp[i], bb += gm[i] * gm[i];
    }
    double cos_ref = ab / sqrt(aa * bb);
    /* Float: the row's rule runs on the double trajectory rounded to float,
     * the session's on its own float trajectory; the two differ by float
     * rounding through T = 8 steps (~T 2^-24 = 5e-7 relative), and a cosine
     * moves by at most about its vectors' relative error. Measured 6.9e-8. */
    const double cos_tol = test_tol(1e-12, 1e-6);
    snprintf(name, sizeof name, "cosine = the session's rule-vs-BPTT cosine (%s)", tag);
    CHECK(fabs(row.cosine - cos_ref) <= cos_tol, name, "%.17g vs %.17g", row.cosine, cos_ref);
    if (strcmp(rule, "bptt") == 0) {
        /* Float: gamma as above (measured 5.5e-6 from 1); the cosine's error
         * is quadratic in the estimate's (1 - 2e-15 measured): 1e-12 stays. */
        snprintf(name, sizeof name, "bptt: gamma = 1 up to the difference step, cosine = 1 (%s)", tag);
        CHECK(fabs(row.gamma - 1) <= gamma_tol && fabs(row.cosine - 1) <= 1e-12, name, "gamma %.17g, cosine %.17g", row.gamma, row.cosine);
    } else {
        snprintf(name, sizeof name, "%s: not the gradient (cosine and gamma differ from 1)", tag);
        CHECK(row.cosine < 0.999 && fabs(row.gamma - 1) > 1e-3, name, "cosine %.6g, gamma %.6g", row.cosine, row.gamma);
    }
    snprintf(name, sizeof name, "bounds: bound_gd = 2/eta, bound_rule = 2/(eta gamma) (%s)", tag);
    CHECK(row.bound_gd == 2 / row.eta && row.bound_rule == 2 / (row.eta * row.gamma) && row.eta == s.o.lr, name, "eta %g, %g, %g", row.eta,
          row.bound_gd, row.bound_rule);

    credit_curv_row_free(&row);
    free(theta0); free(theta); free(gp); free(gm); free(psi0);
    free(Hd); free(ev); free(U);
    coords_free(&c);
    credit_hessian_close(h);
    credit_session_close(&s);
}

/* ------------------------------------------------------------ the rule's own edge: Arnoldi on J */

/* Eigenvalues of a dense F x F nonsymmetric matrix by GSL, in GSL's order,
 * with the unit right eigenvectors (columns of X, complex, F x F; may be NULL). */
static void dense_nonsymm(const double *M, size_t F, double *re, double *im, gsl_matrix_complex *X)
{
    gsl_matrix *A = gsl_matrix_alloc(F, F);
    gsl_vector_complex *ev = gsl_vector_complex_alloc(F);
    gsl_matrix_complex *E = X ? X : gsl_matrix_complex_alloc(F, F);
    gsl_eigen_nonsymmv_workspace *ws = gsl_eigen_nonsymmv_alloc(F);
    for (size_t i = 0; i < F; i++)
        for (size_t j = 0; j < F; j++) gsl_matrix_set(A, i, j, M[i * F + j]);
    gsl_eigen_nonsymmv(A, ev, E, ws);
    for (size_t i = 0; i < F; i++) re[i] = GSL_REAL(gsl_vector_complex_get(ev, i)), im[i] = GSL_IMAG(gsl_vector_complex_get(ev, i));
    gsl_eigen_nonsymmv_free(ws);
    if (!X) gsl_matrix_complex_free(E);
    gsl_vector_complex_free(ev);
    gsl_matrix_free(A);
}

/* Index of the eigenvalue of largest real part (of a pair, +im). */
static size_t leading(const double *re, const double *im, size_t F)
{
    size_t best = 0;
    for (size_t i = 1; i < F; i++)
        if (re[i] > re[best] || (re[i] == re[best] && im[i] > im[best])) best = i;
    return best;
}

/* Condition number 1/|y^H x| (unit y, x) of the eigenvalue (re, im) of M:
 * x from M, y from M^T (whose eigenvector for the same eigenvalue is conj(y)).
 * To first order a perturbation E moves it by at most kappa |E|_2. */
static double eig_condition(const double *M, size_t F, double re, double im)
{
    double *Mt = malloc(sizeof(double) * F * F), *r1 = malloc(sizeof(double) * F), *i1 = malloc(sizeof(double) * F),
           *r2 = malloc(sizeof(double) * F), *i2 = malloc(sizeof(double) * F);
    if (!F || !Mt || !r1 || !i1 || !r2 || !i2) abort(); /* a test of a 0 x 0 matrix, or out of memory */
    for (size_t i = 0; i < F; i++)
        for (size_t j = 0; j < F; j++) Mt[i * F + j] = M[j * F + i];
    gsl_matrix_complex *X = gsl_matrix_complex_alloc(F, F), *Y = gsl_matrix_complex_alloc(F, F);
    dense_nonsymm(M, F, r1, i1, X);
    dense_nonsymm(Mt, F, r2, i2, Y);
    size_t a = 0, b = 0;
    for (size_t i = 0; i < F; i++) {
        if (hypot(r1[i] - re, i1[i] - im) < hypot(r1[a] - re, i1[a] - im)) a = i;
        if (hypot(r2[i] - re, i2[i] - im) < hypot(r2[b] - re, i2[b] - im)) b = i;
    }
    double sr = 0, si = 0; /* w^T x, w = conj(y) */
    for (size_t k = 0; k < F; k++) {
        gsl_complex x = gsl_matrix_complex_get(X, k, a), w = gsl_matrix_complex_get(Y, k, b);
        sr += GSL_REAL(w) * GSL_REAL(x) - GSL_IMAG(w) * GSL_IMAG(x);
        si += GSL_REAL(w) * GSL_IMAG(x) + GSL_IMAG(w) * GSL_REAL(x);
    }
    gsl_matrix_complex_free(X);
    gsl_matrix_complex_free(Y);
    free(Mt), free(r1), free(i1), free(r2), free(i2);
    return 1.0 / hypot(sr, si);
}

typedef struct dense_op { const double *M; size_t F; } dense_op;
static int dense_apply(void *ctx, const double *x, double *y)
{
    const dense_op *op = ctx;
    for (size_t i = 0; i < op->F; i++) {
        double sum = 0;
        for (size_t j = 0; j < op->F; j++) sum += op->M[i * op->F + j] * x[j];
        y[i] = sum;
    }
    return 0;
}

/* The solver alone, on a normal nonsymmetric matrix A = U Lambda U' with
 * known eigenvalues a_k +- i b_k (2x2 blocks) and real ones: with the whole
 * space every Ritz value is an eigenvalue; with fewer steps each Ritz value
 * lies within its residual of an eigenvalue (Bauer-Fike: A is normal). */
static void test_arnoldi_dense(void)
{
    enum { F = 40, PAIRS = 12 };
    double *A = calloc(F * F, sizeof(double)), *U = calloc(F * F, sizeof(double)), *L = calloc(F * F, sizeof(double));
    double ere[F], eim[F];
    credit_rng rng;
    credit_rng_seed(&rng, 17, 2);
    for (int k = 0; k < F; k++) { /* block diagonal Lambda, distinct real parts */
        double a = 3.0 - 0.13 * k;
        if (k < 2 * PAIRS && k % 2 == 0) {
            double b = 0.2 + 0.05 * k;
            L[k * F + k] = L[(k + 1) * F + k + 1] = a;
            L[k * F + k + 1] = b, L[(k + 1) * F + k] = -b;
            ere[k] = ere[k + 1] = a, eim[k] = b, eim[k + 1] = -b;
            k++;
        } else {
            L[k * F + k] = a, ere[k] = a, eim[k] = 0;
        }
    }
    for (int j = 0; j < F; j++) { /* U orthogonal: Gram-Schmidt (twice) of normal columns */
        for (int i = 0; i < F; i++) U[i * F + j] = credit_rng_normal(&rng);
        for (int pass = 0; pass < 2; pass++)
            for (int q = 0; q < j; q++) {
                double d = 0;
                for (int i = 0; i < F; i++) d += U[i * F + q] * U[i * F + j];
                for (int i = 0; i < F; i++) U[i * F + j] -= d * U[i * F + q];
            }
        double nrm = 0;
        for (int i = 0; i < F; i++) nrm += U[i * F + j] * U[i * F + j];
        for (int i = 0; i < F; i++) U[i * F + j] /= sqrt(nrm);
    }
    for (int i = 0; i < F; i++)
        for (int j = 0; j < F; j++) {
            double sum = 0;
            for (int p = 0; p < F; p++)
                for (int q = 0; q < F; q++) sum += U[i * F + p] * L[p * F + q] * U[j * F + q];
            A[i * F + j] = sum;
        }
    dense_op op = {A, F};
    const int sizes[2] = {F, 15};
    for (int c = 0; c < 2; c++) {
        credit_arnoldi ar;
        int st = credit_arnoldi_alloc(&ar, F, sizes[c]);
        if (!st) {
            for (int i = 0; i < F; i++) ar.Q[i] = 1.0 / sqrt((double)F) * (i % 3 ? 1 : -1);
            st = credit_arnoldi_run(&ar, dense_apply, &op);
        }
        double worst = 0, worst_excess = -INFINITY;
        int sorted = 1;
        for (int i = 0; !st && i < ar.steps; i++) {
            double near = INFINITY;
            for (int k = 0; k < F; k++) near = fmin(near, hypot(ar.re[i] - ere[k], ar.im[i] - eim[k]));
            worst = fmax(worst, near);
            worst_excess = fmax(worst_excess, near - ar.resid[i] - 1e-12 * 3.0);
            if (i > 0 && (ar.re[i] > ar.re[i - 1] || (ar.re[i] == ar.re[i - 1] && ar.im[i] > ar.im[i - 1]))) sorted = 0;
        }
        char name[200];
        if (c == 0) {
            snprintf(name, sizeof name, "Arnoldi over the whole space (%d steps): every Ritz value is an eigenvalue of a known normal "
                                        "nonsymmetric matrix, to 1e-12 of its spectral radius", F);
            CHECK(!st && ar.steps == F && worst <= 1e-12 * 3.0 && sorted, name, "status %d, %d steps, worst distance %.3g, sorted %d", st,
                  ar.steps, worst, sorted);
        } else {
            snprintf(name, sizeof name, "Arnoldi, %d of %d steps: each Ritz value within its residual of an eigenvalue (Bauer-Fike, "
                                        "normal matrix), sorted by real part", sizes[c], F);
            CHECK(!st && ar.steps == sizes[c] && worst_excess <= 0 && sorted && ar.re[0] > 2.5, name,
                  "status %d, worst (distance - residual) %.3g, sorted %d, leading %.6g", st, worst_excess, sorted, ar.re[0]);
        }
        credit_arnoldi_free(&ar);
    }

    /* An invariant Krylov space: a 2x2 rotation block started from e_0 breaks
     * down exactly after 2 steps, and its Ritz values are the block's. */
    memset(A, 0, sizeof(double) * F * F);
    A[0] = A[F + 1] = 1.5, A[1] = 0.5, A[F] = -0.5;
    for (int k = 2; k < F; k++) A[k * F + k] = 3.0 - 0.1 * k;
    credit_arnoldi ar;
    int st = credit_arnoldi_alloc(&ar, F, 10);
    if (!st) {
        ar.Q[0] = 1.0;
        st = credit_arnoldi_run(&ar, dense_apply, &op);
    }
    CHECK(!st && ar.steps == 2 && fabs(ar.re[0] - 1.5) <= 1e-15 && fabs(ar.im[0] - 0.5) <= 1e-15 && ar.im[1] == -ar.im[0] &&
              ar.resid[0] == 0,
          "Arnoldi stops at an exact breakdown (invariant 2-dimensional space): Ritz values 1.5 +- 0.5i, residual 0",
          "status %d, %d steps, %.17g%+.17gi, residual %.3g", st, ar.steps, ar.re[0], ar.im[0], ar.resid[0]);
    credit_arnoldi_free(&ar);
    free(A), free(U), free(L);
}

/* Dense J (F x F over the free coordinates) from one central difference of
 * the update direction per column, step h, as the Arnoldi products take it. */
static double *dense_jacobian(credit_hessian *h, const CREDIT_F64(credit_grad_rule) *rule, const coords *c, double step)
{
    double *J = calloc(c->F * c->F, sizeof(double)), *e = calloc(c->D, sizeof(double)), *up = calloc(c->D, sizeof(double)),
           *down = calloc(c->D, sizeof(double));
    for (size_t b = 0; b < c->F; b++) {
        e[c->free_idx[b]] = 1.0;
        credit_hessian_direction(h, e, step, 0, rule, up);
        credit_hessian_direction(h, e, -step, 0, rule, down);
        e[c->free_idx[b]] = 0.0;
        for (size_t a = 0; a < c->F; a++) J[a * c->F + b] = (up[c->free_idx[a]] - down[c->free_idx[a]]) / (2 * step);
    }
    free(e), free(up), free(down);
    return J;
}

/* Arnoldi on the rule's Jacobian against GSL's dense nonsymmetric solver on
 * J built column by column; for bptt, J is the Hessian and mu_max lambda_max. */
static void test_rule_edge(const char *rule, int all)
{
    char name[300], tag[80], extra[200];
    snprintf(tag, sizeof tag, "%s, %s", rule, all ? "all params" : "W_rec");
    snprintf(extra, sizeof extra, "hessian_tol=1e-14 hessian_maxiter=1000 hessian_params=%s jacobian_k=1000 jacobian_nev=4%s",
             all ? "all" : "rec", TEST_F32 ? GAMMA_STEP32 : ""); /* the float step: see GAMMA_STEP32 */
    credit_session s;
    const int B = 10;
    if (!CHECK(open_tiny(&s, rule, 0, 0.5, 6, B, extra) == CREDIT_OK, "rule edge: tiny session opens", "%s", credit_error_message())) {
        credit_session_close(&s);
        return;
    }
    credit_curv_row row;
    int st = credit_curvature_measure(&s, 0, &row);
    credit_hessian *h;
    if (!hessian_opens(&h, &s, all, B)) { credit_curv_row_free(&row); return; }
    coords c;
    coords_make(&c, &s, h, all);
    const size_t F = c.F;
    credit_curv_opts o;
    credit_curv_opts_get(&s, &o);
    const CREDIT_F64(credit_grad_rule) grule = credit_session_grad_rule_f64(&s); /* the rule as the measurements serve it */
    double *J = dense_jacobian(h, &grule, &c, o.gamma_step), *J2 = dense_jacobian(h, &grule, &c, 2 * o.gamma_step);
    /* The finite-difference error of a product, estimated from the step and
     * twice the step (truncation h^2: J(2h) - J(h) is 3x J(h)'s own; the
     * roundoff eps |u| / h at most 1.5x): E bounds |J_products - J_dense|. */
    double E = 0, Jn = 0;
    for (size_t k = 0; k < F * F; k++) E += (J[k] - J2[k]) * (J[k] - J2[k]), Jn += J[k] * J[k];
    E = sqrt(E), Jn = sqrt(Jn);
    double *re = malloc(sizeof(double) * F), *im = malloc(sizeof(double) * F);
    dense_nonsymm(J, F, re, im, NULL);
    size_t lead = leading(re, im, F);
    double kappa = eig_condition(J, F, re[lead], im[lead]);
    double asym = 0;
    for (size_t a = 0; a < F; a++)
        for (size_t b = 0; b < F; b++) asym = fmax(asym, fabs(J[a * F + b] - J[b * F + a]));

    /* The whole Krylov space (jacobian_k capped at the free dimension): the
     * Ritz values are J's eigenvalues but for the products' own error. */
    double tol = 2 * kappa * E + 1e-12 * Jn;
    snprintf(name, sizeof name, "rule edge, full Krylov space: mu = GSL's dense leading eigenvalue of J within 2 kappa |dJ|_F (%s)", tag);
    CHECK(st == CREDIT_OK && row.jacobian && hypot(row.mu_re - re[lead], row.mu_im - fabs(im[lead])) <= tol, name,
          "status %d: mu %.15g%+.3gi vs %.15g%+.3gi, |diff| %.3g, tol %.3g (kappa %.3g, |dJ| %.3g, |J| %.3g)", st, row.mu_re, row.mu_im,
          re[lead], im[lead], hypot(row.mu_re - re[lead], row.mu_im - fabs(im[lead])), tol, kappa, E, Jn);
    /* The 4 leading Ritz values (complex ones among them for eprop) and the margin over them. */
    double r4[4], i4[4], s4[4], margin = -INFINITY, worst4 = 0;
    int products = 0;
    st = credit_hessian_jacobian_eig(h, 1000, 4, o.gamma_step, 0, &grule, 7, r4, i4, s4, &products);
    int complex4 = 0;
    for (int i = 0; i < 4; i++) {
        margin = fmax(margin, hypot(1 - row.eta * r4[i], row.eta * i4[i]));
        complex4 += i4[i] != 0;
        size_t near = 0;
        for (size_t k = 1; k < F; k++)
            if (hypot(r4[i] - re[k], i4[i] - im[k]) < hypot(r4[i] - re[near], i4[i] - im[near])) near = k;
        double tol_i = 2 * eig_condition(J, F, re[near], im[near]) * E + 1e-12 * Jn;
        worst4 = fmax(worst4, hypot(r4[i] - re[near], i4[i] - im[near]) / tol_i);
    }
    snprintf(name, sizeof name, "rule edge, full Krylov space: the 4 leading Ritz values = dense eigenvalues within 2 kappa_i |dJ|_F (%s)", tag);
    CHECK(st == CREDIT_OK && products == (int)F && worst4 <= 1, name, "status %d, %d products, worst |diff| / tol %.3g, %d complex", st,
          products, worst4, complex4);
    snprintf(name, sizeof name, "rule edge: rule_edge = eta mu_re / 2, margin = max |1 - eta mu| over 4 leading Ritz values (%s)", tag);
    CHECK(row.rule_edge == row.eta * row.mu_re / 2 && fabs(row.margin - margin) <= 2 * row.eta * tol, name,
          "rule_edge %.17g (eta %g, mu_re %.17g), margin %.17g vs %.17g", row.rule_edge, row.eta, row.mu_re, row.margin, margin);

    /* A small Krylov space, the way runs use it (a fifth of the dimension):
     * the leading Ritz value lies within kappa times its residual (first
     * order, x2) of the leading eigenvalue, plus the products' own error. */
    const int m = (int)F / 5;
    double r1[1], i1[1], res1[1];
    st = credit_hessian_jacobian_eig(h, m, 1, o.gamma_step, 0, &grule, 12345, r1, i1, res1, &products);
    double d = hypot(r1[0] - re[lead], i1[0] - fabs(im[lead])), tol_m = 2 * kappa * res1[0] + tol;
    snprintf(name, sizeof name, "rule edge, Krylov size %d of %zu: leading Ritz value within 2 kappa (residual + |dJ|) of the dense one (%s)",
             m, F, tag);
    CHECK(st == CREDIT_OK && products == m && d <= tol_m && res1[0] < 0.1 * Jn, name,
          "status %d, %d products: %.15g%+.3gi vs %.15g%+.3gi, |diff| %.3g, residual %.3g, tol %.3g", st, products, r1[0], i1[0],
          re[lead], im[lead], d, res1[0], tol_m);

    if (strcmp(rule, "bptt") == 0) {
        /* J is the Hessian (ReLU pattern frozen): symmetric up to the
         * differences, and its eigenvalues within |J - H|_2 <= |J - H|_F of
         * H's (Bauer-Fike, H symmetric), so mu_max = lambda_max to that. */
        double *Hd = dense_from_products(h, &c), dH = 0, Hn = 0;
        for (size_t k = 0; k < F * F; k++) dH += (J[k] - Hd[k]) * (J[k] - Hd[k]), Hn += Hd[k] * Hd[k];
        dH = sqrt(dH), Hn = sqrt(Hn);
        /* Float: J's columns are float differences at h = 3e-3, whose
         * rounding the difference-error estimate E measures (3.7e-5 = 3.8e-5
         * of |H|_F); measured |J - H|_F / |H|_F 3.4e-5 (W_rec), 3.0e-5 (all),
         * asymmetry 1.3e-5 of |H|_F. */
        const double jh_tol = test_tol(1e-8, 3e-4);
        snprintf(name, sizeof name, "bptt: J built from differences of the update = the exact Hessian to %s (%s)", TEST_F32 ? "3e-4" : "1e-8",
                 tag);
        CHECK(dH <= jh_tol * Hn && asym <= jh_tol * Hn, name, "|J - H|_F %.3g, max asymmetry %.3g, |H|_F %.3g", dH, asym, Hn);
        snprintf(name, sizeof name, "bptt: mu_max = lambda_max (Lanczos) within |J - H|_F + Lanczos's error, mu_im = 0 to that (%s)", tag);
        double lt = dH + 1e-10 * fabs(row.lambda_max) + 1e-12 * Hn;
        CHECK(fabs(row.mu_re - row.lambda_max) <= lt && fabs(row.mu_im) <= lt, name, "mu %.17g%+.3gi, lambda_max %.17g, tol %.3g",
              row.mu_re, row.mu_im, row.lambda_max, lt);
        free(Hd);
    } else {
        snprintf(name, sizeof name, "%s: J is not symmetric (so Arnoldi, not Lanczos) (%s)", rule, tag);
        /* Float (h = 3e-3): E 1.3e-5 and 1.8e-5, asymmetry 0.137 and 0.157: 8.9e3 x E at least. */
        CHECK(asym > 1e3 * E, name, "max asymmetry %.3g, difference error %.3g", asym, E);
    }
    credit_curv_row_free(&row);
    free(J), free(J2), free(re), free(im);
    coords_free(&c);
    credit_hessian_close(h);
    credit_session_close(&s);
}

/* ------------------------------------------------------------ files and the CLI */



/* The value of a named column in the last row. */
static double column(const char *text, const char *name)
{
    const char *head = strstr(text, "\niter\t");
    if (!head) return NAN;
    int idx = 0;
    size_t len = strlen(name);
    for (const char *p = head + 1; *p && *p != '\n'; idx++) {
        if (strncmp(p, name, len) == 0 && (p[len] == '\t' || p[len] == '\n')) {
            const char *row = test_last_line(text);
            for (int f = 0; f < idx && row; f++) row = strchr(row, '\t') ? strchr(row, '\t') + 1 : NULL;
            return row ? strtod(row, NULL) : NAN;
        }
        p += strcspn(p, "\t\n");
        if (*p == '\t') p++;
    }
    return NAN;
}

static int count_rows(const char *text)
{
    int rows = 0;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        if (*line != '#' && strncmp(line, "iter\t", 5) != 0) rows++;
        line = nl ? nl + 1 : line + strlen(line);
    }
    return rows;
}

static void test_curvature_files(void)
{
    const char *tmp = test_tmp(), *seq = test_seq_file(0);
    char a[600], b[600], c[600];
    char *out = NULL, *ta = NULL, *tb = NULL;
    int rc;
    const char *common = "task=file n=10 batch=16 lr=0.05 iters=200 eval_every=50 hessian_batch=24 progress=0";

    /* A run with curvature rows, and the same run without: training is untouched. */
    snprintf(a, sizeof a, "%s/curv_a", tmp);
    snprintf(b, sizeof b, "%s/curv_b", tmp);
    rc = test_credit(&out, "train %s path=%s curvature_every=50 out=%s", common, seq, a);
    free(out);
    rc |= test_credit(&out, "train %s path=%s out=%s", common, seq, b);
    free(out);
    ta = test_slurp(a, "curvature.tsv");
    const char *want = "iter\tlambda_max\tgamma\tcosine\teta\tbound_gd\tbound_rule\tlambda_2\tlambda_3\thvps\tconverged\tlambda_err\tvjv\t"
                       "cosine_l2\tgrad_norm\trule_norm\thess_loss\thess_l2\thess_examples\ttrace\ttrace_se\n";
    CHECK(rc == 0 && ta && strstr(ta, want) && strstr(ta, "# config_hash ") && count_rows(ta) == 5 && strstr(ta, "\n200\t"),
          "curvature_every: curvature.tsv with provenance, the columns, rows at 0, 50, .., 200", "rc %d: %.600s", rc, ta ? ta : "(missing)");
    double lam = NAN, gamma = NAN, cosv = NAN, eta = NAN, bgd = NAN, brule = NAN;
    if (ta) sscanf(test_last_line(ta), "%*d %lf %lf %lf %lf %lf %lf", &lam, &gamma, &cosv, &eta, &bgd, &brule);
    /* Float: this run keeps the default gamma_step h (1e-4 in this build; a
     * trained network: truncation is ~440 h^2 here, 4.4e-4 at h = 1e-3 in
     * the double build, so no larger step suits it). gamma then carries the
     * rounding of the float rule's direction, of scale 2^-24 |u| / (h
     * lambda_max): over this run's five rows and the theorem fixtures
     * |gamma - exact| was 0.16 to 1.7 times that scale, so the tolerance is
     * 10 times it plus the truncation, taken from the row itself (rule_norm
     * = |u|). */
    const double rule_norm = ta ? column(ta, "rule_norm") : NAN, h = strtod(CREDIT_GAMMA_STEP_DEFAULT, NULL);
    const double gamma_tol = test_tol(1e-6, 10 * 0x1p-24 * rule_norm / (h * lam) + 440 * h * h);
    CHECK(lam > 0 && fabs(gamma - 1) < gamma_tol && fabs(cosv - 1) < 1e-12 && eta == 0.05 && bgd == 2 / eta && brule == 2 / (eta * gamma),
          "curvature.tsv row: bptt's gamma and cosine are 1, the ceilings are 2/eta and 2/(eta gamma)", "gamma tolerance %.3g: %s", gamma_tol,
          ta ? test_last_line(ta) : "");
    char *wa = test_slurp(a, "weights.tsv"), *wb = test_slurp(b, "weights.tsv");
    char *ba = wa ? test_body(wa) : NULL, *bb = wb ? test_body(wb) : NULL;
    CHECK(ba && bb && strcmp(ba, bb) == 0, "measuring curvature leaves training bit-identical", "%s", "weights differ");
    free(wa); free(wb); free(ba); free(bb);

    /* credit curvature on the saved run: the same row as the run's last. */
    rc = test_credit(&out, "curvature %s", a);
    tb = test_slurp(a, "curvature_final.tsv");
    char *bfinal = tb ? test_body(tb) : NULL;
    CHECK(rc == 0 && tb && strstr(tb, want) && strstr(tb, "# run_config_hash ") && strcmp(test_last_line(bfinal), test_last_line(ta)) == 0 &&
              strstr(out, want),
          "credit curvature RUN_DIR: curvature_final.tsv (and stdout) repeats the run's last row bit for bit", "rc %d: %.300s | %.300s", rc,
          tb ? test_last_line(tb) : "(missing)", ta ? test_last_line(ta) : "");
    free(out); free(tb); free(bfinal);
    rc = test_credit(&out, "curvature %s hessian_k=5 hessian_method=power hessian_density=3 hessian_trace_probes=20", a);
    tb = test_slurp(a, "curvature_final.tsv");
    CHECK(rc == 0 && tb && strstr(tb, "\tlambda_5\thvps\t") && strstr(tb, "power iteration"), "credit curvature overrides: k, method",
          "rc %d: %.500s", rc, out);
    free(out);
    double tr = tb ? column(tb, "trace") : NAN, tse = tb ? column(tb, "trace_se") : NAN;
    CHECK(isfinite(tr) && tse > 0, "credit curvature: hessian_trace_probes fills trace and trace_se", "trace %g se %g", tr, tse);
    free(tb);
    tb = test_slurp(a, "curvature_density.tsv");
    double mass = 0, x_prev = NAN, d_prev = 0;
    int points = 0;
    if (tb)
        for (const char *line = strstr(tb, "lambda\tdensity\n"); line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
            double x, d;
            if (sscanf(line, "%lf %lf", &x, &d) != 2) continue;
            if (points++) mass += 0.5 * (d + d_prev) * (x - x_prev);
            x_prev = x, d_prev = d;
        }
    CHECK(tb && points == 400 && fabs(mass - 1) < 1e-3, "hessian_density: curvature_density.tsv (lambda, density) integrates to 1",
          "%d points, mass %.6g", points, mass);
    free(tb);
    tb = test_slurp(a, "curvature_slq.tsv");
    const char *slq = tb ? strstr(tb, "\nprobe\tnode\tweight\n0\t") : NULL;
    CHECK(slq && strstr(slq, "\n2\t") && !strstr(slq, "\n3\t"), "hessian_density: curvature_slq.tsv holds every probe's nodes and weights",
          "%.300s", tb ? tb : "(missing)");
    free(tb);
    /* The rule's own edge: four columns appended when jacobian_k > 0, in training and in credit curvature. */
    const char *jcols = "\ttrace\ttrace_se\tmu_re\tmu_im\trule_edge\tmargin\n";
    rc = test_credit(&out, "curvature %s jacobian_k=8 jacobian_nev=2", a);
    tb = test_slurp(a, "curvature_final.tsv");
    double mre = tb ? column(tb, "mu_re") : NAN, edge = tb ? column(tb, "rule_edge") : NAN, marg = tb ? column(tb, "margin") : NAN;
    double eta_f = tb ? column(tb, "eta") : NAN;
    CHECK(rc == 0 && tb && strstr(tb, jcols) && strstr(tb, "Arnoldi, Krylov size 8, margin over 2") && mre > 0 &&
              edge == eta_f * mre / 2 && marg > 0,
          "credit curvature jacobian_k=8: mu_re mu_im rule_edge margin appended, rule_edge = eta mu_re / 2", "rc %d: %.600s", rc,
          tb ? tb : out);
    free(out);
    free(tb);
    snprintf(c, sizeof c, "%s/curv_jac", tmp);
    rc = test_credit(&out, "train %s path=%s curvature_every=100 jacobian_k=6 rule=eprop out=%s", common, seq, c);
    free(out);
    tb = test_slurp(c, "curvature.tsv");
    CHECK(rc == 0 && tb && strstr(tb, jcols) && count_rows(tb) == 3 && isfinite(column(tb, "margin")),
          "curvature_every with jacobian_k: curvature.tsv rows carry the rule's own edge", "rc %d: %.600s", rc, tb ? tb : "(missing)");
    free(tb);
    rc = test_credit(&out, "curvature %s lr=0.1", a);
    CHECK(rc == 1 && strstr(out, "'lr=0.1' cannot be overridden"), "credit curvature refuses to override the run's own keys", "rc %d: %s", rc, out);
    free(out);
    rc = test_credit(&out, "curvature %s/none", tmp);
    CHECK(rc == 1 && strstr(out, "none/config.txt"), "credit curvature on a missing run names the file", "rc %d: %s", rc, out);
    free(out);
    free(ta);

    /* A run stopped early gets a last row at its last iteration. */
    snprintf(c, sizeof c, "%s/curv_stop", tmp);
    rc = test_credit(&out, "train %s path=%s curvature_every=1000 stop_train_acc=0.6 eval_every=10 out=%s", common, seq, c);
    free(out);
    ta = test_slurp(c, "curvature.tsv");
    char *metrics = test_slurp(c, "metrics.tsv");
    long it = -1;
    if (metrics && strstr(metrics, "iterations\t")) sscanf(strstr(metrics, "iterations\t"), "iterations\t%ld", &it);
    char lastrow[40];
    snprintf(lastrow, sizeof lastrow, "\n%ld\t", it);
    CHECK(rc == 0 && metrics && strstr(metrics, "target_reached") && ta && count_rows(ta) == 2 && strstr(ta, lastrow),
          "a run stopped at its target accuracy ends curvature.tsv with a row at its last iteration", "rc %d, iterations %ld: %.400s", rc, it,
          ta ? ta : "(missing)");
    free(ta); free(metrics);

    /* A killed run, resumed, writes the same curvature.tsv as an uninterrupted one. */
    const char *longrun = "task=file n=12 batch=16 lr=0.02 iters=6000 eval_every=1000 checkpoint_every=100 curvature_every=150 "
                          "hessian_batch=32 rule=example progress=0";
    snprintf(a, sizeof a, "%s/curv_long_a", tmp);
    snprintf(b, sizeof b, "%s/curv_long_b", tmp);
    rc = test_credit(NULL, "train %s path=%s out=%s", longrun, seq, a);
    char longargs[2000];
    snprintf(longargs, sizeof longargs, "%s path=%s", longrun, seq);
    int killed = test_train_killed(longargs, b);
    char part[700];
    snprintf(part, sizeof part, "%s/curvature.tsv.part", b);
    char *partial = test_slurp(b, "curvature.tsv.part");
    CHECK(killed && partial, "the curvature run was killed part-way (curvature.tsv.part left)", "%s",
          killed ? "no .part file" : "it finished first: lengthen the run in test_curvature.c");
    free(partial);
    rc |= test_credit(&out, "train %s path=%s out=%s resume=1", longrun, seq, b);
    char fa[700], fb[700];
    snprintf(fa, sizeof fa, "%s/curvature.tsv", a);
    snprintf(fb, sizeof fb, "%s/curvature.tsv", b);
    CHECK(rc == 0 && killed && test_files_equal(fa, fb), "killed and resumed run: curvature.tsv bit-identical to an uninterrupted one",
          "rc %d: %s", rc, out);
    free(out);
}

void test_curvature(void)
{
    for (int mse = 0; mse < 2; mse++)
        for (int li = 0; li < 2; li++)
            for (int all = 0; all < 2; all++) test_products(mse, li ? 0.7 : 0.0, all);
    test_spectrum(0);
    test_spectrum(1);
    test_theorem("bptt", 0);
    test_theorem("example", 0);
    test_theorem("example", 1);
    test_arnoldi_dense();
    test_rule_edge("bptt", 0);
    test_rule_edge("bptt", 1);
    test_rule_edge("eprop", 0);
    test_rule_edge("eprop", 1);
    test_curvature_files();
}
