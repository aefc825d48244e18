/* eprop.c - e-prop (Bellec et al. 2020), the authors' "three-factor" rule.
 *
 * The gradient through z_{t-1} in the recurrent input is cut; the leak path
 * is kept. Online, every synapse carries an eligibility trace
 *
 *   eps_j,t = a eps_j,t-1 + (1-a) z_j,t-1        (x_j,t for W_in), eps_j,0 = 0
 *   e_ij,t  = psi_i,t eps_j,t
 *   dW_ij   = sum_t s_i,t e_ij,t                  s_t = W_out^T dy_t  (or B dy_t)
 *
 * eps depends on the presynaptic unit only, so the sequence sum is one
 * matrix product: filter z and x forward in time once (O(T B n)), then
 * dW_rec = (s o psi)^T Eps over all T*B rows (one dgemm, as in BPTT's last
 * step). The filter is kept unscaled and (1-a) goes into the product; with
 * a = 0 the filter is the identity and the trajectory is used directly.
 * tests/test_rules.c checks this against the per-synapse recursion above.
 */
#include "credit.h"

#include <cblas.h>
#include <string.h>

enum { OPT_FEEDBACK };
static const credit_option eprop_options[] = {
    {"feedback", CREDIT_OPT_CHOICE, "symmetric", 0, 0, "symmetric|random",
     "learning signal W_out^T dy (symmetric) or B dy with fixed B ~ N(0, 1/n_out) from the rule's seed"},
};

typedef struct eprop_state {
    int random_feedback;
    double *B;     /* n x n_out random feedback (feedback=random) */
    double *sig;   /* [T][B_max][n]    s o psi                    */
    double *eps_z; /* [T][B_max][n]    filtered z_{t-1}, unscaled */
    double *eps_x; /* [T][B_max][n_in] filtered x_t, unscaled     */
} eprop_state;

static size_t eprop_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    size_t TB = (size_t)d->T * d->B_max;
    return sizeof(eprop_state) + sizeof(double) * ((size_t)d->n * d->n_out + TB * (2 * (size_t)d->n + d->n_in));
}

static int eprop_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    eprop_state *s = state;
    size_t TB = (size_t)d->T * d->B_max;
    s->B = (double *)(s + 1);
    s->sig = s->B + (size_t)d->n * d->n_out;
    s->eps_z = s->sig + TB * d->n;
    s->eps_x = s->eps_z + TB * d->n;
    s->random_feedback = opt[OPT_FEEDBACK].i == 1;
    if (s->random_feedback) { /* stream 0 of the rule's seed, row-major n x n_out */
        credit_rng rng;
        credit_rng_seed(&rng, host->seed, 0);
        double scale = 1.0 / sqrt((double)d->n_out);
        for (size_t k = 0; k < (size_t)d->n * d->n_out; k++) s->B[k] = scale * credit_rng_normal(&rng);
    }
    return CREDIT_OK;
}

/* out_t = a out_{t-1} + in_t over the steps of a time-major [T][B][m] array. */
static void filter_forward(double *out, const double *in, int T, size_t step, double a)
{
    memcpy(out, in, sizeof(double) * step);
    for (int t = 1; t < T; t++) {
        double *o = out + t * step;
        const double *prev = o - step, *src = in + t * step;
        for (size_t k = 0; k < step; k++) o[k] = a * prev[k] + src[k];
    }
}

static int eprop_grad(void *state, const credit_traj *tr, const credit_params *w, credit_params *g)
{
    (void)w;
    eprop_state *s = state;
    const int T = tr->T, n = tr->n, n_in = tr->n_in, rows = T * tr->B;
    const double a = tr->leak;
    if (s->random_feedback) { /* s_t = B dy_t, row per (t, b) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, tr->n_out, 1.0, tr->dy, tr->n_out, s->B, tr->n_out,
                    0.0, s->sig, n);
        for (size_t k = 0; k < (size_t)rows * n; k++) s->sig[k] *= tr->psi[k];
    } else {
        for (size_t k = 0; k < (size_t)rows * n; k++) s->sig[k] = tr->L[k] * tr->psi[k];
    }

    /* z rows 0..T*B-1 are z_0..z_{T-1}: the presynaptic rates of steps 1..T. */
    const double *eps_z = tr->z, *eps_x = tr->x;
    if (a != 0.0) {
        filter_forward(s->eps_z, tr->z, T, (size_t)tr->B * n, a);
        filter_forward(s->eps_x, tr->x, T, (size_t)tr->B * n_in, a);
        eps_z = s->eps_z;
        eps_x = s->eps_x;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, 1.0 - a, s->sig, n, eps_z, n, 1.0, g->W_rec, n);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n_in, rows, 1.0 - a, s->sig, n, eps_x, n_in, 1.0, g->W_in, n_in);
    return CREDIT_OK;
}

static const credit_rule eprop_rule = {
    .abi_version = CREDIT_ABI_VERSION,
    .struct_size = sizeof(credit_rule),
    .name = "eprop",
    .version = "1.0",
    .summary = "e-prop: eligibility traces of the presynaptic rate times a broadcast learning signal",
    .citation = "Bellec et al. 2020, A solution to the learning dilemma for recurrent networks of spiking neurons, Nat Commun 11:3625",
    .flags = CREDIT_RULE_LOCAL,
    .options = eprop_options,
    .n_options = sizeof eprop_options / sizeof eprop_options[0],
    .state_size = eprop_state_size,
    .init = eprop_init,
    .grad = eprop_grad,
};

CREDIT_RULE_EXPORT(eprop, eprop_rule)
