# PROFILE=smoke: seconds to a couple of minutes; what `make test` runs
# (tests/test_pipeline.c). Tiny networks, few iterations: it checks that
# every stage of the pipeline works, not the science.
FIG_TASKS   ?= smnist patgen dms
FIG_RULES   ?= bptt eprop rflo mdgl
FIG_SEEDS   ?= 1 2 3
FIG_LR      ?= 0.05
FIG_LR_patgen ?= 0.01
FIG_ARGS    ?= n=8 iters=40 batch=16 eval_every=10 threads=1
# MNIST from MNIST_DIR (e.g. build/mnist-synth after `make data-synth`), else
# data/mnist; never fetched by this profile (FIG_DATA is empty).
FIG_MNIST_DIR ?= $(or $(MNIST_DIR),data/mnist)
FIG_DATA_DIR  ?= $(FIG_MNIST_DIR)
FIG_ARGS_smnist ?= data_dir=$(FIG_MNIST_DIR) train_size=64 valid_size=100
FIG_CURV_ARGS ?= curvature_every=20
FIG_CURVATURE_FINAL ?= 1
FIG_CURV_FINAL_ARGS ?=
FIG_DATA    ?=
# sweeps
FIG_LR_TASKS   ?= $(firstword $(FIG_TASKS))
FIG_LR_RULES   ?= bptt $(word 2,$(FIG_RULES))
FIG_LR_FACTORS ?= 1 2
FIG_LR_SEEDS   ?= 1 2
FIG_K_TASKS    ?= $(firstword $(FIG_TASKS))
FIG_K_VALUES   ?= 1 2 4
FIG_K_SEEDS    ?= 1
FIG_REMEDY_TASKS ?= $(firstword $(FIG_TASKS))
FIG_REMEDY_RULES ?= $(word 2,$(FIG_RULES))
FIG_REMEDY_C     ?= 1 2
FIG_REMEDY_SEEDS ?= 1 2
FIG_BOOST_FACTOR ?= 4
FIG_BOOST_ARGS   ?= boost_factor=$(FIG_BOOST_FACTOR) boost_start=0.5 boost_end=1
# matched training accuracy: a tiny group, to exercise the wiring
FIG_MATCH_TASKS ?= $(firstword $(FIG_TASKS))
FIG_MATCH_RULES ?= bptt $(word 2,$(FIG_RULES))
FIG_MATCH_SEEDS ?= 1 2
FIG_MATCH_ACC   ?= 0.3
FIG_MATCH_ARGS  ?=
# matched training loss: bptt stopped at e-prop's mean final training loss
# (the target read from the finished e-prop runs: two make passes)
FIG_MATCHL_TASKS  ?= $(firstword $(FIG_TASKS))
FIG_MATCHL_TARGET ?= $(word 2,$(FIG_RULES))
FIG_MATCHL_RULES  ?= bptt
FIG_MATCHL_SEEDS  ?= 1 2
FIG_MATCHL_ARGS   ?= eval_every=5
# the authors' curvature protocol beside ours on the main runs' final checkpoints
FIG_CURV_AUTHORS ?= 1
# the sweep's steps scaled by 1/eta (iters, eval_every, curvature_every of bptt's main runs)
FIG_LR_STEPS_$(firstword $(FIG_TASKS))_bptt ?= 40 10 20
FIG_SAMPLE_ARGS  ?=
# claims (science.md "Verdicts"), declared before the runs: one-sided tests
# at level alpha; Holm's correction over the primary endpoints below.
FIG_ALPHA ?= 0.05
# the rule every other rule is compared with: the exact gradient
FIG_CLAIM_REFERENCE ?= bptt
# primary endpoints, id:task:rule:quantity ('*' any): final lambda_max
# eprop vs bptt; the error gap on the perturbed test set eprop vs bptt, also
# at matched training loss; the lambda-vs-eta slope of each rule
FIG_CLAIM_PRIMARY ?= 4:smnist:eprop:log_lambda_max 1:smnist:eprop:pgap_acc 1l:smnist:eprop:pgap_acc 5e:smnist:*:log_lambda_max
# the groups the remedy and the matched-loss comparison are judged on; a
# profile without them reports their rows "not measured"
FIG_CLAIM_MATCHED_LOSS_GROUP ?= matched_loss
FIG_CLAIM_REMEDY_GROUP ?= remedy_matched
# smallest effects of interest (the equivalence margins of "no effect"):
# 1 point of error: below it two rules' gaps are indistinguishable in practice
FIG_CLAIM_SESOI_GAP_ACC ?= 0.01
# 0.02 nats: about what a 1-point error gap costs in cross-entropy near chance
FIG_CLAIM_SESOI_GAP_LOSS ?= 0.02
# 0.001 in MSE (pattern generation): targets have max |y| = 1, mean square about 0.3, so 0.3% of their power
FIG_CLAIM_SESOI_GAP_MSE ?= 0.001
# log 1.2: a 20% difference in lambda_max is within the batch-to-batch scatter of one Lanczos estimate
FIG_CLAIM_SESOI_LOG_LAMBDA ?= 0.182
# 0.25 on log-log slopes: -0.75..-1.25 still reads as "scales like 1/eta"
FIG_CLAIM_SESOI_SLOPE ?= 0.25
# r = 0.2: a correlation explaining under 4% of the gap's variance is no relation worth a claim
FIG_CLAIM_SESOI_R ?= 0.2
# 5b's band for eta lambda_max / 2 at BPTT's plateau: Cohen et al. 2021 see sharpness hover within ~20% of 2/eta
FIG_CLAIM_EDGE_BAND ?= 0.8 1.2
# "near": the rule's level within a factor 1.25 of BPTT's (about the band's half-width, as a ratio)
FIG_CLAIM_NEAR ?= 1.25
# the plateau: the last half of training's curvature rows (past the initial transient)
FIG_CLAIM_PLATEAU ?= 0.5
# "settled": log drift over the plateau within +-0.2 (a change under ~20%)
FIG_CLAIM_SETTLE ?= 0.2
# what this profile's verdicts are evidence of: the rendered paper's first
# paragraph says it (no single quotes: the value is passed in quotes)
FIG_CLAIM_NOTE ?= This is the smoke profile (8 units, 40 iterations): it checks that every stage of the pipeline runs, and its verdicts are no evidence about the paper.
