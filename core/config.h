/* config.h - `key = value` files with # comments, command-line overrides,
 * and validation of every key against the option tables of the core and of
 * the loaded plugins. */
#ifndef CREDIT_CONFIG_H
#define CREDIT_CONFIG_H

#include "credit.h"
#include <stdio.h>

typedef struct credit_config_entry {
    char *key, *value;
    char *origin; /* "run.cfg:12" or "command line" */
} credit_config_entry;

typedef struct credit_config {
    credit_config_entry *e;
    size_t n, cap;
    size_t *slot, nslot; /* hash of the keys: entry index + 1 (0 empty), nslot a power of 2 > 2 n */
} credit_config;

void credit_config_free(credit_config *c);
/* Parse a file; a later key in the same file is an error naming both lines. */
int credit_config_read(credit_config *c, const char *path);
/* "key=value" from the command line; replaces any earlier value. */
int credit_config_assign(credit_config *c, const char *arg);
int credit_config_set(credit_config *c, const char *key, const char *value, const char *origin);
const char *credit_config_get(const credit_config *c, const char *key);

/* One table of options and the values resolved for it. */
typedef struct credit_optset {
    const char *owner; /* "core", "rule eprop", "task smnist" */
    const credit_option *opt;
    size_t n;
    credit_value *val; /* n values, filled by resolve */
} credit_optset;

/* Parse one value; errors name the key, the value, its origin and what is allowed. */
int credit_option_parse(const credit_option *o, const char *text, const char *origin, credit_value *out);
/* Fill every set's values from the config or the defaults. A config key no
 * table knows is an error listing the valid keys. */
int credit_config_resolve(const credit_config *c, credit_optset *sets, int nsets);
/* The resolved config, one `key = value` line per option, canonical numbers. */
void credit_config_write(FILE *fp, const credit_optset *sets, int nsets);
/* Lookup in resolved sets; NULL if absent. */
const credit_value *credit_optset_find(const credit_optset *sets, int nsets, const char *key);
/* Describe an option for help text: "lr (real in [0, inf], default 0.01): ..." */
void credit_option_describe(FILE *fp, const credit_option *o);

#endif
