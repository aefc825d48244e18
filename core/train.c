/* train.c - see train.h. */
#define _GNU_SOURCE
#include "train.h"
#include "curvature.h"
#include "gradient.h"
#include "util.h"

#include <cblas.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *status_names[] = {"running", "completed", "target_reached", "diverged"};

/* ------------------------------------------------------------ the run */

typedef struct run_files {
    char dir[4096];
    char config[4200], curve_part[4200], curve[4200], ckpt[4200], weights[4200], metrics[4200];
    credit_curv_opts curv; /* the run's curvature keys, parsed once */
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
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) fprintf(fp, "\t%s_loss\t%s_acc", credit_splits[sp].column, credit_splits[sp].column);
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
    fprintf(stderr, "%s %s: iter %ld/%ld  loss %.4g  %.1f it/s  %.0fs left\n", s->rule->head.name, s->task->head.name, k, s->o.iters,
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
        fprintf(a.fp, "%s_loss\t%.17g\n%s_acc\t%.17g\n", credit_splits[sp].column, e->loss[sp], credit_splits[sp].column, e->acc[sp]);
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

static long file_length(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* A curve offset must end a complete line of the file. */
static int curve_offset_ok(const char *path, uint64_t offset, long len)
{
    if (offset == 0 || (long long)offset > len) return 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    int c = fseeko(fp, (off_t)offset - 1, SEEK_SET) == 0 ? fgetc(fp) : EOF;
    fclose(fp);
    return c == '\n';
}

static int curve_mismatch(const char *path, uint64_t offset, long len)
{
    if (len < 0) return CREDIT_ERROR(CREDIT_EIO, "%s is missing, but the checkpoint needs its first %llu bytes", path, (unsigned long long)offset);
    if ((long long)offset > len)
        return CREDIT_ERROR(CREDIT_EFORMAT, "%s is %ld bytes, shorter than the %llu the checkpoint expects: the file lost data", path, len,
                            (unsigned long long)offset);
    return CREDIT_ERROR(CREDIT_EFORMAT, "%s: the checkpoint's curve offset %llu is not at the start of a line", path,
                        (unsigned long long)offset);
}

/* Parameters and both Adam moments, as the checkpoint reader checks them:
 * a second moment can overflow while the parameters stay finite (the step
 * m1/sqrt(m2) is then 0), and a run finished so would not resume. */
static int state_finite(const credit_session *s)
{
    return credit_params_finite(s->theta, s->n_params) &&
           (s->o.optimizer == 0 || (credit_params_finite(s->m1, s->n_params) && credit_params_finite(s->m2, s->n_params)));
}

/* The iteration of the curve row that ends at offset (the checkpoint's
 * curve offset, already known to end a line): a checkpoint written at
 * iteration k follows row k - 1. A checksum does not tie the two together,
 * so a mismatch would splice repeated or missing rows into curve.tsv. */
static int curve_last_row_check(const char *path, uint64_t offset, long want)
{
    char buf[4096];
    size_t n = offset < sizeof buf - 1 ? (size_t)offset : sizeof buf - 1;
    FILE *fp = fopen(path, "rb");
    if (!fp) return CREDIT_ERROR(CREDIT_EIO, "cannot read %s: %s", path, strerror(errno));
    int ok = fseeko(fp, (off_t)(offset - n), SEEK_SET) == 0 && fread(buf, 1, n, fp) == n;
    fclose(fp);
    if (!ok) return CREDIT_ERROR(CREDIT_EIO, "cannot read the last row before byte %llu of %s", (unsigned long long)offset, path);
    buf[n - 1] = 0; /* the newline that ends the row */
    char *row = strrchr(buf, '\n'), *end;
    row = row ? row + 1 : buf;
    errno = 0;
    long got = strtol(row, &end, 10);
    if (end == row || *end != '\t' || errno)
        return CREDIT_ERROR(CREDIT_EFORMAT, "%s: the line before the checkpoint's curve offset %llu is not a curve row ('%.20s')", path,
                            (unsigned long long)offset, row);
    if (got != want)
        return CREDIT_ERROR(CREDIT_EFORMAT, "%s: the row before the checkpoint's curve offset %llu is iteration %ld, but the checkpoint "
                            "is at iteration %ld (it follows row %ld): the checkpoint and the curve disagree",
                            path, (unsigned long long)offset, got, want + 1, want);
    return CREDIT_OK;
}

/* What credit curvature measured in this directory before: a (re)start or
 * resume changes the state it measured, so none of it may survive to be
 * read as the finished run's (curvature_final.args is the pipeline's record
 * of how curvature_final.tsv was measured). Removed durably. */
static const char *const measured[] = {"curvature_final.tsv", "curvature_final.args", "curvature_density.tsv", "curvature_slq.tsv"};

static int remove_files(const run_files *r, const char *const *names, size_t n)
{
    int removed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", r->dir, names[i]);
        if (access(path, F_OK) != 0) continue;
        credit_crash_point("remove");
        if (remove(path) != 0) return CREDIT_ERROR(CREDIT_EIO, "cannot remove the earlier run's %s: %s", path, strerror(errno));
        removed = 1;
    }
    return removed ? credit_fsync_dir_of(r->metrics) : CREDIT_OK;
}

/* The end of a run, once its final checkpoint is on disk: curvature.tsv and
 * curve.tsv renamed into place, then weights.tsv and, last, metrics.tsv.
 * Every step can be redone, so a run killed anywhere in here is finished by
 * the next resume (repair) from the final checkpoint. */
static int finish_run(credit_session *s, const run_files *r, const credit_ckpt_info *fin, const eval_row *e_known)
{
    const int diverged = fin->status == CREDIT_CKPT_DIVERGED;
    int st;
    if ((st = credit_curvature_commit(s, &r->curv, r->dir, fin->iteration, diverged))) return st;
    long part = file_length(r->curve_part);
    if (part >= 0) {
        if (part != (long)fin->curve_offset || !curve_offset_ok(r->curve_part, fin->curve_offset, part))
            return curve_mismatch(r->curve_part, fin->curve_offset, part);
        if ((st = credit_rename_durable(r->curve_part, r->curve))) return st;
    } else {
        long len = file_length(r->curve);
        if (len != (long)fin->curve_offset) return curve_mismatch(r->curve, fin->curve_offset, len);
    }
    eval_row e;
    if (diverged) {
        /* Final metrics of a diverged run are the non-finite values it reached. */
        for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) e.loss[sp] = e.acc[sp] = NAN;
    } else if (e_known) {
        e = *e_known;
    } else if ((st = evaluate_all(s, &e))) {
        return st; /* the weights are the checkpoint's: the same numbers as before the kill */
    }
    if (!diverged && (st = credit_weights_write(s, r->weights))) return st;
    if ((st = write_metrics(s, r, status_names[fin->status], fin->iteration, &e))) return st;
    if (diverged)
        return CREDIT_ERROR(CREDIT_EDIVERGED, "%s: the run became non-finite at iteration %ld; recorded as diverged in %s", r->dir,
                            fin->iteration, r->metrics);
    if (s->o.progress) fprintf(stderr, "%s: %s after %ld iterations\n", r->dir, status_names[fin->status], fin->iteration);
    return CREDIT_OK;
}

/* credit_ckpt_read of the run's checkpoint. The double build tells a PREC=32
 * checkpoint by its tagged hash only when both builds resolve the config
 * alike (their gamma_step defaults differ); config.txt's provenance then
 * says the precision, so "a different config" is not what is reported. */
static int read_run_ckpt(credit_session *s, const run_files *r, credit_ckpt_info *info)
{
    int st = credit_ckpt_read(s, r->ckpt, info);
    if (!st || CREDIT_PRECISION == CREDIT_PRECISION_SINGLE || !strstr(credit_error_message(), "different config")) return st;
    FILE *fp = fopen(r->config, "r");
    char line[256];
    int f32 = 0;
    while (fp && !f32 && fgets(line, sizeof line, fp) && line[0] == '#') f32 = strncmp(line, "# precision float32", 19) == 0;
    if (fp) fclose(fp);
    if (f32)
        st = CREDIT_ERROR(st, "%s was written by the single-precision build (PREC=32, as %s says): this double-precision build "
                              "neither resumes nor measures it (use the PREC=32 build, or train afresh)", r->ckpt, r->config);
    return st;
}

enum { START_FRESH, START_LOOP, START_REPAIR, START_DONE };

/* What a resume finds in the directory. On START_LOOP the session holds the
 * checkpoint's state and *curve is open for appending at its offset. */
static int resume_prepare(credit_session *s, const run_files *r, int *mode, credit_ckpt_info *info, FILE **curve)
{
    const int autom = s->o.resume == CREDIT_RESUME_AUTO;
    int st;
    *mode = START_FRESH;
    if (access(r->metrics, F_OK) == 0) {
        if (autom) {
            /* resume=auto: complete only if the run is this config's. */
            if (access(r->ckpt, F_OK) != 0)
                return CREDIT_ERROR(CREDIT_EIO, "%s exists but %s does not, so the run cannot be checked against this config", r->metrics, r->ckpt);
            if ((st = read_run_ckpt(s, r, info))) return st;
            if (info->status == CREDIT_CKPT_RUNNING)
                return CREDIT_ERROR(CREDIT_EFORMAT, "%s exists but %s is not a finished run's", r->metrics, r->ckpt);
        }
        fprintf(stderr, "%s is complete already (metrics.tsv exists); nothing to resume\n", r->dir);
        *mode = START_DONE;
        return CREDIT_OK;
    }
    if (access(r->ckpt, F_OK) != 0) {
        if (autom && access(r->config, F_OK) == 0)
            return CREDIT_ERROR(CREDIT_EIO, "no checkpoint.bin (the earlier attempt stopped before its first checkpoint)");
        return CREDIT_OK;
    }
    if ((st = read_run_ckpt(s, r, info))) return st;
    if (info->status != CREDIT_CKPT_RUNNING) {
        if ((st = remove_files(r, measured, sizeof measured / sizeof *measured))) return st;
        *mode = START_REPAIR;
        if (s->o.progress) fprintf(stderr, "finishing %s: it was stopped after its final checkpoint\n", r->dir);
        return CREDIT_OK;
    }
    long len = file_length(r->curve_part);
    if (!curve_offset_ok(r->curve_part, info->curve_offset, len)) return curve_mismatch(r->curve_part, info->curve_offset, len);
    if ((st = curve_last_row_check(r->curve_part, info->curve_offset, info->iteration - 1))) return st;
    if ((st = credit_curvature_resume(s, &r->curv, r->dir, info->iteration))) return st;
    if ((st = remove_files(r, measured, sizeof measured / sizeof *measured))) return st;
    if ((long long)info->curve_offset < len) {
        credit_crash_point("truncate curve");
        if (truncate(r->curve_part, (off_t)info->curve_offset) != 0)
            return CREDIT_ERROR(CREDIT_EIO, "cannot cut %s back to the checkpoint: %s", r->curve_part, strerror(errno));
    }
    credit_crash_point("open curve");
    if (!(*curve = fopen(r->curve_part, "ab"))) return CREDIT_ERROR(CREDIT_EIO, "cannot append to %s: %s", r->curve_part, strerror(errno));
    *mode = START_LOOP;
    if (s->o.progress) fprintf(stderr, "resuming %s at iteration %ld\n", r->dir, info->iteration);
    return CREDIT_OK;
}

/* A fresh start: nothing of an earlier run in this directory may survive to
 * look complete or be resumed from (metrics.tsv goes first). */
static int start_fresh(credit_session *s, const run_files *r, FILE **curve)
{
    const char *const stale[] = {"metrics.tsv", "checkpoint.bin", "curve.tsv", "curve.tsv.part", "weights.tsv", "curvature.tsv",
                                 "curvature.tsv.part"};
    int st;
    if ((st = remove_files(r, stale, sizeof stale / sizeof *stale)) || (st = remove_files(r, measured, sizeof measured / sizeof *measured)))
        return st;
    if ((st = write_config(s, r))) return st;
    credit_crash_point("create curve");
    if (!(*curve = fopen(r->curve_part, "wb"))) return CREDIT_ERROR(CREDIT_EIO, "cannot write %s: %s", r->curve_part, strerror(errno));
    credit_session_provenance(s, *curve);
    curve_header(*curve);
    return CREDIT_OK;
}

/* The rule's after_update for iteration `iter` (1 after the first): step
 * holds the weights before the update and becomes the step taken; the
 * trajectory is still the batch's, at the weights before. */
static int after_update(credit_session *s, long iter, double lr, credit_real *step)
{
    for (size_t i = 0; i < s->n_params; i++) step[i] = s->theta[i] - step[i];
    const credit_params sp = credit_params_view(step, &s->dims);
    const credit_weights w = credit_weights_of(&s->w), dw = credit_weights_of(&sp);
    const credit_traj tr = credit_fwd_traj(&s->fwd);
    const credit_update u = {.iter = iter, .lr = lr, .l2 = s->o.l2, .w = &w, .step = &dw, .tr = &tr};
    credit_error_clear();
    credit_plugin_enter("rule", s->rule->head.name, "after_update");
    int st = s->rule_pl.after_update(s->rule_state, &u);
    credit_plugin_leave();
    if (st && !*credit_error_message()) CREDIT_ERROR(st, "rule %s failed after update %ld (status %d)", s->rule->head.name, iter, st);
    return st;
}

static int train_locked(credit_session *s, const run_files *r)
{
    long k = 0;
    FILE *curve = NULL;
    int st, mode = START_FRESH;
    credit_ckpt_info info = {0, 0, 0};
    if (s->o.resume) {
        st = resume_prepare(s, r, &mode, &info, &curve);
        if (st && s->o.resume == CREDIT_RESUME_AUTO) {
            fprintf(stderr, "restart %s: %s\n", r->dir, credit_error_message());
            credit_error_clear();
            if (curve) fclose(curve);
            curve = NULL;
            mode = START_FRESH;
            /* The failed read may have left part of a checkpoint in the session: start from the seeded state. */
            if ((st = credit_session_reset(s))) return st;
        } else if (st) {
            if (curve) fclose(curve);
            return st;
        }
    }
    if (mode == START_DONE) return CREDIT_OK;
    if (mode == START_REPAIR) return finish_run(s, r, &info, NULL);
    if (mode == START_FRESH && (st = start_fresh(s, r, &curve))) {
        if (curve) fclose(curve);
        return st;
    }
    if (mode == START_LOOP) k = info.iteration;

    const int B = (int)s->o.batch;
    const long ckpt_every = s->o.checkpoint_every ? s->o.checkpoint_every : s->o.eval_every;
    int status = CREDIT_CKPT_COMPLETED;
    double t0 = credit_now(), last = 0;
    long k0 = k;
    eval_row e;
    eval_subsets sub;
    /* A stateful rule sees every step: w_after - w_before of every matrix. */
    credit_real *step = s->rule_pl.after_update ? malloc(sizeof(credit_real) * s->n_params) : NULL;
    if (s->rule_pl.after_update && !step) {
        fclose(curve);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for the step of rule %s", s->rule->head.name);
    }
    if ((st = eval_subsets_draw(s, &sub))) {
        free(step);
        fclose(curve);
        return st;
    }
    for (;; k++) {
        if (k % ckpt_every == 0 && k > k0 && k < s->o.iters) {
            if ((st = credit_fsync_stream(curve, r->curve_part))) break;
            credit_ckpt_info ck = {k, (uint64_t)ftello(curve), CREDIT_CKPT_RUNNING};
            if ((st = credit_ckpt_write(s, r->ckpt, &ck))) break;
        }
        int evaluate = k % s->o.eval_every == 0 || k == s->o.iters, stop = 0;
        if ((st = credit_curvature_track(s, &r->curv, r->dir, k, k0))) break; /* after the checkpoint: resume redoes row k */
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
            /* The last update can diverge too: its loss shows here first. */
            if (!isfinite(e.loss[CREDIT_SPLIT_TRAIN]) || !state_finite(s)) status = CREDIT_CKPT_DIVERGED;
            break;
        }
        double loss, l2;
        credit_session_batch_index(s, k, s->index, B);
        if ((st = credit_session_batch(s, CREDIT_SPLIT_TRAIN, s->index, B, &loss, NULL, NULL))) break;
        if ((st = credit_session_gradient(s, 0, &l2))) break;
        double lr = credit_session_lr(s, k);
        curve_row(curve, k, lr, loss, l2, evaluate ? &e : NULL);
        /* NaN parameters can leave the loss finite (the ReLU maps a NaN
         * state to 0), so they are checked as well. */
        if (!isfinite(loss + l2) || !state_finite(s)) {
            status = CREDIT_CKPT_DIVERGED;
            break;
        }
        if (stop) {
            status = CREDIT_CKPT_TARGET;
            break;
        }
        if (step) memcpy(step, s->theta, sizeof(credit_real) * s->n_params);
        credit_session_update(s, lr);
        if (step && (st = after_update(s, k + 1, lr, step))) break;
        progress(s, k + 1, loss, t0, k0, &last);
    }
    eval_subsets_free(&sub);
    free(step);
    if (!st) st = credit_curvature_finish(s, &r->curv, r->dir, k, status == CREDIT_CKPT_DIVERGED);
    if (!st) st = credit_fsync_stream(curve, r->curve_part);
    credit_ckpt_info fin = {k, (uint64_t)ftello(curve), status};
    if (fclose(curve) != 0 && !st) st = CREDIT_ERROR(CREDIT_EIO, "write to %s failed: %s", r->curve_part, strerror(errno));
    if (st) return st; /* files left as .part: the run is not finished */
    /* The final checkpoint comes first: from it every later step can be redone. */
    if ((st = credit_ckpt_write(s, r->ckpt, &fin))) return st;
    return finish_run(s, r, &fin, status == CREDIT_CKPT_DIVERGED ? NULL : &e);
}

int credit_train(credit_session *s)
{
    if (!*s->o.out) return CREDIT_ERROR(CREDIT_EINVAL, "credit train needs a run directory: out = DIR");
    /* Refused before anything is created: every file name must fit beside it. */
    if (strlen(s->o.out) > CREDIT_OUT_MAX)
        return CREDIT_ERROR(CREDIT_EINVAL, "out = '%.60s...' is %zu characters long; a run directory may have at most %d", s->o.out,
                            strlen(s->o.out), CREDIT_OUT_MAX);
    run_files r;
    run_paths(&r, s->o.out);
    credit_curv_opts_get(s, &r.curv);
    int st = credit_mkdir_p(r.dir);
    if (st) return st;
    int lock;
    if ((st = credit_lock_dir(r.dir, &lock))) return st;
    st = train_locked(s, &r);
    credit_unlock_dir(lock);
    return st;
}

/* ------------------------------------------------------------ credit grad */

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
    credit_real *est = malloc(2 * sizeof(credit_real) * s->n_params);
    if (!est) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    credit_real *exact = est + s->n_params;
    if (!(st = credit_session_gradient(s, CREDIT_GRAD_NO_L2, NULL))) memcpy(est, s->grad, sizeof(credit_real) * s->n_params);
    if (!st && !(st = credit_session_gradient(s, CREDIT_GRAD_EXACT | CREDIT_GRAD_NO_L2, NULL)))
        memcpy(exact, s->grad, sizeof(credit_real) * s->n_params);
    if (st) { free(est); return st; }

    credit_session_provenance(s, fp);
    fprintf(fp, "# batch: training examples 0..%d\n# loss %.17g\n", Bn - 1, loss);
    credit_params pe = credit_params_view(est, &s->dims), px = credit_params_view(exact, &s->dims);
    for (int m = 0; m < CREDIT_N_BLOCKS; m++)
        fprintf(fp, "# cosine %s %.17g\n", credit_blocks[m].name,
                credit_cosine(credit_params_block(&pe, m), credit_params_block(&px, m), credit_block_size(&s->dims, m)));
    /* The rule's blocks (a prefix of the layout) together, then all. */
    char rule_blocks[64];
    size_t rule_off, rule_len = credit_block_span(&s->dims, CREDIT_PARAM_RULE, &rule_off);
    fprintf(fp, "# cosine %s %.17g\n# cosine all %.17g\n", credit_block_names(CREDIT_PARAM_RULE, "+", rule_blocks, sizeof rule_blocks),
            credit_cosine(est + rule_off, exact + rule_off, rule_len), credit_cosine(est, exact, s->n_params));
    fprintf(fp, "name\trow\tcol\testimate\texact\n");
    for (int m = 0; m < CREDIT_N_BLOCKS; m++) {
        const int rows = credit_block_rows(&s->dims, m), cols = credit_block_cols(&s->dims, m);
        const credit_real *e = credit_params_block(&pe, m), *x = credit_params_block(&px, m);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) {
                size_t i = (size_t)r * cols + c;
                fprintf(fp, "%s\t%d\t%d\t%.17g\t%.17g\n", credit_blocks[m].name, r, c, e[i], x[i]);
            }
    }
    free(est);
    return CREDIT_OK;
}
