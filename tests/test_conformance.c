/* test_conformance.c - the same battery for every plugin linked into the test
 * binary: descriptor sanity, option errors, alloc/init/fini, determinism, and
 * errors provoked on purpose. A new plugin is covered the day it is added;
 * a task that needs data gets its test options from task_test_options. */
#define _GNU_SOURCE
#include "test.h"
#include "plugin.h"
#include "util.h"
#include "mkmnist.h" /* test_mnist_dir(): %MNIST%, the synthetic MNIST of tests/test_tasks.c */

#include <stdlib.h>
#include <string.h>

extern const credit_static_plugin test_static_plugins[];
extern const size_t test_static_count;

/* Extra key=value pairs a task needs to initialise in the tests (data files
 * the tests write). %s is replaced by the test scratch directory. */
static const struct { const char *task; const char *kv[4]; } task_test_options[] = {
    {"file", {"path=%SEQ%", NULL}},
    {"smnist", {"data_dir=%MNIST%", "valid_size=100", NULL}},
};

static void task_kv(const char *task, const char **kv, int *n, char bufs[][400])
{
    for (size_t i = 0; i < sizeof task_test_options / sizeof *task_test_options; i++) {
        if (strcmp(task_test_options[i].task, task) != 0) continue;
        for (int k = 0; task_test_options[i].kv[k]; k++) {
            const char *src = task_test_options[i].kv[k];
            char *dst = bufs[k];
            const char *mark = strstr(src, "%SEQ%");
            const char *tmark = strstr(src, "%TMP%"), *mmark = strstr(src, "%MNIST%");
            if (mmark) snprintf(dst, 400, "%.*s%s%s", (int)(mmark - src), src, test_mnist_dir(), mmark + 7);
            else if (mark) snprintf(dst, 400, "%.*s%s%s", (int)(mark - src), src, test_seq_file(0), mark + 5);
            else if (tmark) snprintf(dst, 400, "%.*s%s%s", (int)(tmark - src), src, test_tmp(), tmark + 5);
            else snprintf(dst, 400, "%s", src);
            kv[(*n)++] = dst;
        }
    }
}

static int sane_text(const char *s) { return s && *s && !strchr(s, '\n'); }

static void check_descriptor(const char *who, const char *name, const char *reg_name, const char *version, const char *summary,
                             const char *citation, const credit_option *opt, uint32_t n_opt)
{
    char label[200];
    snprintf(label, sizeof label, "%s: descriptor names itself as registered, one-line version/summary/citation", who);
    CHECK(strcmp(name, reg_name) == 0 && sane_text(version) && sane_text(summary) && sane_text(citation), label,
          "name '%s' version '%s' summary '%s'", name, version ? version : "", summary ? summary : "");
    int ok = 1;
    char why[300] = "";
    for (uint32_t i = 0; i < n_opt && ok; i++) {
        credit_value v;
        if (credit_option_parse(&opt[i], opt[i].default_value, "default", &v)) {
            ok = 0;
            snprintf(why, sizeof why, "default of %s: %s", opt[i].key, credit_error_message());
        }
        if (!opt[i].help || !*opt[i].help) ok = 0, snprintf(why, sizeof why, "%s has no help", opt[i].key);
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(opt[i].key, opt[k].key) == 0) ok = 0, snprintf(why, sizeof why, "%s declared twice", opt[i].key);
    }
    snprintf(label, sizeof label, "%s: every option has a valid default, help and a unique key", who);
    CHECK(ok, label, "%s", why);
}

/* A deliberately bad value for each option gives an error naming the key. */
static void check_option_errors(const char *who, const char *const *base, const credit_option *opt, uint32_t n_opt)
{
    for (uint32_t i = 0; i < n_opt; i++) {
        char bad[200];
        if (opt[i].kind == CREDIT_OPT_STRING) continue;
        if (opt[i].kind == CREDIT_OPT_CHOICE) snprintf(bad, sizeof bad, "%s=no_such_choice", opt[i].key);
        else snprintf(bad, sizeof bad, "%s=not_a_number", opt[i].key);
        const char *kv[24];
        int n = 0;
        for (; base[n]; n++) kv[n] = base[n];
        kv[n++] = bad;
        kv[n] = NULL;
        credit_session s;
        credit_error_clear();
        int st = test_session(&s, kv);
        credit_session_close(&s);
        char label[200], want[100];
        snprintf(want, sizeof want, "%s = '", opt[i].key);
        snprintf(label, sizeof label, "%s: bad %s is refused with its key named", who, opt[i].key);
        CHECK(st && strstr(credit_error_message(), want), label, "status %d, message '%s'", st, credit_error_message());
    }
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

static void conform_rule(const credit_static_plugin *sp)
{
    const credit_rule *r = sp->rule_entry();
    char who[100], label[200];
    snprintf(who, sizeof who, "rule %s", sp->name);
    check_descriptor(who, r->head.name, sp->name, r->head.version, r->head.summary, r->head.citation, r->head.options, r->head.n_options);
    char rulekv[100], pathkv[400], mse_path[400];
    snprintf(rulekv, sizeof rulekv, "rule=%s", sp->name);
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
    snprintf(mse_path, sizeof mse_path, "path=%s", test_seq_file(1));
    const char *base[] = {rulekv, "task=file", pathkv, "n=10", "batch=8", "progress=0", NULL};
    check_option_errors(who, base, r->head.options, r->head.n_options);

    for (int variant = 0; variant < 2; variant++) {
        const char *kv[] = {rulekv, "task=file", variant ? mse_path : pathkv, "n=10", "batch=8", "progress=0",
                            variant ? "leak=0.6" : "leak=0", NULL};
        credit_session s1, s2;
        int st = test_session(&s1, kv);
        snprintf(label, sizeof label, "%s: init with default options (%s)", who, variant ? "leak, mse" : "no leak, xent");
        if (!CHECK(st == 0, label, "%s", credit_error_message())) { credit_session_close(&s1); continue; }
        st = test_session(&s2, kv);
        double loss;
        const size_t np = s1.n_params;
        double *a = malloc(3 * sizeof(double) * np), *b = a + np, *exact = b + np;
        for (int k = 0; k < 8; k++) s1.index[k] = s2.index[k] = (uint64_t)k;
        st |= credit_session_batch(&s1, CREDIT_SPLIT_TRAIN, s1.index, 8, &loss, NULL, NULL);
        st |= credit_session_gradient(&s1, 0, NULL);
        memcpy(a, s1.grad, sizeof(double) * np);
        st |= credit_session_gradient(&s1, 0, NULL); /* again: no hidden state carried between calls */
        int again = memcmp(a, s1.grad, sizeof(double) * np) == 0;
        st |= credit_session_gradient(&s1, 1, NULL);
        memcpy(exact, s1.grad, sizeof(double) * np);
        st |= credit_session_batch(&s2, CREDIT_SPLIT_TRAIN, s2.index, 8, &loss, NULL, NULL);
        st |= credit_session_gradient(&s2, 0, NULL);
        memcpy(b, s2.grad, sizeof(double) * np);
        snprintf(label, sizeof label, "%s: estimate is finite and repeatable, bit for bit (%s)", who, variant ? "leak" : "no leak");
        CHECK(!st && again && all_finite(a, np) && memcmp(a, b, sizeof(double) * np) == 0, label, "status %d, repeat %d", st, again);
        /* The readout gradient is the core's: the rule must not touch it. */
        size_t readout = (size_t)(s1.w.W_out - s1.theta);
        snprintf(label, sizeof label, "%s: leaves W_out and b_out to the core (%s)", who, variant ? "leak" : "no leak");
        CHECK(memcmp(a + readout, exact + readout, sizeof(double) * (np - readout)) == 0, label, "%s", "readout gradient differs");
        free(a);
        credit_session_close(&s1);
        credit_session_close(&s2);
    }
}

static void conform_task(const credit_static_plugin *sp)
{
    const credit_task *t = sp->task_entry();
    char who[100], label[200];
    snprintf(who, sizeof who, "task %s", sp->name);
    check_descriptor(who, t->head.name, sp->name, t->head.version, t->head.summary, t->head.citation, t->head.options, t->head.n_options);
    char taskkv[100], bufs[4][400];
    snprintf(taskkv, sizeof taskkv, "task=%s", sp->name);
    const char *kv[12] = {taskkv, "n=8", "batch=8", "progress=0", "eval_chunk=8"};
    int n = 5;
    task_kv(sp->name, kv, &n, bufs);
    kv[n] = NULL;
    check_option_errors(who, kv, t->head.options, t->head.n_options);

    credit_session s1, s2;
    int st = test_session(&s1, kv);
    snprintf(label, sizeof label, "%s: init with test options", who);
    if (!CHECK(st == 0, label, "%s", credit_error_message())) { credit_session_close(&s1); return; }
    st = test_session(&s2, kv);
    const credit_task_info *in = &s1.info;
    const int T = in->T, B = 6;
    const size_t nx = (size_t)T * B * in->n_in, nt = (size_t)T * B * in->n_out, nm = (size_t)T * B;
    double *buf = malloc(sizeof(double) * 2 * (nx + nt + nm));
    double *x1 = buf, *t1 = x1 + nx, *m1 = t1 + nt, *x2 = m1 + nm, *t2 = x2 + nx, *m2 = t2 + nt;
    for (int sp_i = 0; sp_i < CREDIT_N_SPLITS; sp_i++) {
        uint64_t count = in->n_examples[sp_i];
        if (!count) continue;
        uint64_t idx[6], rev[6];
        for (int b = 0; b < B; b++) idx[b] = (uint64_t)(b * 7919) % count;
        for (int b = 0; b < B; b++) rev[b] = idx[B - 1 - b];
        for (size_t k = 0; k < 2 * (nx + nt + nm); k++) buf[k] = NAN;
        int fst = s1.task->fill(s1.task_state, sp_i, idx, B, x1, t1, m1);
        fst |= s2.task->fill(s2.task_state, sp_i, rev, B, x2, t2, m2);
        int written = all_finite(buf, 2 * (nx + nt + nm));
        /* Example idx[b] must be the same wherever it sits in a batch. */
        int same = 1, masks_ok = 1, targets_ok = 1;
        for (int b = 0; b < B && written; b++) {
            int c = B - 1 - b;
            double scored = 0;
            for (int tt = 0; tt < T; tt++) {
                size_t r1 = (size_t)tt * B + b, r2 = (size_t)tt * B + c;
                same &= memcmp(x1 + r1 * in->n_in, x2 + r2 * in->n_in, sizeof(double) * in->n_in) == 0;
                same &= memcmp(t1 + r1 * in->n_out, t2 + r2 * in->n_out, sizeof(double) * in->n_out) == 0;
                same &= m1[r1] == m2[r2];
                masks_ok &= m1[r1] >= 0;
                scored += m1[r1];
                if (in->loss == CREDIT_LOSS_XENT && m1[r1] > 0) {
                    double sum = 0;
                    for (int k = 0; k < in->n_out; k++) sum += t1[r1 * in->n_out + k], targets_ok &= t1[r1 * in->n_out + k] >= 0;
                    targets_ok &= fabs(sum - 1) < 1e-12;
                }
            }
            masks_ok &= scored > 0;
        }
        static const char *names[] = {"train", "valid", "test", "test_perturbed"};
        snprintf(label, sizeof label, "%s: %s fill writes every value, deterministic per example", who, names[sp_i]);
        CHECK(!fst && !st && written && same, label, "status %d, all written %d, same %d", fst, written, same);
        snprintf(label, sizeof label, "%s: %s masks >= 0 with a scored step, targets are distributions (xent)", who, names[sp_i]);
        CHECK(masks_ok && targets_ok, label, "masks %d targets %d", masks_ok, targets_ok);
        /* An index past the end is refused. */
        uint64_t past = count;
        snprintf(label, sizeof label, "%s: %s fill refuses an index past the end", who, names[sp_i]);
        CHECK(s1.task->fill(s1.task_state, sp_i, &past, 1, x1, t1, m1) != 0, label, "%s", "index accepted");
    }
    free(buf);
    credit_session_close(&s1);
    credit_session_close(&s2);
}

void test_conformance(void)
{
    for (size_t i = 0; i < test_static_count; i++) {
        if (test_static_plugins[i].kind == CREDIT_KIND_RULE) conform_rule(&test_static_plugins[i]);
        else conform_task(&test_static_plugins[i]);
    }
}
