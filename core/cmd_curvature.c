/* cmd_curvature.c - `credit curvature RUN_DIR`: the curvature of a saved
 * run's checkpoint (core/curvature.c measures; this file reads the run). */
#define _GNU_SOURCE
#include "cli.h"
#include "curvature.h"
#include "train.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *curvature_help =
    "usage: credit curvature RUN_DIR [--out=NAME.tsv] [key=value ...]\n"
    "\n"
    "Measures the weights in RUN_DIR/checkpoint.bin (the final ones once the run\n"
    "is complete) with the run's config.txt: the top Hessian eigenvalues of the\n"
    "BPTT training loss + L2, gamma, the cosine and the stability ceilings 2/eta\n"
    "and 2/(eta gamma). Prints the row and writes it to RUN_DIR/curvature_final.tsv\n"
    "(the columns of curvature.tsv, see core/curvature.h; --out=NAME.tsv: to\n"
    "RUN_DIR/NAME.tsv instead, e.g. a second protocol beside the first). Only the curvature keys\n"
    "(curvature_every, hessian_*, gamma_*, jacobian_*) and threads, progress may be\n"
    "overridden, e.g. hessian_k=10 hessian_method=power, or hessian_protocol=authors\n"
    "(power iteration, |lambda|, a fresh batch of 256 validation examples drawn\n"
    "from the seed and the iteration). jacobian_k=M adds the\n"
    "rule's own edge (mu_re mu_im rule_edge margin: Arnoldi on the rule's update\n"
    "Jacobian, Krylov size M, margin over jacobian_nev Ritz values). hessian_density=P also writes\n"
    "curvature_density.tsv (lambda, density: stochastic Lanczos quadrature with P\n"
    "probes, Gaussian width hessian_density_sigma of the range) and curvature_slq.tsv\n"
    "(probe, node, weight: the raw quadrature).\n";

static int overridable(const char *arg)
{
    static const char *keys[] = {"curvature_every=", "threads=", "progress="};
    if (strncmp(arg, "hessian_", 8) == 0 || strncmp(arg, "gamma_", 6) == 0 || strncmp(arg, "jacobian_", 9) == 0) return 1;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strncmp(arg, keys[i], strlen(keys[i])) == 0) return 1;
    return 0;
}

static int write_density(credit_session *s, const char *dir, const credit_curv_opts *o, long iter, const char *run_hash)
{
    credit_hessian *h;
    int st = credit_curvature_hessian(&h, s, o->all, o->split, NULL, (uint64_t)o->batch);
    if (st) return st;
    const int P = (int)o->density_probes, S = (int)o->density_steps, G = (int)o->density_points;
    double *nodes = malloc(2 * sizeof(double) * (size_t)P * S);
    if (!nodes) {
        credit_hessian_close(h);
        return CREDIT_ERROR(CREDIT_ENOMEM, "out of memory");
    }
    double *weights = nodes + (size_t)P * S;
    const double D = (double)credit_hessian_free_dim(h);
    st = credit_hessian_slq(h, P, S, credit_curvature_seed(s), nodes, weights);
    credit_hessian_close(h);
    double lo = HUGE_VAL, hi = -HUGE_VAL, first_moment = 0.0;
    for (size_t i = 0; !st && i < (size_t)P * S; i++) {
        if (weights[i] == 0.0) continue;
        lo = fmin(lo, nodes[i]);
        hi = fmax(hi, nodes[i]);
        first_moment += weights[i] * nodes[i] / P;
    }
    double sigma = o->density_sigma * (hi > lo ? hi - lo : fmax(fabs(hi), 1.0));
    char path[4200];
    credit_afile a;
    snprintf(path, sizeof path, "%s/curvature_slq.tsv", dir);
    if (!st && !(st = credit_afile_open(&a, path))) {
        credit_session_provenance(s, a.fp);
        fprintf(a.fp, "# run_config_hash %s iteration %ld\n", run_hash, iter);
        credit_curvature_settings(a.fp, o);
        fprintf(a.fp, "# stochastic Lanczos quadrature: %d Rademacher probes, %d steps, %.0f parameters\n", P, S, D);
        fprintf(a.fp, "# density = (1/probes) sum weight delta(lambda - node); weights of a probe sum to 1\n");
        fprintf(a.fp, "probe\tnode\tweight\n");
        for (int p = 0; p < P; p++)
            for (int j = 0; j < S; j++)
                if (weights[(size_t)p * S + j] != 0.0)
                    fprintf(a.fp, "%d\t%.17g\t%.17g\n", p, nodes[(size_t)p * S + j], weights[(size_t)p * S + j]);
        st = credit_afile_commit(&a);
    }
    snprintf(path, sizeof path, "%s/curvature_density.tsv", dir);
    if (!st && !(st = credit_afile_open(&a, path))) {
        credit_session_provenance(s, a.fp);
        fprintf(a.fp, "# run_config_hash %s iteration %ld\n", run_hash, iter);
        credit_curvature_settings(a.fp, o);
        fprintf(a.fp, "# spectral density by stochastic Lanczos quadrature (%d probes, %d steps), Gaussian width %.17g;\n", P, S, sigma);
        fprintf(a.fp, "# integrates to 1 (times %.0f parameters for eigenvalue counts); trace estimate %.17g\n", D, D * first_moment);
        fprintf(a.fp, "lambda\tdensity\n");
        const double x0 = lo - 4 * sigma, x1 = hi + 4 * sigma, norm = 1.0 / (P * sigma * sqrt(2 * M_PI));
        for (int g = 0; g < G; g++) {
            double x = x0 + (x1 - x0) * g / (G - 1), sum = 0.0;
            for (size_t i = 0; i < (size_t)P * S; i++)
                if (weights[i] != 0.0) sum += weights[i] * exp(-0.5 * (x - nodes[i]) * (x - nodes[i]) / (sigma * sigma));
            fprintf(a.fp, "%.17g\t%.17g\n", x, sum * norm);
        }
        st = credit_afile_commit(&a);
    }
    free(nodes);
    return st;
}

int credit_cmd_curvature(int argc, char **argv)
{
    if (credit_cli_wants_help(argc, argv)) { fputs(curvature_help, stdout); return 0; }
    if (argc < 1 || strchr(argv[0], '=')) { fputs(curvature_help, stderr); return CREDIT_EXIT_USAGE; }
    const char *dir = argv[0];
    char config_path[4200], ckpt_path[4200], out_path[4200];
    snprintf(config_path, sizeof config_path, "%s/config.txt", dir);
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.bin", dir);
    snprintf(out_path, sizeof out_path, "%s/curvature_final.tsv", dir);
    /* --out=NAME.tsv: a plain file name inside RUN_DIR (never a path). */
    int first_key = 1;
    if (argc > 1 && strncmp(argv[1], "--out=", 6) == 0) {
        const char *name = argv[1] + 6;
        size_t len = strlen(name);
        if (len < 5 || len > 200 || strchr(name, '/') || name[0] == '.' || strcmp(name + len - 4, ".tsv") != 0 ||
            strcmp(name, "curvature.tsv") == 0 || strcmp(name, "curve.tsv") == 0 || strcmp(name, "metrics.tsv") == 0 ||
            strcmp(name, "weights.tsv") == 0) {
            CREDIT_ERROR(CREDIT_EINVAL, "credit curvature: --out='%s' must be a plain file name ending in .tsv, not one of the run's own files",
                         name);
            return credit_cli_fail(CREDIT_EINVAL);
        }
        snprintf(out_path, sizeof out_path, "%s/%s", dir, name);
        first_key = 2;
    }

    if (strlen(dir) > CREDIT_OUT_MAX) {
        CREDIT_ERROR(CREDIT_EINVAL, "run directory '%.60s...' is %zu characters long; at most %d", dir, strlen(dir), CREDIT_OUT_MAX);
        return credit_cli_fail(CREDIT_EINVAL);
    }
    credit_config cfg = {0}, run_cfg = {0};
    credit_session s;
    memset(&s, 0, sizeof s);
    uint64_t run_hash = 0;
    int lock = -1;
    int st = credit_config_read(&cfg, config_path);
    /* The run's own config, as parsed: the checkpoint is checked against it. */
    if (!st) st = credit_config_read(&run_cfg, config_path);
    if (!st) st = credit_lock_dir(dir, &lock);
    /* The checkpoint holds the weights: an initial weights file is not needed. */
    if (!st) st = credit_config_set(&cfg, "weights", "", "credit curvature");
    for (int i = first_key; i < argc && !st; i++) {
        if (!overridable(argv[i]))
            st = CREDIT_ERROR(CREDIT_EINVAL, "credit curvature: '%s' cannot be overridden: only curvature_every, hessian_*, gamma_*, "
                                             "jacobian_*, threads and progress (the rest is the run's, in %s)", argv[i], config_path);
        else st = credit_config_assign(&cfg, argv[i]);
    }
    if (!st) st = credit_session_open(&s, &cfg);
    credit_config_free(&cfg);
    /* Hashed from what config.txt says now, not from its provenance line, so
     * an edited config.txt is refused rather than measured. */
    if (!st) st = credit_session_config_hash(&s, &run_cfg, &run_hash);
    credit_config_free(&run_cfg);
    credit_ckpt_info info = {0, 0, 0};
    if (!st) {
        /* The checkpoint belongs to the run's config, not to the overrides. */
        uint64_t own = s.config_hash;
        s.config_hash = run_hash;
        st = credit_ckpt_read(&s, ckpt_path, &info);
        s.config_hash = own;
        if (st && strstr(credit_error_message(), "different config"))
            st = CREDIT_ERROR(st, "%s does not match %s: the config it holds now (hash %016llx) is not the one the checkpoint was written "
                                  "with (was it edited?)" CREDIT_CKPT_HASH_NOTE, config_path, ckpt_path, (unsigned long long)run_hash);
        else if (!st && info.status == CREDIT_CKPT_DIVERGED)
            st = CREDIT_ERROR(CREDIT_EDIVERGED, "%s is the checkpoint of a diverged run: nothing to measure", ckpt_path);
    }
    credit_curv_opts o;
    credit_curv_row row = {0};
    char hash_text[20];
    snprintf(hash_text, sizeof hash_text, "%016llx", (unsigned long long)run_hash);
    if (!st) {
        credit_curv_opts_get(&s, &o);
        double t0 = credit_now();
        st = credit_curvature_measure(&s, info.iteration, &row);
        if (!st && s.o.progress)
            fprintf(stderr, "curvature of %s at iteration %ld: lambda_max %.6g (%d products), gamma %.4g, %.1fs\n", dir, info.iteration,
                    row.lambda_max, row.hvps, row.gamma, credit_now() - t0);
    }
    if (!st) {
        credit_afile a;
        if (!(st = credit_afile_open(&a, out_path))) {
            FILE *fps[2] = {a.fp, stdout};
            for (int f = 0; f < 2; f++) {
                credit_session_provenance(&s, fps[f]);
                fprintf(fps[f], "# run_config_hash %s iteration %ld\n", hash_text, info.iteration);
                credit_curvature_settings(fps[f], &o);
                credit_curvature_header(fps[f], row.k, row.jacobian);
                credit_curvature_print(fps[f], &row);
            }
            st = credit_afile_commit(&a);
        }
    }
    if (!st && o.density_probes > 0) st = write_density(&s, dir, &o, info.iteration, hash_text);
    credit_curv_row_free(&row);
    int rc = st ? credit_cli_fail(st) : 0;
    credit_session_close(&s);
    credit_unlock_dir(lock);
    return rc;
}
