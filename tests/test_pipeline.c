/* test_pipeline.c - `make figures PROFILE=smoke` end to end, into a scratch
 * results directory (RESULTS=), on the suite's synthetic MNIST: every
 * figure, the rendered paper and the claims table exist and are
 * non-trivial; a second run trains nothing; plots are byte-reproducible;
 * `make verify` prints the table and fails when a run is missing. */
#define _GNU_SOURCE
#include "test.h"
#include "mkmnist.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* make in this checkout, outside the caller's make (no jobserver handles). */
static int make(char **out, const char *res, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS nice make --no-print-directory -j2 %s PROFILE=smoke RESULTS=%s "
             "FIG_MNIST_DIR=%s SAN=%d",
             args, res, test_mnist_dir(), strcmp(test_root(), ".") != 0);
    return test_run(cmd, out);
}

/* The first row of a TSV text (after '#' lines) whose column `key` is `want`
 * (NULL: the first row); fields split into f (at most 128). Returns the count. */
static int tsv_row(char *text, const char *key, const char *want, char **head, char **f)
{
    int nh = 0, nf = 0, kc = -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        char *fields[128];
        int n = 0;
        for (char *p = line; n < 128;) {
            fields[n++] = p;
            char *t = strchr(p, '\t');
            if (!t) break;
            *t = 0;
            p = t + 1;
        }
        if (!nh) {
            for (int i = 0; i < n; i++) head[i] = fields[i], kc = key && !strcmp(fields[i], key) ? i : kc;
            nh = n;
            continue;
        }
        if (key && (kc < 0 || kc >= n || strcmp(fields[kc], want))) continue;
        for (int i = 0; i < n; i++) f[i] = fields[i];
        nf = n;
        break;
    }
    return nh && nf == nh ? nh : 0;
}

/* samples.tsv's x0..x27 of the task's first trial step equal credit sample's columns of the same name. */
static int sample_columns_match(char *smp, char *ref, const char *task)
{
    char *sh[128], *sf[128], *rh[128], *rf[128];
    int ns = tsv_row(smp, "task", task, sh, sf), nr = tsv_row(ref, NULL, NULL, rh, rf), checked = 0;
    for (int i = 0; i < nr; i++) {
        if (rh[i][0] != 'x' || rh[i][1] < '0' || rh[i][1] > '9') continue;
        for (int j = 0; j < ns; j++)
            if (!strcmp(sh[j], rh[i])) {
                if (strcmp(sf[j], rf[i])) return 0;
                checked++;
            }
    }
    return ns && nr && checked > 0;
}

void test_pipeline(void)
{
    char res[600], path[800], copy[900];
    char *out = NULL;
    snprintf(res, sizeof res, "%s/pipeline", test_tmp());

    int rc = make(&out, res, "figures");
    if (!CHECK(rc == 0, "pipeline: make figures PROFILE=smoke", "exit %d; output tail: %s", rc,
               out && strlen(out) > 2000 ? out + strlen(out) - 2000 : out)) {
        free(out);
        return;
    }
    free(out);

    const char *figs[] = {"fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7", "figS"};
    int all = 1;
    for (size_t i = 0; i < sizeof figs / sizeof *figs; i++)
        for (int svg = 0; svg < 2; svg++) {
            snprintf(path, sizeof path, "%s/figures/%s.%s", res, figs[i], svg ? "svg" : "png");
            long n = file_size(path);
            all &= CHECK(n > 5000, "pipeline: figure file written and non-trivial", "%s: %ld bytes", path, n);
        }
    (void)all;

    snprintf(path, sizeof path, "%s/paper.md", res);
    char *paper = NULL;
    size_t len = 0;
    int ok = credit_read_file(path, &paper, &len) == 0;
    CHECK(ok && len > 5000, "pipeline: paper rendered", "%s: %zu bytes", path, len);
    CHECK(ok && !strstr(paper, "{{"), "pipeline: paper has no unfilled placeholder", "found '{{' in %s", path);
    CHECK(ok && strstr(paper, "figures/fig2.png") && strstr(paper, "| smnist |"), "pipeline: paper links figures and has tables",
          "%s", path);
    CHECK(ok && !strstr(paper, "n/a | n/a | n/a"), "pipeline: paper's summary has numbers", "%s", path);
    free(paper);

    snprintf(path, sizeof path, "%s/tables/claims.tsv", res);
    char *claims = NULL;
    ok = credit_read_file(path, &claims, &len) == 0;
    int rows = 0;
    for (char *p = claims; ok && (p = strstr(p, "\n")); p++) rows++;
    CHECK(ok && rows > 20, "pipeline: claims table has rows", "%s: %d lines", path, rows);
    CHECK(ok && strstr(claims, "\n1\t") && strstr(claims, "\n3\t") && strstr(claims, "\n5d\t") && strstr(claims, "\n6\t"),
          "pipeline: claims 1, 3, 5d and 6 judged", "%s", path);
    CHECK(ok && strstr(claims, "\tprimary\t") && strstr(claims, "\teffect\tci_low\tci_high\t") && strstr(claims, "# math_hash ") &&
              strstr(claims, "commits ") && !strstr(claims, "not reproduced") && !strstr(claims, "2/(eta gamma)"),
          "pipeline: claims carry effect, interval, primary flag and the runs' provenance; the old verdict words are gone", "%s", path);
    /* the smoke runs have no update-Jacobian columns and no matched-loss group: those rows say so */
    CHECK(ok && strstr(claims, "not measured: curvature.tsv has no rule_edge column") && strstr(claims, "not measured: no runs in group matched_loss"),
          "pipeline: rows the profile cannot measure are inconclusive with a reason", "%s", path);
    free(claims);
    claims = NULL;

    /* Figure 1 draws the inputs in credit sample's column order (x0, x1, ...). */
    for (int ti = 0; ti < 2; ti++) {
        const char *task = ti ? "dms" : "smnist";
        char *smp = NULL, *ref = NULL, cmd2[2000];
        snprintf(path, sizeof path, "%s/tables/samples.tsv", res);
        int ok2 = credit_read_file(path, &smp, &len) == 0;
        snprintf(cmd2, sizeof cmd2, "%s/bin/credit sample %s %s/runs/smoke/%s-bptt-lr0.05-s1/run.cfg weights=%s/runs/smoke/%s-bptt-lr0.05-s1/weights.tsv split=test",
                 test_root(), task, res, task, res, task);
        ok2 &= test_run(cmd2, &ref) == 0;
        int same = ok2 && sample_columns_match(smp, ref, task);
        CHECK(same, "pipeline: figure 1's input channels are credit sample's, in order", "%s: %s", task, path);
        free(smp);
        free(ref);
    }
    free(claims);

    /* Nothing to redo: no run retrained, nothing replotted. (fig-all skips the
     * build step; a plugin rebuilt meanwhile would rightly retrain its runs.) */
    rc = make(&out, res, "fig-all");
    CHECK(rc == 0 && !strstr(out, "train ") && !strstr(out, "gnuplot"), "pipeline: a second make figures redoes nothing",
          "exit %d: %.1500s", rc, out);
    free(out);

    /* Plots are byte-reproducible (no dates): delete one figure, replot, compare. */
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "cp %s/figures/fig2.svg %s/fig2.svg && cp %s/figures/fig2.png %s/fig2.png && rm %s/figures/fig2.*", res,
             test_tmp(), res, test_tmp(), res);
    rc = test_run(cmd, NULL);
    if (rc == 0) {
        rc = make(&out, res, "figures");
        free(out);
    }
    int same = 1;
    for (int svg = 0; svg < 2; svg++) {
        snprintf(path, sizeof path, "%s/figures/fig2.%s", res, svg ? "svg" : "png");
        snprintf(copy, sizeof copy, "%s/fig2.%s", test_tmp(), svg ? "svg" : "png");
        same &= test_files_equal(path, copy);
    }
    CHECK(rc == 0 && same, "pipeline: figures byte-reproducible (PNG and SVG)", "exit %d, same %d", rc, same);

    /* verify: the table from the results; a missing run is an error. */
    rc = make(&out, res, "verify");
    CHECK(rc == 0 && strstr(out, "claim 1 ") && strstr(out, "contradicted,") && strstr(out, "inconclusive") && strstr(out, "primary endpoints (Holm"),
          "pipeline: make verify prints the claims", "exit %d: %.1500s", rc, out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm %s/runs/smoke/dms-bptt-*-s1/metrics.tsv", res);
    rc = test_run(cmd, NULL);
    rc = rc ? -1 : make(&out, res, "verify");
    CHECK(rc != 0 && rc != -1 && out && strstr(out, "missing"), "pipeline: make verify fails on a missing run", "exit %d", rc);
    if (rc != -1) free(out);
}
