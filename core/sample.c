/* sample.c - `credit sample TASK [key=value ...]`: a few trials of a task as
 * TSV on stdout (inputs, targets, masks, and with weights=FILE the network's
 * outputs), for the task figure and for anyone who wants to see what the
 * network is asked to do. */
#define _GNU_SOURCE
#include "ckpt.h"
#include "cli.h"
#include "util.h"

#include <stdlib.h>
#include <errno.h>
#include <string.h>

static const char *sample_help =
    "usage: credit sample [TASK] [CONFIG] [key=value ...]\n"
    "\n"
    "Writes trials of a task as TSV on stdout, after '#' provenance lines: one\n"
    "row per (trial, step) with the mask, inputs x0.., targets target0.. and,\n"
    "when weights=FILE is given, the network's readout out0.. (before softmax).\n"
    "The task is TASK, else the config's task. A first word naming a file is\n"
    "CONFIG. Own keys: split=train|valid|test|test_perturbed (default train),\n"
    "first=I (default 0), trials=N (default 4); every other key is a config key\n"
    "(the task's own: credit plugins describe TASK).\n";

typedef struct sample_args { int split; unsigned long long first, count; } sample_args;

/* Takes split=, first= and trials= out of argv (in place); returns status. */
static int sample_parse(sample_args *a, int *argc, char **argv)
{
    int kept = 0;
    for (int i = 0; i < *argc; i++) {
        const char *arg = argv[i];
        const int first = strncmp(arg, "first=", 6) == 0, trials = strncmp(arg, "trials=", 7) == 0;
        if (first || trials) {
            const char *v = strchr(arg, '=') + 1;
            char *end;
            unsigned long long *num = first ? &a->first : &a->count;
            *num = strtoull(v, &end, 10);
            if (end == v || *end || *v == '-' || (trials && (*num < 1 || *num > 100000)))
                return CREDIT_ERROR(CREDIT_EINVAL, "command line: %s = '%s' must be a whole number%s", first ? "first" : "trials", v,
                                    trials ? " in 1..100000" : " >= 0");
        } else if (strncmp(arg, "split=", 6) == 0) {
            a->split = -1;
            for (int s = 0; s < CREDIT_N_SPLITS; s++)
                if (strcmp(arg + 6, credit_splits[s].name) == 0) a->split = s;
            if (a->split < 0) {
                char names[100] = "";
                for (int s = 0, used = 0; s < CREDIT_N_SPLITS; s++)
                    used += snprintf(names + used, sizeof names - (size_t)used, "%s%s", s ? ", " : "", credit_splits[s].name);
                return CREDIT_ERROR(CREDIT_EINVAL, "command line: split = '%s' is not one of %s", arg + 6, names);
            }
        } else {
            argv[kept++] = argv[i];
        }
    }
    *argc = kept;
    return CREDIT_OK;
}

static void sample_write(const credit_session *s, const uint64_t *index, int B, int outputs, FILE *fp)
{
    const credit_fwd *f = &s->fwd;
    const int T = s->info.T, n_in = s->info.n_in, n_out = s->info.n_out;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const size_t r = (size_t)t * B + b;
            fprintf(fp, "%llu\t%d\t%.17g", (unsigned long long)index[b], t, f->mask[r]);
            for (int k = 0; k < n_in; k++) fprintf(fp, "\t%.17g", f->x[r * n_in + k]);
            for (int k = 0; k < n_out; k++) fprintf(fp, "\t%.17g", f->target[r * n_out + k]);
            for (int k = 0; outputs && k < n_out; k++) fprintf(fp, "\t%.17g", f->y[r * n_out + k]);
            fputc('\n', fp);
        }
}

static int sample_run(credit_session *s, const sample_args *a, FILE *fp)
{
    const uint64_t n = s->info.n_examples[a->split];
    if (a->first >= n || a->count > n - a->first)
        return CREDIT_ERROR(CREDIT_EINVAL, "task %s: trials %llu..%llu asked for, but its %s split has %llu", s->task->head.name, a->first,
                            a->first + a->count - 1, credit_splits[a->split].name, (unsigned long long)n);
    const int outputs = *s->o.weights != 0;
    const credit_task_info *in = &s->info;
    credit_session_provenance(s, fp);
    fprintf(fp, "# sample: %s split, trials %llu..%llu of %llu; T %d, n_in %d, n_out %d, loss %s%s\n", credit_splits[a->split].name, a->first,
            a->first + a->count - 1, (unsigned long long)n, in->T, in->n_in, in->n_out, in->loss == CREDIT_LOSS_XENT ? "xent" : "mse",
            outputs ? "; out: readout of the network in weights" : "");
    fputs("trial\tt\tmask", fp);
    for (int k = 0; k < in->n_in; k++) fprintf(fp, "\tx%d", k);
    for (int k = 0; k < in->n_out; k++) fprintf(fp, "\ttarget%d", k);
    for (int k = 0; outputs && k < in->n_out; k++) fprintf(fp, "\tout%d", k);
    fputc('\n', fp);
    /* In chunks of the session's largest batch; forward only. */
    for (uint64_t done = 0; done < a->count;) {
        int B = (int)(a->count - done < (uint64_t)s->dims.B_max ? a->count - done : (uint64_t)s->dims.B_max);
        for (int b = 0; b < B; b++) s->index[b] = a->first + done + (uint64_t)b;
        double loss;
        int st = credit_session_batch(s, a->split, s->index, B, &loss, NULL, NULL);
        if (st) return st;
        sample_write(s, s->index, B, outputs, fp);
        done += (uint64_t)B;
    }
    return fflush(fp) == 0 && !ferror(fp) ? CREDIT_OK : CREDIT_ERROR(CREDIT_EIO, "write to stdout failed: %s", strerror(errno));
}

int credit_cmd_sample(int argc, char **argv)
{
    if (credit_cli_wants_help(argc, argv)) { fputs(sample_help, stdout); return 0; }
    sample_args a = {CREDIT_SPLIT_TRAIN, 0, 4};
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args) return credit_cli_fail(CREDIT_ERROR(CREDIT_ENOMEM, "out of memory"));
    /* Leading words: a readable file is CONFIG (it must come first for the
     * config builder), anything else TASK (a task=TASK override). */
    char task[300] = "";
    const char *config = NULL;
    int n = 0, i = 0, st = CREDIT_OK;
    for (; i < argc && i < 2 && !strchr(argv[i], '='); i++) {
        FILE *fp = fopen(argv[i], "r");
        if (fp) fclose(fp);
        if (fp && !config) config = argv[i];
        else if (!fp && !*task) snprintf(task, sizeof task, "task=%s", argv[i]);
        else st = CREDIT_ERROR(CREDIT_EINVAL, "command line: expected TASK, CONFIG or key=value, got '%s'", argv[i]);
    }
    if (config) args[n++] = (char *)config;
    if (*task) args[n++] = task;
    for (; i < argc; i++) args[n++] = argv[i];
    if (!st) st = sample_parse(&a, &n, args);
    credit_session s;
    memset(&s, 0, sizeof s);
    if (!st) st = credit_cli_open_session(&s, n, args);
    if (!st) st = sample_run(&s, &a, stdout);
    int rc = st ? credit_cli_fail(st) : 0;
    credit_session_close(&s);
    free(args);
    return rc;
}
