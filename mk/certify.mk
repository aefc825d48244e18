# mk/certify.mk - `make certify`: refactors certified instead of retrained
# (figures/certify.sh; README.md, "Runs, maths hashes and the committed raw
# runs"). When an edit changed maths hashes, certify probes every class of
# the profile's runs it made stale, with the build of the commit the runs
# record and with the tree's, for a few iterations at the runs' own sizes;
# byte-identical probes write a certificate under RESULTS/runs/PROFILE/
# certificates/, with which figures/runkey.sh counts the runs as current.

.PHONY: certify certify-check
# The profile's final curvature and authors' protocol, as mk/figures.mk measures them.
CERT_ENV = CREDIT='$(BIN)' CERT_MAKE='$(MAKE)' CERT_VARS='$(strip $(if $(PREC),PREC=$(PREC)) $(if $(SAN),SAN=$(SAN)))' \
  CERT_ROOT='$(ROOT)' CERT_BUILD='$(BUILD)' CERT_COMMIT='$(CREDIT_COMMIT_NOW)' \
  CERT_CURV_FINAL=$(if $(filter 1,$(FIG_CURVATURE_FINAL)),1,0) CERT_CURV_FINAL_ARGS='$(strip $(FIG_CURV_FINAL_ARGS))' \
  CERT_CURV_AUTHORS=$(if $(filter 1,$(FIG_CURV_AUTHORS)),1,0) CERT_CURV_AUTHORS_ARGS='$(strip $(FIG_CURV_AUTHORS_ARGS))'
certify: all ## after a refactor: probe the runs it made stale with the runs' commit and the tree; identical: a certificate, the runs stay current
	@$(FIG_KEYLINES) | $(CERT_ENV) figures/certify.sh certify $(FIG_RUNS) $(PROFILE)

# The certificates under RESULTS are well formed, their digests hold and
# their commits are in the repository; `make check-reference` checks them
# first (its stale check then uses them).
check-reference: certify-check
certify-check: ## every certificate of PROFILE's runs under RESULTS is well formed and names commits of this repository
	@figures/certify.sh check $(FIG_RUNS)
