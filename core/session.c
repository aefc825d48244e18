/* session.c - see session.h. */
#define _GNU_SOURCE
#include "blas.h"
#include "ckpt.h"
#include "session.h"
#include "util.h"

#include <cblas.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CREDIT_COMMIT
#define CREDIT_COMMIT "unknown"
#endif
#ifndef CREDIT_MATH_CORE
#define CREDIT_MATH_CORE "none"
#endif
#ifndef CREDIT_VERSION
#define CREDIT_VERSION "0.1.0"
#endif

#define INF HUGE_VAL
/* The order here is the order of the resolved config file. */
const credit_option credit_core_options[] = {
    {"rule", CREDIT_OPT_STRING, "bptt", 0, 0, NULL, "learning rule plugin (credit plugins list)"},
    {"task", CREDIT_OPT_STRING, "smnist", 0, 0, NULL, "task plugin (credit plugins list)"},
    {"seed", CREDIT_OPT_INT, "1", 0, 4294967295.0, NULL, "seed of initial weights, batch order and the plugins' streams"},
    {"n", CREDIT_OPT_INT, "128", 1, 65536, NULL, "recurrent units"},
    {"leak", CREDIT_OPT_REAL, "0", 0, 0.999999, NULL, "leak a = exp(-dt/tau) of the state; 0 = no leak (authors' sMNIST)"},
    {"init_rec_var", CREDIT_OPT_REAL, "2", 0, INF, NULL,
     "initial W_rec ~ N(0, init_rec_var / n), zero diagonal (authors: 2, He's ReLU scale; long sequences need less)"},
    {"iters", CREDIT_OPT_INT, "1000", 0, 1e12, NULL, "training iterations (minibatches)"},
    {"batch", CREDIT_OPT_INT, "256", 1, 1e7, NULL, "minibatch size"},
    {"optimizer", CREDIT_OPT_CHOICE, "sgd", 0, 0, "sgd|adam", "plain SGD (the theorem's setting) or Adam"},
    {"lr", CREDIT_OPT_REAL, "0.01", 0, INF, NULL, "learning rate eta"},
    {"adam_beta1", CREDIT_OPT_REAL, "0.9", 0, 0.999999, NULL, "Adam first-moment decay"},
    {"adam_beta2", CREDIT_OPT_REAL, "0.999", 0, 0.999999999, NULL, "Adam second-moment decay"},
    {"adam_eps", CREDIT_OPT_REAL, "1e-8", 1e-300, 1, NULL, "Adam denominator floor"},
    {"l2", CREDIT_OPT_REAL, "0", 0, INF, NULL, "L2 coefficient: loss += l2/2 (|W_in|^2+|W_rec|^2+|W_out|^2) (authors' sMNIST: 0.01)"},
    {"boost_factor", CREDIT_OPT_REAL, "1", 0, INF, NULL, "learning-rate factor during the boost window (remedy experiment)"},
    {"boost_start", CREDIT_OPT_REAL, "0", 0, 1, NULL, "boost window start, as a fraction of iters"},
    {"boost_end", CREDIT_OPT_REAL, "0", 0, 1, NULL, "boost window end, as a fraction of iters (empty window: no boost)"},
    {"eval_every", CREDIT_OPT_INT, "100", 1, 1e12, NULL, "iterations between evaluations on the whole train, validation and test sets"},
    {"eval_subsample", CREDIT_OPT_INT, "0", 0, 1e12, NULL,
     "intermediate evaluations on a fixed random subsample of this many examples per split (the final one on the whole sets); 0 = whole sets"},
    {"eval_chunk", CREDIT_OPT_INT, "512", 1, 1e6, NULL, "examples per forward pass during evaluation: memory, and the last bits of the metrics (the sums are added per chunk)"},
    {"checkpoint_every", CREDIT_OPT_INT, "0", 0, 1e12, NULL, "iterations between checkpoints; 0 = at every evaluation"},
    {"stop_train_acc", CREDIT_OPT_REAL, "0", 0, 1, NULL, "stop once training accuracy reaches this (matched-accuracy comparisons); 0 = never"},
    {"stop_train_loss", CREDIT_OPT_REAL, "0", 0, INF, NULL,
     "stop once the training loss (task loss, no L2) is at most this, confirmed on the whole training set (matched-loss comparisons); 0 = never"},
    {"weights", CREDIT_OPT_STRING, "", 0, 0, NULL, "initial weights as TSV (name row col value) instead of the random init"},
    {"out", CREDIT_OPT_STRING, "", 0, 0, NULL, "run directory for credit train (required there)"},
    {"resume", CREDIT_OPT_CHOICE, "0", 0, 0, "0|1|auto",
     "0: start afresh; 1: continue from the run directory's checkpoint (or finish a run killed after its final one), "
     "an error if it cannot; auto: as 1, but a directory that cannot be continued is restarted (one line 'restart DIR: why')"},
    {"threads", CREDIT_OPT_INT, "1", 1, 256, NULL, "BLAS threads of this process (at most the cores available: more are clamped)"},
    {"progress", CREDIT_OPT_INT, "1", 0, 1, NULL, "1: progress line on stderr"},
};
const size_t credit_core_options_count = sizeof credit_core_options / sizeof credit_core_options[0];

/* Keys that change how a run is carried out but not its numbers: left out of
 * the config hash so a resumed run checks against the original. */
static const char *operational_keys[] = {"out", "resume", "threads", "progress"};

enum { STREAM_INIT = 1, STREAM_BATCH = 2, STREAM_RULE = 3, STREAM_TASK = 4 };

static void fill_core_opts(credit_session *s)
{
    const credit_optset *set = &s->sets[0];
#define V(key) credit_optset_find(set, 1, key)
    credit_core_opts *o = &s->o;
    o->rule = V("rule")->s; o->task = V("task")->s; o->out = V("out")->s; o->weights = V("weights")->s;
    o->seed = V("seed")->i; o->n = V("n")->i; o->iters = V("iters")->i; o->batch = V("batch")->i;
    o->eval_every = V("eval_every")->i; o->eval_chunk = V("eval_chunk")->i;
    o->checkpoint_every = V("checkpoint_every")->i; o->threads = V("threads")->i;
    o->progress = V("progress")->i; o->resume = V("resume")->i;
    o->leak = V("leak")->r; o->init_rec_var = V("init_rec_var")->r; o->lr = V("lr")->r; o->l2 = V("l2")->r;
    o->adam_beta1 = V("adam_beta1")->r; o->adam_beta2 = V("adam_beta2")->r; o->adam_eps = V("adam_eps")->r;
    o->optimizer = (int)V("optimizer")->i;
    o->stop_train_acc = V("stop_train_acc")->r;
    o->stop_train_loss = V("stop_train_loss")->r;
    o->eval_subsample = V("eval_subsample")->i;
    o->boost_factor = V("boost_factor")->r; o->boost_start = V("boost_start")->r; o->boost_end = V("boost_end")->r;
#undef V
}

/* ------------------------------------------------------------ host services */

static void host_log(void *ctx, const char *fmt, ...)
{
    credit_host_ctx *h = ctx;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", h->who);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int host_error(void *ctx, int status, const char *fmt, ...)
{
    credit_host_ctx *h = ctx;
    char msg[7000];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof msg) memcpy(msg + sizeof msg - 16, " [... cut here]", 16);
    return CREDIT_ERROR(status ? status : CREDIT_EPLUGIN, "%s: %s", h->who, msg);
}

static void *host_alloc(void *ctx, size_t bytes)
{
    credit_host_ctx *h = ctx;
    if (h->n_blocks == h->cap_blocks) {
        size_t cap = h->cap_blocks ? 2 * h->cap_blocks : 8;
        void **bigger = realloc(h->blocks, cap * sizeof *bigger);
        if (!bigger) return NULL;
        h->blocks = bigger;
        h->cap_blocks = cap;
    }
    void *p = calloc(1, bytes ? bytes : 1);
    if (p) h->blocks[h->n_blocks++] = p;
    return p;
}

/* BPTT on the workspaces of the batch being served (outside grad there is none). */
static int host_bptt(void *ctx, const credit_traj *tr, const credit_weights *w, credit_params *g)
{
    credit_host_ctx *h = ctx;
    if (!h->batch || tr->B > h->batch->d.B_max || tr->T != h->batch->d.T || tr->n != h->batch->d.n)
        return CREDIT_ERROR(CREDIT_EINVAL, "%s: bptt service called outside grad or with a trajectory larger than the batch's", h->who);
    credit_bptt(tr, w, g, h->batch->delta);
    return CREDIT_OK;
}

static int host_forward_loss(void *ctx, const credit_weights *w, const credit_real *xi, double *loss, credit_real *per_example)
{
    credit_host_ctx *h = ctx;
    const credit_fwd *f = h->batch;
    if (!f) return CREDIT_ERROR(CREDIT_EINVAL, "%s: forward_loss service called outside grad", h->who);
    if (!w || !loss) return CREDIT_ERROR(CREDIT_EINVAL, "%s: forward_loss service called without weights or loss", h->who);
    const int B = f->B;
    credit_fwd *p = &h->probe;
    if (!p->x || p->d.B_max < B || p->d.T != f->d.T || p->d.n != f->d.n || p->d.n_in != f->d.n_in || p->d.n_out != f->d.n_out) {
        credit_fwd_free(p);
        credit_dims d = f->d;
        d.B_max = B;
        if (credit_fwd_alloc(p, &d)) return CREDIT_ERROR(CREDIT_ENOMEM, "%s: out of memory for forward_loss's trajectory", h->who);
    }
    const size_t TB = (size_t)f->d.T * B;
    memcpy(p->x, f->x, sizeof(credit_real) * TB * f->d.n_in);
    memcpy(p->target, f->target, sizeof(credit_real) * TB * f->d.n_out);
    memcpy(p->mask, f->mask, sizeof(credit_real) * TB);
    /* credit_forward and credit_loss only read the weights. */
    credit_params wp;
    for (int b = 0; b < CREDIT_N_BLOCKS; b++) *credit_params_slot(&wp, b) = (credit_real *)credit_weights_block(w, b);
    p->xi = xi;
    p->per_example = per_example;
    credit_forward(p, &wp, B);
    *loss = credit_loss(p, h->loss, &wp, NULL, NULL);
    p->xi = NULL;
    p->per_example = NULL;
    return CREDIT_OK;
}

static void host_ctx_free(credit_host_ctx *h)
{
    credit_fwd_free(&h->probe);
    for (size_t i = 0; i < h->n_blocks; i++) free(h->blocks[i]);
    free(h->blocks);
    h->blocks = NULL;
    h->n_blocks = h->cap_blocks = 0;
}

static void host_setup(credit_host *host, credit_host_ctx *ctx, const char *kind, const char *name, uint64_t seed)
{
    snprintf(ctx->who, sizeof ctx->who, "%s %s", kind, name);
    host->abi_version = CREDIT_ABI_VERSION;
    host->struct_size = sizeof *host;
    host->ctx = ctx;
    host->seed = seed;
    host->log = host_log;
    host->error = host_error;
    host->alloc = host_alloc;
    host->bptt = host_bptt;
    host->init = NULL;
    host->forward_loss = host_forward_loss;
}

/* Plugins get CHOICE values as their word only (the index is the core's own
 * business: its keys keep it, config.c sets it). */
static void choices_as_words(credit_optset *set)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->opt[i].kind == CREDIT_OPT_CHOICE) set->val[i].i = 0, set->val[i].r = 0;
}

/* ------------------------------------------------------------ open/close */

static int plugin_optset(credit_optset *set, const credit_optset *core, const char *kind, const char *name, const credit_option *opt,
                         size_t n, credit_value *val, char *owner_buf, size_t owner_len)
{
    snprintf(owner_buf, owner_len, "%s %s", kind, name);
    set->owner = owner_buf;
    set->opt = opt;
    set->n = n;
    set->val = val;
    /* A plugin key must not shadow a core key (the core modules' included). */
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < core->n; k++)
            if (strcmp(opt[i].key, core->opt[k].key) == 0)
                return CREDIT_ERROR(CREDIT_EPLUGIN, "%s %s declares option '%s', which is a core key", kind, name, opt[i].key);
    return CREDIT_OK;
}

static char owner_rule[96], owner_task[96];

/* The resolved config as text and its hash (operational keys left out). */
static int config_text_of(const credit_optset *sets, int nsets, char **textp, uint64_t *hashp)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    if (!fp) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    credit_config_write(fp, sets, nsets);
    fclose(fp);
    uint64_t h = CREDIT_FNV_INIT;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line + 1) : strlen(line);
        int skip = 0;
        for (size_t k = 0; k < sizeof operational_keys / sizeof *operational_keys; k++) {
            size_t kl = strlen(operational_keys[k]);
            skip |= strncmp(line, operational_keys[k], kl) == 0 && strncmp(line + kl, " = ", 3) == 0;
        }
        if (!skip) h = credit_fnv1a(line, n, h);
        line += n;
    }
    if (textp) *textp = text;
    else free(text);
    *hashp = h;
    return CREDIT_OK;
}

/* Cores this process may run on. */
static long cores_available(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

static int compute_config_text(credit_session *s)
{
    /* More BLAS threads than cores only wait on each other (threads=256 on
     * two cores ran for hours): clamp, say so, record what is used. */
    credit_value *threads = (credit_value *)credit_optset_find(&s->sets[0], 1, "threads");
    long cores = cores_available();
    if (threads->i > cores) {
        fprintf(stderr, "credit: threads = %ld is more than the %ld cores available; using %ld\n", threads->i, cores, cores);
        threads->i = cores;
        threads->r = (double)cores;
        s->o.threads = cores;
    }
    /* config.txt records the config that reproduces the run from scratch,
     * whatever resume= this attempt was started with. */
    credit_value *resume = (credit_value *)credit_optset_find(&s->sets[0], 1, "resume");
    credit_value saved = *resume;
    resume->s = "0";
    resume->i = 0;
    resume->r = 0;
    int st = config_text_of(s->sets, s->nsets, &s->config_text, &s->config_hash);
    *resume = saved;
    return st;
}

int credit_session_config_hash(const credit_session *s, const credit_config *cfg, uint64_t *hash)
{
    size_t n = 0;
    for (int k = 0; k < s->nsets; k++) n += s->sets[k].n;
    credit_value *vals = calloc(n ? n : 1, sizeof *vals);
    if (!vals) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    credit_optset sets[3];
    size_t used = 0;
    for (int k = 0; k < s->nsets; k++) {
        sets[k] = s->sets[k];
        sets[k].val = vals + used;
        used += sets[k].n;
    }
    int st = credit_config_resolve(cfg, sets, s->nsets);
    if (!st) st = config_text_of(sets, s->nsets, NULL, hash);
    free(vals);
    return st;
}

/* The rule's init on its zeroed state block (the session's weights are the initial ones). */
static int rule_start(credit_session *s)
{
    memset(s->rule_state, 0, s->rule_bytes ? s->rule_bytes : 1);
    credit_error_clear();
    const credit_weights init = credit_weights_of(&s->w);
    s->rule_host.init = &init;
    credit_plugin_enter("rule", s->rule->head.name, "init");
    int st = s->rule->init(s->rule_state, &s->rule_dims, s->sets[1].val, &s->rule_host);
    credit_plugin_leave();
    s->rule_host.init = NULL;
    if (st && !*credit_error_message()) CREDIT_ERROR(st, "rule %s failed to initialise (status %d)", s->rule->head.name, st);
    return st;
}

int credit_session_open(credit_session *s, credit_config *cfg)
{
    int st;
    memset(s, 0, sizeof *s);
    s->cfg = *cfg; /* the session owns the config from here */
    memset(cfg, 0, sizeof *cfg);
    s->perm_epoch = -1;

    /* Rule and task first: their option tables decide which keys are valid. */
    credit_value rule_name, task_name;
    const char *rn = credit_config_get(&s->cfg, "rule"), *tn = credit_config_get(&s->cfg, "task");
    credit_option_parse(&credit_core_options[0], rn ? rn : credit_core_options[0].default_value, "", &rule_name);
    credit_option_parse(&credit_core_options[1], tn ? tn : credit_core_options[1].default_value, "", &task_name);
    if ((st = credit_plugin_open(&s->rule_pl, CREDIT_KIND_RULE, rule_name.s))) return st;
    if ((st = credit_plugin_open(&s->task_pl, CREDIT_KIND_TASK, task_name.s))) return st;
    s->rule = s->rule_pl.rule;
    s->task = s->task_pl.task;
    const credit_plugin_head *rh = s->rule_pl.head, *th = s->task_pl.head;

    /* The core's keys, then its modules' (one table: config.txt has them under "# core"). */
    const credit_core_module *mod = &credit_curvature_module;
    const size_t n_mod = mod ? mod->n_options : 0, n_core = credit_core_options_count + n_mod;
    size_t nvals = n_core + rh->n_options + th->n_options;
    s->values = calloc(nvals, sizeof *s->values);
    s->core_keys = calloc(n_core, sizeof *s->core_keys);
    if (!s->values || !s->core_keys) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    memcpy(s->core_keys, credit_core_options, sizeof credit_core_options);
    if (n_mod) memcpy(s->core_keys + credit_core_options_count, mod->options, n_mod * sizeof *mod->options);
    s->sets[0] = (credit_optset){"core", s->core_keys, n_core, s->values};
    if ((st = plugin_optset(&s->sets[1], &s->sets[0], "rule", rh->name, rh->options, rh->n_options, s->values + n_core, owner_rule,
                            sizeof owner_rule)))
        return st;
    if ((st = plugin_optset(&s->sets[2], &s->sets[0], "task", th->name, th->options, th->n_options, s->values + n_core + rh->n_options,
                            owner_task, sizeof owner_task)))
        return st;
    s->nsets = 3;
    if ((st = credit_config_resolve(&s->cfg, s->sets, s->nsets))) return st;
    choices_as_words(&s->sets[1]);
    choices_as_words(&s->sets[2]);
    fill_core_opts(s);
    if ((st = compute_config_text(s))) return st;
    openblas_set_num_threads((int)s->o.threads);

    /* Task: sizes and data. */
    uint64_t seed = (uint64_t)s->o.seed;
    host_setup(&s->task_host, &s->task_ctx, "task", s->task->head.name, credit_splitmix64(&(uint64_t){seed ^ STREAM_TASK}));
    credit_plugin_enter("task", s->task->head.name, "state_size");
    size_t tbytes = s->task->state_size(s->sets[2].val);
    credit_plugin_leave();
    s->task_state = calloc(1, tbytes ? tbytes : 1);
    if (!s->task_state) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for task state (%zu bytes)", tbytes);
    credit_error_clear();
    credit_plugin_enter("task", s->task->head.name, "init");
    st = s->task->init(s->task_state, s->sets[2].val, &s->task_host, &s->info);
    credit_plugin_leave();
    if (st) {
        if (!*credit_error_message()) CREDIT_ERROR(st, "task %s failed to initialise (status %d)", s->task->head.name, st);
        return st;
    }
    s->task_ready = 1;
    if (s->info.n_in < 1 || s->info.n_out < 1 || s->info.T < 1 || s->info.n_examples[CREDIT_SPLIT_TRAIN] < 1)
        return CREDIT_ERROR(CREDIT_EPLUGIN, "task %s reported impossible sizes (n_in %d, n_out %d, T %d, %llu training examples)",
                            s->task->head.name, s->info.n_in, s->info.n_out, s->info.T,
                            (unsigned long long)s->info.n_examples[CREDIT_SPLIT_TRAIN]);
    /* A bound far above any data set held in memory, so that no count can
     * make an evaluation loop run for ever or an allocation overflow. */
    for (int sp = 0; sp < CREDIT_N_SPLITS; sp++)
        if (s->info.n_examples[sp] > CREDIT_MAX_EXAMPLES)
            return CREDIT_ERROR(CREDIT_EPLUGIN, "task %s reported %llu examples in split %d, more than the %llu credit handles", s->task->head.name,
                                (unsigned long long)s->info.n_examples[sp], sp, (unsigned long long)CREDIT_MAX_EXAMPLES);

    /* The rule's grad sees training batches and the measurements' Hessian
     * batch (gamma, the update Jacobian), never an evaluation chunk; the
     * core's forward workspace serves training and evaluation. */
    long rule_B = s->o.batch;
    if (mod && mod->rule_batch) {
        long b = mod->rule_batch(s->values + credit_core_options_count);
        if (b > rule_B) rule_B = b;
    }
    long B_max = s->o.batch > s->o.eval_chunk ? s->o.batch : s->o.eval_chunk;
    s->dims = (credit_dims){.n_in = s->info.n_in, .n = (int)s->o.n, .n_out = s->info.n_out, .T = s->info.T,
                            .B_max = (int)B_max, .leak = s->o.leak};
    s->rule_dims = s->dims;
    s->rule_dims.B_max = (int)rule_B;

    if ((st = credit_fwd_alloc(&s->fwd, &s->dims))) return CREDIT_ERROR(st, "out of memory for the trajectory");
    s->rule_ctx.loss = s->task_ctx.loss = s->info.loss;

    /* Network (before the rule: its init may read the initial weights). */
    s->n_params = credit_params_count(&s->dims);
    s->theta = calloc(4 * s->n_params, sizeof(credit_real));
    s->index = calloc((size_t)B_max, sizeof *s->index);
    s->perm = calloc(s->info.n_examples[CREDIT_SPLIT_TRAIN], sizeof *s->perm);
    if (!s->theta || !s->index || !s->perm) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for the network");
    s->grad = s->theta + s->n_params;
    s->m1 = s->grad + s->n_params;
    s->m2 = s->m1 + s->n_params;
    s->w = credit_params_view(s->theta, &s->dims);
    s->g = credit_params_view(s->grad, &s->dims);
    if ((st = credit_session_reset(s))) return st;

    /* Rule. */
    host_setup(&s->rule_host, &s->rule_ctx, "rule", s->rule->head.name, credit_splitmix64(&(uint64_t){seed ^ STREAM_RULE}));
    credit_plugin_enter("rule", s->rule->head.name, "state_size");
    size_t rbytes = s->rule->state_size(&s->rule_dims, s->sets[1].val);
    credit_plugin_leave();
    s->rule_state = calloc(1, rbytes ? rbytes : 1);
    if (!s->rule_state) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for rule state (%zu bytes)", rbytes);
    s->rule_bytes = rbytes;
    if ((st = rule_start(s))) return st;
    s->rule_ready = 1;
    return CREDIT_OK;
}

int credit_session_reset(credit_session *s)
{
    memset(s->theta, 0, 4 * s->n_params * sizeof(credit_real));
    s->adam_t = 0;
    credit_rng rng;
    credit_rng_seed(&rng, (uint64_t)s->o.seed, STREAM_INIT);
    credit_params_init(s->theta, &s->dims, s->o.init_rec_var, &rng);
    int st = *s->o.weights ? credit_weights_read(s, s->o.weights) : CREDIT_OK;
    if (st || !s->rule_ready) return st;
    /* A rule whose state changes after init starts over with the weights. */
    if (!s->rule_pl.after_update) return CREDIT_OK;
    credit_plugin_enter("rule", s->rule->head.name, "fini");
    if (s->rule->fini) s->rule->fini(s->rule_state);
    credit_plugin_leave();
    host_ctx_free(&s->rule_ctx);
    s->rule_ready = 0;
    if ((st = rule_start(s))) return st;
    s->rule_ready = 1;
    return CREDIT_OK;
}

void credit_session_close(credit_session *s)
{
    credit_plugin_enter("rule", s->rule_ready ? s->rule->head.name : "", "fini");
    if (s->rule_ready && s->rule->fini) s->rule->fini(s->rule_state);
    credit_plugin_enter("task", s->task_ready ? s->task->head.name : "", "fini");
    if (s->task_ready && s->task->fini) s->task->fini(s->task_state);
    credit_plugin_leave();
    host_ctx_free(&s->rule_ctx);
    host_ctx_free(&s->task_ctx);
    free(s->rule_state);
    free(s->task_state);
    credit_plugin_close(&s->rule_pl);
    credit_plugin_close(&s->task_pl);
    credit_fwd_free(&s->fwd);
    free(s->theta);
    free(s->index);
    free(s->perm);
    free(s->values);
    free(s->core_keys);
    free(s->config_text);
    credit_config_free(&s->cfg);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ batches */

int credit_session_fill(credit_session *s, int split, const uint64_t *index, int B, credit_real *x, credit_real *target, credit_real *mask)
{
    credit_error_clear(); /* so a bare status is not reported with an older message */
    credit_plugin_enter("task", s->task->head.name, "fill");
    int st = s->task->fill(s->task_state, split, index, B, x, target, mask);
    credit_plugin_leave();
    if (st && !*credit_error_message()) CREDIT_ERROR(st, "task %s failed to fill a batch (status %d)", s->task->head.name, st);
    return st;
}

int credit_session_batch(credit_session *s, int split, const uint64_t *index, int B, double *loss, double *correct,
                         double *scored)
{
    credit_fwd *f = &s->fwd;
    int st = credit_session_fill(s, split, index, B, f->x, f->target, f->mask);
    if (st) return st;
    credit_forward(f, &s->w, B);
    *loss = credit_loss(f, s->info.loss, &s->w, correct, scored);
    return CREDIT_OK;
}

void credit_session_batch_index(credit_session *s, long k, uint64_t *index, int B)
{
    const uint64_t n = s->info.n_examples[CREDIT_SPLIT_TRAIN];
    for (int b = 0; b < B; b++) {
        uint64_t pos = (uint64_t)k * (uint64_t)B + (uint64_t)b;
        long epoch = (long)(pos / n);
        if (epoch != s->perm_epoch) {
            /* Fisher-Yates from a stream named by the epoch: batch k depends
             * on k alone, which is what makes resume bit-identical. */
            credit_rng rng;
            credit_rng_seed(&rng, (uint64_t)s->o.seed, ((uint64_t)STREAM_BATCH << 40) | (uint64_t)epoch);
            for (uint64_t i = 0; i < n; i++) s->perm[i] = i;
            for (uint64_t i = n - 1; i > 0; i--) {
                uint64_t j = credit_rng_below(&rng, i + 1), t = s->perm[i];
                s->perm[i] = s->perm[j];
                s->perm[j] = t;
            }
            s->perm_epoch = epoch;
        }
        index[b] = s->perm[pos % n];
    }
}

int credit_session_gradient(credit_session *s, unsigned flags, double *l2_term)
{
    const credit_grad_rule r = credit_session_grad_rule(s);
    return credit_gradient(&s->fwd, &s->w, s->o.l2, &r, flags, s->grad, l2_term);
}

static int session_rule_grad(void *ctx, credit_fwd *f, const credit_params *w, credit_params *g)
{
    return credit_session_rule_grad(ctx, f, w, g);
}

credit_grad_rule credit_session_grad_rule(credit_session *s)
{
    return (credit_grad_rule){session_rule_grad, s};
}

int credit_session_rule_grad(credit_session *s, credit_fwd *f, const credit_params *w, credit_params *g)
{
    if (f->B > s->rule_dims.B_max)
        return CREDIT_ERROR(CREDIT_EINVAL, "a batch of %d examples is larger than rule %s's workspace (%d)", f->B, s->rule->head.name,
                            s->rule_dims.B_max);
    credit_traj tr = credit_fwd_traj(f);
    const credit_weights wv = credit_weights_of(w);
    credit_error_clear();
    s->rule_ctx.batch = f;
    credit_plugin_enter("rule", s->rule->head.name, "grad");
    int st = s->rule->grad(s->rule_state, &tr, &wv, g);
    credit_plugin_leave();
    s->rule_ctx.batch = NULL;
    if (st && !*credit_error_message()) CREDIT_ERROR(st, "rule %s failed (status %d)", s->rule->head.name, st);
    return st;
}

#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
static void widen(double *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

static void narrow(float *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = (float)src[i];
}

int credit_session_fill_f64(credit_session *s, int split, const uint64_t *index, int B, double *x, double *target, double *mask)
{
    const size_t TB = (size_t)s->dims.T * B, nx = TB * s->dims.n_in, nt = TB * s->dims.n_out;
    float *buf = malloc(sizeof(float) * (nx + nt + TB));
    if (!buf) return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for a batch of %d examples", B);
    int st = credit_session_fill(s, split, index, B, buf, buf + nx, buf + nx + nt);
    if (!st) {
        widen(x, buf, nx);
        widen(target, buf + nx, nt);
        widen(mask, buf + nx + nt, TB);
    }
    free(buf);
    return st;
}

/* The rule on a double trajectory: it sees that trajectory (and w) rounded
 * to float, so a frozen ReLU pattern stays frozen, and its W_in/W_rec
 * estimate is added to g in double. The float copies are made per call
 * (measurements call this a few hundred times, each a full rule gradient). */
static int session_rule_grad_f64(void *ctx, CREDIT_F64(credit_fwd) *f, const CREDIT_F64(credit_params) *w, CREDIT_F64(credit_params) *g)
{
    credit_session *s = ctx;
    const int B = f->B, T = f->d.T, n = f->d.n, n_in = f->d.n_in, n_out = f->d.n_out;
    credit_fwd narrowed, *nf = &narrowed;
    credit_dims d = f->d;
    d.B_max = B;
    credit_real *theta = calloc(2 * s->n_params, sizeof(credit_real));
    if (!theta || credit_fwd_alloc(nf, &d)) {
        free(theta);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory for the rule's float trajectory");
    }
    const size_t TB = (size_t)T * B;
    nf->B = B;
    narrow(nf->x, f->x, TB * n_in);
    narrow(nf->target, f->target, TB * n_out);
    narrow(nf->mask, f->mask, TB);
    narrow(nf->v, f->v, TB * n);
    narrow(nf->z, f->z, (TB + B) * n);
    narrow(nf->psi, f->psi, TB * n);
    narrow(nf->y, f->y, TB * n_out);
    narrow(nf->dy, f->dy, TB * n_out);
    narrow(nf->L, f->L, TB * n);
    credit_params w32 = credit_params_view(theta, &s->dims), g32 = credit_params_view(theta + s->n_params, &s->dims);
    for (int b = 0; b < CREDIT_N_BLOCKS; b++)
        narrow(credit_params_block(&w32, b), CREDIT_F64(credit_params_block)(w, b), credit_block_size(&s->dims, b));
    int st = credit_session_rule_grad(s, nf, &w32, &g32);
    for (int b = 0; b < CREDIT_N_BLOCKS && !st; b++) {
        if (!(credit_blocks[b].flags & CREDIT_PARAM_RULE)) continue;
        double *to = CREDIT_F64(credit_params_block)(g, b);
        const float *from = credit_params_block(&g32, b);
        for (size_t k = 0; k < credit_block_size(&s->dims, b); k++) to[k] += from[k];
    }
    credit_fwd_free(nf);
    free(theta);
    return st;
}

CREDIT_F64(credit_grad_rule) credit_session_grad_rule_f64(credit_session *s)
{
    return (CREDIT_F64(credit_grad_rule)){session_rule_grad_f64, s};
}
#endif

int credit_session_evaluate(credit_session *s, int split, double *loss, double *acc)
{
    return credit_session_evaluate_index(s, split, NULL, s->info.n_examples[split], loss, acc);
}

int credit_session_evaluate_index(credit_session *s, int split, const uint64_t *index, uint64_t n, double *loss, double *acc)
{
    double total = 0.0, hits = 0.0, weight = 0.0;
    if (n == 0) {
        *loss = *acc = NAN;
        return CREDIT_OK;
    }
    for (uint64_t start = 0; start < n; start += (uint64_t)s->o.eval_chunk) {
        int B = (int)(n - start < (uint64_t)s->o.eval_chunk ? n - start : (uint64_t)s->o.eval_chunk);
        for (int b = 0; b < B; b++) s->index[b] = index ? index[start + (uint64_t)b] : start + (uint64_t)b;
        double l, c, w;
        int st = credit_session_batch(s, split, s->index, B, &l, &c, &w);
        if (st) return st;
        total += l * w;
        hits += c;
        weight += w;
    }
    *loss = weight > 0 ? total / weight : NAN;
    *acc = weight > 0 ? hits / weight : NAN;
    return CREDIT_OK;
}

double credit_session_lr(const credit_session *s, long k)
{
    double frac = s->o.iters > 0 ? (double)k / (double)s->o.iters : 0.0;
    int boosted = frac >= s->o.boost_start && frac < s->o.boost_end;
    return s->o.lr * (boosted ? s->o.boost_factor : 1.0);
}

void credit_session_update(credit_session *s, double lr)
{
    const size_t n = s->n_params;
    if (s->o.optimizer == 0) {
        CREDIT_BLAS(axpy)((int)n, -lr, s->grad, 1, s->theta, 1);
        return;
    }
    const double b1 = s->o.adam_beta1, b2 = s->o.adam_beta2, eps = s->o.adam_eps;
    s->adam_t++;
    const double c1 = 1.0 - pow(b1, (double)s->adam_t), c2 = 1.0 - pow(b2, (double)s->adam_t);
    for (size_t i = 0; i < n; i++) {
        double g = s->grad[i];
        s->m1[i] = b1 * s->m1[i] + (1.0 - b1) * g;
        s->m2[i] = b2 * s->m2[i] + (1.0 - b2) * g * g;
        s->theta[i] -= lr * (s->m1[i] / c1) / (sqrt(s->m2[i] / c2) + eps);
    }
    /* Zero gradients on the W_rec diagonal leave it at zero under SGD; under
     * Adam 0 / (0 + eps) is 0 as well, so the diagonal stays removed. */
}

void credit_session_provenance(const credit_session *s, FILE *fp)
{
    fprintf(fp, "# credit %s commit %s\n", CREDIT_VERSION, CREDIT_COMMIT);
    fprintf(fp, "# rule %s %s\n# task %s %s\n", s->rule->head.name, s->rule->head.version, s->task->head.name, s->task->head.version);
    char flags[64];
    credit_plugin_flags_text(&s->rule_pl, flags, sizeof flags);
    fprintf(fp, "# rule_flags %s\n", flags);
    fprintf(fp, "# config_hash %016llx\n# seed %ld\n", (unsigned long long)s->config_hash, s->o.seed);
    /* What computed the numbers: FNV-1a of "core C rule R task T", the build's
     * maths hashes of the core and of each plugin ("none" if built without). */
    char parts[96];
    int len = snprintf(parts, sizeof parts, "core %s rule %s task %s", CREDIT_MATH_CORE,
                       s->rule_pl.math_hash ? s->rule_pl.math_hash : "none", s->task_pl.math_hash ? s->task_pl.math_hash : "none");
    fprintf(fp, "# math_hash %016llx\n", (unsigned long long)credit_fnv1a(parts, (size_t)len, CREDIT_FNV_INIT));
    fprintf(fp, "# blas %s\n", credit_blas_describe());
#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE
    /* Absent: double (the default build, and every run before PREC=32). */
    fprintf(fp, "# precision float32 (training and the rule; curvature, Hessian and gamma in double)\n");
#endif
}
