/* test_defects2.c - the second hostile test's defects (issue 22) that live
 * outside the pipeline test: the raw-run reader's numbers (N2), closed
 * standard fds (N4), a RESULTS path with a blank (N5), a build without the
 * Debian packages, credit curvature's --out after a key, a dangling plugin
 * file; in the trainer: Adam's moments (N1), the config reader's speed and
 * long paths (N6, N7), curvature files of an unfinished run (N8), a
 * checkpoint that disagrees with its curve (D16), and the messages. The
 * damaged reference (N2, N8) and the full-disk figures (N3) are in
 * tests/test_pipeline.c, the crash and fault sweeps in tests/test_crash.c,
 * the double build's refusal of a PREC=32 checkpoint in tests/test_plugins.c. */
#define _GNU_SOURCE
#include "test.h"
#include "config.h"
#include "util.h"
#include "../figures/tsv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the trainer writes is a number; a prefix, blanks, hex or words it
 * never writes are not. */
static void test_numbers(void)
{
    const char *good[] = {"0.96789999999999998", "-3", "1e-05", "2.5807476e+10", "6.7078194e+198", "0", "10000", "nan", "-nan", "inf", "-inf"};
    const char *bad[] = {"0.96789999999999998junk", "", " 1", "1 ", "0x1p3", "infinity", "nanx", "1.5.2e", "e", "-", "abc", "1,5"};
    int ok = 1;
    double v;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (tsv_parse_num(good[i], &v)) ok = CHECK(0, "N2: the reader takes every number the trainer writes", "'%s' refused", good[i]);
    if (ok) CHECK(1, "N2: the reader takes every number the trainer writes", "%s", "");
    ok = 1;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (!tsv_parse_num(bad[i], &v)) ok = CHECK(0, "N2: the reader refuses a field that is not wholly a number", "'%s' taken as %g", bad[i], v);
    if (ok) CHECK(1, "N2: the reader refuses a field that is not wholly a number", "%s", "");
    CHECK(tsv_parse_num("-inf", &v) == 0 && isinf(v) && v < 0 && tsv_parse_num("nan", &v) == 0 && isnan(v) && isnan(tsv_num("1junk")),
          "N2: nan and -inf read as themselves; tsv_num of junk is NaN, not its prefix", "%g", v);
}

/* `credit train ... >&- 2>&-`: the output files must not take fds 1 and 2
 * (with stdin closed too, the first file took fd 0 and nothing showed). */
static void test_closed_fds(const char *tmp)
{
    const char *args = "task=dms n=8 batch=8 train_size=16 valid_size=8 test_size=16 iters=50 eval_every=10";
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "{ T=%s; rm -rf $T/fd_open $T/fd_closed && %s/bin/credit train %s out=$T/fd_open > /dev/null 2>&1 && "
             "%s/bin/credit train %s out=$T/fd_closed >&- 2>&-; echo rc=$?; cmp $T/fd_open/curve.tsv $T/fd_closed/curve.tsv && "
             "cmp $T/fd_open/metrics.tsv $T/fd_closed/metrics.tsv && cmp $T/fd_open/checkpoint.bin $T/fd_closed/checkpoint.bin && echo SAME; }",
             tmp, test_root(), args, test_root(), args);
    test_run(cmd, &out);
    CHECK(out && strstr(out, "rc=0") && strstr(out, "SAME"), "N4: with stdout and stderr closed, the run's files are those of a normal run",
          "%.600s", out ? out : "");
    free(out);
    /* the progress line (progress=1, the default) is nowhere in the files */
    snprintf(cmd, sizeof cmd, "! grep -l 'it/s' %s/fd_closed/*.tsv", tmp);
    CHECK(test_run(cmd, &out) == 0, "N4: no progress line in curve.tsv or metrics.tsv", "%.300s", out ? out : "");
    free(out);
}

/* `credit curvature RUN key=v --out=NAME`: --out anywhere after RUN_DIR. */
static void test_curvature_out(const char *tmp)
{
    char *out = NULL, dir[600], path[800];
    snprintf(dir, sizeof dir, "%s/fd_open", tmp);
    int rc = test_credit(&out, "curvature %s hessian_k=2 --out=late.tsv", dir);
    snprintf(path, sizeof path, "%s/late.tsv", dir);
    CHECK(rc == 0 && access(path, F_OK) == 0, "messages: credit curvature takes --out after a key", "exit %d: %.400s", rc, out ? out : "");
    free(out);
    rc = test_credit(&out, "curvature %s --out=curvature_density.tsv", dir);
    CHECK(rc == 2 && out && strstr(out, "curvature_density.tsv") && strstr(out, "hessian_density"),
          "messages: credit curvature refuses --out=curvature_density.tsv (hessian_density's output)", "exit %d: %.400s", rc, out ? out : "");
    free(out);
}

/* make with a RESULTS that holds a blank refuses before running anything:
 * clean-runs once removed the part before the blank. */
static void test_results_blank(const char *tmp)
{
    char cmd[3000], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "{ mkdir -p %s/n5keep && echo sentinel > %s/n5keep/keep.txt && "
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory clean-runs PROFILE=smoke 'RESULTS=%s/n5keep n5stray'; echo rc=$?; "
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory figures PROFILE=smoke 'RESULTS=%s/n5keep n5stray'; echo rc=$?; "
             "[ -f %s/n5keep/keep.txt ] && echo KEPT; [ -e n5stray ] && echo STRAY; }",
             tmp, tmp, tmp, tmp, tmp);
    test_run(cmd, &out);
    CHECK(out && !strstr(out, "rc=0") && strstr(out, "KEPT") && !strstr(out, "STRAY") && strstr(out, "without blanks"),
          "N5: a RESULTS path with a blank is refused by clean-runs and figures; nothing is removed or created", "%.800s", out ? out : "");
    free(out);
}

/* A first `make` on a machine without the Debian packages names make deps
 * instead of failing in the compiler (a compiler that finds no system
 * header stands in for the missing packages). */
static void test_no_packages(const char *tmp)
{
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "{ rm -rf %s/nodeps && mkdir -p %s/nodeps && cp -r Makefile mk core rules tasks figures tests %s/nodeps/ && "
             "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -C %s/nodeps 'CC=cc -nostdinc'; echo rc=$?; }",
             tmp, tmp, tmp, tmp);
    test_run(cmd, &out);
    CHECK(out && !strstr(out, "rc=0") && strstr(out, "make deps") && strstr(out, "apt-get") && !strstr(out, "error:"),
          "set-up: make without the packages' headers stops naming make deps, before any compiler error", "%.800s", out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s/nodeps", tmp);
    test_run(cmd, NULL);
}

/* A dangling link named X.so on the plugin path is no rule to offer. */
static void test_dangling_plugin(const char *tmp)
{
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd, "{ mkdir -p %s/dangling && ln -sf %s/nowhere.so %s/dangling/dangling.so && mkdir -p %s/dangling/dir.so && "
             "CREDIT_RULE_PATH=%s/dangling %s/bin/credit train rule=nosuch task=dms; }", tmp, tmp, tmp, tmp, tmp, test_root());
    int rc = test_run(cmd, &out);
    CHECK(rc == 1 && out && strstr(out, "unknown rule 'nosuch'") && strstr(out, "bptt") && !strstr(out, "dangling,") && !strstr(out, "dir,"),
          "messages: a dangling X.so or a directory named X.so on CREDIT_RULE_PATH is not listed as a rule", "exit %d: %.500s", rc, out ? out : "");
    free(out);
}

enum { N6_KEYS = 100000 };
#define DMS "task=dms n=8 batch=8 train_size=16 valid_size=8 test_size=16 progress=0"

/* N1: Adam's second moment overflows while the parameters stay finite. */
static void test_adam_moments(const char *tmp)
{
    char *out = NULL, *m;
    int rc = test_credit(&out, "train " DMS " optimizer=adam init_rec_var=1e16 iters=3 eval_every=1 out=%s/n1", tmp);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/n1", tmp);
    m = test_slurp(dir, "metrics.tsv");
    CHECK(rc == 3 && m && strstr(m, "status\tdiverged"), "N1: an Adam run whose second moment overflows ends diverged (exit 3)",
          "exit %d: %.300s", rc, out ? out : "");
    free(out);
    free(m);
    rc = test_credit(&out, "curvature %s", dir);
    CHECK(rc == 3 && out && strstr(out, "diverged run: nothing to measure"), "N1: credit curvature of it says diverged, not corrupt",
          "exit %d: %.300s", rc, out ? out : "");
    free(out);
}

/* N6: reading 100,000 keys is linear (a linear search per key took 40 s
 * for 100,000); the first unknown key is then named. N7: a duplicate key
 * is caught whatever the length of the config's path. */
static void test_config_reader(const char *tmp)
{
    char path[2000];
    snprintf(path, sizeof path, "%s/n6.cfg", tmp);
    FILE *fp = fopen(path, "w");
    fputs("task = dms\n", fp);
    for (int i = 0; i < N6_KEYS; i++) fprintf(fp, "k%d = %d\n", i, i);
    fclose(fp);
    credit_config c = {0};
    double t0 = credit_now();
    int st = credit_config_read(&c, path);
    double dt = credit_now() - t0;
    char last[32];
    snprintf(last, sizeof last, "k%d", N6_KEYS - 1);
    const char *v = credit_config_get(&c, last);
    CHECK(!st && c.n == N6_KEYS + 1 && v && atoi(v) == N6_KEYS - 1 && !credit_config_get(&c, "k") &&
              dt < 10,
          "N6: 100,000 config keys are read in linear time and all found", "status %d, %zu keys, %.1f s", st, c.n, dt);
    credit_config_free(&c);
    char *out = NULL;
    int rc = test_credit(&out, "train %s " DMS " out=%s/n6", path, tmp);
    CHECK(rc == 1 && out && strstr(out, "n6.cfg:2: unknown key 'k0'"), "N6: the first unknown key of a large config is named",
          "exit %d: %.200s", rc, out ? out : "");
    free(out);

    char dir[1600], cmd[3500];
    int n = snprintf(dir, sizeof dir, "%s", tmp);
    for (int i = 0; i < 6; i++) n += snprintf(dir + n, sizeof dir - (size_t)n, "/%0200d", i);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && printf 'task = dms\\nlr = 0.5\\nlr = 0.7\\n' > %s/dup.cfg", dir, dir);
    test_run(cmd, NULL);
    rc = test_credit(&out, "train %s/dup.cfg " DMS " iters=3 out=%s/n7", dir, tmp);
    CHECK(rc == 1 && out && strstr(out, "dup.cfg:3: key 'lr' is already set at") && strstr(out, "dup.cfg:2"),
          "N7: a duplicate key in a config with a 1,200-character path is refused", "exit %d: %.3000s", rc, out ? out : "");
    free(out);
}

/* A run killed after its checkpoint at iteration 30 (of 50), in tmp/NAME. */
static int killed_run(const char *tmp, const char *name)
{
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf %s/%s; { CREDIT_CRASH_AT=30 %s/bin/credit train " DMS " iters=50 eval_every=10 out=%s/%s; } 2> /dev/null; "
             "[ -f %s/%s/checkpoint.bin ] && [ ! -f %s/%s/metrics.tsv ] && echo KILLED", tmp, name, test_root(), tmp, name, tmp, name, tmp, name);
    test_run(cmd, &out);
    int ok = out && strstr(out, "KILLED");
    free(out);
    return CHECK(ok, "a run killed after a checkpoint, for N8 and D16", "%s/%s", tmp, name);
}

/* N8: curvature measured on an unfinished run does not survive the resume
 * (or the fresh start) that finishes it. */
static void test_stale_curvature(const char *tmp)
{
    if (!killed_run(tmp, "n8")) return;
    char cmd[3000], *out = NULL;
    snprintf(cmd, sizeof cmd, "d=%s/n8; %s/bin/credit curvature $d hessian_k=2 > /dev/null && grep -c 'iteration 30' $d/curvature_final.tsv && "
             "echo args > $d/curvature_final.args && %s/bin/credit train " DMS " iters=50 eval_every=10 out=$d resume=1; echo rc=$?; ls $d",
             tmp, test_root(), test_root());
    test_run(cmd, &out);
    CHECK(out && strstr(out, "1\nrc=0") && strstr(out, "metrics.tsv") && !strstr(out, "curvature_final"),
          "N8: a resume removes curvature_final.tsv and .args measured before it", "%.400s", out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd, "d=%s/n8; echo x > $d/curvature_final.tsv && echo x > $d/curvature_final.args && "
             "%s/bin/credit train " DMS " iters=50 eval_every=10 out=$d; echo rc=$?; ls $d", tmp, test_root());
    test_run(cmd, &out);
    CHECK(out && strstr(out, "rc=0") && !strstr(out, "curvature_final"), "N8: a fresh start removes curvature_final.tsv and .args too",
          "%.400s", out ? out : "");
    free(out);
}

/* D16: a checkpoint whose iteration is not the curve's (a checksum-valid
 * header rewrite) is refused by resume=1, naming the file. */
static void test_ckpt_curve(const char *tmp)
{
    if (!killed_run(tmp, "d16")) return;
    char path[1200];
    snprintf(path, sizeof path, "%s/d16/checkpoint.bin", tmp);
    char *data = NULL;
    size_t len = 0;
    if (!CHECK(credit_read_file(path, &data, &len) == 0 && len > 40, "D16: the checkpoint can be read", "%s", path)) return;
    uint64_t it = 5, sum; /* header: magic[8], version, optimizer (u32), config hash, iteration (u64) */
    memcpy(data + 24, &it, 8);
    sum = credit_fnv1a(data, len - 8, CREDIT_FNV_INIT);
    memcpy(data + len - 8, &sum, 8);
    FILE *fp = fopen(path, "wb");
    fwrite(data, 1, len, fp);
    fclose(fp);
    free(data);
    char *out = NULL;
    int rc = test_credit(&out, "train " DMS " iters=50 eval_every=10 out=%s/d16 resume=1", tmp);
    CHECK(rc == 1 && out && strstr(out, "d16/curve.tsv.part: the row before the checkpoint's curve offset") && strstr(out, "is iteration 29") &&
              strstr(out, "at iteration 5"),
          "D16: a checkpoint whose iteration disagrees with its curve is refused, naming curve.tsv.part", "exit %d: %.400s", rc, out ? out : "");
    free(out);
}

/* The cosmetic list: what each message says. */
static void test_messages(const char *tmp)
{
    char *out = NULL;
    int rc = test_credit(&out, "train " DMS " lr=0.1x iters=3 out=%s/msg", tmp);
    CHECK(rc == 1 && out && strstr(out, "lr = '0.1x' is not valid") && strstr(out, "('x' follows the number)") && !strstr(out, "hexadecimal"),
          "messages: lr=0.1x names the trailing characters, not hexadecimal", "exit %d: %.300s", rc, out ? out : "");
    free(out);
    rc = test_credit(&out, "train " DMS " 'n=8 ' iters=3 out=%s/msg", tmp);
    CHECK(rc == 1 && out && strstr(out, "without blanks around it"), "messages: a number with a trailing blank is refused, naming blanks",
          "exit %d: %.300s", rc, out ? out : "");
    free(out);
    rc = test_credit(&out, "train " DMS " 'lr= 0.1' iters=3 out=%s/msg", tmp);
    CHECK(rc == 1 && out && strstr(out, "without blanks around it"), "messages: a number with a leading blank is refused as well",
          "exit %d: %.300s", rc, out ? out : "");
    free(out);
    rc = test_credit(&out, "keys");
    CHECK(rc == 0 && out && strstr(out, "eval_chunk") && !strstr(out, "memory only") && strstr(out, "last bits"),
          "messages: eval_chunk's help says it changes the metrics' last bits", "exit %d", rc);
    free(out);

    /* file task: a quoted line holds no line break; the size bound is named */
    char path[1200], cmd[3000];
    snprintf(path, sizeof path, "%s/msg_v.txt", tmp);
    snprintf(cmd, sizeof cmd, "sed '1s/.*/credit-sequences 12/' %s > %s", test_seq_file(0), path);
    test_run(cmd, NULL);
    rc = test_credit(&out, "train task=file path=%s n=4 batch=4 iters=1 progress=0 out=%s/msg", path, tmp);
    CHECK(rc == 1 && out && strstr(out, "'credit-sequences 12' is not format version 1"), "messages: the file task quotes a line without its line break",
          "exit %d: %.300s", rc, out ? out : "");
    free(out);
    snprintf(cmd, sizeof cmd, "sed 's/^T .*/T 2000000000/' %s > %s", test_seq_file(0), path);
    test_run(cmd, NULL);
    rc = test_credit(&out, "train task=file path=%s n=4 batch=4 iters=1 progress=0 out=%s/msg", path, tmp);
    CHECK(rc == 1 && out && strstr(out, "T must be an integer in 1..1000000, got '2000000000'"), "messages: the file task names T's bound",
          "exit %d: %.300s", rc, out ? out : "");
    free(out);

    /* weights TSV: a NUL byte is named as such, not as a missing entry */
    snprintf(cmd, sizeof cmd, "{ rm -rf %s/msg_w && %s/bin/credit train " DMS " iters=2 eval_every=1 out=%s/msg_w > /dev/null 2>&1 && "
             "head -c 300 %s/msg_w/weights.tsv > %s/msg_w.tsv && printf 'W_in\\0001 0 0.5\\n' >> %s/msg_w.tsv && "
             "tail -c +301 %s/msg_w/weights.tsv >> %s/msg_w.tsv; "
             "%s/bin/credit train " DMS " weights=%s/msg_w.tsv iters=2 out=%s/msg; }",
             tmp, test_root(), tmp, tmp, tmp, tmp, tmp, tmp, test_root(), tmp, tmp);
    rc = test_run(cmd, &out);
    CHECK(rc == 1 && out && strstr(out, "msg_w.tsv:") && strstr(out, "contains a NUL byte") && !strstr(out, "missing"),
          "messages: a NUL byte in a weights TSV is named, with its line", "exit %d: %.300s", rc, out ? out : "");
    free(out);
}

void test_defects2(void)
{
    const char *tmp = test_tmp();
    test_numbers();
    test_closed_fds(tmp);
    test_curvature_out(tmp);
    test_results_blank(tmp);
    test_no_packages(tmp);
    test_dangling_plugin(tmp);
    test_adam_moments(tmp);
    test_config_reader(tmp);
    test_stale_curvature(tmp);
    test_ckpt_curve(tmp);
    test_messages(tmp);
}
