# credit: temporal credit-assignment rules for small recurrent networks, and
# the pipeline that reproduces Liu et al. (NeurIPS 2022) from raw runs.
#
#   make            build bin/credit and every plugin (rules/*.so, tasks/*.so)
#   make test       install what is missing, build, run the test suite (double, then single precision)
#   make test SAN=1 the same under AddressSanitizer and UBSan (tree in build-san/)
#   make test PREC=32  the trainer and plugins in single precision (tree in build-f32/)
#   make help       every target

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
SHELL := /bin/bash

CC      ?= gcc
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 $(WARN) -ffp-contract=off -Icore -I$(BUILD)
LDLIBS  := -lgsl -lopenblas -lm -ldl

ifeq ($(SAN),1)
BUILD   := build-san
CFLAGS  := $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
ROOT    := build-san
else
BUILD   := build
ROOT    := .
endif
# PREC=32: training (network, rules, tasks) in single precision, curvature in
# double (core/f64.h), in a tree of its own; PREC=64 (or unset) is the default.
ifeq ($(PREC),32)
CFLAGS  += -DCREDIT_PREC=32
BUILD   := $(BUILD)-f32
ROOT    := $(if $(filter .,$(ROOT)),build-f32,$(ROOT)-f32)
else ifneq ($(filter-out 64,$(PREC)),)
$(error PREC=$(PREC): use PREC=32 (single precision) or PREC=64 (double, the default))
endif

BIN        := $(ROOT)/bin/credit
TEST_BIN   := $(BUILD)/test_credit
CORE_SRC   := $(filter-out core/main.c,$(wildcard core/*.c))
CORE_OBJ   := $(CORE_SRC:core/%.c=$(BUILD)/core/%.o)
# Single precision: the network and the gradient assembly once more as the
# double side for the measurements (-DCREDIT_F64_SIDE, names *_f64); the
# R-operator only there.
ifeq ($(PREC),32)
CORE_OBJ   += $(BUILD)/core/net_f64.o $(BUILD)/core/gradient_f64.o
endif
RULE_SRC   := $(wildcard rules/*.c)
TASK_SRC   := $(wildcard tasks/*.c)
RULE_SO    := $(RULE_SRC:rules/%.c=$(ROOT)/rules/%.so)
TASK_SO    := $(TASK_SRC:tasks/%.c=$(ROOT)/tasks/%.so)
PLUGIN_OBJ := $(RULE_SRC:rules/%.c=$(BUILD)/static/rules/%.o) $(TASK_SRC:tasks/%.c=$(BUILD)/static/tasks/%.o)
CREDIT_H   := core/credit.h core/credit_views.h core/f64.h # the public header and the two it includes
TEST_SRC   := $(wildcard tests/*.c)
TEST_OBJ   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)
BAD_SO     := $(BUILD)/bad/nosym.so $(BUILD)/bad/oldabi.so $(BUILD)/bad/small.so $(BUILD)/bad/initfail.so $(BUILD)/bad/garbage.so \
              $(BUILD)/bad/crashgrad.so $(BUILD)/bad/nangrad.so $(BUILD)/bad/optnull.so $(BUILD)/bad/dataentry.so $(BUILD)/bad/hugetask.so \
              $(BUILD)/bad/precision.so $(BUILD)/bad/badflags.so $(BUILD)/bad/nosave.so $(BUILD)/bad/halfsave.so $(BUILD)/bad/internal.so

# ------------------------------------------------------------------ deps
# $(call apt_install,WHO,PACKAGES): a shell snippet that installs Debian
# packages when run as root, and otherwise prints the exact command and fails.
# deps, bench-deps (mk/bench.mk) and data (mk/data.mk, for npm) share it.
apt_install = if [ "$$(id -u)" = 0 ]; then \
	  echo "$(1): installing $(2)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2) >/dev/null || \
	    { echo "$(1): apt-get install $(2) failed" >&2; exit 1; }; \
	else \
	  echo "$(1): missing Debian packages: $(2)" >&2; \
	  echo "$(1): run: sudo apt-get install $(2)   (then make again)" >&2; exit 1; \
	fi

DEB_PACKAGES := libgsl-dev libopenblas-dev gnuplot-nox zlib1g-dev
.PHONY: deps
deps: ## install the Debian packages the build needs (apt-get as root, else print the command)
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$${missing:+$$missing }$$p"; done; \
	if [ -n "$$missing" ]; then $(call apt_install,deps,$$missing); fi

# ------------------------------------------------------------------ build
.PHONY: all
all: $(BIN) $(RULE_SO) $(TASK_SO) ## build the CLI and every plugin

# The commit recorded in every output, "-dirty" when a tracked file outside
# results/ differs from HEAD (the pipeline's own output is no change to the
# code) or an untracked file sits under core/, rules/, tasks/ or figures/ (a
# new rule is code the commit does not hold). Computed at parse time and the
# header rewritten only when it changes, so `make -n` tells the truth.
CREDIT_COMMIT_NOW := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) || c=unknown; \
  if [ $$c != unknown ]; then git diff --quiet HEAD -- . ':(exclude)results' 2>/dev/null && \
    [ -z "$$(git status --porcelain --untracked-files=all -- core rules tasks figures 2>/dev/null | grep '^??')" ] || c="$$c-dirty"; fi; echo $$c)
CREDIT_VERSION_H := \#define CREDIT_COMMIT "$(CREDIT_COMMIT_NOW)"
ifneq ($(file <$(BUILD)/version.h),$(CREDIT_VERSION_H))
$(BUILD)/version.h: FORCE
endif
$(BUILD)/version.h: | $(BUILD)/.dir
	@echo '$(CREDIT_VERSION_H)' > $@.new && mv $@.new $@
FORCE:

# The first build on a machine without the packages stops here, naming
# make deps, instead of in the compiler on a missing GSL or OpenBLAS header
# (DEPS_HEADERS: one a package provides; CFLAGS' -I paths count).
DEPS_HEADERS := gsl/gsl_eigen.h gsl/gsl_cdf.h cblas.h
$(BUILD)/.dir:
	@for h in $(DEPS_HEADERS); do printf '#include <%s>\n' $$h | $(CC) $(CFLAGS) -E -x c - > /dev/null 2>&1 || { \
	  echo "make: the compiler finds no <$$h>: the Debian packages $(DEB_PACKAGES) are missing" >&2; \
	  echo "make: run 'make deps' (as root it installs them; otherwise it prints the apt-get command), then make again" >&2; exit 1; }; done
	@mkdir -p $(BUILD)/core $(BUILD)/tests $(BUILD)/static/rules $(BUILD)/static/tasks $(BUILD)/bad $(ROOT)/bin $(ROOT)/rules $(ROOT)/tasks
	@touch $@

# The maths hash (figures/mathhash.sh: preprocessed source, comments and
# blanks removed) of the core files that compute the numbers of a run: every
# core/*.c (the network and BPTT, the training loop and session with the
# defaults, the config reader, curvature, util, and any file added later)
# but the CLI (main.c, cli.c: help and dispatch), the loader (plugin.c) and
# `credit sample` (sample.c). Each plugin gets the hash of its own source
# (with the headers it includes) as an exported string, credit_math_hash;
# session.c combines the parts into `# math_hash`.
MATH_CORE_SRC := $(filter-out core/main.c core/cli.c core/plugin.c core/sample.c,$(sort $(wildcard core/*.c)))
MATH_HASH     := figures/mathhash.sh
MATH_CFLAGS   := $(CFLAGS)
# Remade when a source is newer (the hash itself decides nothing here: the
# pipeline computes its own at parse time, from the same script and flags).
$(BUILD)/math/core.h: $(MATH_CORE_SRC) $(wildcard core/*.h) $(MATH_HASH) $(BUILD)/math/inputs | $(BUILD)/.dir
	@mkdir -p $(@D); h=$$($(MATH_HASH) '$(CC)' '$(MATH_CFLAGS)' $(MATH_CORE_SRC)) || exit 1; \
	echo "#define CREDIT_MATH_CORE \"$$h\"" > $@.new; \
	mv $@.new $@
$(BUILD)/math/rules/%.h: rules/%.c $(CREDIT_H) $(wildcard rules/*.h) $(MATH_HASH) $(BUILD)/math/inputs | $(BUILD)/.dir
	@mkdir -p $(@D); h=$$($(MATH_HASH) '$(CC)' '$(MATH_CFLAGS) $(PLUGIN_FLAGS)' $<) || exit 1; \
	printf '__attribute__((visibility("default"))) extern const char credit_math_hash[17];\nconst char credit_math_hash[17] = "%s";\n' $$h > $@.new; \
	mv $@.new $@
$(BUILD)/math/tasks/%.h: tasks/%.c $(CREDIT_H) $(wildcard tasks/*.h) $(MATH_HASH) $(BUILD)/math/inputs | $(BUILD)/.dir
	@mkdir -p $(@D); h=$$($(MATH_HASH) '$(CC)' '$(MATH_CFLAGS) $(PLUGIN_FLAGS)' $<) || exit 1; \
	printf '__attribute__((visibility("default"))) extern const char credit_math_hash[17];\nconst char credit_math_hash[17] = "%s";\n' $$h > $@.new; \
	mv $@.new $@
.PRECIOUS: $(BUILD)/math/rules/%.h $(BUILD)/math/tasks/%.h

$(BUILD)/core/session.o: $(BUILD)/version.h $(BUILD)/math/core.h
$(BUILD)/core/session.o: CFLAGS += -include $(BUILD)/version.h -include $(BUILD)/math/core.h

$(BUILD)/core/%.o: core/%.c | $(BUILD)/.dir
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<
ifeq ($(PREC),32)
$(BUILD)/core/%_f64.o: core/%.c | $(BUILD)/.dir
	$(CC) $(CFLAGS) -DCREDIT_F64_SIDE -MMD -MP -c -o $@ $<
$(BUILD)/core/net_r.o: CFLAGS += -DCREDIT_F64_SIDE
endif

$(BIN): $(BUILD)/core/main.o $(CORE_OBJ) | $(BUILD)/.dir
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Plugins: one exported symbol each (-fvisibility=hidden + the export macro).
PLUGIN_FLAGS := -fPIC -fvisibility=hidden -DCREDIT_BUILD_SO
# What the hashes are taken over besides the files' contents: the list of
# core files and the flags (a stamp rewritten when they change).
MATH_INPUTS := $(MATH_CORE_SRC) | $(MATH_CFLAGS) | $(PLUGIN_FLAGS)
ifneq ($(file <$(BUILD)/math/inputs),$(MATH_INPUTS))
$(BUILD)/math/inputs: FORCE
endif
$(BUILD)/math/inputs: | $(BUILD)/.dir
	@mkdir -p $(@D); echo '$(MATH_INPUTS)' > $@
RULE_HDR   := $(wildcard rules/*.h)
$(ROOT)/rules/%.so: rules/%.c $(CREDIT_H) $(RULE_HDR) $(BUILD)/math/rules/%.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(PLUGIN_FLAGS) -include $(BUILD)/math/rules/$*.h -shared $(LDFLAGS) -o $@ $< -lopenblas -lm
$(ROOT)/tasks/%.so: tasks/%.c $(CREDIT_H) $(BUILD)/math/tasks/%.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(PLUGIN_FLAGS) -include $(BUILD)/math/tasks/$*.h -shared $(LDFLAGS) -o $@ $< -lopenblas -lm

# The same plugins linked statically into the test binary.
$(BUILD)/static/rules/%.o: rules/%.c $(CREDIT_H) $(RULE_HDR) | $(BUILD)/.dir
	$(CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/static/tasks/%.o: tasks/%.c $(CREDIT_H) | $(BUILD)/.dir
	$(CC) $(CFLAGS) -c -o $@ $<
# Rewritten whenever the list of plugins changes (a file added or removed).
$(BUILD)/static_plugins.h: FORCE | $(BUILD)/.dir
	@{ for f in $(RULE_SRC:rules/%.c=%); do echo "CREDIT_STATIC_RULE($$f)"; done; \
	   for f in $(TASK_SRC:tasks/%.c=%); do echo "CREDIT_STATIC_TASK($$f)"; done; } > $@.new; \
	cmp -s $@.new $@ && rm $@.new || mv $@.new $@

# Deliberately broken plugins for the loader's error paths.
$(BUILD)/bad/garbage.so: | $(BUILD)/.dir
	@echo "not an ELF file" > $@
$(BUILD)/bad/%.so: tests/bad/%.c tests/bad/bad.h $(CREDIT_H) | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(PLUGIN_FLAGS) -shared $(LDFLAGS) -o $@ $<

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/static_plugins.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) -Itests -MMD -MP -c -o $@ $<

# zlib: tests/test_figures.c decodes the figures' PNGs
$(TEST_BIN): LDLIBS += -lz
$(TEST_BIN): $(TEST_OBJ) $(CORE_OBJ) $(PLUGIN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(wildcard $(BUILD)/core/*.d $(BUILD)/tests/*.d)

# ------------------------------------------------------------------ verbs
# The suite in both precisions unless PREC names one. Both trees are built
# first, so that each suite can hand the other build's plugins and
# checkpoints to its own (CREDIT_TEST_OTHER: the cross-precision refusals).
.PHONY: test
ifeq ($(PREC),)
test: deps ## build and run the tests, double then single precision (PREC=64 or 32: one; SAN=1: under ASan/UBSan)
	@$(MAKE) --no-print-directory all PREC=64 SAN=$(SAN)
	@$(MAKE) --no-print-directory all PREC=32 SAN=$(SAN)
	@$(MAKE) --no-print-directory test PREC=64 SAN=$(SAN) TEST_OTHER=$(if $(filter 1,$(SAN)),build-san-f32,build-f32)
	@$(MAKE) --no-print-directory test PREC=32 SAN=$(SAN) TEST_OTHER=$(if $(filter 1,$(SAN)),build-san,.)
else
test: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(BAD_SO) SAN=$(SAN) PREC=$(PREC)
	@OPENBLAS_NUM_THREADS=1 CREDIT_ROOT=$(ROOT) CREDIT_BUILD=$(BUILD) CREDIT_TEST_OTHER=$(TEST_OTHER) ./$(TEST_BIN)
endif

# The crash and corruption sweeps at every point (tests/test_crash.c: kill
# points of training and curvature, ENOSPC and EIO through strace's fault
# injection; make test runs about 12 points of each), in double precision.
.PHONY: test-crash-full
test-crash-full: deps ## every kill point and injected disk fault of a small run and its curvature (strace; installs it as root)
	@command -v strace > /dev/null || { $(call apt_install,test-crash-full,strace); }
	@$(MAKE) --no-print-directory all $(TEST_BIN) SAN=$(SAN) PREC=$(PREC)
	@OPENBLAS_NUM_THREADS=1 CREDIT_TEST_FULL=1 CREDIT_TEST_ONLY=crash CREDIT_ROOT=$(ROOT) CREDIT_BUILD=$(BUILD) ./$(TEST_BIN)

# Refactors keep the smoke profile's outputs byte-identical: the pipeline
# test compares them with this manifest (tests/golden.sh; only on the CPU,
# BLAS kernel and precision that recorded it; smoke-f32.manifest is the
# single-precision build's). Record a new one only when an issue asks for
# new numbers, and say so in the commit. PREC=64 or 32 records one.
GOLDEN_PRECS := $(or $(PREC),64 32)
.PHONY: golden-smoke
golden-smoke: deps ## record tests/golden/smoke.manifest and smoke-f32.manifest from this tree's smoke outputs (new numbers only)
	@mkdir -p tests/golden
	@for p in $(GOLDEN_PRECS); do m=tests/golden/smoke$$([ $$p = 32 ] && echo -f32).manifest; \
	  env CREDIT_GOLDEN_WRITE=$(abspath .)/$$m.new $(MAKE) --no-print-directory test PREC=$$p && mv $$m.new $$m && head -n 5 $$m || exit 1; done

# The cluster path on a real one-node Slurm (tests/slurm.sh; root: it
# installs slurm-wlm and munge and starts their daemons in a scratch directory).
.PHONY: test-slurm
test-slurm: deps ## the smoke profile through srun on a one-node Slurm started here (root), tables checked against a local run
	@$(MAKE) --no-print-directory all
	@MAKE="$(MAKE)" tests/slurm.sh

# Each part of the pipeline keeps its targets in a fragment of its own:
# mk/data.mk (MNIST), mk/bench.mk (make bench), mk/figures.mk (make figures).
include $(sort $(wildcard mk/*.mk))

.PHONY: clean
clean: ## remove build outputs (not results: clean-runs, clean-tables, clean-figures)
	rm -rf build build-san build-f32 build-san-f32 bin rules/*.so tasks/*.so

.PHONY: help
help: ## this list
	@echo "targets:"; grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/; s/^/  /' | sort | expand -t 18
	@echo "variables (make TARGET VAR=value):"; printf '  %-16s%s\n' \
	  PROFILE "the pipeline's profile: $(notdir $(basename $(wildcard paper/experiments/*.mk))) (default authors; paper/experiments/PROFILE.mk)" \
	  RESULTS "where runs, tables, figures and paper.md go (default results)" \
	  LAUNCH "prefix of every training run and curvature measurement, e.g. \"srun -n1 -c1\"" \
	  FIG_JOBS "jobs of make figures (default -j\$$(nproc) unless you give -j; empty: one at a time)" \
	  MNIST_DIR "a directory with the four MNIST IDX files (make data; PROFILE=smoke reads it directly)" \
	  MNIST_SYNTH "where make data-synth writes the synthetic set (default build/mnist-synth)" \
	  SAN "1: build and test under ASan/UBSan (tree in build-san/)" \
	  PREC "32: train in single precision, curvature in double (tree in build-f32/; any target)" \
	  FIG_* "any profile setting, e.g. FIG_SEEDS=\"1 2\" FIG_ALPHA=0.01 FIG_CLAIM_NEAR=1.5 FIG_CURV_FINAL_ARGS=..." \
	  CC\ CFLAGS "compiler and flags"
