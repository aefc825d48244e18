/* test_rules2.c - the ABI v2 rules with state of their own (rules/kp.c,
 * rules/nodepert.c) against literal slow implementations of their
 * definitions, and resumed through the checkpoint.
 *
 * Everything literal here is written from the definitions (rules/README.md)
 * and shares no code with the plugins or the core: the problems are built by
 * a per-unit forward pass of the network below (with the perturbation xi
 * inside the recurrent input), the loss and dy as credit_loss defines them,
 * the estimates as per-synapse loops, the true gradient by central
 * differences of that literal loss.
 *
 *   v_t = a v_{t-1} + (1-a) (W_rec z_{t-1} + W_in x_t + xi_t),  z_t = relu(v_t),  y_t = W_out z_t + b_out
 *
 * The plugins are called directly with a host table of this file, whose
 * forward_loss is that literal pass; where the core's host is linked in, the
 * same checks run through a session (the core's forward_loss) and the
 * command line (after_update and the checkpoint).
 *
 * The literal side computes in double in either build. The rules are handed
 * credit_real copies of its weights and trajectory (exact in the double
 * build; in the single-precision build the weights and inputs are drawn as
 * floats, so only the trajectory is rounded), and their estimates are
 * widened back to double to be compared. */
#include "test.h"
#include "ckpt.h"
#include "config.h"
#include "gradient.h"
#include "util.h"

#include <cblas.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const credit_rule *credit_rule_entry_kp(void);
const credit_rule *credit_rule_entry_nodepert(void);

/* ------------------------------------------------------------ literal network */

enum { MASK_LAST, MASK_EVERY, MASK_SOME, N_MASKS };
static const char *mask_names[N_MASKS] = {"last step", "every step", "some steps"};

/* Weights of the literal network, in double. */
typedef struct lit_weights {
    const double *W_in, *W_rec, *W_out, *b_out;
} lit_weights;

typedef struct lit {
    credit_dims d;      /* B_max = B + 1: the rules see a batch smaller than their workspaces */
    int B, mse;
    double *W_in, *W_rec, *W_out, *b_out; /* one block */
    double *x, *target, *mask;
    double *zblock; /* [(T+1)][B][n]: z_0 = 0, z_1..z_T */
    double *v, *psi, *y, *dy, *L;
    lit_weights w64;
    /* What a rule is handed: the weights and the trajectory above as
     * credit_real (lit_sync copies them), and views of those. */
    credit_real *rw, *rt; /* the weight block; x, zblock, v, psi, y, dy, L in one block */
    credit_weights w;
    credit_traj tr;
} lit;

#define IDX3(t, b, i, B_, m) (((size_t)(t) * (B_) + (b)) * (m) + (i))

/* The literal forward pass of the batch at weights w with xi ([T][B][n] or
 * NULL): per-example loss shares into per (B values, may be NULL), the
 * batch loss returned; trajectory and dy into the lit's arrays if keep. */
static void lit_sync(lit *p);
static double lit_forward(lit *p, const lit_weights *w, const double *xi, double *per, int keep)
{
    const int T = p->d.T, B = p->B, n = p->d.n, n_in = p->d.n_in, n_out = p->d.n_out;
    const double a = p->d.leak;
    double weight = 0, total = 0;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) weight += p->mask[t * B + b];
    const double norm = (weight > 0 ? 1.0 / weight : 0.0) / (p->mse ? n_out : 1);
    double *v = calloc((size_t)n, sizeof(double)), *z = calloc((size_t)n, sizeof(double)), *zn = calloc((size_t)n, sizeof(double));
    double *y = calloc((size_t)n_out, sizeof(double));
    for (int b = 0; b < B; b++) {
        double share = 0;
        memset(v, 0, sizeof(double) * n);
        memset(z, 0, sizeof(double) * n);
        if (keep) memset(p->zblock + (size_t)b * n, 0, sizeof(double) * n);
        for (int t = 0; t < T; t++) {
            for (int i = 0; i < n; i++) {
                double u = xi ? xi[IDX3(t, b, i, B, n)] : 0.0;
                for (int j = 0; j < n; j++) u += w->W_rec[i * n + j] * z[j];
                for (int j = 0; j < n_in; j++) u += w->W_in[i * n_in + j] * p->x[IDX3(t, b, j, B, n_in)];
                v[i] = a * v[i] + (1 - a) * u;
                zn[i] = v[i] > 0 ? v[i] : 0.0;
                if (keep) {
                    p->v[IDX3(t, b, i, B, n)] = v[i];
                    p->psi[IDX3(t, b, i, B, n)] = v[i] > 0;
                    p->zblock[IDX3(t + 1, b, i, B, n)] = zn[i];
                }
            }
            memcpy(z, zn, sizeof(double) * n);
            const double m = p->mask[t * B + b], *q = p->target + IDX3(t, b, 0, B, n_out);
            for (int k = 0; k < n_out; k++) {
                y[k] = w->b_out[k];
                for (int i = 0; i < n; i++) y[k] += w->W_out[k * n + i] * z[i];
            }
            double l = 0, dyk[16];
            if (p->mse) {
                for (int k = 0; k < n_out; k++) l += (y[k] - q[k]) * (y[k] - q[k]), dyk[k] = 2 * m * norm * (y[k] - q[k]);
            } else {
                double ymax = y[0], se = 0, qsum = 0;
                for (int k = 1; k < n_out; k++) ymax = y[k] > ymax ? y[k] : ymax;
                for (int k = 0; k < n_out; k++) se += exp(y[k] - ymax);
                const double lse = ymax + log(se);
                for (int k = 0; k < n_out; k++) l -= q[k] * (y[k] - lse), qsum += q[k];
                for (int k = 0; k < n_out; k++) dyk[k] = m * norm * (qsum * exp(y[k] - lse) - q[k]);
            }
            share += m * l * norm;
            if (keep)
                for (int k = 0; k < n_out; k++) {
                    p->y[IDX3(t, b, k, B, n_out)] = y[k];
                    p->dy[IDX3(t, b, k, B, n_out)] = m == 0 ? 0.0 : dyk[k];
                }
        }
        if (per) per[b] = share;
        total += share;
    }
    if (keep)
        for (size_t r = 0; r < (size_t)T * B; r++)
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int k = 0; k < n_out; k++) s += w->W_out[k * n + i] * p->dy[r * n_out + k];
                p->L[r * n + i] = s;
            }
    if (keep) lit_sync(p);
    free(v), free(z), free(zn), free(y);
    return total;
}

/* The lengths of the weight block and of the trajectory's arrays (x,
 * zblock, v, psi, y, dy, L in this order). */
static size_t lit_nw(const lit *p)
{
    const int n = p->d.n;
    return (size_t)n * p->d.n_in + (size_t)n * n + (size_t)p->d.n_out * n + p->d.n_out;
}
static void lit_lens(const lit *p, size_t len[7])
{
    const size_t rows = (size_t)p->d.T * p->B, n = (size_t)p->d.n;
    const size_t l[7] = {rows * p->d.n_in, (rows + p->B) * n, rows * n, rows * n, rows * p->d.n_out, rows * p->d.n_out, rows * n};
    memcpy(len, l, sizeof l);
}

/* The weights and the trajectory into the rule's credit_real copies (the
 * weights as they are now, the trajectory of the last lit_forward with keep). */
static void lit_sync(lit *p)
{
    const double *src[7] = {p->x, p->zblock, p->v, p->psi, p->y, p->dy, p->L};
    size_t len[7];
    lit_lens(p, len);
    for (size_t k = 0; k < lit_nw(p); k++) p->rw[k] = (credit_real)p->W_in[k];
    credit_real *dst = p->rt;
    for (int a = 0; a < 7; a++)
        for (size_t k = 0; k < len[a]; k++) *dst++ = (credit_real)src[a][k];
}

/* Arrays for a batch of B of these sizes (weights zero); the leak as the
 * rules and the core hold it (a credit_real). */
static void lit_alloc(lit *p, const credit_dims *d, int B, int mse)
{
    memset(p, 0, sizeof *p);
    p->d = *d;
    p->d.leak = (credit_real)d->leak;
    p->B = B;
    p->mse = mse;
    const int T = d->T, n = d->n, n_in = d->n_in, n_out = d->n_out;
    const size_t np = (size_t)n * n_in + (size_t)n * n + (size_t)n_out * n + n_out, rows = (size_t)T * B;
    p->W_in = calloc(np, sizeof(double));
    p->W_rec = p->W_in + n * n_in;
    p->W_out = p->W_rec + n * n;
    p->b_out = p->W_out + n_out * n;
    p->w64 = (lit_weights){p->W_in, p->W_rec, p->W_out, p->b_out};
    p->x = calloc(rows * n_in, sizeof(double));
    p->target = calloc(rows * n_out, sizeof(double));
    p->mask = calloc(rows, sizeof(double));
    p->zblock = calloc((rows + B) * n, sizeof(double));
    p->v = calloc(rows * n, sizeof(double));
    p->psi = calloc(rows * n, sizeof(double));
    p->L = calloc(rows * n, sizeof(double));
    p->y = calloc(rows * n_out, sizeof(double));
    p->dy = calloc(rows * n_out, sizeof(double));
    size_t len[7], total = 0;
    lit_lens(p, len);
    for (int a = 0; a < 7; a++) total += len[a];
    p->rw = calloc(np, sizeof(credit_real));
    p->rt = calloc(total, sizeof(credit_real));
    const credit_real *rx = p->rt, *rz = rx + len[0], *rv = rz + len[1], *rpsi = rv + len[2], *ry = rpsi + len[3], *rdy = ry + len[4],
                      *rL = rdy + len[5];
    p->w = (credit_weights){p->rw, p->rw + n * n_in, p->rw + n * n_in + n * n, p->rw + n * n_in + n * n + n_out * n};
    p->tr = (credit_traj){.B = B, .T = T, .n_in = n_in, .n = n, .n_out = n_out, .leak = d->leak, .x = rx,
                          .z_prev = rz, .z = rz + (size_t)B * n, .v = rv, .psi = rpsi,
                          .y = ry, .dy = rdy, .L = rL};
}

/* A random problem: weights as the authors initialise them (b_out small,
 * not zero), inputs N(0, 1), one-hot targets (or random MSE targets),
 * masks as mask_names say (MASK_SOME weights the scored steps unequally).
 * Every value drawn is rounded to credit_real (nothing in the double
 * build): the rule is handed the literal network's weights and inputs exactly. */
static void lit_make(lit *p, double leak, int mask, int mse, uint64_t seed)
{
    const credit_dims d = {.n_in = 3, .n = 6, .n_out = 3, .T = 7, .B_max = 5, .leak = leak};
    lit_alloc(p, &d, d.B_max - 1, mse);
    const int T = d.T, B = p->B, n = d.n, n_in = d.n_in, n_out = d.n_out;
    credit_rng rng;
    credit_rng_seed(&rng, seed, 7);
    for (int k = 0; k < n * n_in; k++) p->W_in[k] = (credit_real)(sqrt(2.0 / n_in) * credit_rng_normal(&rng));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) p->W_rec[i * n + j] = i == j ? 0.0 : (credit_real)(sqrt(2.0 / n) * credit_rng_normal(&rng));
    const double lim = sqrt(6.0 / (n + n_out));
    for (int k = 0; k < n_out * n; k++) p->W_out[k] = (credit_real)(lim * (2 * credit_rng_uniform(&rng) - 1));
    for (int k = 0; k < n_out; k++) p->b_out[k] = (credit_real)(0.1 * credit_rng_normal(&rng));
    for (size_t k = 0; k < (size_t)T * B * n_in; k++) p->x[k] = (credit_real)credit_rng_normal(&rng);
    for (int t = 0; t < T; t++) {
        int scored = mask == MASK_EVERY || t == T - 1 || (mask == MASK_SOME && t % 3 == 1);
        for (int b = 0; b < B; b++) {
            size_t r = (size_t)t * B + b;
            p->mask[r] = scored ? (mask == MASK_SOME ? (credit_real)(0.5 + credit_rng_uniform(&rng)) : 1.0) : 0.0;
            int cls = (int)credit_rng_below(&rng, (uint64_t)n_out);
            for (int k = 0; k < n_out; k++) p->target[r * n_out + k] = mse ? (credit_real)credit_rng_normal(&rng) : k == cls;
        }
    }
    lit_forward(p, &p->w64, NULL, NULL, 1);
}

static void lit_free(lit *p)
{
    free(p->W_in), free(p->x), free(p->target), free(p->mask), free(p->zblock);
    free(p->v), free(p->psi), free(p->L), free(p->y), free(p->dy);
    free(p->rw), free(p->rt);
}

/* Gradients of W_in then W_rec: n x n_in then n x n. */
static size_t grad_len(const lit *p) { return (size_t)p->d.n * (p->d.n_in + p->d.n); }
static double *grad_new(const lit *p) { return calloc(grad_len(p), sizeof(double)); }

/* The true gradient of the literal loss by central differences (h = 1e-5:
 * truncation about h^2, rounding about 1e-16 / h; both far below what the
 * cosines below resolve), the diagonal of W_rec included (the rule's
 * estimate has one; the core zeroes both alike). */
static double *lit_fd_gradient(lit *p)
{
    double *g = grad_new(p);
    const double h = 1e-5;
    for (size_t k = 0; k < grad_len(p); k++) {
        double *wk = p->W_in + k, keep = *wk;
        *wk = keep + h;
        double up = lit_forward(p, &p->w64, NULL, NULL, 0);
        *wk = keep - h;
        double down = lit_forward(p, &p->w64, NULL, NULL, 0);
        *wk = keep;
        g[k] = (up - down) / (2 * h);
    }
    return g;
}

/* ------------------------------------------------------------ the test host */

/* forward_loss on the lit in ctx: the literal pass (in double, on the
 * weights and noise it is given widened; the shares rounded to credit_real
 * as the ABI hands them back). Counts its calls. */
static long forward_calls;
static int host_forward_loss(void *ctx, const credit_weights *w, const credit_real *xi, double *loss, credit_real *per_example)
{
    lit *p = ctx;
    const int n = p->d.n, n_in = p->d.n_in, n_out = p->d.n_out;
    const size_t nin = (size_t)n * n_in, nrec = (size_t)n * n, nout = (size_t)n_out * n;
    double *wb = malloc(sizeof(double) * lit_nw(p)), *per = calloc((size_t)p->B, sizeof(double));
    for (size_t k = 0; k < nin; k++) wb[k] = w->W_in[k];
    for (size_t k = 0; k < nrec; k++) wb[nin + k] = w->W_rec[k];
    for (size_t k = 0; k < nout; k++) wb[nin + nrec + k] = w->W_out[k];
    for (int k = 0; k < n_out; k++) wb[nin + nrec + nout + k] = w->b_out[k];
    const lit_weights w64 = {wb, wb + nin, wb + nin + nrec, wb + nin + nrec + nout};
    double *xi64 = xi ? test_widen(xi, (size_t)p->d.T * p->B * n) : NULL;
    forward_calls++;
    *loss = lit_forward(p, &w64, xi64, per, 0);
    for (int b = 0; per_example && b < p->B; b++) per_example[b] = (credit_real)per[b];
    free(wb), free(per), free(xi64);
    return CREDIT_OK;
}

/* A rule instance on a lit, options "key=value" (others at their defaults). */
typedef struct inst {
    const credit_rule *r;
    credit_host host;
    void *state;
} inst;

static int inst_open(inst *in, const credit_rule *r, lit *p, uint64_t seed, const char *const *setting)
{
    credit_value val[8];
    memset(in, 0, sizeof *in);
    in->r = r;
    if (r->head.n_options > 8) return CREDIT_EINVAL;
    for (uint32_t i = 0; i < r->head.n_options; i++)
        if (credit_option_parse(&r->head.options[i], r->head.options[i].default_value, "default", &val[i])) return CREDIT_EINVAL;
    for (int k = 0; setting && setting[k]; k++) { /* an unknown key fails rather than silently testing the defaults */
        const char *eq = strchr(setting[k], '=');
        uint32_t i = 0;
        while (i < r->head.n_options && !(strlen(r->head.options[i].key) == (size_t)(eq - setting[k]) &&
                                          !strncmp(r->head.options[i].key, setting[k], (size_t)(eq - setting[k]))))
            i++;
        if (i == r->head.n_options || credit_option_parse(&r->head.options[i], eq + 1, "test", &val[i])) return CREDIT_EINVAL;
    }
    in->host = (credit_host){.abi_version = CREDIT_ABI_VERSION, .struct_size = sizeof in->host, .ctx = p, .seed = seed,
                             .log = test_host_log, .error = test_host_error, .alloc = test_host_alloc, .bptt = test_host_no_bptt,
                             .forward_loss = host_forward_loss};
    in->state = calloc(1, r->state_size(&p->d, val));
    return r->init(in->state, &p->d, val, &in->host);
}

static void inst_close(inst *in)
{
    if (in->r && in->r->fini && in->state) in->r->fini(in->state);
    free(in->state);
    in->state = NULL;
}

/* The rule's estimate on the lit (W_in then W_rec), widened to double;
 * NULL on failure. */
static double *inst_grad(inst *in, lit *p)
{
    credit_real *g = calloc(grad_len(p), sizeof(credit_real));
    credit_params gp = {.W_in = g, .W_rec = g + (size_t)p->d.n * p->d.n_in};
    double *wide = in->r->grad(in->state, &p->tr, &p->w, &gp) ? NULL : test_widen(g, grad_len(p));
    free(g);
    return wide;
}


/* ------------------------------------------------------------ kp: literal forms */

#define PSI(u, b, i) p->psi[IDX3(u, b, i, B, n)]
#define PRE(u, b, j) ((j) < n_in ? p->x[IDX3(u, b, j, B, n_in)] : p->zblock[IDX3(u, b, (j) - n_in, B, n)])
#define GRAD(g, i, j) (*((j) < n_in ? &(g)[(size_t)(i) * n_in + (j)] : &(g)[(size_t)n * n_in + (size_t)(i) * n + (j) - n_in]))

/* e-prop with learning signal Bf dy: eps_ij,t = a eps_ij,t-1 + (1-a) pre_j,t,
 * dW_ij += (Bf dy_t)_i psi_i,t eps_ij,t, one synapse at a time. */
static double *literal_kp(const lit *p, const double *Bf)
{
    const int T = p->d.T, B = p->B, n = p->d.n, n_in = p->d.n_in, n_out = p->d.n_out, m = n_in + n;
    const double a = p->d.leak;
    double *g = grad_new(p);
    for (int b = 0; b < B; b++)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                double eps = 0;
                for (int u = 0; u < T; u++) {
                    eps = a * eps + (1 - a) * PRE(u, b, j);
                    double s = 0;
                    for (int k = 0; k < n_out; k++) s += Bf[i * n_out + k] * p->dy[IDX3(u, b, k, B, n_out)];
                    GRAD(g, i, j) += s * PSI(u, b, i) * eps;
                }
            }
    return g;
}

/* One after_update's worth, as rules/kp.c states it: G_out = -step/lr - l2
 * W_before, W_before = W_after - step; B <- B - lr (G_out^T + lambda B). */
static void literal_kp_update(double *Bf, int n, int n_out, const double *W_after, const double *step, double lr, double l2,
                              double lambda)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n_out; k++) {
            double before = W_after[k * n + i] - step[k * n + i];
            double G = -step[k * n + i] / lr - l2 * before;
            Bf[i * n_out + k] -= lr * (G + lambda * Bf[i * n_out + k]);
        }
}

/* An SGD step of the readout as the core takes it, W_out -= lr (G + l2
 * W_out) with G a random stand-in for the task gradient; W_out in place,
 * step and the weights after it returned through u. The weights after the
 * step and the step are credit_real values (as the core's would be): dW is
 * the step the rule is handed, widened. */
typedef struct fake_step {
    double *dW;       /* whole weight block, W_in..b_out */
    credit_real *rdW; /* the same as the rule sees it */
    credit_weights w, step;
    credit_update u;
} fake_step;

static void fake_step_make(fake_step *f, lit *p, credit_rng *rng, double lr, double l2, long iter)
{
    const int n = p->d.n, n_in = p->d.n_in, n_out = p->d.n_out;
    const size_t np = (size_t)n * n_in + (size_t)n * n + (size_t)n_out * n + n_out, out = (size_t)n * n_in + (size_t)n * n;
    f->dW = calloc(np, sizeof(double)); /* steps the lit's weights in place */
    f->rdW = calloc(np, sizeof(credit_real));
    for (size_t k = out; k < out + (size_t)n_out * n; k++) {
        double G = 0.3 * credit_rng_normal(rng), before = p->W_in[k];
        p->W_in[k] = (credit_real)(before - lr * (G + l2 * before));
        f->rdW[k] = (credit_real)(p->W_in[k] - before);
        f->dW[k] = f->rdW[k];
    }
    lit_sync(p);
    f->w = p->w;
    f->step = (credit_weights){f->rdW, f->rdW + n * n_in, f->rdW + out, f->rdW + out + n_out * n};
    f->u = (credit_update){.iter = iter, .lr = lr, .l2 = l2, .w = &f->w, .step = &f->step, .tr = &p->tr};
}

static void fake_step_free(fake_step *f)
{
    free(f->dW);
    free(f->rdW);
}

/* The plugin's saved state (B, n x n_out credit_real values); NULL if its
 * size is not that. */
static credit_real *kp_saved(inst *in, const lit *p)
{
    size_t bytes = in->r->save_size(in->state);
    if (bytes != sizeof(credit_real) * p->d.n * p->d.n_out) return NULL;
    credit_real *Bf = malloc(bytes);
    in->r->save(in->state, Bf);
    return Bf;
}

/* B as the plugin holds it, through save, widened to double. */
static double *kp_B(inst *in, const lit *p)
{
    credit_real *raw = kp_saved(in, p);
    double *Bf = test_widen(raw, (size_t)p->d.n * p->d.n_out);
    free(raw);
    return Bf;
}

static const double leaks[2] = {0.0, 0.7};
enum { SEED_RULE = 4242 };

/* The rules' random feedback (test_random_feedback) widened to double: the
 * literal update moves it in double. */
static double *random_feedback64(const lit *p, uint64_t seed)
{
    credit_real *B = test_random_feedback(p->d.n, p->d.n_out, seed);
    double *Bf = test_widen(B, (size_t)p->d.n * p->d.n_out);
    free(B);
    return Bf;
}

static void test_kp_literal(void)
{
    const credit_rule *kp = credit_rule_entry_kp();
    CHECK(!(kp->head.flags & CREDIT_RULE_EXACT) && (kp->head.flags & CREDIT_RULE_LOCAL) && kp->after_update && kp->save_size &&
              kp->save && kp->load,
          "kp: LOCAL, not EXACT; after_update, save_size, save and load present", "flags %u", kp->head.flags);
    /* The estimate with the initial B, and again after three updates of B. */
    for (int li = 0; li < 2; li++) {
        double worst = 0;
        int failed = 0, worst_case = 0;
        for (int c = 0; c < 2 * N_MASKS; c++) {
            const int mask = c % N_MASKS, mse = c / N_MASKS;
            lit p;
            lit_make(&p, leaks[li], mask, mse, 100 + 10 * li + c);
            inst in;
            double *Bf = random_feedback64(&p, SEED_RULE);
            const char *opt[] = {"decay=0.3", NULL};
            failed |= inst_open(&in, kp, &p, SEED_RULE, opt) != 0;
            double *fast = failed ? NULL : inst_grad(&in, &p), *ref = literal_kp(&p, Bf);
            double e = fast ? test_rel_err(fast, ref, grad_len(&p)) : INFINITY;
            free(fast), free(ref);
            credit_rng rng;
            credit_rng_seed(&rng, 99, c);
            for (long it = 1; it <= 3 && !failed; it++) {
                fake_step f;
                fake_step_make(&f, &p, &rng, 0.05, 0.01, it);
                failed |= kp->after_update(in.state, &f.u) != 0;
                literal_kp_update(Bf, p.d.n, p.d.n_out, p.W_out, f.dW + (p.W_out - p.W_in), 0.05, 0.01, 0.3);
                fake_step_free(&f);
            }
            /* the readout moved: rebuild the trajectory's dy at the new weights */
            lit_forward(&p, &p.w64, NULL, NULL, 1);
            fast = failed ? NULL : inst_grad(&in, &p);
            ref = literal_kp(&p, Bf);
            double e2 = fast ? test_rel_err(fast, ref, grad_len(&p)) : INFINITY;
            if (e2 > e) e = e2;
            if (!(e <= worst)) worst = e, worst_case = c;
            free(fast), free(ref), free(Bf);
            inst_close(&in);
            lit_free(&p);
        }
        char name[200];
        /* float: B dy, the trace filtered over T = 7 steps and one product
         * over T*B = 28 rows in float, on a trajectory and a B (3 updates)
         * rounded to float: a few eps grown by about sqrt(28), measured 2.0e-7. */
        const double tol = test_tol(1e-12, 1e-6);
        snprintf(name, sizeof name,
                 "kp = literal e-prop with learning signal B dy, B random then after 3 updates, to %g (leak %.1f, xent and mse, "
                 "loss on last/every/some steps)",
                 tol, leaks[li]);
        CHECK(!failed && worst <= tol, name, "relative error %.3g (%s, %s)%s", worst, mask_names[worst_case % N_MASKS],
              worst_case / N_MASKS ? "mse" : "xent", failed ? ", a hook failed" : "");
    }
}

/* after_update against the literal formula, the contraction of B - W_out^T,
 * lr = 0, and save/load. */
static void test_kp_update(void)
{
    const credit_rule *kp = credit_rule_entry_kp();
    lit p;
    lit_make(&p, 0.0, MASK_LAST, 0, 200);
    const int n = p.d.n, n_out = p.d.n_out, nb = n * n_out;
    const size_t out = (size_t)(p.W_out - p.W_in);
    credit_rng rng;
    credit_rng_seed(&rng, 201, 0);
    inst in;
    const char *opt[] = {"decay=0.02", NULL};
    int st = inst_open(&in, kp, &p, SEED_RULE, opt);
    double *Bf = random_feedback64(&p, SEED_RULE), worst = 0;
    for (long it = 1; it <= 5 && !st; it++) {
        double *before = kp_B(&in, &p);
        fake_step f;
        fake_step_make(&f, &p, &rng, 0.1, 0.01, it);
        st |= kp->after_update(in.state, &f.u);
        literal_kp_update(Bf, n, n_out, p.W_out, f.dW + out, 0.1, 0.01, 0.02);
        double *after = kp_B(&in, &p), dfast[64], dlit[64];
        for (int k = 0; k < nb; k++) dfast[k] = after[k] - before[k], dlit[k] = Bf[k] - before[k];
        double e = test_rel_err(dfast, dlit, (size_t)nb);
        if (!(e <= worst)) worst = e;
        memcpy(Bf, after, sizeof(double) * nb); /* the next step starts from the plugin's B */
        free(before), free(after), fake_step_free(&f);
    }
    /* float: the new B is rounded to float (eps |B|), about 20 times the
     * change |lr (G + lambda B)| here, so 20 eps = 1.2e-6 of the change;
     * measured 6.2e-7. */
    const double tol_change = test_tol(1e-12, 2e-6);
    char name_change[200];
    snprintf(name_change, sizeof name_change,
             "kp after_update: the change of B is -lr (G_out^T + lambda B), G_out = -step/lr - l2 W_before, to %g", tol_change);
    CHECK(!st && worst <= tol_change, name_change,
          "relative error of the change %.3g (status %d)", worst, st);
    free(Bf);
    inst_close(&in);

    /* D = B - W_out^T: with lambda = l2 it contracts by (1 - lr lambda) per
     * SGD step; with lambda != l2, D <- (1 - lr lambda) D + lr (l2 - lambda) W_before^T. */
    const double lams[2] = {0.01, 0.05}, l2 = 0.01, lr = 0.1;
    for (int c = 0; c < 2; c++) {
        const char *o[] = {c ? "decay=0.05" : "decay=0.01", NULL};
        st = inst_open(&in, kp, &p, SEED_RULE, o);
        double worst_c = 0, D[64], Dn[64], pred[64], ratio = 0;
        for (long it = 1; it <= 20 && !st; it++) {
            double *Bb = kp_B(&in, &p), Wb[64];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < n_out; k++) Wb[i * n_out + k] = p.W_out[k * n + i], D[i * n_out + k] = Bb[i * n_out + k] - Wb[i * n_out + k];
            fake_step f;
            fake_step_make(&f, &p, &rng, lr, l2, it);
            st |= kp->after_update(in.state, &f.u);
            double *Ba = kp_B(&in, &p);
            for (int i = 0; i < n; i++)
                for (int k = 0; k < n_out; k++) {
                    Dn[i * n_out + k] = Ba[i * n_out + k] - p.W_out[k * n + i];
                    pred[i * n_out + k] = (1 - lr * lams[c]) * D[i * n_out + k] + lr * (l2 - lams[c]) * Wb[i * n_out + k];
                }
            double e = test_rel_err(Dn, pred, (size_t)nb);
            if (!(e <= worst_c)) worst_c = e;
            ratio = sqrt(cblas_ddot(nb, Dn, 1, Dn, 1) / cblas_ddot(nb, D, 1, D, 1));
            free(Bb), free(Ba), fake_step_free(&f);
        }
        char name[200];
        /* float: one rounding of B per step (eps |B|, |B| about |D| here):
         * measured 2.5e-8 (the ratio to 2.4e-9). */
        const double tol = test_tol(1e-12, 2e-7);
        if (c == 0)
            snprintf(name, sizeof name, "kp: with decay = l2, B - W_out^T contracts by exactly (1 - lr lambda) per SGD step (20 steps, %g)", tol);
        else
            snprintf(name, sizeof name, "kp: with decay != l2, B - W_out^T follows (1 - lr lambda) D + lr (l2 - lambda) W_out^T (20 steps, %g)", tol);
        CHECK(!st && worst_c <= tol && (c || fabs(ratio - (1 - lr * lams[0])) <= tol), name,
              "relative error %.3g, last |D'|/|D| %.15g (status %d)", worst_c, ratio, st);
        inst_close(&in);
    }

    /* lr = 0 (a schedule's zero): nothing moves, B included. */
    st = inst_open(&in, kp, &p, SEED_RULE, NULL);
    double *b0 = kp_B(&in, &p);
    {
        credit_real *dW = calloc(out + (size_t)n_out * n + n_out, sizeof(credit_real));
        credit_weights stp = {dW, dW + p.d.n * p.d.n_in, dW + out, dW + out + n_out * n};
        credit_update u = {.iter = 1, .lr = 0.0, .l2 = 0.01, .w = &p.w, .step = &stp, .tr = &p.tr};
        st |= kp->after_update(in.state, &u);
        free(dW);
    }
    double *b1 = kp_B(&in, &p);
    CHECK(!st && b0 && b1 && !memcmp(b0, b1, sizeof(double) * nb), "kp: a step at lr = 0 leaves B as it is", "status %d", st);
    free(b0), free(b1);

    /* save, load into a fresh instance: the same estimate, bit for bit; a
     * state of the wrong size is refused with a message. */
    for (long it = 1; it <= 3 && !st; it++) {
        fake_step f;
        fake_step_make(&f, &p, &rng, 0.1, 0.01, it);
        st |= kp->after_update(in.state, &f.u);
        fake_step_free(&f);
    }
    lit_forward(&p, &p.w64, NULL, NULL, 1);
    inst fresh;
    st |= inst_open(&fresh, kp, &p, SEED_RULE, NULL);
    credit_real *saved = kp_saved(&in, &p);
    double *g_fresh0 = inst_grad(&fresh, &p);
    st |= saved ? kp->load(fresh.state, saved, sizeof(credit_real) * nb) : 1;
    double *g_in = inst_grad(&in, &p), *g_fresh = inst_grad(&fresh, &p);
    int same = g_in && g_fresh && !memcmp(g_in, g_fresh, sizeof(double) * grad_len(&p));
    int differs = g_fresh0 && g_in && memcmp(g_in, g_fresh0, sizeof(double) * grad_len(&p)) != 0;
    credit_error_clear();
    int bad = saved ? kp->load(fresh.state, saved, sizeof(credit_real) * nb - 1) : 0;
    CHECK(!st && same && differs, "kp: save then load into a fresh instance gives the updated estimate, bit for bit",
          "status %d, same %d, differs from the unloaded %d", st, same, differs);
    CHECK(bad && strstr(credit_error_message(), "kp: saved state of"), "kp: load refuses a state of the wrong size, saying so",
          "status %d, '%s'", bad, credit_error_message());
    free(saved), free(g_fresh0), free(g_in), free(g_fresh);
    inst_close(&fresh);
    inst_close(&in);
    lit_free(&p);
}

/* ------------------------------------------------------------ nodepert: literal forms */

/* The noise of rules/README.md: stream 1 + iter of the rule's seed, samples
 * consecutive [T][B][n] blocks of N(0, sigma^2), each filled by Box-Muller
 * pairs: two uniforms u1, u2 give sqrt(-2 log(1 - u1)) times cos(2 pi u2)
 * and sin(2 pi u2) at entries 2k and 2k+1 (an odd last entry: the cosine). */
static double *nodepert_noise(const lit *p, uint64_t seed, long iter, long samples, double sigma)
{
    const size_t len = (size_t)p->d.T * p->B * p->d.n;
    double *xi = malloc(sizeof(double) * len * samples);
    credit_rng rng;
    credit_rng_seed(&rng, seed, 1 + (uint64_t)iter);
    for (long s = 0; s < samples; s++)
        for (size_t k = 0; 2 * k < len; k++) {
            double u1 = credit_rng_uniform(&rng), u2 = credit_rng_uniform(&rng);
            double radius = sqrt(-2.0 * log(1.0 - u1)), angle = 2.0 * acos(-1.0) * u2;
            xi[s * len + 2 * k] = sigma * radius * cos(angle);
            if (2 * k + 1 < len) xi[s * len + 2 * k + 1] = sigma * radius * sin(angle);
        }
    return xi;
}

/* dW_ij = 1/S sum_s sum_b sum_t ((L_b(xi^s) - L_b(0)) / sigma^2) xi^s_b,t,i pre_b,t,j with
 * every loss from the literal perturbed forward pass and pre from the
 * literal clean one, one synapse at a time. */
static double *literal_nodepert(lit *p, uint64_t seed, long iter, long samples, double sigma)
{
    const int T = p->d.T, B = p->B, n = p->d.n, n_in = p->d.n_in, m = n_in + n;
    const size_t len = (size_t)T * B * n;
    double *xi = nodepert_noise(p, seed, iter, samples, sigma), *g = grad_new(p);
    double *L0 = calloc((size_t)B, sizeof(double)), *Ls = calloc((size_t)B, sizeof(double));
    lit_forward(p, &p->w64, NULL, L0, 1); /* also the trajectory the pre factor reads */
    for (long s = 0; s < samples; s++) {
        const double *x = xi + len * s;
        lit_forward(p, &p->w64, x, Ls, 0);
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < m; j++)
                        GRAD(g, i, j) += (Ls[b] - L0[b]) / (sigma * sigma) * x[IDX3(t, b, i, B, n)] * PRE(t, b, j) / samples;
    }
    free(xi), free(L0), free(Ls);
    return g;
}

static void test_nodepert_literal(void)
{
    const credit_rule *np = credit_rule_entry_nodepert();
    CHECK(!(np->head.flags & CREDIT_RULE_EXACT) && (np->head.flags & CREDIT_RULE_LOCAL) && np->after_update && np->save_size &&
              np->save && np->load,
          "nodepert: LOCAL, not EXACT; after_update, save_size, save and load present", "flags %u", np->head.flags);
    const struct { const char *opt[3]; long samples; double sigma; long iter; } cases[] = {
        {{"sigma=0.1", NULL}, 1, 0.1, 0},
        {{"sigma=0.3", "samples=3", NULL}, 3, 0.3, 6},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (int li = 0; li < 2; li++) {
            double worst = 0;
            int failed = 0, worst_case = 0;
            for (int q = 0; q < 2 * N_MASKS; q++) {
                lit p;
                lit_make(&p, leaks[li], q % N_MASKS, q / N_MASKS, 300 + 10 * li + q);
                inst in;
                failed |= inst_open(&in, np, &p, SEED_RULE, cases[c].opt) != 0;
                if (!failed && cases[c].iter) { /* the iteration count names the noise */
                    credit_update u = {.iter = cases[c].iter, .lr = 0.1, .w = &p.w, .step = &p.w, .tr = &p.tr};
                    failed |= np->after_update(in.state, &u) != 0;
                }
                double *fast = failed ? NULL : inst_grad(&in, &p);
                double *ref = literal_nodepert(&p, SEED_RULE, cases[c].iter, cases[c].samples, cases[c].sigma);
                double e = fast ? test_rel_err(fast, ref, grad_len(&p)) : INFINITY;
                failed |= !fast;
                if (!(e <= worst)) worst = e, worst_case = q;
                free(fast), free(ref);
                inst_close(&in);
                lit_free(&p);
            }
            char name[240];
            /* float: the shares L_b come back as floats (eps |L_b|) and the
             * estimate divides their differences, about sigma times the
             * loss, by sigma^2: eps / sigma and more where L_b changes
             * little (loss on the last step only). Measured 4.1e-6 at sigma
             * 0.1, 8.8e-7 at sigma 0.3 (5e-7 at most with the literal
             * shares rounded to float too: the rest is the rule's sums). */
            const double tol = test_tol(1e-12, 1e-6 / cases[c].sigma);
            snprintf(name, sizeof name,
                     "nodepert %s%s%s at iteration %ld = literal perturbed forward passes and per-synapse sums, to %.2g (leak %.1f, "
                     "xent and mse, loss on last/every/some steps)",
                     cases[c].opt[0], cases[c].opt[1] ? " " : "", cases[c].opt[1] ? cases[c].opt[1] : "", cases[c].iter, tol, leaks[li]);
            CHECK(!failed && worst <= tol, name, "relative error %.3g (%s, %s)%s", worst, mask_names[worst_case % N_MASKS],
                  worst_case / N_MASKS ? "mse" : "xent", failed ? ", a hook failed" : "");
        }
}

/* The noise depends on the seed and the iteration count only: grad twice
 * gives the same bits, samples + 1 forward passes each; after_update to
 * another iteration changes it; save/load carries the count. */
static void test_nodepert_noise(void)
{
    const credit_rule *np = credit_rule_entry_nodepert();
    lit p;
    lit_make(&p, 0.5, MASK_EVERY, 0, 400);
    inst a, b;
    const char *opt[] = {"samples=4", NULL};
    int st = inst_open(&a, np, &p, SEED_RULE, opt) | inst_open(&b, np, &p, SEED_RULE, opt);
    long calls0 = forward_calls;
    double *g1 = inst_grad(&a, &p), *g2 = inst_grad(&a, &p);
    long calls = forward_calls - calls0;
    credit_update u = {.iter = 17, .lr = 0.1, .w = &p.w, .step = &p.w, .tr = &p.tr};
    st |= np->after_update(a.state, &u);
    double *g3 = inst_grad(&a, &p);
    size_t bytes = np->save_size(a.state);
    unsigned char buf[64];
    st |= bytes <= sizeof buf ? np->save(a.state, buf) : 1;
    st |= np->load(b.state, buf, bytes);
    double *g4 = inst_grad(&b, &p);
    const size_t gb = sizeof(double) * grad_len(&p);
    int ok = !st && g1 && g2 && g3 && g4;
    CHECK(ok && !memcmp(g1, g2, gb) && calls == 2 * 5, "nodepert: grad twice at one iteration gives the same bits, samples + 1 forward passes each",
          "status %d, %ld forward passes", st, calls);
    CHECK(ok && memcmp(g1, g3, gb) && !memcmp(g3, g4, gb), "nodepert: another iteration draws other noise; save/load carries the iteration",
          "status %d", st);
    credit_error_clear();
    int bad = np->load(b.state, buf, bytes + 1);
    CHECK(bad && strstr(credit_error_message(), "nodepert: saved state of"), "nodepert: load refuses a state of the wrong size, saying so",
          "status %d, '%s'", bad, credit_error_message());
    free(g1), free(g2), free(g3), free(g4);
    inst_close(&a);
    inst_close(&b);
    lit_free(&p);
}

/* The estimate approaches the true gradient as samples grow and sigma
 * shrinks. With S samples the estimate is the gradient plus noise of about
 * D/S times its squared norm (D about T n = 42 noise dimensions per example),
 * so the cosine should be near sqrt(S / (S + D)): 0.3, 0.78, 0.98 for S = 4,
 * 64, 1024; it must rise and end above 0.9. Seed SEED_RULE, iteration 0. */
static void test_nodepert_converges(void)
{
    const credit_rule *np = credit_rule_entry_nodepert();
    const struct { const char *sigma, *samples; } sched[] = {{"sigma=0.3", "samples=4"}, {"sigma=0.03", "samples=64"}, {"sigma=0.003", "samples=1024"}};
    for (int li = 0; li < 2; li++) {
        lit p;
        lit_make(&p, leaks[li], MASK_EVERY, 0, 500 + li);
        double *exact = lit_fd_gradient(&p), cos[3] = {0};
        int st = 0;
        for (int k = 0; k < 3; k++) {
            inst in;
            const char *opt[] = {sched[k].sigma, sched[k].samples, NULL};
            st |= inst_open(&in, np, &p, SEED_RULE, opt);
            double *g = st ? NULL : inst_grad(&in, &p);
            cos[k] = g ? CREDIT_F64(credit_cosine)(g, exact, grad_len(&p)) : NAN;
            free(g);
            inst_close(&in);
        }
        char name[200];
        snprintf(name, sizeof name,
                 "nodepert approaches the true gradient: cosine rises over (sigma, samples) = (0.3, 4), (0.03, 64), (0.003, 1024), "
                 "ends > 0.9 (leak %.1f)",
                 leaks[li]);
        CHECK(!st && cos[0] < cos[1] && cos[1] < cos[2] && cos[2] > 0.9, name, "cosines %.4f %.4f %.4f", cos[0], cos[1], cos[2]);
        free(exact);
        lit_free(&p);
    }
}

/* ------------------------------------------------------------ through the core */

/* nodepert in a session: its losses come from the core's forward_loss, the
 * reference from the literal pass on the same batch and weights, with the
 * rule's seed as the session derived it. W_rec's diagonal is the core's
 * (zero); l2 = 0 so the rest is the rule's estimate alone. */
static void test_nodepert_session(void)
{
    for (int variant = 0; variant < 2; variant++) {
        char pathkv[400];
        snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(variant));
        const char *kv[] = {"rule=nodepert", "task=file", pathkv, "n=6", "batch=4", "l2=0", variant ? "leak=0.6" : "leak=0",
                            "sigma=0.2", "samples=3", "progress=0", NULL};
        credit_session s;
        char name[200];
        /* float: as in test_nodepert_literal, the shares differenced over
         * sigma^2, here from the core's float forward pass: measured 7.1e-7
         * at sigma 0.2. */
        const double tol = test_tol(1e-12, 1e-6 / 0.2);
        snprintf(name, sizeof name, "nodepert in a session (the core's forward_loss) = literal perturbed forward passes to %g (%s)", tol,
                 variant ? "mse, leak 0.6" : "xent, no leak");
        int st = test_session(&s, kv);
        if (!CHECK(st == 0, name, "session: %s", credit_error_message())) { credit_session_close(&s); continue; }
        const int B = 4;
        double loss;
        for (int b = 0; b < B; b++) s.index[b] = (uint64_t)(3 * b + 1);
        st |= credit_session_batch(&s, CREDIT_SPLIT_TRAIN, s.index, B, &loss, NULL, NULL);
        st |= credit_session_gradient(&s, 0, NULL);
        lit p;
        lit_alloc(&p, &s.dims, B, s.info.loss == CREDIT_LOSS_MSE);
        const int n = p.d.n, n_in = p.d.n_in, n_out = p.d.n_out, T = p.d.T;
        /* the session's weights and batch, widened */
        for (int k = 0; k < n * n_in; k++) p.W_in[k] = s.w.W_in[k];
        for (int k = 0; k < n * n; k++) p.W_rec[k] = s.w.W_rec[k];
        for (int k = 0; k < n_out * n; k++) p.W_out[k] = s.w.W_out[k];
        for (int k = 0; k < n_out; k++) p.b_out[k] = s.w.b_out[k];
        for (int k = 0; k < T * B * n_in; k++) p.x[k] = s.fwd.x[k];
        for (int k = 0; k < T * B * n_out; k++) p.target[k] = s.fwd.target[k];
        for (int k = 0; k < T * B; k++) p.mask[k] = s.fwd.mask[k];
        double *ref = literal_nodepert(&p, s.rule_host.seed, 0, 3, 0.2), *fast = grad_new(&p);
        for (int i = 0; i < n; i++) ref[(size_t)n * n_in + (size_t)i * (n + 1)] = 0;
        for (int k = 0; k < n * n_in; k++) fast[k] = s.g.W_in[k];
        for (int k = 0; k < n * n; k++) fast[n * n_in + k] = s.g.W_rec[k];
        double e = test_rel_err(fast, ref, grad_len(&p));
        CHECK(!st && e <= tol, name, "relative error %.3g (status %d: %s)", e, st, credit_error_message());
        free(ref), free(fast);
        lit_free(&p);
        credit_session_close(&s);
    }
}

/* The same rise against the core's BPTT, in a session on the file task
 * (W_in and W_rec, the diagonal zeroed in both, l2 = 0; run seed 1, the
 * default, iteration 0). */
static void test_nodepert_converges_to_bptt(void)
{
    const char *sched[][2] = {{"sigma=0.3", "samples=4"}, {"sigma=0.03", "samples=64"}, {"sigma=0.003", "samples=1024"}};
    char pathkv[400];
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
    double cos[3] = {NAN, NAN, NAN};
    int st = 0;
    for (int k = 0; k < 3; k++) {
        const char *kv[] = {"rule=nodepert", sched[k][0], sched[k][1], "task=file", pathkv, "n=6", "batch=4", "l2=0", "leak=0.5",
                            "progress=0", NULL};
        credit_session s;
        st |= test_session(&s, kv);
        double loss;
        for (int b = 0; b < 4 && !st; b++) s.index[b] = (uint64_t)(5 * b + 2);
        if (!st) st |= credit_session_batch(&s, CREDIT_SPLIT_TRAIN, s.index, 4, &loss, NULL, NULL);
        const size_t m = st ? 0 : (size_t)(s.w.W_out - s.theta); /* W_in and W_rec lead the block */
        double *est = calloc(m + 1, sizeof(double)), *exact = calloc(m + 1, sizeof(double));
        if (!st) st |= credit_session_gradient(&s, 0, NULL);
        for (size_t q = 0; q < m && !st; q++) est[q] = s.grad[q]; /* widened: the cosine in double */
        if (!st) st |= credit_session_gradient(&s, 1, NULL);
        for (size_t q = 0; q < m && !st; q++) exact[q] = s.grad[q];
        if (!st) cos[k] = CREDIT_F64(credit_cosine)(est, exact, m);
        free(est), free(exact);
        credit_session_close(&s);
    }
    CHECK(!st && cos[0] < cos[1] && cos[1] < cos[2] && cos[2] > 0.9,
          "nodepert in a session approaches the core's BPTT: cosine rises over (sigma, samples) = (0.3, 4), (0.03, 64), (0.003, 1024), "
          "ends > 0.9",
          "cosines %.4f %.4f %.4f (status %d: %s)", cos[0], cos[1], cos[2], st, credit_error_message());
}

/* test_run of a printf-formatted command list, output of all of it. */
static int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(char **out, const char *fmt, ...)
{
    char cmd[6000] = "{ ";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd + 2, sizeof cmd - 8, fmt, ap);
    va_end(ap);
    strcat(cmd, "; }");
    return test_run(cmd, out);
}

/* The non-provenance lines of DIR/FILE ("" if missing); caller frees. */
static char *body_of(const char *dir, const char *file)
{
    char *text = test_slurp(dir, file), *body = test_body(text);
    free(text);
    return body;
}

/* Train N iterations straight, and again killed (SIGKILL at a crash point
 * two thirds through, after checkpoints holding the rule's state) then
 * resumed with resume=1: the directories must be the same, file for file. */
static void check_resume(const char *tag, const char *rule, const char *extra)
{
    const char *tmp = test_tmp(), *root = test_root();
    char ref[600], run[600], args[2000], name[200];
    snprintf(ref, sizeof ref, "%s/rules2_%s_ref", tmp, tag);
    snprintf(run, sizeof run, "%s/rules2_%s_run", tmp, tag);
    snprintf(args, sizeof args,
             "rule=%s %s task=file path=%s n=8 batch=8 lr=0.02 l2=0.01 iters=30 eval_every=10 checkpoint_every=4 progress=0", rule, extra,
             test_seq_file(0));
    char *out = NULL;
    /* Both trained into the same path: config.txt records out. */
    int rc = sh(&out, "rm -rf %s %s; CREDIT_CRASH_AT=1000000000 %s/bin/credit train %s out=%s && mv %s %s", ref, run, root, args, run, run, ref);
    const char *at = out ? strstr(out, "credit: crash points ") : NULL;
    long points = at ? strtol(at + 21, NULL, 10) : -1;
    free(out);
    int killed = sh(NULL, "rm -rf %s; CREDIT_CRASH_AT=%ld %s/bin/credit train %s out=%s", run, 2 * points / 3, root, args, run);
    int partial = sh(NULL, "[ -f %s/checkpoint.bin ] && [ ! -f %s/metrics.tsv ]", run, run);
    int resumed = sh(&out, "%s/bin/credit train %s out=%s resume=1 && diff -r %s %s", root, args, run, ref, run);
    snprintf(name, sizeof name, "%s %s: killed two thirds through and resumed from its checkpoint, the run is bit-identical", rule, extra);
    CHECK(rc == 0 && points > 0 && killed == 128 + 9 && partial == 0 && resumed == 0, name,
          "reference exit %d (%ld points), kill exit %d, partial %d, resume+diff %d: %.500s", rc, points, killed, partial, resumed,
          out ? out : "");
    free(out);
}

static void test_resume_and_training(void)
{
    check_resume("kp", "kp", "decay=0.05");
    check_resume("kp_adam", "kp", "decay=0.05 optimizer=adam");
    check_resume("nodepert", "nodepert", "samples=2 sigma=0.01");

    /* kp's B moves in training: with its after_update it is not e-prop with
     * the fixed random B it starts from (the same stream of the same seed). */
    const char *tmp = test_tmp(), *root = test_root();
    char a[600], b[600], c[600], args[2000];
    snprintf(a, sizeof a, "%s/rules2_kp_ref", tmp);
    snprintf(b, sizeof b, "%s/rules2_eprop_random", tmp);
    snprintf(args, sizeof args, "task=file path=%s n=8 batch=8 lr=0.02 l2=0.01 iters=30 eval_every=10 checkpoint_every=4 progress=0",
             test_seq_file(0));
    int rc = sh(NULL, "%s/bin/credit train rule=eprop feedback=random %s out=%s", root, args, b);
    char *wa = body_of(a, "weights.tsv"), *wb = body_of(b, "weights.tsv");
    CHECK(rc == 0 && *wa && *wb && strcmp(wa, wb) != 0, "kp trains otherwise than eprop feedback=random from the same B (B is learned)",
          "exit %d", rc);
    free(wa), free(wb);

    /* nodepert's measurements call grad (gamma, the Jacobian) but never move
     * its noise: training with curvature rows is training without. */
    snprintf(c, sizeof c, "%s/rules2_nodepert_curv", tmp);
    rc = sh(NULL, "%s/bin/credit train rule=nodepert samples=2 sigma=0.01 %s curvature_every=7 hessian_batch=8 hessian_k=1 "
                  "hessian_maxiter=8 jacobian_k=2 jacobian_nev=1 out=%s",
            root, args, c);
    snprintf(a, sizeof a, "%s/rules2_nodepert_ref", tmp);
    char *w0 = body_of(a, "weights.tsv"), *w1 = body_of(c, "weights.tsv"), *c0 = body_of(a, "curve.tsv"), *c1 = body_of(c, "curve.tsv");
    char *rows = body_of(c, "curvature.tsv");
    CHECK(rc == 0 && *w0 && !strcmp(w0, w1) && !strcmp(c0, c1) && strlen(rows) > 0,
          "nodepert: curvature_every (gamma and the Jacobian call grad) leaves training bit-identical", "exit %d, curvature rows '%.200s'",
          rc, rows);
    free(w0), free(w1), free(c0), free(c1), free(rows);

    /* Both learn the file task: the training loss falls to below half. */
    const char *rules[][2] = {{"kp", ""}, {"nodepert", "samples=4"}};
    for (int r = 0; r < 2; r++) {
        snprintf(c, sizeof c, "%s/rules2_%s_learns", tmp, rules[r][0]);
        rc = sh(NULL, "%s/bin/credit train rule=%s %s task=file path=%s n=16 batch=16 lr=0.05 iters=300 eval_every=300 leak=0.5 progress=0 out=%s",
                root, rules[r][0], rules[r][1], test_seq_file(0), c);
        char *curve = body_of(c, "curve.tsv"), *metrics = body_of(c, "metrics.tsv");
        double first = NAN, last = NAN;
        const char *row0 = strstr(curve, "\n0\t"), *tl = strstr(metrics, "train_loss\t");
        if (row0) sscanf(row0 + 1, "%*s %*s %*s %*s %lf", &first);
        if (tl) last = strtod(tl + 11, NULL);
        char name[200];
        snprintf(name, sizeof name, "%s %s lowers the training loss of the file task to below half (300 iterations)", rules[r][0], rules[r][1]);
        CHECK(rc == 0 && last < 0.5 * first, name, "exit %d, train loss %.4g -> %.4g", rc, first, last);
        free(curve), free(metrics);
    }
}

/* With the readout frozen only the rule's estimate moves the weights (the
 * exact readout gradient would lower the loss alone): nodepert must still
 * halve the file task's training loss. The loop is test_rules.c's; the
 * iteration count reaches the rule as after_update would give it (setting
 * it again is harmless should the session do so too). */
static void test_nodepert_frozen_readout(void)
{
    char pathkv[400];
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
    const char *kv[] = {"rule=nodepert", "samples=4", "task=file", pathkv, "n=16", "batch=16", "lr=0.05", "progress=0", "leak=0.5", NULL};
    credit_session s;
    int st = test_session(&s, kv);
    double before = NAN, after = NAN, acc, loss, l2;
    if (!st) st = credit_session_evaluate(&s, CREDIT_SPLIT_TRAIN, &before, &acc);
    const size_t readout = st ? 0 : (size_t)(s.w.W_out - s.theta);
    for (long k = 0; k < 300 && !st; k++) {
        credit_session_batch_index(&s, k, s.index, 16);
        st |= credit_session_batch(&s, CREDIT_SPLIT_TRAIN, s.index, 16, &loss, NULL, NULL);
        st |= credit_session_gradient(&s, 0, &l2);
        memset(s.grad + readout, 0, sizeof *s.grad * (s.n_params - readout));
        credit_session_update(&s, credit_session_lr(&s, k));
        credit_weights w = {s.w.W_in, s.w.W_rec, s.w.W_out, s.w.b_out};
        credit_update u = {.iter = k + 1, .lr = credit_session_lr(&s, k), .l2 = s.o.l2, .w = &w, .step = &w};
        st |= s.rule->after_update(s.rule_state, &u);
    }
    if (!st) st = credit_session_evaluate(&s, CREDIT_SPLIT_TRAIN, &after, &acc);
    CHECK(!st && after < 0.5 * before, "nodepert samples=4 lowers the training loss of the file task to half with the readout frozen",
          "train loss %.4g -> %.4g (status %d: %s)", before, after, st, credit_error_message());
    credit_session_close(&s);
}

/* End to end through credit train: with decay = l2 under SGD the run's
 * final B - W_out^T is (1 - lr lambda)^N times the initial one (B from the
 * final checkpoint, read back into a session, against the fresh session's
 * B and weights), whatever the batches did to W_out. */
static void test_kp_contracts_in_training(void)
{
    char dir[600], pathkv[400], outkv[700], cmd[2000];
    snprintf(dir, sizeof dir, "%s/rules2_kp_contract", test_tmp());
    snprintf(pathkv, sizeof pathkv, "path=%s", test_seq_file(0));
    snprintf(outkv, sizeof outkv, "out=%s", dir);
    const char *kv[] = {"rule=kp", "decay=0.1", "l2=0.1", "lr=0.05", "iters=40", "task=file", pathkv, "n=8", "batch=8",
                        "eval_every=20", "checkpoint_every=20", "progress=0", outkv, NULL};
    size_t len = 0;
    for (int k = 0; kv[k]; k++) len += (size_t)snprintf(cmd + len, sizeof cmd - len, "%s ", kv[k]);
    char *out = NULL;
    int rc = sh(&out, "rm -rf %s; %s/bin/credit train %s", dir, test_root(), cmd);
    free(out);
    credit_session s0, s1;
    int st = test_session(&s0, kv) | test_session(&s1, kv);
    char ckpt[700];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", dir);
    credit_ckpt_info info = {0, 0, 0};
    if (!st) st = credit_ckpt_read(&s1, ckpt, &info);
    const int n = s0.dims.n, n_out = s0.dims.n_out, nb = n * n_out;
    credit_real B0r[256], B1r[256];
    double B0[256], B1[256], D0[256], D1[256];
    if (!st && nb <= 256 && s0.rule->save_size(s0.rule_state) == sizeof(credit_real) * nb) {
        s0.rule->save(s0.rule_state, B0r);
        s1.rule->save(s1.rule_state, B1r);
        for (int k = 0; k < nb; k++) B0[k] = B0r[k], B1[k] = B1r[k];
    } else st |= CREDIT_EINVAL;
    const double factor = pow(1 - 0.05 * 0.1, (double)info.iteration);
    for (int i = 0; i < n && !st; i++)
        for (int k = 0; k < n_out; k++) {
            D0[i * n_out + k] = factor * (B0[i * n_out + k] - s0.w.W_out[k * n + i]);
            D1[i * n_out + k] = B1[i * n_out + k] - s1.w.W_out[k * n + i];
        }
    double e = st ? INFINITY : test_rel_err(D1, D0, (size_t)nb), moved = st ? 0 : test_rel_err(B1, B0, (size_t)nb);
    /* float: B and W_out each rounded to float once per step, 40 steps: up to
     * 40 eps = 2.4e-6 of |B| (about |D|), about sqrt(40) eps if the
     * roundings are independent; measured 1.5e-7. */
    const double tol = test_tol(1e-10, 1e-6);
    char name[200];
    snprintf(name, sizeof name,
             "kp in credit train: B - W_out^T after 40 SGD steps is (1 - lr lambda)^40 times the initial one (decay = l2), to %g", tol);
    CHECK(rc == 0 && !st && info.iteration == 40 && e <= tol && moved > 1e-3, name,
          "exit %d, status %d (%s), iteration %ld, relative error %.3g, B moved by %.3g", rc, st, credit_error_message(), info.iteration,
          e, moved);
    credit_session_close(&s0);
    credit_session_close(&s1);
}

void test_rules2(void)
{
    test_kp_literal();
    test_kp_update();
    test_kp_contracts_in_training();
    test_nodepert_literal();
    test_nodepert_noise();
    test_nodepert_converges();
    test_nodepert_session();
    test_nodepert_converges_to_bptt();
    test_nodepert_frozen_readout();
    test_resume_and_training();
}
