# PROFILE=paper: the authors' scale. Sequential MNIST as in their code
# (Helena-Yuhan-Liu/BiolHessRNN, bin/run_saveHessRNN.sh and
# saveHess_seqMNIST.py) [code]: 128 units, no leak (smnist.cfg), plain SGD at
# eta = 0.01, batch 256, l2 0.01, the full 55,000 training images; BPTT
# trained for 10,000 iterations and the bio rule for 16,000, each with 40
# evaluations and curvature checkpoints (every 250 and 400 iterations); the
# authors ran 5 seeds, we run 8. About 10-15 CPU-minutes per sMNIST run
# (0.036 s per iteration, a curvature row ~2 s), ~150 runs: a cluster job
# (figures/README.md, LAUNCH).
# patgen and dms have no authors' settings: 64 units as in the quick
# profile, with several times its iterations [ours]; their lengths are not
# yet the literature's (e-prop's 1,000-step pattern generation, the ~900-step
# delayed match) and their learning rates were not chosen by pilot runs to
# bring BPTT to its edge (issue 14): until then they cannot test claims 4-5.
# The sMNIST runs take the default profile's economies (authors.mk: subsampled
# intermediate evaluations, warm trajectory Lanczos; final numbers exact).
FIG_TASKS   ?= smnist patgen dms
FIG_RULES   ?= bptt eprop rflo mdgl
FIG_SEEDS   ?= 1 2 3 4 5 6 7 8
FIG_LR      ?= 0.01
FIG_ARGS    ?= threads=1
FIG_ARGS_smnist ?= n=128 batch=256 iters=16000 eval_every=400 eval_subsample=5000 hessian_warm=1 hessian_traj_tol=1e-3 jacobian_k=10
FIG_ARGS_patgen ?= n=64 batch=32 iters=20000 eval_every=500
FIG_ARGS_dms    ?= n=64 batch=32 iters=10000 eval_every=250
FIG_CURV_ARGS   ?= curvature_every=500
# per task and rule, after FIG_CURV_ARGS [code]: BPTT 10,000 iterations, the
# bio rules 16,000, 40 checkpoints each; truncated BPTT as BPTT
FIG_ARGS_smnist_bptt  ?= iters=10000 eval_every=250 curvature_every=250
FIG_ARGS_smnist_tbptt ?= iters=10000 eval_every=250 curvature_every=250
FIG_ARGS_smnist_eprop ?= curvature_every=400
FIG_ARGS_smnist_rflo  ?= curvature_every=400
FIG_ARGS_smnist_mdgl  ?= curvature_every=400
# The final checkpoint once more over all parameters (claim 5b's second
# measurement: the W_rec block under-reads the full Hessian); the W_rec value
# stays the trainer's last row. One Lanczos pass per run.
FIG_CURVATURE_FINAL ?= 1
FIG_CURV_FINAL_ARGS ?= hessian_params=all jacobian_k=20
# the authors' curvature protocol beside ours on every main run's final checkpoint
FIG_CURV_AUTHORS ?= 1
FIG_DATA    ?= data
# sweeps
FIG_LR_TASKS   ?= smnist
FIG_LR_RULES   ?= bptt eprop rflo mdgl
FIG_LR_FACTORS ?= 0.25 0.5 1 2 4
FIG_LR_SEEDS   ?= 1 2 3 4 5
# steps, evaluations and curvature rows scaled by 1/eta (iters eval_every curvature_every at eta)
FIG_LR_STEPS_smnist_bptt  ?= 10000 250 250
FIG_LR_STEPS_smnist_eprop ?= 16000 400 400
FIG_LR_STEPS_smnist_rflo  ?= 16000 400 400
FIG_LR_STEPS_smnist_mdgl  ?= 16000 400 400
FIG_K_TASKS    ?= smnist
FIG_K_VALUES   ?= 1 2 4 8 16 28
FIG_K_SEEDS    ?= 1 2 3 4 5
FIG_REMEDY_TASKS ?= smnist
FIG_REMEDY_RULES ?= eprop rflo mdgl
FIG_REMEDY_C     ?= 1 2 4
FIG_REMEDY_SEEDS ?= 1 2 3 4 5
FIG_BOOST_FACTOR ?= 4
FIG_BOOST_ARGS   ?= boost_factor=$(FIG_BOOST_FACTOR) boost_start=0.75 boost_end=1
# matched training accuracy [ours]: the target must be one every rule
# reaches; 0.7 is a guess for the authors' setting (e-prop without leak
# underfits), to be checked against the main runs' training accuracy.
FIG_MATCH_TASKS ?= smnist
FIG_MATCH_RULES ?= $(FIG_RULES)
FIG_MATCH_SEEDS ?= 1 2 3 4 5 6 7 8
FIG_MATCH_ACC   ?= 0.7
FIG_MATCH_ARGS  ?= eval_every=100
# matched training loss: bptt stopped at e-prop's mean final training loss
# RFLO's feedback scale (issue 14): Murray's B ~ N(0, 1/n_out), the default,
# is 2-2.6x the scale of W_out at initialization; the feedback group reruns
# the rule's seeds with B scaled to W_out's initial norm (feedback_scale=wout)
FIG_FB_TASKS ?= smnist patgen dms
FIG_FB_RULES ?= rflo
FIG_MATCHL_TASKS  ?= smnist
FIG_MATCHL_TARGET ?= eprop
FIG_MATCHL_RULES  ?= bptt
FIG_MATCHL_SEEDS  ?= $(FIG_SEEDS)
FIG_MATCHL_ARGS   ?= eval_every=50
FIG_SAMPLE_ARGS  ?=
# what this profile's verdicts are evidence of: the rendered paper's first
# paragraph says it (no single quotes: the value is passed in quotes)
FIG_CLAIM_NOTE ?= This is the paper profile, the scale of the authors on sequential MNIST (pattern generation and delayed match-to-sample are our reconstructions).
# the claim settings every profile shares (alpha, reference, primary endpoints,
# smallest effects of interest, bands), with their reasons
include $(FIG_EXPERIMENTS)/claims.inc
