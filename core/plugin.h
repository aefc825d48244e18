/* plugin.h - finding, loading and checking rule and task plugins.
 *
 * Plugins are found by name along a search path: $CREDIT_RULE_PATH (or
 * $CREDIT_TASK_PATH), colon-separated, then rules/ (tasks/) beside the
 * directory of the credit executable. A test binary registers plugins linked
 * into it instead (credit_plugins_use_static). */
#ifndef CREDIT_PLUGIN_H
#define CREDIT_PLUGIN_H

#include "credit.h"
#include <stddef.h>

typedef enum credit_kind { CREDIT_KIND_RULE, CREDIT_KIND_TASK } credit_kind;

typedef struct credit_plugin {
    credit_kind kind;
    void *dl;   /* NULL when linked statically */
    char *path; /* the .so, or "(built in)" */
    const credit_plugin_head *head; /* name, version, options, flags: the same for either kind */
    const credit_rule *rule;
    const credit_task *task;
    const char *math_hash; /* the build's hash of its source (exported credit_math_hash), or NULL */
    /* A rule's optional hooks, NULL where absent or beyond its struct_size:
     * the core calls these, never the descriptor's fields directly. */
    int (*after_update)(void *state, const credit_update *u);
    size_t (*save_size)(const void *state);
    int (*save)(const void *state, void *buf);
    int (*load)(void *state, const void *buf, size_t bytes);
} credit_plugin;

typedef struct credit_static_plugin {
    credit_kind kind;
    const char *name;
    const credit_rule *(*rule_entry)(void); /* set for rules */
    const credit_task *(*task_entry)(void); /* set for tasks */
} credit_static_plugin;

/* Use these linked-in plugins instead of the search path (NULL: back to files). */
void credit_plugins_use_static(const credit_static_plugin *list, size_t n);

int credit_plugin_open(credit_plugin *p, credit_kind kind, const char *name);
/* Load one file and check it: symbol, ABI version, precision, kind, struct
 * size, flags, hooks (after_update only with save/load; save_size, save and
 * load all or none), the option table, and (when expect_name) that it names
 * itself as its file does. */
int credit_plugin_open_file(credit_plugin *p, credit_kind kind, const char *path, const char *expect_name);
void credit_plugin_close(credit_plugin *p);

/* Sorted names of every plugin of a kind on the search path; free with
 * credit_plugin_names_free. */
int credit_plugin_names(credit_kind kind, char ***names, size_t *n);
void credit_plugin_names_free(char **names, size_t n);
const char *credit_kind_name(credit_kind kind); /* "rule" / "task" */
/* A plugin's flags by name, comma-separated ("exact", "local,stateful",
 * "none"; a task has none): stateful = a rule with after_update (its state
 * changes after init). */
void credit_plugin_flags_text(const credit_plugin *p, char *buf, size_t len);

/* The plugin hook running now, for the crash handler: the host calls enter
 * before every hook and leave after. credit_crash_handlers_install makes a
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT inside a hook print
 * "credit: crash in rule plugin NAME (hook HOOK)" before the signal's
 * default action runs (core dump, exit status 128 + signal). */
void credit_plugin_enter(const char *kind, const char *name, const char *hook);
void credit_plugin_leave(void);
void credit_crash_handlers_install(void);

#endif
