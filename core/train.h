/* train.h - a training run into its own directory, and its checkpoints.
 *
 * Run directory:
 *   .lock           flock'ed while a process writes the directory
 *   config.txt      provenance + resolved config (written first)
 *   curve.tsv       one row per iteration; evaluation columns every eval_every
 *                   (curve.tsv.part while running)
 *   checkpoint.bin  magic, format version, state (weights, optimizer, the rule's
 *                   own state), checksum (core/ckpt.c; atomic rename);
 *                   the last one, of the finished run, is written before any
 *                   of the files below, so a run killed after it is finished
 *                   by resume (repair)
 *   weights.tsv     final weights
 *   metrics.tsv     final metrics; written last, so its presence means done
 * Every file is fsynced before its rename and its directory after.
 */
#ifndef CREDIT_TRAIN_H
#define CREDIT_TRAIN_H

#include "ckpt.h"
#include "session.h"

#define CREDIT_OUT_MAX 3800 /* characters of out=: room for every file name under PATH_MAX */

/* resume = 0 | 1 | auto (session.c's choice index). */
enum { CREDIT_RESUME_NO = 0, CREDIT_RESUME_YES = 1, CREDIT_RESUME_AUTO = 2 };

/* Exit status of a run: 0 completed, CREDIT_EDIVERGED when the loss went
 * non-finite (recorded in metrics.tsv), another status on error. */
int credit_train(credit_session *s);

/* `credit grad`: loss, the rule's estimate and the exact gradient of every
 * parameter on one training batch, with cosines, as TSV on fp. */
int credit_grad_report(credit_session *s, FILE *fp);

#endif
