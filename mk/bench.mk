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

$(BENCH_TASK): bench/task_bench.c $(CREDIT_H) | $(BENCH_DIR)/.dir
	$(CC) $(CFLAGS) $(PLUGIN_FLAGS) -shared $(LDFLAGS) -o $@ $< -lm

-include $(wildcard $(BENCH_DIR)/*.d)

.PHONY: bench-deps
bench-deps: ## install python3-torch for make bench (apt-get as root, else print the command)
	@if ! $(BENCH_PYTHON) -c 'import torch' 2>/dev/null; then $(call apt_install,bench,python3-torch); fi

# Both precisions, one after the other: ours in double (results/bench.tsv),
# then the PREC=32 build's (results/bench-f32.tsv), each against torch in
# float64 and float32.
BENCH_OUT := results/bench$(if $(filter 32,$(PREC)),-f32).tsv
.PHONY: bench bench-one
bench: deps bench-deps ## time our trainer (double, then PREC=32) against PyTorch and every rule against bptt (BENCH_FLAGS=--quick: a smoke run into build*/bench, results untouched)
	@$(MAKE) --no-print-directory bench-one PREC=64
	@$(MAKE) --no-print-directory bench-one PREC=32
bench-one: deps bench-deps ## make bench in this build's precision only (PREC=32 or 64)
	@$(MAKE) --no-print-directory all $(BENCH_BIN) $(BENCH_TASK)
	@mkdir -p results
	@OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 CREDIT_RULE_PATH=$(ROOT)/rules CREDIT_TASK_PATH=$(BENCH_DIR)/tasks \
	  ./$(BENCH_BIN) --python $(BENCH_PYTHON) --torch bench/torch_ref.py --work $(BENCH_DIR) --out $(if $(findstring --quick,$(BENCH_FLAGS)),$(BENCH_DIR)/bench-quick.tsv,$(BENCH_OUT)) $(BENCH_FLAGS)

# `make bench-blis`: OpenBLAS (each x86-64 core it offers on this CPU) against
# BLIS on the dgemm calls of one bptt iteration (bench/blis_shapes.c), one
# thread, alternating rounds, medians. Installs Debian's libblis-dev; BLIS is
# not a dependency of the build (bench/README.md says why).
BLIS_LIBDIR ?= /usr/lib/x86_64-linux-gnu/blis-openmp
BLIS_ROUNDS ?= 5
$(BENCH_DIR)/shapes_openblas: bench/blis_shapes.c bench/gemm_shapes.h | $(BENCH_DIR)/.dir
	$(CC) $(CFLAGS) -Ibench -o $@ $< -lopenblas
$(BENCH_DIR)/shapes_blis: bench/blis_shapes.c bench/gemm_shapes.h | $(BENCH_DIR)/.dir
	$(CC) $(CFLAGS) -Ibench -DBENCH_BLIS -o $@ $< -L$(BLIS_LIBDIR) -Wl,-rpath,$(BLIS_LIBDIR) -lblis

.PHONY: bench-blis
bench-blis: deps ## OpenBLAS's cores against BLIS on the trainer's dgemm shapes (installs libblis-dev)
	@dpkg-query -W -f='$${Status}' libblis-dev 2>/dev/null | grep -q "install ok installed" || { $(call apt_install,bench-blis,libblis-dev); }
	@$(MAKE) --no-print-directory $(BENCH_DIR)/shapes_openblas $(BENCH_DIR)/shapes_blis
	@echo "# bench-blis: $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), 1 thread, GFLOP/s (CPU time) of one bptt iteration's dgemm calls, median of $(BLIS_ROUNDS) rounds; loadavg $$(cut -d' ' -f1-3 /proc/loadavg)"
	@for r in $$(seq $(BLIS_ROUNDS)); do \
	  for c in default Prescott Sandybridge Haswell Zen SkylakeX Cooperlake; do \
	    if [ $$c = default ]; then env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 ./$(BENCH_DIR)/shapes_openblas 3; \
	    else OPENBLAS_CORETYPE=$$c OPENBLAS_NUM_THREADS=1 ./$(BENCH_DIR)/shapes_openblas 3; fi | sed "s/^/$$c\t/"; \
	  done; \
	  BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1 ./$(BENCH_DIR)/shapes_blis 3 | sed "s/^/default\t/"; \
	done | awk -F'\t' '{print $$2 " (" $$1 ")\t" $$3 "\t" $$4}' | sort -t"$$(printf '\t')" -k1,1 -k2,2 -k3,3g | \
	  awk -F'\t' '{k = $$1 "\t" $$2; v[k] = v[k] " " $$3; n[k]++} \
	  END {for (k in v) {split(v[k], a, " "); printf "%-40s %s\n", k, a[int((n[k] + 1) / 2)]}}' | sort
