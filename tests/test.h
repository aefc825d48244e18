/* test.h - the test harness: one line per check, a closing count, and a
 * non-zero exit on any failure (tests/main.c). */
#ifndef CREDIT_TEST_H
#define CREDIT_TEST_H

#include "credit.h"
#include "session.h"
#include <stdio.h>

extern int test_passed, test_failed, test_skipped;

/* Records one check: prints "ok   name" or "FAIL name: detail". Returns cond. */
int test_check(int cond, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define CHECK(cond, name, ...) test_check(!!(cond), (name), __VA_ARGS__)
/* A check that cannot be made here (another CPU, a missing tool): prints
 * "skip name: why" and counts as skipped, never as passed. */
void test_skip(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Paths of the tree under test (CREDIT_ROOT: . or build-san; CREDIT_BUILD). */
const char *test_root(void);
const char *test_build(void);
/* A scratch directory for this test run (removed at the end). */
const char *test_tmp(void);

/* Run a shell command; returns its exit status, output captured in *out (caller frees). */
int test_run(const char *cmd, char **out);
/* Run `ROOT/bin/credit ARGS` (printf-style), the same way. */
int test_credit(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int test_files_equal(const char *a, const char *b);
/* DIR/FILE's text (caller frees), NULL if it cannot be read. */
char *test_slurp(const char *dir, const char *file);
/* The lines of text that are not provenance ('#'), a new string ("" for NULL). */
char *test_body(const char *text);
/* The last line of text (without its newline), inside text. */
const char *test_last_line(const char *text);
/* The random feedback the plugins draw, written from its definition
 * (rules/README.md): stream 0 of the rule's seed, N(0, 1/n_out), n x n_out
 * row-major; malloc'ed. */
credit_real *test_random_feedback(int n, int n_out, uint64_t seed);
/* Host services for calling a plugin directly: log drops the line, error
 * sets the core's error message, alloc has nothing to give (no rule tested
 * this way needs it). */
void test_host_log(void *ctx, const char *fmt, ...);
int test_host_error(void *ctx, int status, const char *fmt, ...);
void *test_host_alloc(void *ctx, size_t bytes);
/* bptt for a host whose rules never call it: refuses (CREDIT_EINVAL). */
int test_host_no_bptt(void *ctx, const credit_traj *tr, const credit_weights *w, credit_params *g);
/* |a - b| / |b|, norm-wise (0 when both are zero, inf when only b is). */
double test_rel_err(const double *a, const double *b, size_t n);
double test_rel_err_real(const credit_real *a, const credit_real *b, size_t n); /* the same in the build's precision */
/* n values of the build's precision widened to double (exactly): a malloc'ed
 * copy (NULL stays NULL), or into dst. */
double *test_widen(const credit_real *src, size_t n);
void test_widen_into(double *dst, const credit_real *src, size_t n);
/* The build under test trains in single precision (make PREC=32). A check
 * of a float computation states its tolerance in both precisions:
 * test_tol(1e-12, 1e-5). Checks against finite differences run on the
 * double side (core/f64.h) in either build and keep double's. */
#define TEST_F32 (CREDIT_PRECISION == CREDIT_PRECISION_SINGLE)
static inline double test_tol(double tol64, double tol32) { return TEST_F32 ? tol32 : tol64; }
/* Starts `credit train ARGS out=DIR`, kills it (SIGKILL) soon after its first
 * checkpoint appears; returns 1 if it was killed part-way (no metrics.tsv). */
int test_train_killed(const char *args, const char *dir);

/* A tiny sequence file for the file task: a memory problem (the class is the
 * sign of the first input's sum over the first half), xent on the last step;
 * or an MSE version. Returns the path. */
const char *test_seq_file(int mse);

/* Open a session from `key=value` strings (NULL-terminated) with the
 * static plugins; returns status. */
int test_session(credit_session *s, const char *const *kv);

/* Suites. The core's are always there; each later module adds its suite
 * in its own file (tests/test_NAME.c) and main.c runs it when linked in. */
void test_core(void);
void test_gradcheck(void);
void test_plugins(void);
void test_conformance(void);
void test_cli(void);
__attribute__((weak)) void test_rules(void);     /* tests/test_rules.c */
__attribute__((weak)) void test_rules2(void);    /* tests/test_rules2.c: the stateful rules kp, nodepert */
__attribute__((weak)) void test_tasks(void);     /* tests/test_tasks.c */
__attribute__((weak)) void test_curvature(void); /* tests/test_curvature.c */
__attribute__((weak)) void test_stats(void);     /* tests/test_stats.c */
__attribute__((weak)) void test_blas(void);      /* tests/test_blas.c: OpenBLAS core selection */
__attribute__((weak)) void test_pipeline(void);  /* tests/test_pipeline.c: the smoke profile */
__attribute__((weak)) void test_figures(void);   /* tests/test_figures.c: issue 24, every figure as a reader sees it */
__attribute__((weak)) void test_paper_numbers(void); /* tests/test_figures.c: no result number typed into paper/paper.md */
__attribute__((weak)) void test_protocol(void);  /* tests/test_protocol.c: issue 14's protocol keys */
__attribute__((weak)) void test_reliability(void); /* tests/test_reliability.c: issue 11's defects */
__attribute__((weak)) void test_crash(void);       /* tests/test_crash.c: a run killed at every crash point */
__attribute__((weak)) void test_certify(void);     /* tests/test_certify.c: refactors certified instead of retrained */
__attribute__((weak)) void test_defects2(void);    /* tests/test_defects2.c: issue 22's defects outside the pipeline */
__attribute__((weak)) void test_report(void);      /* tests/test_report.c: issue 23, a new rule through make rule-report */
__attribute__((weak)) void test_design(void);      /* tests/test_design.c: the experiment design as data, checked before anything runs */

#endif
