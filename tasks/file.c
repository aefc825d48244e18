/* file.c - sequences read from a text file: bring your own data.
 *
 * The format ("credit-sequences 1", a header of n_in, n_out, T and loss,
 * then one row per split, sequence and step) is documented in
 * tasks/README.md, section "The file task".
 */
#define _POSIX_C_SOURCE 200809L
#include "credit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_PATH };
static const credit_option file_options[] = {
    {"path", CREDIT_OPT_STRING, "", 0, 0, NULL, "the sequence file (format: tasks/README.md)"},
};

enum { FILE_MAX_SEQUENCES = 100000000 }; /* per split */
enum { FILE_MAX_SIZE = 1000000 };        /* n_in, n_out and T */

/* Every value read must be finite in the build's precision
 * (credit_real_isfinite: in single precision a finite double beyond FLT_MAX
 * would be stored as inf). */

static const char *split_words[CREDIT_N_SPLITS] = {"train", "valid", "test", "test_perturbed"};

typedef struct file_split {
    uint64_t n;
    credit_real *x, *target, *mask; /* [seq][t][...] */
    unsigned char *seen;       /* [seq][t] */
} file_split;

typedef struct file_state {
    credit_task_info info;
    file_split split[CREDIT_N_SPLITS];
} file_state;

static size_t file_state_size(const credit_value *opt)
{
    (void)opt;
    return sizeof(file_state);
}

static int split_of(const char *word)
{
    for (int s = 0; s < CREDIT_N_SPLITS; s++)
        if (strcmp(word, split_words[s]) == 0) return s;
    return -1;
}

/* Reads lines, strips comments and blank lines; NULL at the end. */
typedef struct reader { FILE *fp; char *buf; size_t cap; int lineno; } reader;

static char *next_line(reader *r)
{
    while (getline(&r->buf, &r->cap, r->fp) >= 0) {
        r->lineno++;
        char *line = r->buf, *hash = strchr(line, '#');
        if (hash) *hash = 0;
        while (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\n') line++;
        /* The line break off too, so a message quoting the line stays one line. */
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (*line) return line;
    }
    return NULL;
}

/* Header: everything before the first data row. Leaves the reader at it. */
static int read_header(reader *r, const char *path, const credit_host *host, credit_task_info *info, long *data_pos, int *data_lineno)
{
    int loss = -1, set_at[4] = {0, 0, 0, 0}; /* line of n_in, n_out, T, loss */
    char *line = next_line(r);
    char word[32], val[32];
    int used = 0;
    if (!line || sscanf(line, "%31s %31s %n", word, val, &used) != 2 || strcmp(word, "credit-sequences") != 0)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: first line must be 'credit-sequences 1'", path, r->lineno);
    if (strcmp(val, "1") != 0 || line[used])
        return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: '%.40s' is not format version 1 (the first line must be 'credit-sequences 1')",
                           path, r->lineno, line);
    for (;;) {
        long pos = ftell(r->fp);
        int before = r->lineno;
        if (pos < 0) return host->error(host->ctx, CREDIT_EIO, "%s: cannot tell the read position (not a regular file?)", path);
        if (!(line = next_line(r))) return host->error(host->ctx, CREDIT_EFORMAT, "%s: no data rows", path);
        used = 0;
        if (sscanf(line, "%31s %31s %n", word, val, &used) != 2)
            return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: expected 'key value' or a data row", path, r->lineno);
        if (split_of(word) >= 0) {
            *data_pos = pos; /* start of the line before this read */
            *data_lineno = before;
            break;
        }
        if (line[used])
            return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: header line '%s %s' is followed by '%.40s': one key and one value per line",
                               path, r->lineno, word, val, line + used);
        static const char *keys[4] = {"n_in", "n_out", "T", "loss"};
        for (int k = 0; k < 4; k++)
            if (strcmp(word, keys[k]) == 0) {
                if (set_at[k])
                    return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: %s is set twice (already at line %d)", path, r->lineno, word,
                                       set_at[k]);
                set_at[k] = r->lineno;
            }
        char *end;
        long v = strtol(val, &end, 10);
        if (strcmp(word, "loss") == 0) {
            if (strcmp(val, "mse") == 0) loss = CREDIT_LOSS_MSE;
            else if (strcmp(val, "xent") == 0) loss = CREDIT_LOSS_XENT;
            else return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: loss '%s' is not mse or xent", path, r->lineno, val);
        } else if (strcmp(word, "n_in") == 0 || strcmp(word, "n_out") == 0 || strcmp(word, "T") == 0) {
            if (*end || v < 1 || v > FILE_MAX_SIZE)
                return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: %s must be an integer in 1..%d, got '%s'", path, r->lineno, word,
                                   FILE_MAX_SIZE, val);
            *(word[0] == 'T' ? &info->T : strcmp(word, "n_in") == 0 ? &info->n_in : &info->n_out) = (int)v;
        } else {
            return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: unknown header key '%s' (n_in, n_out, T, loss)", path, r->lineno, word);
        }
    }
    if (!info->n_in || !info->n_out || !info->T || loss < 0)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s: the header must set n_in, n_out, T and loss before the data", path);
    info->loss = (credit_loss_kind)loss;
    return CREDIT_OK;
}

static int parse_rows(file_state *s, reader *r, const char *path, const credit_host *host, int counting)
{
    const credit_task_info *in = &s->info;
    const int values = in->n_in + in->n_out;
    char *line;
    while ((line = next_line(r))) {
        char word[32], seq_text[32];
        long t;
        double mask;
        int used;
        if (sscanf(line, "%31s %31s %ld %lf%n", word, seq_text, &t, &mask, &used) != 4 || split_of(word) < 0)
            return host->error(host->ctx, CREDIT_EFORMAT,
                               "%s:%d: expected 'split seq t mask' (split: train, valid, test or test_perturbed) and %d values",
                               path, r->lineno, values);
        /* Digits only, and small enough that seq * T indexes stay far from overflow. */
        char *seq_end;
        unsigned long long seq = strtoull(seq_text, &seq_end, 10);
        if (!(seq_text[0] >= '0' && seq_text[0] <= '9') || *seq_end || seq >= FILE_MAX_SEQUENCES)
            return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: sequence number '%s' is not an integer in 0..%d", path,
                               r->lineno, seq_text, FILE_MAX_SEQUENCES - 1);
        file_split *f = &s->split[split_of(word)];
        if (counting) {
            if (seq + 1 > f->n) f->n = seq + 1;
            continue;
        }
        if (t < 0 || t >= in->T)
            return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: step %ld outside 0..%d", path, r->lineno, t, in->T - 1);
        if (!(mask >= 0.0) || !credit_real_isfinite(mask))
            return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: mask must be a finite weight >= 0", path, r->lineno);
        size_t step = (size_t)seq * in->T + (size_t)t;
        if (f->seen[step])
            return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: %s sequence %llu step %ld appears twice", path, r->lineno, word, seq, t);
        f->seen[step] = 1;
        f->mask[step] = mask;
        char *p = line + used;
        for (int k = 0; k < values; k++) {
            char *end;
            double v = strtod(p, &end);
            if (end == p || !credit_real_isfinite(v))
                return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: value %d of %d is missing or not a finite number", path,
                                   r->lineno, k + 1, values);
            if (k < in->n_in) f->x[step * in->n_in + k] = v;
            else f->target[step * in->n_out + (k - in->n_in)] = v;
            p = end;
        }
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (*p) return host->error(host->ctx, CREDIT_EFORMAT, "%s:%d: more than %d values", path, r->lineno, values);
    }
    return CREDIT_OK;
}

static int file_load(file_state *s, reader *r, const char *path, const credit_host *host)
{
    long data_pos = 0;
    int data_lineno = 0, st;
    if ((st = read_header(r, path, host, &s->info, &data_pos, &data_lineno))) return st;
    /* Pass 1 counts sequences, pass 2 stores them. */
    for (int pass = 0; pass < 2; pass++) {
        if (fseek(r->fp, data_pos, SEEK_SET) != 0)
            return host->error(host->ctx, CREDIT_EIO, "%s: cannot seek back to the data rows (not a regular file?)", path);
        r->lineno = data_lineno;
        if ((st = parse_rows(s, r, path, host, pass == 0))) return st;
        if (pass) break;
        for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) {
            file_split *f = &s->split[sp];
            size_t steps = f->n * (size_t)s->info.T;
            if (!steps) continue;
            /* Refused before asking: a header's sizes (each up to FILE_MAX_SIZE)
             * can claim terabytes, which an allocator may abort on (ASan's does). */
            const double need = (double)steps * ((double)sizeof(credit_real) * ((double)s->info.n_in + s->info.n_out + 1) + 1);
            const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
            const double have = pages > 0 && page > 0 ? (double)pages * (double)page : (double)SIZE_MAX / 2;
            if (need > have)
                return host->error(host->ctx, CREDIT_ENOMEM,
                                   "%s: the %s split's %llu sequences of T = %d steps, n_in = %d, n_out = %d need %.3g GB, more than this machine's %.3g GB of memory",
                                   path, split_words[sp], (unsigned long long)f->n, s->info.T, s->info.n_in, s->info.n_out, need / 1e9, have / 1e9);
            f->x = host->alloc(host->ctx, sizeof(credit_real) * steps * s->info.n_in);
            f->target = host->alloc(host->ctx, sizeof(credit_real) * steps * s->info.n_out);
            f->mask = host->alloc(host->ctx, sizeof(credit_real) * steps);
            f->seen = host->alloc(host->ctx, steps);
            if (!f->x || !f->target || !f->mask || !f->seen)
                return host->error(host->ctx, CREDIT_ENOMEM, "%s: out of memory for the %s split's %.3g GB", path, split_words[sp], need / 1e9);
        }
    }
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++) {
        const file_split *f = &s->split[sp];
        double scored = 0.0;
        for (size_t k = 0; k < f->n * (size_t)s->info.T; k++) {
            if (!f->seen[k])
                return host->error(host->ctx, CREDIT_EFORMAT, "%s: %s sequence %zu has no row for step %zu", path, split_words[sp],
                                   k / s->info.T, k % s->info.T);
            scored += f->mask[k];
            /* Cross-entropy needs a class distribution wherever a step is scored. */
            if (s->info.loss == CREDIT_LOSS_XENT && f->mask[k] > 0) {
                const credit_real *tg = f->target + k * s->info.n_out;
                double sum = 0.0;
                int ok = 1;
                for (int c = 0; c < s->info.n_out; c++) {
                    ok &= tg[c] >= 0.0 && tg[c] <= 1.0;
                    sum += tg[c];
                }
                if (!ok || fabs(sum - 1.0) > 1e-6)
                    return host->error(host->ctx, CREDIT_EFORMAT,
                                       "%s: %s sequence %zu step %zu: loss xent needs targets in [0, 1] summing to 1 on a scored step (sum %g)",
                                       path, split_words[sp], k / s->info.T, k % s->info.T, sum);
            }
        }
        if (f->n && !(scored > 0))
            return host->error(host->ctx, CREDIT_EFORMAT, "%s: every mask of the %s split is 0, so it has no scored step", path,
                               split_words[sp]);
        s->info.n_examples[sp] = f->n;
    }
    if (!s->info.n_examples[CREDIT_SPLIT_TRAIN]) return host->error(host->ctx, CREDIT_EFORMAT, "%s: no train rows", path);
    return CREDIT_OK;
}

static int file_init(void *state, const credit_value *opt, const credit_host *host, credit_task_info *info)
{
    file_state *s = state;
    const char *path = opt[OPT_PATH].s;
    if (!*path) return host->error(host->ctx, CREDIT_EINVAL, "path = FILE is required (the sequence file)");
    /* The file is read twice (count, then store): a pipe or a directory
     * cannot be. Checked before opening, which would wait on a FIFO. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return host->error(host->ctx, CREDIT_EINVAL, "sequence file %s is not a regular file (%s): copy it to a file first", path,
                           S_ISDIR(sb.st_mode) ? "a directory" : S_ISFIFO(sb.st_mode) ? "a pipe" : "a device or socket");
    reader r = {fopen(path, "r"), NULL, 0, 0};
    if (!r.fp) return host->error(host->ctx, CREDIT_EIO, "cannot open sequence file %s", path);
    int st = file_load(s, &r, path, host);
    free(r.buf);
    fclose(r.fp);
    if (!st) *info = s->info;
    return st;
}

static int file_fill(void *state, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask)
{
    const file_state *s = state;
    if (split < 0 || split >= CREDIT_N_SPLITS) return CREDIT_EINVAL;
    const file_split *f = &s->split[split];
    const int T = s->info.T, n_in = s->info.n_in, n_out = s->info.n_out;
    for (int b = 0; b < B; b++) {
        if (index[b] >= f->n) return CREDIT_EINVAL;
        for (int t = 0; t < T; t++) {
            size_t src = (size_t)index[b] * T + t, dst = (size_t)t * B + b;
            memcpy(x + dst * n_in, f->x + src * n_in, sizeof(credit_real) * n_in);
            memcpy(target + dst * n_out, f->target + src * n_out, sizeof(credit_real) * n_out);
            mask[dst] = f->mask[src];
        }
    }
    return CREDIT_OK;
}

static const credit_task file_task = {
    .head = {
        CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_TASK, credit_task),
        .name = "file",
        .version = "1.0",
        .summary = "sequences (inputs, targets, masks, loss) read from a text file",
        .citation = "format: tasks/README.md",
        .options = file_options,
        .n_options = sizeof file_options / sizeof file_options[0],
    },
    .state_size = file_state_size,
    .init = file_init,
    .fill = file_fill,
};

CREDIT_TASK_EXPORT(file, file_task)
