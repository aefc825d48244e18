/* test_protocol.c - what issue 14's authors'-protocol profile needs:
 * cheap intermediate evaluations and warm-started trajectory Lanczos that
 * leave the final numbers exactly those of a run without them (and resume
 * bit for bit), the authors' curvature protocol (fresh batch per
 * checkpoint, power iteration stopping by the absolute rule, |lambda|),
 * stopping at a matched training loss, RFLO's feedback scale, and the
 * pipeline's target script. */
#define _GNU_SOURCE
#include "test.h"
#include "curvature.h"
#include "hessian.h"
#include "util.h"
#include "../rules/trace.h"

#include <stdlib.h>
#include <string.h>

/* Index of a named column in the header line that starts with "iter\t". */
static int column_index(const char *text, const char *name)
{
    const char *head = strstr(text, "\niter\t");
    if (!head) return -1;
    size_t len = strlen(name);
    int idx = 0;
    for (const char *p = head + 1; *p && *p != '\n'; idx++) {
        if (strncmp(p, name, len) == 0 && (p[len] == '\t' || p[len] == '\n')) return idx;
        p += strcspn(p, "\t\n");
        if (*p == '\t') p++;
    }
    return -1;
}

/* The named column of every data row, into v (at most cap); returns rows. */
static int column_all(const char *text, const char *name, double *v, long *iter, int cap)
{
    int idx = column_index(text, name), rows = 0;
    if (idx < 0) return 0;
    for (const char *line = text; *line && rows < cap;) {
        const char *nl = strchr(line, '\n');
        if (*line != '#' && strncmp(line, "iter\t", 5) != 0) {
            const char *f = line;
            for (int i = 0; i < idx && f; i++) f = strchr(f, '\t') ? strchr(f, '\t') + 1 : NULL;
            if (iter) iter[rows] = strtol(line, NULL, 10);
            v[rows++] = f ? strtod(f, NULL) : NAN;
        }
        line = nl ? nl + 1 : line + strlen(line);
    }
    return rows;
}

static double metric(const char *text, const char *key)
{
    char pat[80];
    snprintf(pat, sizeof pat, "\n%s\t", key);
    const char *at = text ? strstr(text, pat) : NULL;
    return at ? strtod(at + strlen(pat), NULL) : NAN;
}

/* ------------------------------------------------------------ economies */

static void test_economies(void)
{
    const char *tmp = test_tmp(), *seq = test_seq_file(0);
    const char *common = "task=file n=10 batch=16 lr=0.05 iters=300 eval_every=20 curvature_every=50 hessian_batch=24 progress=0";
    const char *cheap = "eval_subsample=12 hessian_warm=1 hessian_traj_tol=1e-3";
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/econ_exact", tmp);
    snprintf(b, sizeof b, "%s/econ_cheap", tmp);
    int rc = test_credit(NULL, "train %s path=%s out=%s", common, seq, a);
    rc |= test_credit(NULL, "train %s path=%s %s out=%s", common, seq, cheap, b);
    char *ma = test_slurp(a, "metrics.tsv"), *mb = test_slurp(b, "metrics.tsv");
    char *bma = test_body(ma), *bmb = test_body(mb);
    CHECK(rc == 0 && ma && mb && strcmp(bma, bmb) == 0, "economies: metrics.tsv byte-identical to a run without them", "rc %d", rc);
    char *ca = test_slurp(a, "curve.tsv"), *cb = test_slurp(b, "curve.tsv");
    char *bca = test_body(ca), *bcb = test_body(cb);
    int differs = strcmp(bca, bcb) != 0; /* the subsample is in use along the way */
    CHECK(ca && cb && differs && strcmp(test_last_line(bca), test_last_line(bcb)) == 0,
          "eval_subsample: intermediate curve.tsv rows from the subsample, the last row from the whole sets (byte-identical)",
          "differs %d: %s | %s", differs, ca ? test_last_line(bca) : "", cb ? test_last_line(bcb) : "");
    double la[2] = {NAN, NAN}, lb[2] = {NAN, NAN};
    CHECK(ca && cb && column_all(ca, "train_loss", la, NULL, 1) && column_all(cb, "train_loss", lb, NULL, 1) && la[0] != lb[0],
          "eval_subsample: the first evaluation differs from the whole set's", "%g %g", la[0], lb[0]);
    char *ka = test_slurp(a, "curvature.tsv"), *kb = test_slurp(b, "curvature.tsv");
    char *bka = test_body(ka), *bkb = test_body(kb);
    CHECK(ka && kb && strcmp(test_last_line(bka), test_last_line(bkb)) == 0 && strstr(kb, "warm start from the previous row's v1"),
          "hessian_warm: the last curvature row is byte-identical to a cold, tight one", "%s | %s", ka ? test_last_line(bka) : "",
          kb ? test_last_line(bkb) : "");
    double lam_a[16], lam_b[16], h_a[16], h_b[16];
    long it_a[16], it_b[16];
    int na = ka ? column_all(ka, "lambda_max", lam_a, it_a, 16) : 0, nb = kb ? column_all(kb, "lambda_max", lam_b, it_b, 16) : 0;
    column_all(ka ? ka : "", "hvps", h_a, NULL, 16);
    column_all(kb ? kb : "", "hvps", h_b, NULL, 16);
    int ok = na == 7 && nb == na, moved = 0;
    double worst = 0, hv_a = 0, hv_b = 0;
    for (int i = 0; ok && i < na - 1; i++) {
        double rel = fabs(lam_b[i] - lam_a[i]) / fabs(lam_a[i]);
        ok &= it_a[i] == it_b[i] && rel < 1e-3;
        moved |= lam_b[i] != lam_a[i];
        worst = fmax(worst, rel);
        hv_a += h_a[i], hv_b += h_b[i];
    }
    CHECK(ok && moved, "hessian_traj_tol=1e-3: every warm trajectory lambda_max within 1e-3 (relative) of a cold tight Lanczos",
          "%d rows, worst %.3g, moved %d", na, worst, moved);
    CHECK(ok && hv_b < hv_a, "hessian_warm: the trajectory takes fewer Hessian-vector products", "%g vs %g", hv_b, hv_a);
    char *wa = test_slurp(a, "weights.tsv"), *wb = test_slurp(b, "weights.tsv"), *bwa = test_body(wa), *bwb = test_body(wb);
    CHECK(wa && wb && strcmp(bwa, bwb) == 0, "economies leave training bit-identical (weights.tsv)", "%s", "weights differ");
    free(ma); free(mb); free(bma); free(bmb); free(ca); free(cb); free(bca); free(bcb);
    free(ka); free(kb); free(bka); free(bkb); free(wa); free(wb); free(bwa); free(bwb);

    /* Killed and resumed with the economies: every file as an uninterrupted run. */
    const char *longrun = "task=file n=12 batch=16 lr=0.02 iters=6000 eval_every=200 checkpoint_every=100 curvature_every=150 "
                          "hessian_batch=32 rule=example progress=0 eval_subsample=10 hessian_warm=1 hessian_traj_tol=1e-4";
    snprintf(a, sizeof a, "%s/econ_long_a", tmp);
    snprintf(b, sizeof b, "%s/econ_long_b", tmp);
    rc = test_credit(NULL, "train %s path=%s out=%s", longrun, seq, a);
    char args[2000];
    snprintf(args, sizeof args, "%s path=%s", longrun, seq);
    int killed = test_train_killed(args, b);
    char *w = test_slurp(b, "lanczos_warm.bin");
    CHECK(killed && w, "warm-started run killed part-way with lanczos_warm.bin on disk", "killed %d", killed);
    free(w);
    rc |= test_credit(NULL, "train %s path=%s out=%s resume=1", longrun, seq, b);
    const char *files[] = {"curvature.tsv", "curve.tsv", "metrics.tsv", "lanczos_warm.bin"};
    for (int f = 0; f < 4; f++) {
        char fa[700], fb[700];
        snprintf(fa, sizeof fa, "%s/%s", a, files[f]);
        snprintf(fb, sizeof fb, "%s/%s", b, files[f]);
        CHECK(rc == 0 && killed && test_files_equal(fa, fb), "economies, killed and resumed: file bit-identical to an uninterrupted run",
              "%s (rc %d)", files[f], rc);
    }
}

/* ------------------------------------------------------------ stopping */

static void test_stopping(void)
{
    const char *tmp = test_tmp(), *seq = test_seq_file(0);
    const char *common = "task=file n=10 batch=16 lr=0.05 iters=400 eval_every=10 progress=0";
    char a[600], b[600], c[600];
    snprintf(a, sizeof a, "%s/stop_free", tmp);
    int rc = test_credit(NULL, "train %s path=%s out=%s", common, seq, a);
    char *curve = test_slurp(a, "curve.tsv");
    /* The evaluated rows (every 10th of 401). */
    static double all_loss[512];
    static long all_iter[512];
    double loss[64];
    long iter[64];
    int rows = curve ? column_all(curve, "train_loss", all_loss, all_iter, 512) : 0, n = 0;
    for (int i = 0; i < rows && n < 64; i++)
        if (!isnan(all_loss[i])) loss[n] = all_loss[i], iter[n++] = all_iter[i];
    /* a target the run crosses half-way down its training loss */
    double target = n > 2 ? loss[0] - 0.5 * (loss[0] - loss[n - 1]) : NAN;
    long want = -1;
    for (int i = 0; i < n && !isnan(target); i++)
        if (loss[i] <= target) { want = iter[i]; break; }
    CHECK(rc == 0 && want > 0, "stop_train_loss: a free run crosses a target half-way down its training loss", "target %g, first %ld", target,
          want);
    snprintf(b, sizeof b, "%s/stop_loss", tmp);
    rc = test_credit(NULL, "train %s path=%s stop_train_loss=%.17g out=%s", common, seq, target, b);
    char *m = test_slurp(b, "metrics.tsv");
    double it = metric(m, "iterations"), tl = metric(m, "train_loss");
    CHECK(rc == 0 && m && strstr(m, "\nstatus\ttarget_reached\n") && it == want && tl <= target,
          "stop_train_loss: target_reached at the first evaluation whose whole-set training loss is at most the target",
          "rc %d, iterations %g (want %ld), train_loss %g target %g", rc, it, want, tl, target);
    free(m);
    /* A subsample of one example says yes long before the whole set does:
     * the whole set decides, and the run goes on. */
    snprintf(c, sizeof c, "%s/stop_loss_sub", tmp);
    rc = test_credit(NULL, "train %s path=%s stop_train_loss=%.17g eval_subsample=1 out=%s", common, seq, target, c);
    m = test_slurp(c, "metrics.tsv");
    char *cs = test_slurp(c, "curve.tsv");
    double it_s = metric(m, "iterations"), tl_s = metric(m, "train_loss");
    static double sl[512];
    static long si[512];
    int ns = cs ? column_all(cs, "train_loss", sl, si, 512) : 0, early = 0;
    for (int i = 0; i < ns; i++) early |= !isnan(sl[i]) && sl[i] <= target && si[i] < it_s;
    CHECK(rc == 0 && m && strstr(m, "target_reached") && tl_s <= target && it_s >= want && early,
          "stop_train_loss with eval_subsample: confirmed on the whole training set; a subsample below target alone does not stop",
          "rc %d, iterations %g, train_loss %g, early %d", rc, it_s, tl_s, early);
    free(m); free(cs); free(curve);

    /* Stopping on a warm trajectory row: that row is measured again, cold and tight. */
    snprintf(c, sizeof c, "%s/stop_warm", tmp);
    rc = test_credit(NULL, "train %s path=%s stop_train_loss=%.17g curvature_every=10 hessian_batch=24 hessian_warm=1 "
                           "hessian_traj_tol=1e-2 out=%s", common, seq, target, c);
    char *k = test_slurp(c, "curvature.tsv"), *out = NULL;
    rc |= test_credit(&out, "curvature %s", c);
    char *kf = test_slurp(c, "curvature_final.tsv"), *bk = test_body(k), *bkf = test_body(kf);
    CHECK(rc == 0 && k && kf && strcmp(test_last_line(bk), test_last_line(bkf)) == 0,
          "a run stopped on a warm trajectory row ends curvature.tsv with the cold, tight row of credit curvature", "%s | %s",
          k ? test_last_line(bk) : "", kf ? test_last_line(bkf) : "");
    free(k); free(kf); free(bk); free(bkf); free(out);
}

/* ------------------------------------------------------------ authors' protocol */

static int open_file_session(credit_session *s, const char *extra1, const char *extra2)
{
    char path[400];
    snprintf(path, sizeof path, "path=%s", test_seq_file(0));
    const char *kv[] = {"task=file", path, "n=6", "batch=16", "l2=0.01", "progress=0", "hessian_batch=24", extra1, extra2, NULL};
    int st = test_session(s, kv);
    if (!st) {
        credit_rng rng;
        credit_rng_seed(&rng, 77, 1);
        for (size_t i = 0; i < s->n_params; i++) s->theta[i] += 0.3 * credit_rng_normal(&rng);
        credit_zero_diagonal(s->w.W_rec, s->dims.n);
    }
    return st;
}

static void test_authors(void)
{
    credit_session s;
    memset(&s, 0, sizeof s);
    int st = open_file_session(&s, "hessian_protocol=authors", "hessian_method=lanczos");
    credit_curv_opts o;
    if (!st) credit_curv_opts_get(&s, &o);
    CHECK(!st && o.power && o.abs && o.fresh && o.split == CREDIT_SPLIT_VALID && o.batch == 256 && o.power_tol == 1e-6 &&
              o.power_maxiter == 500,
          "hessian_protocol=authors: power, |lambda|, fresh batch of 256 validation examples, tol 1e-6, at most 500", "st %d", st);
    credit_curv_row r1 = {0}, r2 = {0};
    if (!st) st = credit_curvature_measure(&s, 40, &r1);
    if (!st) st = credit_curvature_measure(&s, 40, &r2);
    CHECK(!st && r1.examples == 16 && r1.lambda_max > 0 && memcmp(&r1.lambda_max, &r2.lambda_max, sizeof(double)) == 0 && r1.converged,
          "authors' protocol: the whole (16-example) validation split, |lambda| > 0, the same at the same iteration", "st %d: %d %g", st,
          r1.examples, r1.lambda_max);
    credit_curv_row_free(&r1);
    credit_curv_row_free(&r2);
    credit_session_close(&s);

    /* Fresh batches: deterministic per iteration, different across iterations. */
    memset(&s, 0, sizeof s);
    st = open_file_session(&s, "hessian_fresh=1", "hessian_batch=8");
    double l10 = NAN, l10b = NAN, l20 = NAN, l_first = NAN;
    if (!st && !(st = credit_curvature_measure(&s, 10, &r1))) l10 = r1.hess_loss;
    credit_curv_row_free(&r1);
    if (!st && !(st = credit_curvature_measure(&s, 10, &r1))) l10b = r1.hess_loss;
    credit_curv_row_free(&r1);
    if (!st && !(st = credit_curvature_measure(&s, 20, &r1))) l20 = r1.hess_loss;
    credit_curv_row_free(&r1);
    if (!st) {
        double acc;
        st = credit_session_evaluate_index(&s, CREDIT_SPLIT_TRAIN, NULL, 8, &l_first, &acc);
    }
    CHECK(!st && l10 == l10b && l10 != l20 && l10 != l_first && l20 != l_first,
          "hessian_fresh=1: the batch is fixed by (seed, iteration), differs between iterations and from the first examples",
          "st %d: %.17g %.17g %.17g %.17g", st, l10, l10b, l20, l_first);
    credit_session_close(&s);

    /* Power iteration with the absolute rule and |Hv|, against the dense spectrum. */
    memset(&s, 0, sizeof s);
    st = open_file_session(&s, "l2=0.01", NULL);
    credit_hessian *h = NULL;
    if (!st) st = credit_curvature_hessian(&h, &s, 0, CREDIT_SPLIT_TRAIN, NULL, 24);
    if (st) {
        CHECK(0, "power iteration: tiny Hessian opens", "st %d", st);
        credit_session_close(&s);
        return;
    }
    /* The whole spectrum by Lanczos over the full Krylov space (checked
     * against GSL's dense eigensolver in test_curvature.c). */
    const int F = (int)credit_hessian_free_dim(h);
    double *eval = calloc((size_t)F, sizeof(double)), dominant = 0;
    credit_eig_info full;
    if (!st) st = credit_hessian_lanczos(h, F, 1e-12, F, 99, eval, NULL, &full);
    for (int i = 0; i < F && !st; i++) dominant = fmax(dominant, fabs(eval[i]));
    double lam;
    credit_eig_info info;
    const double tol = 1e-6;
    if (!st) st = credit_hessian_power_est(h, tol, 5000, 1234, 1, &lam, NULL, &info);
    const int p = info.products;
    CHECK(!st && info.converged && p < 5000 && fabs(lam - dominant) < 1e-3 * dominant,
          "hessian_abs: power iteration's estimate |Hv| converges to |lambda| of the dominant eigenvalue", "st %d: %g vs %g after %d", st,
          lam, dominant, p);
    /* The stopping rule: the estimate moved by < tol between the last two
     * products, and by >= tol between the two before (else it stopped there). */
    double e1 = NAN, e2 = NAN, e3 = NAN;
    credit_eig_info i1, i2, i3;
    if (!st && p >= 3) {
        credit_hessian_power_est(h, tol, p, 1234, 1, &e1, NULL, &i1);
        credit_hessian_power_est(h, tol, p - 1, 1234, 1, &e2, NULL, &i2);
        credit_hessian_power_est(h, tol, p - 2, 1234, 1, &e3, NULL, &i3);
    }
    CHECK(p >= 3 && e1 == lam && fabs(e1 - e2) < tol && fabs(e2 - e3) >= tol && !i2.converged,
          "power iteration stops at the first absolute change below hessian_power_tol", "p %d: %.17g %.17g %.17g", p, e1, e2, e3);
    double signed_lam;
    if (!st) st = credit_hessian_power_est(h, tol, 5000, 1234, 0, &signed_lam, NULL, &info);
    CHECK(!st && fabs(fabs(signed_lam) - dominant) < 1e-3 * dominant,
          "hessian_abs=0: the signed Rayleigh quotient, |.| the same dominant eigenvalue", "%g vs %g", signed_lam, dominant);
    free(eval);
    credit_hessian_close(h);
    credit_session_close(&s);

    /* In training: the authors' rows say so and carry the whole validation split. */
    char dir[600], *out = NULL;
    snprintf(dir, sizeof dir, "%s/authors_run", test_tmp());
    int rc = test_credit(&out, "train task=file path=%s n=8 batch=16 iters=60 eval_every=20 curvature_every=20 hessian_protocol=authors "
                               "progress=0 out=%s", test_seq_file(0), dir);
    free(out);
    char *k = test_slurp(dir, "curvature.tsv");
    double ex[8], lm[8];
    int rows = k ? column_all(k, "hess_examples", ex, NULL, 8) : 0;
    if (k) column_all(k, "lambda_max", lm, NULL, 8);
    CHECK(rc == 0 && k && strstr(k, "the authors' protocol: power iteration (tol 1e-06 absolute, at most 500 products, estimate |Hv|") &&
              rows == 4 && ex[0] == 16 && lm[0] > 0 && lm[3] > 0,
          "curvature_every with hessian_protocol=authors: rows of |lambda| on the validation split, said in the settings line", "rc %d: %.500s",
          rc, k ? k : "(missing)");
    free(k);
    /* A fresh batch smaller than the split: credit curvature draws the run's last one again. */
    snprintf(dir, sizeof dir, "%s/fresh_run", test_tmp());
    rc = test_credit(&out, "train task=file path=%s n=8 batch=16 iters=60 eval_every=20 curvature_every=20 hessian_fresh=1 "
                           "hessian_batch=8 progress=0 out=%s", test_seq_file(0), dir);
    free(out);
    rc |= test_credit(&out, "curvature %s", dir);
    k = test_slurp(dir, "curvature.tsv");
    char *kf = test_slurp(dir, "curvature_final.tsv"), *bk = test_body(k), *bkf = test_body(kf);
    CHECK(rc == 0 && k && kf && strstr(k, "batch = a fresh draw (seed, iteration) of 8 examples of train") &&
              strcmp(test_last_line(bk), test_last_line(bkf)) == 0,
          "hessian_fresh=1: credit curvature on the finished run repeats its last row (the same fresh batch)", "rc %d: %s | %s", rc,
          k ? test_last_line(bk) : "", kf ? test_last_line(bkf) : "");
    free(out); free(k); free(kf); free(bk); free(bkf);
}

/* ------------------------------------------------ the random-feedback rules' scale */

/* |a|_2 in double, of credit_real values. */
static double norm2(const credit_real *a, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) s += (double)a[k] * a[k];
    return sqrt(s);
}

/* rflo's fixed B and kp's initial one: at the first gradient both estimates
 * are linear in B, so feedback_scale=wout must give Murray's estimate times
 * |W_out(0)|_F / |B|_F. */
static void test_feedback_scale(const char *rule)
{
    char rule_kv[64];
    snprintf(rule_kv, sizeof rule_kv, "rule=%s", rule);
    credit_session m, w;
    memset(&m, 0, sizeof m);
    memset(&w, 0, sizeof w);
    char path[400];
    snprintf(path, sizeof path, "path=%s", test_seq_file(0));
    const char *km[] = {"task=file", path, rule_kv, "n=9", "batch=16", "l2=0", "leak=0.3", "progress=0", NULL};
    const char *kw[] = {"task=file", path, rule_kv, "n=9", "batch=16", "l2=0", "leak=0.3", "progress=0", "feedback_scale=wout", NULL};
    int st = test_session(&m, km);
    if (!st) st = test_session(&w, kw);
    if (st) {
        CHECK(0, "feedback_scale sessions open", "%s: st %d", rule, st);
        credit_session_close(&m);
        credit_session_close(&w);
        return;
    }
    /* B of the rule's seed as drawn; the estimate is linear in B. */
    credit_real *B = malloc(sizeof(credit_real) * (size_t)m.dims.n * m.dims.n_out);
    trace_random_feedback(B, &m.dims, m.rule_host.seed);
    const int nb = m.dims.n * m.dims.n_out;
    const double wout = TEST_F32 ? norm2(m.w.W_out, (size_t)nb) : CREDIT_BLAS(nrm2)(nb, m.w.W_out, 1);
    const double scale = wout / (TEST_F32 ? norm2(B, (size_t)nb) : CREDIT_BLAS(nrm2)(nb, B, 1));
    for (int b = 0; b < 16; b++) m.index[b] = w.index[b] = (uint64_t)b;
    double loss;
    st = credit_session_batch(&m, CREDIT_SPLIT_TRAIN, m.index, 16, &loss, NULL, NULL);
    if (!st) st = credit_session_gradient(&m, 0, NULL);
    if (!st) st = credit_session_batch(&w, CREDIT_SPLIT_TRAIN, w.index, 16, &loss, NULL, NULL);
    if (!st) st = credit_session_gradient(&w, 0, NULL);
    const size_t rec_in = (size_t)m.dims.n * (m.dims.n_in + m.dims.n); /* W_in, W_rec: the rule's estimate */
    double worst = 0, norm = TEST_F32 ? norm2(m.grad, rec_in) : CREDIT_BLAS(nrm2)((int)rec_in, m.grad, 1);
    for (size_t i = 0; i < rec_in; i++) worst = fmax(worst, fabs(w.grad[i] - scale * m.grad[i]));
    /* float: the two estimates round apart (B rescaled in float, the traces
     * filtered and summed over T*B = 128 rows in float), about sqrt(128)
     * eps/2 = 3.4e-7 of the norm; measured 7.4e-8. */
    const double tol = test_tol(1e-12, 5e-7);
    char name[200];
    snprintf(name, sizeof name,
             "%s feedback_scale=wout: the estimate is Murray's times |W_out(0)|_F / |B|_F, i.e. |B|_F = |W_out(0)|_F to %g", rule, tol);
    CHECK(!st && norm > 0 && worst <= tol * scale * norm && fabs(scale - 1) > 0.1, name,
          "st %d: scale %g, worst %g of %g", st, scale, worst, scale * norm);
    free(B);
    credit_session_close(&m);
    credit_session_close(&w);
}

/* ------------------------------------------------------------ the pipeline's target */

static void test_match_target(void)
{
    const char *tmp = test_tmp();
    /* the script of the source tree: make test runs from its top (test_root() may be build-san) */
    const double loss[3] = {0.25, 0.5, 1.0 / 3.0};
    for (int r = 0; r < 3; r++) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd,
                 "mkdir -p %s/mt%d && printf '# commit x\\nkey\\tvalue\\nstatus\\t%s\\niterations\\t10\\ntrain_loss\\t%.17g\\n"
                 "train_acc\\t0.9\\n' > %s/mt%d/metrics.tsv",
                 tmp, r, r == 2 ? "diverged" : "completed", loss[r], tmp, r);
        test_run(cmd, NULL);
    }
    char cmd[1200], *out = NULL;
    snprintf(cmd, sizeof cmd, "figures/match_target.sh %s/mt0 %s/mt1", tmp, tmp);
    int rc = test_run(cmd, &out);
    double got = out ? strtod(out, NULL) : NAN;
    CHECK(rc == 0 && got == (0.25 + 0.5) / 2, "match_target.sh: the mean final train_loss of the runs, found by key", "rc %d: %s", rc,
          out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd, "figures/match_target.sh %s/mt0 %s/mt2", tmp, tmp);
    rc = test_run(cmd, &out);
    CHECK(rc == 1 && out && strstr(out, "mt2/metrics.tsv: status diverged"), "match_target.sh refuses a run that did not complete",
          "rc %d: %s", rc, out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd, "figures/match_target.sh %s/mt0 %s/none", tmp, tmp);
    rc = test_run(cmd, &out);
    CHECK(rc == 1 && out && strstr(out, "none/metrics.tsv is missing"), "match_target.sh names a run without metrics.tsv", "rc %d: %s", rc,
          out ? out : "");
    free(out);
}

/* credit curvature --out=NAME.tsv: the authors' protocol beside ours on the
 * same weights, without touching curvature_final.tsv; bad names refused. */
static void test_curvature_out(void)
{
    char dir[600], *out = NULL;
    snprintf(dir, sizeof dir, "%s/out_run", test_tmp());
    int rc = test_credit(&out, "train task=file path=%s n=8 batch=16 iters=40 eval_every=20 progress=0 out=%s", test_seq_file(0), dir);
    free(out);
    rc |= test_credit(&out, "curvature %s", dir);
    free(out);
    char *before = test_slurp(dir, "curvature_final.tsv");
    int rc2 = test_credit(&out, "curvature %s --out=curvature_authors.tsv hessian_protocol=authors", dir);
    free(out);
    char *after = test_slurp(dir, "curvature_final.tsv"), *theirs = test_slurp(dir, "curvature_authors.tsv");
    CHECK(rc == 0 && rc2 == 0 && before && after && strcmp(before, after) == 0 && theirs &&
              strstr(theirs, "the authors' protocol: power iteration"),
          "credit curvature --out=NAME.tsv writes the authors' protocol beside curvature_final.tsv, which is untouched", "rc %d %d: %.300s",
          rc, rc2, theirs ? theirs : "(missing)");
    free(before); free(after); free(theirs);
    const char *bad[] = {"../x.tsv", "metrics.tsv", "x.txt", ".hidden.tsv", "curvature.tsv"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rc = test_credit(&out, "curvature %s --out=%s", dir, bad[i]);
        char name[120];
        snprintf(name, sizeof name, "credit curvature --out=%s is refused, naming the value", bad[i]);
        CHECK(rc == 1 && out && strstr(out, bad[i]) && strstr(out, "plain file name"), name, "rc %d: %s", rc, out ? out : "");
        free(out);
    }
}

/* figures/progress.sh: runs done and left among the names given, and a time
 * estimate from the pipeline's start stamp; figures/protocols.awk: the two
 * protocols side by side per rule. */
static void test_progress_and_protocols(void)
{
    const char *tmp = test_tmp();
    char cmd[2400], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "d=%s/prog; mkdir -p $d/a $d/b $d/c && : > $d/a/metrics.tsv && : > $d/b/metrics.tsv && "
             "echo \"$(($(date +%%s) - 630)) 0\" > $d/.progress-start && printf 'a\\nb\\nc\\nd\\n' | figures/progress.sh $d $d/b",
             tmp);
    int rc = test_run(cmd, &out);
    /* 2 done in 630 s since the start: 2 left take 630 s more, 11 min rounded
     * up; the half minute keeps a second ticking between the two dates (a
     * loaded machine) from changing the minute */
    CHECK(rc == 0 && out && strstr(out, "done b: 2 of 4 runs, 2 left, about 11 min to go"), "progress.sh: runs done, left, time to go",
          "rc %d: %s", rc, out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd,
             "d=%s/proto; mkdir -p $d/r1 $d/r2 $d/r3 && "
             "printf '# p\\niter\\tlambda_max\\n0\\t1\\n10\\t2\\n' > $d/r1/curvature.tsv && printf '# p\\niter\\tlambda_max\\thvps\\n10\\t3\\t40\\n' > $d/r1/curvature_authors.tsv && "
             "printf 'iter\\tlambda_max\\n10\\t4\\n' > $d/r2/curvature.tsv && printf 'iter\\tlambda_max\\thvps\\n10\\t2\\t20\\n' > $d/r2/curvature_authors.tsv && "
             "printf 'iter\\tlambda_max\\n' > $d/r3/curvature.tsv && "
             "printf 'group\\ttask\\trule\\tseed\\tx\\tdir\\nmain\\tt\\tbptt\\t1\\t0.1\\t'$d/r1'\\nmain\\tt\\tbptt\\t2\\t0.1\\t'$d/r2'\\n"
             "main\\tt\\teprop\\t1\\t0.1\\t'$d/r3'\\nlr\\tt\\tbptt\\t1\\t0.2\\t'$d/r1'\\n' > $d/m.tsv && awk -f figures/protocols.awk $d/m.tsv",
             tmp);
    rc = test_run(cmd, &out);
    /* bptt: ours 2 and 4 (last rows), theirs 3 and 2: ratios 1.5 and 0.5 */
    CHECK(rc == 0 && out && strstr(out, "| bptt | 2 | 3 | 2.5 | 1.000 | 0.500-1.500 | 30 | 0 |") && strstr(out, "| eprop | 0 | - |") &&
              strstr(out, "| 1 |\n"),
          "protocols.awk: per rule the medians of both protocols and of their ratio, unmeasured runs counted apart", "rc %d: %s", rc,
          out ? out : "");
    free(out);
}

void test_protocol(void)
{
    test_economies();
    test_stopping();
    test_authors();
    test_feedback_scale("rflo");
    test_feedback_scale("kp");
    test_match_target();
    test_curvature_out();
    test_progress_and_protocols();
}
