/* mdgl.c - multidigraph learning (Liu et al. 2021): e-prop plus one step of
 * non-local credit through the recurrent weights.
 *
 *   L'_t  = L_t + (1-a) W_rec^T (psi_t+1 o L_t+1)     L_T+1 = 0
 *   dW_ij = sum_t L'_i,t e_ij,t                        e_ij,t the e-prop trace
 *
 * L_t = W_out^T dy_t (or B dy_t with feedback=random). Online, the second
 * term is the modulatory signal neuron l sends at step t+1 through W_li to
 * synapse ij with its trace of step t. Liu's rate-network code uses the exact
 * W_rec (the default here, and the only choice: the spiking PNAS version
 * averages W_rec over E/I cell types, which this network does not have).
 *
 * Fast form: the non-local term of every step at once is one dgemm over
 * (T-1)*B rows, then the e-prop fast form (forward filter of z and x, one
 * dgemm each). tests/test_rules.c checks it against the online sums.
 */
#include "credit.h"

#include <cblas.h>
#include <string.h>

enum { OPT_FEEDBACK };
static const credit_option mdgl_options[] = {
    {"feedback", CREDIT_OPT_CHOICE, "symmetric", 0, 0, "symmetric|random",
     "readout feedback W_out^T dy (symmetric) or B dy with fixed B ~ N(0, 1/n_out) from the rule's seed; W_rec is exact"},
};

typedef struct mdgl_state {
    int random_feedback;
    double *B;     /* n x n_out random feedback (feedback=random) */
    double *h;     /* [T][B_max][n]    psi o L                    */
    double *sig;   /* [T][B_max][n]    psi o L'                   */
    double *eps_z; /* [T][B_max][n]    filtered z_{t-1}, unscaled */
    double *eps_x; /* [T][B_max][n_in] filtered x_t, unscaled     */
} mdgl_state;

static size_t mdgl_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    size_t TB = (size_t)d->T * d->B_max;
    return sizeof(mdgl_state) + sizeof(double) * ((size_t)d->n * d->n_out + TB * (3 * (size_t)d->n + d->n_in));
}

static int mdgl_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    mdgl_state *s = state;
    size_t TB = (size_t)d->T * d->B_max;
    s->B = (double *)(s + 1);
    s->h = s->B + (size_t)d->n * d->n_out;
    s->sig = s->h + TB * d->n;
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

static int mdgl_grad(void *state, const credit_traj *tr, const credit_params *w, credit_params *g)
{
    mdgl_state *s = state;
    const int T = tr->T, n = tr->n, n_in = tr->n_in, rows = T * tr->B;
    const size_t step = (size_t)tr->B * n, total = (size_t)rows * n;
    const double a = tr->leak;
    if (s->random_feedback) /* L_t = B dy_t, row per (t, b) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, tr->n_out, 1.0, tr->dy, tr->n_out, s->B, tr->n_out,
                    0.0, s->sig, n);
    else
        memcpy(s->sig, tr->L, sizeof(double) * total);
    for (size_t k = 0; k < total; k++) s->h[k] = tr->psi[k] * s->sig[k];
    /* L'_t += (1-a) W_rec^T h_{t+1}: row-major, row (t, b) of h_{t+1} W_rec. */
    if (T > 1)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows - tr->B, n, n, 1.0 - a, s->h + step, n, w->W_rec, n,
                    1.0, s->sig, n);
    for (size_t k = 0; k < total; k++) s->sig[k] *= tr->psi[k];

    /* z rows 0..T*B-1 are z_0..z_{T-1}: the presynaptic rates of steps 1..T. */
    const double *eps_z = tr->z, *eps_x = tr->x;
    if (a != 0.0) {
        filter_forward(s->eps_z, tr->z, T, step, a);
        filter_forward(s->eps_x, tr->x, T, (size_t)tr->B * n_in, a);
        eps_z = s->eps_z;
        eps_x = s->eps_x;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, 1.0 - a, s->sig, n, eps_z, n, 1.0, g->W_rec, n);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n_in, rows, 1.0 - a, s->sig, n, eps_x, n_in, 1.0, g->W_in, n_in);
    return CREDIT_OK;
}

static const credit_rule mdgl_rule = {
    .abi_version = CREDIT_ABI_VERSION,
    .struct_size = sizeof(credit_rule),
    .name = "mdgl",
    .version = "1.0",
    .summary = "MDGL: e-prop plus one step of credit through the recurrent weights",
    .citation = "Liu et al. 2021, Cell-type-specific neuromodulation guides synaptic credit assignment in a spiking neural network, PNAS 118(51):e2111821118",
    .flags = 0, /* the W_rec^T term carries other neurons' signals through specific weights */
    .options = mdgl_options,
    .n_options = sizeof mdgl_options / sizeof mdgl_options[0],
    .state_size = mdgl_state_size,
    .init = mdgl_init,
    .grad = mdgl_grad,
};

CREDIT_RULE_EXPORT(mdgl, mdgl_rule)
