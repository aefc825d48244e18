/* net.h - the leaky ReLU rate network: parameters, forward pass, task loss,
 * exact gradients (readout, BPTT, L2).
 *
 *   v_t = a v_{t-1} + (1 - a) (W_rec z_{t-1} + W_in x_t),   v_0 = z_0 = 0
 *   z_t = relu(v_t),  psi_t = 1[v_t > 0],  y_t = W_out z_t + b_out
 *
 * All parameters live in one flat block; credit_params are named views into
 * it, and a gradient or optimizer moment is another block of the same layout.
 */
/* Guarded per side: a single-precision build declares the double side too
 * (core/f64.h). */
#ifdef CREDIT_F64_SIDE
#ifndef CREDIT_NET_F64_H
#define CREDIT_NET_F64_H
#define CREDIT_NET_BODY
#endif
#elif !defined(CREDIT_NET_H)
#define CREDIT_NET_H
#define CREDIT_NET_BODY
#endif
#ifdef CREDIT_NET_BODY
#undef CREDIT_NET_BODY

#include "credit.h"
#include "params.h"

/* The views of the flat block, laid out as params.h's table says. */
credit_params credit_params_view(credit_real *block, const credit_dims *d);
/* Block b of a view (b: CREDIT_BLOCK_*), and the slot holding it. */
static inline credit_real *credit_params_block(const credit_params *p, int b)
{
    return *(credit_real *const *)((const char *)p + credit_blocks[b].member);
}
static inline credit_real **credit_params_slot(credit_params *p, int b)
{
    return (credit_real **)((char *)p + credit_blocks[b].member);
}
static inline const credit_real *credit_weights_block(const credit_weights *w, int b)
{
    return *(const credit_real *const *)((const char *)w + credit_blocks[b].member);
}
/* The read-only view of the same blocks (what plugins are given). */
static inline credit_weights credit_weights_of(const credit_params *p)
{
    credit_weights w;
    for (int b = 0; b < CREDIT_N_BLOCKS; b++) *(const credit_real **)((char *)&w + credit_blocks[b].member) = credit_params_block(p, b);
    return w;
}
/* The authors' initialisation: W_in ~ N(0, 2/n_in), W_rec ~ N(0, rec_var/n)
 * with zero diagonal (authors: rec_var 2), W_out ~ U(+-sqrt(6/(n+n_out))),
 * b_out = 0. */
void credit_params_init(credit_real *block, const credit_dims *d, double rec_var, credit_rng *rng);

/* A forward workspace for batches of up to d->B_max sequences: the batch
 * (x, target, mask, filled by a task) and the trajectory rules read. */
typedef struct credit_fwd {
    credit_dims d;
    int B;                         /* batch size of the last forward */
    credit_real *x, *target, *mask;     /* [T][B][n_in], [T][B][n_out], [T][B] */
    credit_real *v, *z, *psi, *y;       /* trajectory, see credit_traj */
    credit_real *dy, *L;                /* loss gradient and learning signal */
    credit_real *delta;                 /* [T][B][n] BPTT workspace: dL/dv_t */
    const credit_real *xi;              /* NULL, or [T][B][n] added inside the recurrent input (host forward_loss) */
    credit_real *per_example;           /* NULL, or [B]: credit_loss writes each sequence's share of the loss */
} credit_fwd;

int credit_fwd_alloc(credit_fwd *f, const credit_dims *d);
void credit_fwd_free(credit_fwd *f);
/* A view of the trajectory for rules (valid until the next forward). */
credit_traj credit_fwd_traj(const credit_fwd *f);

/* Forward pass of f->x for B sequences. */
void credit_forward(credit_fwd *f, const credit_params *w, int B);

/* Task loss of the last forward: mean over scored (sequence, step) pairs,
 * weighted by mask; fills dy and L = W_out^T dy. *correct and *scored (may
 * be NULL) get the mask-weighted count of argmax hits and the mask total
 * (classification only; MSE leaves *correct = NaN). */
double credit_loss(credit_fwd *f, credit_loss_kind kind, const credit_params *w, double *correct, double *scored);
/* The loss's normaliser: 1 / (mask total) (0 if none scored), and for MSE
 * also / n_out; *weight (may be NULL) the mask total. Shared by credit_loss
 * and the R-pass, so the two normalise alike. */
double credit_loss_norm(const credit_real *mask, size_t rows, credit_loss_kind kind, int n_out, double *weight);
/* log sum_k exp(y_k), the max subtracted first: the softmax is exp(y - it). */
double credit_logsumexp(const credit_real *y, int n);

/* Exact gradients; each accumulates into g. */
void credit_backward_readout(const credit_fwd *f, credit_params *g);                       /* W_out, b_out */
void credit_backward_bptt(credit_fwd *f, const credit_params *w, credit_params *g);         /* W_in, W_rec */
/* The same on any trajectory, with the workspace delta [T][B][n]; delta is
 * left holding dL/dv_t. */
void credit_bptt(const credit_traj *tr, const credit_weights *w, credit_params *g, credit_real *delta);
/* l2/2 |W|^2 over the blocks in the L2 penalty (params.h: W_in, W_rec,
 * W_out): returns the term, adds its gradient to g (if g). */
double credit_l2(const credit_params *w, const credit_dims *d, double l2, credit_params *g);

/* The R-operator (core/net_r.c): exact Hessian-vector products of the task
 * loss + L2 at a base trajectory (credit_forward, credit_loss and
 * credit_bptt done on f at w, delta kept). Workspaces for d->B_max. */
typedef struct credit_rpass {
    credit_loss_kind loss;
    credit_real *p, *rowscale;  /* [TB][n_out] softmax, [TB] loss second-derivative scale */
    credit_real *Rv, *Rz;       /* [TB][n], [T+1][B][n] */
    credit_real *Ry, *Rdy;      /* [TB][n_out] */
    credit_real *RL, *Rdelta;   /* [TB][n] */
} credit_rpass;
int credit_rpass_alloc(credit_rpass *r, const credit_dims *d);
void credit_rpass_free(credit_rpass *r);
/* The loss's second derivative per row at the base f (once per base). */
void credit_rpass_prepare(credit_rpass *r, const credit_fwd *f, credit_loss_kind kind);
/* HV = H V in the full layout; with !all only V_rec is read and only
 * HV_rec written. */
void credit_rpass_apply(credit_rpass *r, const credit_fwd *f, const credit_params *w, double l2, int all, const credit_params *V,
                        credit_params *HV);
/* Forward pass of f->x (copied from base by the caller) at w with the ReLU
 * pattern psi held at base's: z = psi * v, a linear map of the weights'
 * drive. The a.e. derivative of the forward pass is this map's. */
void credit_forward_frozen(credit_fwd *f, const credit_fwd *base, const credit_params *w);

/* Zero the diagonal of an n x n matrix (self-connections are removed). */
void credit_zero_diagonal(credit_real *W, int n);

#endif /* CREDIT_NET_BODY */

#if CREDIT_PRECISION == CREDIT_PRECISION_SINGLE && !defined(CREDIT_NET_F64_H)
#define CREDIT_F64_BEGIN
#include "f64.h"
#include "credit_views.h"
#include "net.h"
#define CREDIT_F64_END
#include "f64.h"
#endif
#include "f64.h" /* the side CREDIT_F64_NAME names (the double build: CREDIT_F64) */
