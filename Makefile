# credit: temporal credit-assignment rules for small recurrent networks, and
# the pipeline that reproduces Liu et al. (NeurIPS 2022) from raw runs.
#
#   make            build bin/credit and every plugin (rules/*.so, tasks/*.so)
#   make test       install what is missing, build, run the test suite
#   make test SAN=1 the same under AddressSanitizer and UBSan (tree in build-san/)
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

BIN        := $(ROOT)/bin/credit
TEST_BIN   := $(BUILD)/test_credit
CORE_SRC   := $(filter-out core/main.c,$(wildcard core/*.c))
CORE_OBJ   := $(CORE_SRC:core/%.c=$(BUILD)/core/%.o)
RULE_SRC   := $(wildcard rules/*.c)
TASK_SRC   := $(wildcard tasks/*.c)
RULE_SO    := $(RULE_SRC:rules/%.c=$(ROOT)/rules/%.so)
TASK_SO    := $(TASK_SRC:tasks/%.c=$(ROOT)/tasks/%.so)
PLUGIN_OBJ := $(RULE_SRC:rules/%.c=$(BUILD)/static/rules/%.o) $(TASK_SRC:tasks/%.c=$(BUILD)/static/tasks/%.o)
TEST_SRC   := $(wildcard tests/*.c)
TEST_OBJ   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)
BAD_SO     := $(BUILD)/bad/nosym.so $(BUILD)/bad/oldabi.so $(BUILD)/bad/small.so $(BUILD)/bad/initfail.so $(BUILD)/bad/garbage.so \
              $(BUILD)/bad/crashgrad.so $(BUILD)/bad/nangrad.so $(BUILD)/bad/optnull.so $(BUILD)/bad/dataentry.so $(BUILD)/bad/hugetask.so

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

DEB_PACKAGES := libgsl-dev libopenblas-dev gnuplot-nox
.PHONY: deps
deps: ## install the Debian packages the build needs (apt-get as root, else print the command)
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$${missing:+$$missing }$$p"; done; \
	if [ -n "$$missing" ]; then $(call apt_install,deps,$$missing); fi

# ------------------------------------------------------------------ build
.PHONY: all
all: $(BIN) $(RULE_SO) $(TASK_SO) ## build the CLI and every plugin

# The commit recorded in every output; the header is rewritten only when it changes.
$(BUILD)/version.h: FORCE | $(BUILD)/.dir
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	git diff --quiet HEAD -- 2>/dev/null || c="$$c-dirty"; \
	echo "#define CREDIT_COMMIT \"$$c\"" > $@.new; \
	cmp -s $@.new $@ && rm $@.new || mv $@.new $@
FORCE:

$(BUILD)/.dir:
	@mkdir -p $(BUILD)/core $(BUILD)/tests $(BUILD)/static/rules $(BUILD)/static/tasks $(BUILD)/bad $(ROOT)/bin $(ROOT)/rules $(ROOT)/tasks
	@touch $@

$(BUILD)/core/session.o: $(BUILD)/version.h
$(BUILD)/core/session.o: CFLAGS += -include $(BUILD)/version.h

$(BUILD)/core/%.o: core/%.c | $(BUILD)/.dir
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BIN): $(BUILD)/core/main.o $(CORE_OBJ) | $(BUILD)/.dir
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

# Plugins: one exported symbol each (-fvisibility=hidden + the export macro).
PLUGIN_FLAGS := -fPIC -fvisibility=hidden -DCREDIT_BUILD_SO
RULE_HDR   := $(wildcard rules/*.h)
$(ROOT)/rules/%.so: rules/%.c core/credit.h $(RULE_HDR) | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(PLUGIN_FLAGS) -shared $(LDFLAGS) -o $@ $< -lopenblas -lm
$(ROOT)/tasks/%.so: tasks/%.c core/credit.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(PLUGIN_FLAGS) -shared $(LDFLAGS) -o $@ $< -lopenblas -lm

# The same plugins linked statically into the test binary.
$(BUILD)/static/rules/%.o: rules/%.c core/credit.h $(RULE_HDR) | $(BUILD)/.dir
	$(CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/static/tasks/%.o: tasks/%.c core/credit.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) -c -o $@ $<
# Rewritten whenever the list of plugins changes (a file added or removed).
$(BUILD)/static_plugins.h: FORCE | $(BUILD)/.dir
	@{ for f in $(RULE_SRC:rules/%.c=%); do echo "CREDIT_STATIC_RULE($$f)"; done; \
	   for f in $(TASK_SRC:tasks/%.c=%); do echo "CREDIT_STATIC_TASK($$f)"; done; } > $@.new; \
	cmp -s $@.new $@ && rm $@.new || mv $@.new $@

# Deliberately broken plugins for the loader's error paths.
$(BUILD)/bad/garbage.so: | $(BUILD)/.dir
	@echo "not an ELF file" > $@
$(BUILD)/bad/%.so: tests/bad/%.c core/credit.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(PLUGIN_FLAGS) -shared $(LDFLAGS) -o $@ $<

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/static_plugins.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) -Itests -MMD -MP -c -o $@ $<

$(TEST_BIN): $(TEST_OBJ) $(CORE_OBJ) $(PLUGIN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(wildcard $(BUILD)/core/*.d $(BUILD)/tests/*.d)

# ------------------------------------------------------------------ verbs
.PHONY: test
test: deps ## build and run the tests (SAN=1: under ASan/UBSan)
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(BAD_SO) SAN=$(SAN)
	@OPENBLAS_NUM_THREADS=1 CREDIT_ROOT=$(ROOT) CREDIT_BUILD=$(BUILD) ./$(TEST_BIN)

# Each part of the pipeline keeps its targets in a fragment of its own:
# mk/data.mk (MNIST), mk/bench.mk (make bench), mk/figures.mk (make figures).
include $(sort $(wildcard mk/*.mk))

.PHONY: clean
clean: ## remove build outputs (not results)
	rm -rf build build-san bin rules/*.so tasks/*.so

.PHONY: help
help: ## this list
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort | expand -t 16
