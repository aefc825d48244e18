/* test_figures.c - every figure as a reader sees it (issue 24): on the
 * committed reference (results/, PROFILE=authors) and on a fresh smoke
 * output, for each figure
 *   - nothing is cut off: `make fig-probe` draws each PNG again on a canvas
 *     FIG_PROBE_PAD pixels wider on every side with the same layout in
 *     pixels (figures/common.gp, probe=P), so text (a rotated y label, a
 *     legend entry, a tick label) that the real canvas clips lies in the
 *     probe's margin, where its ink is found; the real PNG has no ink on its
 *     outermost pixels either, and the probe's inner part has the real PNG's
 *     ink (99% of either's ink pixels within a pixel of the other's: text
 *     and dashes placed a pixel apart by rounding);
 *   - no panel or legend entry is drawn without data: the scripts log
 *     (OUT.log in probe mode) each panel's and legend entry's number of
 *     plotted rows, counted from the tables (figures/count.awk), and every
 *     one must be positive (a figure leaves such a panel out and says why
 *     in a note line; a figure with no panel at all logs its note);
 *   - its caption in the rendered paper names no panel the figure lacks
 *     (top/middle/bottom, left/right against the panel grid it logs), no
 *     task it does not show, and says "each task" only with more than one.
 * The PNGs are decoded here (zlib; gnuplot's pngcairo writes 8-bit RGB or
 * RGBA, non-interlaced). */
#define _GNU_SOURCE
#include "test.h"
#include "mkmnist.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define PROBE_PAD 60

typedef struct {
    int w, h;
    unsigned char *rgb; /* w * h * 3 */
} image;

static unsigned be32(const unsigned char *p) { return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3]; }

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Decodes an 8-bit RGB/RGBA/grey non-interlaced PNG into img (alpha
 * composited on white). Returns 0, or -1 with why[] filled. */
static int png_read(const char *path, image *img, char *why, size_t wn)
{
    char *buf = NULL;
    size_t n = 0;
    img->rgb = NULL;
    if (credit_read_file(path, &buf, &n) || n < 8 || memcmp(buf, "\x89PNG\r\n\x1a\n", 8)) {
        snprintf(why, wn, "%s: not a readable PNG", path);
        free(buf);
        return -1;
    }
    const unsigned char *p = (const unsigned char *)buf + 8, *end = (const unsigned char *)buf + n;
    unsigned char *idat = NULL;
    size_t ni = 0;
    int depth = 0, ctype = -1, inter = 0;
    img->w = img->h = 0;
    while (p + 12 <= end) {
        unsigned len = be32(p);
        if (p + 12 + len > end) break;
        if (!memcmp(p + 4, "IHDR", 4) && len >= 13) {
            img->w = (int)be32(p + 8), img->h = (int)be32(p + 12), depth = p[16], ctype = p[17], inter = p[20];
        } else if (!memcmp(p + 4, "IDAT", 4)) {
            idat = realloc(idat, ni + len);
            memcpy(idat + ni, p + 8, len);
            ni += len;
        }
        p += 12 + len;
    }
    free(buf);
    int ch = ctype == 2 ? 3 : ctype == 6 ? 4 : ctype == 0 ? 1 : ctype == 4 ? 2 : 0;
    if (depth != 8 || !ch || inter || img->w <= 0 || img->h <= 0 || !idat) {
        snprintf(why, wn, "%s: unsupported PNG (depth %d, colour type %d, interlace %d)", path, depth, ctype, inter);
        free(idat);
        return -1;
    }
    size_t stride = (size_t)img->w * ch, raw_n = (stride + 1) * img->h;
    unsigned char *raw = malloc(raw_n);
    uLongf got = raw_n;
    if (uncompress(raw, &got, idat, ni) != Z_OK || got != raw_n) {
        snprintf(why, wn, "%s: its image data does not inflate to %zu bytes", path, raw_n);
        free(idat);
        free(raw);
        return -1;
    }
    free(idat);
    unsigned char *pix = malloc(stride * img->h);
    for (int y = 0; y < img->h; y++) {
        unsigned char *r = raw + y * (stride + 1) + 1, *o = pix + y * stride, *u = y ? pix + (y - 1) * stride : NULL;
        int f = r[-1];
        for (size_t x = 0; x < stride; x++) {
            int a = x >= (size_t)ch ? o[x - ch] : 0, b = u ? u[x] : 0, c = u && x >= (size_t)ch ? u[x - ch] : 0;
            int pred = f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : f == 4 ? paeth(a, b, c) : 0;
            o[x] = (unsigned char)(r[x] + pred);
        }
    }
    free(raw);
    img->rgb = malloc((size_t)img->w * img->h * 3);
    for (size_t k = 0; k < (size_t)img->w * img->h; k++) {
        const unsigned char *s = pix + k * ch;
        int al = ch == 4 ? s[3] : ch == 2 ? s[1] : 255;
        for (int c = 0; c < 3; c++) {
            int v = ch >= 3 ? s[c] : s[0];
            img->rgb[k * 3 + c] = (unsigned char)((v * al + 255 * (255 - al)) / 255);
        }
    }
    free(pix);
    return 0;
}

/* Ink: a pixel visibly darker than the white canvas. */
static int ink(const image *im, int x, int y)
{
    const unsigned char *q = im->rgb + ((size_t)y * im->w + x) * 3;
    return q[0] < 235 || q[1] < 235 || q[2] < 235;
}

/* The bounding box of the ink in the probe's margin (outside the inner
 * rectangle [pad, w - pad) x [pad, h - pad)), in the real canvas's
 * coordinates; returns how many ink pixels lie there. */
static long margin_ink(const image *im, int pad, int box[4])
{
    long n = 0;
    box[0] = box[1] = 1 << 30, box[2] = box[3] = -(1 << 30);
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++) {
            if (x >= pad && x < im->w - pad && y >= pad && y < im->h - pad) continue;
            if (!ink(im, x, y)) continue;
            n++;
            int rx = x - pad, ry = y - pad;
            if (rx < box[0]) box[0] = rx;
            if (ry < box[1]) box[1] = ry;
            if (rx > box[2]) box[2] = rx;
            if (ry > box[3]) box[3] = ry;
        }
    return n;
}

/* Ink on the outermost pixel rows and columns of a canvas. */
static long edge_ink(const image *im, char *where, size_t wn)
{
    long n[4] = {0}; /* left, right, top, bottom */
    for (int y = 0; y < im->h; y++) n[0] += ink(im, 0, y), n[1] += ink(im, im->w - 1, y);
    for (int x = 0; x < im->w; x++) n[2] += ink(im, x, 0), n[3] += ink(im, x, im->h - 1);
    snprintf(where, wn, "left %ld, right %ld, top %ld, bottom %ld pixels", n[0], n[1], n[2], n[3]);
    return n[0] + n[1] + n[2] + n[3];
}

/* Ink of a canvas at (x, y) or next to it (a 3 x 3 neighbourhood). */
static int ink_near(const image *im, int x, int y, int x0, int y0, int w, int h)
{
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            int u = x + dx, v = y + dy;
            if (u >= 0 && v >= 0 && u < w && v < h && ink(im, x0 + u, y0 + v)) return 1;
        }
    return 0;
}

/* How far the probe's inner rectangle is from the real PNG: the largest
 * share of either one's ink pixels that have no ink within a pixel in the
 * other (a text placed one pixel apart by rounding still matches; a layout
 * shifted by more, or a part drawn in one only, does not). -1 when the sizes
 * do not fit. */
static double probe_mismatch(const image *probe, const image *real, int pad)
{
    if (probe->w != real->w + 2 * pad || probe->h != real->h + 2 * pad) return -1;
    long nr = 0, np = 0, lone_r = 0, lone_p = 0;
    for (int y = 0; y < real->h; y++)
        for (int x = 0; x < real->w; x++) {
            if (ink(real, x, y)) nr++, lone_r += !ink_near(probe, x, y, pad, pad, real->w, real->h);
            if (ink(probe, x + pad, y + pad)) np++, lone_p += !ink_near(real, x, y, 0, 0, real->w, real->h);
        }
    double a = nr ? (double)lone_r / nr : 0, b = np ? (double)lone_p / np : 0;
    return a > b ? a : b;
}

/* The caption of Figure ID in a rendered paper: the paragraph starting
 * "*Figure ID." up to its closing '*' (a new string, or NULL). */
static char *caption(const char *paper, const char *id)
{
    char head[32];
    snprintf(head, sizeof head, "*Figure %s.", id);
    for (const char *s = paper; (s = strstr(s, head)); s++) {
        if (s != paper && s[-1] != '\n') continue;
        const char *e = s + 1;
        while (*e && !(e[0] == '*' && (e[1] == '\n' || e[1] == 0))) e++;
        char *c = strndup(s, (size_t)(e - s + 1));
        for (char *q = c; *q; q++)
            if (*q == '\n') *q = ' ';
        return c;
    }
    return NULL;
}

/* A word of caption (case-insensitive, at word boundaries). */
static int has_word(const char *text, const char *w)
{
    size_t n = strlen(w);
    for (const char *s = text; (s = strcasestr(s, w)); s++) {
        int before = s == text || !isalnum((unsigned char)s[-1]);
        int after = !isalnum((unsigned char)s[n]);
        if (before && after) return 1;
    }
    return 0;
}

/* The tasks a caption can name, as the paper writes them. */
static const struct { const char *task, *prose; } task_names[] = {
    {"smnist", "sMNIST"}, {"patgen", "pattern generation"}, {"dms", "delayed match"}, {"patgen", "patgen"}, {"dms", "dms"},
};

static void check_figure(const char *label, const char *figs, const char *probes, const char *paper, const char *fig)
{
    char real_path[1200], probe_path[1200], why[600], name[300];
    image real = {0}, probe = {0};
    snprintf(real_path, sizeof real_path, "%s/%s.png", figs, fig);
    snprintf(probe_path, sizeof probe_path, "%s/%s.png", probes, fig);
    int ok_real = png_read(real_path, &real, why, sizeof why) == 0;
    snprintf(name, sizeof name, "figures (%s): %s.png decodes", label, fig);
    CHECK(ok_real, name, "%s", why);
    int ok_probe = png_read(probe_path, &probe, why, sizeof why) == 0;
    snprintf(name, sizeof name, "figures (%s): %s's probe decodes", label, fig);
    CHECK(ok_probe, name, "%s", why);
    if (ok_real) {
        long n = edge_ink(&real, why, sizeof why);
        snprintf(name, sizeof name, "figures (%s): %s.png has no ink on its outermost pixels (nothing cut by the edge)", label, fig);
        CHECK(n == 0, name, "%s: %s", real_path, why);
    }
    if (ok_probe) {
        int box[4];
        long n = margin_ink(&probe, PROBE_PAD, box);
        snprintf(name, sizeof name, "figures (%s): %s: no text or line of the figure falls outside its canvas", label, fig);
        CHECK(n == 0, name, "%ld ink pixels outside the %dx%d canvas, within x %d..%d, y %d..%d (see %s)", n, probe.w - 2 * PROBE_PAD,
              probe.h - 2 * PROBE_PAD, box[0], box[2], box[1], box[3], probe_path);
    }
    if (ok_real && ok_probe) {
        double d = probe_mismatch(&probe, &real, PROBE_PAD);
        snprintf(name, sizeof name, "figures (%s): %s: the probe draws the real PNG's picture inside the canvas (99%% of the ink within a pixel)", label, fig);
        CHECK(d >= 0 && d <= 0.01, name, "%.2f%% of the ink has none within a pixel in the other (negative: sizes %dx%d and %dx%d)", 100 * d, probe.w, probe.h, real.w, real.h);
    }
    free(real.rgb);
    free(probe.rgb);

    /* The panels and legend entries the script drew, and with how many rows. */
    char logname[320];
    snprintf(logname, sizeof logname, "%s.log", fig);
    char *log = test_slurp(probes, logname);
    snprintf(name, sizeof name, "figures (%s): %s's probe logged its panels", label, fig);
    if (!CHECK(log && strstr(log, "grid "), name, "%s/%s: %s", probes, logname, log ? "no grid line" : "missing")) {
        free(log);
        return;
    }
    int rows = 0, cols = 0, empty = 0, panels = 0, notes = 0;
    char empties[600] = "", tasks[200] = " ";
    for (char *line = log; *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        char what[16], item[200];
        long cnt;
        if (sscanf(line, "grid %d %d", &rows, &cols) == 2) {
        } else if (!strncmp(line, "note ", 5)) {
            notes++;
        } else if (sscanf(line, "task %199s", item) == 1) {
            strncat(tasks, item, sizeof tasks - strlen(tasks) - 2);
            strcat(tasks, " ");
        } else if (sscanf(line, "%15s %ld %199[^\n]", what, &cnt, item) == 3 && (!strcmp(what, "panel") || !strcmp(what, "key"))) {
            panels += !strcmp(what, "panel");
            if (cnt <= 0) {
                empty++;
                size_t l = strlen(empties);
                snprintf(empties + l, sizeof empties - l, "%s%s '%s'", l ? "; " : "", what, item);
            }
        }
        line = nl ? nl + 1 : line + strlen(line);
    }
    free(log);
    snprintf(name, sizeof name, "figures (%s): %s: every panel and legend entry drawn has data", label, fig);
    CHECK(empty == 0 && (panels > 0 || notes > 0), name, "%d panels logged (%d notes instead of panels); without data: %s", panels, notes, empties);

    /* The caption names only what the figure holds. */
    const char *id = fig + 3; /* fig2 -> 2, figS -> S */
    char *cap = paper ? caption(paper, id) : NULL;
    snprintf(name, sizeof name, "figures (%s): Figure %s has a caption in the rendered paper", label, id);
    if (!CHECK(cap, name, "no paragraph starting *Figure %s.", id)) return;
    char bad[600] = "";
#define BAD(...) snprintf(bad + strlen(bad), sizeof bad - strlen(bad), __VA_ARGS__)
    if (rows < 2 && (has_word(cap, "top") || has_word(cap, "bottom"))) BAD(" 'top'/'bottom' with one row of panels;");
    if (cols < 2 && (has_word(cap, "left") || has_word(cap, "right") || has_word(cap, "right-hand"))) BAD(" 'left'/'right' with one column;");
    if (cols < 3 && rows < 3 && (has_word(cap, "middle") || has_word(cap, "third"))) BAD(" 'middle'/'third' with a %dx%d grid;", rows, cols);
    int ntasks = 0;
    for (const char *t = tasks; *t; t++) ntasks += t[0] == ' ' && t[1] && t[1] != ' ';
    if (ntasks == 1 && (has_word(cap, "each task") || has_word(cap, "every task") || has_word(cap, "the tasks") || has_word(cap, "per task")))
        BAD(" speaks of each task with one task;");
    for (size_t k = 0; k < sizeof task_names / sizeof *task_names; k++) {
        char pat[40];
        snprintf(pat, sizeof pat, " %s ", task_names[k].task);
        if (has_word(cap, task_names[k].prose) && !strstr(tasks, pat)) BAD(" names %s, which it does not show;", task_names[k].prose);
    }
#undef BAD
    snprintf(name, sizeof name, "figures (%s): Figure %s's caption names only panels and tasks the figure has", label, id);
    CHECK(!*bad, name, "%d x %d panels, tasks%s:%s caption: %.300s", rows, cols, tasks, bad, cap);
    free(cap);
}

static void check_results(const char *label, const char *res, const char *make_vars)
{
    char cmd[4096], probes[800], figs[800], *out = NULL;
    snprintf(probes, sizeof probes, "%s/probe-%s", test_tmp(), label);
    snprintf(figs, sizeof figs, "%s/figures", res);
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory fig-probe %s RESULTS=%s FIG_PROBE_DIR=%s FIG_PROBE_PAD=%d",
             make_vars, res, probes, PROBE_PAD);
    int rc = test_run(cmd, &out);
    char name[200];
    snprintf(name, sizeof name, "figures (%s): make fig-probe draws every figure's probe", label);
    int ok = CHECK(rc == 0, name, "exit %d: %.600s", rc, out ? out : "");
    free(out);
    if (!ok) return;
    char *paper = test_slurp(res, "paper.md");
    const char *list[] = {"fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7", "fig8", "figS"};
    for (size_t i = 0; i < sizeof list / sizeof *list; i++) check_figure(label, figs, probes, paper, list[i]);
    free(paper);
}

/* No result number is typed into the paper's template: every number of a
 * rendering comes through a value or table file. The template's numbers
 * (a decimal, or three digits and more) must each be one of the settings it
 * describes, in its phrase, or a year or arXiv id; anything else fails,
 * named. Placeholders and code spans are not text. */
void test_paper_numbers(void)
{
    const char *awk =
        "awk 'BEGIN { RS = \"\" } {"
        " s = $0; gsub(/[ \\t\\n]+/, \" \", s); gsub(/[{][{][^}]*[}][}]/, \"\", s); gsub(/`[^`]*`/, \"\", s); gsub(/arXiv:[0-9.]+/, \"\", s);"
        /* the settings the text describes: the authors' curvature protocol, the long tasks' sizes,
         * and RFLO's feedback scale at init (science.md section 3) */
        " n = split(\"256-example|256 *validation*|at most 500 Hessian|1,000 steps|100 inputs|leak 0.95|about 900 steps|leak 0.99|600 spiking|1,000-step trial|2-2.6 times\", ok, \"|\");"
        " for (i = 1; i <= n; i++) while ((j = index(s, ok[i])) > 0) s = substr(s, 1, j - 1) substr(s, j + length(ok[i]));"
        " while (match(s, /[0-9][0-9,]*[.][0-9]+|[0-9][0-9,]*[0-9][0-9]/)) {"
        " v = substr(s, RSTART, RLENGTH); ctx = substr(s, RSTART > 40 ? RSTART - 40 : 1, RLENGTH + 80); s = substr(s, RSTART + RLENGTH);"
        " if (v !~ /^(19|20)[0-9][0-9]$/) print v \": ...\" ctx \"...\" } }' paper/paper.md";
    char *out = NULL;
    int rc = test_run(awk, &out);
    CHECK(rc == 0 && out && !*out, "paper/paper.md types no result number: each of its numbers is a setting it describes, a year or an arXiv id",
          "exit %d: %.1200s", rc, out ? out : "");
    free(out);
}

void test_figures(void)
{
    /* The committed reference output, replotted from its tables (nothing trains). */
    check_results("reference", "results", "PROFILE=authors");
    /* A fresh smoke output: three tasks, every experiment group; the
     * pipeline suite's copy when it ran first (tests/test_pipeline.c), else
     * made here. */
    char res[600], cmd[4096], *out = NULL;
    snprintf(res, sizeof res, "%s/figsmoke", test_tmp());
    snprintf(cmd, sizeof cmd, "%s/paper.md", res);
    if (access(cmd, F_OK) == 0) {
        check_results("smoke", res, "PROFILE=smoke");
        return;
    }
    snprintf(cmd, sizeof cmd,
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS nice make --no-print-directory -j2 figures PROFILE=smoke RESULTS=%s FIG_MNIST_DIR=%s SAN=%d PREC=%d",
             res, test_mnist_dir(), strstr(test_root(), "san") != NULL, TEST_F32 ? 32 : 64);
    int rc = test_run(cmd, &out);
    int ok = CHECK(rc == 0, "figures (smoke): make figures PROFILE=smoke", "exit %d: %.800s", rc, out ? out : "");
    free(out);
    if (ok) check_results("smoke", res, "PROFILE=smoke");
}
