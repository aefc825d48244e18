/* ckpt.c - see ckpt.h. */
#define _GNU_SOURCE
#include "ckpt.h"
#include "util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ names */

const credit_split_name credit_splits[CREDIT_N_SPLITS] = {
    {"train", "train"}, {"valid", "valid"}, {"test", "test"}, {"test_perturbed", "ptest"},
};

/* ------------------------------------------------------------ checkpoints */

typedef struct ckpt_header {
    char magic[8];
    uint32_t version, optimizer;
    uint64_t config_hash, iteration, curve_offset, n_params, adam_t, status;
    uint64_t rule_state; /* bytes of the rule's saved state after the moments (0: a rule without save) */
} ckpt_header;

/* Bytes the session's rule saves (0 without save/load). */
static size_t rule_state_bytes(const credit_session *s)
{
    if (!s->rule_pl.save_size) return 0;
    credit_plugin_enter("rule", s->rule->head.name, "save_size");
    size_t n = s->rule_pl.save_size(s->rule_state);
    credit_plugin_leave();
    return n;
}

int credit_ckpt_write(const credit_session *s, const char *path, const credit_ckpt_info *info)
{
    ckpt_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CREDIT_CKPT_MAGIC, 8);
    h.version = CREDIT_CKPT_VERSION;
    h.optimizer = (uint32_t)s->o.optimizer;
    h.config_hash = credit_ckpt_config_hash(s->config_hash);
    h.iteration = (uint64_t)info->iteration;
    h.curve_offset = info->curve_offset;
    h.n_params = s->n_params;
    h.adam_t = (uint64_t)s->adam_t;
    h.status = (uint64_t)info->status;
    const size_t rbytes = rule_state_bytes(s);
    h.rule_state = rbytes;
    void *rbuf = calloc(1, rbytes ? rbytes : 1);
    if (!rbuf) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for rule %s's state (%zu bytes)", s->rule->head.name, rbytes);
    int st = CREDIT_OK;
    if (rbytes) {
        credit_error_clear();
        credit_plugin_enter("rule", s->rule->head.name, "save");
        st = s->rule_pl.save(s->rule_state, rbuf);
        credit_plugin_leave();
        if (st) {
            free(rbuf);
            if (!*credit_error_message()) CREDIT_ERROR(st, "rule %s could not save its state for %s (status %d)", s->rule->head.name, path, st);
            return st;
        }
    }
    credit_afile a;
    if ((st = credit_afile_open(&a, path))) {
        free(rbuf);
        return st;
    }
    /* theta, then the two Adam moments (the gradient block between them is
     * scratch and not saved). */
    const credit_real *blocks[3] = {s->theta, s->m1, s->m2};
    uint64_t sum = credit_fnv1a(&h, sizeof h, CREDIT_FNV_INIT);
    fwrite(&h, sizeof h, 1, a.fp);
    for (int b = 0; b < 3; b++) {
        sum = credit_ckpt_hash_block(blocks[b], sizeof(double) * s->n_params, sum);
        credit_ckpt_write_block(blocks[b], sizeof(double), s->n_params, a.fp);
    }
    sum = credit_fnv1a(rbuf, rbytes, sum);
    fwrite(rbuf, 1, rbytes, a.fp);
    free(rbuf);
    fwrite(&sum, sizeof sum, 1, a.fp);
    return credit_afile_commit(&a);
}

int credit_params_finite(const credit_real *theta, size_t n)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) acc += theta[i] * 0.0; /* nan for a nan or an inf anywhere */
    return acc == 0.0;
}

int credit_ckpt_read(credit_session *s, const char *path, credit_ckpt_info *info)
{
    char *data;
    size_t len;
    int st = credit_read_file(path, &data, &len);
    if (st) return st;
    ckpt_header h;
    size_t body = sizeof(double) * s->n_params * 3;
    if (len < 8 || memcmp(data, CREDIT_CKPT_MAGIC, 8) != 0) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is not a credit checkpoint (bad magic number)", path);
        goto done;
    }
    uint32_t version;
    if (len >= 12) memcpy(&version, data + 8, 4);
    if (len >= 12 && version != CREDIT_CKPT_VERSION) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s: checkpoint format version %u, this credit reads version %u", path, version,
                          CREDIT_CKPT_VERSION);
        goto done;
    }
    if (len < sizeof h) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is truncated (%zu bytes, header needs %zu)", path, len, sizeof h);
        goto done;
    }
    memcpy(&h, data, sizeof h);
    if (h.n_params != s->n_params) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s holds %llu parameters, this config needs %zu", path, (unsigned long long)h.n_params,
                          s->n_params);
        goto done;
    }
    const size_t rbytes = rule_state_bytes(s);
    if (h.rule_state != rbytes) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s holds %llu bytes of rule state, rule %s %s saves %zu (written by another rule or version?)", path,
                          (unsigned long long)h.rule_state, s->rule->head.name, s->rule->head.version, rbytes);
        goto done;
    }
    if (len != sizeof h + body + rbytes + 8) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is corrupt: %zu bytes, expected %zu", path, len, sizeof h + body + rbytes + 8);
        goto done;
    }
    uint64_t sum, want = credit_fnv1a(data, sizeof h + body + rbytes, CREDIT_FNV_INIT);
    memcpy(&sum, data + sizeof h + body + rbytes, 8);
    if (sum != want) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is corrupt (checksum mismatch)", path);
        goto done;
    }
    if (CREDIT_PRECISION != CREDIT_PRECISION_SINGLE && h.config_hash == (s->config_hash ^ CREDIT_CKPT_PREC32_TAG)) {
        /* Not "a different config": the same config, trained by the PREC=32 build. */
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s was written by the single-precision build (PREC=32), which tags its checkpoints' config "
                          "hash: this double-precision build neither resumes nor measures it (use the PREC=32 build, or train afresh)",
                          path);
        goto done;
    }
    if (h.config_hash != credit_ckpt_config_hash(s->config_hash)) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s was written with a different config (hash %016llx, this config %016llx)" CREDIT_CKPT_HASH_NOTE, path,
                          (unsigned long long)h.config_hash, (unsigned long long)credit_ckpt_config_hash(s->config_hash));
        goto done;
    }
    /* The checksum is no MAC: every field is range-checked as well. */
    const char *bad = NULL;
    if (h.status > CREDIT_CKPT_DIVERGED) bad = "status";
    else if (h.iteration > (uint64_t)s->o.iters || (h.status == CREDIT_CKPT_RUNNING && h.iteration == (uint64_t)s->o.iters))
        bad = "iteration";
    else if (h.optimizer != (uint32_t)s->o.optimizer) bad = "optimizer";
    else if (h.adam_t > h.iteration) bad = "Adam step count";
    else if (h.curve_offset > (uint64_t)1 << 50) bad = "curve offset";
    if (bad) {
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s is corrupt: its %s is out of range (iteration %lld of %ld, status %llu, Adam step %llu, curve offset %llu)",
                          path, bad, (long long)h.iteration, s->o.iters, (unsigned long long)h.status, (unsigned long long)h.adam_t,
                          (unsigned long long)h.curve_offset);
        goto done;
    }
    credit_real *blocks[3] = {s->theta, s->m1, s->m2};
    double *scratch = malloc(body ? body : 1);
    if (!scratch) { st = CREDIT_ERROR(CREDIT_ENOMEM, "out of memory reading %s", path); goto done; }
    memcpy(scratch, data + sizeof h, body);
    if (h.status != CREDIT_CKPT_DIVERGED && !credit_ckpt_finite_block(scratch, 3 * s->n_params)) {
        free(scratch);
        st = CREDIT_ERROR(CREDIT_EFORMAT, "%s holds non-finite parameters or optimizer state, but is not the checkpoint of a diverged run",
                          path);
        goto done;
    }
    if (rbytes) { /* before the parameters: a refusal leaves the session as it was */
        credit_error_clear();
        credit_plugin_enter("rule", s->rule->head.name, "load");
        st = s->rule_pl.load(s->rule_state, data + sizeof h + body, rbytes);
        credit_plugin_leave();
        if (st) {
            free(scratch);
            if (!*credit_error_message()) CREDIT_ERROR(st, "%s: rule %s refused its saved state (status %d)", path, s->rule->head.name, st);
            goto done;
        }
    }
    for (int b = 0; b < 3; b++) credit_ckpt_read_block(blocks[b], scratch + (size_t)b * s->n_params, s->n_params * sizeof(double));
    free(scratch);
    s->adam_t = (long)h.adam_t;
    info->iteration = (long)h.iteration;
    info->curve_offset = h.curve_offset;
    info->status = (int)h.status;
done:
    free(data);
    return st;
}

/* ------------------------------------------------------------ weights TSV */

int credit_weights_write(const credit_session *s, const char *path)
{
    credit_afile a;
    int st = credit_afile_open(&a, path);
    if (st) return st;
    credit_session_provenance(s, a.fp);
    fprintf(a.fp, "# weights: name row col value (W[post][pre]; b_out has col 0)\n");
    for (int m = 0; m < CREDIT_N_BLOCKS; m++) {
        const int rows = credit_block_rows(&s->dims, m), cols = credit_block_cols(&s->dims, m);
        const credit_real *data = credit_params_block(&s->w, m);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) fprintf(a.fp, "%s\t%d\t%d\t%.17g\n", credit_blocks[m].name, r, c, data[(size_t)r * cols + c]);
    }
    return credit_afile_commit(&a);
}

static int parse_index(const char *text, int *out)
{
    if (!(*text >= '0' && *text <= '9') || strlen(text) > 10) return 1;
    char *end;
    long long v = strtoll(text, &end, 10);
    if (*end || v > INT_MAX) return 1;
    *out = (int)v;
    return 0;
}

int credit_weights_read(credit_session *s, const char *path)
{
    char *text;
    size_t len;
    int st = credit_read_file(path, &text, &len);
    if (st) return st;
    /* A NUL would end the text early: the rows after it read as missing. */
    const char *nul = memchr(text, 0, len);
    if (nul) {
        int at = 1;
        for (const char *p = text; p < nul; p++) at += *p == '\n';
        free(text);
        return CREDIT_ERROR(CREDIT_EFORMAT, "%s:%d: contains a NUL byte (a binary file, or a corrupt one?)", path, at);
    }
    size_t total = s->n_params;
    unsigned char *seen = calloc(total, 1);
    if (!seen) { free(text); return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory"); }
    int lineno = 0;
    st = CREDIT_OK;
    for (char *line = text, *next; line && *line && !st; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        lineno++;
        if (*line == '#' || *line == 0) continue;
        char name[16], rtext[32], ctext[32];
        int r, c, used = 0;
        double v;
        if (sscanf(line, "%15s %31s %31s %lf %n", name, rtext, ctext, &v, &used) != 4 || line[used]) {
            st = CREDIT_ERROR(CREDIT_EFORMAT, "%s:%d: expected 'name row col value', got '%s'", path, lineno, line);
            break;
        }
        /* Indices are digits only and fit an int: 4294967296 must not wrap to 0. */
        if (parse_index(rtext, &r) || parse_index(ctext, &c)) {
            st = CREDIT_ERROR(CREDIT_EFORMAT, "%s:%d: row '%s' or col '%s' is not an index (digits, at most %d)", path, lineno, rtext,
                              ctext, INT_MAX);
            break;
        }
        const int m = credit_block_find(name);
        const int rows = m >= 0 ? credit_block_rows(&s->dims, m) : 0, cols = m >= 0 ? credit_block_cols(&s->dims, m) : 0;
        if (m < 0) {
            char names[128];
            st = CREDIT_ERROR(CREDIT_EFORMAT, "%s:%d: unknown matrix '%s' (%s)", path, lineno, name,
                              credit_block_names(0, ", ", names, sizeof names));
        } else if (r < 0 || r >= rows || c < 0 || c >= cols)
            st = CREDIT_ERROR(CREDIT_EFORMAT, "%s:%d: %s[%d][%d] is outside %s's %d x %d shape for this config", path, lineno, name,
                              r, c, name, rows, cols);
        else if (!credit_real_isfinite(v)) st = CREDIT_ERROR(CREDIT_EFORMAT, "%s:%d: %s[%d][%d] is not finite", path, lineno, name, r, c);
        else if ((credit_blocks[m].flags & CREDIT_PARAM_NO_DIAG) && r == c && v != 0.0)
            st = CREDIT_ERROR(CREDIT_EFORMAT, "%s:%d: %s[%d][%d] = %g, but self-connections are removed (diagonal must be 0)",
                              path, lineno, name, r, c, v);
        if (st) break;
        credit_real *data = credit_params_block(&s->w, m);
        size_t off = (size_t)(data - s->theta) + (size_t)r * cols + c;
        if (seen[off]) { st = CREDIT_ERROR(CREDIT_EFORMAT, "%s:%d: %s[%d][%d] given twice", path, lineno, name, r, c); break; }
        seen[off] = 1;
        data[(size_t)r * cols + c] = v;
    }
    for (int m = 0; m < CREDIT_N_BLOCKS && !st; m++) {
        const int rows = credit_block_rows(&s->dims, m), cols = credit_block_cols(&s->dims, m);
        const int no_diag = (credit_blocks[m].flags & CREDIT_PARAM_NO_DIAG) != 0;
        size_t base = (size_t)(credit_params_block(&s->w, m) - s->theta);
        for (int k = 0; k < rows * cols && !st; k++)
            if (!seen[base + k] && !(no_diag && k / cols == k % cols))
                st = CREDIT_ERROR(CREDIT_EFORMAT, "%s: %s[%d][%d] is missing (a %d x %d matrix for this config)", path,
                                  credit_blocks[m].name, k / cols, k % cols, rows, cols);
    }
    free(seen);
    free(text);
    return st;
}

#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
/* The single-precision build's block I/O (ckpt.h): checkpoints hold doubles,
 * so float blocks are widened on write and narrowed on read, both exactly (a
 * double run's checkpoint never gets here: its config hash is not tagged). */
uint64_t credit_ckpt_hash_block(const float *x, size_t bytes, uint64_t sum)
{
    for (size_t i = 0; i < bytes / sizeof(double); i++) {
        double wide = x[i];
        sum = credit_fnv1a(&wide, sizeof wide, sum);
    }
    return sum;
}

size_t credit_ckpt_write_block(const float *x, size_t size, size_t n, FILE *fp)
{
    (void)size; /* sizeof(double): what is written */
    size_t done = 0;
    double buf[512];
    while (done < n) {
        size_t k = n - done < 512 ? n - done : 512;
        for (size_t i = 0; i < k; i++) buf[i] = x[done + i];
        if (fwrite(buf, sizeof(double), k, fp) != k) break;
        done += k;
    }
    return done;
}

int credit_ckpt_finite_block(const double *x, size_t n)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) acc += x[i] * 0.0; /* nan for a nan or an inf anywhere */
    return acc == 0.0;
}

void credit_ckpt_read_block(float *dst, const double *src, size_t bytes)
{
    for (size_t i = 0; i < bytes / sizeof(double); i++) dst[i] = (float)src[i];
}
#endif
