/* train.c - see train.h. */
#define _GNU_SOURCE
#include "train.h"
#include "curvature.h"
#include "util.h"

#include <cblas.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ checkpoints */

typedef struct ckpt_header {
    char magic[8];
    uint32_t version, optimizer;
    uint64_t config_hash, iteration, curve_offset, n_params, adam_t;
} ckpt_header;

int credit_ckpt_write(const credit_session *s, const char *path, const credit_ckpt_info *info)
{
    ckpt_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CREDIT_CKPT_MAGIC, 8);
    h.version = CREDIT_CKPT_VERSION;
    h.optimizer = (uint32_t)s->o.optimizer;
    h.config_hash = s->config_hash;
    h.iteration = (uint64_t)info->iteration;
    h.curve_offset = info->curve_offset;
    h.n_params = s->n_params;
    h.adam_t = (uint64_t)s->adam_t;
    credit_afile a;
    int st = credit_afile_open(&a, path);
    if (st) return st;
    /* theta, then the two Adam moments (the gradient block between them is
     * scratch and not saved). */
    const double *blocks[3] = {s->theta, s->m1, s->m2};
    uint64_t sum = credit_fnv1a(&h, sizeof h, CREDIT_FNV_INIT);
    fwrite(&h, sizeof h, 1, a.fp);
    for (int b = 0; b < 3; b++) {
        sum = credit_fnv1a(blocks[b], sizeof(double) * s->n_params, sum);
        fwrite(blocks[b], sizeof(double), s->n_params, a.fp);
    }
    fwrite(&sum, sizeof sum, 1, a.fp);
    return credit_afile_commit(&a);
}

int credit_ckpt_read(credit_session *s, const char *path, credit_ckpt_info *info)
{
    char *data;
    size_t len;
    int st = credit_read_file(path, &data, &len);
    if (st) return st;
    ckpt_header h;
    size_t body = sizeof(double) * s->n_params * 3;
    if (len < 8 || memcmp(data, CREDIT_CKPT_MAGIC, 8) != 0) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is not a credit checkpoint (bad magic number)", path);
        goto done;
    }
    if (len < sizeof h) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is truncated (%zu bytes, header needs %zu)", path, len, sizeof h);
        goto done;
    }
    memcpy(&h, data, sizeof h);
    if (h.version != CREDIT_CKPT_VERSION) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s: checkpoint format version %u, this credit reads version %u", path, h.version,
                          CREDIT_CKPT_VERSION);
        goto done;
    }
    if (h.n_params != s->n_params) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s holds %llu parameters, this config needs %zu", path, (unsigned long long)h.n_params,
                          s->n_params);
        goto done;
    }
    if (len != sizeof h + body + 8) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is corrupt: %zu bytes, expected %zu", path, len, sizeof h + body + 8);
        goto done;
    }
    uint64_t sum, want = credit_fnv1a(data, sizeof h + body, CREDIT_FNV_INIT);
    memcpy(&sum, data + sizeof h + body, 8);
    if (sum != want) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is corrupt (checksum mismatch)", path);
        goto done;
    }
    if (h.config_hash != s->config_hash) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s was written with a different config (hash %016llx, this config %016llx)", path,
                          (unsigned long long)h.config_hash, (unsigned long long)s->config_hash);
        goto done;
    }
    double *blocks[3] = {s->theta, s->m1, s->m2};
    for (int b = 0; b < 3; b++) memcpy(blocks[b], data + sizeof h + (size_t)b * s->n_params * sizeof(double), s->n_params * sizeof(double));
    s->adam_t = (long)h.adam_t;
    info->iteration = (long)h.iteration;
    info->curve_offset = h.curve_offset;
done:
    free(data);
    return st;
}

/* ------------------------------------------------------------ the run */

typedef struct run_files {
    char dir[4096];
    char config[4200], curve_part[4200], curve[4200], ckpt[4200], weights[4200], metrics[4200];
} run_files;

static void run_paths(run_files *r, const char *dir)
{
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    snprintf(r->config, sizeof r->config, "%s/config.txt", dir);
    snprintf(r->curve_part, sizeof r->curve_part, "%s/curve.tsv.part", dir);
    snprintf(r->curve, sizeof r->curve, "%s/curve.tsv", dir);
    snprintf(r->ckpt, sizeof r->ckpt, "%s/checkpoint.bin", dir);
    snprintf(r->weights, sizeof r->weights, "%s/weights.tsv", dir);
    snprintf(r->metrics, sizeof r->metrics, "%s/metrics.tsv", dir);
}

static const char *split_names[CREDIT_N_SPLITS] = {"train", "valid", "test", "ptest"};

typedef struct eval_row { double loss[CREDIT_N_SPLITS], acc[CREDIT_N_SPLITS]; } eval_row;

static int evaluate_all(credit_session *s, eval_row *e)
{
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) {
        int st = credit_session_evaluate(s, sp, &e->loss[sp], &e->acc[sp]);
        if (st) return st;
    }
    return CREDIT_OK;
}

/* The examples intermediate evaluations use (eval_subsample): per split a
 * fixed random subset, sorted, from its own stream of the run's seed (so a
 * resumed run draws the same). Random, not the first N: MNIST's test file
 * puts its cleaner half first. NULL where the subsample is the whole split. */
enum { STREAM_EVAL_SUBSAMPLE = 6 };

typedef struct eval_subsets {
    uint64_t *index[CREDIT_N_SPLITS], n[CREDIT_N_SPLITS];
} eval_subsets;

static void eval_subsets_free(eval_subsets *u)
{
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) free(u->index[sp]);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int eval_subsets_draw(const credit_session *s, eval_subsets *u)
{
    memset(u, 0, sizeof *u);
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) {
        const uint64_t n = s->info.n_examples[sp], m = (uint64_t)s->o.eval_subsample;
        u->n[sp] = n;
        if (m == 0 || m >= n) continue;
        uint64_t *all = malloc(sizeof *all * n);
        if (!all) {
            eval_subsets_free(u);
            return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for the evaluation subsample");
        }
        credit_rng rng;
        credit_rng_seed(&rng, (uint64_t)s->o.seed, ((uint64_t)STREAM_EVAL_SUBSAMPLE << 40) | (uint64_t)sp);
        for (uint64_t i = 0; i < n; i++) all[i] = i;
        for (uint64_t i = 0; i < m; i++) { /* partial Fisher-Yates: all[0..m-1] a uniform m-subset */
            uint64_t j = i + credit_rng_below(&rng, n - i), x = all[i];
            all[i] = all[j];
            all[j] = x;
        }
        qsort(all, m, sizeof *all, cmp_u64);
        u->index[sp] = all;
        u->n[sp] = m;
    }
    return CREDIT_OK;
}

static int evaluate_subsets(credit_session *s, const eval_subsets *u, eval_row *e)
{
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) {
        int st = credit_session_evaluate_index(s, sp, u->index[sp], u->n[sp], &e->loss[sp], &e->acc[sp]);
        if (st) return st;
    }
    return CREDIT_OK;
}

static int eval_subsets_used(const eval_subsets *u)
{
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++)
        if (u->index[sp]) return 1;
    return 0;
}

/* stop_train_acc / stop_train_loss on the training columns of e. */
static int target_reached(const credit_session *s, const eval_row *e)
{
    return (s->o.stop_train_acc > 0 && e->acc[0] >= s->o.stop_train_acc) || (s->o.stop_train_loss > 0 && e->loss[0] <= s->o.stop_train_loss);
}

static void curve_header(FILE *fp)
{
    fprintf(fp, "iter\tlr\tbatch_loss\tbatch_l2");
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) fprintf(fp, "\t%s_loss\t%s_acc", split_names[sp], split_names[sp]);
    fputc('\n', fp);
}

static void curve_row(FILE *fp, long k, double lr, double batch_loss, double batch_l2, const eval_row *e)
{
    fprintf(fp, "%ld\t%.9g\t%.9g\t%.9g", k, lr, batch_loss, batch_l2);
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) {
        if (e) fprintf(fp, "\t%.9g\t%.9g", e->loss[sp], e->acc[sp]);
        else fprintf(fp, "\tnan\tnan");
    }
    fputc('\n', fp);
}

static void progress(const credit_session *s, long k, double loss, double t0, long k0, double *last)
{
    double now = credit_now();
    if (!s->o.progress || (now - *last < 2.0 && k < s->o.iters)) return;
    *last = now;
    double rate = (k - k0) / (now - t0 + 1e-12);
    double left = rate > 0 ? (s->o.iters - k) / rate : 0;
    fprintf(stderr, "%s %s: iter %ld/%ld  loss %.4g  %.1f it/s  %.0fs left\n", s->rule->name, s->task->name, k, s->o.iters,
            loss, rate, left);
}

static int write_metrics(const credit_session *s, const run_files *r, const char *status, long k, const eval_row *e)
{
    credit_afile a;
    int st = credit_afile_open(&a, r->metrics);
    if (st) return st;
    credit_session_provenance(s, a.fp);
    fprintf(a.fp, "key\tvalue\nstatus\t%s\niterations\t%ld\n", status, k);
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++)
        fprintf(a.fp, "%s_loss\t%.17g\n%s_acc\t%.17g\n", split_names[sp], e->loss[sp], split_names[sp], e->acc[sp]);
    /* Generalisation gap: test error minus training error. */
    fprintf(a.fp, "gap_loss\t%.17g\ngap_acc\t%.17g\n", e->loss[2] - e->loss[0], e->acc[0] - e->acc[2]);
    fprintf(a.fp, "pgap_loss\t%.17g\npgap_acc\t%.17g\n", e->loss[3] - e->loss[0], e->acc[0] - e->acc[3]);
    return credit_afile_commit(&a);
}

static int write_config(const credit_session *s, const run_files *r)
{
    credit_afile a;
    int st = credit_afile_open(&a, r->config);
    if (st) return st;
    credit_session_provenance(s, a.fp);
    fputs(s->config_text, a.fp);
    return credit_afile_commit(&a);
}

int credit_train(credit_session *s)
{
    if (!*s->o.out) return CREDIT_ERROR(CREDIT_EINVAL, "credit train needs a run directory: out = DIR");
    run_files r;
    run_paths(&r, s->o.out);
    int st = credit_mkdir_p(r.dir);
    if (st) return st;

    long k = 0;
    FILE *curve = NULL;
    if (s->o.resume && access(r.metrics, F_OK) == 0) {
        fprintf(stderr, "%s is complete already (metrics.tsv exists); nothing to resume\n", r.dir);
        return CREDIT_OK;
    }
    if (s->o.resume && access(r.ckpt, F_OK) == 0) {
        credit_ckpt_info info;
        if ((st = credit_ckpt_read(s, r.ckpt, &info))) return st;
        k = info.iteration;
        if (k >= s->o.iters)
            return CREDIT_ERROR(CREDIT_EINVAL, "%s is the checkpoint of a finished run (iteration %ld) but %s is missing: rerun with resume=0",
                                r.ckpt, k, r.metrics);
        if (truncate(r.curve_part, (off_t)info.curve_offset) != 0)
            return CREDIT_ERROR(CREDIT_EIO, "cannot cut %s back to the checkpoint: %s", r.curve_part, strerror(errno));
        curve = fopen(r.curve_part, "ab");
        if (s->o.progress) fprintf(stderr, "resuming %s at iteration %ld\n", r.dir, k);
    } else {
        /* A fresh start: nothing of an earlier run in this directory may survive
         * to look complete or be resumed from. */
        const char *stale[] = {"metrics.tsv", "checkpoint.bin", "curve.tsv", "weights.tsv", "curvature.tsv", "curvature_final.tsv"};
        for (size_t i = 0; i < sizeof stale / sizeof *stale; i++) {
            char path[4300];
            snprintf(path, sizeof path, "%s/%s", r.dir, stale[i]);
            remove(path);
        }
        if ((st = write_config(s, &r))) return st;
        curve = fopen(r.curve_part, "wb");
        if (curve) {
            credit_session_provenance(s, curve);
            curve_header(curve);
        }
    }
    if (!curve) return CREDIT_ERROR(CREDIT_EIO, "cannot write %s: %s", r.curve_part, strerror(errno));

    const int B = (int)s->o.batch;
    const long ckpt_every = s->o.checkpoint_every ? s->o.checkpoint_every : s->o.eval_every;
    const char *status = "completed";
    double t0 = credit_now(), last = 0;
    long k0 = k;
    eval_row e;
    eval_subsets sub;
    if ((st = eval_subsets_draw(s, &sub))) {
        fclose(curve);
        return st;
    }
    for (;; k++) {
        int evaluate = k % s->o.eval_every == 0 || k == s->o.iters, stop = 0;
        if (k % ckpt_every == 0 && k > k0 && k < s->o.iters) {
            fflush(curve);
            credit_ckpt_info info = {k, (uint64_t)ftello(curve)};
            if (ferror(curve)) { st = CREDIT_ERROR(CREDIT_EIO, "write to %s failed", r.curve_part); break; }
            if ((st = credit_ckpt_write(s, r.ckpt, &info))) break;
        }
        if ((st = credit_curvature_track(s, r.dir, k, k0))) break; /* after the checkpoint: resume redoes row k */
        if (evaluate) {
            /* Subsamples along the way; the whole sets at the end and wherever
             * the run would stop, so the final row is exact. */
            const int final = k == s->o.iters;
            if ((st = final ? evaluate_all(s, &e) : evaluate_subsets(s, &sub, &e))) break;
            if (!final && (stop = target_reached(s, &e)) && eval_subsets_used(&sub)) {
                eval_row whole;
                if ((st = evaluate_all(s, &whole))) break;
                if ((stop = target_reached(s, &whole))) e = whole; /* else the subsample was wrong: go on */
            }
        }
        if (k == s->o.iters) {
            curve_row(curve, k, NAN, NAN, NAN, &e);
            break;
        }
        double loss, l2;
        credit_session_batch_index(s, k, s->index, B);
        if ((st = credit_session_batch(s, CREDIT_SPLIT_TRAIN, s->index, B, &loss, NULL, NULL))) break;
        if ((st = credit_session_gradient(s, 0, &l2))) break;
        double lr = credit_session_lr(s, k);
        curve_row(curve, k, lr, loss, l2, evaluate ? &e : NULL);
        if (!isfinite(loss + l2)) {
            status = "diverged";
            st = CREDIT_EDIVERGED;
            break;
        }
        if (stop) {
            status = "target_reached";
            break;
        }
        credit_session_update(s, lr);
        progress(s, k + 1, loss, t0, k0, &last);
    }
    eval_subsets_free(&sub);
    if (st && st != CREDIT_EDIVERGED) {
        fclose(curve); /* left as .part: the run is not finished */
        return st;
    }
    int bad = ferror(curve) | (fclose(curve) != 0);
    if (bad) return CREDIT_ERROR(CREDIT_EIO, "write to %s failed", r.curve_part);
    if (st == CREDIT_EDIVERGED) {
        /* Final metrics of a diverged run are the non-finite values it reached. */
        for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) e.loss[sp] = e.acc[sp] = NAN;
    }
    int wst;
    if ((wst = credit_curvature_finish(s, r.dir, k, st == CREDIT_EDIVERGED))) return wst;
    if (rename(r.curve_part, r.curve) != 0) return CREDIT_ERROR(CREDIT_EIO, "cannot rename %s: %s", r.curve_part, strerror(errno));
    if (st != CREDIT_EDIVERGED) {
        credit_ckpt_info info = {k, 0};
        if ((wst = credit_ckpt_write(s, r.ckpt, &info))) return wst;
        if ((wst = credit_weights_write(s, r.weights))) return wst;
    }
    if ((wst = write_metrics(s, &r, status, k, &e))) return wst;
    if (st == CREDIT_EDIVERGED)
        return CREDIT_ERROR(CREDIT_EDIVERGED, "%s: loss became non-finite at iteration %ld; recorded as diverged in %s", r.dir, k,
                            r.metrics);
    if (s->o.progress) fprintf(stderr, "%s: %s after %ld iterations\n", r.dir, status, k);
    return CREDIT_OK;
}

/* ------------------------------------------------------------ credit grad */

static double cosine(const double *a, const double *b, size_t n)
{
    double ab = cblas_ddot((int)n, a, 1, b, 1), aa = cblas_ddot((int)n, a, 1, a, 1), bb = cblas_ddot((int)n, b, 1, b, 1);
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : NAN;
}

int credit_grad_report(credit_session *s, FILE *fp)
{
    const int B = (int)s->o.batch;
    uint64_t n_train = s->info.n_examples[CREDIT_SPLIT_TRAIN];
    int Bn = (uint64_t)B < n_train ? B : (int)n_train;
    for (int b = 0; b < Bn; b++) s->index[b] = (uint64_t)b;
    double loss;
    int st = credit_session_batch(s, CREDIT_SPLIT_TRAIN, s->index, Bn, &loss, NULL, NULL);
    if (st) return st;
    /* Task-loss gradients only: the L2 term is exact and shared by every
     * rule, so it would only dilute the comparison. */
    double l2_saved = s->o.l2;
    s->o.l2 = 0;
    double *est = malloc(2 * sizeof(double) * s->n_params);
    if (!est) { s->o.l2 = l2_saved; return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory"); }
    double *exact = est + s->n_params;
    if (!(st = credit_session_gradient(s, 0, NULL))) memcpy(est, s->grad, sizeof(double) * s->n_params);
    if (!st && !(st = credit_session_gradient(s, 1, NULL))) memcpy(exact, s->grad, sizeof(double) * s->n_params);
    s->o.l2 = l2_saved;
    if (st) { free(est); return st; }

    credit_session_provenance(s, fp);
    fprintf(fp, "# batch: training examples 0..%d\n# loss %.17g\n", Bn - 1, loss);
    credit_params pe = credit_params_view(est, &s->dims), px = credit_params_view(exact, &s->dims);
    const double *e_blocks[4] = {pe.W_in, pe.W_rec, pe.W_out, pe.b_out}, *x_blocks[4] = {px.W_in, px.W_rec, px.W_out, px.b_out};
    const char *names[4] = {"W_in", "W_rec", "W_out", "b_out"};
    int rows[4] = {s->dims.n, s->dims.n, s->dims.n_out, s->dims.n_out}, cols[4] = {s->dims.n_in, s->dims.n, s->dims.n, 1};
    for (int m = 0; m < 4; m++)
        fprintf(fp, "# cosine %s %.17g\n", names[m], cosine(e_blocks[m], x_blocks[m], (size_t)rows[m] * cols[m]));
    size_t n_rec_in = (size_t)s->dims.n * (s->dims.n_in + s->dims.n);
    fprintf(fp, "# cosine W_in+W_rec %.17g\n# cosine all %.17g\n", cosine(est, exact, n_rec_in), cosine(est, exact, s->n_params));
    fprintf(fp, "name\trow\tcol\testimate\texact\n");
    for (int m = 0; m < 4; m++)
        for (int r = 0; r < rows[m]; r++)
            for (int c = 0; c < cols[m]; c++) {
                size_t i = (size_t)r * cols[m] + c;
                fprintf(fp, "%s\t%d\t%d\t%.17g\t%.17g\n", names[m], r, c, e_blocks[m][i], x_blocks[m][i]);
            }
    free(est);
    return CREDIT_OK;
}
