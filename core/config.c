/* config.c - see config.h. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

void credit_config_free(credit_config *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].key); free(c->e[i].value); free(c->e[i].origin);
    }
    free(c->e);
    free(c->slot);
    memset(c, 0, sizeof *c);
}

/* Keys are looked up through an open-addressing hash: a linear search per
 * key made a file of 100,000 keys take 40 s before its first error. */
static size_t *slot_of(const credit_config *c, const char *key)
{
    size_t mask = c->nslot - 1, i = (size_t)credit_fnv1a(key, strlen(key), CREDIT_FNV_INIT) & mask;
    while (c->slot[i] && strcmp(c->e[c->slot[i] - 1].key, key) != 0) i = (i + 1) & mask;
    return &c->slot[i];
}

static credit_config_entry *find(const credit_config *c, const char *key)
{
    if (!c->nslot) return NULL;
    size_t at = *slot_of(c, key);
    return at ? &c->e[at - 1] : NULL;
}

/* Room for one more key, keeping the table at most half full. */
static int slots_grow(credit_config *c)
{
    if (2 * (c->n + 1) < c->nslot) return CREDIT_OK;
    size_t n = c->nslot ? 2 * c->nslot : 64, *old = c->slot;
    if (!(c->slot = calloc(n, sizeof *c->slot))) {
        c->slot = old;
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    }
    c->nslot = n;
    free(old);
    for (size_t i = 0; i < c->n; i++) *slot_of(c, c->e[i].key) = i + 1;
    return CREDIT_OK;
}

const char *credit_config_get(const credit_config *c, const char *key)
{
    credit_config_entry *e = find(c, key);
    return e ? e->value : NULL;
}

static int valid_key(const char *k)
{
    if (!*k) return 0;
    for (; *k; k++)
        if (!(isalnum((unsigned char)*k) || *k == '_')) return 0;
    return 1;
}

int credit_config_set(credit_config *c, const char *key, const char *value, const char *origin)
{
    if (!valid_key(key))
        return CREDIT_ERROR(CREDIT_EINVAL, "%s: '%s' is not a valid key (letters, digits and _ only)", origin, key);
    credit_config_entry *e = find(c, key);
    char *v = credit_strdup(value), *o = credit_strdup(origin);
    if (!v || !o) { free(v); free(o); return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory"); }
    if (e) {
        free(e->value); free(e->origin);
    } else {
        if (slots_grow(c)) { free(v); free(o); return CREDIT_ENOMEM; }
        if (c->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 32;
            credit_config_entry *bigger = realloc(c->e, cap * sizeof *bigger);
            if (!bigger) { free(v); free(o); return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory"); }
            c->e = bigger;
            c->cap = cap;
        }
        e = &c->e[c->n++];
        e->key = credit_strdup(key);
        if (!e->key) { c->n--; free(v); free(o); return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory"); }
        *slot_of(c, key) = c->n;
    }
    e->value = v;
    e->origin = o;
    return CREDIT_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) *--end = 0;
    return s;
}

int credit_config_read(credit_config *c, const char *path)
{
    char *text;
    size_t len;
    int st = credit_read_file(path, &text, &len);
    if (st) return st;
    /* "path:line" whole, whatever the path's length: a cut origin no longer
     * began with the path, and the duplicate check below never fired. */
    const size_t plen = strlen(path), olen = plen + 24;
    char *origin = malloc(olen);
    if (!origin) { free(text); return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory"); }
    int lineno = 0;
    /* A NUL would end the text early and hide every key after it. */
    const char *nul = memchr(text, 0, len);
    if (nul) {
        int at = 1;
        for (const char *p = text; p < nul; p++) at += *p == '\n';
        free(text);
        free(origin);
        return CREDIT_ERROR(CREDIT_EINVAL, "%s:%d: contains a NUL byte (a binary file, or a corrupt one?)", path, at);
    }
    /* A UTF-8 byte-order mark (some editors write one) is skipped. */
    char *start = text;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) start += 3;
    for (char *line = start, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (!*s) continue;
        snprintf(origin, olen, "%s:%d", path, lineno);
        char *eq = strchr(s, '=');
        if (!eq) {
            st = CREDIT_ERROR(CREDIT_EINVAL, "%s: expected 'key = value', got '%s'", origin, s);
            break;
        }
        *eq = 0;
        char *key = trim(s), *value = trim(eq + 1);
        credit_config_entry *old = find(c, key);
        if (old && strncmp(old->origin, path, plen) == 0 && old->origin[plen] == ':') {
            st = CREDIT_ERROR(CREDIT_EINVAL, "%s: key '%s' is already set at %s", origin, key, old->origin);
            break;
        }
        if ((st = credit_config_set(c, key, value, origin))) break;
    }
    free(text);
    free(origin);
    return st;
}

int credit_config_assign(credit_config *c, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq) return CREDIT_ERROR(CREDIT_EINVAL, "command line: expected key=value, got '%s'", arg);
    char key[256];
    size_t n = (size_t)(eq - arg);
    if (n >= sizeof key) return CREDIT_ERROR(CREDIT_EINVAL, "command line: key too long in '%s'", arg);
    memcpy(key, arg, n);
    key[n] = 0;
    return credit_config_set(c, key, eq + 1, "command line");
}

/* ----------------------------------------------------------- options */

static const char *kind_name(credit_opt_kind k)
{
    switch (k) {
    case CREDIT_OPT_INT: return "integer";
    case CREDIT_OPT_REAL: return "real";
    case CREDIT_OPT_CHOICE: return "one of";
    default: return "string";
    }
}

static void format_real(char *buf, size_t n, double v)
{
    if (isinf(v)) { snprintf(buf, n, v > 0 ? "inf" : "-inf"); return; }
    /* Shortest of %.15g..%.17g that reads back exactly. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static void format_range(char *buf, size_t n, const credit_option *o)
{
    char lo[40], hi[40];
    format_real(lo, sizeof lo, o->min);
    format_real(hi, sizeof hi, o->max);
    /* An infinite bound is open: inf itself is never a value. */
    snprintf(buf, n, "%s in %c%s, %s%c", kind_name(o->kind), isinf(o->min) ? '(' : '[', lo, hi, isinf(o->max) ? ')' : ']');
}

/* Choice index of word in "a|b|c", or -1. */
static int choice_index(const char *choices, const char *word)
{
    size_t wl = strlen(word);
    int idx = 0;
    for (const char *p = choices; *p; idx++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == wl && strncmp(p, word, len) == 0) return idx;
        if (!bar) break;
        p = bar + 1;
    }
    return -1;
}

int credit_option_parse(const credit_option *o, const char *text, const char *origin, credit_value *out)
{
    char allowed[200];
    memset(out, 0, sizeof *out);
    out->s = text;
    switch (o->kind) {
    case CREDIT_OPT_INT:
    case CREDIT_OPT_REAL: {
        format_range(allowed, sizeof allowed, o);
        /* A file's values arrive trimmed; a blank here is a command line's
         * quoting slip, refused at either end (strto* took a leading one). */
        if (*text && (isspace((unsigned char)text[0]) || isspace((unsigned char)text[strlen(text) - 1])))
            return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = '%s' is not valid: expected %s, without blanks around it", origin, o->key, text,
                                allowed);
        /* Decimal only (strtod would take hex, strtol reads 0x10 as 0). */
        const char *digits = text + (*text == '-' || *text == '+');
        if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
            return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = '%s' is not valid: hexadecimal is not accepted; expected a decimal %s", origin,
                                o->key, text, allowed);
        char *end;
        errno = 0;
        double v;
        if (o->kind == CREDIT_OPT_INT) {
            long l = strtol(text, &end, 10);
            v = (double)l;
            out->i = l;
            if (errno == ERANGE)
                return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = %s is out of range: expected %s", origin, o->key, text, allowed);
        } else {
            v = strtod(text, &end);
            if (errno == ERANGE && end != text && !*end && fabs(v) <= DBL_MIN)
                return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = %s underflows: its magnitude is below the smallest normal double (%g); write 0 if 0 is meant",
                                    origin, o->key, text, DBL_MIN);
            if (errno == ERANGE && end != text && !*end)
                return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = %s overflows a double: expected %s", origin, o->key, text, allowed);
            if (v == 0.0) v = 0.0; /* -0 is recorded as 0 */
        }
        if (end != text && *end)
            return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = '%s' is not valid: expected %s ('%s' follows the number)", origin, o->key, text,
                                allowed, end);
        if (end == text || errno == ERANGE || !isfinite(v)) /* inf is never a value, even with max = inf */
            return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = '%s' is not valid: expected %s", origin, o->key, text, allowed);
        if (v < o->min || v > o->max)
            return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = %s is out of range: expected %s", origin, o->key, text, allowed);
        out->r = v;
        return CREDIT_OK;
    }
    case CREDIT_OPT_CHOICE: {
        int idx = choice_index(o->choices, text);
        if (idx < 0)
            return CREDIT_ERROR(CREDIT_EINVAL, "%s: %s = '%s' is not valid: expected one of %s", origin, o->key, text, o->choices);
        out->i = idx;
        out->r = idx;
        return CREDIT_OK;
    }
    default:
        /* config.txt must read back as written: '#' would start a comment,
         * a line break end the line and outer blanks be trimmed. */
        if (strpbrk(text, "#\n\r") || (*text && (isspace((unsigned char)text[0]) || isspace((unsigned char)text[strlen(text) - 1]))))
            return CREDIT_ERROR(CREDIT_EINVAL,
                                "%s: %s = '%s' cannot be recorded in config.txt: values may not contain '#' (it starts a comment) or "
                                "line breaks, nor begin or end with a blank; rename the file or directory",
                                origin, o->key, text);
        return CREDIT_OK;
    }
}

const credit_value *credit_optset_find(const credit_optset *sets, int nsets, const char *key)
{
    for (int s = 0; s < nsets; s++)
        for (size_t i = 0; i < sets[s].n; i++)
            if (strcmp(sets[s].opt[i].key, key) == 0) return &sets[s].val[i];
    return NULL;
}

int credit_config_resolve(const credit_config *c, credit_optset *sets, int nsets)
{
    /* Every config key must belong to exactly one table. */
    for (size_t i = 0; i < c->n; i++) {
        if (credit_optset_find(sets, nsets, c->e[i].key)) continue;
        char list[4096];
        size_t used = 0;
        list[0] = 0;
        for (int s = 0; s < nsets; s++)
            for (size_t k = 0; k < sets[s].n && used + 64 < sizeof list; k++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", sets[s].opt[k].key);
        return CREDIT_ERROR(CREDIT_EINVAL, "%s: unknown key '%s'; valid keys: %s", c->e[i].origin, c->e[i].key, list);
    }
    for (int s = 0; s < nsets; s++) {
        for (size_t i = 0; i < sets[s].n; i++) {
            const credit_option *o = &sets[s].opt[i];
            const credit_config_entry *e = find(c, o->key);
            char origin[300];
            snprintf(origin, sizeof origin, "default of %s", sets[s].owner);
            int st = credit_option_parse(o, e ? e->value : o->default_value, e ? e->origin : origin, &sets[s].val[i]);
            if (st) return st;
        }
    }
    return CREDIT_OK;
}

void credit_config_write(FILE *fp, const credit_optset *sets, int nsets)
{
    for (int s = 0; s < nsets; s++) {
        if (sets[s].n) fprintf(fp, "# %s\n", sets[s].owner);
        for (size_t i = 0; i < sets[s].n; i++) {
            const credit_option *o = &sets[s].opt[i];
            const credit_value *v = &sets[s].val[i];
            char buf[64];
            if (o->kind == CREDIT_OPT_INT) fprintf(fp, "%s = %ld\n", o->key, v->i);
            else if (o->kind == CREDIT_OPT_REAL) { format_real(buf, sizeof buf, v->r); fprintf(fp, "%s = %s\n", o->key, buf); }
            else fprintf(fp, "%s = %s\n", o->key, v->s);
        }
    }
}

void credit_option_describe(FILE *fp, const credit_option *o)
{
    char allowed[200];
    if (o->kind == CREDIT_OPT_INT || o->kind == CREDIT_OPT_REAL) format_range(allowed, sizeof allowed, o);
    else if (o->kind == CREDIT_OPT_CHOICE) snprintf(allowed, sizeof allowed, "one of %s", o->choices);
    else snprintf(allowed, sizeof allowed, "string");
    fprintf(fp, "  %-18s %s; default %s\n  %-18s %s\n", o->key, allowed, *o->default_value ? o->default_value : "(empty)", "", o->help);
}
