/* test_report.c - a new rule at the paper's protocol (issue 23). In a
 * scratch copy of the tree (sources, the committed reference under results/
 * and this build, so that make rebuilds only what the new rule touches):
 * the rule-writer's commands of README.md and rules/README.md run as
 * written (all but make data, which downloads) with a throwaway rule named
 * myrule; its runs at the default profile get the protocol's keys (the bio
 * rules' 16,000 iterations and cadence, not the core's defaults), and
 * without them make stops naming the rule; `make -n rule-report` would
 * train exactly its 8 runs and none of the reference; and a report is
 * rendered for real from the smoke profile with tiny runs (two seeds of
 * bptt and eprop as the reference), leaving the reference runs untouched.
 * Run in the default build only (it builds a tree of its own). */
#define _GNU_SOURCE
#include "test.h"
#include "mkmnist.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tree[600];

/* A command in the scratch tree, outside the caller's make. */
static int in_tree(char **out, const char *fmt, const char *arg)
{
    char body[4096], cmd[6000];
    snprintf(body, sizeof body, fmt, arg ? arg : "");
    snprintf(cmd, sizeof cmd, "cd %s && unset MAKEFLAGS MAKELEVEL MFLAGS && export OPENBLAS_NUM_THREADS=1 && { %s; } 2>&1", tree, body);
    return test_run(cmd, out);
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text ? strstr(text, needle) : NULL; p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* The rule-writer's path: rules/README.md's block, line by line. */
static void writer_commands(void)
{
    char *out = NULL;
    int rc = in_tree(&out, "sed 's/example/myrule/g' rules/example.c > rules/myrule.c && grep -c myrule rules/myrule.c", NULL);
    CHECK(rc == 0, "report: sed 's/example/myrule/g' rules/example.c > rules/myrule.c", "exit %d: %.300s", rc, out);
    free(out);
    rc = in_tree(&out, "nice make -j2 SAN=0 PREC=64 && ls rules/myrule.so", NULL);
    CHECK(rc == 0 && !strstr(out, "warning"), "report: make builds rules/myrule.so without a warning", "exit %d: %.800s", rc, out);
    free(out);
    rc = in_tree(&out, "bin/credit plugins describe myrule", NULL);
    CHECK(rc == 0 && out && strstr(out, "rule myrule 1.0") && strstr(out, "feedback"), "report: bin/credit plugins describe myrule", "exit %d: %.300s",
          rc, out);
    free(out);
    rc = in_tree(&out, "bin/credit grad rule=myrule task=dms | grep \"^# cosine W_rec \"", NULL);
    CHECK(rc == 0 && out && strstr(out, "# cosine W_rec 0."), "report: bin/credit grad rule=myrule task=dms prints its cosine", "exit %d: %.300s", rc,
          out);
    free(out);
    rc = in_tree(&out, "nice make -j2 SAN=0 PREC=64 build/test_credit > /dev/null && CREDIT_TEST_ONLY=conformance build/test_credit | grep -E \"myrule|passed\"",
                 NULL);
    CHECK(rc == 0 && out && strstr(out, "myrule") && strstr(out, " 0 failed"), "report: the conformance suite covers myrule and passes",
          "exit %d: %.600s", rc, out);
    free(out);
}

/* The default profile: what myrule's runs would get, and what would train. */
static void protocol_checks(void)
{
    char *out = NULL;
    int rc = in_tree(&out, "make -n rule-report RULE=myrule SAN=0 PREC=64", NULL);
    /* the train recipe prints each run's directory as d=DIR; and its key line */
    int own = count(out, "d=results/rules/myrule/runs/authors/smnist-myrule-lr0.01-s");
    int ref = count(out, "d=results/runs/authors/");
    int trains = count(out, "; cfg=");
    CHECK(rc == 0 && own == 8 && ref == 0 && trains == 8, "report: make -n rule-report RULE=myrule would train myrule's 8 runs and none of the reference",
          "exit %d: %d of myrule, %d of the reference, %d in all: %.600s", rc, own, ref, trains, out ? out + (strlen(out) > 600 ? strlen(out) - 600 : 0) : "");
    /* each key line: the bio rules' protocol (eprop's committed keys) */
    int proto = count(out, "rule=myrule seed=");
    int keyed = 0;
    for (const char *p = out ? strstr(out, "rule=myrule seed=") : NULL; p; p = strstr(p + 1, "rule=myrule seed=")) {
        const char *end = strchr(p, '\'');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char line[2000];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line - 1 ? len : sizeof line - 1), p);
        keyed += strstr(line, " iters=16000 ") && strstr(line, " eval_every=400 ") && strstr(line, " curvature_every=400 ") && strstr(line, " n=128 ") &&
                 strstr(line, " eval_subsample=5000 ") && strstr(line, " lr=0.01");
    }
    char *eprop = test_slurp(tree, "results/runs/authors/smnist-eprop-lr0.01-s1.cfg");
    int eprop_same = eprop && strstr(eprop, "\niters = 16000\n") && strstr(eprop, "\neval_every = 400\n") && strstr(eprop, "\ncurvature_every = 400\n");
    CHECK(proto >= 8 && keyed == proto && eprop_same, "report: myrule's runs get the protocol's keys, the committed e-prop runs' (iters 16000, eval and curvature every 400)",
          "%d of %d key lines (e-prop's keys %s)", keyed, proto, eprop_same ? "as expected" : "differ");
    CHECK(out && strstr(out, "rule-report: 8 of 8 runs to train: about") && strstr(out, "CPU-min"), "report: the cost is stated before training (runs, CPU time from BUDGET.md)",
          "%.300s", out && strstr(out, "rule-report: ") ? strstr(out, "rule-report: ") : "(no cost line)");
    free(out);
    free(eprop);

    rc = in_tree(&out, "make -n rule-report RULE=myrule FIG_ARGS_smnist_NEWRULE= SAN=0 PREC=64", NULL);
    CHECK(rc != 0 && out && strstr(out, "rule myrule on smnist would get the core's defaults for curvature_every eval_every iters"),
          "report: without the profile's keys for an unnamed rule, make stops naming the rule and the keys", "exit %d: %.400s", rc, out);
    free(out);
    rc = in_tree(&out, "make -n figures FIG_RULES=\"bptt eprop myrule\" FIG_ARGS_smnist_myrule=iters=2000 SAN=0 PREC=64", NULL);
    CHECK(rc != 0 && out && strstr(out, "rule myrule on smnist would get the core's defaults for curvature_every eval_every,"),
          "report: a rule's own keys missing a protocol key stop make figures, naming them", "exit %d: %.400s", rc, out);
    free(out);
    rc = in_tree(&out, "make -n rule-report RULE=eprop SAN=0 PREC=64", NULL);
    CHECK(rc == 0 && count(out, "; cfg=") == 0 && strstr(out, "nothing to train"), "report: a rule the profile runs is reported from its reference runs alone",
          "exit %d: %.300s", rc, out);
    free(out);
}

/* A report rendered for real from the smoke profile's sMNIST part. */
static void smoke_report(void)
{
    char vars[1500], *out = NULL;
    snprintf(vars, sizeof vars,
             "PROFILE=smoke RESULTS=res FIG_MNIST_DIR=%s FIG_TASKS=smnist FIG_RULES=\"bptt eprop\" FIG_SEEDS=\"1 2\" FIG_LR_TASKS= FIG_K_TASKS= FIG_REMEDY_TASKS= "
             "FIG_MATCH_TASKS= FIG_MATCHL_TASKS= FIG_FB_TASKS= FIG_BOOST_ARGS= SAN=0 PREC=64",
             test_mnist_dir());
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "nice make -j2 fig-runs %s > /dev/null && sha256sum res/runs/smoke/*/*.tsv > ref.sums", vars);
    int rc = in_tree(&out, cmd, NULL);
    CHECK(rc == 0, "report: the smoke reference runs (bptt, eprop, 2 seeds)", "exit %d: %.600s", rc, out);
    free(out);
    snprintf(cmd, sizeof cmd, "nice make -j2 rule-report RULE=myrule %s", vars);
    rc = in_tree(&out, cmd, NULL);
    CHECK(rc == 0 && out && strstr(out, "rule-report: 2 of 2 runs to train") && strstr(out, "done smnist-myrule-lr0.05-s2") &&
              strstr(out, "done smnist-myrule-lr0.05-s1") && !strstr(out, "train res/runs/smoke/"),
          "report: make rule-report trains myrule's 2 runs (cost and progress lines), none of the reference", "exit %d: %.1500s", rc, out);
    free(out);
    rc = in_tree(&out, "sha256sum -c --quiet ref.sums && ls res/rules/myrule/runs/smoke/smnist-myrule-lr0.05-s1/metrics.tsv", NULL);
    CHECK(rc == 0, "report: the reference runs are untouched", "exit %d: %.300s", rc, out);
    free(out);
    char dir[700];
    snprintf(dir, sizeof dir, "%s/res/rules/myrule", tree);
    char *md = test_slurp(dir, "report.md");
    const char *need[] = {"# Rule report: `myrule`", "FIG_CLAIM_ENDPOINT=plateau", "| myrule | 2 |", "| bptt | 2 |", "error gap, perturbed", "2/eta",
                          "gamma", "own edge", "Cosine with the true (BPTT) gradient", "## Divergence", "| main | smnist | myrule | 2 |",
                          "## Claims: myrule against bptt", "| 4 | secondary | - | log_lambda_max |", "effect [95% CI]", "![", "report.png",
                          "Measured (cost.tsv): 2 runs trained by 1 call of make rule-report"};
    int have = 0;
    const char *missing = "";
    for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
        if (md && strstr(md, need[i])) have++;
        else if (!*missing) missing = need[i];
    }
    CHECK(have == (int)(sizeof need / sizeof *need), "report: report.md has accuracy, gaps, curvature against 2/eta, gamma, the edge, cosine, divergence and claim rows",
          "missing '%s': %.600s", missing, md ? md : "(no report.md)");
    free(md);
    rc = in_tree(&out, "figures/figcheck.sh res/rules/myrule/report.png && awk -F'\\t' '$4 == \"myrule\"' res/rules/myrule/tables/claims.tsv | wc -l", NULL);
    CHECK(rc == 0 && out && atoi(out) > 10, "report: report.png is a complete PNG; claims.tsv holds myrule's rows", "exit %d: %.300s", rc, out);
    free(out);
    /* the training's CPU time is measured, not estimated: a positive cpu_s */
    rc = in_tree(&out, "awk -F'\\t' 'NR == 2 && $2 == 2 && $4 > 0 { ok = 1 } END { exit !ok }' res/rules/myrule/cost.tsv && cat res/rules/myrule/cost.tsv", NULL);
    CHECK(rc == 0, "report: cost.tsv records the 2 runs' measured CPU time", "exit %d: %.300s", rc, out);
    free(out);
}

void test_report(void)
{
    if (TEST_F32 || strstr(test_root(), "san")) {
        printf("# report: in the default build only\n");
        return;
    }
    snprintf(tree, sizeof tree, "%s/report-tree", test_tmp());
    char cmd[4096];
    /* cp -a keeps the build's times, so make rebuilds only what myrule touches */
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && cp -a Makefile mk core rules tasks figures paper tests .gitignore results bin build %s/ && rm -f %s/rules/myrule.c",
             tree, tree, tree);
    int rc = test_run(cmd, NULL);
    CHECK(rc == 0, "report: a scratch copy of the tree", "%s", cmd);
    if (rc) return;
    writer_commands();
    protocol_checks();
    smoke_report();
}
