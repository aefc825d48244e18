/* test_reliability.c - the defects a hostile test found (issue 11, D1-D18
 * and threads): each provoked through bin/credit, with its message and exit
 * status checked. The crash-point test is tests/test_crash.c. */
#define _GNU_SOURCE
#include "test.h"
#include "train.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* `credit ARGS` with an environment prefix; the exit status as the shell
 * reports it (128 + signal for a crash), output in *out. */
static int run(char **out, const char *env, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char **out, const char *env, const char *fmt, ...)
{
    char args[12000], cmd[13000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "{ %s %s/bin/credit %s; echo \"exit=$?\"; }", env ? env : "", test_root(), args);
    char *text = NULL;
    test_run(cmd, &text);
    int rc = -1;
    char *at = text ? strstr(text, "exit=") : NULL;
    if (at) {
        for (char *next; (next = strstr(at + 1, "exit="));) at = next;
        rc = atoi(at + 5);
        *at = 0;
    }
    if (out) *out = text;
    else free(text);
    return rc;
}

static int same(const char *a, const char *b, const char *file)
{
    char pa[1200], pb[1200];
    snprintf(pa, sizeof pa, "%s/%s", a, file);
    snprintf(pb, sizeof pb, "%s/%s", b, file);
    return test_files_equal(pa, pb);
}

static int run_same(const char *a, const char *b)
{
    return same(a, b, "curve.tsv") && same(a, b, "weights.tsv") && same(a, b, "metrics.tsv") && same(a, b, "checkpoint.bin");
}

static void write_text(const char *path, const char *text, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(text, 1, n, fp);
        fclose(fp);
    }
}

/* CHECK on a command's exit status and a piece of its message. */
static void expect(int rc, char *out, int want_rc, const char *want, const char *name)
{
    CHECK(rc == want_rc && out && strstr(out, want), name, "exit %d (want %d), output: %.600s", rc, want_rc, out ? out : "");
    free(out);
}

#define RUNCFG "task=file n=6 batch=8 lr=0.05 iters=40 eval_every=10 checkpoint_every=10 progress=0"

static void test_run_dir(const char *tmp, const char *seq)
{
    char a[600], b[600], path[1300], *out;
    int rc;
    snprintf(a, sizeof a, "%s/rel_a", tmp);
    rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s", seq, a);
    expect(rc, out, 0, "", "reference run for the reliability tests");

    /* D2: the last update diverges: recorded as diverged, exit 3. */
    snprintf(b, sizeof b, "%s/rel_d2", tmp);
    rc = run(&out, NULL, "train task=dms n=8 batch=8 train_size=16 valid_size=8 test_size=16 progress=0 eval_every=10 lr=1e6 iters=2 out=%s", b);
    char *m = test_slurp(b, "metrics.tsv");
    CHECK(rc == 3 && m && strstr(m, "status\tdiverged") && out && strstr(out, "non-finite at iteration 2"),
          "D2: divergence on the final update is recorded as diverged, exit 3", "exit %d: %s / %s", rc, out, m ? m : "(no metrics)");
    free(m);
    free(out);

    /* D3: a second process is kept out of a directory in use. */
    snprintf(b, sizeof b, "%s/rel_d3", tmp);
    mkdir(b, 0777);
    int lock;
    credit_lock_dir(b, &lock);
    rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s", seq, b);
    credit_unlock_dir(lock);
    expect(rc, out, 1, "is in use: another credit process holds its lock", "D3: a run directory in use by another process is refused");
    snprintf(path, sizeof path, "%s/config.txt", b);
    CHECK(access(path, F_OK) != 0, "D3: the refused run wrote nothing", "%s exists", path);

    /* D4: a curve.tsv.part shorter than its checkpoint expects. */
    /* Long enough (about 0.5 s) to be killed soon after its first checkpoint. */
    const char *longcfg = "task=file n=6 batch=8 lr=0.05 iters=12000 eval_every=100 checkpoint_every=20 progress=0";
    char longargs[1200], ref[600];
    snprintf(longargs, sizeof longargs, "%s path=%s", longcfg, seq);
    snprintf(ref, sizeof ref, "%s/rel_long_ref", tmp);
    rc = run(NULL, NULL, "train %s out=%s", longargs, ref);
    snprintf(b, sizeof b, "%s/rel_d4", tmp);
    int killed = test_train_killed(longargs, b);
    snprintf(path, sizeof path, "%s/curve.tsv.part", b);
    if (truncate(path, 300) != 0) killed = 0;
    rc = run(&out, NULL, "train %s out=%s resume=1", longargs, b);
    CHECK(killed && rc == 1 && out && strstr(out, "shorter than the") && strstr(out, "the file lost data"),
          "D4: resume refuses a curve.tsv.part shorter than the checkpoint expects", "killed %d exit %d: %s", killed, rc, out);
    free(out);
    rc = run(&out, NULL, "train %s out=%s resume=auto", longargs, b);
    CHECK(killed && rc == 0 && out && strstr(out, "restart ") && strstr(out, "shorter than the") && run_same(ref, b),
          "D4: resume=auto restarts it, with one line saying why, and ends bit-identical", "exit %d: %s", rc, out);
    free(out);

    /* D16: fields of a checkpoint with a valid checksum are range-checked. */
    credit_session s;
    char pathkv[700];
    snprintf(pathkv, sizeof pathkv, "path=%s", seq);
    const char *kv[] = {"task=file", pathkv, "n=6", "batch=8", "lr=0.05", "iters=40", "eval_every=10", "checkpoint_every=10", NULL};
    int st = test_session(&s, kv);
    CHECK(st == 0, "D16: session for crafted checkpoints", "%s", credit_error_message());
    struct { const char *what; long iteration; uint64_t offset; int status; const char *want; } craft[] = {
        {"negative iteration", -10, 100, CREDIT_CKPT_RUNNING, "its iteration is out of range"},
        {"iteration past iters", 41, 100, CREDIT_CKPT_RUNNING, "its iteration is out of range"},
        {"unknown status", 10, 100, 9, "its status is out of range"},
        {"curve offset of 1e12, no sparse file grown", 10, 1000000000000ull, CREDIT_CKPT_RUNNING, "shorter than the 1000000000000"},
        {"curve offset of 2^60", 10, 1ull << 60, CREDIT_CKPT_RUNNING, "its curve offset is out of range"},
        {"curve offset past the end", 10, 1000000, CREDIT_CKPT_RUNNING, "shorter than the"},
        {"curve offset mid-line", 10, 0, CREDIT_CKPT_RUNNING, "is not at the start of a line"},
    };
    char *curve = test_slurp(a, "curve.tsv");
    char *line10 = curve ? strstr(curve, "\n10\t") : NULL;
    for (size_t i = 0; !st && i < sizeof craft / sizeof *craft; i++) {
        snprintf(b, sizeof b, "%s/rel_d16_%zu", tmp, i);
        mkdir(b, 0777);
        char cmd[3000];
        snprintf(cmd, sizeof cmd, "cp %s/config.txt %s/; head -c %ld %s/curve.tsv > %s/curve.tsv.part", a, b,
                 line10 ? (long)(line10 - curve) + 1 : 0L, a, b);
        test_run(cmd, NULL);
        credit_ckpt_info info = {craft[i].iteration, craft[i].offset, craft[i].status};
        if (!craft[i].offset) info.curve_offset = line10 ? (uint64_t)(line10 - curve) - 5 : 5;
        snprintf(path, sizeof path, "%s/checkpoint.bin", b);
        credit_ckpt_write(&s, path, &info);
        rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s resume=1", seq, b);
        char name[200];
        snprintf(name, sizeof name, "D16: a crafted checkpoint is refused (%s)", craft[i].what);
        snprintf(path, sizeof path, "%s/curve.tsv.part", b);
        struct stat sb;
        if (stat(path, &sb) != 0 || sb.st_size > 100000) rc = -2; /* the part file was extended */
        expect(rc, out, 1, craft[i].want, name);
    }
    free(curve);

    /* D16: a task's sizes are bounded too. */
    char tenv[800];
    snprintf(tenv, sizeof tenv, "CREDIT_TASK_PATH=%s/bad", test_build());
    rc = run(&out, tenv, "train task=hugetask n=4 batch=2 iters=1 progress=0 out=%s/rel_huge", tmp);
    expect(rc, out, 1, "task hugetask reported 4611686018427387904 examples in split 2, more than the", "D16: a task declaring 2^62 examples is refused");

    /* D15: NaN parameters in a checkpoint are refused on load. */
    if (!st) {
        snprintf(b, sizeof b, "%s/rel_d15", tmp);
        mkdir(b, 0777);
        s.theta[3] = NAN;
        credit_ckpt_info info = {10, 100, CREDIT_CKPT_RUNNING};
        snprintf(path, sizeof path, "%s/checkpoint.bin", b);
        credit_ckpt_write(&s, path, &info);
        rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s resume=1", seq, b);
        expect(rc, out, 1, "holds non-finite parameters", "D15: a checkpoint with NaN parameters is refused on load");
    }
    credit_session_close(&s);
    char env[800];
    snprintf(env, sizeof env, "CREDIT_RULE_PATH=%s/bad", test_build());
    snprintf(b, sizeof b, "%s/rel_d15b", tmp);
    rc = run(&out, env, "train " RUNCFG " rule=nangrad path=%s out=%s", seq, b);
    m = test_slurp(b, "metrics.tsv");
    CHECK(rc == 3 && m && strstr(m, "status\tdiverged") && strstr(m, "iterations\t1\n"),
          "D15: NaN parameters from a rule (loss still finite) end the run as diverged, exit 3", "exit %d: %s / %s", rc, out,
          m ? m : "(no metrics)");
    free(m);
    free(out);

    /* D1 and resume=auto: a corrupt checkpoint or a changed config restarts. */
    snprintf(b, sizeof b, "%s/rel_auto", tmp);
    killed = test_train_killed(longargs, b);
    snprintf(path, sizeof path, "%s/checkpoint.bin", b);
    FILE *fp = fopen(path, "r+b");
    if (fp) {
        fseek(fp, 100, SEEK_SET);
        fputc(0x5a, fp);
        fclose(fp);
    }
    rc = run(&out, NULL, "train %s out=%s resume=1", longargs, b);
    expect(rc, out, 1, "is corrupt", "D1: resume=1 refuses a corrupt checkpoint");
    rc = run(&out, NULL, "train %s out=%s resume=auto", longargs, b);
    CHECK(killed && rc == 0 && out && strstr(out, "restart ") && strstr(out, "is corrupt (checksum mismatch)") && run_same(ref, b),
          "D1: resume=auto restarts a directory with a corrupt checkpoint, bit-identical", "exit %d: %s", rc, out);
    free(out);
    rc = run(&out, NULL, "train %s out=%s resume=auto lr=0.06", longargs, b);
    CHECK(rc == 0 && out && strstr(out, "restart ") && strstr(out, "different config"), "resume=auto restarts a finished run of another config",
          "exit %d: %s", rc, out);
    free(out);
    rc = run(&out, NULL, "train %s out=%s resume=auto lr=0.06", longargs, b);
    expect(rc, out, 0, "complete already", "resume=auto leaves a finished run of the same config alone");

    /* D11: a fresh run removes every output of an earlier one. */
    snprintf(b, sizeof b, "%s/rel_d11", tmp);
    mkdir(b, 0777);
    const char *old[] = {"curvature_density.tsv", "curvature_slq.tsv", "curvature_final.tsv"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", b, old[i]);
        write_text(path, "# seed 99\n", 10);
    }
    rc = run(NULL, NULL, "train " RUNCFG " path=%s out=%s", seq, b);
    int left = 0;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", b, old[i]);
        left += access(path, F_OK) == 0;
    }
    CHECK(rc == 0 && left == 0, "D11: a fresh run removes the earlier run's curvature_density.tsv and curvature_slq.tsv", "exit %d, %d left",
          rc, left);

    /* D12: a file-size limit is a write error with errno's text. */
    snprintf(b, sizeof b, "%s/rel_d12", tmp);
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "{ bash -c 'ulimit -f 8; exec %s/bin/credit train %s out=%s'; echo \"exit=$?\"; }", test_root(), longargs, b);
    test_run(cmd, &out);
    CHECK(out && strstr(out, "File too large") && strstr(out, "exit=1"), "D12: a file-size limit gives a message with errno's text, exit 1",
          "%s", out);
    free(out);

    /* D18: a run first killed before its first checkpoint records resume = 0. */
    snprintf(b, sizeof b, "%s/rel_d18r", tmp);
    rc = run(NULL, NULL, "train " RUNCFG " path=%s out=%s resume=1", seq, b);
    char *c = test_slurp(b, "config.txt");
    CHECK(rc == 0 && run_same(a, b) && c && strstr(c, "\nresume = 0\n"), "D18: config.txt does not depend on the resume= a run was started with",
          "exit %d", rc);
    free(c);
    /* An out= too long for its files is refused before anything is created. */
    char *longdir = malloc(6000);
    int n = snprintf(longdir, 6000, "%s/rel_d18long/", tmp);
    for (; n < 5000; n++) longdir[n] = (n % 100) ? 'x' : '/';
    longdir[n] = 0;
    rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s", seq, longdir);
    snprintf(path, sizeof path, "%s/rel_d18long", tmp);
    CHECK(rc == 1 && out && strstr(out, "characters long; a run directory may have at most") && access(path, F_OK) != 0,
          "D18: an over-long out= is refused before anything is created", "exit %d: %.300s", rc, out);
    free(out);
    free(longdir);

    /* threads above the cores: clamped, said once, recorded. */
    snprintf(b, sizeof b, "%s/rel_threads", tmp);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s threads=256", seq, b);
    c = test_slurp(b, "config.txt");
    char want[100];
    snprintf(want, sizeof want, "\nthreads = %ld\n", cores);
    CHECK(cores >= 256 || (rc == 0 && out && strstr(out, "threads = 256 is more than the") && c && strstr(c, want)),
          "threads above the cores available: clamped with a warning, the effective value recorded", "exit %d: %s / %.200s", rc, out,
          c ? c : "");
    free(c);
    free(out);
}

static void test_inputs(const char *tmp, const char *seq)
{
    char path[1300], b[600], *out;
    int rc;

    /* D5: weights indices do not wrap. */
    snprintf(b, sizeof b, "%s/rel_a", tmp);
    char *w = test_slurp(b, "weights.tsv");
    char *row = w ? strstr(w, "\nW_in\t0\t1\t") : NULL;
    if (row) {
        snprintf(path, sizeof path, "%s/rel_w.tsv", tmp);
        FILE *fp = fopen(path, "w");
        fwrite(w, 1, (size_t)(row - w) + 1, fp);
        fprintf(fp, "W_in\t4294967296\t1\t0.777%s", strchr(row + 1, '\n'));
        fclose(fp);
    }
    free(w);
    rc = run(&out, NULL, "train " RUNCFG " path=%s weights=%s iters=0 out=%s/rel_w", seq, path, tmp);
    expect(rc, out, 1, "row '4294967296' or col '1' is not an index", "D5: a weights index of 2^32 is refused, not wrapped to 0");

    /* D6: a NUL byte in a config. */
    snprintf(path, sizeof path, "%s/rel_nul.cfg", tmp);
    write_text(path, "task = file\nn = 6\n\0\nfoo = bar\n", 28);
    rc = run(&out, NULL, "train %s path=%s out=%s/rel_nul", path, seq, tmp);
    expect(rc, out, 1, "rel_nul.cfg:3: contains a NUL byte", "D6: a NUL byte in a config is refused with its line");

    /* D7: a value config.txt could not record. */
    rc = run(&out, NULL, "train " RUNCFG " 'path=%s#1' out=%s/rel_hash", seq, tmp);
    expect(rc, out, 1, "values may not contain '#'", "D7: a '#' inside a value is refused (config.txt must round-trip)");

    /* D8: credit curvature checks the checkpoint against the config it parses. */
    snprintf(b, sizeof b, "%s/rel_d8", tmp);
    rc = run(NULL, NULL, "train " RUNCFG " path=%s out=%s", seq, b);
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "sed -i 's/^lr = .*/lr = 0.5/' %s/config.txt", b);
    test_run(cmd, NULL);
    rc = run(&out, NULL, "curvature %s hessian_batch=8", b);
    expect(rc, out, 1, "config.txt does not match", "D8: credit curvature refuses an edited config.txt");

    /* D9: the file task's header and targets. */
    struct { const char *what, *from, *to, *want; } file_bad[] = {
        {"version 12", "credit-sequences 1", "credit-sequences 12", "is not format version 1"},
        {"version 1junk", "credit-sequences 1", "credit-sequences 1junk", "is not format version 1"},
        {"trailing junk", "n_in 2", "n_in 2 junk", "one key and one value per line"},
        {"duplicate key", "T 8\n", "T 8\nT 8\n", "T is set twice"},
        {"xent targets", "train 0 7 1 ", "train 0 7 1 0 0 -5 6 #", "needs targets in [0, 1] summing to 1"},
    };
    char *good = NULL;
    credit_read_file(seq, &good, NULL);
    for (size_t i = 0; good && i < sizeof file_bad / sizeof *file_bad; i++) {
        char *at = strstr(good, file_bad[i].from);
        if (!at) continue;
        snprintf(path, sizeof path, "%s/rel_f%zu.txt", tmp, i);
        FILE *fp = fopen(path, "w");
        fwrite(good, 1, (size_t)(at - good), fp);
        fputs(file_bad[i].to, fp);
        fputs(at + strlen(file_bad[i].from), fp);
        fclose(fp);
        rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s/rel_f", path, tmp);
        char name[200];
        snprintf(name, sizeof name, "D9: the file task refuses %s", file_bad[i].what);
        expect(rc, out, 1, file_bad[i].want, name);
    }
    free(good);
    snprintf(path, sizeof path, "%s/rel_fz.txt", tmp);
    snprintf(cmd, sizeof cmd, "sed 's/^train \\([0-9]*\\) \\([0-9]*\\) 1 /train \\1 \\2 0 /' %s > %s", seq, path);
    test_run(cmd, NULL);
    rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s/rel_f", path, tmp);
    expect(rc, out, 1, "every mask of the train split is 0", "D9: a training split whose masks are all 0 is refused");

    /* D14: non-regular files. */
    snprintf(path, sizeof path, "%s/rel_fifo", tmp);
    mkfifo(path, 0666);
    rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s/rel_f", path, tmp);
    expect(rc, out, 1, "is not a regular file (a pipe)", "D14: a FIFO as the file task's path is refused by name");
    rc = run(&out, NULL, "train " RUNCFG " path=%s out=%s/rel_f", tmp, tmp);
    expect(rc, out, 1, "is not a regular file (a directory)", "D14: a directory as the file task's path is refused");
    snprintf(path, sizeof path, "%s/rel_mn/train-images-idx3-ubyte", tmp);
    credit_mkdir_p(path);
    rc = run(&out, NULL, "train task=smnist n=8 batch=16 iters=1 data_dir=%s/rel_mn out=%s/rel_f", tmp, tmp);
    expect(rc, out, 1, "is not a regular file (a directory)", "D14: a directory in place of an IDX file is refused, no huge allocation");
    rc = run(&out, NULL, "train %s out=%s/rel_f", tmp, tmp);
    expect(rc, out, 1, "is a directory, not a file", "D14: a directory as the config file is named");

    /* D13: plugin faults are named. */
    char env[800];
    snprintf(env, sizeof env, "CREDIT_RULE_PATH=%s/bad", test_build());
    rc = run(&out, env, "train " RUNCFG " rule=crashgrad path=%s out=%s/rel_crash", seq, tmp);
    CHECK(rc == 128 + 11 && out && strstr(out, "credit: crash in rule plugin crashgrad (hook grad)"),
          "D13: a crash inside a plugin hook names the plugin and the hook", "exit %d: %s", rc, out);
    free(out);
    rc = run(&out, env, "train " RUNCFG " rule=optnull path=%s out=%s/rel_crash", seq, tmp);
    expect(rc, out, 1, "option 0 (?) has a NULL key", "D13: a NULL key in a plugin's option table is refused");
    rc = run(&out, env, "plugins list | cat");
    CHECK(rc == 0 && out && strstr(out, "dataentry  (cannot load:") && strstr(out, "is not a function") && strstr(out, "initfail") &&
              strstr(out, "tasks:") && strstr(out, "bptt"),
          "D13: a bad .so on the search path is reported and the listing goes on", "exit %d: %s", rc, out);
    free(out);

    /* D18: the config parser's corners. */
    snprintf(path, sizeof path, "%s/rel_bom.cfg", tmp);
    write_text(path, "\xef\xbb\xbftask = file\n", 15);
    rc = run(&out, NULL, "train %s " RUNCFG " path=%s out=%s/rel_bom", path, seq, tmp);
    expect(rc, out, 0, "", "D18: a UTF-8 byte-order mark at the start of a config is skipped");
    rc = run(&out, NULL, "train " RUNCFG " path=%s lr=0x1p-4 out=%s/rel_f", seq, tmp);
    expect(rc, out, 1, "hexadecimal is not accepted", "D18: reals refuse hex, as integers do");
    rc = run(&out, NULL, "train " RUNCFG " path=%s lr=4.9e-324 out=%s/rel_f", seq, tmp);
    expect(rc, out, 1, "lr = 4.9e-324 underflows", "D18: a subnormal value is named as an underflow");
    rc = run(&out, NULL, "train " RUNCFG " path=%s lr=inf out=%s/rel_f", seq, tmp);
    expect(rc, out, 1, "expected real in [0, inf)", "D18: the range shown for an unbounded key excludes inf, as the parser does");
    char *huge = malloc(9000);
    memset(huge, 'y', 8999);
    huge[8999] = 0;
    credit_error_clear();
    CREDIT_ERROR(CREDIT_EINVAL, "start %s end", huge);
    size_t ml = strlen(credit_error_message());
    CHECK(ml > 8000 && strstr(credit_error_message(), " [... cut here]") == credit_error_message() + ml - 15,
          "D18: a message too long for the buffer says where it was cut", "%zu chars", ml);
    free(huge);
}

void test_reliability(void)
{
    const char *tmp = test_tmp(), *seq = test_seq_file(0);
    test_run_dir(tmp, seq);
    test_inputs(tmp, seq);
}
