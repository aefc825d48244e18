/* nodepert.c - node perturbation (Williams 1992; Werfel, Xie & Seung 2005;
 * Fiete & Seung 2006).
 *
 * Noise xi_t ~ N(0, sigma^2) is added to every unit's recurrent input,
 *
 *   v_t = a v_{t-1} + (1-a) (W_rec z_{t-1} + W_in x_t + xi_t),
 *
 * and the change it makes in each sequence's loss, a scalar, is broadcast
 * back and correlated with the noise: to first order in sigma,
 * E[(L_b(xi) - L_b(0)) xi_b,t,i] = sigma^2 dL/du_b,t,i, where u_t is the
 * recurrent input, and dL/dW_rec_ij = sum_b,t dL/du_b,t,i z_b,t-1,j. So
 *
 *   dW_rec_ij = 1/S sum_s sum_b sum_t ((L_b(xi^s) - L_b(0)) / sigma^2) xi^s_b,t,i z_b,t-1,j
 *
 * (x_b,t,j for W_in), averaged over S = `samples` draws of xi, with z the
 * unperturbed trajectory and L_b the share of sequence b in the batch loss.
 * Each L_b comes from the host's forward pass (host->forward_loss), L_b(0)
 * from the same service with xi = NULL so that both sides of the difference
 * are computed alike. Since z does not depend on s, the samples' weighted
 * noise is summed first, E_b,t = 1/S sum_s c^s_b xi^s_b,t, and the estimate
 * is one gemm per matrix over all T*B rows: S + 1 forward passes in all.
 *
 * The noise is a function of the rule's seed and of the training iteration
 * only: stream 1 + iter of the rule's seed (stream 0 is trace.h's random
 * feedback), S consecutive blocks of [T][B][n] normals in that order, each
 * block by Box-Muller pairs (u1, u2 -> r cos, r sin; nodepert_noise), where
 * iter is the number of optimizer steps taken, kept by after_update and
 * saved into the checkpoint. So `credit grad`, gamma and the update Jacobian
 * at one iteration see the same noise however often they call grad (their
 * central differences have common random numbers), measurements do not
 * change training, and a resumed run draws what the uninterrupted one drew.
 *
 * sigma defaults to 1e-3: small against the recurrent input (O(1) at the
 * authors' init), so the bias (second order in sigma, and ReLU kinks crossed
 * with probability O(sigma)) is negligible beside the estimator's variance,
 * which sigma does not change at first order, while L(xi) - L(0) (about
 * sigma |dL/du|) stays far above rounding. samples defaults to 1, the
 * classical rule (one perturbed trial per example); each extra sample costs
 * a forward pass and divides the variance.
 * tests/test_rules2.c checks this against a literal perturbed forward pass.
 */
#include "credit.h"

#include <cblas.h>
#include <stdint.h>
#include <string.h>

enum { OPT_SIGMA, OPT_SAMPLES };
static const credit_option nodepert_options[] = {
    {"sigma", CREDIT_OPT_REAL, "1e-3", 1e-12, 1e3, NULL, "SD of the Gaussian noise added to every unit's recurrent input"},
    {"samples", CREDIT_OPT_INT, "1", 1, 1e6, NULL, "perturbations averaged per estimate (one forward pass each)"},
};

typedef struct nodepert_state {
    const credit_host *host;
    double sigma;
    long samples;
    int64_t iter;       /* optimizer steps taken: names the noise stream */
    credit_real *xi;    /* [T][B_max][n] one perturbation */
    credit_real *E;     /* [T][B_max][n] sum over samples of c_b xi */
    credit_real *loss0; /* [B_max] L_b(0) */
    credit_real *loss;  /* [B_max] L_b(xi) */
} nodepert_state;

static size_t nodepert_state_size(const credit_dims *d, const credit_value *opt)
{
    (void)opt;
    size_t TBn = (size_t)d->T * d->B_max * d->n;
    return sizeof(nodepert_state) + sizeof(credit_real) * (2 * TBn + 2 * (size_t)d->B_max);
}

static int nodepert_init(void *state, const credit_dims *d, const credit_value *opt, const credit_host *host)
{
    nodepert_state *s = state;
    if (host->struct_size < offsetof(credit_host, forward_loss) + sizeof host->forward_loss || !host->forward_loss)
        return host->error(host->ctx, CREDIT_EPLUGIN, "rule nodepert needs the host's forward_loss service (ABI 2), which this host does not give");
    size_t TBn = (size_t)d->T * d->B_max * d->n;
    s->host = host;
    s->sigma = opt[OPT_SIGMA].r;
    s->samples = opt[OPT_SAMPLES].i;
    s->iter = 0;
    s->xi = (credit_real *)(s + 1);
    s->E = s->xi + TBn;
    s->loss0 = s->E + TBn;
    s->loss = s->loss0 + d->B_max;
    return CREDIT_OK;
}

/* len normals of SD sigma by Box-Muller in pairs, both of each pair used
 * (half the logarithms of credit_rng_normal, which drawing costs as much as
 * the forward pass at sMNIST's sizes); an odd last one takes the cosine. */
static void nodepert_noise(credit_real *xi, size_t len, double sigma, credit_rng *rng)
{
    for (size_t q = 0; q < len; q += 2) {
        const double u1 = 1.0 - credit_rng_uniform(rng), u2 = credit_rng_uniform(rng); /* u1 in (0, 1]: log finite */
        const double r = sigma * sqrt(-2.0 * log(u1)), phi = 6.283185307179586 * u2;
        xi[q] = r * cos(phi);
        if (q + 1 < len) xi[q + 1] = r * sin(phi);
    }
}

static int nodepert_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    nodepert_state *s = state;
    const credit_host *h = s->host;
    const int B = tr->B, n = tr->n, rows = tr->T * tr->B;
    const size_t len = (size_t)rows * n;
    double total;
    int st = h->forward_loss(h->ctx, w, NULL, &total, s->loss0);
    if (st) return st;
    memset(s->E, 0, sizeof(credit_real) * len);
    credit_rng rng;
    credit_rng_seed(&rng, h->seed, 1 + (uint64_t)s->iter);
    const double scale = 1.0 / (s->sigma * s->sigma * (double)s->samples);
    for (long k = 0; k < s->samples; k++) {
        nodepert_noise(s->xi, len, s->sigma, &rng);
        if ((st = h->forward_loss(h->ctx, w, s->xi, &total, s->loss))) return st;
        for (int b = 0; b < B; b++) s->loss[b] = scale * (s->loss[b] - s->loss0[b]);
        for (int r = 0; r < rows; r++) {
            const credit_real c = s->loss[r % B];
            const credit_real *xi = s->xi + (size_t)r * n;
            credit_real *e = s->E + (size_t)r * n;
            for (int i = 0; i < n; i++) e[i] += c * xi[i];
        }
    }
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, 1.0, s->E, n, tr->z_prev, n, 1.0, g->W_rec, n);
    CREDIT_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, n, tr->n_in, rows, 1.0, s->E, n, tr->x, tr->n_in, 1.0, g->W_in, tr->n_in);
    return CREDIT_OK;
}

static int nodepert_after_update(void *state, const credit_update *u)
{
    nodepert_state *s = state;
    s->iter = u->iter;
    return CREDIT_OK;
}

static size_t nodepert_save_size(const void *state)
{
    (void)state;
    return sizeof(int64_t);
}

static int nodepert_save(const void *state, void *buf)
{
    const nodepert_state *s = state;
    memcpy(buf, &s->iter, sizeof s->iter);
    return CREDIT_OK;
}

static int nodepert_load(void *state, const void *buf, size_t bytes)
{
    nodepert_state *s = state;
    int64_t iter;
    if (bytes != sizeof iter)
        return s->host->error(s->host->ctx, CREDIT_EFORMAT, "nodepert: saved state of %zu bytes, expected %zu (the iteration count)", bytes,
                              sizeof iter);
    memcpy(&iter, buf, sizeof iter);
    if (iter < 0) return s->host->error(s->host->ctx, CREDIT_EFORMAT, "nodepert: saved iteration count %lld is negative", (long long)iter);
    s->iter = iter;
    return CREDIT_OK;
}

static const credit_rule nodepert_rule = {
    .head = {CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule),
             .name = "nodepert",
             .version = "1.0",
             .summary = "node perturbation: Gaussian noise in every unit's input, its loss change times the noise times the presynaptic rate",
             .citation = "Fiete & Seung 2006, Gradient learning in spiking neural networks by dynamic perturbation of conductances, "
                         "Phys Rev Lett 97:048104; Williams 1992, Mach Learn 8:229; Werfel, Xie & Seung 2005, Neural Comput 17(12)",
             .flags = CREDIT_RULE_LOCAL,
             .options = nodepert_options,
             .n_options = sizeof nodepert_options / sizeof nodepert_options[0]},
    .state_size = nodepert_state_size,
    .init = nodepert_init,
    .grad = nodepert_grad,
    .after_update = nodepert_after_update,
    .save_size = nodepert_save_size,
    .save = nodepert_save,
    .load = nodepert_load,
};

CREDIT_RULE_EXPORT(nodepert, nodepert_rule)
