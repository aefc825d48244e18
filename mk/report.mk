# mk/report.mk - `make rule-report RULE=NAME`: one rule put through the
# profile's protocol beside its committed reference runs (issue 23).
#
#   make rule-report RULE=myrule [PROFILE=authors] [LAUNCH=...] [-j2]
#                    [REPORT_ETA=0.002] [REPORT_DIR=...] [FIG_ARGS_smnist_myrule="..."]
#
# Trains only RULE's main runs (the profile's tasks and main seeds, at what
# the profile gives a rule it does not name: FIG_ARGS_TASK_NEWRULE) into
# REPORT_DIR, reuses the reference runs under RESULTS/runs/PROFILE for every
# other rule (never retrained: they are not prerequisites), computes the
# statistics over both with bin/credit-stats at the plateau endpoint, and
# writes REPORT_DIR/report.md and report.png (figures/report.sh, report.gp).
# A rule the profile already runs is reported from its reference runs alone.

REPORT_DIR ?= $(RESULTS)/rules/$(RULE)
REPORT_RUNS := $(REPORT_DIR)/runs/$(PROFILE)
REPORT_TABLES := $(REPORT_DIR)/tables

ifneq ($(filter rule-report,$(MAKECMDGOALS)),)
ifneq ($(strip $(words $(RULE)) $(call fig_bad_chars,$(RULE))),1)
$(error rule-report: RULE=NAME names one rule, the stem of rules/NAME.c (rules: $(notdir $(basename $(wildcard rules/*.c)))))
endif
ifeq ($(wildcard rules/$(RULE).c),)
$(error rule-report: no rules/$(RULE).c: the pipeline keys a run on its rule's source (rules: $(notdir $(basename $(wildcard rules/*.c)))))
endif
# Stop before anything runs when RULE would take a core default the
# profile's protocol sets (mk/figures.mk, fig_rule_check).
$(foreach t,$(FIG_TASKS),$(eval $(call fig_rule_check,$(t),$(RULE))))
endif

# REPORT_ETA=X trains RULE's runs at learning rate X on every task instead of
# the profile's (an arm of a rule that diverges at the protocol's eta; the
# reference runs keep theirs); their names then carry lr X.
REPORT_ETA ?=
report_digits_out = $(subst .,,$(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1))))))))))))
ifneq ($(strip $(REPORT_ETA)),)
ifneq ($(if $(call report_digits_out,$(REPORT_ETA)),x,$(call fig_mul,1,$(REPORT_ETA))),$(strip $(REPORT_ETA)))
$(error rule-report: REPORT_ETA=$(REPORT_ETA) is not a plain positive number (write it as 0.002))
endif
endif
report_eta = $(or $(strip $(REPORT_ETA)),$(FIG_ETA_$(1)))
# RULE's main runs, named and grouped as mk/figures.mk names a main run.
REPORT_OWN := $(filter $(RULE),$(FIG_RULES))
REPORT_ROWS := $(if $(REPORT_OWN),,$(foreach t,$(FIG_TASKS),$(foreach s,$(call fig_seeds,$(RULE)),\
  main:$(t):$(RULE):$(s):$(call report_eta,$(t)):$(t)-$(RULE)-lr$(call report_eta,$(t))-s$(s))))
# The sub-make that trains them: the profile with RULE as its only rule and
# every other experiment group off, results under REPORT_DIR. Its lines
# carry + so that make -n runs it as make -n (the text holds no literal
# $(MAKE) for make to see).
REPORT_SUB = $(MAKE) --no-print-directory PROFILE=$(PROFILE) RESULTS=$(REPORT_DIR) FIG_RULES=$(RULE) FIG_LR_TASKS= FIG_K_TASKS= \
  FIG_REMEDY_TASKS= FIG_MATCH_TASKS= FIG_MATCHL_TASKS= FIG_FB_TASKS= FIG_BOOST_ARGS= \
  $(if $(strip $(REPORT_ETA)),FIG_LR=$(REPORT_ETA) $(foreach t,$(FIG_TASKS),FIG_LR_$(t)=$(REPORT_ETA)))
# What training cost, measured: each make rule-report that trained runs adds
# a row to REPORT_DIR/cost.tsv (figures/report.sh sums them): the runs it
# finished, its wall time and the CPU time of its training (user + sys of the
# sub-make and everything it ran, from the shell's times), and the CPU model.
# A run interrupted and resumed later counts in the call that finishes it; the
# CPU of the interrupted part is not recorded.
REPORT_DRY := $(findstring n,$(firstword -$(MAKEFLAGS)))
REPORT_NAMES := $(foreach row,$(REPORT_ROWS),$(lastword $(subst :, ,$(row))))
REPORT_COST_ROW = { [ -s $(REPORT_DIR)/cost.tsv ] || printf 'date\truns\twall_s\tcpu_s\tcpu\n'; \
  printf '%s\t%s\t%s\t%s\t%s\n' "$$(date -u +%FT%TZ)" $$todo $$(($$(date +%s) - t0)) \
    "$$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($$i, a, "m"); s += a[1] * 60 + a[2] } printf "%.1f", s }' $(REPORT_DIR)/.times)" \
    "$$(awk -F': ' '/^model name/ { print $$2; exit }' /proc/cpuinfo)"; }
# The statistics at the plateau endpoint, whatever the profile's verdicts use.
REPORT_STATS_ARGS := $(subst 'FIG_CLAIM_ENDPOINT=$(FIG_CLAIM_ENDPOINT)','FIG_CLAIM_ENDPOINT=plateau',$(FIG_STATS_ARGS))

# What training RULE's runs costs, before they start (run by the sub-make:
# the runs still to train, with their keys), from BUDGET.md's measured pieces;
# printed under make -n too (+: it only reads).
.PHONY: fig-report-cost
fig-report-cost:
	+@printf '%s\n' $(foreach n,$(sort $(FIG_STALE) $(foreach n,$(FIG_NAMES),$(if $(wildcard $(FIG_RUNS)/$(n)/metrics.tsv),,$(n)))),'$(strip $(FIG_ARGS.$(n)))') | \
	  figures/report_cost.sh $(words $(FIG_NAMES)) $(FIG_CURV_AUTHORS) rule-report

.PHONY: rule-report
rule-report: ## one rule at the profile's protocol beside the reference runs: REPORT_DIR/report.md and report.png (RULE=name; trains only its runs)
	@$(MAKE) --no-print-directory deps
	@$(if $(FIG_DATA),$(MAKE) --no-print-directory $(FIG_DATA),true)
	$(FIG_DATA_CHECK)
	@$(MAKE) --no-print-directory all $(FIG_STATS)
	@miss=0; for f in $(FIG_METRICS) $(FIG_CURVF) $(FIG_CURVA); do [ -f $$f ] || { echo "rule-report: missing $$f" >&2; miss=$$((miss+1)); }; done; \
	if [ $$miss != 0 ]; then echo "rule-report: $$miss files of the reference runs missing under $(FIG_RUNS): make figures PROFILE=$(PROFILE) first" >&2; exit 1; fi
	@$(if $(FIG_STALE),echo "rule-report: warning: $(words $(FIG_STALE)) reference runs were computed with other maths or config than the tree's (make stale); they are used as they are" >&2)
	@echo "rule-report $(RULE): profile $(PROFILE), the reference's $(words $(FIG_NAMES)) runs from $(FIG_RUNS) (not retrained)$(if $(REPORT_OWN),; $(RULE) is one of its rules: nothing to train)"
	+@$(if $(REPORT_OWN),true,$(REPORT_SUB) fig-progress-start fig-report-cost)
	+@$(if $(REPORT_OWN),true,todo=0; for n in $(REPORT_NAMES); do [ -f $(REPORT_RUNS)/$$n/metrics.tsv ] || todo=$$((todo + 1)); done; \
	  t0=$$(date +%s); $(REPORT_SUB) $(FIG_JOBS) fig-runs || exit 1; \
	  $(if $(REPORT_DRY),true,[ $$todo = 0 ] || { times > $(REPORT_DIR)/.times; $(REPORT_COST_ROW) >> $(REPORT_DIR)/cost.tsv; rm -f $(REPORT_DIR)/.times; }))
	@mkdir -p $(REPORT_TABLES); { $(FIG_MANIFEST_CMD); \
	  for row in $(REPORT_ROWS); do IFS=: read -r g t r s x n <<< "$$row"; printf '%s\t%s\t%s\t%s\t%s\t%s\n' $$g $$t $$r $$s $$x $(REPORT_RUNS)/$$n; done; } \
	  > $(REPORT_TABLES)/manifest.tsv
	$(FIG_STATS) $(REPORT_TABLES)/manifest.tsv $(REPORT_TABLES) $(FIG_DESIGN_ARGS) $(REPORT_STATS_ARGS) > /dev/null
	figures/report.sh $(RULE) $(PROFILE) $(REPORT_DIR) $(FIG_RUNS) '$(FIG_TASKS)' '$(FIG_RULES)' $(FIG_CLAIM_REFERENCE) $(BIN) > $(REPORT_DIR)/report.md.new
	@$(call fig_commit,$(REPORT_DIR)/report.md)
	@rm -f $(REPORT_DIR)/.report.part.png; \
	gnuplot -e "tables='$(REPORT_TABLES)'; out='$(REPORT_DIR)/.report.part'; tasks='$(firstword $(FIG_TASKS))'; rules='$(if $(REPORT_OWN),,$(RULE) )$(FIG_RULES)'; rule='$(RULE)'; script='figures/report.gp'" figures/report.gp && \
	  figures/figcheck.sh $(REPORT_DIR)/.report.part.png && mv $(REPORT_DIR)/.report.part.png $(REPORT_DIR)/report.png
	@echo "rule-report: $(REPORT_DIR)/report.md, $(REPORT_DIR)/report.png"
