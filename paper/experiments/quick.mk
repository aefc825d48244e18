# PROFILE=quick, the default: every figure and every claim at a smaller
# scale than the authors' (fewer units, a subsampled training set, fewer
# iterations), within 30 minutes on 2 cores including the data and the
# build. The rendered paper states these settings (settings table).
FIG_TASKS   ?= smnist patgen dms
FIG_RULES   ?= bptt eprop rflo mdgl
FIG_SEEDS   ?= 1 2 3 4
FIG_LR      ?= 0.01
FIG_ARGS    ?= n=32 iters=600 batch=64 eval_every=50 threads=1
FIG_ARGS_smnist ?= train_size=2000
FIG_LR_smnist ?= 0.05
FIG_CURV_ARGS ?= curvature_every=100
FIG_CURVATURE_FINAL ?= 1
FIG_CURV_FINAL_ARGS ?=
FIG_DATA    ?= data
# sweeps
FIG_LR_TASKS   ?= smnist
FIG_LR_RULES   ?= bptt eprop
FIG_LR_FACTORS ?= 0.5 1 2 4
FIG_LR_SEEDS   ?= 1 2
FIG_K_TASKS    ?= smnist
FIG_K_VALUES   ?= 1 2 4 8 28
FIG_K_SEEDS    ?= 1 2
FIG_REMEDY_TASKS ?= smnist
FIG_REMEDY_RULES ?= eprop
FIG_REMEDY_C     ?= 1 2 4
FIG_REMEDY_SEEDS ?= 1 2
FIG_BOOST_FACTOR ?= 4
FIG_BOOST_ARGS   ?= boost_factor=$(FIG_BOOST_FACTOR) boost_start=0.75 boost_end=1
FIG_SAMPLE_ARGS  ?=
# claims: one-sided tests at level alpha; "~2/eta" allows tol relative slack
FIG_ALPHA ?= 0.05
FIG_TOL   ?= 0.1
