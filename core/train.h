/* train.h - a training run into its own directory, and its checkpoints.
 *
 * Run directory:
 *   config.txt      provenance + resolved config (written first)
 *   curve.tsv       one row per iteration; evaluation columns every eval_every
 *                   (curve.tsv.part while running)
 *   checkpoint.bin  magic, format version, state, checksum (atomic rename)
 *   weights.tsv     final weights
 *   metrics.tsv     final metrics; written last, so its presence means done
 */
#ifndef CREDIT_TRAIN_H
#define CREDIT_TRAIN_H

#include "session.h"

#define CREDIT_CKPT_MAGIC "CREDITCK"
#define CREDIT_CKPT_VERSION 1u

/* Exit status of a run: 0 completed, CREDIT_EDIVERGED when the loss went
 * non-finite (recorded in metrics.tsv), another status on error. */
int credit_train(credit_session *s);

typedef struct credit_ckpt_info {
    long iteration;
    uint64_t curve_offset; /* bytes of curve.tsv.part that belong to iterations < iteration */
} credit_ckpt_info;

int credit_ckpt_write(const credit_session *s, const char *path, const credit_ckpt_info *info);
/* Reads into s (parameters and optimizer state) after checking magic,
 * version, checksum, size and config hash. */
int credit_ckpt_read(credit_session *s, const char *path, credit_ckpt_info *info);

/* `credit grad`: loss, the rule's estimate and the exact gradient of every
 * parameter on one training batch, with cosines, as TSV on fp. */
int credit_grad_report(credit_session *s, FILE *fp);

#endif
