/* plugin.c - see plugin.h. */
#define _GNU_SOURCE
#include "plugin.h"
#include "util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ crash attribution */

static const char *volatile current_kind, *volatile current_name, *volatile current_hook;

void credit_plugin_enter(const char *kind, const char *name, const char *hook)
{
    current_kind = kind;
    current_name = name;
    current_hook = hook;
}

void credit_plugin_leave(void) { current_hook = NULL; }

static void put(const char *text)
{
    if (text && write(2, text, strlen(text)) < 0) return;
}

/* Async-signal-safe: write(2) and strlen only, then the default action. */
static void crash_handler(int sig)
{
    const char *hook = current_hook;
    if (hook) {
        put("credit: crash in ");
        put(current_kind);
        put(" plugin ");
        put(current_name);
        put(" (hook ");
        put(hook);
        put(sig == SIGSEGV ? "): segmentation fault\n" : sig == SIGBUS ? "): bus error\n" : sig == SIGFPE ? "): arithmetic exception\n"
            : sig == SIGILL ? "): illegal instruction\n" : "): abort\n");
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void credit_crash_handlers_install(void)
{
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = crash_handler;
        sa.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

static const credit_static_plugin *static_list;
static size_t static_count;

void credit_plugins_use_static(const credit_static_plugin *list, size_t n)
{
    static_list = list;
    static_count = list ? n : 0;
}

const char *credit_kind_name(credit_kind kind) { return kind == CREDIT_KIND_RULE ? "rule" : "task"; }

/* The search path of a kind as one colon-separated string (caller frees). */
static char *search_path(credit_kind kind)
{
    const char *env = getenv(kind == CREDIT_KIND_RULE ? "CREDIT_RULE_PATH" : "CREDIT_TASK_PATH");
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char builtin[4200] = "";
    if (len > 0) {
        exe[len] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0; /* bin/ */
        slash = strrchr(exe, '/');
        if (slash) *slash = 0; /* project root */
        snprintf(builtin, sizeof builtin, "%s/%s", exe, kind == CREDIT_KIND_RULE ? "rules" : "tasks");
    }
    size_t n = (env ? strlen(env) + 1 : 0) + strlen(builtin) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s%s", env ? env : "", env && *env ? ":" : "", builtin);
    return p;
}

static int valid_name(const char *name)
{
    if (!*name) return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) return 0;
    return 1;
}

/* An optional rule hook: present only when struct_size covers it. */
#define RULE_HOOK(r, field) ((r)->head.struct_size >= offsetof(credit_rule, field) + sizeof((r)->field) ? (r)->field : NULL)

static int check_descriptor(credit_plugin *p, const char *where, const char *expect_name)
{
    const char *kind = credit_kind_name(p->kind);
    const credit_plugin_head *h = p->kind == CREDIT_KIND_RULE ? &p->rule->head : &p->task->head;
    const uint32_t want_kind = p->kind == CREDIT_KIND_RULE ? CREDIT_PLUGIN_RULE : CREDIT_PLUGIN_TASK;
    /* The required part of each descriptor: up to its last required hook. */
    const size_t want = p->kind == CREDIT_KIND_RULE ? offsetof(credit_rule, fini) + sizeof p->rule->fini
                                                    : offsetof(credit_task, fini) + sizeof p->task->fini;
    p->head = h;
    if (h->abi_version != CREDIT_ABI_VERSION)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s plugin %s: ABI version %u, this host speaks %u (rebuild it against core/credit.h)", kind, where,
                            h->abi_version, CREDIT_ABI_VERSION);
    if (h->precision != CREDIT_PRECISION)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s plugin %s: built for %u-bit reals, this host computes in %u-bit (rebuild it in the host's precision: make, or make PREC=32 for 32-bit)",
                            kind, where, h->precision, CREDIT_PRECISION);
    if (h->kind != want_kind)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s plugin %s: its descriptor says kind %u, a %s is kind %u", kind, where, h->kind, kind, want_kind);
    if (h->struct_size < want)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s plugin %s: descriptor is %u bytes, this credit expects at least %zu; rebuild it against core/credit.h",
                            kind, where, h->struct_size, want);
    const char *name = h->name;
    if (!name || !valid_name(name))
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s descriptor has no valid name ([a-z0-9_]+)", where, kind);
    const uint32_t known = p->kind == CREDIT_KIND_RULE ? CREDIT_RULE_FLAGS_KNOWN : 0u;
    if (h->flags & ~known)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s '%s' sets unknown flag bits 0x%x (this host knows 0x%x)", where, kind, name,
                            h->flags & ~known, known);
    int hooks_ok = h->summary && h->version && h->citation && (h->n_options == 0 || h->options);
    if (p->kind == CREDIT_KIND_RULE) hooks_ok = hooks_ok && p->rule->state_size && p->rule->init && p->rule->grad;
    else hooks_ok = hooks_ok && p->task->state_size && p->task->init && p->task->fill;
    if (!hooks_ok)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s descriptor '%s' lacks a required field or hook", where, kind, name);
    if (p->kind == CREDIT_KIND_RULE) {
        p->after_update = RULE_HOOK(p->rule, after_update);
        p->save_size = RULE_HOOK(p->rule, save_size);
        p->save = RULE_HOOK(p->rule, save);
        p->load = RULE_HOOK(p->rule, load);
        const int n_io = !!p->save_size + !!p->save + !!p->load;
        if (n_io != 0 && n_io != 3)
            return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: rule '%s' has only some of save_size, save and load (%s%s%s); it needs all three or none",
                                where, name, p->save_size ? "save_size " : "", p->save ? "save " : "", p->load ? "load" : "");
        if (p->after_update && n_io == 0)
            return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: rule '%s' has after_update but no save_size/save/load: its state would not survive a resume",
                                where, name);
    }
    /* Every entry of the option table is used by the host without further checks. */
    const credit_option *opt = h->options;
    size_t n_opt = h->n_options;
    if (n_opt > 1000) return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s '%s' declares %zu options (at most 1000)", where, kind, name, n_opt);
    for (size_t i = 0; i < n_opt; i++) {
        const credit_option *o = &opt[i];
        const char *what = !o->key ? "a NULL key" : !o->default_value ? "a NULL default value" : !o->help ? "a NULL help text"
                         : o->kind == CREDIT_OPT_CHOICE && !o->choices ? "a NULL list of choices"
                         : (unsigned)o->kind > CREDIT_OPT_STRING ? "an unknown kind" : NULL;
        if (what)
            return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s '%s': option %zu (%s) has %s", where, kind, name, i, o->key ? o->key : "?", what);
    }
    if (expect_name && strcmp(name, expect_name) != 0)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s names itself '%s', but was asked for as '%s'", where, kind, name, expect_name);
    return CREDIT_OK;
}

void credit_plugin_flags_text(const credit_plugin *p, char *buf, size_t len)
{
    const uint32_t f = p->head ? p->head->flags : 0;
    snprintf(buf, len, "%s%s%s%s%s", f & CREDIT_RULE_EXACT ? "exact" : "", (f & CREDIT_RULE_EXACT) && (f & CREDIT_RULE_LOCAL) ? "," : "",
             f & CREDIT_RULE_LOCAL ? "local" : "", f && p->after_update ? "," : "", p->after_update ? "stateful" : "");
    if (!*buf) snprintf(buf, len, "none");
}

int credit_plugin_open_file(credit_plugin *p, credit_kind kind, const char *path, const char *expect_name)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    if (access(path, F_OK) != 0)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s plugin file %s does not exist", credit_kind_name(kind), path);
    dlerror();
    p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!p->dl) return CREDIT_ERROR(CREDIT_EPLUGIN, "cannot load %s plugin %s: %s", credit_kind_name(kind), path, dlerror());
    const char *symbol = kind == CREDIT_KIND_RULE ? CREDIT_RULE_SYMBOL : CREDIT_TASK_SYMBOL;
    dlerror();
    void *sym = dlsym(p->dl, symbol);
    const char *err = dlerror();
    if (!sym || err) {
        int st = CREDIT_ERROR(CREDIT_EPLUGIN, "%s: no symbol %s, so it is not a %s plugin (%s)", path, symbol,
                              credit_kind_name(kind), err ? err : "symbol is NULL");
        credit_plugin_close(p);
        return st;
    }
    /* The entry must be a function of this file (a data symbol of that name
     * would be called as code), and its descriptor must lie in the file too. */
    Dl_info dli;
    const ElfW(Sym) *esym = NULL;
    if (!dladdr1(sym, &dli, (void **)&esym, RTLD_DL_SYMENT) || !esym || ELF64_ST_TYPE(esym->st_info) != STT_FUNC) {
        credit_plugin_close(p);
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s is not a function, so it is not a %s plugin", path, symbol, credit_kind_name(kind));
    }
    void *base = dli.dli_fbase;
    /* The entry is a function returning the descriptor (POSIX allows the cast). */
    const void *(*entry)(void);
    *(void **)&entry = sym;
    credit_plugin_enter(credit_kind_name(kind), path, symbol);
    const void *desc = entry();
    credit_plugin_leave();
    if (!desc) {
        credit_plugin_close(p);
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s returned no descriptor", path, symbol);
    }
    if (!dladdr(desc, &dli) || dli.dli_fbase != base) {
        credit_plugin_close(p);
        return CREDIT_ERROR(CREDIT_EPLUGIN, "%s: %s returned a pointer outside the plugin, not a descriptor", path, symbol);
    }
    if (kind == CREDIT_KIND_RULE) p->rule = desc;
    else p->task = desc;
    p->path = credit_strdup(path);
    /* Optional: the Makefile's plugins export the hash of their maths. */
    const char *hash = dlsym(p->dl, "credit_math_hash");
    if (hash && strlen(hash) == 16) p->math_hash = hash;
    int st = check_descriptor(p, path, expect_name);
    if (st) credit_plugin_close(p);
    return st;
}

void credit_plugin_close(credit_plugin *p)
{
    if (p->dl) dlclose(p->dl);
    free(p->path);
    memset(p, 0, sizeof *p);
}

int credit_plugin_open(credit_plugin *p, credit_kind kind, const char *name)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    const char *kname = credit_kind_name(kind);
    if (!valid_name(name))
        return CREDIT_ERROR(CREDIT_EINVAL, "'%s' is not a valid %s name (lower-case letters, digits and _)", name, kname);
    if (static_list) {
        for (size_t i = 0; i < static_count; i++) {
            if (static_list[i].kind != kind || strcmp(static_list[i].name, name) != 0) continue;
            if (kind == CREDIT_KIND_RULE) p->rule = static_list[i].rule_entry();
            else p->task = static_list[i].task_entry();
            p->path = credit_strdup("(built in)");
            int st = check_descriptor(p, name, name);
            if (st) credit_plugin_close(p);
            return st;
        }
    } else {
        char *path = search_path(kind);
        if (!path) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
        for (char *dir = strtok(path, ":"); dir; dir = strtok(NULL, ":")) {
            char file[4400];
            snprintf(file, sizeof file, "%s/%s.so", dir, name);
            if (access(file, F_OK) == 0) {
                free(path);
                return credit_plugin_open_file(p, kind, file, name);
            }
        }
        free(path);
    }
    /* Not found: name the search path and what is there. */
    char **names;
    size_t n = 0;
    char list[2048] = "";
    if (credit_plugin_names(kind, &names, &n) == CREDIT_OK) {
        size_t used = 0;
        for (size_t i = 0; i < n && used + 40 < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
        credit_plugin_names_free(names, n);
    }
    char *where = static_list ? credit_strdup("the built-in list") : search_path(kind);
    int st = CREDIT_ERROR(CREDIT_EPLUGIN, "unknown %s '%s' (searched %s); available %ss: %s", kname, name,
                          where ? where : "?", kname, *list ? list : "none");
    free(where);
    return st;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Appends a copy of name to the list, growing it; 0 on success. */
static int names_push(char ***list, size_t *count, size_t *cap, const char *name)
{
    if (*count == *cap) {
        char **bigger = realloc(*list, 2 * *cap * sizeof **list);
        if (!bigger) return CREDIT_ENOMEM;
        *list = bigger;
        *cap *= 2;
    }
    char *copy = credit_strdup(name);
    if (!copy) return CREDIT_ENOMEM;
    (*list)[(*count)++] = copy;
    return CREDIT_OK;
}

int credit_plugin_names(credit_kind kind, char ***names, size_t *n)
{
    size_t cap = 16, count = 0;
    char **list = malloc(cap * sizeof *list);
    if (!list) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    if (static_list) {
        for (size_t i = 0; i < static_count; i++) {
            if (static_list[i].kind != kind) continue;
            if (names_push(&list, &count, &cap, static_list[i].name)) break;
        }
    } else {
        char *path = search_path(kind);
        for (char *dir = path ? strtok(path, ":") : NULL; dir; dir = strtok(NULL, ":")) {
            DIR *d = opendir(dir);
            if (!d) continue;
            for (struct dirent *e; (e = readdir(d));) {
                size_t len = strlen(e->d_name);
                if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0) continue;
                char stem[256];
                if (len - 3 >= sizeof stem) continue;
                memcpy(stem, e->d_name, len - 3);
                stem[len - 3] = 0;
                int dup = 0;
                for (size_t i = 0; i < count; i++) dup |= strcmp(list[i], stem) == 0;
                if (dup || !valid_name(stem)) continue;
                /* a dangling link or a directory named X.so is no plugin to list */
                char file[4400];
                struct stat st;
                snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
                if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) continue;
                if (names_push(&list, &count, &cap, stem)) break;
            }
            closedir(d);
        }
        free(path);
    }
    qsort(list, count, sizeof *list, cmp_str);
    *names = list;
    *n = count;
    return CREDIT_OK;
}

void credit_plugin_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}
