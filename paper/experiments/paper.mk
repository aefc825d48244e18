# PROFILE=paper: the authors' scale. Sequential MNIST as in their code: 128
# units, plain SGD at eta = 0.01, batch 256, l2 0.01, the full 55,000
# training images [code]; at least 5 seeds per rule. Hours on a workstation:
# run it on a cluster with LAUNCH (figures/README.md).
FIG_TASKS   ?= smnist patgen dms
FIG_RULES   ?= bptt eprop rflo mdgl
FIG_SEEDS   ?= 1 2 3 4 5 6 7 8
FIG_LR      ?= 0.01
FIG_ARGS    ?= n=128 batch=256 eval_every=500 threads=1
FIG_ARGS_smnist ?= iters=20000
FIG_ARGS_patgen ?= iters=20000
FIG_ARGS_dms    ?= iters=20000
FIG_CURV_ARGS ?= curvature_every=500
FIG_CURVATURE_FINAL ?= 1
FIG_CURV_FINAL_ARGS ?=
FIG_DATA    ?= data
# sweeps
FIG_LR_TASKS   ?= smnist
FIG_LR_RULES   ?= bptt eprop rflo mdgl
FIG_LR_FACTORS ?= 0.25 0.5 1 2 4
FIG_LR_SEEDS   ?= 1 2 3 4 5
FIG_K_TASKS    ?= smnist
FIG_K_VALUES   ?= 1 2 4 8 16 28
FIG_K_SEEDS    ?= 1 2 3 4 5
FIG_REMEDY_TASKS ?= smnist
FIG_REMEDY_RULES ?= eprop rflo mdgl
FIG_REMEDY_C     ?= 1 2 4
FIG_REMEDY_SEEDS ?= 1 2 3 4 5
FIG_BOOST_FACTOR ?= 4
FIG_BOOST_ARGS   ?= boost_factor=$(FIG_BOOST_FACTOR) boost_start=0.75 boost_end=1
FIG_SAMPLE_ARGS  ?=
FIG_ALPHA ?= 0.05
FIG_TOL   ?= 0.1
