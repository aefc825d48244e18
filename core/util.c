/* util.c - see util.h. */
#define _POSIX_C_SOURCE 200809L
#include "util.h"
#include "credit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char error_message[8192];
static char error_where[256];

int credit_error_setv(const char *src, int line, int status, const char *fmt, va_list ap)
{
    int n = vsnprintf(error_message, sizeof error_message, fmt, ap);
    /* A message cut short says so instead of ending mid-word. */
    if (n >= (int)sizeof error_message) memcpy(error_message + sizeof error_message - 16, " [... cut here]", 16);
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

/* ------------------------------------------------------------ crash points */

static long crash_at = -1, crash_passed; /* -1: not read yet; 0: off */

static void crash_report(void)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "credit: crash points %ld\n", crash_passed);
    if (write(2, buf, (size_t)n) < 0) return;
}

void credit_crash_point(const char *what)
{
    if (crash_at < 0) {
        const char *env = getenv("CREDIT_CRASH_AT");
        crash_at = env && *env ? strtol(env, NULL, 10) : 0;
        if (crash_at > 0) atexit(crash_report);
        else crash_at = 0;
    }
    if (!crash_at) return;
    if (++crash_passed == crash_at) {
        if (getenv("CREDIT_CRASH_VERBOSE")) fprintf(stderr, "credit: crash at point %ld (%s)\n", crash_passed, what);
        raise(SIGKILL);
    }
}

/* ------------------------------------------------------------ durable files */

int credit_fsync_stream(FILE *fp, const char *what)
{
    credit_crash_point("flush");
    if (fflush(fp) != 0 || ferror(fp)) return CREDIT_ERROR(CREDIT_EIO, "write to %s failed: %s", what, strerror(errno));
    credit_crash_point("fsync");
    /* EINVAL: a pipe or special file, which has nothing to make durable. */
    if (fsync(fileno(fp)) != 0 && errno != EINVAL) return CREDIT_ERROR(CREDIT_EIO, "cannot fsync %s: %s", what, strerror(errno));
    return CREDIT_OK;
}

int credit_fsync_dir_of(const char *path)
{
    char dir[4200];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    credit_crash_point("fsync dir");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return CREDIT_ERROR(CREDIT_EIO, "cannot open directory %s to fsync it: %s", dir, strerror(errno));
    int bad = fsync(fd) != 0 && errno != EINVAL;
    int e = errno;
    close(fd);
    if (bad) return CREDIT_ERROR(CREDIT_EIO, "cannot fsync directory %s: %s", dir, strerror(e));
    return CREDIT_OK;
}

int credit_rename_durable(const char *from, const char *to)
{
    credit_crash_point("rename");
    if (rename(from, to) != 0) return CREDIT_ERROR(CREDIT_EIO, "cannot rename %s to %s: %s", from, to, strerror(errno));
    return credit_fsync_dir_of(to);
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
    credit_crash_point("open temp");
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
    int status = credit_fsync_stream(a->fp, a->tmp);
    if (fclose(a->fp) != 0 && !status) status = CREDIT_ERROR(CREDIT_EIO, "write to %s failed: %s", a->tmp, strerror(errno));
    if (status) remove(a->tmp);
    else if ((status = credit_rename_durable(a->tmp, a->path))) remove(a->tmp);
    free(a->path); free(a->tmp);
    memset(a, 0, sizeof *a);
    return status;
}

int credit_read_file(const char *path, char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return CREDIT_ERROR(CREDIT_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(fp);
        return CREDIT_ERROR(CREDIT_EIO, "%s is a directory, not a file", path);
    }
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
    int err = ferror(fp) ? errno : 0;
    fclose(fp);
    if (!buf) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory reading %s", path);
    if (err) {
        free(buf);
        return CREDIT_ERROR(CREDIT_EIO, "error reading %s: %s", path, strerror(err));
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

int credit_lock_dir(const char *dir, int *fdp)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return CREDIT_ERROR(CREDIT_EIO, "cannot create the lock file %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return CREDIT_ERROR(CREDIT_EIO, "%s is in use: another credit process holds its lock (%s); wait for it or use another out=",
                                dir, path);
        return CREDIT_ERROR(CREDIT_EIO, "cannot lock %s: %s", path, strerror(e));
    }
    *fdp = fd;
    return CREDIT_OK;
}

void credit_unlock_dir(int fd)
{
    if (fd >= 0) close(fd);
}

double credit_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
