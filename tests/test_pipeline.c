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

    const char *figs[] = {"fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "figS"};
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
    CHECK(rc == 0 && strstr(out, "claim 1 ") && strstr(out, "reproduced"), "pipeline: make verify prints the claims", "exit %d: %.1500s",
          rc, out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm %s/runs/smoke/dms-bptt-*-s1/metrics.tsv", res);
    rc = test_run(cmd, NULL);
    rc = rc ? -1 : make(&out, res, "verify");
    CHECK(rc != 0 && rc != -1 && out && strstr(out, "missing"), "pipeline: make verify fails on a missing run", "exit %d", rc);
    if (rc != -1) free(out);
}
