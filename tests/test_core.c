/* test_core.c - RNG, config, weights files, checkpoints, batches, training. */
#define _GNU_SOURCE
#include "test.h"
#include "config.h"
#include "train.h"
#include "util.h"
#include "net.h"
#include "hessian.h"

#include <stdlib.h>
#include <string.h>

static void test_rng(void)
{
    credit_rng r = {{1, 2, 3, 4}};
    uint64_t want[4] = {11520ull, 0ull, 1509978240ull, 1215971899390074240ull}, got[4];
    for (int i = 0; i < 4; i++) got[i] = credit_rng_next(&r);
    CHECK(memcmp(want, got, sizeof want) == 0, "xoshiro256** reference vector", "got %llu %llu %llu %llu",
          (unsigned long long)got[0], (unsigned long long)got[1], (unsigned long long)got[2], (unsigned long long)got[3]);
    credit_rng a, b;
    credit_rng_seed(&a, 5, 1);
    credit_rng_seed(&b, 5, 2);
    CHECK(credit_rng_next(&a) != credit_rng_next(&b), "streams of one seed differ", "%s", "same first draw");
    double sum = 0, sq = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double z = credit_rng_normal(&a);
        sum += z;
        sq += z * z;
    }
    double mean = sum / n, var = sq / n - mean * mean;
    /* 6 standard errors: a wrong transform fails, a right one passes all but never. */
    CHECK(fabs(mean) < 6 / sqrt(n) && fabs(var - 1) < 6 * sqrt(2.0 / n), "normal draws have mean 0, variance 1",
          "mean %g variance %g", mean, var);
}

/* Opens a session with extra key=value pairs and returns the error message. */
static const char *session_error(const char *const *kv)
{
    credit_session s;
    credit_error_clear();
    int st = test_session(&s, kv);
    credit_session_close(&s);
    return st ? credit_error_message() : "(no error)";
}

static void expect_error(const char *name, const char *const *kv, const char *want)
{
    const char *msg = session_error(kv);
    CHECK(strstr(msg, want) != NULL, name, "message '%s' lacks '%s'", msg, want);
}

static void test_config(void)
{
    char pathkv[400];
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
    expect_error("unknown key is named with the valid keys", (const char *const[]){"task=file", pathkv, "lr_rate=1", NULL},
                 "command line: unknown key 'lr_rate'; valid keys: rule, task, seed");
    expect_error("unknown key lists the plugin's keys too", (const char *const[]){"task=file", pathkv, "bogus=1", NULL}, ", path");
    expect_error("bad real names key, value and range", (const char *const[]){"task=file", pathkv, "lr=fast", NULL},
                 "command line: lr = 'fast' is not valid: expected real in [0, inf)");
    expect_error("out-of-range integer", (const char *const[]){"task=file", pathkv, "n=0", NULL},
                 "command line: n = 0 is out of range: expected integer in [1, 65536]");
    expect_error("integer with junk", (const char *const[]){"task=file", pathkv, "batch=12x", NULL},
                 "batch = '12x' is not valid: expected integer");
    expect_error("bad choice lists the choices", (const char *const[]){"task=file", pathkv, "optimizer=rmsprop", NULL},
                 "optimizer = 'rmsprop' is not valid: expected one of sgd|adam");
    expect_error("plugin option is validated like a core key", (const char *const[]){"task=file", pathkv, "rule=example", "feedback=sideways", NULL},
                 "feedback = 'sideways' is not valid: expected one of symmetric|random");
    expect_error("unknown rule lists the rules", (const char *const[]){"task=file", pathkv, "rule=nosuch", NULL},
                 "unknown rule 'nosuch' (searched the built-in list); available rules: bptt");
    expect_error("invalid rule name", (const char *const[]){"rule=../x", NULL}, "'../x' is not a valid rule name");
    expect_error("task's own error comes through", (const char *const[]){"task=file", NULL}, "task file: path = FILE is required");

    /* File syntax. */
    char cfg[400];
    snprintf(cfg, sizeof cfg, "%s/bad.cfg", test_tmp());
    FILE *fp = fopen(cfg, "w");
    fprintf(fp, "# comment\nlr = 0.1  # trailing comment\nthis line has no equals\n");
    fclose(fp);
    credit_config c = {0};
    credit_error_clear();
    credit_config_read(&c, cfg);
    char want[1000];
    snprintf(want, sizeof want, "%s:3: expected 'key = value', got 'this line has no equals'", cfg);
    CHECK(strcmp(credit_error_message(), want) == 0, "config line without '=' names file and line", "got '%s'", credit_error_message());
    credit_config_free(&c);
    fp = fopen(cfg, "w");
    fprintf(fp, "lr = 0.1\nn = 4\nlr = 0.2\n");
    fclose(fp);
    credit_config_read(&c, cfg);
    snprintf(want, sizeof want, "%s:3: key 'lr' is already set at %s:1", cfg, cfg);
    CHECK(strcmp(credit_error_message(), want) == 0, "duplicate key in a config file", "got '%s'", credit_error_message());
    credit_config_free(&c);
    fp = fopen(cfg, "w");
    fprintf(fp, "lr = 0.1\nn = 4\n");
    fclose(fp);
    int st = credit_config_read(&c, cfg);
    st |= credit_config_assign(&c, "lr=0.5");
    CHECK(!st && strcmp(credit_config_get(&c, "lr"), "0.5") == 0 && strcmp(credit_config_get(&c, "n"), "4") == 0,
          "command line overrides the file", "lr = %s", credit_config_get(&c, "lr"));
    credit_config_free(&c);
    credit_error_clear();
    st = credit_config_read(&c, "/nonexistent/run.cfg");
    CHECK(st && strstr(credit_error_message(), "cannot open /nonexistent/run.cfg"), "missing config file is named", "got '%s'",
          credit_error_message());
    credit_config_free(&c);
}

static const char *const *tiny(const char *extra1, const char *extra2)
{
    static char pathkv[400];
    static const char *kv[16];
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
    int n = 0;
    const char *base[] = {"task=file", pathkv, "n=12", "batch=16", "lr=0.1", "eval_every=50", "progress=0", "iters=200"};
    for (size_t i = 0; i < sizeof base / sizeof *base; i++) kv[n++] = base[i];
    if (extra1) kv[n++] = extra1;
    if (extra2) kv[n++] = extra2;
    kv[n] = NULL;
    return kv;
}

/* Every malformed sequence file is refused with the file, the line and what is wrong. */
static void test_file_task_errors(void)
{
    struct { const char *name, *text, *want; } bad[] = {
        {"wrong first line", "sequences 1\n", ":1: first line must be 'credit-sequences 1'"},
        {"unknown header key", "credit-sequences 1\nn_in 1\nwidth 3\n", ":3: unknown header key 'width'"},
        {"bad loss", "credit-sequences 1\nloss hinge\n", ":2: loss 'hinge' is not mse or xent"},
        {"incomplete header", "credit-sequences 1\nn_in 1\nn_out 1\ntrain 0 0 1 0 0\n", ": the header must set n_in, n_out, T and loss"},
        {"negative sequence number", "credit-sequences 1\nn_in 1\nn_out 1\nT 1\nloss mse\ntrain -1 0 1 0 0\n",
         ":6: sequence number '-1' is not an integer"},
        {"huge sequence number", "credit-sequences 1\nn_in 1\nn_out 1\nT 1\nloss mse\ntrain 18446744073709551615 0 1 0 0\n",
         ":6: sequence number '18446744073709551615' is not an integer"},
        {"step out of range", "credit-sequences 1\nn_in 1\nn_out 1\nT 2\nloss mse\ntrain 0 2 1 0 0\n", ":6: step 2 outside 0..1"},
        {"negative mask", "credit-sequences 1\nn_in 1\nn_out 1\nT 1\nloss mse\ntrain 0 0 -1 0 0\n", ":6: mask must be a finite weight >= 0"},
        {"row twice", "credit-sequences 1\nn_in 1\nn_out 1\nT 1\nloss mse\ntrain 0 0 1 0 0\ntrain 0 0 1 0 0\n",
         ":7: train sequence 0 step 0 appears twice"},
        {"missing step", "credit-sequences 1\nn_in 1\nn_out 1\nT 2\nloss mse\ntrain 0 0 1 0 0\n", ": train sequence 0 has no row for step 1"},
        {"too few values", "credit-sequences 1\nn_in 2\nn_out 1\nT 1\nloss mse\ntrain 0 0 1 0 0\n", ":6: value 3 of 3 is missing"},
        {"too many values", "credit-sequences 1\nn_in 1\nn_out 1\nT 1\nloss mse\ntrain 0 0 1 0 0 7\n", ":6: more than 2 values"},
        {"no train rows", "credit-sequences 1\nn_in 1\nn_out 1\nT 1\nloss mse\ntest 0 0 1 0 0\n", ": no train rows"},
        {"", "", ""}, /* the terabyte header, filled below */
    };
    /* A header whose sizes claim terabytes: refused with the size before any
     * allocation (an allocator may abort on such a request; ASan's does). */
    static char huge_text[2100000];
    int hn = snprintf(huge_text, sizeof huge_text, "credit-sequences 1\nn_in 1000000\nn_out 1\nT 1000000\nloss mse\ntrain 0 0 1");
    for (int k = 0; k < 1000001; k++) huge_text[hn++] = ' ', huge_text[hn++] = '0';
    huge_text[hn++] = '\n';
    huge_text[hn] = 0;
    const size_t last = sizeof bad / sizeof *bad - 1;
    bad[last].name = "sizes of terabytes";
    bad[last].text = huge_text;
    static char huge_want[200];
    snprintf(huge_want, sizeof huge_want, ": the train split's 1 sequences of T = 1000000 steps, n_in = 1000000, n_out = 1 need %.3g GB, more than this machine's",
             1e6 * ((double)sizeof(credit_real) * (1e6 + 2) + 1) / 1e9);
    bad[last].want = huge_want;
    char path[400], pathkv[420];
    snprintf(path, sizeof path, "%s/bad_seq.txt", test_tmp());
    snprintf(pathkv, sizeof pathkv, "path=%s", path);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        FILE *fp = fopen(path, "w");
        fputs(bad[i].text, fp);
        fclose(fp);
        credit_session s;
        credit_error_clear();
        int st = test_session(&s, (const char *const[]){"task=file", pathkv, "n=4", NULL});
        credit_session_close(&s);
        char name[120], want[600];
        snprintf(name, sizeof name, "file task refuses a malformed file (%s)", bad[i].name);
        snprintf(want, sizeof want, "task file: %s%s", path, bad[i].want);
        CHECK(st && strstr(credit_error_message(), want), name, "got '%s'", credit_error_message());
    }
}

static void test_weights_and_checkpoints(void)
{
    credit_session s;
    if (!CHECK(test_session(&s, tiny(NULL, NULL)) == 0, "session opens on the file task", "%s", credit_error_message())) return;
    char wpath[400], cpath[400];
    snprintf(wpath, sizeof wpath, "%s/w.tsv", test_tmp());
    snprintf(cpath, sizeof cpath, "%s/c.bin", test_tmp());
    /* The session's own precision (float in PREC=32): the files must give
     * back exactly these values. */
    const size_t bytes = sizeof *s.theta * s.n_params;
    credit_real *copy = malloc(bytes);
    memcpy(copy, s.theta, bytes);
    int st = credit_weights_write(&s, wpath);
    memset(s.theta, 0, bytes);
    st |= credit_weights_read(&s, wpath);
    CHECK(!st && memcmp(copy, s.theta, bytes) == 0, "weights TSV round-trips exactly", "%s", credit_error_message());
    /* Its rows: every entry once, block by block in layout order, row-major. */
    char *wtext = test_slurp(test_tmp(), "w.tsv"), *wbody = test_body(wtext), *line = wbody;
    credit_params sp = credit_params_view(s.theta, &s.dims);
    const credit_real *members[] = {sp.W_in, sp.W_rec, sp.W_out, sp.b_out};
    const int shape[][2] = {{s.dims.n, s.dims.n_in}, {s.dims.n, s.dims.n}, {s.dims.n_out, s.dims.n}, {s.dims.n_out, 1}};
    const char *const wnames[] = {"W_in", "W_rec", "W_out", "b_out"};
    size_t rows_ok = 0, rows_total = 0;
    for (int m = 0; m < 4; m++)
        for (int r = 0; r < shape[m][0]; r++)
            for (int c = 0; c < shape[m][1]; c++, rows_total++) {
                char expect[160];
                int k = snprintf(expect, sizeof expect, "%s\t%d\t%d\t%.17g\n", wnames[m], r, c, members[m][(size_t)r * shape[m][1] + c]);
                if (line && strncmp(line, expect, (size_t)k) == 0) rows_ok++, line += k;
                else line = NULL;
            }
    CHECK(rows_total == s.n_params && rows_ok == rows_total && line && *line == 0, "weights TSV lists W_in, W_rec, W_out, b_out in layout order",
          "%zu of %zu rows as expected", rows_ok, rows_total);
    free(wtext);
    free(wbody);

    /* Malformed weights files. */
    struct { const char *text, *want; } bad[] = {
        {"W_in 0 0 0.5 extra\n", ":1: expected 'name row col value'"},
        {"W_hid 0 0 0.5\n", ":1: unknown matrix 'W_hid' (W_in, W_rec, W_out, b_out)"},
        {"W_rec 12 0 0.5\n", ":1: W_rec[12][0] is outside W_rec's 12 x 12 shape"},
        {"W_rec 3 3 0.5\n", ":1: W_rec[3][3] = 0.5, but self-connections are removed"},
        {"W_in 0 0 nan\n", ":1: W_in[0][0] is not finite"},
        {"W_in 0 0 1\nW_in 0 0 2\n", ":2: W_in[0][0] given twice"},
        {"W_in 0 0 1\n", ": W_in[0][1] is missing"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        FILE *fp = fopen(wpath, "w");
        fputs(bad[i].text, fp);
        fclose(fp);
        credit_error_clear();
        credit_weights_read(&s, wpath);
        char name[100];
        snprintf(name, sizeof name, "bad weights file rejected (%s)", bad[i].want + 1);
        CHECK(strstr(credit_error_message(), bad[i].want) && strstr(credit_error_message(), wpath), name, "got '%s'", credit_error_message());
    }

    /* Checkpoints: round trip, then each kind of damage. */
    memcpy(s.theta, copy, bytes);
    credit_ckpt_info info = {42, 1234, 0}, back;
    st = credit_ckpt_write(&s, cpath, &info);
    memset(s.theta, 0, bytes);
    st |= credit_ckpt_read(&s, cpath, &back);
    CHECK(!st && back.iteration == 42 && back.curve_offset == 1234 && memcmp(copy, s.theta, bytes) == 0,
          "checkpoint round-trips", "%s", credit_error_message());
    char *data;
    size_t len;
    credit_read_file(cpath, &data, &len);
    struct { const char *what; size_t at; int truncate; const char *want; } damage[] = {
        {"flipped byte", 200, 0, "is corrupt (checksum mismatch)"},
        {"truncated", 0, 1, "is corrupt: "},
        {"bad magic", 0, 0, "is not a credit checkpoint (bad magic number)"},
        {"future version", 8, 0, "checkpoint format version 4, this credit reads version 3"},
    };
    for (size_t i = 0; i < sizeof damage / sizeof *damage; i++) {
        char *copyd = malloc(len);
        memcpy(copyd, data, len);
        size_t n = len;
        if (damage[i].truncate) n = len - 100;
        else if (damage[i].at == 8) copyd[8] = 4;
        else copyd[damage[i].at] ^= 0x40;
        FILE *fp = fopen(cpath, "wb");
        fwrite(copyd, 1, n, fp);
        fclose(fp);
        free(copyd);
        credit_error_clear();
        credit_ckpt_read(&s, cpath, &back);
        char name[100];
        snprintf(name, sizeof name, "damaged checkpoint rejected (%s)", damage[i].what);
        CHECK(strstr(credit_error_message(), damage[i].want) != NULL, name, "got '%s'", credit_error_message());
    }
    free(data);
    credit_session_close(&s);

    /* A checkpoint of another config is refused. */
    int st2 = test_session(&s, tiny("lr=0.2", NULL));
    if (!st2) {
        memcpy(s.theta, copy, bytes);
        st2 = credit_ckpt_write(&s, cpath, &info);
    }
    credit_session_close(&s);
    if (!st2) st2 = test_session(&s, tiny(NULL, NULL));
    credit_error_clear();
    if (!st2) credit_ckpt_read(&s, cpath, &back);
    CHECK(!st2 && strstr(credit_error_message(), "was written with a different config") != NULL, "checkpoint of another config refused",
          "status %d, message '%s'", st2, credit_error_message());
    credit_session_close(&s);
    free(copy);
}

/* The parameter table (core/params.h) against the ABI's views, written out
 * here by hand: every block's name, offset, shape and flags, the total, and
 * the functions that loop over the table (the L2 term, weights_of, the
 * Hessian's layouts). Sides all different, so a swapped dimension shows. */
static void test_param_table(void)
{
    const credit_dims d = {.n_in = 3, .n = 5, .n_out = 2, .T = 1, .B_max = 1};
    const size_t count = 5 * 3 + 5 * 5 + 2 * 5 + 2;
    credit_real *block = calloc(count, sizeof(credit_real));
    if (!CHECK(credit_params_count(&d) == count && block, "parameter count is n*n_in + n*n + n_out*n + n_out", "%zu, want %zu",
               credit_params_count(&d), count)) { free(block); return; }
    credit_params p = credit_params_view(block, &d);
    struct {
        const char *name;
        credit_real *data;
        int rows, cols;
        unsigned flags;
    } want[] = {
        {"W_in", p.W_in, 5, 3, CREDIT_PARAM_RULE | CREDIT_PARAM_L2},
        {"W_rec", p.W_rec, 5, 5, CREDIT_PARAM_RULE | CREDIT_PARAM_L2 | CREDIT_PARAM_NO_DIAG},
        {"W_out", p.W_out, 2, 5, CREDIT_PARAM_L2},
        {"b_out", p.b_out, 2, 1, 0},
    };
    const int n_want = (int)(sizeof want / sizeof *want);
    CHECK(CREDIT_N_BLOCKS == n_want && sizeof(credit_params) == (size_t)n_want * sizeof(credit_real *) &&
              sizeof(credit_weights) == (size_t)n_want * sizeof(credit_real *),
          "the table has one block per member of credit_params and credit_weights", "%d blocks", CREDIT_N_BLOCKS);
    const credit_weights wv = credit_weights_of(&p);
    const credit_real *wmembers[] = {wv.W_in, wv.W_rec, wv.W_out, wv.b_out};
    size_t end = 0;
    for (int b = 0; b < n_want && b < CREDIT_N_BLOCKS; b++) {
        char name[80];
        snprintf(name, sizeof name, "table block %d is %s: offset, shape, flags, view", b, want[b].name);
        const size_t off = (size_t)(want[b].data - block);
        CHECK(strcmp(credit_blocks[b].name, want[b].name) == 0 && credit_block_offset(&d, b) == off && off == end &&
                  credit_block_rows(&d, b) == want[b].rows && credit_block_cols(&d, b) == want[b].cols &&
                  credit_block_size(&d, b) == (size_t)want[b].rows * want[b].cols && credit_blocks[b].flags == want[b].flags &&
                  credit_params_block(&p, b) == want[b].data && credit_weights_block(&wv, b) == want[b].data && wmembers[b] == want[b].data &&
                  credit_block_find(want[b].name) == b,
              name, "table: %s at %zu, %d x %d, flags %u (want %zu, %d x %d, flags %u)", credit_blocks[b].name, credit_block_offset(&d, b),
              credit_block_rows(&d, b), credit_block_cols(&d, b), credit_blocks[b].flags, off, want[b].rows, want[b].cols, want[b].flags);
        end = off + (size_t)want[b].rows * want[b].cols;
    }
    CHECK(end == count && credit_block_find("W_hid") == -1, "the blocks tile the flat block; an unknown name is not found", "end %zu", end);
    /* L2 membership through credit_l2 itself: all ones, l2 = 2 gives the
     * number of penalised entries, and only their gradient moves. */
    for (size_t k = 0; k < count; k++) block[k] = 1;
    credit_real *grad = calloc(count, sizeof(credit_real));
    credit_params g = credit_params_view(grad, &d);
    const double term = credit_l2(&p, &d, 2.0, &g);
    size_t touched_ok = 0;
    for (int b = 0; b < n_want; b++) {
        const credit_real expect = (want[b].flags & CREDIT_PARAM_L2) ? 2 : 0;
        size_t ok = 0, size = (size_t)want[b].rows * want[b].cols;
        for (size_t k = 0; k < size; k++) ok += credit_params_block(&g, b)[k] == expect;
        touched_ok += ok == size;
    }
    CHECK(term == 5 * 3 + 5 * 5 + 2 * 5 && touched_ok == (size_t)n_want, "L2 covers W_in, W_rec, W_out and not b_out",
          "term %g (want 50), %zu of %d blocks with the right gradient", term, touched_ok, n_want);
    free(grad);
    char names[64], rule[64];
    size_t rule_off, rule_len = credit_block_span(&d, CREDIT_PARAM_RULE, &rule_off);
    CHECK(strcmp(credit_block_names(0, ", ", names, sizeof names), "W_in, W_rec, W_out, b_out") == 0 &&
              strcmp(credit_block_names(CREDIT_PARAM_RULE, "+", rule, sizeof rule), "W_in+W_rec") == 0 && rule_off == 0 &&
              rule_len == 5 * 3 + 5 * 5,
          "a rule estimates W_in and W_rec, the layout's prefix", "'%s', '%s', offset %zu, length %zu", names, rule, rule_off, rule_len);
    size_t off_rec = 1, off_all = 1;
    const size_t dim_rec = credit_hessian_layout(&d, 0, &off_rec), dim_all = credit_hessian_layout(&d, 1, &off_all);
    CHECK(dim_rec == 25 && off_rec == (size_t)(p.W_rec - block) && dim_all == count && off_all == 0,
          "Hessian vectors: hessian_params=rec is the W_rec block, all the whole layout", "rec %zu at %zu, all %zu at %zu", dim_rec, off_rec,
          dim_all, off_all);
    free(block);
}

static void test_batches(void)
{
    credit_session s;
    if (!CHECK(test_session(&s, tiny(NULL, NULL)) == 0, "session opens for the batch checks", "%s", credit_error_message())) {
        credit_session_close(&s);
        return;
    }
    /* 64 examples, batch 16: iterations 0..3 are one epoch, a permutation. */
    uint64_t idx[64], again[16];
    for (int k = 0; k < 4; k++) credit_session_batch_index(&s, k, idx + 16 * k, 16);
    int seen[64] = {0}, ok = 1;
    for (int i = 0; i < 64; i++) ok &= idx[i] < 64 && !seen[idx[i]]++;
    CHECK(ok, "an epoch of batches is a permutation of the training set", "%s", "repeat or out of range");
    credit_session_batch_index(&s, 9, again, 16); /* jump ahead, then back */
    credit_session_batch_index(&s, 1, again, 16);
    CHECK(memcmp(again, idx + 16, sizeof again) == 0, "batch k depends on k alone", "%s", "batch 1 changed");
    credit_session_close(&s);
}

static void test_training(void)
{
    for (int mse = 0; mse < 2; mse++) {
        credit_session s;
        char pathkv[400];
        snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(mse));
        const char *kv[] = {"task=file", pathkv, "n=16", "batch=16", "lr=0.05", "progress=0", "leak=0.5", NULL};
        if (!CHECK(test_session(&s, kv) == 0, "session opens", "%s", credit_error_message())) continue;
        double before, acc, after, loss, l2;
        credit_session_evaluate(&s, CREDIT_SPLIT_TRAIN, &before, &acc);
        for (long k = 0; k < 300; k++) {
            credit_session_batch_index(&s, k, s.index, 16);
            credit_session_batch(&s, CREDIT_SPLIT_TRAIN, s.index, 16, &loss, NULL, NULL);
            credit_session_gradient(&s, 0, &l2);
            credit_session_update(&s, credit_session_lr(&s, k));
        }
        credit_session_evaluate(&s, CREDIT_SPLIT_TRAIN, &after, &acc);
        char name[100];
        snprintf(name, sizeof name, "bptt training lowers the %s loss of the file task", mse ? "mse" : "xent");
        CHECK(after < 0.7 * before, name, "train loss %.4g -> %.4g", before, after);
        credit_session_close(&s);
    }
}

/* init_rec_var scales W_rec alone, and exactly: sqrt(v/4 / n) = sqrt(v/n)/2 in
 * IEEE arithmetic, so a quarter of the variance halves every entry bit for bit. */
static void test_init_scale(void)
{
    credit_session a, b;
    int st = test_session(&a, tiny(NULL, NULL));
    int st2 = test_session(&b, tiny("init_rec_var=0.5", NULL));
    if (CHECK(!st && !st2, "sessions open with the default and a smaller init_rec_var", "%s", credit_error_message())) {
        credit_params pa = credit_params_view(a.theta, &a.dims), pb = credit_params_view(b.theta, &b.dims);
        size_t nn = (size_t)a.dims.n * a.dims.n, bad = 0;
        for (size_t k = 0; k < nn; k++) bad += pb.W_rec[k] != 0.5 * pa.W_rec[k];
        size_t rest = a.n_params - nn - (size_t)a.dims.n * a.dims.n_in;
        int others = memcmp(pa.W_in, pb.W_in, sizeof *pa.W_in * a.dims.n * a.dims.n_in) == 0 &&
                     memcmp(pa.W_out, pb.W_out, sizeof *pa.W_out * rest) == 0;
        CHECK(bad == 0 && others, "init_rec_var=0.5 halves W_rec exactly and leaves the other weights",
              "%zu W_rec entries differ, other blocks %s", bad, others ? "equal" : "differ");
    }
    credit_session_close(&a);
    credit_session_close(&b);
    /* The variance itself, on a matrix large enough to see it (6 standard errors). */
    credit_dims d = {.n_in = 3, .n = 300, .n_out = 2, .T = 1, .B_max = 1};
    credit_real *block = calloc(credit_params_count(&d), sizeof(credit_real));
    credit_rng rng;
    credit_rng_seed(&rng, 7, 1);
    credit_params_init(block, &d, 1.0, &rng);
    credit_params p = credit_params_view(block, &d);
    double sq = 0, diag = 0;
    for (int i = 0; i < d.n; i++)
        for (int j = 0; j < d.n; j++) {
            double w = p.W_rec[(size_t)i * d.n + j];
            if (i == j) diag += fabs(w); else sq += w * w;
        }
    double m = (double)d.n * (d.n - 1), var_n = sq / m * d.n;
    CHECK(diag == 0 && fabs(var_n - 1) < 6 * sqrt(2.0 / m), "W_rec entries have variance init_rec_var / n, zero diagonal",
          "n * variance %g (want 1), |diagonal| %g", var_n, diag);
    free(block);
}

void test_core(void)
{
    test_init_scale();
    test_rng();
    test_config();
    test_file_task_errors();
    test_param_table();
    test_weights_and_checkpoints();
    test_batches();
    test_training();
}
