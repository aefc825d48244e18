/* session.h - one configured network with its rule and task loaded: what
 * `credit train`, `credit grad` and the measurements work on. */
#ifndef CREDIT_SESSION_H
#define CREDIT_SESSION_H

#include "config.h"
#include "gradient.h"
#include "net.h"
#include "plugin.h"

/* Core options, parsed (the table is core_options in session.c). */
typedef struct credit_core_opts {
    const char *rule, *task, *out, *weights;
    long seed, n, iters, batch, eval_every, checkpoint_every, eval_chunk, threads;
    long progress, resume;
    double leak, init_rec_var, lr, l2, adam_beta1, adam_beta2, adam_eps;
    int optimizer; /* 0 sgd, 1 adam */
    double stop_train_acc, stop_train_loss;
    long eval_subsample;
    double boost_factor, boost_start, boost_end; /* fractions of iters */
} credit_core_opts;

/* Host context of one plugin: its name for messages and the memory it asked for. */
typedef struct credit_host_ctx {
    char who[64];
    credit_fwd *batch;     /* the batch whose trajectory grad is given, only while grad runs (else NULL) */
    credit_loss_kind loss; /* the task's loss, for forward_loss */
    credit_fwd probe;      /* forward_loss's own trajectory (allocated at its first call) */
    void **blocks;
    size_t n_blocks, cap_blocks;
} credit_host_ctx;

typedef struct credit_session {
    credit_config cfg;
    credit_optset sets[3]; /* core, rule, task */
    int nsets;
    credit_value *values;  /* storage behind sets[].val */
    credit_option *core_keys; /* sets[0].opt: the core's keys and its modules' */
    credit_core_opts o;

    credit_plugin rule_pl, task_pl;
    const credit_rule *rule;
    const credit_task *task;
    void *rule_state, *task_state;
    size_t rule_bytes; /* of rule_state */
    int rule_ready, task_ready;
    credit_host rule_host, task_host;
    credit_host_ctx rule_ctx, task_ctx;

    credit_task_info info;
    credit_dims dims;      /* the core's: B_max sizes the forward workspace (batch, eval_chunk) */
    credit_dims rule_dims; /* the rule's: B_max the largest batch its grad is given (batch, Hessian batch) */
    size_t n_params;
    credit_real *theta, *grad, *m1, *m2; /* parameters, gradient, Adam moments */
    credit_params w, g;
    long adam_t;
    credit_fwd fwd;
    uint64_t *index;     /* B_max example indices */
    uint64_t *perm;      /* permutation of the training set for perm_epoch */
    long perm_epoch;

    char *config_text;   /* resolved config */
    uint64_t config_hash;
} credit_session;

/* The core's own keys. */
extern const credit_option credit_core_options[];
extern const size_t credit_core_options_count;
/* A core module with keys of its own (core/curvature.c): its table follows
 * the core's in sets[0] (validated, hashed and written with it: config.txt
 * lists it under "# core"), its values at sets[0].val +
 * credit_core_options_count; rule_batch (may be NULL) gives from them the
 * largest batch the module's measurements hand the rule's grad. Weak: a
 * build without the module has no such keys. */
typedef struct credit_core_module {
    const credit_option *options;
    size_t n_options;
    long (*rule_batch)(const credit_value *values);
} credit_core_module;
extern const credit_core_module credit_curvature_module __attribute__((weak));

/* Resolve config (rule and task chosen by it), load and init plugins,
 * allocate, initialise weights (or read `weights`). */
int credit_session_open(credit_session *s, credit_config *cfg);
void credit_session_close(credit_session *s);
/* Parameters back to the seeded initial ones (or weights=), optimizer state
 * zero, a stateful rule's state back to its init. */
int credit_session_reset(credit_session *s);
/* The config hash cfg would have in this session (its rule and task's tables). */
int credit_session_config_hash(const credit_session *s, const credit_config *cfg, uint64_t *hash);
/* Most examples in one split a task may report. */
#define CREDIT_MAX_EXAMPLES ((uint64_t)1 << 32)

/* Fill the forward workspace with B examples of a split and run forward
 * and loss; returns the task loss in *loss. */
int credit_session_batch(credit_session *s, int split, const uint64_t *index, int B, double *loss, double *correct,
                         double *scored);
/* The task's examples index[0..B-1] of a split into x, target, mask (the
 * layout of credit_fwd for B sequences). */
int credit_session_fill(credit_session *s, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask);
/* Training-set indices of iteration k: epochs of a seeded permutation. */
void credit_session_batch_index(credit_session *s, long k, uint64_t *index, int B);
/* Gradient of the training objective after credit_session_batch into
 * s->grad, by credit_gradient (gradient.h; flags CREDIT_GRAD_*): exact
 * readout + the rule's W_in/W_rec estimate + L2. *l2_term: the L2 term. */
int credit_session_gradient(credit_session *s, unsigned flags, double *l2_term);
/* The session's rule as credit_gradient calls it (valid while s is open):
 * credit_session_rule_grad. */
credit_grad_rule credit_session_grad_rule(credit_session *s);
/* The rule's estimate of dL/dW_in, dL/dW_rec on the batch in f at weights w,
 * accumulated into g (the host's forward_loss serves f meanwhile). */
int credit_session_rule_grad(credit_session *s, credit_fwd *f, const credit_params *w, credit_params *g);
/* The double side (core/f64.h), what the curvature measurements use. In the
 * double build these are the functions above. In the single-precision build
 * fill widens the task's float batch to double, and the rule is served to
 * the double side by narrowing the trajectory and weights it is given to
 * float and widening its estimate back (credit_hessian_set widens the
 * session's weights itself, curvature.h). */
#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
int credit_session_fill_f64(credit_session *s, int split, const uint64_t *index, int B, double *x, double *target, double *mask);
CREDIT_F64(credit_grad_rule) credit_session_grad_rule_f64(credit_session *s);
#else
#define credit_session_fill_f64 credit_session_fill
#define credit_session_grad_rule_f64 credit_session_grad_rule
#endif
/* Loss and accuracy on a whole split (task loss, no L2). */
int credit_session_evaluate(credit_session *s, int split, double *loss, double *acc);
/* The same on the n examples index[0..n-1] of a split (index NULL: 0..n-1). */
int credit_session_evaluate_index(credit_session *s, int split, const uint64_t *index, uint64_t n, double *loss, double *acc);
/* One optimizer step with learning rate lr on s->grad. */
void credit_session_update(credit_session *s, double lr);
/* Learning rate of iteration k (with the boost schedule). */
double credit_session_lr(const credit_session *s, long k);
/* Provenance lines ("# ..."), for the head of every output file. */
void credit_session_provenance(const credit_session *s, FILE *fp);

#endif
