/* util.h - error reporting, hashing, atomic files: the small services every
 * module of the core shares. */
#ifndef CREDIT_UTIL_H
#define CREDIT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Every error goes through CREDIT_ERROR: it records the message (which names
 * the file, key or value) and the source location, and returns the status,
 * so callers write `return CREDIT_ERROR(CREDIT_EIO, "...", ...)`. */
#define CREDIT_ERROR(status, ...) credit_error_set(__FILE__, __LINE__, (status), __VA_ARGS__)
int credit_error_set(const char *src, int line, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int credit_error_setv(const char *src, int line, int status, const char *fmt, va_list ap);
const char *credit_error_message(void); /* last message, "" if none */
const char *credit_error_where(void);   /* "core/config.c:120" */
void credit_error_clear(void);

/* FNV-1a, 64 bit: config hashes and checkpoint checksums. */
uint64_t credit_fnv1a(const void *data, size_t n, uint64_t h);
#define CREDIT_FNV_INIT 0xcbf29ce484222325ull

/* Write-then-rename: open PATH.tmp, and on commit flush, fsync, rename it
 * over PATH and fsync the directory, so neither a kill nor a power loss
 * leaves PATH half-written. */
typedef struct credit_afile { FILE *fp; char *path, *tmp; } credit_afile;
int credit_afile_open(credit_afile *a, const char *path);
int credit_afile_commit(credit_afile *a); /* closes; error (with errno's text) if any write failed */

/* The other durable steps of a run, each a crash point: flush and fsync an
 * open stream (what names it in messages), rename and fsync the directory
 * holding the new name, fsync a directory. */
int credit_fsync_stream(FILE *fp, const char *what);
int credit_rename_durable(const char *from, const char *to);
int credit_fsync_dir_of(const char *path);

/* Crash points, for the crash-point test (tests/test_crash.c): every write,
 * rename, fsync, truncate and remove of a run's files passes one. With
 * CREDIT_CRASH_AT=N in the environment the process kills itself (SIGKILL)
 * at the N-th; a process that passes them all prints "credit: crash points
 * N" on stderr at exit. Without the variable a point costs one branch. */
void credit_crash_point(const char *what);

/* Read a whole file; NUL-terminated; caller frees. A directory is refused
 * by name; pipes are read to their end. */
int credit_read_file(const char *path, char **data, size_t *len);
int credit_mkdir_p(const char *path);
/* An exclusive lock (flock) on DIR/.lock, held until credit_unlock_dir(*fd)
 * or the process's end: two processes never write one run directory at once. */
int credit_lock_dir(const char *dir, int *fd);
void credit_unlock_dir(int fd);
char *credit_strdup(const char *s);
double credit_now(void); /* monotonic seconds */

#endif
