# mk/figures.mk - `make figures`: experiment configs -> runs -> tables ->
# figures -> the literate paper -> the claims check. figures/README.md
# explains the layout, the profiles and the scheduler prefix (LAUNCH).
#
#   make figures [PROFILE=smoke|quick|paper] [RESULTS=dir] [LAUNCH="srun -n1 -c1"] [-j2]
#   make paper      make verify      make fig-tables      make fig-list
#
# Every name here starts with FIG_ (or fig-) so the fragment cannot collide
# with the other fragments of the shared Makefile.

PROFILE ?= quick
RESULTS ?= results
LAUNCH  ?=

FIG_EXPERIMENTS := paper/experiments
FIG_STATS       := $(ROOT)/bin/credit-stats
FIG_STAT_OBJ    := $(patsubst figures/%.c,$(BUILD)/figures/%.o,$(filter-out figures/stats.c,$(wildcard figures/*.c)))

# ------------------------------------------------------------------ programs
$(BUILD)/figures/%.o: figures/%.c $(wildcard figures/*.h) | $(BUILD)/.dir
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ifigures -c -o $@ $<
$(FIG_STATS): $(BUILD)/figures/stats.o $(FIG_STAT_OBJ) | $(BUILD)/.dir
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# tests/test_stats.c checks the statistics: link them into the test binary
$(TEST_BIN): $(FIG_STAT_OBJ)
all: $(FIG_STATS)

# ------------------------------------------------------------------ profile
ifeq ($(wildcard $(FIG_EXPERIMENTS)/$(PROFILE).mk),)
$(error PROFILE=$(PROFILE): no $(FIG_EXPERIMENTS)/$(PROFILE).mk (profiles: $(notdir $(basename $(wildcard $(FIG_EXPERIMENTS)/*.mk))))))
endif
include $(FIG_EXPERIMENTS)/$(PROFILE).mk

FIG_RUNS    := $(RESULTS)/runs/$(PROFILE)
FIG_TABLES  := $(RESULTS)/tables
FIG_FIGS    := $(RESULTS)/figures
FIG_PAPER   := $(RESULTS)/paper.md
FIG_MANIFEST := $(FIG_TABLES)/manifest.tsv

# Numbers in make names: awk prints the product canonically (%g), so the
# remedy's c x eta names the same run as the sweep's eta.
fig_mul = $(shell awk 'BEGIN { printf "%g", ($(1)) * ($(2)) }')
fig_lr  = $(call fig_mul,1,$(or $(FIG_LR_$(1)),$(FIG_LR)))

# $(call fig_run,GROUP,TASK,RULE,SEED,X,NAME,EXTRA_ARGS): one run in one group.
# A run named twice (the sweep's eta = the main eta) is trained once.
# Keys, later wins: TASK.cfg, FIG_ARGS, FIG_ARGS_TASK, FIG_CURV_ARGS,
# FIG_ARGS_TASK_RULE (e.g. the authors' per-rule iteration counts), the run's own.
define fig_run
ifndef FIG_ARGS.$(6)
FIG_NAMES += $(6)
FIG_TASK.$(6) := $(2)
FIG_ARGS.$(6) := task=$(2) rule=$(3) seed=$(4) $(FIG_ARGS) $(FIG_ARGS_$(2)) $(FIG_CURV_ARGS) $(FIG_ARGS_$(2)_$(3)) $(7)
$(FIG_RUNS)/$(6)/metrics.tsv: $(ROOT)/rules/$(3).so $(ROOT)/tasks/$(2).so
endif
FIG_ROWS += $(1):$(2):$(3):$(4):$(5):$(6)
endef

# main: task x rule x seed at each task's learning rate
$(foreach t,$(FIG_TASKS),$(eval FIG_ETA_$(t) := $(call fig_lr,$(t))))
$(foreach t,$(FIG_TASKS),$(foreach r,$(FIG_RULES),$(foreach s,$(FIG_SEEDS),\
  $(eval $(call fig_run,main,$(t),$(r),$(s),$(FIG_ETA_$(t)),$(t)-$(r)-lr$(FIG_ETA_$(t))-s$(s),lr=$(FIG_ETA_$(t)))))))
# lr: the learning-rate sweep (factors of the task's eta)
$(foreach t,$(FIG_LR_TASKS),$(foreach f,$(FIG_LR_FACTORS),$(eval FIG_ETA_$(t)_$(f) := $(call fig_mul,$(f),$(call fig_lr,$(t))))))
$(foreach t,$(FIG_LR_TASKS),$(foreach r,$(FIG_LR_RULES),$(foreach f,$(FIG_LR_FACTORS),$(foreach s,$(FIG_LR_SEEDS),\
  $(eval $(call fig_run,lr,$(t),$(r),$(s),$(FIG_ETA_$(t)_$(f)),$(t)-$(r)-lr$(FIG_ETA_$(t)_$(f))-s$(s),lr=$(FIG_ETA_$(t)_$(f))))))))
# tbptt: the sweep over the truncation K
$(foreach t,$(FIG_K_TASKS),$(foreach k,$(FIG_K_VALUES),$(foreach s,$(FIG_K_SEEDS),\
  $(eval $(call fig_run,tbptt,$(t),tbptt,$(s),$(k),$(t)-tbpttK$(k)-lr$(call fig_lr,$(t))-s$(s),lr=$(call fig_lr,$(t)) K=$(k))))))
# remedy: the bio rule's learning rate times c, and a late boost
$(foreach t,$(FIG_REMEDY_TASKS),$(foreach c,$(FIG_REMEDY_C),$(eval FIG_ETA_$(t)_c$(c) := $(call fig_mul,$(c),$(call fig_lr,$(t))))))
$(foreach t,$(FIG_REMEDY_TASKS),$(foreach r,$(FIG_REMEDY_RULES),$(foreach s,$(FIG_REMEDY_SEEDS),\
  $(foreach c,$(FIG_REMEDY_C),$(eval $(call fig_run,remedy,$(t),$(r),$(s),$(c),$(t)-$(r)-lr$(FIG_ETA_$(t)_c$(c))-s$(s),lr=$(FIG_ETA_$(t)_c$(c)))))\
  $(if $(FIG_BOOST_ARGS),$(eval $(call fig_run,boost,$(t),$(r),$(s),$(FIG_BOOST_FACTOR),$(t)-$(r)-lr$(call fig_lr,$(t))-boost-s$(s),lr=$(call fig_lr,$(t)) $(FIG_BOOST_ARGS)))))))

# matched: every rule stops when its training accuracy reaches FIG_MATCH_ACC
# (stop_train_acc, checked at each evaluation; science.md section 5), so gaps
# are compared at equal training accuracy (x = the target)
$(foreach t,$(FIG_MATCH_TASKS),$(foreach r,$(FIG_MATCH_RULES),$(foreach s,$(FIG_MATCH_SEEDS),\
  $(eval $(call fig_run,matched,$(t),$(r),$(s),$(FIG_MATCH_ACC),$(t)-$(r)-lr$(call fig_lr,$(t))-acc$(FIG_MATCH_ACC)-s$(s),lr=$(call fig_lr,$(t)) stop_train_acc=$(FIG_MATCH_ACC) $(FIG_MATCH_ARGS))))))

FIG_CFGS    := $(FIG_NAMES:%=$(FIG_RUNS)/%.cfg)
FIG_METRICS := $(FIG_NAMES:%=$(FIG_RUNS)/%/metrics.tsv)
FIG_CURVF   := $(if $(filter 1,$(FIG_CURVATURE_FINAL)),$(FIG_NAMES:%=$(FIG_RUNS)/%/curvature_final.tsv))
.SECONDARY: $(FIG_CFGS) $(FIG_METRICS) $(FIG_CURVF)

# ------------------------------------------------------------------ runs
# A run's config: the task's base file, then the profile's and the run's
# keys (later wins). Rewritten only when it changes, so editing a profile
# retrains exactly the runs it changes.
$(FIG_RUNS)/%.cfg: FORCE
	@mkdir -p $(@D)
	@{ echo "# run $* of profile $(PROFILE): $(or $(wildcard $(FIG_EXPERIMENTS)/$(FIG_TASK.$*).cfg),no base file) + $(FIG_EXPERIMENTS)/$(PROFILE).mk"; \
	   awk -f figures/mergecfg.awk $(wildcard $(FIG_EXPERIMENTS)/$(FIG_TASK.$*).cfg) - <<< "$(FIG_ARGS.$*)"; } > $@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@

# A run: metrics.tsv is written last, so it is the target. A killed run
# resumes from its checkpoint if its config is unchanged, else starts over.
# Exit 3 (diverged, recorded in metrics.tsv) is a result, not a failure.
# The CLI is order-only: its commit stamp changes at every commit, and
# retraining everything then would be wrong in cost, not in results; a
# changed rule or task plugin does retrain (fig_run lists them).
$(FIG_RUNS)/%/metrics.tsv: $(FIG_RUNS)/%.cfg | $(BIN)
	@d=$(@D); r=0; \
	if [ ! -f $$d/metrics.tsv ] && [ -f $$d/checkpoint.bin ] && cmp -s $< $$d/run.cfg; then r=1; else rm -rf $$d && mkdir -p $$d && cp $< $$d/run.cfg; fi; \
	echo "train $$d$$( [ $$r = 1 ] && echo ' (resumed)')"; \
	rc=0; $(LAUNCH) $(BIN) train $< out=$$d resume=$$r progress=0 > $$d/train.log 2>&1 || rc=$$?; \
	if [ $$rc != 0 ] && [ $$rc != 3 ]; then echo "train $$d: failed (exit $$rc):" >&2; tail -n 5 $$d/train.log >&2; exit 1; fi

# The final checkpoint's curvature (a diverged run has none: a header only).
$(FIG_RUNS)/%/curvature_final.tsv: $(FIG_RUNS)/%/metrics.tsv
	@if grep -q '^status	diverged' $<; then \
	  printf '# diverged run: no curvature\niter\tlambda_max\tgamma\tcosine\teta\tbound_gd\tbound_rule\n' > $@; \
	else \
	  echo "curvature $(@D)"; \
	  $(LAUNCH) $(BIN) curvature $(@D) $(FIG_CURV_FINAL_ARGS) > $(@D)/curvature.log 2>&1 || \
	    { echo "curvature $(@D): failed:" >&2; tail -n 5 $(@D)/curvature.log >&2; exit 1; }; \
	fi

# ------------------------------------------------------------------ tables
$(FIG_MANIFEST): FORCE
	@mkdir -p $(@D)
	@{ printf 'group\ttask\trule\tseed\tx\tdir\n'; \
	   for row in $(FIG_ROWS); do IFS=: read -r g t r s x n <<< "$$row"; printf '%s\t%s\t%s\t%s\t%s\t%s\n' $$g $$t $$r $$s $$x $(FIG_RUNS)/$$n; done; } > $@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@

FIG_TABLE_NAMES := runs.tsv summary.tsv tests.tsv corr.tsv theorem.tsv sweeps.tsv traj.tsv curves.tsv rho.tsv \
                   claims.tsv claims.md claims_summary.md summary.md settings.md sweeps.md matched.md values.tsv
FIG_TABLE_FILES := $(FIG_TABLE_NAMES:%=$(FIG_TABLES)/%)
$(FIG_TABLE_FILES) &: $(FIG_MANIFEST) $(FIG_METRICS) $(FIG_CURVF) $(FIG_STATS) $(FIG_EXPERIMENTS)/$(PROFILE).mk
	$(FIG_STATS) $(FIG_MANIFEST) $(FIG_TABLES) alpha=$(FIG_ALPHA) profile=$(PROFILE) $(foreach v,$(sort $(filter FIG_CLAIM_%,$(.VARIABLES))),'$(v)=$($(v))')

# Figure 1: a few trials of each task (credit sample) with the output of a
# BPTT run of the task on them (the first seed that did not diverge).
FIG_SAMPLE_RUNS = $(foreach s,$(FIG_SEEDS),$(FIG_RUNS)/$(1)-bptt-lr$(FIG_ETA_$(1))-s$(s))
fig_comma := ,
$(FIG_TABLES)/samples.tsv: $(foreach t,$(FIG_TASKS),$(addsuffix /metrics.tsv,$(call FIG_SAMPLE_RUNS,$(t)))) figures/samples.sh | $(BIN)
	@mkdir -p $(@D)
	figures/samples.sh "$(BIN)" "$(FIG_SAMPLE_ARGS)" $(foreach t,$(FIG_TASKS),$(t)=$(subst $(eval) ,$(fig_comma),$(strip $(call FIG_SAMPLE_RUNS,$(t))))) > $@.new
	@mv $@.new $@

# ------------------------------------------------------------------ figures
# One gnuplot script per figure, PNG and SVG from one call; the script and
# the tables it reads are its prerequisites, so editing it only replots.
FIG_LIST := fig1 fig2 fig3 fig4 fig5 fig6 fig7 figS
FIG_FILES := $(foreach f,$(FIG_LIST),$(FIG_FIGS)/$(f).png $(FIG_FIGS)/$(f).svg)
FIG_GP_VARS = tables='$(FIG_TABLES)'; out='$(FIG_FIGS)/$*'; tasks='$(FIG_TASKS)'; \
  rules='$(FIG_RULES)'; script='figures/$*.gp'
$(FIG_FIGS)/%.png $(FIG_FIGS)/%.svg: figures/%.gp figures/common.gp figures/count.awk figures/select.awk $(FIG_TABLES)/values.tsv
	@mkdir -p $(@D)
	gnuplot -e "$(FIG_GP_VARS)" figures/$*.gp
$(FIG_FIGS)/fig1.png: $(FIG_TABLES)/samples.tsv

# ------------------------------------------------------------------ paper
$(FIG_PAPER): paper/paper.md paper/authors.tsv figures/render.awk $(FIG_TABLE_FILES) $(FIG_FILES)
	awk -f figures/render.awk -v tables=$(FIG_TABLES) -v figs=figures paper/authors.tsv $(FIG_TABLES)/values.tsv paper/paper.md > $@.new
	@mv $@.new $@

# ------------------------------------------------------------------ verbs
.PHONY: figures fig-all fig-tables paper verify fig-list
# `make figures` trains on every core by itself: without a -j from the user
# the sub-make gets -j$(nproc); with one (MAKEFLAGS holds -jN, or a j among
# its single-letter flags) it shares the user's jobserver instead. FIG_JOBS=
# (empty) runs one job at a time.
FIG_NPROC := $(shell nproc 2>/dev/null || echo 1)
FIG_USER_J = $(filter -j%,$(MAKEFLAGS))$(findstring j,$(filter-out -%,$(firstword $(MAKEFLAGS))))
FIG_JOBS ?= $(if $(FIG_USER_J),,-j$(FIG_NPROC))
figures: ## every run, table, figure and the paper (PROFILE=smoke|quick|paper, LAUNCH=prefix, -j2)
	@$(MAKE) --no-print-directory deps
	@$(if $(FIG_DATA),$(MAKE) --no-print-directory $(FIG_DATA),true)
	@$(MAKE) --no-print-directory all $(FIG_STATS)
	@$(MAKE) --no-print-directory $(FIG_JOBS) fig-all
	@echo "figures: $(FIG_FIGS)/, tables: $(FIG_TABLES)/, paper: $(FIG_PAPER)"

fig-all: $(FIG_FILES) $(FIG_PAPER)
fig-tables: $(FIG_TABLE_FILES) ## the statistics tables only
paper: $(FIG_PAPER) ## the literate paper results/paper.md (trains what is missing)

fig-list: ## the runs of the profile, one per line
	@printf '%s\n' $(FIG_NAMES)

# The claims table from the runs there are; trains nothing. Fails when a
# run is missing or its files are broken, never because a claim fails.
verify: $(FIG_STATS) $(FIG_MANIFEST) ## the claims table: statistic, p-value, verdict per claim
	@miss=0; for f in $(FIG_METRICS) $(FIG_CURVF); do [ -f $$f ] || { echo "verify: missing $$f" >&2; miss=$$((miss+1)); }; done; \
	if [ $$miss != 0 ]; then echo "verify: $$miss result files missing: make figures PROFILE=$(PROFILE)" >&2; exit 1; fi
	@$(FIG_STATS) $(FIG_MANIFEST) $(FIG_TABLES) alpha=$(FIG_ALPHA) profile=$(PROFILE) $(foreach v,$(sort $(filter FIG_CLAIM_%,$(.VARIABLES))),'$(v)=$($(v))')
	@awk -f figures/claims.awk $(FIG_TABLES)/claims.tsv
