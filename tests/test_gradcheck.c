/* test_gradcheck.c - exact gradients against central finite differences in
 * double precision (the double side, core/f64.h, in either build), on tiny
 * networks; in the single-precision build also the float training step
 * against the double side. */
#include "test.h"
#include "net.h"

#include <stdlib.h>
#include <string.h>

typedef struct problem {
    credit_dims d;
    credit_loss_kind loss;
    double l2;
    double *theta, *grad;
    CREDIT_F64(credit_params) w, g;
    CREDIT_F64(credit_fwd) f;
} problem;

/* Random weights, inputs, targets; masks score the last step or several. */
static void problem_make(problem *p, double leak, credit_loss_kind loss, int several_steps, uint64_t seed, int batch)
{
    memset(p, 0, sizeof *p);
    p->d = (credit_dims){.n_in = 3, .n = 6, .n_out = 3, .T = 7, .B_max = batch, .leak = leak};
    p->loss = loss;
    p->l2 = 0.01;
    size_t np = credit_params_count(&p->d);
    p->theta = calloc(2 * np, sizeof(double));
    p->grad = p->theta + np;
    p->w = CREDIT_F64(credit_params_view)(p->theta, &p->d);
    p->g = CREDIT_F64(credit_params_view)(p->grad, &p->d);
    credit_rng rng;
    credit_rng_seed(&rng, seed, 7);
    CREDIT_F64(credit_params_init)(p->theta, &p->d, 2.0, &rng);
    for (int k = 0; k < p->d.n_out; k++) p->w.b_out[k] = 0.1 * credit_rng_normal(&rng);
    CREDIT_F64(credit_fwd_alloc)(&p->f, &p->d);
    const int T = p->d.T, B = p->d.B_max;
    for (size_t k = 0; k < (size_t)T * B * p->d.n_in; k++) p->f.x[k] = credit_rng_normal(&rng);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            size_t r = (size_t)t * B + b;
            p->f.mask[r] = several_steps ? (credit_rng_uniform(&rng) < 0.5 ? 0.5 + credit_rng_uniform(&rng) : 0.0) : (t == T - 1);
            int cls = (int)credit_rng_below(&rng, (uint64_t)p->d.n_out);
            for (int k = 0; k < p->d.n_out; k++)
                p->f.target[r * p->d.n_out + k] = loss == CREDIT_LOSS_XENT ? (k == cls) : credit_rng_normal(&rng);
        }
}

static void problem_free(problem *p)
{
    CREDIT_F64(credit_fwd_free)(&p->f);
    free(p->theta);
}

static double objective(problem *p)
{
    CREDIT_F64(credit_forward)(&p->f, &p->w, p->d.B_max);
    return CREDIT_F64(credit_loss)(&p->f, p->loss, &p->w, NULL, NULL) + CREDIT_F64(credit_l2)(&p->w, &p->d, p->l2, NULL);
}

/* ||exact - fd|| / ||fd|| over every parameter but the W_rec diagonal. */
static double gradcheck(problem *p, double h, double *max_abs)
{
    const size_t np = credit_params_count(&p->d);
    objective(p);
    memset(p->grad, 0, sizeof(double) * np);
    CREDIT_F64(credit_backward_readout)(&p->f, &p->g);
    CREDIT_F64(credit_backward_bptt)(&p->f, &p->w, &p->g);
    CREDIT_F64(credit_l2)(&p->w, &p->d, p->l2, &p->g);
    const size_t rec0 = (size_t)(p->w.W_rec - p->theta);
    double num = 0, den = 0;
    *max_abs = 0;
    for (size_t i = 0; i < np; i++) {
        int diag = i >= rec0 && i < rec0 + (size_t)p->d.n * p->d.n && (i - rec0) / p->d.n == (i - rec0) % p->d.n;
        if (diag) {
            continue; /* self-connections are not parameters */
        }
        const double keep = p->theta[i];
        p->theta[i] = keep + h;
        double up = objective(p);
        p->theta[i] = keep - h;
        double down = objective(p);
        p->theta[i] = keep;
        double fd = (up - down) / (2 * h), e = p->grad[i] - fd;
        num += e * e;
        den += fd * fd;
        if (fabs(e) > *max_abs) *max_abs = fabs(e);
    }
    return sqrt(num / den);
}

#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
/* The float training step (credit_forward, credit_loss,
 * credit_backward_readout, credit_backward_bptt of the float build) against
 * the double side (_f64) on the same numbers: the problem's weights and
 * batch are rounded to float once and the double problem set to those
 * rounded values, so the two differ only by the float arithmetic. Relative
 * errors of the loss and of the whole gradient (every parameter). */
static void float_step_error(problem *p, double *loss_err, double *grad_err)
{
    const credit_dims *d = &p->d;
    const int B = d->B_max;
    const size_t np = credit_params_count(d), TB = (size_t)d->T * B;
    float *theta = calloc(2 * np, sizeof(float)), *grad = theta + np;
    credit_params w = credit_params_view(theta, d), g = credit_params_view(grad, d);
    credit_fwd f;
    credit_fwd_alloc(&f, d);
    for (size_t i = 0; i < np; i++) theta[i] = (float)p->theta[i], p->theta[i] = theta[i];
    for (size_t k = 0; k < TB * d->n_in; k++) f.x[k] = (float)p->f.x[k], p->f.x[k] = f.x[k];
    for (size_t k = 0; k < TB * d->n_out; k++) f.target[k] = (float)p->f.target[k], p->f.target[k] = f.target[k];
    for (size_t k = 0; k < TB; k++) f.mask[k] = (float)p->f.mask[k], p->f.mask[k] = f.mask[k];

    credit_forward(&f, &w, B);
    const double loss32 = credit_loss(&f, p->loss, &w, NULL, NULL);
    credit_backward_readout(&f, &g);
    credit_backward_bptt(&f, &w, &g);

    CREDIT_F64(credit_forward)(&p->f, &p->w, B);
    const double loss64 = CREDIT_F64(credit_loss)(&p->f, p->loss, &p->w, NULL, NULL);
    memset(p->grad, 0, sizeof(double) * np);
    CREDIT_F64(credit_backward_readout)(&p->f, &p->g);
    CREDIT_F64(credit_backward_bptt)(&p->f, &p->w, &p->g);

    double *wide = malloc(sizeof(double) * np);
    for (size_t i = 0; i < np; i++) wide[i] = grad[i];
    *loss_err = fabs(loss32 - loss64) / fabs(loss64);
    *grad_err = test_rel_err(wide, p->grad, np);
    free(wide);
    credit_fwd_free(&f);
    free(theta);
}
#endif

void test_gradcheck(void)
{
    const double leaks[2] = {0.0, 0.7};
    for (int li = 0; li < 2; li++)
        for (int loss = 0; loss < 2; loss++)
            for (int several = 0; several < 2; several++) {
                problem p;
                problem_make(&p, leaks[li], (credit_loss_kind)loss, several, 100 + li * 4 + loss * 2 + several, 4);
                double max_abs, rel = gradcheck(&p, 1e-5, &max_abs);
                char name[160];
                snprintf(name, sizeof name, "bptt gradient = finite differences (leak %.1f, %s, %s)", leaks[li],
                         loss ? "mse" : "xent", several ? "several scored steps" : "last step scored");
                CHECK(rel <= 1e-7, name, "relative error %.3g (max abs %.3g)", rel, max_abs);
                problem_free(&p);
            }

    /* A batch large enough that net.c forms the weight gradients in several
     * chunks of rows, as it does at production sizes. */
    {
        problem p;
        problem_make(&p, 0.5, CREDIT_LOSS_XENT, 1, 77, 200);
        double max_abs, rel = gradcheck(&p, 1e-5, &max_abs);
        CHECK(rel <= 1e-7, "bptt gradient = finite differences (B = 200: T*B = 1400 rows, weight gradients in several chunks)",
              "relative error %.3g (max abs %.3g)", rel, max_abs);
        problem_free(&p);
    }

#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
    /* Float build only: the float training step agrees with the double side
     * on the same weights and batch. Tolerances from float's unit roundoff
     * u = 2^-24 = 6e-8 and the recurrence length T = 7: the forward pass
     * compounds ~u per step through T steps (loss: 2 T u = 8.4e-7, so 1e-6),
     * the backward pass another T steps on top (gradient: 4 T u = 1.7e-6, so
     * 2e-6), the sums over n + n_in = 9 terms and over T*B rows being
     * accurate to a few u in norm. Measured: loss 7.5e-8, gradient 2.2e-7
     * (the eight cases above); B = 200 (weight gradients in chunks of rows):
     * loss 1.5e-9, gradient 2.2e-7. */
    {
        const double loss_tol = 1e-6, grad_tol = 2e-6;
        double worst_loss = 0, worst_grad = 0;
        for (int li = 0; li < 2; li++)
            for (int loss = 0; loss < 2; loss++)
                for (int several = 0; several < 2; several++) {
                    problem q;
                    problem_make(&q, leaks[li], (credit_loss_kind)loss, several, 100 + li * 4 + loss * 2 + several, 4);
                    double le, ge;
                    float_step_error(&q, &le, &ge);
                    worst_loss = fmax(worst_loss, le), worst_grad = fmax(worst_grad, ge);
                    problem_free(&q);
                }
        CHECK(worst_loss <= loss_tol && worst_grad <= grad_tol,
              "float training step = double side on the same weights and batch: loss to 1e-6, gradient to 2e-6 (leak, xent/mse, scored steps)",
              "worst relative error: loss %.3g, gradient %.3g", worst_loss, worst_grad);
        problem q;
        problem_make(&q, 0.5, CREDIT_LOSS_XENT, 1, 77, 200);
        double le, ge;
        float_step_error(&q, &le, &ge);
        CHECK(le <= loss_tol && ge <= grad_tol, "float training step = double side (B = 200: weight gradients in several chunks)",
              "relative error: loss %.3g, gradient %.3g", le, ge);
        problem_free(&q);
    }
#endif

    /* The mask weights the loss: a step with zero weight contributes nothing. */
    problem p;
    problem_make(&p, 0.3, CREDIT_LOSS_XENT, 1, 9, 4);
    double before = objective(&p);
    int unscored = -1;
    for (int r = 0; r < p.d.T * p.d.B_max && unscored < 0; r++)
        if (p.f.mask[r] == 0) unscored = r;
    p.f.target[unscored * p.d.n_out] += 5.0; /* changing an unscored target changes nothing */
    CHECK(objective(&p) == before, "unscored steps do not enter the loss", "loss moved from %.17g to %.17g", before, objective(&p));
    problem_free(&p);
}
