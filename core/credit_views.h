/* credit_views.h - the views of weights, gradients and trajectories that
 * cross the ABI, in the build's precision (credit_real). Part of credit.h
 * and included only by it; it has no include guard because a single-precision
 * build (PREC=32) includes it a second time with credit_real = double and the
 * names of core/f64.h (credit_weights_f64, ...) for the double-precision side
 * of the core, the curvature measurements. */

/* Read-only view of the weights (deeply const: `w->W_rec[0] = 1` does not
 * compile). */
typedef struct credit_weights {
    const credit_real *W_in;  /* n x n_in   */
    const credit_real *W_rec; /* n x n, zero diagonal */
    const credit_real *W_out; /* n_out x n  */
    const credit_real *b_out; /* n_out      */
} credit_weights;

/* Writable view of a gradient block mirroring the weights (core-owned). */
typedef struct credit_params {
    credit_real *W_in;  /* n x n_in   */
    credit_real *W_rec; /* n x n      */
    credit_real *W_out; /* n_out x n  */
    credit_real *b_out; /* n_out      */
} credit_params;

/* What a forward pass and the loss leave for a rule. All arrays time-major.
 * dy is dL/dy_t of the task loss for this batch (already divided by the
 * normaliser, zero at unscored steps), L is W_out^T dy_t: the learning signal
 * of symmetric feedback. */
typedef struct credit_traj {
    int B, T, n_in, n, n_out;
    credit_real leak;
    const credit_real *x;      /* [T][B][n_in]  inputs x_1..x_T                  */
    const credit_real *z_prev; /* [T][B][n]     z_0..z_{T-1} (z_0 = 0): the presynaptic rates of steps 1..T */
    const credit_real *z;      /* [T][B][n]     rates z_1..z_T                   */
    /* z_prev and z point into one (T+1) x B x n block: z = z_prev + B n. */
    const credit_real *v;   /* [T][B][n]     states v_1..v_T                    */
    const credit_real *psi; /* [T][B][n]     f'(v_t)                            */
    const credit_real *y;   /* [T][B][n_out] outputs                            */
    const credit_real *dy;  /* [T][B][n_out] dL/dy_t                            */
    const credit_real *L;   /* [T][B][n]     W_out^T dy_t                       */
} credit_traj;
