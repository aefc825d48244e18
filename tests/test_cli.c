/* test_cli.c - bin/credit as a user runs it: help, plugins, runs that are
 * bit-identical, a killed run resumed, divergence, and error exits. */
#define _GNU_SOURCE
#include "test.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char credit[512];


static int same_file(const char *dir_a, const char *dir_b, const char *file)
{
    char a[1000], b[1000];
    snprintf(a, sizeof a, "%s/%s", dir_a, file);
    snprintf(b, sizeof b, "%s/%s", dir_b, file);
    return test_files_equal(a, b);
}

static int all_same(const char *a, const char *b)
{
    return same_file(a, b, "curve.tsv") && same_file(a, b, "weights.tsv") && same_file(a, b, "metrics.tsv") &&
           same_file(a, b, "checkpoint.bin");
}

/* credit config prints a run's config.txt byte for byte, and refuses what
 * train refuses with train's message. */
static void test_cli_config(const char *seq)
{
    const char *tmp = test_tmp();
    char cfg[600], dir[600], printed[700], txt[700], cmd[4000], *out = NULL, *out2 = NULL;
    snprintf(cfg, sizeof cfg, "%s/config_cmd.cfg", tmp);
    FILE *fp = fopen(cfg, "w");
    if (fp) fputs("# a config file with comments\nrule = eprop  # the rule\ntask = dms\nt_delay = 4\n\nlr = 1e-3\n", fp), fclose(fp);
    /* a rule and a task with options, values in non-canonical spellings */
    const struct { const char *name, *args; } cases[] = {
        {"bptt on file", "task=file n=9 l2=0.0100 batch=8"},
        {"kp on patgen", "rule=kp decay=0.02 feedback_scale=wout task=patgen steps=20 patterns=2 n=8 lr=.001 hessian_tol=1E-4"},
        {"eprop on dms, from a file", cfg},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *file_task = strstr(cases[k].args, "task=file") ? "path=" : "";
        snprintf(dir, sizeof dir, "%s/config_run%zu", tmp, k);
        snprintf(printed, sizeof printed, "%s/config_run%zu.printed", tmp, k);
        snprintf(txt, sizeof txt, "%s/config.txt", dir);
        int rc = test_credit(&out, "train %s %s%s iters=20 eval_every=10 progress=0 out=%s", cases[k].args, file_task, *file_task ? seq : "",
                             dir);
        snprintf(cmd, sizeof cmd, "%s/bin/credit config %s %s%s iters=20 eval_every=10 progress=0 out=%s > %s", test_root(), cases[k].args,
                 file_task, *file_task ? seq : "", dir, printed);
        int rc2 = test_run(cmd, &out2);
        CHECK(rc == 0 && rc2 == 0 && test_files_equal(txt, printed), "credit config: a trained run's config.txt byte for byte",
              "%s: train rc %d, config rc %d: %s%s", cases[k].name, rc, rc2, out ? out : "", out2 ? out2 : "");
        free(out), free(out2);
        out = out2 = NULL;
    }
    /* Bad input: the message train gives, exit 1. */
    const struct { const char *name, *args, *says; } bad[] = {
        {"unknown key", "task=file nonsense=1", "unknown key 'nonsense'"},
        {"bad value", "task=dms t_delay=x", "t_delay = 'x' is not valid"},
        {"missing file", "no_such_config.cfg", "no_such_config.cfg"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        int rc = test_credit(&out, "config %s", bad[k].args);
        int rc2 = test_credit(&out2, "train %s out=%s/config_bad", bad[k].args, tmp);
        CHECK(rc == 1 && rc2 == 1 && out && out2 && !strcmp(out, out2) && strstr(out, bad[k].says) && !strstr(out, "# core"),
              "credit config: bad input gives train's error and exit 1", "%s: rc %d, train rc %d: '%s' vs '%s'", bad[k].name, rc, rc2,
              out ? out : "", out2 ? out2 : "");
        free(out), free(out2);
        out = out2 = NULL;
    }
    /* --given: the config as given (a run's key), by the same reader */
    snprintf(cfg, sizeof cfg, "%s/config_given.cfg", tmp);
    if ((fp = fopen(cfg, "w"))) fputs("a = 1\n  b=2 # two\n\nweights =\n", fp), fclose(fp);
    int rc = test_credit(&out, "config --given %s b=3 c=4 a=5", cfg);
    CHECK(rc == 0 && out && !strcmp(out, "a = 5\nb = 3\nweights = \nc = 4\n"),
          "credit config --given: a later value wins, the first occurrence keeps its place", "rc %d: '%s'", rc, out ? out : "");
    free(out);
    if ((fp = fopen(cfg, "w"))) fputs("a = 1\na = 2\n", fp), fclose(fp);
    rc = test_credit(&out, "config --given %s", cfg);
    CHECK(rc == 1 && out && strstr(out, "config_given.cfg:2: key 'a' is already set at"), "credit config --given: a file's repeated key is refused",
          "rc %d: %s", rc, out ? out : "");
    free(out);
    rc = test_credit(&out, "config --given a=1 b");
    CHECK(rc == 1 && out && strstr(out, "expected key=value, got 'b'"), "credit config --given: a word without '=' is refused", "rc %d: %s", rc,
          out ? out : "");
    free(out);
    rc = test_credit(&out, "config --help");
    CHECK(rc == 0 && strstr(out, "usage: credit config"), "credit config --help", "rc %d: %s", rc, out ? out : "");
    free(out);
}

void test_cli(void)
{
    snprintf(credit, sizeof credit, "%s/bin/credit", test_root());
    const char *tmp = test_tmp(), *seq = test_seq_file(0);
    char *out;
    int rc;

    rc = test_credit(&out, "--help");
    CHECK(rc == 0 && strstr(out, "train [CONFIG]") && strstr(out, "plugins"), "credit --help", "rc %d: %s", rc, out);
    free(out);
    rc = test_credit(&out, "%s", "");
    CHECK(rc == 2 && strstr(out, "usage: credit COMMAND"), "credit without a command: usage, exit 2", "rc %d", rc);
    free(out);
    rc = test_credit(&out, "frobnicate");
    CHECK(rc == 2 && strstr(out, "unknown command 'frobnicate'"), "unknown command: exit 2", "rc %d: %s", rc, out);
    free(out);
    rc = test_credit(&out, "train --help");
    CHECK(rc == 0 && strstr(out, "resume=1"), "credit train --help", "rc %d", rc);
    free(out);
    rc = test_credit(&out, "plugins list");
    CHECK(rc == 0 && strstr(out, "bptt") && strstr(out, "example") && strstr(out, "file"), "credit plugins list", "rc %d: %s", rc, out);
    free(out);
    rc = test_credit(&out, "plugins describe example");
    CHECK(rc == 0 && strstr(out, "feedback") && strstr(out, "symmetric|random"), "credit plugins describe", "rc %d: %s", rc, out);
    free(out);

    /* Bad input: clear message, exit 1. */
    rc = test_credit(&out, "train task=file path=%s lr=-1 out=%s/x", seq, tmp);
    CHECK(rc == 1 && strstr(out, "credit: command line: lr = -1 is out of range"), "bad value: message and exit 1", "rc %d: %s", rc, out);
    free(out);
    rc = test_credit(&out, "train task=file path=%s", seq);
    CHECK(rc == 1 && strstr(out, "needs a run directory: out = DIR"), "train without out= is refused", "rc %d: %s", rc, out);
    free(out);
    rc = test_credit(&out, "train %s/none.cfg", tmp);
    CHECK(rc == 1 && strstr(out, "cannot open") && strstr(out, "none.cfg"), "missing config file is named", "rc %d: %s", rc, out);
    free(out);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "CREDIT_RULE_PATH=%s/bad %s grad rule=initfail task=file path=%s n=7", test_build(), credit, seq);
    rc = test_run(cmd, &out);
    CHECK(rc == 1 && strstr(out, "credit: rule initfail: refusing on purpose (n = 7)"), "failed plugin init is reported", "rc %d: %s", rc, out);
    free(out);

    /* Same config and seed: the same bits. */
    const char *common = "task=file n=12 batch=16 lr=0.05 iters=300 eval_every=50 optimizer=adam progress=0";
    char a[600], b[600], c[700];
    snprintf(a, sizeof a, "%s/run_a", tmp);
    snprintf(b, sizeof b, "%s/run_b", tmp);
    snprintf(c, sizeof c, "%s/run_c", tmp);
    rc = test_credit(NULL, "train %s path=%s out=%s", common, seq, a);
    rc |= test_credit(NULL, "train %s path=%s out=%s", common, seq, b);
    CHECK(rc == 0 && all_same(a, b), "same config and seed: bit-identical run", "rc %d", rc);
    char metrics[700];
    snprintf(metrics, sizeof metrics, "%s/metrics.tsv", a);
    char *text = NULL;
    credit_read_file(metrics, &text, NULL);
    CHECK(text && strstr(text, "status\tcompleted") && strstr(text, "# rule bptt 1.0") && strstr(text, "# config_hash ") &&
              strstr(text, "gap_acc\t"),
          "metrics.tsv: provenance, status and gaps", "%s", text ? text : "(missing)");
    free(text);
    rc = test_credit(NULL, "train %s path=%s out=%s seed=2", common, seq, c);
    CHECK(rc == 0 && !same_file(a, c, "weights.tsv"), "another seed gives another run", "rc %d", rc);

    /* A killed run, resumed, ends bit-identical to an uninterrupted one. */
    const char *longrun = "task=file n=12 batch=16 lr=0.02 iters=6000 eval_every=1000 checkpoint_every=100 optimizer=adam progress=0";
    snprintf(a, sizeof a, "%s/long_a", tmp);
    snprintf(b, sizeof b, "%s/long_b", tmp);
    rc = test_credit(NULL, "train %s path=%s out=%s", longrun, seq, a);
    char longargs[2000];
    snprintf(longargs, sizeof longargs, "%s path=%s", longrun, seq);
    int killed = test_train_killed(longargs, b);
    CHECK(killed, "the long run was killed part-way (no metrics.tsv)", "%s", "it finished first: lengthen the run in test_cli.c");
    rc |= test_credit(&out, "train %s path=%s out=%s resume=1", longrun, seq, b);
    CHECK(rc == 0 && killed && all_same(a, b), "killed and resumed run is bit-identical to an uninterrupted one", "rc %d: %s", rc, out);
    free(out);
    rc = test_credit(&out, "train %s path=%s out=%s resume=1", longrun, seq, b);
    CHECK(rc == 0 && strstr(out, "complete already"), "resume of a finished run does nothing", "rc %d: %s", rc, out);
    free(out);
    rc = test_credit(&out, "train %s path=%s out=%s resume=1 lr=0.03", longrun, seq, b);
    CHECK(rc == 0, "resume of a finished run ignores its config", "rc %d", rc);
    free(out);

    /* Divergence: its own exit code, recorded, nothing that looks finished. */
    snprintf(a, sizeof a, "%s/diverge", tmp);
    rc = test_credit(&out, "train task=file path=%s n=12 batch=16 lr=100 iters=100 eval_every=10 progress=0 out=%s", test_seq_file(1), a);
    free(out);
    snprintf(metrics, sizeof metrics, "%s/metrics.tsv", a);
    text = NULL;
    credit_read_file(metrics, &text, NULL);
    CHECK(rc == 3 && text && strstr(text, "status\tdiverged"), "a diverging run exits 3 and says so in metrics.tsv", "rc %d: %s", rc,
          text ? text : "(no metrics)");
    free(text);

    /* A fresh run into a used directory leaves nothing of the old one to
     * resume from or to look complete: it diverges before its first
     * checkpoint, so any checkpoint.bin there would be stale. */
    snprintf(b, sizeof b, "%s/run_c", tmp);
    rc = test_credit(&out, "train task=file path=%s n=12 batch=16 lr=100 iters=100 eval_every=50 progress=0 out=%s", test_seq_file(1), b);
    free(out);
    snprintf(metrics, sizeof metrics, "%s/metrics.tsv", b);
    text = NULL;
    credit_read_file(metrics, &text, NULL);
    char *curv = NULL;
    int rc2 = test_credit(&curv, "curvature %s", b); /* the checkpoint there must be the diverged run's own final one */
    CHECK(rc == 3 && text && strstr(text, "status\tdiverged") && rc2 == 3 && curv && strstr(curv, "checkpoint of a diverged run"),
          "a fresh run removes the earlier run's checkpoint and metrics", "rc %d, curvature rc %d: %s", rc, rc2, curv ? curv : "");
    free(text);
    free(curv);
    /* D1: a finished run whose metrics.tsv is lost (killed after its final
     * checkpoint) is finished by resume=1 from that checkpoint, the same bits. */
    snprintf(a, sizeof a, "%s/run_b", tmp);
    snprintf(b, sizeof b, "%s/run_a", tmp);
    snprintf(metrics, sizeof metrics, "%s/metrics.tsv", a);
    remove(metrics);
    rc = test_credit(&out, "train %s path=%s out=%s resume=1", common, seq, a);
    CHECK(rc == 0 && all_same(a, b), "resume of a run killed after its final checkpoint finishes it, bit-identical", "rc %d: %s", rc, out);
    free(out);

    test_cli_config(seq);

    /* credit grad: for bptt the estimate is the exact gradient. */
    rc = test_credit(&out, "grad task=file path=%s n=9 batch=8", seq);
    CHECK(rc == 0 && strstr(out, "# cosine W_rec 1\n") && strstr(out, "# cosine W_in 1\n") && strstr(out, "name\trow\tcol\testimate\texact"),
          "credit grad: bptt's cosine with the exact gradient is 1", "rc %d: %.400s", rc, out);
    free(out);
    snprintf(a, sizeof a, "%s/run_a/weights.tsv", tmp);
    rc = test_credit(&out, "grad task=file path=%s n=12 batch=16 rule=example weights=%s", seq, a);
    CHECK(rc == 0 && strstr(out, "# cosine W_rec ") && !strstr(out, "# cosine W_rec 1\n"), "credit grad reads weights, reports a rule's cosine",
          "rc %d: %.300s", rc, out);
    free(out);
}
