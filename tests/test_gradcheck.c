/* test_gradcheck.c - exact gradients against central finite differences in
 * double precision, on tiny networks. */
#include "test.h"
#include "net.h"

#include <stdlib.h>
#include <string.h>

typedef struct problem {
    credit_dims d;
    credit_loss_kind loss;
    double l2;
    double *theta, *grad;
    credit_params w, g;
    credit_fwd f;
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
    p->w = credit_params_view(p->theta, &p->d);
    p->g = credit_params_view(p->grad, &p->d);
    credit_rng rng;
    credit_rng_seed(&rng, seed, 7);
    credit_params_init(p->theta, &p->d, 2.0, &rng);
    for (int k = 0; k < p->d.n_out; k++) p->w.b_out[k] = 0.1 * credit_rng_normal(&rng);
    credit_fwd_alloc(&p->f, &p->d);
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
    credit_fwd_free(&p->f);
    free(p->theta);
}

static double objective(problem *p)
{
    credit_forward(&p->f, &p->w, p->d.B_max);
    return credit_loss(&p->f, p->loss, &p->w, NULL, NULL) + credit_l2(&p->w, &p->d, p->l2, NULL);
}

/* ||exact - fd|| / ||fd|| over every parameter but the W_rec diagonal. */
static double gradcheck(problem *p, double h, double *max_abs)
{
    const size_t np = credit_params_count(&p->d);
    objective(p);
    memset(p->grad, 0, sizeof(double) * np);
    credit_backward_readout(&p->f, &p->g);
    credit_backward_bptt(&p->f, &p->w, &p->g);
    credit_l2(&p->w, &p->d, p->l2, &p->g);
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
