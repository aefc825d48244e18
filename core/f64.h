/* f64.h - the core's double side: the network, its gradients and the
 * R-operator in double precision, for the curvature measurements.
 *
 * CREDIT_F64(name) is the double side's name of a name below. In the double
 * build (the default) the double side is the core itself and CREDIT_F64(name)
 * is name. In the single-precision build (make PREC=32) net.c, net_r.c and
 * gradient.c are compiled a second time with -DCREDIT_F64_SIDE: credit_real
 * is double there and every name below becomes name_f64, so both versions
 * link into one program, and CREDIT_F64(name) is name_f64. net.h and
 * gradient.h declare the double side beside the float one in that build
 * (CREDIT_F64_BEGIN ... CREDIT_F64_END around a second pass over their
 * declarations). hessian.c and curvature.c call the network through
 * CREDIT_F64: they measure in double in either build.
 *
 * The list: the names that carry a precision (types whose arrays are
 * credit_real, and the functions net.h and gradient.h declare), written
 * once. Each is a macro through CREDIT_F64_NAME, which is name_f64 while the
 * double side is declared or compiled and name otherwise (a macro's own name
 * is not replaced again inside its expansion, C11 6.10.3.4p2), so changing
 * sides redefines CREDIT_F64_NAME alone. The double build defines none of
 * it: its preprocessed text is the one of the code before PREC=32 existed. */

#if defined(CREDIT_PREC) && CREDIT_PREC == 32

#ifndef CREDIT_F64_LIST
#define CREDIT_F64_LIST
#define CREDIT_F64(name) name##_f64
#define credit_weights          CREDIT_F64_NAME(credit_weights)
#define credit_params           CREDIT_F64_NAME(credit_params)
#define credit_traj             CREDIT_F64_NAME(credit_traj)
#define credit_fwd              CREDIT_F64_NAME(credit_fwd)
#define credit_rpass            CREDIT_F64_NAME(credit_rpass)
#define credit_grad_rule        CREDIT_F64_NAME(credit_grad_rule)
#define credit_params_view      CREDIT_F64_NAME(credit_params_view)
#define credit_params_block     CREDIT_F64_NAME(credit_params_block)
#define credit_params_slot      CREDIT_F64_NAME(credit_params_slot)
#define credit_weights_block    CREDIT_F64_NAME(credit_weights_block)
#define credit_weights_of       CREDIT_F64_NAME(credit_weights_of)
#define credit_params_init      CREDIT_F64_NAME(credit_params_init)
#define credit_fwd_alloc        CREDIT_F64_NAME(credit_fwd_alloc)
#define credit_fwd_free         CREDIT_F64_NAME(credit_fwd_free)
#define credit_fwd_traj         CREDIT_F64_NAME(credit_fwd_traj)
#define credit_forward          CREDIT_F64_NAME(credit_forward)
#define credit_loss_norm        CREDIT_F64_NAME(credit_loss_norm)
#define credit_logsumexp        CREDIT_F64_NAME(credit_logsumexp)
#define credit_loss             CREDIT_F64_NAME(credit_loss)
#define credit_backward_readout CREDIT_F64_NAME(credit_backward_readout)
#define credit_backward_bptt    CREDIT_F64_NAME(credit_backward_bptt)
#define credit_bptt             CREDIT_F64_NAME(credit_bptt)
#define credit_l2               CREDIT_F64_NAME(credit_l2)
#define credit_rpass_alloc      CREDIT_F64_NAME(credit_rpass_alloc)
#define credit_rpass_free       CREDIT_F64_NAME(credit_rpass_free)
#define credit_rpass_prepare    CREDIT_F64_NAME(credit_rpass_prepare)
#define credit_rpass_apply      CREDIT_F64_NAME(credit_rpass_apply)
#define credit_forward_frozen   CREDIT_F64_NAME(credit_forward_frozen)
#define credit_zero_diagonal    CREDIT_F64_NAME(credit_zero_diagonal)
#define credit_gradient         CREDIT_F64_NAME(credit_gradient)
#define credit_cosine           CREDIT_F64_NAME(credit_cosine)
#endif

#ifdef CREDIT_F64_BEGIN /* net.h, gradient.h: declare the double side next */
#undef CREDIT_F64_BEGIN
#define CREDIT_F64_SIDE
#undef credit_real
#define credit_real double
#undef CREDIT_BLAS
#define CREDIT_BLAS(name) cblas_d##name
#endif

#ifdef CREDIT_F64_END /* back to the float side */
#undef CREDIT_F64_END
#undef CREDIT_F64_SIDE
#undef credit_real
#define credit_real float
#undef CREDIT_BLAS
#define CREDIT_BLAS(name) cblas_s##name
#endif

#undef CREDIT_F64_NAME
#ifdef CREDIT_F64_SIDE
#define CREDIT_F64_NAME(name) name##_f64
#else
#define CREDIT_F64_NAME(name) name
#endif

#elif !defined(CREDIT_F64) /* the double build */
#define CREDIT_F64(name) name
#endif
