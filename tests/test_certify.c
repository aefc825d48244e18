/* test_certify.c - refactors certified instead of retrained (issue 21 part
 * 5; figures/certify.sh, mk/certify.mk). In a scratch copy of the tree made
 * a git repository (commit A), the smoke profile's sMNIST runs are trained;
 * then a numerical change in core/net.c (a constant added to the loss) is
 * committed: `make certify` refuses, records nothing, and every run stays
 * stale. Back at A, a pure refactor (a local variable renamed) is committed:
 * `make certify` writes a certificate, `make stale` says 0 runs to train and
 * that they are certified, and `make certify-check` accepts it. A numerical
 * edit on top of the refactor makes the runs stale again (the certificate
 * holds for its exact hash pair), and a certificate edited by hand fails
 * the check. Run in the default build only (it builds the tree twice).
 * First, the maths hash itself leaves messages out (mathhash_checks). */
#define _GNU_SOURCE
#include "test.h"
#include "mkmnist.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tree[600], res[600], cache[600];

/* This checkout, as an absolute path (the tests run from its root). */
static const char *test_root_abs(void)
{
    static char cwd[512];
    if (!*cwd && !getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    return cwd;
}

/* make in the scratch tree, outside the caller's make; the sMNIST part of the
 * smoke profile with two rules and one seed: the main runs, the learning-rate
 * sweep, the remedy and tbptt at K = 1 (5 probe classes; the other groups
 * off, for time). */
static int make_t(char **out, const char *args)
{
    static char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd %s && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS nice make --no-print-directory -j2 %s PROFILE=smoke RESULTS=%s FIG_MNIST_DIR=%s "
             "FIG_TASKS=smnist FIG_RULES='bptt eprop' FIG_SEEDS=1 FIG_LR_SEEDS=1 FIG_REMEDY_SEEDS=1 FIG_MATCH_SEEDS=1 FIG_MATCHL_TASKS= FIG_K_VALUES=1 FIG_BOOST_ARGS= FIG_FB_TASKS= FIG_MATCH_TASKS= CERT_OLD_CACHE=%s SAN=0 PREC=64 2>&1",
             tree, args, res, test_mnist_dir(), cache);
    return test_run(cmd, out);
}

static int shell_t(const char *script)
{
    static char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd %s && { %s; } > /dev/null 2>&1", tree, script);
    return test_run(cmd, NULL);
}

#define COMMIT "git -c user.name=t -c user.email=t@t commit -qam"

/* The maths hash counts code that computes numbers, not messages
 * (figures/mathhash.sh): in a scratch copy of core/ and rules/, a comment
 * line above CREDIT_ERRORs (their __LINE__), a reworded error message
 * (CREDIT_ERROR, a plugin's host->error) and a reworded help text of an
 * option keep the hash; the error's status, or the option's default,
 * changes it. */
static void mathhash_checks(void)
{
    char dir[600], cmd[8192];
    snprintf(dir, sizeof dir, "%s/mathhash", test_tmp());
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && cp -r core rules %s/ && cd %s && "
             "h() { %s/figures/mathhash.sh \"${CC:-cc}\" '-std=c11 -Icore' $(ls core/*.c | grep -v 'main.c\\|cli.c\\|plugin.c\\|sample.c') && "
             "%s/figures/mathhash.sh \"${CC:-cc}\" '-std=c11 -Icore -fPIC -DCREDIT_BUILD_SO' rules/nodepert.c; } && h0=$(h) && "
             "sed -i '1i /* a comment line moves every __LINE__ below it */' core/config.c && h1=$(h) && "
             "sed -i \"s/is not a valid key (letters, digits and _ only)/is no key: use letters, digits and _/\" core/config.c && "
             "sed -i 's/which this host does not give/not given by this host/' rules/nodepert.c && "
             "sed -i 's/\"learning rate eta\"/\"the learning rate, eta\"/' core/session.c && h2=$(h) && "
             "! cmp -s core/session.c %s/core/session.c && "
             "! cmp -s core/config.c %s/core/config.c && ! cmp -s rules/nodepert.c %s/rules/nodepert.c && "
             "sed -i \"s/CREDIT_ERROR(CREDIT_EINVAL, \\(\\\"%%s: '%%s' is no key\\)/CREDIT_ERROR(CREDIT_EIO, \\1/\" core/config.c && "
             "grep -q 'CREDIT_ERROR(CREDIT_EIO, \"%%s: .%%s. is no key' core/config.c && h3=$(h) && "
             "sed -i 's/{\"lr\", CREDIT_OPT_REAL, \"0.01\"/{\"lr\", CREDIT_OPT_REAL, \"0.02\"/' core/session.c && "
             "grep -q '{\"lr\", CREDIT_OPT_REAL, \"0.02\"' core/session.c && h4=$(h) && "
             "echo \"$h0\" \"$h1\" \"$h2\" \"$h3\" \"$h4\" | tr '\\n' ' ' && [ \"$h0\" = \"$h1\" ] && [ \"$h1\" = \"$h2\" ] && "
             "[ \"$h2\" != \"$h3\" ] && [ \"$h3\" != \"$h4\" ]",
             dir, dir, dir, test_root_abs(), test_root_abs(), test_root_abs(), test_root_abs(), test_root_abs());
    char *out = NULL;
    int rc = test_run(cmd, &out);
    CHECK(rc == 0, "certify: a comment line, reworded error messages and a reworded help text keep the maths hash; an error's status or a default changes it",
          "exit %d: %.600s", rc, out);
    free(out);
}

void test_certify(void)
{
    if (TEST_F32 || strstr(test_root(), "san")) {
        printf("# certify: in the default build only\n");
        return;
    }
    mathhash_checks();
    snprintf(tree, sizeof tree, "%s/certify-tree", test_tmp());
    snprintf(res, sizeof res, "%s/certify-results", test_tmp());
    snprintf(cache, sizeof cache, "%s/certify-old", test_tmp());
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && cp -r Makefile mk core rules tasks figures paper tests .gitignore %s/ && cd %s && git init -q && git add -A && "
             "git -c user.name=t -c user.email=t@t commit -qm A",
             tree, tree, tree);
    int rc = test_run(cmd, NULL);
    CHECK(rc == 0, "certify: a scratch repository of the tree", "%s", cmd);
    char target[700];
    snprintf(target, sizeof target, "fig-runs %s/tables/samples.tsv", res);
    rc = make_t(&out, target);
    free(out);
    int rc2 = make_t(&out, "stale");
    const char *last = test_last_line(out ? out : "");
    int nruns = 0;
    CHECK(rc == 0 && rc2 == 0 && sscanf(last, "stale: 0 of %d runs", &nruns) == 1 && nruns >= 5, "certify: the smoke runs trained at commit A",
          "exit %d/%d: %.300s", rc, rc2, last);
    free(out);

    /* A numerical change, committed: refused, nothing recorded, all stale. */
    rc = shell_t("cp core/net.c net.c.orig && sed -i 's/return ymax + log(se);/return ymax + log(se) + 1e-12;/' core/net.c && "
                 "! cmp -s core/net.c net.c.orig && rm net.c.orig && " COMMIT " numbers");
    rc2 = make_t(&out, "certify");
    CHECK(rc == 0 && rc2 != 0 && out && strstr(out, "differ") && strstr(out, "nothing certified"),
          "certify: a constant added to the loss is refused (the probes differ)", "edit %d, certify exit %d: %.1500s", rc, rc2, out);
    free(out);
    snprintf(cmd, sizeof cmd, "ls %s/runs/smoke/certificates/*.cert", res);
    CHECK(test_run(cmd, NULL) != 0, "certify: a refusal records no certificate", "%s", cmd);
    rc = make_t(&out, "stale");
    char want[80];
    snprintf(want, sizeof want, "stale: %d of %d runs", nruns, nruns);
    CHECK(rc == 0 && out && strstr(out, want) && !strstr(out, "certified:"), "certify: after the refusal every run is stale",
          "exit %d: %.300s", rc, out ? test_last_line(out) : "");
    free(out);

    /* Back at A, a pure refactor, committed: certified, nothing to train. */
    rc = shell_t("git reset -q --hard HEAD~1 && cp core/net.c net.c.orig && sed -i 's/\\bymax\\b/top/g' core/net.c && ! cmp -s core/net.c net.c.orig && "
                 "rm net.c.orig && " COMMIT " refactor");
    rc2 = make_t(&out, "stale");
    CHECK(rc == 0 && rc2 == 0 && out && strstr(out, want), "certify: a renamed local variable changes the maths hash (every run stale)",
          "edit %d, exit %d: %.300s", rc, rc2, out ? test_last_line(out) : "");
    free(out);
    rc = make_t(&out, "certify");
    CHECK(rc == 0 && out && strstr(out, "probes identical"), "certify: the refactor is certified", "exit %d: %.1500s", rc, out);
    free(out);
    snprintf(cmd, sizeof cmd, "f=$(ls %s/runs/smoke/certificates/*.cert) && [ $(echo \"$f\" | wc -l) = 1 ] && grep -q '^probe' \"$f\" && "
                              "grep -q '^math_core' \"$f\" && grep -q '^blas	openblas' \"$f\" && grep -q '^digest' \"$f\"", res);
    CHECK(test_run(cmd, NULL) == 0, "certify: one certificate, with its probes, hash pair, kernel and digest", "%s", cmd);
    rc = make_t(&out, "stale");
    snprintf(want, sizeof want, "stale: 0 of %d runs", nruns);
    char said[80];
    snprintf(said, sizeof said, "certified: %d runs current by certificate", nruns);
    CHECK(rc == 0 && out && strstr(out, want) && strstr(out, said), "certify: make stale says 0 runs to train, all certified", "exit %d: %.600s", rc,
          out);
    free(out);
    snprintf(target, sizeof target, "-n fig-runs %s/tables/samples.tsv", res);
    rc = make_t(&out, target);
    CHECK(rc == 0 && out && !strstr(out, "runkey.sh key") && !strstr(out, "samples.sh"),
          "certify: make -n trains nothing and keeps figure 1's sample table (the runs' weights are not needed)", "exit %d: %.600s", rc, out);
    free(out);
    rc = make_t(&out, "certify-check");
    CHECK(rc == 0 && out && strstr(out, "1 certificates"), "certify: make certify-check accepts it", "exit %d: %.300s", rc, out);
    free(out);
    rc = make_t(&out, "certify");
    CHECK(rc == 0 && out && strstr(out, "0 to certify"), "certify: certifying again has nothing to do", "exit %d: %.600s", rc, out);
    free(out);

    /* The certificate holds for its hash pair only: a numerical edit on top
     * of the refactor (not committed) makes every run stale again. */
    rc = shell_t("cp core/net.c net.c.orig && sed -i 's/return top + log(se);/return top + log(se) + 1e-12;/' core/net.c && ! cmp -s core/net.c net.c.orig");
    rc2 = make_t(&out, "stale");
    snprintf(want, sizeof want, "stale: %d of %d runs", nruns, nruns);
    CHECK(rc == 0 && rc2 == 0 && out && strstr(out, want), "certify: a numerical edit after the certified refactor makes every run stale",
          "edit %d, exit %d: %.300s", rc, rc2, out ? test_last_line(out) : "");
    free(out);
    rc = make_t(&out, "certify");
    CHECK(rc != 0 && out && strstr(out, "commit the change first"), "certify: a tree with uncommitted changes is refused", "exit %d: %.600s", rc, out);
    free(out);

    /* A certificate edited by hand (a probe's digest) fails the check. */
    snprintf(cmd, sizeof cmd, "mv net.c.orig core/net.c && f=$(ls %s/runs/smoke/certificates/*.cert) && sed -i '0,/^probe\t/s/ files [0-9a-f]*/ files 0/' \"$f\"",
             res);
    rc = shell_t(cmd);
    rc2 = make_t(&out, "certify-check");
    CHECK(rc == 0 && rc2 != 0 && out && strstr(out, "digest"), "certify: make certify-check refuses a hand-edited certificate", "edit %d, exit %d: %.300s",
          rc, rc2, out);
    free(out);
    snprintf(cmd, sizeof cmd, "cd %s && git worktree prune", tree);
    test_run(cmd, NULL);
}
