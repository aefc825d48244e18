/* tsv.h - credit-stats' input and output: TSV tables in, tables out through
 * a temp name (written, fsynced, renamed), numbers in fixed formats. */
#ifndef CREDIT_FIGURES_TSV_H
#define CREDIT_FIGURES_TSV_H

#include <stddef.h>
#include <stdio.h>

#include "util.h" /* credit_afile: durable temp-and-rename files */

/* Bad input ends credit-stats with a message naming the file, key or value. */
void stats_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void *stats_calloc(size_t n, size_t size);
void *stats_realloc(void *p, size_t size);
char *stats_strdup(const char *s);

/* A TSV file: '#' lines skipped (kept in `comment`), the first other line is the header. */
typedef struct tsv_table {
    char **head;
    size_t ncol;
    char ***row; /* row[i][j] */
    size_t nrow;
    char **comment; /* the '#' lines, without the newline */
    size_t ncomment;
    size_t *line; /* line[i]: row i's line number in the file, for messages */
    char *path;
} tsv_table;

/* 0 on success, -1 if the file does not exist; dies on a malformed one: a
 * row with the wrong number of fields, no header, a NUL byte, or no final
 * newline (a file cut short). */
int tsv_read(tsv_table *t, const char *path);
void tsv_free(tsv_table *t);
/* Column index by header name, -1 if absent: readers never rely on positions. */
int tsv_col(const tsv_table *t, const char *name);
/* A number; NaN for text that is not wholly one (no numeric prefix). */
double tsv_num(const char *s);
/* 0 and the value when s is exactly what the trainer writes for a number
 * (decimal, with exponent, or nan, -nan, inf, -inf), -1 otherwise. */
int tsv_parse_num(const char *s, double *v);
/* Row i's field in column j as a number; dies naming the file, line and
 * column when it is not one. */
double tsv_field_num(const tsv_table *t, size_t i, int j);

/* The output directory, the provenance every table carries and the tables open now. */
typedef struct tsv_out {
    const char *dir;
    const char *provenance; /* '#' lines for the header of every .tsv (and, as an HTML comment, every .md) */
    credit_afile open[24];
} tsv_out;

/* Opens NAME.tmp in the output directory; tsv_close fsyncs and renames it
 * (core/util.c's credit_afile, with its crash points), so a killed run never
 * leaves a half-written table that looks complete. */
FILE *tsv_open(tsv_out *o, const char *name);
void tsv_close(tsv_out *o, FILE *fp);

/* %.6g in tables, nan for a non-finite value. */
void tsv_pnum(FILE *fp, double v);
/* 3 significant digits for the paper (n/a for a non-finite value); buf holds 32. */
const char *tsv_fmt3(double v, char *buf);
/* A p-value for the paper: <1e-4 below that. */
const char *tsv_fmtp(double p, char *buf);

#endif
