# mk/bench.mk - `make bench`: our trainer against PyTorch, rules against bptt,
# HVP against a gradient, GFLOP/s against dgemm, peak memory (bench/README.md).
# Takes a few minutes; prints one table and writes results/bench.tsv.

BENCH_DIR   := $(BUILD)/bench
BENCH_BIN   := $(BENCH_DIR)/bench
BENCH_TASK  := $(BENCH_DIR)/tasks/bench.so
# Debian's python3-torch lives in the system interpreter's dist-packages, not
# in whatever python3 comes first on PATH.
BENCH_PYTHON ?= /usr/bin/python3
BENCH_FLAGS ?=

$(BENCH_DIR)/.dir:
	@mkdir -p $(BENCH_DIR)/tasks
	@touch $@

$(BENCH_DIR)/bench.o: bench/bench.c $(BUILD)/version.h | $(BENCH_DIR)/.dir $(BUILD)/.dir
	$(CC) $(CFLAGS) -include $(BUILD)/version.h -MMD -MP -c -o $@ $<

$(BENCH_BIN): $(BENCH_DIR)/bench.o $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_TASK): bench/task_bench.c core/credit.h | $(BENCH_DIR)/.dir
	$(CC) $(CFLAGS) $(PLUGIN_FLAGS) -shared $(LDFLAGS) -o $@ $< -lm

-include $(wildcard $(BENCH_DIR)/*.d)

.PHONY: bench-deps
bench-deps: ## install python3-torch for make bench (apt-get as root, else print the command)
	@if ! $(BENCH_PYTHON) -c 'import torch' 2>/dev/null; then $(call apt_install,bench,python3-torch); fi

.PHONY: bench
bench: deps bench-deps ## time our trainer against PyTorch and every rule against bptt (BENCH_FLAGS=--quick: a smoke run)
	@$(MAKE) --no-print-directory all $(BENCH_BIN) $(BENCH_TASK)
	@mkdir -p results
	@OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 CREDIT_RULE_PATH=$(ROOT)/rules CREDIT_TASK_PATH=$(BENCH_DIR)/tasks \
	  ./$(BENCH_BIN) --python $(BENCH_PYTHON) --torch bench/torch_ref.py --work $(BENCH_DIR) --out results/bench.tsv $(BENCH_FLAGS)
