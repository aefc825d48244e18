/* util.c - see util.h. */
#define _POSIX_C_SOURCE 200809L
#include "util.h"
#include "credit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char error_message[2048];
static char error_where[256];

int credit_error_setv(const char *src, int line, int status, const char *fmt, va_list ap)
{
    vsnprintf(error_message, sizeof error_message, fmt, ap);
    snprintf(error_where, sizeof error_where, "%s:%d", src, line);
    return status;
}

int credit_error_set(const char *src, int line, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    credit_error_setv(src, line, status, fmt, ap);
    va_end(ap);
    return status;
}

const char *credit_error_message(void) { return error_message; }
const char *credit_error_where(void) { return error_where; }
void credit_error_clear(void) { error_message[0] = error_where[0] = 0; }

uint64_t credit_fnv1a(const void *data, size_t n, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

char *credit_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int credit_afile_open(credit_afile *a, const char *path)
{
    memset(a, 0, sizeof *a);
    size_t n = strlen(path);
    a->path = credit_strdup(path);
    a->tmp = malloc(n + 5);
    if (!a->path || !a->tmp) {
        free(a->path); free(a->tmp);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    }
    memcpy(a->tmp, path, n);
    memcpy(a->tmp + n, ".tmp", 5);
    a->fp = fopen(a->tmp, "wb");
    if (!a->fp) {
        int e = errno;
        free(a->path); free(a->tmp);
        a->path = a->tmp = NULL;
        return CREDIT_ERROR(CREDIT_EIO, "cannot write %s.tmp: %s", path, strerror(e));
    }
    return CREDIT_OK;
}

int credit_afile_commit(credit_afile *a)
{
    int bad = ferror(a->fp);
    bad |= fclose(a->fp) != 0;
    int status = CREDIT_OK;
    if (bad) {
        remove(a->tmp);
        status = CREDIT_ERROR(CREDIT_EIO, "write to %s failed (disk full?)", a->path);
    } else if (rename(a->tmp, a->path) != 0) {
        status = CREDIT_ERROR(CREDIT_EIO, "cannot rename %s to %s: %s", a->tmp, a->path, strerror(errno));
        remove(a->tmp);
    }
    free(a->path); free(a->tmp);
    memset(a, 0, sizeof *a);
    return status;
}

void credit_afile_abort(credit_afile *a)
{
    if (a->fp) {
        fclose(a->fp);
        remove(a->tmp);
    }
    free(a->path); free(a->tmp);
    memset(a, 0, sizeof *a);
}

int credit_read_file(const char *path, char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return CREDIT_ERROR(CREDIT_EIO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, fp);
        if (n < cap) break;
        char *bigger = realloc(buf, 2 * cap + 1);
        if (!bigger) { free(buf); buf = NULL; break; }
        buf = bigger;
        cap *= 2;
    }
    int err = ferror(fp);
    fclose(fp);
    if (!buf) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory reading %s", path);
    if (err) {
        free(buf);
        return CREDIT_ERROR(CREDIT_EIO, "error reading %s", path);
    }
    buf[n] = 0;
    *data = buf;
    if (len) *len = n;
    return CREDIT_OK;
}

int credit_mkdir_p(const char *path)
{
    char *p = credit_strdup(path);
    if (!p) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                int e = errno;
                int st = CREDIT_ERROR(CREDIT_EIO, "cannot create directory %s: %s", p, strerror(e));
                free(p);
                return st;
            }
            *s = c;
            if (!c) break;
        }
    }
    free(p);
    return CREDIT_OK;
}

double credit_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
