/* curvature.c - see curvature.h. */
#define _GNU_SOURCE
#include "curvature.h"
#include "hessian.h"
#include "util.h"

#include <cblas.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint64_t credit_curvature_seed(const credit_session *s)
{
    uint64_t x = (uint64_t)s->o.seed ^ 0x6375727665ull; /* "curve" */
    return credit_splitmix64(&x);
}

/* The curvature keys (core/session.c's credit_core_module): after the
 * core's in the config, in this order. The Hessian is of the true (BPTT)
 * training loss + L2. */
enum {
    K_CURVATURE_EVERY,
    K_HESSIAN_PARAMS,
    K_HESSIAN_SPLIT,
    K_HESSIAN_BATCH,
    K_HESSIAN_METHOD,
    K_HESSIAN_K,
    K_HESSIAN_TOL,
    K_HESSIAN_MAXITER,
    K_HESSIAN_POWER_TOL,
    K_HESSIAN_POWER_MAXITER,
    K_HESSIAN_PROTOCOL,
    K_HESSIAN_FRESH,
    K_HESSIAN_ABS,
    K_HESSIAN_WARM,
    K_HESSIAN_TRAJ_TOL,
    K_HESSIAN_TRACE_PROBES,
    K_HESSIAN_DENSITY,
    K_HESSIAN_DENSITY_STEPS,
    K_HESSIAN_DENSITY_POINTS,
    K_HESSIAN_DENSITY_SIGMA,
    K_GAMMA_STEP,
    K_GAMMA_PATTERN,
    K_JACOBIAN_K,
    K_JACOBIAN_NEV,
    N_CURV_KEYS
};
static const credit_option curv_options[N_CURV_KEYS] = {
    [K_CURVATURE_EVERY] = {"curvature_every", CREDIT_OPT_INT, "0", 0, 1e12, NULL, "iterations between rows of RUN_DIR/curvature.tsv (and one at the end); 0 = off"},
    [K_HESSIAN_PARAMS] = {"hessian_params", CREDIT_OPT_CHOICE, "rec", 0, 0, "rec|all", "Hessian with respect to W_rec (off-diagonal) or all parameters"},
    [K_HESSIAN_SPLIT] = {"hessian_split", CREDIT_OPT_CHOICE, "train", 0, 0, "train|valid", "split the Hessian batch is taken from"},
    [K_HESSIAN_BATCH] = {"hessian_batch", CREDIT_OPT_INT, "256", 1, 1e7, NULL, "Hessian batch: the first this many examples of hessian_split (authors: 256)"},
    [K_HESSIAN_METHOD] = {"hessian_method", CREDIT_OPT_CHOICE, "lanczos", 0, 0, "lanczos|power", "top eigenvalues by Lanczos, or the authors' power iteration"},
    [K_HESSIAN_K] = {"hessian_k", CREDIT_OPT_INT, "3", 1, 100, NULL, "Lanczos: top eigenvalues reported (lambda_max, lambda_2..lambda_k)"},
    [K_HESSIAN_TOL] = {"hessian_tol", CREDIT_OPT_REAL, "1e-6", 0, 1, NULL, "Lanczos: relative error estimate at which each of the top k stops"},
    [K_HESSIAN_MAXITER] = {"hessian_maxiter", CREDIT_OPT_INT, "200", 1, 1000, NULL, "Lanczos: most Hessian-vector products"},
    [K_HESSIAN_POWER_TOL] = {"hessian_power_tol", CREDIT_OPT_REAL, "1e-6", 0, HUGE_VAL, NULL, "power iteration: stop when the estimate moves by less (absolute; authors: 1e-6)"},
    [K_HESSIAN_POWER_MAXITER] = {"hessian_power_maxiter", CREDIT_OPT_INT, "500", 1, 1e6, NULL, "power iteration: most products (authors: 500)"},
    [K_HESSIAN_PROTOCOL] = {"hessian_protocol", CREDIT_OPT_CHOICE, "ours", 0, 0, "ours|authors",
     "authors: their protocol whatever the keys above say (power, 500 products, tol 1e-6, |lambda|, fresh batch of 256 valid examples)"},
    [K_HESSIAN_FRESH] = {"hessian_fresh", CREDIT_OPT_INT, "0", 0, 1, NULL,
     "1: a fresh Hessian batch at every measurement, drawn from the run's seed and the iteration (authors); 0: the first hessian_batch"},
    [K_HESSIAN_ABS] = {"hessian_abs", CREDIT_OPT_INT, "0", 0, 1, NULL, "power iteration: 1 = the estimate is |Hv| (the authors' |lambda|), 0 = signed v'Hv"},
    [K_HESSIAN_WARM] = {"hessian_warm", CREDIT_OPT_INT, "0", 0, 1, NULL,
     "Lanczos: 1 = trajectory rows start from the previous row's top eigenvector (RUN_DIR/lanczos_warm.bin); the last row is cold"},
    [K_HESSIAN_TRAJ_TOL] = {"hessian_traj_tol", CREDIT_OPT_REAL, "0", 0, 1, NULL, "Lanczos: hessian_tol of trajectory rows (the last row uses hessian_tol); 0 = hessian_tol"},
    [K_HESSIAN_TRACE_PROBES] = {"hessian_trace_probes", CREDIT_OPT_INT, "0", 0, 1e6, NULL, "Hutchinson trace probes per measurement (columns trace, trace_se); 0 = off"},
    [K_HESSIAN_DENSITY] = {"hessian_density", CREDIT_OPT_INT, "0", 0, 1e5, NULL, "credit curvature: stochastic Lanczos quadrature probes for curvature_density.tsv; 0 = off"},
    [K_HESSIAN_DENSITY_STEPS] = {"hessian_density_steps", CREDIT_OPT_INT, "64", 1, 1000, NULL, "Lanczos steps per density probe"},
    [K_HESSIAN_DENSITY_POINTS] = {"hessian_density_points", CREDIT_OPT_INT, "400", 2, 1e6, NULL, "grid points of curvature_density.tsv"},
    [K_HESSIAN_DENSITY_SIGMA] = {"hessian_density_sigma", CREDIT_OPT_REAL, "0.01", 1e-12, 1, NULL, "Gaussian width of the density, as a fraction of the spectrum's range"},
    [K_GAMMA_STEP] = {"gamma_step", CREDIT_OPT_REAL, CREDIT_GAMMA_STEP_DEFAULT, 1e-300, HUGE_VAL, NULL, "step along the unit top eigenvector of the central difference for gamma"},
    [K_GAMMA_PATTERN] = {"gamma_pattern", CREDIT_OPT_CHOICE, "frozen", 0, 0, "frozen|free",
     "gamma's difference holds the ReLU pattern (the a.e. derivative, as the Hessian) or lets it change"},
    [K_JACOBIAN_K] = {"jacobian_k", CREDIT_OPT_INT, "0", 0, 1000, NULL,
     "Arnoldi Krylov size for the rule's update Jacobian J (columns mu_re mu_im rule_edge margin; 2 rule gradients per step); 0 = off"},
    [K_JACOBIAN_NEV] = {"jacobian_nev", CREDIT_OPT_INT, "3", 1, 1000, NULL, "leading Ritz values of J (by real part; at most jacobian_k) the margin max |1 - eta mu| is taken over"},
};

static long curv_rule_batch(const credit_value *v);
const credit_core_module credit_curvature_module = {curv_options, N_CURV_KEYS, curv_rule_batch};

/* Parsed from the values of curv_options, by position. */
static void curv_opts_parse(const credit_value *v, credit_curv_opts *o)
{
    o->every = v[K_CURVATURE_EVERY].i;
    o->all = v[K_HESSIAN_PARAMS].i == 1;
    o->split = v[K_HESSIAN_SPLIT].i == 1 ? CREDIT_SPLIT_VALID : CREDIT_SPLIT_TRAIN;
    o->batch = v[K_HESSIAN_BATCH].i;
    o->power = v[K_HESSIAN_METHOD].i == 1;
    o->k = v[K_HESSIAN_K].i;
    o->tol = v[K_HESSIAN_TOL].r;
    o->maxiter = v[K_HESSIAN_MAXITER].i;
    o->power_tol = v[K_HESSIAN_POWER_TOL].r;
    o->power_maxiter = v[K_HESSIAN_POWER_MAXITER].i;
    o->trace_probes = v[K_HESSIAN_TRACE_PROBES].i;
    o->density_probes = v[K_HESSIAN_DENSITY].i;
    o->density_steps = v[K_HESSIAN_DENSITY_STEPS].i;
    o->density_points = v[K_HESSIAN_DENSITY_POINTS].i;
    o->density_sigma = v[K_HESSIAN_DENSITY_SIGMA].r;
    o->gamma_step = v[K_GAMMA_STEP].r;
    o->free_pattern = v[K_GAMMA_PATTERN].i == 1;
    o->jacobian_k = v[K_JACOBIAN_K].i;
    o->jacobian_nev = v[K_JACOBIAN_NEV].i;
    o->fresh = v[K_HESSIAN_FRESH].i == 1;
    o->abs = v[K_HESSIAN_ABS].i == 1;
    o->warm = v[K_HESSIAN_WARM].i == 1;
    o->traj_tol = v[K_HESSIAN_TRAJ_TOL].r;
    o->authors = v[K_HESSIAN_PROTOCOL].i == 1;
    if (o->authors) {
        /* The authors' protocol (science.md section 5), whatever the keys say. */
        o->power = 1;
        o->split = CREDIT_SPLIT_VALID;
        o->batch = 256;
        o->fresh = 1;
        o->abs = 1;
        o->power_tol = 1e-6;
        o->power_maxiter = 500;
    }
    if (o->power) o->warm = 0, o->traj_tol = 0; /* economies of Lanczos only */
}

/* The Hessian batch is the largest the measurements give the rule (gamma,
 * the update Jacobian). */
static long curv_rule_batch(const credit_value *v)
{
    credit_curv_opts o;
    curv_opts_parse(v, &o);
    return o.batch;
}

void credit_curv_opts_get(const credit_session *s, credit_curv_opts *o)
{
    curv_opts_parse(s->sets[0].val + credit_core_options_count, o);
}

/* Examples of a fresh Hessian batch at iteration iter: a uniform subset of
 * the split from stream (curvature seed, iteration), sorted, so a resumed
 * run and `credit curvature` draw the same. *n is clamped to the split. */
static int fresh_batch(const credit_session *s, const credit_curv_opts *o, long iter, uint64_t **index, uint64_t *n)
{
    const uint64_t total = s->info.n_examples[o->split];
    *n = (uint64_t)o->batch < total ? (uint64_t)o->batch : total;
    uint64_t *all = malloc(sizeof *all * (total ? total : 1));
    if (!all) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a fresh Hessian batch");
    credit_rng rng;
    credit_rng_seed(&rng, credit_curvature_seed(s), ((uint64_t)1 << 40) | (uint64_t)iter);
    for (uint64_t i = 0; i < total; i++) all[i] = i;
    for (uint64_t i = 0; i < *n; i++) {
        uint64_t j = i + credit_rng_below(&rng, total - i), x = all[i];
        all[i] = all[j];
        all[j] = x;
    }
    for (uint64_t i = 1; i < *n; i++) /* insertion sort: a batch is small */
        for (uint64_t j = i; j > 0 && all[j - 1] > all[j]; j--) {
            uint64_t x = all[j];
            all[j] = all[j - 1];
            all[j - 1] = x;
        }
    *index = all;
    return CREDIT_OK;
}

int credit_curvature_hessian(credit_hessian **out, credit_session *s, int all_params, int split, const uint64_t *examples,
                             uint64_t n_examples)
{
    *out = NULL;
    if (split < 0 || split >= CREDIT_N_SPLITS || s->info.n_examples[split] == 0)
        return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch: task %s has no %s split", s->task->head.name,
                            split == CREDIT_SPLIT_VALID ? "validation" : split == CREDIT_SPLIT_TRAIN ? "training" : "test");
    if (n_examples == 0) return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch: needs at least one example");
    if (n_examples > s->info.n_examples[split]) n_examples = s->info.n_examples[split];
    if (n_examples > (uint64_t)1 << 30) return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch of %llu examples is too large",
                                                           (unsigned long long)n_examples);
    const int B = (int)n_examples;
    uint64_t *index = malloc((size_t)B * sizeof *index);
    if (!index) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a Hessian batch of %d examples", B);
    for (int b = 0; b < B; b++) {
        index[b] = examples ? examples[b] : (uint64_t)b;
        if (index[b] >= s->info.n_examples[split]) {
            const unsigned long long bad = (unsigned long long)index[b];
            free(index);
            return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch: example %llu is past the end of the split (%llu examples)", bad,
                                (unsigned long long)s->info.n_examples[split]);
        }
    }
    credit_hessian *h;
    int st = credit_hessian_open(&h, &s->dims, B, all_params, s->info.loss, s->o.l2);
    if (!st) {
        CREDIT_F64(credit_fwd) *in = credit_hessian_input(h);
        st = credit_session_fill_f64(s, split, index, B, in->x, in->target, in->mask);
    }
    free(index);
    if (st) {
        credit_hessian_close(h);
        return st;
    }
    credit_hessian_set(h, &s->w);
    *out = h;
    return CREDIT_OK;
}


void credit_curv_row_free(credit_curv_row *row)
{
    free(row->lambda);
    row->lambda = NULL;
}

/* Everything but the eigen- and trace estimates, which fill in the caller. */
static int theorem_quantities(credit_hessian *h, const CREDIT_F64(credit_grad_rule) *rule, const credit_curv_opts *o, const double *v1,
                              credit_curv_row *row)
{
    const size_t D = credit_hessian_dim(h);
    double *buf = malloc(4 * D * sizeof(double));
    if (!buf) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    double *exact = buf, *est = buf + D, *up = buf + 2 * D, *down = buf + 3 * D;
    int st;
    /* Cosine on the task loss alone (as `credit grad`): L2 is exact for
     * every rule and would only pull the cosine toward 1. */
    if ((st = credit_hessian_direction(h, NULL, 0.0, CREDIT_GRAD_EXACT | CREDIT_GRAD_NO_L2, rule, exact))) goto done;
    if ((st = credit_hessian_direction(h, NULL, 0.0, CREDIT_GRAD_NO_L2, rule, est))) goto done;
    row->cosine = CREDIT_F64(credit_cosine)(est, exact, D);
    row->grad_norm = cblas_dnrm2((int)D, exact, 1);
    row->rule_norm = cblas_dnrm2((int)D, est, 1);
    if ((st = credit_hessian_direction(h, NULL, 0.0, CREDIT_GRAD_EXACT, rule, up))) goto done;
    if ((st = credit_hessian_direction(h, NULL, 0.0, 0, rule, down))) goto done;
    row->cosine_l2 = CREDIT_F64(credit_cosine)(down, up, D);
    /* gamma: the full update direction (task + L2) differenced along v1. */
    unsigned flags = o->free_pattern ? CREDIT_HESS_FREE_PATTERN : 0;
    if ((st = credit_hessian_direction(h, v1, o->gamma_step, flags, rule, up))) goto done;
    if ((st = credit_hessian_direction(h, v1, -o->gamma_step, flags, rule, down))) goto done;
    cblas_daxpy((int)D, -1.0, down, 1, up, 1);
    row->vjv = cblas_ddot((int)D, v1, 1, up, 1) / (2.0 * o->gamma_step);
    row->gamma = row->vjv / row->lambda_max;
done:
    free(buf);
    return st;
}

/* The rule's own edge: leading Ritz values of its update Jacobian. row->eta
 * must be set. A network whose products are no longer finite leaves nan. */
static int rule_edge(credit_hessian *h, const CREDIT_F64(credit_grad_rule) *rule, const credit_curv_opts *o, uint64_t seed,
                     credit_curv_row *row)
{
    const int nev = (int)o->jacobian_nev;
    double *buf = malloc(3 * sizeof(double) * (size_t)nev);
    if (!buf) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    double *re = buf, *im = buf + nev, *resid = buf + 2 * nev;
    int products;
    int st = credit_hessian_jacobian_eig(h, (int)o->jacobian_k, nev, o->gamma_step, o->free_pattern ? CREDIT_HESS_FREE_PATTERN : 0,
                                         rule, seed, re, im, resid, &products);
    if (st == CREDIT_EDIVERGED) st = CREDIT_OK;
    else if (!st) {
        const double eta = row->eta;
        row->mu_re = re[0];
        row->mu_im = im[0];
        row->rule_edge = eta * re[0] / 2.0;
        row->margin = -HUGE_VAL;
        for (int i = 0; i < nev && !isnan(re[i]); i++) row->margin = fmax(row->margin, hypot(1.0 - eta * re[i], eta * im[i]));
    }
    free(buf);
    return st;
}

/* One row. start: Lanczos's start vector (NULL: the seeded one), tol its
 * tolerance; v1_out (may be NULL): the top eigenvector, dim entries. */
static int measure(credit_session *s, const credit_curv_opts *op, long iter, const double *start, double tol, credit_curv_row *row,
                   double **v1_out, size_t *dim_out)
{
    credit_curv_opts o = *op;
    o.tol = tol;
    memset(row, 0, sizeof *row);
    row->iter = iter;
    row->k = (int)o.k;
    row->lambda = malloc(sizeof(double) * (size_t)o.k);
    if (!row->lambda) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    row->lambda_max = row->gamma = row->cosine = row->lambda_err = row->vjv = row->cosine_l2 = NAN;
    row->grad_norm = row->rule_norm = row->trace = row->trace_se = NAN;
    row->jacobian = o.jacobian_k > 0;
    row->mu_re = row->mu_im = row->rule_edge = row->margin = NAN;
    for (int i = 0; i < row->k; i++) row->lambda[i] = NAN;
    /* The rate of the last step taken: at iteration k that is step k-1 (the
     * final row of a boosted run comes after the boost window's last step). */
    row->eta = credit_session_lr(s, iter > 0 ? iter - 1 : 0);
    row->bound_gd = 2.0 / row->eta;

    credit_hessian *h;
    uint64_t *index = NULL, n_index = (uint64_t)o.batch;
    int st = o.fresh ? fresh_batch(s, &o, iter, &index, &n_index) : CREDIT_OK;
    if (!st) st = credit_curvature_hessian(&h, s, o.all, o.split, index, n_index);
    free(index);
    if (st) return st;
    row->examples = credit_hessian_batch_size(h);
    row->hess_loss = credit_hessian_loss(h);
    row->hess_l2 = credit_hessian_l2(h);
    double *v1 = malloc(sizeof(double) * credit_hessian_dim(h));
    if (!v1) {
        credit_hessian_close(h);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    }
    credit_eig_info info;
    uint64_t seed = credit_curvature_seed(s);
    if (o.power) st = credit_hessian_power_est(h, o.power_tol, (int)o.power_maxiter, seed, o.abs, &row->lambda[0], v1, &info);
    else st = credit_hessian_lanczos_from(h, (int)o.k, o.tol, (int)o.maxiter, seed, start, row->lambda, v1, &info);
    /* A network whose loss is no longer finite gives a row of nan, not an error. */
    if (st == CREDIT_EDIVERGED) st = CREDIT_OK;
    else if (!st) {
        row->hvps = info.products;
        row->converged = info.converged;
        row->lambda_err = info.error;
        row->lambda_max = row->lambda[0];
        const CREDIT_F64(credit_grad_rule) rule = credit_session_grad_rule_f64(s);
        st = theorem_quantities(h, &rule, &o, v1, row);
        if (!st && o.trace_probes > 0) st = credit_hessian_trace(h, (int)o.trace_probes, seed, &row->trace, &row->trace_se);
        if (!st && o.jacobian_k > 0) st = rule_edge(h, &rule, &o, seed, row);
    }
    row->bound_rule = 2.0 / (row->eta * row->gamma);
    if (v1_out && !st) {
        *v1_out = v1;
        *dim_out = credit_hessian_dim(h);
    } else free(v1);
    credit_hessian_close(h);
    return st;
}

int credit_curvature_measure(credit_session *s, long iter, credit_curv_row *row)
{
    credit_curv_opts o;
    credit_curv_opts_get(s, &o);
    return measure(s, &o, iter, NULL, o.tol, row, NULL, NULL);
}

void credit_curvature_header(FILE *fp, int k, int jacobian)
{
    fprintf(fp, "iter\tlambda_max\tgamma\tcosine\teta\tbound_gd\tbound_rule");
    for (int i = 2; i <= k; i++) fprintf(fp, "\tlambda_%d", i);
    fprintf(fp, "\thvps\tconverged\tlambda_err\tvjv\tcosine_l2\tgrad_norm\trule_norm\thess_loss\thess_l2\thess_examples\ttrace\ttrace_se");
    fprintf(fp, jacobian ? "\tmu_re\tmu_im\trule_edge\tmargin\n" : "\n");
}

void credit_curvature_print(FILE *fp, const credit_curv_row *r)
{
    fprintf(fp, "%ld\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g", r->iter, r->lambda_max, r->gamma, r->cosine, r->eta, r->bound_gd,
            r->bound_rule);
    for (int i = 1; i < r->k; i++) fprintf(fp, "\t%.17g", r->lambda[i]);
    fprintf(fp, "\t%d\t%d\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%d\t%.17g\t%.17g", r->hvps, r->converged, r->lambda_err,
            r->vjv, r->cosine_l2, r->grad_norm, r->rule_norm, r->hess_loss, r->hess_l2, r->examples, r->trace, r->trace_se);
    if (r->jacobian) fprintf(fp, "\t%.17g\t%.17g\t%.17g\t%.17g", r->mu_re, r->mu_im, r->rule_edge, r->margin);
    fputc('\n', fp);
}

void credit_curvature_settings(FILE *fp, const credit_curv_opts *o)
{
    fprintf(fp, "# curvature: Hessian of the BPTT task loss + L2 w.r.t. %s, batch = %s %ld examples of %s; ",
            o->all ? "all parameters" : "W_rec (off-diagonal)", o->fresh ? "a fresh draw (seed, iteration) of" : "first", o->batch,
            o->split == CREDIT_SPLIT_VALID ? "valid" : "train");
    if (o->authors) fprintf(fp, "the authors' protocol: ");
    if (o->power)
        fprintf(fp, "power iteration (tol %g absolute, at most %ld products%s); ", o->power_tol, o->power_maxiter,
                o->abs ? ", estimate |Hv| = |lambda|" : "");
    else fprintf(fp, "Lanczos k %ld (tol %g relative, at most %ld products); ", o->k, o->tol, o->maxiter);
    if (!o->power && (o->warm || o->traj_tol > 0))
        fprintf(fp, "trajectory rows: %s, tol %g (the last row: cold, tol %g); ", o->warm ? "warm start from the previous row's v1" : "cold start",
                o->traj_tol > 0 ? o->traj_tol : o->tol, o->tol);
    fprintf(fp, "gamma: central difference, step %g, ReLU pattern %s; cosine: task loss only", o->gamma_step,
            o->free_pattern ? "free" : "frozen");
    if (o->jacobian_k > 0)
        fprintf(fp, "; rule Jacobian: Arnoldi, Krylov size %ld, margin over %ld leading Ritz values, gamma's difference", o->jacobian_k,
                o->jacobian_nev);
    fputc('\n', fp);
}

/* ------------------------------------------------------------ training */

static void part_path(char *buf, size_t n, const char *dir) { snprintf(buf, n, "%s/curvature.tsv.part", dir); }

/* Rows a run's curvature file holds for the iterations before `before`
 * (rows at k % every == 0 and at k == iters), plus the row of a run that
 * stopped at `stop` off that grid (finish adds it unless the run diverged). */
static long expected_rows(long before, long every, long iters)
{
    long n = before > 0 ? (before - 1) / every + 1 : 0;
    if (before > iters && iters % every != 0) n++;
    return n;
}

/* Keeps the provenance, the header and the complete rows of iterations
 * before k0 (with k0 < 0: every complete row); whatever a killed run wrote
 * after its checkpoint goes. The rows kept must be the rows the checkpoint
 * expects, else the file lost data and the run cannot be continued from it. */
static int cut_back(const char *path, long k0, long want, int cut)
{
    char *text;
    size_t len;
    int st = credit_read_file(path, &text, &len);
    if (st) return st;
    size_t keep = 0;
    long rows = 0, last = -1;
    int header = 0;
    for (size_t at = 0; at < len;) {
        char *nl = memchr(text + at, '\n', len - at);
        if (!nl) break; /* a row cut short by the kill */
        const char *line = text + at;
        if (strncmp(line, "iter\t", 5) == 0) header = 1;
        else if (*line != '#') {
            long it = strtol(line, NULL, 10);
            if (k0 >= 0 && it >= k0) break;
            rows++;
            last = it;
        }
        at = (size_t)(nl - text) + 1;
        keep = at;
    }
    free(text);
    if (!header || rows != want)
        return CREDIT_ERROR(CREDIT_EFORMAT, "%s holds %ld complete rows%s (last iteration %ld), the checkpoint expects %ld: the file lost data",
                            path, rows, header ? "" : " and no header", last, want);
    if (cut && keep < len) {
        credit_crash_point("truncate curvature");
        if (truncate(path, (off_t)keep) != 0)
            return CREDIT_ERROR(CREDIT_EIO, "cannot cut %s back to the checkpoint: %s", path, strerror(errno));
    }
    return CREDIT_OK;
}

/* ---- warm starts: RUN_DIR/lanczos_warm.bin holds the top eigenvector of
 * every trajectory row, appended (and fsync'd) before the checkpoint that
 * follows: records of int64 iteration, uint64 dim, dim doubles, uint64
 * FNV-1a of the rest. A row starts from the last record before it, so a
 * resumed run (cut back to the records before k0) starts each row from the
 * same vector as an uninterrupted one. */

static void warm_path(char *buf, size_t n, const char *dir) { snprintf(buf, n, "%s/lanczos_warm.bin", dir); }

/* Bytes of the complete, intact records before iteration k (all: k < 0),
 * and the last one's vector (*v NULL if none). A missing file holds none. */
static int warm_scan(const char *path, long k, size_t dim, size_t *keep, double **v)
{
    *keep = 0;
    if (v) *v = NULL;
    if (access(path, F_OK) != 0) return CREDIT_OK;
    char *data;
    size_t len;
    int st = credit_read_file(path, &data, &len);
    if (st) return st;
    const size_t rec = 2 * sizeof(uint64_t) + dim * sizeof(double) + sizeof(uint64_t);
    size_t last = SIZE_MAX;
    for (size_t at = 0; at + rec <= len; at += rec) {
        int64_t iter;
        uint64_t d, sum;
        memcpy(&iter, data + at, 8);
        memcpy(&d, data + at + 8, 8);
        memcpy(&sum, data + at + rec - 8, 8);
        if (d != dim || sum != credit_fnv1a(data + at, rec - 8, CREDIT_FNV_INIT) || (k >= 0 && iter >= k)) break;
        last = at;
        *keep = at + rec;
    }
    if (v && last != SIZE_MAX) {
        if (!(*v = malloc(dim * sizeof(double)))) st = CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
        else memcpy(*v, data + last + 16, dim * sizeof(double));
    }
    free(data);
    return st;
}

static int warm_append(const char *path, long k, const double *v, size_t dim)
{
    int64_t iter = k;
    uint64_t d = dim, sum;
    credit_crash_point("open warm start");
    FILE *fp = fopen(path, "ab");
    if (!fp) return CREDIT_ERROR(CREDIT_EIO, "cannot append to %s: %s", path, strerror(errno));
    sum = credit_fnv1a(&iter, 8, CREDIT_FNV_INIT);
    sum = credit_fnv1a(&d, 8, sum);
    sum = credit_fnv1a(v, dim * sizeof(double), sum);
    fwrite(&iter, 8, 1, fp);
    fwrite(&d, 8, 1, fp);
    fwrite(v, sizeof(double), dim, fp);
    fwrite(&sum, 8, 1, fp);
    int st = credit_fsync_stream(fp, path);
    if (fclose(fp) != 0 && !st) st = CREDIT_ERROR(CREDIT_EIO, "write to %s failed: %s", path, strerror(errno));
    return st;
}

/* Dimension of the Hessian's vectors under o. */
static size_t hess_dim(const credit_session *s, const credit_curv_opts *o)
{
    return credit_hessian_layout(&s->dims, o->all, NULL);
}

/* One row appended, synced and the file closed: every row before a
 * checkpoint is on disk when the checkpoint is written. A trajectory row
 * (final = 0) takes the economies hessian_warm and hessian_traj_tol; the
 * last row is measured as credit_curvature_measure does, cold and at
 * hessian_tol. */
static int append_row(credit_session *s, const credit_curv_opts *op, const char *dir, const char *path, long k, int final)
{
    const credit_curv_opts o = *op;
    const int warm = o.warm && !final;
    const double tol = !final && o.traj_tol > 0 ? o.traj_tol : o.tol;
    char wpath[4200];
    warm_path(wpath, sizeof wpath, dir);
    double *start = NULL, *v1 = NULL;
    size_t keep, dim = 0;
    int st = warm ? warm_scan(wpath, k, hess_dim(s, &o), &keep, &start) : CREDIT_OK;
    if (st) return st;
    if (warm && !start && k > 0)
        return CREDIT_ERROR(CREDIT_EFORMAT, "%s has no top eigenvector before iteration %ld: the warm start cannot be repeated; rerun with resume=0",
                            wpath, k);
    credit_curv_row row;
    st = measure(s, &o, k, start, tol, &row, warm ? &v1 : NULL, &dim);
    free(start);
    if (!st && warm && v1) st = warm_append(wpath, k, v1, dim);
    free(v1);
    if (!st) {
        credit_crash_point("open curvature");
        FILE *fp = fopen(path, "ab");
        if (!fp) st = CREDIT_ERROR(CREDIT_EIO, "cannot append to %s: %s", path, strerror(errno));
        else {
            credit_curvature_print(fp, &row);
            st = credit_fsync_stream(fp, path);
            if (fclose(fp) != 0 && !st) st = CREDIT_ERROR(CREDIT_EIO, "write to %s failed: %s", path, strerror(errno));
        }
    }
    credit_curv_row_free(&row);
    return st;
}

int credit_curvature_resume(credit_session *s, const credit_curv_opts *op, const char *dir, long k0)
{
    const credit_curv_opts o = *op;
    if (o.every == 0 || k0 == 0) return CREDIT_OK;
    char path[4200];
    part_path(path, sizeof path, dir);
    return cut_back(path, k0, expected_rows(k0, o.every, s->o.iters), 1);
}

int credit_curvature_track(credit_session *s, const credit_curv_opts *op, const char *dir, long k, long k0)
{
    const credit_curv_opts o = *op;
    if (o.every == 0) return CREDIT_OK;
    char path[4200];
    part_path(path, sizeof path, dir);
    int st;
    if (k == k0 && o.warm) {
        /* The vectors of the rows kept (none on a fresh start). */
        char wpath[4200];
        size_t keep = 0;
        warm_path(wpath, sizeof wpath, dir);
        if (k0 > 0 && (st = warm_scan(wpath, k0, hess_dim(s, &o), &keep, NULL))) return st;
        if (access(wpath, F_OK) == 0) {
            credit_crash_point("truncate warm start");
            if (truncate(wpath, (off_t)keep) != 0)
                return CREDIT_ERROR(CREDIT_EIO, "cannot cut %s back to the checkpoint: %s", wpath, strerror(errno));
        }
    }
    if (k == k0 && k0 == 0) {
        credit_crash_point("create curvature");
        FILE *fp = fopen(path, "wb");
        if (!fp) return CREDIT_ERROR(CREDIT_EIO, "cannot write %s: %s", path, strerror(errno));
        credit_session_provenance(s, fp);
        credit_curvature_settings(fp, &o);
        credit_curvature_header(fp, (int)o.k, o.jacobian_k > 0);
        st = credit_fsync_stream(fp, path);
        if (fclose(fp) != 0 && !st) st = CREDIT_ERROR(CREDIT_EIO, "write to %s failed: %s", path, strerror(errno));
        if (st) return st;
    }
    if (k % o.every == 0 || k == s->o.iters) return append_row(s, &o, dir, path, k, k == s->o.iters);
    return CREDIT_OK;
}

/* The last row of a run that stopped before iters: off the grid it is
 * added; on a trajectory row measured with the economies it is measured
 * again, cold and tight, so a run's last row never depends on them. */
int credit_curvature_finish(credit_session *s, const credit_curv_opts *op, const char *dir, long k, int diverged)
{
    const credit_curv_opts o = *op;
    if (o.every == 0 || diverged || k == s->o.iters) return CREDIT_OK;
    char part[4200];
    part_path(part, sizeof part, dir);
    const int economies = !o.power && (o.warm || o.traj_tol > 0);
    if (k % o.every != 0) return append_row(s, &o, dir, part, k, 1);
    if (!economies) return CREDIT_OK;
    int st = cut_back(part, k, expected_rows(k, o.every, s->o.iters), 1);
    return st ? st : append_row(s, &o, dir, part, k, 1);
}

int credit_curvature_commit(credit_session *s, const credit_curv_opts *op, const char *dir, long k, int diverged)
{
    const credit_curv_opts o = *op;
    if (o.every == 0) return CREDIT_OK;
    char part[4200], final[4200];
    part_path(part, sizeof part, dir);
    snprintf(final, sizeof final, "%s/curvature.tsv", dir);
    long want = expected_rows(k + 1, o.every, s->o.iters);
    if (!diverged && !(k % o.every == 0 || k == s->o.iters)) want++;
    int st;
    if (access(part, F_OK) == 0) {
        if ((st = cut_back(part, -1, want, 0))) return st;
        return credit_rename_durable(part, final);
    }
    if (access(final, F_OK) != 0)
        return CREDIT_ERROR(CREDIT_EIO, "neither %s nor %s exists, but the checkpoint says the run finished", part, final);
    return cut_back(final, -1, want, 0);
}
