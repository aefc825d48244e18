/* test_design.c - the experiment design as data (paper/experiments/groups.tsv
 * and claims.tsv; figures/README.md, "The experiment design"): make refuses,
 * before anything runs, a claim judged on a group no generator makes (an
 * orphan), a primary endpoint naming no claim, a generator's undeclared
 * group and a rule without the profile's settings; every shipped profile
 * plans; credit-stats refuses a malformed claims or groups table; the paper has a
 * section for every claim of the table and no other. Dry runs only (make -n
 * of fig-list: nothing is built or trained), from the top of the tree. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void test_design(void);

/* make -n GOAL ARGS in the tree under test, stdout and stderr in *out. */
static int plan(char **out, const char *args)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -n fig-list %s 2>&1", args);
    return test_run(cmd, out);
}

/* A copy of paper/experiments/NAME into the scratch directory through the
 * shell filter `edit`, at path; NULL when the copy fails. */
static const char *edited(const char *name, const char *edit, char *path, size_t len)
{
    char cmd[16384];
    snprintf(path, len, "%s/design-%s", test_tmp(), name);
    snprintf(cmd, sizeof cmd, "%s < paper/experiments/%s > %s", edit, name, path);
    int rc = test_run(cmd, NULL);
    return rc == 0 ? path : NULL;
}

static void refusals(void)
{
    char *out = NULL, path[2048], args[4096];
    int rc;

    /* claim 6 judged on the group it read before this table: no generator makes it */
    rc = plan(&out, "PROFILE=smoke FIG_CLAIM_REMEDY_GROUP=remedy_matched");
    CHECK(rc != 0 && out && strstr(out, "judges claim 6 on group remedy_matched, which no generator makes"),
          "design: a claim judged on a group no generator makes (remedy_matched) stops make, naming the claim and the group", "exit %d: %.400s", rc,
          out);
    free(out);

    /* a row of a new claim on a group nothing generates, in the table itself */
    if (edited("claims.tsv", "awk '{ print } END { print \"7\\tthe orphan says\\tnosuch\\tgap_acc\\t-\\tvs_ref\\tdirection\\t+1\\tgap_acc\\tclean\\tp\\tq\\t-\" }'",
               path, sizeof path)) {
        snprintf(args, sizeof args, "PROFILE=authors FIG_CLAIMS=%s", path);
        rc = plan(&out, args);
        CHECK(rc != 0 && out && strstr(out, "judges claim 7 on group nosuch, which no generator makes"),
              "design: an orphan row of the claims table stops make before anything runs", "exit %d: %.400s", rc, out);
        free(out);
    }

    rc = plan(&out, "PROFILE=smoke 'FIG_CLAIM_PRIMARY=4:smnist:eprop:log_lambda_max 9z:smnist:eprop:gap_acc'");
    CHECK(rc != 0 && out && strstr(out, "FIG_CLAIM_PRIMARY names claims") && strstr(out, "9z:smnist:eprop:gap_acc") && !strstr(out, "4:smnist"),
          "design: a primary endpoint naming no claim of the table stops make, naming it", "exit %d: %.400s", rc, out);
    free(out);

    /* a generator whose group the table does not declare */
    if (edited("groups.tsv", "grep -v '^boost\t'", path, sizeof path)) {
        snprintf(args, sizeof args, "PROFILE=smoke FIG_GROUPS_TABLE=%s", path);
        rc = plan(&out, args);
        CHECK(rc != 0 && out && strstr(out, "a generator makes group boost, which") && strstr(out, "does not declare"),
              "design: a generator making a group groups.tsv does not declare stops make", "exit %d: %.400s", rc, out);
        free(out);
    }

    /* a rule the authors profile does not name, with its settings for unnamed rules removed */
    rc = plan(&out, "PROFILE=authors 'FIG_RULES=bptt eprop myrule' FIG_ARGS_smnist_NEWRULE=");
    CHECK(rc != 0 && out && strstr(out, "rule myrule on smnist would get the core's defaults for curvature_every eval_every iters"),
          "design: a rule without the profile's settings stops make, naming the rule and the keys", "exit %d: %.400s", rc, out);
    free(out);
}

/* Every shipped profile passes its own checks. */
static void shipped(void)
{
    const char *profiles[] = {"authors", "quick", "paper", "smoke", "confirm"};
    for (size_t i = 0; i < sizeof profiles / sizeof *profiles; i++) {
        char *out = NULL, args[64];
        snprintf(args, sizeof args, "PROFILE=%s", profiles[i]);
        int rc = plan(&out, args);
        CHECK(rc == 0 && out && !strstr(out, "***"), "design: every shipped profile plans (its claims read groups a generator makes)", "%s: exit %d: %.400s",
              profiles[i], rc, out);
        free(out);
    }
}

/* credit-stats reads the tables before any run: a bad field is named with its file and line. */
static void malformed(void)
{
    char path[2048], groups[2048], cmd[8192], *out = NULL;
    if (!edited("claims.tsv", "sed 's/\\tvs_ref\\t/\\tversus\\t/'", path, sizeof path)) return;
    snprintf(cmd, sizeof cmd, "%s/bin/credit-stats /nonexistent %s claims=%s groups=paper/experiments/groups.tsv", test_root(), test_tmp(), path);
    int rc = test_run(cmd, &out);
    CHECK(rc != 0 && out && strstr(out, "design-claims.tsv:") && strstr(out, "kind 'versus': want one of vs_ref spread"),
          "design: credit-stats refuses a claims table with an unknown kind, naming the file, line and choices", "exit %d: %.400s", rc, out);
    free(out);
    /* two groups in a role one group plays: which one is the main comparison? */
    if (!edited("groups.tsv", "sed 's/^lr\\t\\([^\\t]*\\)\\tslope,sweep\\t/lr\\t\\1\\tmain,slope,sweep\\t/'", groups, sizeof groups)) return;
    snprintf(cmd, sizeof cmd, "%s/bin/credit-stats /nonexistent %s claims=paper/experiments/claims.tsv groups=%s", test_root(), test_tmp(), groups);
    rc = test_run(cmd, &out);
    CHECK(rc != 0 && out && strstr(out, "design-groups.tsv:") && strstr(out, "role main: group main plays it already"),
          "design: credit-stats refuses a groups table with two main groups, naming the file and line", "exit %d: %.400s", rc, out);
    free(out);
}

/* The claim ids of claims.tsv are those of paper/paper.md's claim sections ({{include claims.md ID}}). */
static void paper_sections(void)
{
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "awk -F'\\t' '!/^#/ && n++ { print $1 }' paper/experiments/claims.tsv | sort -u > %s/design-ids.table && "
             "grep -o '{{include claims.md [^}]*}}' paper/paper.md | sed 's/.* //; s/}}//' | sort -u > %s/design-ids.paper && "
             "diff %s/design-ids.table %s/design-ids.paper",
             test_tmp(), test_tmp(), test_tmp(), test_tmp());
    int rc = test_run(cmd, &out);
    CHECK(rc == 0, "design: paper/paper.md has a claim section for every claim of claims.tsv, and none for another", "exit %d: %.400s", rc, out);
    free(out);
}

void test_design(void)
{
    refusals();
    shipped();
    malformed();
    paper_sections();
}
