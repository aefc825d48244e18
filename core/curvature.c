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

void credit_curv_opts_get(const credit_session *s, credit_curv_opts *o)
{
#define V(key) credit_optset_find(&s->sets[0], 1, key)
    o->every = V("curvature_every")->i;
    o->all = V("hessian_params")->i == 1;
    o->split = V("hessian_split")->i == 1 ? CREDIT_SPLIT_VALID : CREDIT_SPLIT_TRAIN;
    o->batch = V("hessian_batch")->i;
    o->power = V("hessian_method")->i == 1;
    o->k = V("hessian_k")->i;
    o->tol = V("hessian_tol")->r;
    o->maxiter = V("hessian_maxiter")->i;
    o->power_tol = V("hessian_power_tol")->r;
    o->power_maxiter = V("hessian_power_maxiter")->i;
    o->trace_probes = V("hessian_trace_probes")->i;
    o->density_probes = V("hessian_density")->i;
    o->density_steps = V("hessian_density_steps")->i;
    o->density_points = V("hessian_density_points")->i;
    o->density_sigma = V("hessian_density_sigma")->r;
    o->gamma_step = V("gamma_step")->r;
    o->free_pattern = V("gamma_pattern")->i == 1;
    o->jacobian_k = V("jacobian_k")->i;
    o->jacobian_nev = V("jacobian_nev")->i;
    o->fresh = V("hessian_fresh")->i == 1;
    o->abs = V("hessian_abs")->i == 1;
    o->warm = V("hessian_warm")->i == 1;
    o->traj_tol = V("hessian_traj_tol")->r;
    o->authors = V("hessian_protocol")->i == 1;
#undef V
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
            free(index);
            return CREDIT_ERROR(CREDIT_EINVAL, "Hessian batch: example %llu is past the end of the split (%llu examples)",
                                (unsigned long long)index[b], (unsigned long long)s->info.n_examples[split]);
        }
    }
    credit_hessian *h;
    int st = credit_hessian_open(&h, &s->dims, B, all_params, s->info.loss, s->o.l2);
    if (!st) {
        credit_fwd *in = credit_hessian_input(h);
        st = credit_session_fill(s, split, index, B, in->x, in->target, in->mask);
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
static int theorem_quantities(credit_hessian *h, const credit_grad_rule *rule, const credit_curv_opts *o, const double *v1,
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
    row->cosine = credit_cosine(est, exact, D);
    row->grad_norm = cblas_dnrm2((int)D, exact, 1);
    row->rule_norm = cblas_dnrm2((int)D, est, 1);
    if ((st = credit_hessian_direction(h, NULL, 0.0, CREDIT_GRAD_EXACT, rule, up))) goto done;
    if ((st = credit_hessian_direction(h, NULL, 0.0, 0, rule, down))) goto done;
    row->cosine_l2 = credit_cosine(down, up, D);
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
static int rule_edge(credit_hessian *h, const credit_grad_rule *rule, const credit_curv_opts *o, uint64_t seed, credit_curv_row *row)
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
        const credit_grad_rule rule = credit_session_grad_rule(s);
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
    return o->all ? s->n_params : (size_t)s->dims.n * s->dims.n;
}

/* One row appended, synced and the file closed: every row before a
 * checkpoint is on disk when the checkpoint is written. A trajectory row
 * (final = 0) takes the economies hessian_warm and hessian_traj_tol; the
 * last row is measured as credit_curvature_measure does, cold and at
 * hessian_tol. */
static int append_row(credit_session *s, const char *dir, const char *path, long k, int final)
{
    credit_curv_opts o;
    credit_curv_opts_get(s, &o);
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

int credit_curvature_resume(credit_session *s, const char *dir, long k0)
{
    credit_curv_opts o;
    credit_curv_opts_get(s, &o);
    if (o.every == 0 || k0 == 0) return CREDIT_OK;
    char path[4200];
    part_path(path, sizeof path, dir);
    return cut_back(path, k0, expected_rows(k0, o.every, s->o.iters), 1);
}

int credit_curvature_track(credit_session *s, const char *dir, long k, long k0)
{
    credit_curv_opts o;
    credit_curv_opts_get(s, &o);
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
    if (k % o.every == 0 || k == s->o.iters) return append_row(s, dir, path, k, k == s->o.iters);
    return CREDIT_OK;
}

/* The last row of a run that stopped before iters: off the grid it is
 * added; on a trajectory row measured with the economies it is measured
 * again, cold and tight, so a run's last row never depends on them. */
int credit_curvature_finish(credit_session *s, const char *dir, long k, int diverged)
{
    credit_curv_opts o;
    credit_curv_opts_get(s, &o);
    if (o.every == 0 || diverged || k == s->o.iters) return CREDIT_OK;
    char part[4200];
    part_path(part, sizeof part, dir);
    const int economies = !o.power && (o.warm || o.traj_tol > 0);
    if (k % o.every != 0) return append_row(s, dir, part, k, 1);
    if (!economies) return CREDIT_OK;
    int st = cut_back(part, k, expected_rows(k, o.every, s->o.iters), 1);
    return st ? st : append_row(s, dir, part, k, 1);
}

int credit_curvature_commit(credit_session *s, const char *dir, long k, int diverged)
{
    credit_curv_opts o;
    credit_curv_opts_get(s, &o);
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
