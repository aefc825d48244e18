/* train.h - a training run into its own directory, and its checkpoints.
 *
 * Run directory:
 *   .lock           flock'ed while a process writes the directory
 *   config.txt      provenance + resolved config (written first)
 *   curve.tsv       one row per iteration; evaluation columns every eval_every
 *                   (curve.tsv.part while running)
 *   checkpoint.bin  magic, format version, state, checksum (atomic rename);
 *                   the last one, of the finished run, is written before any
 *                   of the files below, so a run killed after it is finished
 *                   by resume (repair)
 *   weights.tsv     final weights
 *   metrics.tsv     final metrics; written last, so its presence means done
 * Every file is fsynced before its rename and its directory after.
 */
#ifndef CREDIT_TRAIN_H
#define CREDIT_TRAIN_H

#include "session.h"

#define CREDIT_CKPT_MAGIC "CREDITCK"
#define CREDIT_CKPT_VERSION 2u
#define CREDIT_OUT_MAX 3800 /* characters of out=: room for every file name under PATH_MAX */

/* resume = 0 | 1 | auto (session.c's choice index). */
enum { CREDIT_RESUME_NO = 0, CREDIT_RESUME_YES = 1, CREDIT_RESUME_AUTO = 2 };
/* The run a checkpoint belongs to: still running (rows of iterations before
 * `iteration` in the curve), or finished (every row, and the status). */
enum { CREDIT_CKPT_RUNNING = 0, CREDIT_CKPT_COMPLETED, CREDIT_CKPT_TARGET, CREDIT_CKPT_DIVERGED };

/* Exit status of a run: 0 completed, CREDIT_EDIVERGED when the loss went
 * non-finite (recorded in metrics.tsv), another status on error. */
int credit_train(credit_session *s);

typedef struct credit_ckpt_info {
    long iteration;
    uint64_t curve_offset; /* bytes of curve.tsv.part that belong to iterations < iteration (finished: all of it) */
    int status;            /* CREDIT_CKPT_* */
} credit_ckpt_info;

int credit_ckpt_write(const credit_session *s, const char *path, const credit_ckpt_info *info);
/* Reads into s (parameters and optimizer state) after checking magic,
 * version, size, checksum, config hash and the range of every field
 * (iteration in 0..iters, finite parameters unless the run diverged). */
int credit_ckpt_read(credit_session *s, const char *path, credit_ckpt_info *info);

/* `credit grad`: loss, the rule's estimate and the exact gradient of every
 * parameter on one training batch, with cosines, as TSV on fp. */
/* 1 if every value is finite. */
int credit_params_finite(const double *theta, size_t n);

int credit_grad_report(credit_session *s, FILE *fp);

#endif
