/* tsv.c - see tsv.h. */
#define _POSIX_C_SOURCE 200809L
#include "tsv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void stats_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("credit-stats: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void *stats_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) stats_die("out of memory");
    return p;
}

void *stats_realloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) stats_die("out of memory");
    return p;
}

char *stats_strdup(const char *s) { return strcpy(stats_calloc(strlen(s) + 1, 1), s); }

static size_t split_tabs(char *line, char ***out)
{
    size_t n = 1;
    for (char *p = line; *p; p++) n += *p == '\t';
    char **f = stats_calloc(n, sizeof *f);
    size_t k = 0;
    for (char *p = line;;) {
        f[k++] = p;
        char *t = strchr(p, '\t');
        if (!t) break;
        *t = 0;
        p = t + 1;
    }
    *out = f;
    return n;
}

int tsv_read(tsv_table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno == ENOENT) return -1;
        stats_die("%s: %s", path, strerror(errno));
    }
    t->path = stats_strdup(path);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int newline = 1;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        /* A file cut short (a full disk, a kill, an editor) must not pass
         * for a complete one: every line the trainer writes ends in \n. */
        newline = len > 0 && line[len - 1] == '\n';
        if (strlen(line) != (size_t)len) stats_die("%s:%zu: a NUL byte (a damaged file)", path, lineno);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (line[0] == '#') {
            t->comment = stats_realloc(t->comment, (t->ncomment + 1) * sizeof *t->comment);
            t->comment[t->ncomment++] = stats_strdup(line);
            continue;
        }
        if (len == 0) continue;
        char **f;
        size_t n = split_tabs(stats_strdup(line), &f);
        if (!t->head) {
            t->head = f;
            t->ncol = n;
            continue;
        }
        if (n != t->ncol) stats_die("%s:%zu: a row has %zu fields, the header %zu", path, lineno, n, t->ncol);
        t->row = stats_realloc(t->row, (t->nrow + 1) * sizeof *t->row);
        t->line = stats_realloc(t->line, (t->nrow + 1) * sizeof *t->line);
        t->line[t->nrow] = lineno;
        t->row[t->nrow++] = f;
    }
    if (ferror(fp)) stats_die("%s: %s", path, strerror(errno));
    free(line);
    fclose(fp);
    if (!newline) stats_die("%s:%zu: no newline at the end of the file (cut short?)", path, lineno);
    if (!t->head) stats_die("%s: no header row", path);
    return 0;
}

/* Field 0 of each row owns the row's line. */
void tsv_free(tsv_table *t)
{
    if (t->head) free(t->head[0]);
    free(t->head);
    for (size_t i = 0; i < t->nrow; i++) {
        free(t->row[i][0]);
        free(t->row[i]);
    }
    free(t->row);
    for (size_t i = 0; i < t->ncomment; i++) free(t->comment[i]);
    free(t->comment);
    free(t->line);
    free(t->path);
    memset(t, 0, sizeof *t);
}

int tsv_col(const tsv_table *t, const char *name)
{
    for (size_t j = 0; t->head && j < t->ncol; j++)
        if (strcmp(t->head[j], name) == 0) return (int)j;
    return -1;
}

int tsv_parse_num(const char *s, double *v)
{
    /* "%.17g" and "%.9g" of a double print digits, sign, point and exponent,
     * or these words; strtod alone would also take a prefix ("1.5junk"),
     * blanks, hex and "infinity", none of which the trainer writes. */
    static const char *const words[] = {"nan", "-nan", "inf", "-inf"};
    for (size_t k = 0; k < sizeof words / sizeof *words; k++)
        if (!strcmp(s, words[k])) return *v = k < 2 ? NAN : k == 2 ? INFINITY : -INFINITY, 0;
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s)) return -1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*end || end == s) return -1;
    *v = x; /* out of range: strtod's +-HUGE_VAL or 0, as printf would print them */
    return 0;
}

double tsv_num(const char *s)
{
    double v;
    return tsv_parse_num(s, &v) ? NAN : v;
}

double tsv_field_num(const tsv_table *t, size_t i, int j)
{
    double v;
    if (tsv_parse_num(t->row[i][j], &v))
        stats_die("%s:%zu: column '%s': '%s' is not a number", t->path ? t->path : "?", t->line ? t->line[i] : 0, t->head[j], t->row[i][j]);
    return v;
}

FILE *tsv_open(tsv_out *o, const char *name)
{
    size_t n = sizeof o->open / sizeof *o->open, slot = 0;
    while (slot < n && o->open[slot].fp) slot++;
    if (slot == n) stats_die("too many tables open at once");
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", o->dir, name);
    if (credit_afile_open(&o->open[slot], path)) stats_die("%s", credit_error_message());
    FILE *fp = o->open[slot].fp;
    const char *prov = o->provenance ? o->provenance : "";
    if (strstr(name, ".tsv")) fprintf(fp, "# %s: made by credit-stats (figures/stats.c) from the run directories in the manifest\n%s", name, prov);
    else if (strstr(name, ".md") && *prov) {
        /* invisible in the rendered Markdown; figures/render.awk skips it in includes */
        fputs("<!--", fp);
        for (const char *p = prov; *p; p++) fputc(*p == '\n' && p[1] ? ';' : *p == '\n' ? ' ' : *p, fp);
        fputs("-->\n", fp);
    }
    return fp;
}

void tsv_close(tsv_out *o, FILE *fp)
{
    size_t n = sizeof o->open / sizeof *o->open, slot = 0;
    while (slot < n && o->open[slot].fp != fp) slot++;
    if (slot == n) stats_die("closing a table that is not open");
    if (credit_afile_commit(&o->open[slot])) stats_die("%s", credit_error_message());
}

void tsv_pnum(FILE *fp, double v) { isfinite(v) ? fprintf(fp, "%.6g", v) : fprintf(fp, "nan"); }

const char *tsv_fmt3(double v, char *buf)
{
    if (!isfinite(v)) return strcpy(buf, "n/a");
    if (v != 0 && fabs(v) < 1e-3) snprintf(buf, 32, "%.2e", v);
    else snprintf(buf, 32, "%.3g", v);
    return buf;
}

const char *tsv_fmtp(double p, char *buf)
{
    if (!isfinite(p)) return strcpy(buf, "n/a");
    if (p < 1e-4) return strcpy(buf, "<1e-4");
    snprintf(buf, 32, "%.3g", p);
    return buf;
}
