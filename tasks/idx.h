/* idx.h - a reader for the IDX files MNIST comes in (LeCun et al.), as static
 * functions for tasks/smnist.c and tests/test_tasks.c.
 *
 * Layout, big-endian: bytes 0-1 zero, byte 2 the element type (0x08 =
 * unsigned byte), byte 3 the number of dimensions; then one uint32 per
 * dimension; then the data, row-major. MNIST images are 0x00000803
 * (count x rows x cols), labels 0x00000801 (count). Every check names the
 * file and what is wrong; the whole file is read into host memory and kept
 * as bytes (47 MB for the MNIST training images).
 */
#ifndef CREDIT_IDX_H
#define CREDIT_IDX_H

#include "credit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define IDX_MAGIC_IMAGES 0x00000803u
#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_MAX_SIDE 4096u /* rows and cols: a sanity bound, far above MNIST's 28 */

typedef struct idx_data {
    uint32_t count, rows, cols; /* rows = cols = 1 for labels */
    const uint8_t *data;        /* count x rows x cols bytes, inside host memory */
} idx_data;

static uint32_t idx_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Reads PATH whole, checks the magic number (type and dimension count) and
 * that the file holds exactly header + count x rows x cols bytes. */
static int idx_read(const char *path, uint32_t magic, const credit_host *host, idx_data *out)
{
    const unsigned ndim = magic & 0xffu;
    const size_t header = 4 + 4 * (size_t)ndim;
    const char *what = ndim == 3 ? "images" : "labels";
    memset(out, 0, sizeof *out);
    /* Before opening, which would wait on a FIFO; a directory would report
     * a length of LONG_MAX. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return host->error(host->ctx, CREDIT_EIO, "IDX %s file %s is not a regular file (%s)", what, path,
                           S_ISDIR(sb.st_mode) ? "a directory" : "a pipe, device or socket");
    FILE *fp = fopen(path, "rb");
    if (!fp) return host->error(host->ctx, CREDIT_EIO, "cannot open IDX %s file %s: %s", what, path, strerror(errno));
    long len = -1;
    if (fseek(fp, 0, SEEK_END) == 0) len = ftell(fp);
    if (len < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return host->error(host->ctx, CREDIT_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    uint8_t *buf = host->alloc(host->ctx, (size_t)len + 1);
    if (!buf) {
        fclose(fp);
        return host->error(host->ctx, CREDIT_ENOMEM, "out of memory for %s (%ld bytes)", path, len);
    }
    size_t got = fread(buf, 1, (size_t)len, fp);
    int failed = ferror(fp);
    fclose(fp);
    if (failed || got != (size_t)len) return host->error(host->ctx, CREDIT_EIO, "cannot read %s: short read", path);
    if ((size_t)len < 4)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s: truncated: %ld bytes, an IDX file starts with a 4-byte magic number", path, len);
    const uint32_t m = idx_be32(buf);
    if (buf[0] == 0x1f && buf[1] == 0x8b)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s: gzip-compressed, not an IDX file (gunzip it; make data does)", path);
    if ((m & 0xffffff00u) != (magic & 0xffffff00u))
        return host->error(host->ctx, CREDIT_EFORMAT, "%s: magic number 0x%08x is not an IDX file of unsigned bytes (expected 0x%08x for %s)",
                           path, m, magic, what);
    if ((m & 0xffu) != ndim)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s: %u dimensions, expected %u for %s (magic 0x%08x, expected 0x%08x)", path,
                           m & 0xffu, ndim, what, m, magic);
    if ((size_t)len < header)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s: truncated: %ld bytes, the IDX header of %s is %zu", path, len, what, header);
    out->count = idx_be32(buf + 4);
    out->rows = ndim == 3 ? idx_be32(buf + 8) : 1;
    out->cols = ndim == 3 ? idx_be32(buf + 12) : 1;
    if (out->rows < 1 || out->cols < 1 || out->rows > IDX_MAX_SIDE || out->cols > IDX_MAX_SIDE)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s: image size %u x %u is outside 1..%u", path, out->rows, out->cols,
                           IDX_MAX_SIDE);
    const unsigned long long want = header + (unsigned long long)out->count * out->rows * out->cols;
    if ((unsigned long long)len != want)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s: %s: %ld bytes, the header (%u x %u x %u) needs %llu",
                           path, (unsigned long long)len < want ? "truncated" : "trailing bytes", len, out->count, out->rows,
                           out->cols, want);
    out->data = buf + header;
    return CREDIT_OK;
}

/* An images file and its labels file: magic numbers, sizes, labels in
 * 0..classes-1, and one label per image. */
static int idx_read_pair(const char *images_path, const char *labels_path, int classes, const credit_host *host, idx_data *images,
                         idx_data *labels)
{
    int st = idx_read(images_path, IDX_MAGIC_IMAGES, host, images);
    if (!st) st = idx_read(labels_path, IDX_MAGIC_LABELS, host, labels);
    if (st) return st;
    for (uint32_t i = 0; i < labels->count; i++)
        if (labels->data[i] >= classes)
            return host->error(host->ctx, CREDIT_EFORMAT, "%s: label %u of example %u is outside 0..%d", labels_path, labels->data[i], i,
                               classes - 1);
    if (images->count != labels->count)
        return host->error(host->ctx, CREDIT_EFORMAT, "%s holds %u images but %s holds %u labels", images_path, images->count,
                           labels_path, labels->count);
    return CREDIT_OK;
}

#endif
