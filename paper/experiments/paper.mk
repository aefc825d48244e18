# PROFILE=paper: the authors' scale. Sequential MNIST as in their code
# (Helena-Yuhan-Liu/BiolHessRNN, bin/run_saveHessRNN.sh and
# saveHess_seqMNIST.py) [code]: 128 units, no leak (smnist.cfg), plain SGD at
# eta = 0.01, batch 256, l2 0.01, the full 55,000 training images; BPTT
# trained for 10,000 iterations and the bio rule for 16,000, each with 40
# evaluations and curvature checkpoints (every 250 and 400 iterations); the
# authors ran 5 seeds, we run 8. About 10-15 CPU-minutes per sMNIST run
# (0.036 s per iteration, a curvature row ~2 s), ~150 runs: a cluster job
# (figures/README.md, LAUNCH).
# patgen and dms have no authors' settings [ours]; their lengths are the
# literature's and their learning rates were chosen by pilot runs before any
# run of this profile (PILOTS.md: the grid, the rule of choice, the numbers).
# - patgen at e-prop's pattern generation [ref: Bellec et al. 2020]: 1,000
#   steps, 100 input channels, 3 outputs, leak exp(-1/20) = 0.95 (their
#   tau_m = 20 ms at 1 ms steps); init_rec_var=1 (at the authors' 2 a
#   1,000-step trial's first loss is 1.6e4 and BPTT diverges at its first
#   step). Shortened: 64 rate units (e-prop: 600 spiking), and our finite set
#   of 64 training trials of K = 4 cued patterns. eta = 0.03: the smallest of
#   {0.03, 0.1, 0.3} at which BPTT's eta lambda_max(all) / 2 reached 0.8 in
#   1,500 iterations (0.95, still rising; 1.42 at 0.1). 4,000 iterations, so
#   that the second half (the plateau) sits at the edge.
# - dms at the length of the same author's delayed match (about 900 steps):
#   fixation 50, sample 150, delay 500, test 150, decision 50 steps, leak
#   exp(-1/100) = 0.99 (that author's tau = 100 steps), init_rec_var=1, 64
#   units. No eta of {0.03, 0.1, 0.3} qualified: at 0.03 BPTT solves the task
#   perfectly (train, test and perturbed accuracy 1.00, also at 3x the input
#   noise) and its curvature falls to 0.3-0.4 of the edge once the classes
#   separate; at 0.1 it collapsed to chance, at 0.3 it diverged. So the task
#   cannot test claims 1-5 at these settings (no error gap, no edge); it runs
#   at 0.03, the largest eta that trained stably, 3,000 iterations.
# The sMNIST runs take the default profile's economies (authors.mk: subsampled
# intermediate evaluations, warm trajectory Lanczos; final numbers exact).
FIG_TASKS   ?= smnist patgen dms
FIG_RULES   ?= bptt eprop rflo mdgl
FIG_SEEDS   ?= 1 2 3 4 5 6 7 8
FIG_LR      ?= 0.01
FIG_ARGS    ?= threads=1
FIG_ARGS_smnist ?= n=128 batch=256 iters=16000 eval_every=400 eval_subsample=5000 hessian_warm=1 hessian_traj_tol=1e-3 jacobian_k=10
FIG_LR_patgen   ?= 0.03
FIG_ARGS_patgen ?= n=64 batch=32 steps=1000 inputs=100 outputs=3 leak=0.95 init_rec_var=1 iters=4000 eval_every=250
FIG_LR_dms      ?= 0.03
FIG_ARGS_dms    ?= n=64 batch=32 t_fixation=50 t_sample=150 t_delay=500 t_test=150 t_decision=50 leak=0.99 init_rec_var=1 iters=3000 eval_every=250
FIG_CURV_ARGS   ?= curvature_every=500
# per task and rule, after FIG_CURV_ARGS [code]: BPTT 10,000 iterations, the
# bio rules 16,000, 40 checkpoints each; truncated BPTT as BPTT
FIG_ARGS_smnist_bptt  ?= iters=10000 eval_every=250 curvature_every=250
FIG_ARGS_smnist_tbptt ?= iters=10000 eval_every=250 curvature_every=250
FIG_ARGS_smnist_eprop ?= curvature_every=400
FIG_ARGS_smnist_rflo  ?= curvature_every=400
FIG_ARGS_smnist_mdgl  ?= curvature_every=400
# a rule this profile does not name gets the bio rules' protocol (16,000
# iterations from FIG_ARGS_smnist, 40 curvature rows); on patgen and dms
# every rule, named or not, gets the same keys
FIG_ARGS_smnist_NEWRULE ?= curvature_every=400
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
