# mk/figures.mk - `make figures`: experiment configs -> runs -> tables ->
# figures -> the literate paper -> the claims check. figures/README.md
# explains the layout, the profiles and the scheduler prefix (LAUNCH).
#
#   make figures [PROFILE=authors|smoke|quick|paper] [RESULTS=dir] [LAUNCH="srun -n1 -c1"] [-j2]
#   make paper      make verify      make fig-tables      make fig-list
#
# Every name here starts with FIG_ (or fig-) so the fragment cannot collide
# with the other fragments of the shared Makefile.

PROFILE ?= authors
# A single-precision build (PREC=32) keeps its outputs apart: other numbers,
# and its checkpoints are not to be resumed by the double build, nor the reverse.
RESULTS ?= $(if $(filter 32,$(PREC)),results-f32,results)
LAUNCH  ?=

FIG_EXPERIMENTS := paper/experiments
FIG_STATS       := $(ROOT)/bin/credit-stats
FIG_STAT_OBJ    := $(patsubst figures/%.c,$(BUILD)/figures/%.o,$(filter-out figures/stats.c,$(wildcard figures/*.c)))

# ------------------------------------------------------------------ programs
$(BUILD)/figures/%.o: figures/%.c $(wildcard figures/*.h) | $(BUILD)/.dir
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ifigures -c -o $@ $<
# core/util.o: the durable table files (credit_afile) and their crash points
$(FIG_STATS): $(BUILD)/figures/stats.o $(FIG_STAT_OBJ) $(BUILD)/core/util.o | $(BUILD)/.dir
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# tests/test_stats.c checks the statistics: link them into the test binary
$(TEST_BIN): $(FIG_STAT_OBJ)
all: $(FIG_STATS)

# ------------------------------------------------------------------ profile
# An unknown PROFILE is an error only for the targets that use one.
FIG_GOALS := figures fig-probe fig-all fig-tables fig-runs fig-list fig-progress-start paper verify stale check-reference reference-sums clean-runs clean-tables clean-figures certify certify-check rule-report
FIG_PROFILE_FILE := $(wildcard $(FIG_EXPERIMENTS)/$(PROFILE).mk)
ifeq ($(FIG_PROFILE_FILE),)
ifneq ($(filter $(FIG_GOALS) $(RESULTS)/%,$(MAKECMDGOALS)),)
$(error PROFILE=$(PROFILE): no $(FIG_EXPERIMENTS)/$(PROFILE).mk (profiles: $(notdir $(basename $(wildcard $(FIG_EXPERIMENTS)/*.mk)))))
endif
else
include $(FIG_PROFILE_FILE)
endif

# RESULTS is one word of plain characters: make splits a path at a blank, so
# `rm -rf $(FIG_RUNS)` would remove the part before it (another directory).
fig_bad_chars = $(strip $(foreach c,; & | * ? < > " ' ` \ $$,$(if $(findstring $(c),$(1)),$(c))))
ifneq ($(filter $(FIG_GOALS),$(MAKECMDGOALS)),)
ifneq ($(strip $(words $(RESULTS)) $(words $(PROFILE)) $(call fig_bad_chars,$(RESULTS))),1 1)
$(error RESULTS='$(RESULTS)' PROFILE='$(PROFILE)': each must be one path without blanks, quotes or shell characters (make would split it and clean-runs could remove another directory))
endif
endif

FIG_RUNS    := $(RESULTS)/runs/$(PROFILE)
# The checksums of the raw runs (figures/runsums.sh; make reference-sums)
FIG_SUMS    := $(RESULTS)/runs/$(PROFILE).sha256
FIG_TABLES  := $(RESULTS)/tables
FIG_FIGS    := $(RESULTS)/figures
FIG_PAPER   := $(RESULTS)/paper.md
FIG_MANIFEST := $(FIG_TABLES)/manifest.tsv

# ------------------------------------------------------------------ design
# The experiment design as data, shared by every profile (figures/README.md,
# "The experiment design"): groups.tsv declares every group the generators
# below make and which tables each feeds, claims.tsv the claim rows and the
# groups they read; credit-stats reads both (a change of either redoes the
# tables). Checked here, before anything
# runs: a claim judged on a group no generator makes would only ever say
# "not measured", and a primary endpoint must name a claim of the table.
FIG_GROUPS_TABLE := $(FIG_EXPERIMENTS)/groups.tsv
FIG_CLAIMS       := $(FIG_EXPERIMENTS)/claims.tsv
FIG_DESIGN_ARGS  := claims=$(FIG_CLAIMS) groups=$(FIG_GROUPS_TABLE)
# a column of a table by its header's name (comment lines skipped)
fig_column = $(shell awk -F'\t' '/^\#/ { next } !h++ { for (i = 1; i <= NF; i++) c[$$i] = i; next } { print $(2) }' $(1))
FIG_GROUPS       := $(call fig_column,$(FIG_GROUPS_TABLE),$$c["group"])
fig_comma := ,
fig_plan_error = $(if $(filter $(FIG_GOALS) $(RESULTS)/%,$(MAKECMDGOALS)),$(error PROFILE=$(PROFILE): $(1)))
# ID:GROUP for each group a claim row reads, @matched_loss and @remedy as the
# profile names them (FIG_CLAIM_MATCHED_LOSS_GROUP, FIG_CLAIM_REMEDY_GROUP)
fig_claim_group = $(or $(if $(filter @matched_loss,$(1)),$(FIG_CLAIM_MATCHED_LOSS_GROUP),$(if $(filter @remedy,$(1)),$(FIG_CLAIM_REMEDY_GROUP),$(1))),(none))
FIG_DESIGN_READS := $(foreach row,$(call fig_column,$(FIG_CLAIMS),$$c["claim"] ":" $$c["group"]),\
  $(foreach g,$(subst $(fig_comma), ,$(lastword $(subst :, ,$(row)))),$(firstword $(subst :, ,$(row))):$(call fig_claim_group,$(g))))
FIG_DESIGN_IDS   := $(sort $(foreach r,$(FIG_DESIGN_READS),$(firstword $(subst :, ,$(r)))))
FIG_ORPHANS     := $(strip $(foreach r,$(sort $(FIG_DESIGN_READS)),$(if $(filter $(lastword $(subst :, ,$(r))),$(FIG_GROUPS)),,$(r))))
$(if $(FIG_ORPHANS),$(call fig_plan_error,$(FIG_CLAIMS) judges $(foreach r,$(FIG_ORPHANS),claim $(subst :, on group ,$(r))$(fig_comma)) which no generator makes\
  (the groups of $(FIG_GROUPS_TABLE): $(FIG_GROUPS); a claim's @matched_loss and @remedy are FIG_CLAIM_MATCHED_LOSS_GROUP and FIG_CLAIM_REMEDY_GROUP)))
FIG_PRIMARY_UNKNOWN := $(strip $(foreach p,$(FIG_CLAIM_PRIMARY),$(if $(filter $(firstword $(subst :, ,$(p))),* $(FIG_DESIGN_IDS)),,$(p))))
$(if $(FIG_PRIMARY_UNKNOWN),$(call fig_plan_error,FIG_CLAIM_PRIMARY names claims $(FIG_CLAIMS) does not have: $(FIG_PRIMARY_UNKNOWN)))

# Numbers in make names: awk prints the product canonically (%g), so the
# remedy's c x eta names the same run as the sweep's eta.
fig_mul = $(shell awk 'BEGIN { printf "%g", ($(1)) * ($(2)) }')
fig_lr  = $(call fig_mul,1,$(or $(FIG_LR_$(1)),$(FIG_LR)))

# A rule's own keys on a task: FIG_ARGS_TASK_RULE where the profile names the
# rule, else FIG_ARGS_TASK_NEWRULE, what the profile gives a rule it does not
# name (the authors': the bio rules' iterations and cadence, not the core's
# defaults; issue 23). The protocol's keys are those FIG_ARGS_TASK_NEWRULE
# sets, or where it sets none those every FIG_ARGS_TASK_RULE sets (a key only
# some rules set, such as a rule's own option, is not the protocol's). A
# protocol key that neither the shared keys nor this rule's own set would
# fall back to the core's default: an error naming the rule and the keys,
# for the goals that train or read runs.
fig_rule_args = $(if $(filter undefined,$(origin FIG_ARGS_$(1)_$(2))),$(FIG_ARGS_$(1)_NEWRULE),$(FIG_ARGS_$(1)_$(2)))
fig_keys = $(sort $(foreach w,$(1),$(firstword $(subst =, ,$(w)))))
fig_cfg_keys = $(if $(wildcard $(FIG_EXPERIMENTS)/$(1).cfg),$(shell sed -n 's/^[ \t]*\([A-Za-z0-9_]*\)[ \t]*=.*/\1/p' $(FIG_EXPERIMENTS)/$(1).cfg))
fig_rule_vars = $(filter-out FIG_ARGS_$(1)_NEWRULE,$(filter FIG_ARGS_$(1)_%,$(.VARIABLES)))
fig_every_rule_keys = $(foreach k,$(call fig_keys,$(foreach v,$(call fig_rule_vars,$(1)),$($(v)))),\
  $(if $(strip $(foreach v,$(call fig_rule_vars,$(1)),$(if $(filter $(k),$(call fig_keys,$($(v)))),,x))),,$(k)))
fig_own_keys = $(filter-out $(call fig_cfg_keys,$(1)) $(call fig_keys,$(FIG_ARGS) $(FIG_ARGS_$(1)) $(FIG_CURV_ARGS)),\
  $(or $(call fig_keys,$(FIG_ARGS_$(1)_NEWRULE)),$(call fig_every_rule_keys,$(1))))
fig_missing_keys = $(filter-out $(call fig_keys,$(call fig_rule_args,$(1),$(2))),$(call fig_own_keys,$(1)))
define fig_rule_check
ifndef FIG_CHECKED.$(1).$(2)
FIG_CHECKED.$(1).$(2) := 1
FIG_FALLBACK.$(1).$(2) := $$(call fig_missing_keys,$(1),$(2))
ifneq ($$(FIG_FALLBACK.$(1).$(2)),)
ifneq ($(filter $(FIG_GOALS) $(RESULTS)/%,$(MAKECMDGOALS)),)
$$(error PROFILE=$(PROFILE): rule $(2) on $(1) would get the core's defaults for $$(FIG_FALLBACK.$(1).$(2)), which the profile sets per rule \
  ($(call fig_rule_vars,$(1))): set FIG_ARGS_$(1)_$(2) or FIG_ARGS_$(1)_NEWRULE to include them)
endif
endif
endif
endef

# $(call fig_run,GROUP,TASK,RULE,SEED,X,NAME,EXTRA_ARGS): one run in one group.
# A run named twice (the sweep's eta = the main eta) is trained once.
# Keys, later wins: TASK.cfg, FIG_ARGS, FIG_ARGS_TASK, FIG_CURV_ARGS, the
# rule's own (fig_rule_args: e.g. the authors' per-rule iteration counts),
# the run's own.
define fig_run
$(if $(filter $(1),$(FIG_GROUPS)),,$(call fig_plan_error,a generator makes group $(1)$(fig_comma) which $(FIG_GROUPS_TABLE) does not declare))
$(call fig_rule_check,$(2),$(3))
ifndef FIG_ARGS.$(6)
FIG_NAMES += $(6)
FIG_TASK.$(6) := $(2)
FIG_ARGS.$(6) := task=$(2) rule=$(3) seed=$(4) $(FIG_ARGS) $(FIG_ARGS_$(2)) $(FIG_CURV_ARGS) $(call fig_rule_args,$(2),$(3)) $(7)
FIG_RULE.$(6) := $(3)
FIG_BASE.$(6) := $(wildcard $(FIG_EXPERIMENTS)/$(2).cfg)
$(FIG_RUNS)/$(6)/metrics.tsv: | $(BIN) $(ROOT)/rules/$(3).so $(ROOT)/tasks/$(2).so
endif
FIG_ROWS += $(1):$(2):$(3):$(4):$(5):$(6)
endef

# main: task x rule x seed at each task's learning rate
$(foreach t,$(FIG_TASKS),$(eval FIG_ETA_$(t) := $(call fig_lr,$(t))))
# (FIG_SEEDS_RULE, when set, gives a rule its own seeds: the authors' protocol
# runs 8 seeds of bptt and eprop, 5 of rflo and mdgl)
fig_seeds = $(or $(FIG_SEEDS_$(1)),$(FIG_SEEDS))
# $(call fig_main_name,TASK,RULE,SEED): a main run's name (mk/report.mk too)
fig_main_name = $(1)-$(2)-lr$(FIG_ETA_$(1))-s$(3)
$(foreach t,$(FIG_TASKS),$(foreach r,$(FIG_RULES),$(foreach s,$(call fig_seeds,$(r)),\
  $(eval $(call fig_run,main,$(t),$(r),$(s),$(FIG_ETA_$(t)),$(call fig_main_name,$(t),$(r),$(s)),lr=$(FIG_ETA_$(t)))))))
# lr: the learning-rate sweep (factors of the task's eta). With
# FIG_LR_STEPS_TASK_RULE = "ITERS EVAL_EVERY CURVATURE_EVERY" (the main run's)
# a run at f times eta gets all three divided by f, so every run takes the
# same number of steps of size eta x iterations and reaches its plateau with
# as many rows (science.md section 6 (b)).
fig_div = $(shell awk 'BEGIN { printf "%d", ($(1)) / ($(2)) + 0.5 }')
fig_lr_steps = $(if $(FIG_LR_STEPS_$(1)_$(2)),iters=$(call fig_div,$(word 1,$(FIG_LR_STEPS_$(1)_$(2))),$(3)) \
  eval_every=$(call fig_div,$(word 2,$(FIG_LR_STEPS_$(1)_$(2))),$(3)) curvature_every=$(call fig_div,$(word 3,$(FIG_LR_STEPS_$(1)_$(2))),$(3)))
$(foreach t,$(FIG_LR_TASKS),$(foreach f,$(FIG_LR_FACTORS),$(eval FIG_ETA_$(t)_$(f) := $(call fig_mul,$(f),$(call fig_lr,$(t))))))
$(foreach t,$(FIG_LR_TASKS),$(foreach r,$(FIG_LR_RULES),$(foreach f,$(FIG_LR_FACTORS),$(foreach s,$(FIG_LR_SEEDS),\
  $(eval $(call fig_run,lr,$(t),$(r),$(s),$(FIG_ETA_$(t)_$(f)),$(t)-$(r)-lr$(FIG_ETA_$(t)_$(f))-s$(s),lr=$(FIG_ETA_$(t)_$(f)) $(call fig_lr_steps,$(t),$(r),$(f))))))))
# tbptt: the sweep over the truncation K
$(foreach t,$(FIG_K_TASKS),$(foreach k,$(FIG_K_VALUES),$(foreach s,$(FIG_K_SEEDS),\
  $(eval $(call fig_run,tbptt,$(t),tbptt,$(s),$(k),$(t)-tbpttK$(k)-lr$(call fig_lr,$(t))-s$(s),lr=$(call fig_lr,$(t)) K=$(k))))))
# remedy: the bio rule's learning rate times c, and a late boost
$(foreach t,$(FIG_REMEDY_TASKS),$(foreach c,$(FIG_REMEDY_C),$(eval FIG_ETA_$(t)_c$(c) := $(call fig_mul,$(c),$(call fig_lr,$(t))))))
$(foreach t,$(FIG_REMEDY_TASKS),$(foreach r,$(FIG_REMEDY_RULES),$(foreach s,$(FIG_REMEDY_SEEDS),\
  $(foreach c,$(FIG_REMEDY_C),$(eval $(call fig_run,remedy,$(t),$(r),$(s),$(c),$(t)-$(r)-lr$(FIG_ETA_$(t)_c$(c))-s$(s),lr=$(FIG_ETA_$(t)_c$(c)))))\
  $(if $(FIG_BOOST_ARGS),$(eval $(call fig_run,boost,$(t),$(r),$(s),$(FIG_BOOST_FACTOR),$(t)-$(r)-lr$(call fig_lr,$(t))-boost-s$(s),lr=$(call fig_lr,$(t)) $(FIG_BOOST_ARGS)))))))

# feedback: the scale of a random-feedback rule's B (issue 14). x = 0: the
# rule's default, Murray's B ~ N(0, 1/n_out) (the main runs, listed again);
# x = 1: B scaled to W_out's initial norm (feedback_scale=wout), the same
# seeds. FIG_FB_RULES must have a feedback_scale option (rflo).
$(foreach t,$(FIG_FB_TASKS),$(foreach r,$(FIG_FB_RULES),$(foreach s,$(call fig_seeds,$(r)),\
  $(eval $(call fig_run,feedback,$(t),$(r),$(s),0,$(t)-$(r)-lr$(FIG_ETA_$(t))-s$(s),lr=$(FIG_ETA_$(t))))\
  $(eval $(call fig_run,feedback,$(t),$(r),$(s),1,$(t)-$(r)-lr$(FIG_ETA_$(t))-fbwout-s$(s),lr=$(FIG_ETA_$(t)) feedback_scale=wout)))))

# matched: every rule stops when its training accuracy reaches FIG_MATCH_ACC
# (stop_train_acc, checked at each evaluation; science.md section 5), so gaps
# are compared at equal training accuracy (x = the target)
$(foreach t,$(FIG_MATCH_TASKS),$(foreach r,$(FIG_MATCH_RULES),$(foreach s,$(FIG_MATCH_SEEDS),\
  $(eval $(call fig_run,matched,$(t),$(r),$(s),$(FIG_MATCH_ACC),$(t)-$(r)-lr$(call fig_lr,$(t))-acc$(FIG_MATCH_ACC)-s$(s),lr=$(call fig_lr,$(t)) stop_train_acc=$(FIG_MATCH_ACC) $(FIG_MATCH_ARGS))))))

# matched_loss: the reference rule's runs that stop when their training loss
# first reaches the mean final training loss of FIG_MATCHL_TARGET's main runs
# (stop_train_loss: checked at each evaluation, confirmed on the whole
# training set; science.md section 5), beside those main runs, so gaps are
# compared at equal fit. The target is read from the finished runs
# (figures/match_target.sh into runs/PROFILE/match_target-TASK-RULE.txt), never
# typed by hand: until it exists the stopped runs are not defined, and
# `make figures` trains in two passes (fig-runs, then fig-all).
fig_match_file = $(FIG_RUNS)/match_target-$(1)-$(FIG_MATCHL_TARGET).txt
fig_match_dirs = $(foreach s,$(call fig_seeds,$(FIG_MATCHL_TARGET)),$(FIG_RUNS)/$(1)-$(FIG_MATCHL_TARGET)-lr$(FIG_ETA_$(1))-s$(s))
$(foreach t,$(FIG_MATCHL_TASKS),$(eval FIG_MATCHL_X_$(t) := $(strip $(file <$(call fig_match_file,$(t))))))
$(foreach t,$(FIG_MATCHL_TASKS),$(foreach s,$(call fig_seeds,$(FIG_MATCHL_TARGET)),\
  $(eval $(call fig_run,matched_loss,$(t),$(FIG_MATCHL_TARGET),$(s),$(or $(FIG_MATCHL_X_$(t)),nan),$(t)-$(FIG_MATCHL_TARGET)-lr$(FIG_ETA_$(t))-s$(s),lr=$(FIG_ETA_$(t))))))
$(foreach t,$(FIG_MATCHL_TASKS),$(if $(FIG_MATCHL_X_$(t)),$(foreach r,$(FIG_MATCHL_RULES),$(foreach s,$(FIG_MATCHL_SEEDS),\
  $(eval $(call fig_run,matched_loss,$(t),$(r),$(s),$(FIG_MATCHL_X_$(t)),$(t)-$(r)-lr$(FIG_ETA_$(t))-loss$(FIG_MATCHL_TARGET)-s$(s),lr=$(FIG_ETA_$(t)) stop_train_loss=$(FIG_MATCHL_X_$(t)) $(FIG_MATCHL_ARGS)))))))
FIG_MATCH_TARGETS := $(foreach t,$(FIG_MATCHL_TASKS),$(call fig_match_file,$(t)))
# The mean over the target rule's runs that completed (a diverged run has no
# final loss to match); fewer than two completed is an error.
$(foreach t,$(FIG_MATCHL_TASKS),$(eval $(call fig_match_file,$(t)): $(addsuffix /metrics.tsv,$(call fig_match_dirs,$(t)))))
$(FIG_RUNS)/match_target-%.txt: figures/match_target.sh
	@ok=$$(for f in $(filter %/metrics.tsv,$^); do grep -q '^status	completed' $$f && dirname $$f; done); \
	n=$$(printf '%s\n' $$ok | grep -c .); \
	if [ $$n -lt 2 ]; then echo "matched loss: only $$n of $(words $(filter %/metrics.tsv,$^)) runs of $* completed: no target" >&2; exit 1; fi; \
	figures/match_target.sh $$ok > $@.new && { cmp -s $@.new $@ && rm $@.new || mv $@.new $@; }; \
	echo "matched loss: target $$(cat $@) = mean final training loss of $$n completed runs of $*"

FIG_METRICS := $(FIG_NAMES:%=$(FIG_RUNS)/%/metrics.tsv)
FIG_CURVF   := $(if $(filter 1,$(FIG_CURVATURE_FINAL)),$(FIG_NAMES:%=$(FIG_RUNS)/%/curvature_final.tsv))
# The authors' curvature protocol beside ours (FIG_CURV_AUTHORS=1): the
# final checkpoint of every main run measured once more their way
# (FIG_CURV_AUTHORS_ARGS), into curvature_authors.tsv; tables/protocols.md
# sets the two side by side.
FIG_MAIN_NAMES := $(foreach row,$(FIG_ROWS),$(if $(filter main:%,$(row)),$(lastword $(subst :, ,$(row)))))
FIG_CURV_AUTHORS_ARGS ?= hessian_protocol=authors
FIG_CURVA   := $(if $(filter 1,$(FIG_CURV_AUTHORS)),$(FIG_MAIN_NAMES:%=$(FIG_RUNS)/%/curvature_authors.tsv))
.SECONDARY: $(FIG_METRICS) $(FIG_CURVF) $(FIG_CURVA)

# ------------------------------------------------------------------ keys
# What is redone is decided here, at parse time, from file contents and not
# from file times, so `make -n` sees what `make` will do and a fresh checkout
# of committed runs retrains nothing. A run's key (figures/runkey.sh) is its
# full config plus the maths hashes (figures/mathhash.sh) of the core, its
# rule and its task; a run is redone when it has no metrics.tsv or the key
# it was trained with (NAME/run.cfg) differs. Curvature measurements, the
# sample table and the tables' arguments have keys of their own below.
# Both sides stripped (runs of blanks count as one): GNU make 4.3 compares a
# long value read with $(file <) wrongly against an equal variable (seen with
# a 712-byte stats.args, byte-identical to FIG_STATS_ARGS); stripping copies
# both into fresh buffers and the comparison holds.
fig_eq = $(and $(findstring x$(strip $(1))y,x$(strip $(2))y),$(findstring x$(strip $(2))y,x$(strip $(1))y))
FIG_NEED_KEYS := $(filter fig-all fig-tables fig-runs fig-progress-start fig-report-cost paper verify stale certify rule-report $(RESULTS)/%,$(MAKECMDGOALS))
ifneq ($(FIG_NEED_KEYS),)
fig_hash = $(or $(shell MATHHASH_CACHE='$(BUILD)/math/cache' $(MATH_HASH) '$(CC)' '$(1)' $(2)),$(error cannot hash $(2) (figures/mathhash.sh)))
FIG_MATH_CORE := $(call fig_hash,$(MATH_CFLAGS),$(MATH_CORE_SRC))
$(foreach r,$(sort $(foreach n,$(FIG_NAMES),$(FIG_RULE.$(n)))),$(eval FIG_MATH_rule.$(r) := $(call fig_hash,$(MATH_CFLAGS) $(PLUGIN_FLAGS),rules/$(r).c)))
$(foreach t,$(sort $(foreach n,$(FIG_NAMES),$(FIG_TASK.$(n)))),$(eval FIG_MATH_task.$(t) := $(call fig_hash,$(MATH_CFLAGS) $(PLUGIN_FLAGS),tasks/$(t).c)))
endif
# One run per line for runkey.sh: NAME|BASE|CORE|RULE HASH|TASK HASH|ARGS
fig_keyline = $(1)|$(FIG_BASE.$(1))|$(FIG_MATH_CORE)|$(FIG_RULE.$(1)) $(FIG_MATH_rule.$(FIG_RULE.$(1)))|$(FIG_TASK.$(1)) $(FIG_MATH_task.$(FIG_TASK.$(1)))|$(strip $(FIG_ARGS.$(1)))
FIG_KEYLINES = printf '%s\n' $(foreach n,$(FIG_NAMES),'$(call fig_keyline,$(n))')
FIG_RUNKEY := CREDIT=$(BIN) figures/runkey.sh
ifneq ($(FIG_NEED_KEYS),)
# The keys are composed by the core's reader of configs (credit config
# --given), so a missing $(BIN) is built first, here at parse time, and
# also under make -n (MAKEFLAGS cleared, the command line's variables kept).
ifeq ($(wildcard $(BIN)),)
$(if $(shell MAKEFLAGS= $(MAKE) --no-print-directory $(BIN) $(MAKEOVERRIDES) >&2 && echo ok),,$(error cannot build $(BIN), which composes the runs' keys))
endif
FIG_STALE := $(shell $(FIG_KEYLINES) | $(FIG_RUNKEY) list $(FIG_RUNS) $(PROFILE))
ifneq ($(.SHELLSTATUS),0)
$(error cannot compute the keys of the runs of $(PROFILE) (figures/runkey.sh))
endif
# The final curvature: redone with its run, or when its arguments change.
FIG_CURV_KEY := args $(strip $(FIG_CURV_FINAL_ARGS))
FIG_CURV_STALE := $(foreach n,$(FIG_NAMES),$(if $(and $(filter-out $(FIG_STALE),$(n)),$(wildcard $(FIG_RUNS)/$(n)/curvature_final.tsv),\
  $(call fig_eq,$(file <$(FIG_RUNS)/$(n)/curvature_final.args),$(FIG_CURV_KEY))),,$(n)))
FIG_CURVA_KEY := args $(strip $(FIG_CURV_AUTHORS_ARGS))
FIG_CURVA_STALE := $(foreach n,$(FIG_MAIN_NAMES),$(if $(and $(filter-out $(FIG_STALE),$(n)),$(wildcard $(FIG_RUNS)/$(n)/curvature_authors.tsv),\
  $(call fig_eq,$(file <$(FIG_RUNS)/$(n)/curvature_authors.args),$(FIG_CURVA_KEY))),,$(n)))
endif
$(FIG_STALE:%=$(FIG_RUNS)/%/metrics.tsv): FORCE
$(if $(FIG_CURVF),$(FIG_CURV_STALE:%=$(FIG_RUNS)/%/curvature_final.tsv)): FORCE
$(if $(FIG_CURVA),$(FIG_CURVA_STALE:%=$(FIG_RUNS)/%/curvature_authors.tsv)): FORCE
FORCE:

# ------------------------------------------------------------------ runs
# A run: its key is written to NAME.cfg (the trainer reads it as its config;
# the hash lines are comments) and kept as NAME/run.cfg. metrics.tsv is
# written last, so it is the target. Same key and no metrics.tsv: the run
# goes on (resume=auto when the trainer has it: resume from a consistent
# checkpoint, repair an end-of-run window, or restart saying why; otherwise
# resume=1 from a checkpoint); another key: the directory starts over.
# Exit 3 (diverged, recorded in metrics.tsv) is a result, not a failure.
# bin/credit and the plugins are order-only: the key carries their maths.
$(FIG_RUNS)/%/metrics.tsv:
	@d=$(@D); cfg=$(FIG_RUNS)/$*.cfg; mkdir -p $(FIG_RUNS); \
	printf '%s\n' '$(call fig_keyline,$*)' | $(FIG_RUNKEY) key $(FIG_RUNS) $(PROFILE) $* > $$cfg.new || exit 1; mv $$cfg.new $$cfg; \
	r=0; \
	if [ ! -f $$d/metrics.tsv ] && cmp -s $$cfg $$d/run.cfg 2>/dev/null; then \
	  if $(BIN) keys | awk '$$1 == "resume" && /auto/ { f = 1 } END { exit !f }'; then r=auto; \
	  elif [ -f $$d/checkpoint.bin ]; then r=1; fi; \
	fi; \
	if [ $$r = 0 ]; then rm -rf $$d && mkdir -p $$d && cp $$cfg $$d/run.cfg; fi; \
	echo "train $$d$$( [ $$r != 0 ] && echo " (resume=$$r)")"; \
	rc=0; $(LAUNCH) $(BIN) train $$cfg out=$$d resume=$$r progress=0 > $$d/train.log 2>&1 || rc=$$?; \
	grep '^restart ' $$d/train.log >&2 || true; \
	if [ $$rc != 0 ] && [ $$rc != 3 ]; then echo "train $$d: failed (exit $$rc):" >&2; tail -n 5 $$d/train.log >&2; exit 1; fi; \
	printf '%s\n' $(FIG_NAMES) | figures/progress.sh $(FIG_RUNS) $$d

# The final checkpoint's curvature (a diverged run has none: a header only);
# curvature_final.args records the arguments it was measured with.
$(FIG_RUNS)/%/curvature_final.tsv: | $(FIG_RUNS)/%/metrics.tsv $(BIN)
	@rm -f $(@D)/curvature_final.args; \
	if grep -q '^status	diverged' $(@D)/metrics.tsv; then \
	  printf '# diverged run: no curvature\niter\tlambda_max\tgamma\tcosine\teta\tbound_gd\tbound_rule\n' > $@.part && mv $@.part $@; \
	else \
	  echo "curvature $(@D)"; \
	  $(LAUNCH) $(BIN) curvature $(@D) $(FIG_CURV_FINAL_ARGS) > $(@D)/curvature.log 2>&1 || \
	    { echo "curvature $(@D): failed:" >&2; tail -n 5 $(@D)/curvature.log >&2; exit 1; }; \
	fi; \
	printf '%s\n' '$(FIG_CURV_KEY)' > $(@D)/curvature_final.args

# The same on the authors' protocol (a diverged run: a header only). After
# the final curvature of the same run: two credit processes on one run
# directory collide on its lock (seen under -j2 with make rule-report).
$(FIG_RUNS)/%/curvature_authors.tsv: | $(FIG_RUNS)/%/metrics.tsv $(BIN) $(if $(FIG_CURVF),$(FIG_RUNS)/%/curvature_final.tsv)
	@rm -f $(@D)/curvature_authors.args; \
	if grep -q '^status	diverged' $(@D)/metrics.tsv; then \
	  printf '# diverged run: no curvature\niter\tlambda_max\n' > $@.part && mv $@.part $@; \
	else \
	  echo "curvature (authors' protocol) $(@D)"; \
	  $(LAUNCH) $(BIN) curvature $(@D) --out=curvature_authors.tsv $(FIG_CURV_AUTHORS_ARGS) > $(@D)/curvature_authors.log 2>&1 || \
	    { echo "curvature $(@D) (authors' protocol): failed:" >&2; tail -n 5 $(@D)/curvature_authors.log >&2; exit 1; }; \
	fi; \
	printf '%s\n' '$(FIG_CURVA_KEY)' > $(@D)/curvature_authors.args

fig-runs: $(FIG_METRICS) $(FIG_CURVF) $(FIG_CURVA) $(FIG_MATCH_TARGETS) ## train and measure every run of the profile (no tables)

# Which runs `make figures` would retrain, and why (the key they were trained
# with, NAME/run.cfg, against their key now).
stale: ## the runs that would be retrained and why (which maths hash or config key changed)
	@$(FIG_KEYLINES) | $(FIG_RUNKEY) why $(FIG_RUNS) $(PROFILE)
	@$(if $(FIG_CURVF),for n in $(filter-out $(FIG_STALE),$(FIG_CURV_STALE)); do echo "$$n: curvature_final.tsv: measured with other arguments (FIG_CURV_FINAL_ARGS) or missing"; done)
	@$(if $(FIG_CURVA),for n in $(filter-out $(FIG_STALE),$(FIG_CURVA_STALE)); do echo "$$n: curvature_authors.tsv: measured with other arguments (FIG_CURV_AUTHORS_ARGS) or missing"; done)
	@echo "stale: $(words $(FIG_STALE)) of $(words $(FIG_NAMES)) runs of $(PROFILE) to train$(if $(FIG_CURVF),$(fig_comma) $(words $(FIG_CURV_STALE)) final curvatures to measure)"

# ------------------------------------------------------------------ tables
# A file written as NAME.new is synced before it is renamed: a full disk or
# a crash never leaves a short file under the final name.
fig_commit = sync $(1).new && mv $(1).new $(1)
# Files rewritten only when their content changes, decided at parse time
# (content compared with $(file <)) so that `make -n` agrees with `make`.
fig_tab := $(shell printf '\t')
define fig_nl


endef
FIG_MANIFEST_TEXT := group$(fig_tab)task$(fig_tab)rule$(fig_tab)seed$(fig_tab)x$(fig_tab)dir$(foreach row,$(FIG_ROWS),$(fig_nl)$(subst :,$(fig_tab),$(patsubst %:$(lastword $(subst :, ,$(row))),%,$(row))):$(FIG_RUNS)/$(lastword $(subst :, ,$(row))))
fig_space := $(subst ,, )
FIG_MANIFEST_TEXT := $(subst $(fig_space)$(fig_nl),$(fig_nl),$(subst :$(FIG_RUNS)/,$(fig_tab)$(FIG_RUNS)/,$(FIG_MANIFEST_TEXT)))
ifeq ($(call fig_eq,$(file <$(FIG_MANIFEST)),$(FIG_MANIFEST_TEXT)),)
$(FIG_MANIFEST): FORCE
endif
FIG_MANIFEST_CMD = { printf 'group\ttask\trule\tseed\tx\tdir\n'; \
	   for row in $(FIG_ROWS); do IFS=: read -r g t r s x n <<< "$$row"; printf '%s\t%s\t%s\t%s\t%s\t%s\n' $$g $$t $$r $$s $$x $(FIG_RUNS)/$$n; done; }
$(FIG_MANIFEST):
	@mkdir -p $(@D)
	@$(FIG_MANIFEST_CMD) > $@.new
	@$(call fig_commit,$@)

# The statistics' arguments (FIG_ALPHA, the profile, every FIG_CLAIM_*
# setting): a change redoes the tables, not the runs or the curvature.
FIG_STATS_ARGS := alpha=$(FIG_ALPHA) profile=$(PROFILE) $(foreach v,$(sort $(filter FIG_CLAIM_%,$(.VARIABLES))),'$(v)=$($(v))')
FIG_STATS_KEY  := $(FIG_TABLES)/stats.args
ifeq ($(call fig_eq,$(file <$(FIG_STATS_KEY)),$(FIG_STATS_ARGS)),)
$(FIG_STATS_KEY): FORCE
endif
$(FIG_STATS_KEY):
	@mkdir -p $(@D); printf '%s\n' '$(subst ','\'',$(FIG_STATS_ARGS))' > $@.new && $(call fig_commit,$@)

FIG_TABLE_NAMES := runs.tsv summary.tsv tests.tsv corr.tsv theorem.tsv sweeps.tsv traj.tsv curves.tsv rho.tsv gapfit.tsv gapfit.md \
                   claims.tsv claims.md claims_summary.md summary.md feedback.md edge.md settings.md sweeps.md matched.md values.tsv \
                   power.tsv power.md endpoints.md divergence.md findings.md
FIG_TABLE_FILES := $(FIG_TABLE_NAMES:%=$(FIG_TABLES)/%)
$(FIG_TABLE_FILES) &: $(FIG_MANIFEST) $(FIG_STATS_KEY) $(FIG_CLAIMS) $(FIG_GROUPS_TABLE) $(FIG_METRICS) $(FIG_CURVF) $(FIG_STATS)
	$(FIG_STATS) $(FIG_MANIFEST) $(FIG_TABLES) $(FIG_DESIGN_ARGS) $(FIG_STATS_ARGS)

# The commits and maths hashes the runs were computed with, from the
# provenance lines of their metrics.tsv: one row per (commit, math_hash).
FIG_PROVENANCE := $(FIG_TABLES)/provenance.tsv
$(FIG_PROVENANCE): $(FIG_METRICS) figures/provenance.awk
	@mkdir -p $(@D)
	@awk -f figures/provenance.awk $(FIG_METRICS) > $@.new && $(call fig_commit,$@)

# The two curvature protocols side by side (figures/protocols.awk).
FIG_PROTOCOLS := $(FIG_TABLES)/protocols.md
$(FIG_PROTOCOLS): $(FIG_MANIFEST) $(FIG_METRICS) $(FIG_CURVA) figures/protocols.awk
	@mkdir -p $(@D)
	@awk -f figures/protocols.awk $(FIG_MANIFEST) > $@.new && $(call fig_commit,$@)

# Figure 1: a few trials of each task (credit sample) with the output of a
# BPTT run of the task on them (the first seed that did not diverge). It
# needs the runs' weights, which committed runs lack: keyed on its runs and
# arguments (samples.key) like a run, it is redone only when they change.
FIG_SAMPLE_RUNS = $(foreach s,$(FIG_SEEDS),$(FIG_RUNS)/$(1)-bptt-lr$(FIG_ETA_$(1))-s$(s))
FIG_SAMPLE_DIRS := $(foreach t,$(FIG_TASKS),$(call FIG_SAMPLE_RUNS,$(t)))
FIG_SAMPLES     := $(FIG_TABLES)/samples.tsv
ifneq ($(FIG_NEED_KEYS),)
FIG_SAMPLE_KEY := args $(strip $(FIG_SAMPLE_ARGS)) core $(FIG_MATH_CORE) script $(firstword $(shell sha256sum figures/samples.sh))$(foreach d,$(FIG_SAMPLE_DIRS), $(notdir $(d)))
# After a certified change of the core (make certify) the table stands when
# it was computed with the core its runs were trained with (their run.cfg)
# and only that hash differs: its runs are current by certificate.
FIG_SAMPLE_STORED := $(file <$(FIG_SAMPLES:.tsv=.key))
FIG_SAMPLE_TRAINED := $(sort $(foreach d,$(FIG_SAMPLE_DIRS),$(shell sed -n 's/^\# math_core //p' $(d)/run.cfg 2>/dev/null)))
FIG_SAMPLE_SAME := $(or $(call fig_eq,$(FIG_SAMPLE_STORED),$(FIG_SAMPLE_KEY)),$(and $(filter 1,$(words $(FIG_SAMPLE_TRAINED))),\
  $(call fig_eq,$(subst core $(FIG_SAMPLE_TRAINED) ,core $(FIG_MATH_CORE) ,$(FIG_SAMPLE_STORED)),$(FIG_SAMPLE_KEY))))
ifneq ($(or $(filter $(notdir $(FIG_SAMPLE_DIRS)),$(FIG_STALE)),$(if $(wildcard $(FIG_SAMPLES)),,missing),$(if $(FIG_SAMPLE_SAME),,changed)),)
$(FIG_SAMPLES): FORCE
endif
endif
$(FIG_SAMPLES): | $(FIG_SAMPLE_DIRS:%=%/metrics.tsv) $(BIN)
	@mkdir -p $(@D)
	figures/samples.sh "$(BIN)" "$(FIG_SAMPLE_ARGS)" $(foreach t,$(FIG_TASKS),$(t)=$(subst $(eval) ,$(fig_comma),$(strip $(call FIG_SAMPLE_RUNS,$(t))))) > $@.new
	@$(call fig_commit,$@); printf '%s\n' '$(FIG_SAMPLE_KEY)' > $(@:.tsv=.key)

# ------------------------------------------------------------------ figures
# One gnuplot script per figure, PNG and SVG from one call; the script and
# the tables it reads are its prerequisites, so editing it only replots.
# gnuplot writes .figN.part.png/.svg; they are synced and renamed only after
# it succeeds and both files are complete (figures/figcheck.sh: gnuplot exits
# 0 after a failed write on a full disk), so neither a killed gnuplot nor a
# full disk leaves a truncated figN.png that a later make would count as done.
FIG_LIST := fig1 fig2 fig3 fig4 fig5 fig6 fig7 fig8 figS
FIG_FILES := $(foreach f,$(FIG_LIST),$(FIG_FIGS)/$(f).png $(FIG_FIGS)/$(f).svg)
FIG_GP_VARS = tables='$(FIG_TABLES)'; out='$(FIG_FIGS)/.$*.part'; tasks='$(FIG_TASKS)'; \
  rules='$(FIG_RULES)'; script='figures/$*.gp'
# Each script also writes its caption for the paper (figN.caption, a value
# file for figures/render.awk: caption.figN), true for what it drew.
FIG_CAPTIONS := $(FIG_LIST:%=$(FIG_FIGS)/%.caption)
$(FIG_FIGS)/%.png $(FIG_FIGS)/%.svg $(FIG_FIGS)/%.caption: figures/%.gp figures/common.gp figures/count.awk figures/select.awk \
    figures/absent.awk figures/spikes.awk figures/quartiles.awk $(FIG_TABLES)/values.tsv
	@mkdir -p $(@D); rm -f $(FIG_FIGS)/.$*.part.png $(FIG_FIGS)/.$*.part.svg $(FIG_FIGS)/.$*.part.caption
	gnuplot -e "$(FIG_GP_VARS)" figures/$*.gp
	@figures/figcheck.sh $(FIG_FIGS)/.$*.part.png $(FIG_FIGS)/.$*.part.svg || \
	  { rm -f $(FIG_FIGS)/.$*.part.png $(FIG_FIGS)/.$*.part.svg $(FIG_FIGS)/.$*.part.caption; exit 1; }
	@sync $(FIG_FIGS)/.$*.part.png $(FIG_FIGS)/.$*.part.svg $(FIG_FIGS)/.$*.part.caption && \
	mv $(FIG_FIGS)/.$*.part.png $(FIG_FIGS)/$*.png && mv $(FIG_FIGS)/.$*.part.svg $(FIG_FIGS)/$*.svg && \
	mv $(FIG_FIGS)/.$*.part.caption $(FIG_FIGS)/$*.caption && sync $(FIG_FIGS)
$(FIG_FIGS)/fig1.png: $(FIG_SAMPLES)
# The figure test's probes (tests/test_figures.c): every figure's PNG drawn
# again into FIG_PROBE_DIR on a canvas FIG_PROBE_PAD pixels wider on each
# side (figures/common.gp: probe=), with the log of its panels, from the
# tables there are under RESULTS. Trains and rebuilds nothing.
FIG_PROBE_PAD ?= 60
fig-probe: ## the figure test's padded probes of every figure into FIG_PROBE_DIR (trains nothing)
	@[ -n "$(FIG_PROBE_DIR)" ] || { echo "fig-probe: FIG_PROBE_DIR= names the directory for the probes" >&2; exit 1; }
	@mkdir -p $(FIG_PROBE_DIR) && rm -f $(FIG_PROBE_DIR)/*.log
	@for f in $(FIG_LIST); do \
	  gnuplot -e "tables='$(FIG_TABLES)'; out='$(FIG_PROBE_DIR)/$$f'; tasks='$(FIG_TASKS)'; rules='$(FIG_RULES)'; script='figures/$$f.gp'; probe=$(FIG_PROBE_PAD)" figures/$$f.gp || exit 1; \
	done

# The confirmatory experiment's paragraph (figures/confirm.sh): its findings
# once all its runs have finished, else how many have (no interim look).
FIG_CONFIRM_DIR ?= $(RESULTS)/confirm
FIG_CONFIRM := $(FIG_TABLES)/confirm.md
# The confirm profile's run count comes from its own fig-list, in a make that
# inherits none of this one's command-line variables (a FIG_SEEDS=1 given here
# must not shrink it) and that make -n does not run (plain make, not $(MAKE)).
$(FIG_CONFIRM): figures/confirm.sh $(FIG_EXPERIMENTS)/confirm.mk $(wildcard $(FIG_CONFIRM_DIR)/tables/findings.md $(FIG_CONFIRM_DIR)/tables/power.md $(FIG_CONFIRM_DIR)/runs/confirm/*/metrics.tsv)
	@mkdir -p $(@D); list=$$(env -i PATH="$$PATH" make -s --no-print-directory -C $(CURDIR) fig-list PROFILE=confirm \
	  RESULTS=$(abspath $(FIG_CONFIRM_DIR))) || { echo "$@: cannot list the confirm profile's runs" >&2; exit 1; }; \
	  figures/confirm.sh $(PROFILE) $(FIG_CONFIRM_DIR) $$(printf '%s\n' "$$list" | grep -c .) > $@.new && $(call fig_commit,$@)

# The rule reports committed beside this rendering (make rule-report, under
# RESULTS/rules/NAME with runs of this profile): one row each, from their own
# tables (figures/rules_section.sh); nothing is trained or recomputed here.
FIG_RULE_REPORTS := $(FIG_TABLES)/rules.md
$(FIG_RULE_REPORTS): figures/rules_section.sh $(wildcard $(RESULTS)/rules/*/report.md $(RESULTS)/rules/*/tables/summary.tsv $(RESULTS)/rules/*/tables/runs.tsv $(RESULTS)/rules/*/runs/*/*/config.txt)
	@mkdir -p $(@D); figures/rules_section.sh $(PROFILE) $(RESULTS) > $@.new && $(call fig_commit,$@)

# The numbers the paper's sentences hold (figures/prose.sh): from the runs'
# table and the committed pilot runs.
FIG_PROSE := $(FIG_TABLES)/prose.tsv
$(FIG_PROSE): figures/prose.sh figures/spikes.awk $(FIG_TABLES)/runs.tsv $(FIG_EXPERIMENTS)/paper.mk $(wildcard $(FIG_EXPERIMENTS)/pilots/*/*.tsv)
	@mkdir -p $(@D); figures/prose.sh $(FIG_TABLES) $(FIG_EXPERIMENTS)/pilots > $@.new && $(call fig_commit,$@)

# ------------------------------------------------------------------ paper
$(FIG_PAPER): paper/paper.md paper/authors.tsv figures/render.awk $(FIG_TABLE_FILES) $(FIG_PROTOCOLS) $(FIG_CONFIRM) $(FIG_RULE_REPORTS) $(FIG_PROSE) $(FIG_FILES) $(FIG_CAPTIONS)
	awk -f figures/render.awk -v tables=$(FIG_TABLES) -v figs=figures paper/authors.tsv $(FIG_TABLES)/values.tsv $(FIG_PROSE) $(FIG_CAPTIONS) paper/paper.md > $@.new
	@$(call fig_commit,$@)

# ------------------------------------------------------------------ verbs
.PHONY: figures fig-probe fig-all fig-tables fig-runs paper verify fig-list stale check-reference reference-sums clean-runs clean-tables clean-figures fig-progress-start
# What this `make figures` will train (stale or missing runs), for the
# progress lines (figures/progress.sh): a stale run's old metrics.tsv is not
# done until it is rewritten.
fig-progress-start:
	@mkdir -p $(FIG_RUNS); printf '%s\n' $(sort $(FIG_STALE) $(foreach n,$(FIG_NAMES),$(if $(wildcard $(FIG_RUNS)/$(n)/metrics.tsv),,$(n)))) > $(FIG_RUNS)/.progress-todo; \
	  echo "$$(date +%s) $$(( $(words $(FIG_NAMES)) - $$(grep -c . $(FIG_RUNS)/.progress-todo) ))" > $(FIG_RUNS)/.progress-start

# `make figures` trains on every core by itself: without a -j from the user
# the sub-make gets -j$(nproc); with one (MAKEFLAGS holds -jN, or a j among
# its single-letter flags) it shares the user's jobserver instead. FIG_JOBS=
# (empty) runs one job at a time.
FIG_NPROC := $(shell nproc 2>/dev/null || echo 1)
FIG_USER_J = $(filter -j%,$(MAKEFLAGS))$(findstring j,$(filter-out -%,$(firstword $(MAKEFLAGS))))
FIG_JOBS ?= $(if $(FIG_USER_J),,-j$(FIG_NPROC))
# Under `make -n` the two passes are one sub-make (fig-runs fig-all): the
# second pass re-reads the makefiles only to define the matched-loss runs
# from a target the first pass writes, and in a dry run the first pass made
# nothing, so a second sub-make would list every run again.
FIG_DRY = $(findstring n,$(filter-out -%,$(firstword $(MAKEFLAGS))))
# A profile that reads MNIST from a directory it does not fetch (smoke:
# FIG_DATA_DIR) says how to get one before anything is trained.
FIG_DATA_CHECK = $(if $(FIG_DATA_DIR),@test -f $(FIG_DATA_DIR)/train-images-idx3-ubyte || { \
  echo "figures: PROFILE=$(PROFILE) reads MNIST from $(FIG_DATA_DIR) but it has no train-images-idx3-ubyte:" >&2; \
  echo "figures: run 'make data-synth' and pass MNIST_DIR=$(MNIST_SYNTH) (or 'make data') or set MNIST_DIR to a directory with the four IDX files" >&2; exit 1; })
figures: ## every run, table, figure and the paper (PROFILE=authors (default)|quick|paper|smoke, LAUNCH=prefix, -j2)
	@$(MAKE) --no-print-directory deps
	@$(if $(FIG_DATA),$(MAKE) --no-print-directory $(FIG_DATA),true)
	$(FIG_DATA_CHECK)
	@$(MAKE) --no-print-directory all $(FIG_STATS)
	@$(MAKE) --no-print-directory fig-progress-start
	@$(MAKE) --no-print-directory $(FIG_JOBS) fig-runs $(if $(FIG_DRY),fig-all)
	$(if $(FIG_DRY),,@$(MAKE) --no-print-directory $(FIG_JOBS) fig-all)
	@echo "figures: $(FIG_FIGS)/, tables: $(FIG_TABLES)/, paper: $(FIG_PAPER)"

fig-all: $(FIG_FILES) $(FIG_PAPER) $(FIG_PROVENANCE)
fig-tables: $(FIG_TABLE_FILES) $(FIG_PROVENANCE) $(FIG_PROTOCOLS) $(FIG_CONFIRM) $(FIG_RULE_REPORTS) $(FIG_PROSE) ## the statistics tables only (trains what is missing)
paper: $(FIG_PAPER) ## the literate paper results/paper.md (trains what is missing)

fig-list: ## the runs of the profile, one per line
	@printf '%s\n' $(FIG_NAMES)

# Tables under RESULTS compared with ones computed elsewhere: the run
# directories' path (the dir column of runs.tsv, provenance.tsv) is written
# R/runs/PROFILE/ on both sides, so a copy of the tree anywhere compares equal.
FIG_COMPARED := $(notdir $(FIG_TABLE_FILES) $(FIG_PROVENANCE))
fig_norm = sed -E 's%(^|\t)[^\t]*/runs/$(PROFILE)/%\1R/runs/$(PROFILE)/%g' $(1)

# The claims table from the runs there are; trains nothing and writes
# nothing under RESULTS (the tables are computed in a scratch directory, the
# claims printed from there, and a table under RESULTS that differs from them
# is named: make fig-tables writes them). Fails when a run is missing, a raw
# file is damaged (credit-stats names it) or, where RESULTS/runs/PROFILE.sha256
# exists, a raw file is not the one it records; never because a claim fails.
verify: $(FIG_STATS) ## the claims table: statistic, p-value, verdict per claim (trains nothing, writes nothing under RESULTS)
	@miss=0; for f in $(FIG_METRICS) $(FIG_CURVF) $(FIG_CURVA); do [ -f $$f ] || { echo "verify: missing $$f" >&2; miss=$$((miss+1)); }; done; \
	if [ $$miss != 0 ]; then echo "verify: $$miss result files missing: make figures PROFILE=$(PROFILE)" >&2; exit 1; fi
	@$(if $(FIG_STALE),echo "verify: warning: $(words $(FIG_STALE)) runs were computed with other maths or config than the tree's (make stale)" >&2)
	@if [ -f $(FIG_SUMS) ]; then figures/runsums.sh check $(FIG_RUNS) $(FIG_SUMS) > /dev/null; fi
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(FIG_MANIFEST_CMD) > $$tmp/manifest.tsv; \
	$(FIG_STATS) $$tmp/manifest.tsv $$tmp $(FIG_DESIGN_ARGS) $(FIG_STATS_ARGS); \
	awk -f figures/provenance.awk $(FIG_METRICS) > $$tmp/provenance.tsv; \
	awk -f figures/claims.awk $$tmp/claims.tsv; \
	for f in $(FIG_COMPARED); do \
	  [ -f $(FIG_TABLES)/$$f ] && cmp -s <($(call fig_norm,$(FIG_TABLES)/$$f)) <($(call fig_norm,$$tmp/$$f)) || \
	    echo "verify: note: $(FIG_TABLES)/$$f is not what the runs give now (make fig-tables writes it)" >&2; \
	done

# Records the checksums of the raw runs (FIG_SUMS) that check-reference and
# verify check first: after retraining the committed reference on purpose.
# First the finished runs' curves are cut to the committed form (every
# evaluation row, the batch rows of every FIG_THIN_EVERY iterations:
# figures/thincurve.sh says why); no table reads what is cut.
FIG_THIN_EVERY ?= 10
reference-sums: ## record RESULTS/runs/PROFILE.sha256, the checksums of the raw runs (after retraining the reference)
	@[ -d $(FIG_RUNS) ] || { echo "reference-sums: no raw runs in $(FIG_RUNS)" >&2; exit 1; }
	@figures/thincurve.sh $(FIG_RUNS) $(FIG_THIN_EVERY)
	@figures/runsums.sh write $(FIG_RUNS) > $(FIG_SUMS).new && $(call fig_commit,$(FIG_SUMS)) && \
	  echo "reference-sums: $(FIG_SUMS): $$(grep -vc '^#' $(FIG_SUMS)) files"

# The committed reference output checks itself: its raw runs are those its
# checksums record (FIG_SUMS, first: a damaged file is named before anything
# is computed from it); a copy of RESULTS with its tables removed gets them
# back from the runs' text files alone, nothing retrained, byte for byte
# (the run directories' path aside: fig_norm).
check-reference: ## the raw runs under RESULTS are the recorded ones and its tables are exactly what they give (trains nothing)
	@set -e; [ -d $(FIG_RUNS) ] || { echo "check-reference: no raw runs in $(FIG_RUNS)" >&2; exit 1; }; \
	figures/runsums.sh check $(FIG_RUNS) $(FIG_SUMS) || { echo "check-reference: the raw runs fail their checksums" >&2; exit 1; }; \
	for s in $(wildcard $(RESULTS)/rules/*/runs/$(PROFILE).sha256); do figures/runsums.sh check $${s%.sha256} $$s || \
	  { echo "check-reference: the runs of the rule report $${s%/runs/*} fail their checksums" >&2; exit 1; }; done; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; cp -r $(RESULTS) $$tmp/results; \
	sub="$(MAKE) --no-print-directory PROFILE=$(PROFILE) RESULTS=$$tmp/results"; \
	st=$$($$sub stale | tail -n 1); \
	case "$$st" in "stale: 0 of "*" to train"|"stale: 0 of "*" to train, 0 final curvatures to measure") ;; \
	  *) $$sub stale >&2; echo "check-reference: the raw runs are not current for this tree ($$st)" >&2; exit 1 ;; esac; \
	$$sub clean-tables > /dev/null; $$sub fig-tables > /dev/null; bad=0; \
	for f in $(FIG_COMPARED) $(notdir $(FIG_PROTOCOLS)); do \
	  cmp -s <($(call fig_norm,$(FIG_TABLES)/$$f)) <($(call fig_norm,$$tmp/results/tables/$$f)) || \
	    { echo "check-reference: $(FIG_TABLES)/$$f is not what the raw runs give" >&2; bad=1; }; \
	done; \
	cmp -s $(FIG_CONFIRM) $$tmp/results/tables/$(notdir $(FIG_CONFIRM)) || \
	  { echo "check-reference: $(FIG_CONFIRM) is not what the confirmatory runs give" >&2; bad=1; }; \
	for f in $(FIG_RULE_REPORTS) $(FIG_PROSE); do cmp -s $$f $$tmp/results/tables/$${f##*/} || \
	  { echo "check-reference: $$f is not what the committed runs, rule reports and pilots give" >&2; bad=1; }; done; \
	[ $$bad = 0 ] && echo "check-reference: $(words $(FIG_COMPARED) $(FIG_PROTOCOLS) $(FIG_CONFIRM) $(FIG_RULE_REPORTS) $(FIG_PROSE)) tables of $(RESULTS) are what its $(words $(FIG_NAMES)) raw runs give"

# Cleaning a profile's results (PROFILE, RESULTS); `make clean` removes builds only.
# The sample table goes with the runs: it needs their weights, which
# committed runs do not have.
clean-runs: ## remove the runs of PROFILE under RESULTS, their checksums and the sample table (retrains everything)
	rm -rf -- $(FIG_RUNS) $(FIG_SUMS) $(FIG_SAMPLES) $(FIG_SAMPLES:.tsv=.key)
clean-tables: ## remove the tables under RESULTS but the sample table (recomputed from the runs' text files, no training)
	rm -f $(FIG_TABLE_FILES) $(FIG_MANIFEST) $(FIG_STATS_KEY) $(FIG_PROVENANCE) $(FIG_PROTOCOLS) $(FIG_CONFIRM) $(FIG_RULE_REPORTS) $(FIG_PROSE) $(FIG_PAPER)
clean-figures: ## remove the figures under RESULTS (replotted from the tables)
	rm -f $(FIG_FILES) $(FIG_CAPTIONS) $(FIG_FIGS)/.*.part.png $(FIG_FIGS)/.*.part.svg $(FIG_FIGS)/.*.part.caption
