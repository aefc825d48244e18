/* test_conformance.c - the same battery for every plugin linked into the test
 * binary: descriptor sanity, option errors, alloc/init/fini, determinism, and
 * errors provoked on purpose. A new plugin is covered the day it is added;
 * a task that needs data gets its test options from task_test_options. */
#define _GNU_SOURCE
#include "test.h"
#include "gradient.h"
#include "plugin.h"
#include "train.h"
#include "util.h"
#include "mkmnist.h" /* test_mnist_dir(): %MNIST%, the synthetic MNIST of tests/test_tasks.c */

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static int all_finite(const credit_real *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* ------------------------------------------------------------ exact rules */

/* |estimate - BPTT| / |BPTT| over every parameter, on one random case: the
 * seed draws the weights, the variant picks leak and loss. */
static double exact_gap(const char *rule, int seed, int variant)
{
    char rulekv[100], pathkv[400], seedkv[40];
    snprintf(rulekv, sizeof rulekv, "rule=%s", rule);
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(variant & 1));
    snprintf(seedkv, sizeof seedkv, "seed=%d", seed);
    const char *kv[] = {rulekv, "task=file", pathkv, seedkv, "n=9", "batch=8", "progress=0", variant & 2 ? "leak=0.7" : "leak=0", NULL};
    credit_session s;
    double gap = INFINITY, loss;
    if (test_session(&s, kv) == 0) {
        const size_t np = s.n_params;
        credit_real *est = malloc(sizeof(credit_real) * np);
        for (int k = 0; k < 8; k++) s.index[k] = (uint64_t)(k * 3 + seed) % s.info.n_examples[CREDIT_SPLIT_TRAIN];
        int st = credit_session_batch(&s, CREDIT_SPLIT_TRAIN, s.index, 8, &loss, NULL, NULL);
        if (!st) st = credit_session_gradient(&s, 0, NULL);
        if (!st) memcpy(est, s.grad, sizeof(credit_real) * np);
        if (!st) st = credit_session_gradient(&s, 1, NULL);
        if (!st) {
            double num = 0, den = 0;
            for (size_t i = 0; i < np; i++) {
                const double e = (double)est[i] - s.grad[i];
                num += e * e, den += (double)s.grad[i] * s.grad[i];
            }
            gap = den > 0 ? sqrt(num / den) : INFINITY;
        }
        free(est);
    }
    credit_session_close(&s);
    return gap;
}

/* The largest gap over random cases (seeds x leak/no leak x xent/mse). */
static double exact_gap_worst(const char *rule)
{
    double worst = 0;
    for (int seed = 1; seed <= 3; seed++)
        for (int variant = 0; variant < 4; variant++) {
            double g = exact_gap(rule, seed, variant);
            if (!(g <= worst)) worst = g;
        }
    return worst;
}

/* ------------------------------------------------------------ stateful rules */

const credit_rule *credit_rule_entry_statetest(void); /* tests/rule_statetest.c */
extern int statetest_forget_on_load;

/* fwdprobe: a rule that tries the host's forward_loss service inside grad
 * and records what it saw (the estimate is zero). */
static struct {
    const credit_host *host;
    double loss, loss_sum, loss_dw, loss_xi;
    int st, traj_kept;
} probe;

static size_t fwdprobe_size(const credit_dims *d, const credit_value *o)
{
    (void)o;
    size_t TB = (size_t)d->T * d->B_max;
    return sizeof(credit_real) * (TB * (2 * (size_t)d->n + 1) + (size_t)d->n * (d->n_in + d->n + d->n_out + 1) + d->B_max);
}
static int fwdprobe_init(void *state, const credit_dims *d, const credit_value *o, const credit_host *host)
{
    (void)state; (void)d; (void)o;
    probe.host = host;
    return CREDIT_OK;
}
static int fwdprobe_grad(void *state, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    (void)g;
    const credit_host *h = probe.host;
    const int T = tr->T, B = tr->B, n = tr->n, n_in = tr->n_in;
    const size_t TB = (size_t)T * B, nw = (size_t)n * n_in;
    credit_real *xi = state, *zcopy = xi + TB * n, *per = zcopy + TB * n, *w_in = per + B;
    memcpy(zcopy, tr->z, sizeof(credit_real) * TB * n);
    probe.st = h->forward_loss(h->ctx, w, NULL, &probe.loss, per);
    probe.loss_sum = 0;
    for (int b = 0; b < B; b++) probe.loss_sum += per[b];
    /* W_in + dW inside the input equals xi_t = dW x_t: the noise enters where W_in x_t does. */
    for (size_t k = 0; k < nw; k++) w_in[k] = w->W_in[k] * (1.0 + 0.1 * (double)(k % 5));
    for (size_t r = 0; r < TB; r++)
        for (int i = 0; i < n; i++) {
            double acc = 0;
            for (int j = 0; j < n_in; j++) acc += (w_in[(size_t)i * n_in + j] - w->W_in[(size_t)i * n_in + j]) * tr->x[r * n_in + j];
            xi[r * n + i] = acc;
        }
    const credit_weights w2 = {w_in, w->W_rec, w->W_out, w->b_out};
    probe.st |= h->forward_loss(h->ctx, &w2, NULL, &probe.loss_dw, NULL);
    probe.st |= h->forward_loss(h->ctx, w, xi, &probe.loss_xi, NULL);
    probe.traj_kept = memcmp(zcopy, tr->z, sizeof(credit_real) * TB * n) == 0;
    return CREDIT_OK;
}
static const credit_rule fwdprobe_rule = {
    .head = {CREDIT_PLUGIN_HEAD(CREDIT_PLUGIN_RULE, credit_rule), .name = "fwdprobe", .version = "1.0",
             .summary = "test rule: calls the host's forward_loss", .citation = "tests/test_conformance.c"},
    .state_size = fwdprobe_size,
    .init = fwdprobe_init,
    .grad = fwdprobe_grad,
};
static const credit_rule *fwdprobe_entry(void) { return &fwdprobe_rule; }

/* The linked-in plugins plus statetest and fwdprobe, the rule `name` served by entry
 * (NULL: as linked). Install with credit_plugins_use_static; caller frees. */
static credit_static_plugin *plugins_with(const char *name, const credit_rule *(*entry)(void), size_t *n)
{
    credit_static_plugin *list = malloc((test_static_count + 2) * sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < test_static_count; i++) list[k++] = test_static_plugins[i];
    list[k++] = (credit_static_plugin){CREDIT_KIND_RULE, "statetest", credit_rule_entry_statetest, NULL};
    list[k++] = (credit_static_plugin){CREDIT_KIND_RULE, "fwdprobe", fwdprobe_entry, NULL};
    for (size_t i = 0; i < k && entry; i++)
        if (list[i].kind == CREDIT_KIND_RULE && strcmp(list[i].name, name) == 0) list[i].rule_entry = entry;
    *n = k;
    return list;
}

/* A copy of a rule whose after_update ends the process at one iteration:
 * a run killed between two checkpoints. */
static const credit_rule *dying_orig;
static credit_rule dying_desc;
static long dying_at;
static int dying_after_update(void *state, const credit_update *u)
{
    int st = dying_orig->after_update(state, u);
    if (u->iter == dying_at) _exit(42);
    return st;
}
static const credit_rule *dying_entry(void) { return &dying_desc; }

/* Trains `rule` N = 6 iterations straight into DIR_straight; then again,
 * killed after iteration 3 (checkpoints every 2), resumed with resume=1 to
 * N. 1 if curve.tsv, curvature.tsv, weights.tsv and metrics.tsv are byte-identical;
 * *why says what went wrong otherwise. */
static int resume_identical(const char *rule, const char *tag, char *why, size_t why_len)
{
    char rulekv[100], pathkv[400], out_a[600], out_b[600], dir_a[500], dir_b[500];
    snprintf(rulekv, sizeof rulekv, "rule=%s", rule);
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
    snprintf(dir_a, sizeof dir_a, "%s/resume_%s_straight", test_tmp(), tag);
    snprintf(dir_b, sizeof dir_b, "%s/resume_%s_killed", test_tmp(), tag);
    snprintf(out_a, sizeof out_a, "out=%s", dir_a);
    snprintf(out_b, sizeof out_b, "out=%s", dir_b);
    /* Curvature rows call the rule's grad at other weights (gamma): they must leave its state alone. */
    const char *kv[] = {rulekv, "task=file", pathkv, "n=6", "batch=8", "iters=6", "eval_every=2", "checkpoint_every=2", "lr=0.05",
                        "progress=0", out_a, "resume=0", "curvature_every=2", "hessian_batch=8", "hessian_k=1", "hessian_maxiter=8", NULL};
    credit_session s;
    *why = 0;
    int st = test_session(&s, kv);
    if (!st) st = credit_train(&s);
    credit_session_close(&s);
    if (st) return snprintf(why, why_len, "straight run: %s", credit_error_message()), 0;

    /* The killed run, in a child process with the dying copy of the rule. */
    kv[10] = out_b;
    size_t n;
    credit_static_plugin *list = plugins_with(rule, dying_entry, &n);
    credit_plugin p;
    if (credit_plugin_open(&p, CREDIT_KIND_RULE, rule)) {
        free(list);
        return snprintf(why, why_len, "%s", credit_error_message()), 0;
    }
    dying_orig = p.rule;
    dying_desc = *p.rule;
    dying_desc.after_update = dying_after_update;
    dying_at = 3;
    credit_plugin_close(&p);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        credit_plugins_use_static(list, n);
        credit_session c;
        if (test_session(&c, kv) == 0) credit_train(&c);
        _exit(1); /* not killed: the run ended */
    }
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    free(list);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 42) return snprintf(why, why_len, "the killed run was not killed at iteration 3"), 0;
    kv[11] = "resume=1";
    st = test_session(&s, kv);
    if (!st) st = credit_train(&s);
    credit_session_close(&s);
    if (st) return snprintf(why, why_len, "resumed run: %s", credit_error_message()), 0;
    const char *files[] = {"curve.tsv", "curvature.tsv", "weights.tsv", "metrics.tsv"};
    for (int f = 0; f < 4; f++) {
        char a[700], b[700];
        snprintf(a, sizeof a, "%s/%s", dir_a, files[f]);
        snprintf(b, sizeof b, "%s/%s", dir_b, files[f]);
        if (!test_files_equal(a, b)) return snprintf(why, why_len, "%s differs", files[f]), 0;
    }
    return 1;
}

/* Every rule with state that changes after init resumes bit-identically. */
static void conform_stateful(const char *rule)
{
    char label[200], why[300];
    snprintf(label, sizeof label, "rule %s: N iterations straight = k iterations, killed, resumed to N (curve, curvature, weights, metrics bit-identical)",
             rule);
    CHECK(resume_identical(rule, rule, why, sizeof why), label, "%s", why);
}

static void test_stateful(void)
{
    size_t n;
    char why[300];
    credit_static_plugin *list = plugins_with("statetest", NULL, &n);
    credit_plugins_use_static(list, n);
    conform_stateful("statetest");
    /* The check can fail: a rule that loses its state on load is caught. */
    statetest_forget_on_load = 1;
    int same = resume_identical("statetest", "forget", why, sizeof why);
    statetest_forget_on_load = 0;
    CHECK(!same && strstr(why, "differs"), "resume check catches a rule whose state is lost on resume", "identical %d (%s)", same, why);
    const char *ckpt_dir = "resume_statetest_straight";

    /* A checkpoint holding one rule's state, read by a rule that saves none. */
    char pathkv[400], ckpt[600];
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
    snprintf(ckpt, sizeof ckpt, "%s/%s/checkpoint.bin", test_tmp(), ckpt_dir);
    const char *kv[] = {"rule=eprop", "task=file", pathkv, "n=6", "batch=8", "iters=6", "progress=0", NULL};
    credit_session s;
    credit_ckpt_info info;
    int st = test_session(&s, kv);
    credit_error_clear();
    if (!st) st = credit_ckpt_read(&s, ckpt, &info);
    CHECK(st && strstr(credit_error_message(), ckpt) && strstr(credit_error_message(), "bytes of rule state, rule eprop 1.0 saves 0"),
          "checkpoint: a rule state of the wrong size is refused, naming the file", "status %d, '%s'", st, credit_error_message());
    credit_session_close(&s);
    credit_plugins_use_static(test_static_plugins, test_static_count);
    free(list);
}

/* The host's forward_loss: the batch's loss, its shares, noise inside the
 * recurrent input, the trajectory left alone, refused outside grad. */
static void test_forward_loss(void)
{
    size_t n;
    credit_static_plugin *list = plugins_with("fwdprobe", NULL, &n);
    credit_plugins_use_static(list, n);
    char pathkv[400];
    for (int variant = 0; variant < 2; variant++) {
        snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(variant));
        const char *kv[] = {"rule=fwdprobe", "task=file", pathkv, "n=7", "batch=8", "progress=0", variant ? "leak=0.6" : "leak=0", NULL};
        credit_session s;
        double loss;
        memset(&probe, 0, sizeof probe);
        int st = test_session(&s, kv);
        for (int k = 0; k < 8 && !st; k++) s.index[k] = (uint64_t)k;
        if (!st) st = credit_session_batch(&s, CREDIT_SPLIT_TRAIN, s.index, 8, &loss, NULL, NULL);
        if (!st) st = credit_session_gradient(&s, 0, NULL);
        char label[200];
        const char *what = variant ? "mse, leak" : "xent, no leak";
        snprintf(label, sizeof label, "forward_loss at the batch's weights is the batch loss, bit for bit (%s)", what);
        CHECK(!st && !probe.st && probe.loss == loss, label, "status %d/%d, %.17g vs %.17g", st, probe.st, probe.loss, loss);
        /* Float: each share is a credit_real summed over the scored steps
         * (<= T = 8 roundings of 2^-24 each, shares >= 0), so the shares
         * sum to the loss within (T + 2) 2^-24 = 6e-7 of it (measured 4.5e-9). */
        const double share_tol = test_tol(1e-13, 6e-7);
        snprintf(label, sizeof label, "forward_loss: the per-example shares sum to the loss (%s)", what);
        CHECK(fabs(probe.loss_sum - loss) <= share_tol * fabs(loss), label, "%.17g vs %.17g (relative %.3g)", probe.loss_sum, loss,
              fabs(probe.loss_sum - loss) / fabs(loss));
        /* Float: two float forward passes that round differently (W_in + dW
         * rounded, or xi = dW x rounded), T = 8 steps of sums over n + n_in =
         * 9 terms: 2 T 2^-24 (x a few) = 1e-6 relative (measured 5.9e-8). */
        const double xi_tol = test_tol(1e-12, 1e-6);
        snprintf(label, sizeof label, "forward_loss: xi_t = dW_in x_t gives the loss at W_in + dW_in to %g (%s)", xi_tol, what);
        CHECK(fabs(probe.loss_xi - probe.loss_dw) <= xi_tol * fabs(probe.loss_dw) && probe.loss_dw != loss, label,
              "%.17g vs %.17g (base %.17g, relative %.3g)", probe.loss_xi, probe.loss_dw, loss,
              fabs(probe.loss_xi - probe.loss_dw) / fabs(probe.loss_dw));
        snprintf(label, sizeof label, "forward_loss leaves the rule's trajectory as it was (%s)", what);
        CHECK(probe.traj_kept, label, "%s", "trajectory changed");
        if (!st && probe.host) {
            double l;
            credit_error_clear();
            const credit_weights w = credit_weights_of(&s.w);
            int out = probe.host->forward_loss(probe.host->ctx, &w, NULL, &l, NULL);
            snprintf(label, sizeof label, "forward_loss outside grad is refused (%s)", what);
            CHECK(out == CREDIT_EINVAL && strstr(credit_error_message(), "forward_loss service called outside grad"), label, "status %d '%s'",
                  out, credit_error_message());
        }
        credit_session_close(&s);
    }
    credit_plugins_use_static(test_static_plugins, test_static_count);
    free(list);
}

/* A rule that claims EXACT but is not is caught: eprop with the bit set. */
static credit_rule fake_exact;
static const credit_rule *fake_exact_entry(void) { return &fake_exact; }

static void test_exact_caught(void)
{
    size_t n;
    credit_plugin p;
    if (!CHECK(credit_plugin_open(&p, CREDIT_KIND_RULE, "eprop") == 0, "eprop loads", "%s", credit_error_message())) return;
    fake_exact = *p.rule;
    fake_exact.head.flags |= CREDIT_RULE_EXACT;
    credit_plugin_close(&p);
    credit_static_plugin *list = plugins_with("eprop", fake_exact_entry, &n);
    credit_plugins_use_static(list, n);
    double gap = exact_gap_worst("eprop");
    CHECK(gap > 1e-12 && isfinite(gap), "conformance catches a rule flagged EXACT that is not (eprop with the bit set)",
          "gap to BPTT %.3g", gap);
    credit_plugins_use_static(test_static_plugins, test_static_count);
    free(list);
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
        credit_real *a = malloc(3 * sizeof(credit_real) * np), *b = a + np, *exact = b + np;
        for (int k = 0; k < 8; k++) s1.index[k] = s2.index[k] = (uint64_t)k;
        st |= credit_session_batch(&s1, CREDIT_SPLIT_TRAIN, s1.index, 8, &loss, NULL, NULL);
        st |= credit_session_gradient(&s1, 0, NULL);
        memcpy(a, s1.grad, sizeof(credit_real) * np);
        st |= credit_session_gradient(&s1, 0, NULL); /* again: no hidden state carried between calls */
        int again = memcmp(a, s1.grad, sizeof(credit_real) * np) == 0;
        st |= credit_session_gradient(&s1, CREDIT_GRAD_EXACT, NULL);
        memcpy(exact, s1.grad, sizeof(credit_real) * np);
        st |= credit_session_batch(&s2, CREDIT_SPLIT_TRAIN, s2.index, 8, &loss, NULL, NULL);
        st |= credit_session_gradient(&s2, 0, NULL);
        memcpy(b, s2.grad, sizeof(credit_real) * np);
        snprintf(label, sizeof label, "%s: estimate is finite and repeatable, bit for bit (%s)", who, variant ? "leak" : "no leak");
        CHECK(!st && again && all_finite(a, np) && memcmp(a, b, sizeof(credit_real) * np) == 0, label, "status %d, repeat %d", st, again);
        /* The readout gradient is the core's: the rule must not touch it. */
        size_t readout = (size_t)(s1.w.W_out - s1.theta);
        snprintf(label, sizeof label, "%s: leaves W_out and b_out to the core (%s)", who, variant ? "leak" : "no leak");
        CHECK(memcmp(a + readout, exact + readout, sizeof(credit_real) * (np - readout)) == 0, label, "%s", "readout gradient differs");
        free(a);
        credit_session_close(&s1);
        credit_session_close(&s2);
    }

    if (r->head.flags & CREDIT_RULE_EXACT) {
        double gap = exact_gap_worst(sp->name);
        snprintf(label, sizeof label, "%s: flagged EXACT, equals the core's BPTT to 1e-12 on random cases (seeds, leak, xent/mse)", who);
        CHECK(gap <= 1e-12, label, "relative gap %.3g", gap);
    }
    credit_plugin pl;
    if (credit_plugin_open(&pl, CREDIT_KIND_RULE, sp->name) == 0) {
        const int stateful = pl.after_update || pl.save_size;
        credit_plugin_close(&pl);
        if (stateful) conform_stateful(sp->name);
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
    credit_real *buf = malloc(sizeof(credit_real) * 2 * (nx + nt + nm));
    credit_real *x1 = buf, *t1 = x1 + nx, *m1 = t1 + nt, *x2 = m1 + nm, *t2 = x2 + nx, *m2 = t2 + nt;
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
                same &= memcmp(x1 + r1 * in->n_in, x2 + r2 * in->n_in, sizeof(credit_real) * in->n_in) == 0;
                same &= memcmp(t1 + r1 * in->n_out, t2 + r2 * in->n_out, sizeof(credit_real) * in->n_out) == 0;
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
        snprintf(label, sizeof label, "%s: %s fill writes every value, deterministic per example", who, credit_splits[sp_i].name);
        CHECK(!fst && !st && written && same, label, "status %d, all written %d, same %d", fst, written, same);
        snprintf(label, sizeof label, "%s: %s masks >= 0 with a scored step, targets are distributions (xent)", who, credit_splits[sp_i].name);
        CHECK(masks_ok && targets_ok, label, "masks %d targets %d", masks_ok, targets_ok);
        /* An index past the end is refused. */
        uint64_t past = count;
        snprintf(label, sizeof label, "%s: %s fill refuses an index past the end", who, credit_splits[sp_i].name);
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
    test_exact_caught();
    test_forward_loss();
    test_stateful();
}
