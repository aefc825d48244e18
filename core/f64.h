/* f64.h - the core's double side: the network, its gradients and the
 * R-operator in double precision, for the curvature measurements.
 *
 * In the double build (the default) the double side is the core itself, and
 * each name_f64 below is the plain name. In the single-precision build
 * (make PREC=32) net.c, net_r.c and gradient.c are compiled a second time
 * with -DCREDIT_F64_SIDE: credit_real is double there and every name below
 * becomes name_f64, so both versions link into one program. net.h and
 * gradient.h declare the double side beside the float one in that build
 * (CREDIT_F64_BEGIN ... CREDIT_F64_END around a second pass over their
 * declarations). hessian.c and curvature.c use only the _f64 names: they
 * measure in double in either build.
 *
 * Keep the three lists below the same: the names that carry a precision
 * (types whose arrays are credit_real, and the functions net.h and
 * gradient.h declare). */

#ifdef CREDIT_F64_BEGIN /* net.h, gradient.h: declare the double side next */
#undef CREDIT_F64_BEGIN
#define CREDIT_F64_SIDE
#undef credit_real
#define credit_real double
#undef CREDIT_BLAS
#define CREDIT_BLAS(name) cblas_d##name
#endif

#if defined(CREDIT_F64_SIDE) && !defined(CREDIT_F64_RENAMED)
#define CREDIT_F64_RENAMED
#define credit_weights          credit_weights_f64
#define credit_params           credit_params_f64
#define credit_traj             credit_traj_f64
#define credit_fwd              credit_fwd_f64
#define credit_rpass            credit_rpass_f64
#define credit_grad_rule        credit_grad_rule_f64
#define credit_params_count     credit_params_count_f64
#define credit_params_view      credit_params_view_f64
#define credit_weights_of       credit_weights_of_f64
#define credit_params_init      credit_params_init_f64
#define credit_fwd_alloc        credit_fwd_alloc_f64
#define credit_fwd_free         credit_fwd_free_f64
#define credit_fwd_traj         credit_fwd_traj_f64
#define credit_forward          credit_forward_f64
#define credit_loss_norm        credit_loss_norm_f64
#define credit_logsumexp        credit_logsumexp_f64
#define credit_loss             credit_loss_f64
#define credit_backward_readout credit_backward_readout_f64
#define credit_backward_bptt    credit_backward_bptt_f64
#define credit_bptt             credit_bptt_f64
#define credit_l2               credit_l2_f64
#define credit_rpass_alloc      credit_rpass_alloc_f64
#define credit_rpass_free       credit_rpass_free_f64
#define credit_rpass_prepare    credit_rpass_prepare_f64
#define credit_rpass_apply      credit_rpass_apply_f64
#define credit_forward_frozen   credit_forward_frozen_f64
#define credit_zero_diagonal    credit_zero_diagonal_f64
#define credit_gradient         credit_gradient_f64
#define credit_cosine           credit_cosine_f64
#endif

#ifdef CREDIT_F64_END /* back to the float side */
#undef CREDIT_F64_END
#undef CREDIT_F64_SIDE
#undef CREDIT_F64_RENAMED
#undef credit_real
#define credit_real float
#undef CREDIT_BLAS
#define CREDIT_BLAS(name) cblas_s##name
#undef credit_weights
#undef credit_params
#undef credit_traj
#undef credit_fwd
#undef credit_rpass
#undef credit_grad_rule
#undef credit_params_count
#undef credit_params_view
#undef credit_weights_of
#undef credit_params_init
#undef credit_fwd_alloc
#undef credit_fwd_free
#undef credit_fwd_traj
#undef credit_forward
#undef credit_loss_norm
#undef credit_logsumexp
#undef credit_loss
#undef credit_backward_readout
#undef credit_backward_bptt
#undef credit_bptt
#undef credit_l2
#undef credit_rpass_alloc
#undef credit_rpass_free
#undef credit_rpass_prepare
#undef credit_rpass_apply
#undef credit_forward_frozen
#undef credit_zero_diagonal
#undef credit_gradient
#undef credit_cosine
#endif

#if !(defined(CREDIT_PREC) && CREDIT_PREC == 32) && !defined(CREDIT_F64_ALIASES) /* the double build */
#define CREDIT_F64_ALIASES
#define credit_weights_f64          credit_weights
#define credit_params_f64           credit_params
#define credit_traj_f64             credit_traj
#define credit_fwd_f64              credit_fwd
#define credit_rpass_f64            credit_rpass
#define credit_grad_rule_f64        credit_grad_rule
#define credit_params_count_f64     credit_params_count
#define credit_params_view_f64      credit_params_view
#define credit_weights_of_f64       credit_weights_of
#define credit_params_init_f64      credit_params_init
#define credit_fwd_alloc_f64        credit_fwd_alloc
#define credit_fwd_free_f64         credit_fwd_free
#define credit_fwd_traj_f64         credit_fwd_traj
#define credit_forward_f64          credit_forward
#define credit_loss_norm_f64        credit_loss_norm
#define credit_logsumexp_f64        credit_logsumexp
#define credit_loss_f64             credit_loss
#define credit_backward_readout_f64 credit_backward_readout
#define credit_backward_bptt_f64    credit_backward_bptt
#define credit_bptt_f64             credit_bptt
#define credit_l2_f64               credit_l2
#define credit_rpass_alloc_f64      credit_rpass_alloc
#define credit_rpass_free_f64       credit_rpass_free
#define credit_rpass_prepare_f64    credit_rpass_prepare
#define credit_rpass_apply_f64      credit_rpass_apply
#define credit_forward_frozen_f64   credit_forward_frozen
#define credit_zero_diagonal_f64    credit_zero_diagonal
#define credit_gradient_f64         credit_gradient
#define credit_cosine_f64           credit_cosine
#endif
