/* test_plugins.c - the real dlopen path: every plugin file loads and exports
 * one symbol; every loader error has its own message. */
#define _GNU_SOURCE
#include "test.h"
#include "plugin.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const credit_static_plugin test_static_plugins[];
extern const size_t test_static_count;

static void expect_load_error(const char *name, const char *file, const char *want)
{
    credit_plugin p;
    char path[600];
    snprintf(path, sizeof path, "%s/bad/%s", test_build(), file);
    credit_error_clear();
    int st = credit_plugin_open_file(&p, CREDIT_KIND_RULE, path, NULL);
    if (!st) credit_plugin_close(&p);
    CHECK(st && strstr(credit_error_message(), want) && strstr(credit_error_message(), path), name, "got '%s'", credit_error_message());
}

static int test_run_credit_internal(char **out)
{
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "CREDIT_RULE_PATH=%s/bad %s/bin/credit grad rule=internal task=file path=%s n=4 batch=4 2>&1", test_build(), test_root(),
             test_seq_file(0));
    return test_run(cmd, out);
}

void test_plugins(void)
{
    /* Every built plugin file: loads, checks, names itself as its file, and
     * exports exactly one symbol. */
    for (size_t i = 0; i < test_static_count; i++) {
        const credit_static_plugin *sp = &test_static_plugins[i];
        const char *dir = sp->kind == CREDIT_KIND_RULE ? "rules" : "tasks";
        char path[600], name[800], cmd[1200];
        snprintf(path, sizeof path, "%s/%s/%s.so", test_root(), dir, sp->name);
        credit_plugin p;
        int st = credit_plugin_open_file(&p, sp->kind, path, sp->name);
        snprintf(name, sizeof name, "dlopen %s", path);
        CHECK(st == 0, name, "%s", credit_error_message());
        /* The build embeds the maths hash of the plugin's source (Makefile);
         * ASan adds an __odr_asan. twin of an exported variable. */
        snprintf(name, sizeof name, "plugin %s carries its maths hash", path);
        CHECK(!st && p.math_hash && strspn(p.math_hash, "0123456789abcdef") == 16, name, "math_hash %s", !st && p.math_hash ? p.math_hash : "(none)");
        if (!st) credit_plugin_close(&p);
        snprintf(cmd, sizeof cmd, "nm -D --defined-only %s | awk '$2 ~ /^[TtWDdBbRrVv]$/ {print $3}' | grep -v -E '^_(init|fini)$|^__odr_asan[.]' | sort", path);
        char *out;
        test_run(cmd, &out);
        char want[100];
        snprintf(want, sizeof want, "credit_math_hash\n%s\n", sp->kind == CREDIT_KIND_RULE ? CREDIT_RULE_SYMBOL : CREDIT_TASK_SYMBOL);
        snprintf(name, sizeof name, "nm -D: %s exports only %s and credit_math_hash", path,
                 sp->kind == CREDIT_KIND_RULE ? CREDIT_RULE_SYMBOL : CREDIT_TASK_SYMBOL);
        CHECK(out && strcmp(out, want) == 0, name, "exports:\n%s", out ? out : "(nm failed)");
        free(out);
    }

    expect_load_error("loader: missing file", "absent.so", "rule plugin file");
    expect_load_error("loader: not a shared object", "garbage.so", "cannot load rule plugin");
    expect_load_error("loader: no entry symbol", "nosym.so", "no symbol credit_rule_entry, so it is not a rule plugin");
    expect_load_error("loader: a v1 plugin is refused naming both versions", "oldabi.so",
                      ": ABI version 1, this host speaks 2 (rebuild it against core/credit.h)");
    expect_load_error("loader: descriptor too small", "small.so", "descriptor is 16 bytes, this credit expects at least");
    expect_load_error("loader: another precision is refused naming both", "precision.so",
                      TEST_F32 ? "built for 64-bit reals, this host computes in 32-bit" : "built for 32-bit reals, this host computes in 64-bit");
    /* The real plugins and checkpoints of the other build: the root of its
     * tree, which `make test` builds fresh before either suite (unset with
     * PREC= alone, where the other tree may be stale or absent). */
    const char *other = getenv("CREDIT_TEST_OTHER");
    if (!other || !*other)
        printf("note: CREDIT_TEST_OTHER unset (make test PREC=...): the other precision's plugins and checkpoints not tried\n");
    else {
        char path[600];
        snprintf(path, sizeof path, "%s/rules/eprop.so", other);
        if (CHECK(access(path, R_OK) == 0, "loader: the other build's eprop.so exists", "%s", path)) {
            credit_plugin p;
            credit_error_clear();
            int st = credit_plugin_open_file(&p, CREDIT_KIND_RULE, path, NULL);
            if (!st) credit_plugin_close(&p);
            CHECK(st == CREDIT_EPLUGIN && strstr(credit_error_message(), TEST_F32 ? "built for 64-bit reals" : "built for 32-bit reals"),
                  "loader: the other precision's eprop.so is refused naming both", "%s: status %d '%s'", path, st, credit_error_message());
        }
        /* A checkpoint of the other build is refused, not rounded or widened
         * into a run of this precision (ckpt.h: the config hash is tagged). */
        char cmd[2000], *out = NULL;
        snprintf(path, sizeof path, "%s/bin/credit", other);
        if (CHECK(access(path, X_OK) == 0, "the other build's bin/credit exists", "%s", path)) {
            snprintf(cmd, sizeof cmd,
                     "d=%s/other_prec; rm -rf $d; %s train task=file path=%s n=4 batch=4 iters=3 eval_every=3 progress=0 out=$d >/dev/null 2>&1 && "
                     "%s/bin/credit curvature $d 2>&1",
                     test_tmp(), path, test_seq_file(0), test_root());
            int rc = test_run(cmd, &out);
            /* Either build names the precision (the double build once said "edited?"). */
            CHECK(rc == 1 && out &&
                      (TEST_F32 ? strstr(out, "is not the one the checkpoint was written with") && strstr(out, "trains in single precision (PREC=32)")
                                : strstr(out, "was written by the single-precision build (PREC=32)") && !strstr(out, "edited")),
                  "checkpoint: the other precision's checkpoint is refused naming the precision (credit curvature of its run)", "rc %d: %.400s",
                  rc, out ? out : "");
            free(out);
            /* and by a resume, which must not say "a different config" */
            snprintf(cmd, sizeof cmd, "d=%s/other_prec; rm $d/metrics.tsv; %s/bin/credit train task=file path=%s n=4 batch=4 iters=3 eval_every=3 "
                     "progress=0 out=$d resume=1 2>&1", test_tmp(), test_root(), test_seq_file(0));
            rc = test_run(cmd, &out);
            CHECK(rc == 1 && out && strstr(out, "PREC=32") && (TEST_F32 ? !!strstr(out, "trains in single precision") : !strstr(out, "different config")),
                  "checkpoint: the other precision's checkpoint is refused by a resume, naming the precision", "rc %d: %.400s", rc,
                  out ? out : "");
            free(out);
        }
    }
    expect_load_error("loader: unknown flag bits are refused", "badflags.so", "rule 'badflags' sets unknown flag bits 0x80 (this host knows 0x3)");
    expect_load_error("loader: after_update without save/load is refused", "nosave.so",
                      "rule 'nosave' has after_update but no save_size/save/load: its state would not survive a resume");
    expect_load_error("loader: some of save_size/save/load is refused", "halfsave.so",
                      "rule 'halfsave' has only some of save_size, save and load (save_size save )");
    expect_load_error("loader: a NULL entry in the option table is refused", "optnull.so", "option 0 (?) has a NULL key");

    /* The kit: a plugin calling a core internal does not load in bin/credit
     * (linked without -rdynamic), and no built plugin needs one. */
    char *out;
    int rc = test_run_credit_internal(&out);
    CHECK(rc != 0 && out && strstr(out, "cannot load rule plugin") && strstr(out, "undefined symbol: credit_error_set"),
          "kit: bin/credit refuses a plugin that calls a core internal, with dlopen's message", "rc %d, '%s'", rc, out ? out : "");
    free(out);
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "ls %s/rules/*.so %s/tasks/*.so | wc -l; for f in %s/rules/*.so %s/tasks/*.so; do nm -D --undefined-only $f; done "
             "| awk '{print $2}' | grep '^credit_' | sort -u", test_root(), test_root(), test_root(), test_root());
    test_run(cmd, &out);
    CHECK(out && atoi(out) >= 2 && !strchr(strchr(out, '\n') + 1, '\n'), "kit: no plugin needs a symbol of the core (only libc, libm, cblas)", "needs: %s", out ? out : "(nm failed)");
    free(out);

    /* Flags by name: in describe and in every output's provenance. */
    rc = test_credit(&out, "plugins describe bptt");
    CHECK(rc == 0 && out && strstr(out, "\n  flags: exact\n"), "credit plugins describe prints a rule's flags (bptt: exact)", "rc %d, output '%s'",
          rc, out ? out : "");
    free(out);
    rc = test_credit(&out, "plugins describe eprop");
    CHECK(rc == 0 && out && strstr(out, "\n  flags: local\n"), "credit plugins describe prints a rule's flags (eprop: local)", "rc %d", rc);
    free(out);
    rc = test_credit(&out, "grad rule=tbptt task=file path=%s n=4 batch=4", test_seq_file(0));
    CHECK(rc == 0 && out && strstr(out, "\n# rule_flags none\n"), "provenance names the rule's flags (# rule_flags none for tbptt)", "rc %d", rc);
    free(out);
    {
        const char *kv[] = {"rule=eprop", "task=file", "n=4", "batch=8", "eval_chunk=512", "hessian_batch=16", "progress=0", NULL};
        char pathkv[400];
        snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
        kv[2] = pathkv;
        credit_session s;
        int st = test_session(&s, kv);
        CHECK(!st && s.rule_dims.B_max == 16 && s.dims.B_max == 512,
              "workspaces: the rule's B_max is its largest grad batch (Hessian batch), never eval_chunk; the forward's its own",
              "status %d, rule %d, forward %d", st, s.rule_dims.B_max, s.dims.B_max);
        credit_session_close(&s);
    }

    /* Asked for by one name, named otherwise inside. */
    credit_plugin p;
    char path[600];
    snprintf(path, sizeof path, "%s/rules/example.so", test_root());
    credit_error_clear();
    int st = credit_plugin_open_file(&p, CREDIT_KIND_RULE, path, "other");
    if (!st) credit_plugin_close(&p);
    CHECK(st && strstr(credit_error_message(), "rule names itself 'example', but was asked for as 'other'"), "loader: name mismatch",
          "got '%s'", credit_error_message());
    /* A task file asked for as a rule. */
    snprintf(path, sizeof path, "%s/tasks/file.so", test_root());
    credit_error_clear();
    st = credit_plugin_open_file(&p, CREDIT_KIND_RULE, path, NULL);
    if (!st) credit_plugin_close(&p);
    CHECK(st && strstr(credit_error_message(), "no symbol credit_rule_entry"), "loader: a task is not a rule", "got '%s'",
          credit_error_message());

    /* Search path: the real files, selected by name. */
    credit_plugins_use_static(NULL, 0);
    char env[700];
    snprintf(env, sizeof env, "%s/rules", test_root());
    setenv("CREDIT_RULE_PATH", env, 1);
    st = credit_plugin_open(&p, CREDIT_KIND_RULE, "bptt");
    CHECK(st == 0 && p.dl && strcmp(p.rule->head.name, "bptt") == 0, "search path finds rules/bptt.so", "%s", credit_error_message());
    if (!st) credit_plugin_close(&p);
    credit_error_clear();
    st = credit_plugin_open(&p, CREDIT_KIND_RULE, "nosuch");
    CHECK(st && strstr(credit_error_message(), "unknown rule 'nosuch' (searched ") && strstr(credit_error_message(), "available rules: bptt"),
          "search path: unknown name lists what is there", "got '%s'", credit_error_message());
    unsetenv("CREDIT_RULE_PATH");
    credit_plugins_use_static(test_static_plugins, test_static_count);
}
